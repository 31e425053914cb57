/* runner_initramfs.c - cpio "newc" archives for the guest's initramfs. See runner.h.
 *
 * The kernel unpacks concatenated archives in order (Documentation/driver-api/
 * early-userspace/buffer-format.rst), so each boot appends a small archive with its
 * modules and script to the base archive made once by setup.
 */
#define _GNU_SOURCE
#include "sys/runner.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct kb_cpio {
	struct kb_buf out;
	unsigned ino;
};

struct kb_cpio *kb_cpio_new(void)
{
	struct kb_cpio *c = kb_calloc(1, sizeof *c);
	c->ino = 1000;
	return c;
}

static void pad4(struct kb_buf *b)
{
	static const char zero[4];
	if (b->len % 4)
		kb_buf_add(b, zero, 4 - b->len % 4);
}

static void entry(struct kb_cpio *c, const char *path, unsigned mode, const void *data,
		  size_t len, unsigned rmaj, unsigned rmin)
{
	/* names in the archive are relative: "init", "kb/mod/x.ko" */
	while (*path == '/')
		path++;
	size_t namesize = strlen(path) + 1;
	kb_buf_printf(&c->out, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		      c->ino++, mode, 0u, 0u, (mode & S_IFMT) == S_IFDIR ? 2u : 1u, 0u, len,
		      0u, 0u, rmaj, rmin, namesize, 0u);
	kb_buf_add(&c->out, path, namesize);
	pad4(&c->out);
	if (len)
		kb_buf_add(&c->out, data, len);
	pad4(&c->out);
}

void kb_cpio_dir(struct kb_cpio *c, const char *path, int mode)
{
	entry(c, path, S_IFDIR | (unsigned)mode, NULL, 0, 0, 0);
}

void kb_cpio_file(struct kb_cpio *c, const char *path, int mode, const void *data, size_t len)
{
	entry(c, path, S_IFREG | (unsigned)mode, data, len, 0, 0);
}

int kb_cpio_file_from(struct kb_cpio *c, const char *path, int mode, const char *host_path)
{
	char *data;
	size_t len;
	int rc = kb_read_file(&data, &len, host_path);
	if (rc)
		return rc;
	kb_cpio_file(c, path, mode, data, len);
	free(data);
	return 0;
}

void kb_cpio_symlink(struct kb_cpio *c, const char *path, const char *target)
{
	entry(c, path, S_IFLNK | 0777, target, strlen(target), 0, 0);
}

void kb_cpio_chardev(struct kb_cpio *c, const char *path, int mode, unsigned major, unsigned minor)
{
	entry(c, path, S_IFCHR | (unsigned)mode, NULL, 0, major, minor);
}

char *kb_cpio_finish(struct kb_cpio *c, size_t *len)
{
	entry(c, "TRAILER!!!", 0, NULL, 0, 0, 0);
	static const char zero[512];
	if (c->out.len % 512)
		kb_buf_add(&c->out, zero, 512 - c->out.len % 512);
	*len = c->out.len;
	return kb_buf_detach(&c->out);
}

void kb_cpio_free(struct kb_cpio *c)
{
	if (!c)
		return;
	kb_buf_free(&c->out);
	free(c);
}

int kb_initramfs_write_base(const char *out_path, const char *busybox, const char *init_script)
{
	struct kb_cpio *c = kb_cpio_new();
	static const char *const dirs[] = {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev",
					   "proc", "sys", "tmp", "root", "kb", "kb/mod", "kb/cmd",
					   "kb/files"};
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
		kb_cpio_dir(c, dirs[i], strcmp(dirs[i], "tmp") ? 0755 : 01777);
	/* without /dev/console the kernel gives init no stdin/stdout */
	kb_cpio_chardev(c, "dev/console", 0600, 5, 1);
	int rc = kb_cpio_file_from(c, "bin/busybox", 0755, busybox);
	if (!rc)
		rc = kb_cpio_file_from(c, "init", 0755, init_script);
	if (!rc) {
		/* every applet as a link, as `busybox --install -s` would make at each boot */
		struct kb_exec_opts eo = {.argv = (char *[]){(char *)busybox, "--list-full", NULL},
					  .timeout = 20};
		struct kb_exec_result r;
		bool have_sh = false;
		if (runner_exec(&r, &eo) == 0 && r.exit_code == 0) {
			for (char *save = NULL, *l = strtok_r(r.output, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
				if (!*l || strcmp(l, "bin/busybox") == 0 || strstr(l, ".."))
					continue;
				kb_cpio_symlink(c, l, "/bin/busybox");
				have_sh |= strcmp(l, "bin/sh") == 0;
			}
		}
		runner_exec_result_free(&r);
		if (!have_sh)
			kb_cpio_symlink(c, "bin/sh", "busybox");
		size_t len;
		char *data = kb_cpio_finish(c, &len);
		rc = kb_write_file_atomic(out_path, data, len, 0644);
		free(data);
	}
	kb_cpio_free(c);
	return rc;
}

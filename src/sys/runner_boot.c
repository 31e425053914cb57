/* runner_boot.c - boot the course kernel in QEMU with a script of guest commands.
 * See runner.h for the API and assets/init for the guest's half of the protocol.
 */
#define _GNU_SOURCE
#include "sys/runner.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_QBOOT "/usr/share/qemu/qboot.rom"

const char *kb_fault_name(enum kb_fault f)
{
	switch (f) {
	case KB_FAULT_NONE: return "none";
	case KB_FAULT_WARNING: return "warning";
	case KB_FAULT_OOPS: return "oops";
	case KB_FAULT_RUST_PANIC: return "rust-panic";
	case KB_FAULT_PANIC: return "kernel-panic";
	}
	return "?";
}

const char *kb_boot_status_name(enum kb_boot_status s)
{
	switch (s) {
	case KB_BOOT_OK: return "ok";
	case KB_BOOT_CRASHED: return "crashed";
	case KB_BOOT_HANG: return "hang";
	case KB_BOOT_FLOOD: return "flood";
	case KB_BOOT_QEMU_FAILED: return "qemu-failed";
	}
	return "?";
}

/* ---- fault detection ---------------------------------------------------------------- */

static enum kb_fault line_fault(const char *line)
{
	if (strstr(line, "Kernel panic - not syncing"))
		return KB_FAULT_PANIC;
	if (strstr(line, "panicked at "))
		return KB_FAULT_RUST_PANIC;
	if (strstr(line, "BUG: ") || strstr(line, "Oops: ") || strstr(line, "kernel BUG at ") ||
	    strstr(line, "general protection fault") || strstr(line, "Unable to handle kernel"))
		return KB_FAULT_OOPS;
	/* reported and survived: a WARN(), or UBSAN catching C indexing past an array's end */
	if (strstr(line, "WARNING: CPU: ") || strstr(line, "WARNING: at ") || strstr(line, "UBSAN: "))
		return KB_FAULT_WARNING;
	/* lockdep's reports (a lock order that can deadlock, a lock held at the wrong time) */
	static const char *const lockdep[] = {"WARNING: possible ", "WARNING: suspicious ", "WARNING: inconsistent lock",
					      "WARNING: bad unlock", "WARNING: held lock", "WARNING: lock held",
					      "WARNING: Nested lock", "WARNING: bad contention", NULL};
	for (int i = 0; lockdep[i]; i++)
		if (strstr(line, lockdep[i]))
			return KB_FAULT_WARNING;
	return KB_FAULT_NONE;
}

enum kb_fault kb_detect_fault(const char *text, char **excerpt)
{
	if (excerpt)
		*excerpt = NULL;
	if (!text)
		return KB_FAULT_NONE;
	enum kb_fault worst = KB_FAULT_NONE;
	const char *first_at[KB_FAULT_PANIC + 1] = {0};
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = kb_strndup(l, n);
		enum kb_fault f = line_fault(line);
		free(line);
		if (f != KB_FAULT_NONE) {
			if (!first_at[f])
				first_at[f] = l;
			if (f > worst)
				worst = f;
		}
		l += n + (nl ? 1 : 0);
	}
	if (worst == KB_FAULT_NONE || !excerpt)
		return worst;
	/* start at the earliest line of a fault at least as grave as an oops (a panic is
	   usually the end of an oops story), or of the warning */
	const char *start = NULL;
	for (int f = worst == KB_FAULT_WARNING ? KB_FAULT_WARNING : KB_FAULT_OOPS; f <= KB_FAULT_PANIC; f++)
		if (first_at[f] && (!start || first_at[f] < start))
			start = first_at[f];
	/* take the "cut here" line just before it too */
	if (start > text) {
		const char *prev = start - 1;
		while (prev > text && prev[-1] != '\n')
			prev--;
		if (strstr(prev, "[ cut here ]") && strstr(prev, "[ cut here ]") < start)
			start = prev;
	}
	struct kb_buf b = KB_BUF_INIT;
	int lines = 0;
	for (const char *l = start; *l && lines < 80; lines++) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		kb_buf_add(&b, l, n);
		kb_buf_adds(&b, "\n");
		bool end = memmem(l, n, "---[ end ", 9) != NULL;
		l += n + (nl ? 1 : 0);
		if (end)
			break;
	}
	*excerpt = kb_buf_detach(&b);
	return worst;
}

/* ---- the serial protocol ------------------------------------------------------------ */

struct boot_state {
	const struct kb_boot_opts *opts;
	struct kb_boot_result *res;
	char marker[64];
	size_t marker_len;
	struct kb_buf line;
	struct kb_buf console;
	struct kb_buf dmesg;
	struct kb_buf *cmd_out;   /* one per command */
	int cur;                  /* running command, or -1 */
	bool in_dmesg, done, saw_guest;
	size_t total, cap;
	volatile bool stop;
	/* a guest started early (runner_boot_on): what it is sent once it says READY */
	bool ready;
	const char *payload;
	size_t payload_len, payload_off;
};

static void content_line(struct boot_state *st, const char *text, size_t n, bool newline)
{
	st->saw_guest = true;
	if (st->in_dmesg) {
		kb_buf_add(&st->dmesg, text, n);
		kb_buf_adds(&st->dmesg, "\n");
	} else {
		kb_buf_add(&st->console, text, n);
		if (newline)
			kb_buf_adds(&st->console, "\n");
		if (st->cur >= 0) {
			kb_buf_add(&st->cmd_out[st->cur], text, n);
			if (newline)
				kb_buf_adds(&st->cmd_out[st->cur], "\n");
		}
	}
	if (st->opts->on_line && (n || newline)) {
		char *l = kb_strndup(text, n);
		st->opts->on_line(st->opts->ctx, st->in_dmesg ? "dmesg" : "console", l);
		free(l);
	}
}

static void directive(struct boot_state *st, const char *d)
{
	int idx, rc;
	if (sscanf(d, "BEGIN %d", &idx) == 1) {
		if (idx >= 0 && (size_t)idx < st->res->n_cmds)
			st->cur = idx;
	} else if (sscanf(d, "END %d %d", &idx, &rc) == 2) {
		if (idx >= 0 && (size_t)idx < st->res->n_cmds) {
			st->res->cmds[idx].exit_status = rc;
			st->res->cmds[idx].finished = true;
		}
		st->cur = -1;
	} else if (strcmp(d, "DMESG") == 0) {
		st->in_dmesg = true;
		st->cur = -1;
	} else if (strcmp(d, "DONE") == 0) {
		st->in_dmesg = false;
		st->done = true;
	} else if (strcmp(d, "READY") == 0) {
		st->ready = true;
	}
}

static void process_line(struct boot_state *st, const char *line, size_t n)
{
	const char *m = memmem(line, n, st->marker, st->marker_len);
	if (!m) {
		content_line(st, line, n, true);
		return;
	}
	if (m > line)  /* output that did not end with a newline */
		content_line(st, line, (size_t)(m - line), false);
	char *d = kb_strndup(m + st->marker_len, n - (size_t)(m - line) - st->marker_len);
	directive(st, d);
	free(d);
}

static void on_output(void *ctx, const char *data, size_t len)
{
	struct boot_state *st = ctx;
	st->total += len;
	if (st->total > st->cap) {
		st->res->truncated = true;
		st->stop = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char c = data[i];
		if (c == '\r')
			continue;
		if (c == '\n') {
			process_line(st, st->line.data ? st->line.data : "", st->line.len);
			st->line.len = 0;
			if (st->line.data)
				st->line.data[0] = '\0';
		} else {
			kb_buf_add(&st->line, &c, 1);
		}
	}
}

static void on_tick(void *ctx)
{
	struct boot_state *st = ctx;
	if (st->opts->on_tick)
		st->opts->on_tick(st->opts->ctx);
}

/* What an early guest reads on its console once it said READY: the payload. Nothing
 * before that (its console is not raw yet); its stdin is closed after. */
static long feed_payload(void *ctx, char *buf, size_t cap)
{
	struct boot_state *st = ctx;
	if (!st || !st->ready)
		return KB_FEED_LATER;
	size_t n = st->payload_len - st->payload_off;
	if (n > cap)
		n = cap;
	memcpy(buf, st->payload + st->payload_off, n);
	st->payload_off += n;
	return (long)n;
}

/* ---- building the per-boot initramfs ---------------------------------------------- */

static void add_parents(struct kb_cpio *c, const char *guest_path)
{
	char *p = kb_strdup(guest_path);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			kb_cpio_dir(c, p, 0755);
			*s = '/';
		}
	}
	free(p);
}

/* Module `host_path` into the archive at guest path `gp` without its debug information
 * (llvm-strip --strip-debug, as distributions ship modules): the kernel never loads those
 * sections (they are not allocated), so the code, symbols, parameters and modinfo the
 * guest sees are the same, in a file often 30 times smaller. Oopses are decoded on the
 * host with the module as built. The module as it is when no strip can run. */
static int add_module_stripped(struct kb_cpio *c, const char *gp, const char *host_path)
{
	char *dir = kb_mkdtemp("kb-strip");
	int rc = 1;
	if (dir) {
		char *out = kb_path_join(dir, "m.ko");
		static const char *const tools[] = {"llvm-strip", "strip"};
		for (size_t t = 0; t < 2 && rc > 0; t++) {
			struct kb_exec_opts eo = {.argv = (char *[]){(char *)tools[t], "--strip-debug", "-o", out,
								    (char *)host_path, NULL},
						  .timeout = 30, .output_cap = 4096};
			struct kb_exec_result er;
			if (runner_exec(&er, &eo) == 0 && er.exit_code == 0 && kb_path_exists(out))
				rc = kb_cpio_file_from(c, gp, 0644, out);
			runner_exec_result_free(&er);
		}
		kb_rm_rf(dir);
		free(out);
		free(dir);
	}
	return rc > 0 ? kb_cpio_file_from(c, gp, 0644, host_path) : rc;
}

/* This boot's own files: its commands, modules (without their debug information when
 * `strip`) and extra files. Returns 0 or KB_E*. */
static int add_job(struct kb_cpio *c, const struct kb_boot_opts *o, bool strip)
{
	int rc = 0;
	size_t i = 0;
	for (char *const *cmd = o->commands; cmd && *cmd; cmd++, i++) {
		char name[32];
		snprintf(name, sizeof name, "kb/cmd/%03zu", i);
		kb_cpio_file(c, name, 0644, *cmd, strlen(*cmd));
	}
	for (char *const *m = o->modules; m && *m && !rc; m++) {
		char *copy = kb_strdup(*m);
		char *gp = kb_asprintf("kb/mod/%s", basename(copy));
		rc = strip ? add_module_stripped(c, gp, *m) : kb_cpio_file_from(c, gp, 0644, *m);
		free(gp);
		free(copy);
	}
	for (size_t f = 0; f < o->n_files && !rc; f++) {
		if (o->files[f].guest_path[0] != '/') {
			rc = kb_error_set(KB_EINVAL, "guest path %s is not absolute", o->files[f].guest_path);
			break;
		}
		add_parents(c, o->files[f].guest_path);
		rc = kb_cpio_file_from(c, o->files[f].guest_path, o->files[f].mode ? o->files[f].mode : 0644,
				       o->files[f].host_path);
	}
	return rc;
}

/* The base archive `base_path` followed by the archive in c (finished here), written to
 * a new temporary file whose path goes to *path_out. Returns 0 or KB_E*. */
static int write_initrd(char **path_out, const char *base_path, struct kb_cpio *c)
{
	char *base;
	size_t base_len, extra_len;
	char *extra = kb_cpio_finish(c, &extra_len);
	int rc = kb_read_file(&base, &base_len, base_path);
	if (rc) {
		free(extra);
		return rc;
	}
	const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = kb_asprintf("%s/kbridge-initramfs-XXXXXX", tmpdir);
	int fd = mkstemp(path);
	if (fd < 0) {
		rc = kb_error_set(KB_EIO, "cannot create %s: %s", path, strerror(errno));
		free(path);
		goto cleanup;
	}
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	bool written = f && fwrite(base, 1, base_len, f) == base_len && fwrite(extra, 1, extra_len, f) == extra_len;
	if (f && fclose(f) != 0)   /* always closed, written or not */
		written = false;
	if (!written) {
		rc = kb_error_set(KB_EIO, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		free(path);
		goto cleanup;
	}
	*path_out = path;
cleanup:
	free(base);
	free(extra);
	return rc;
}

static int make_initramfs(char **path_out, const struct kb_boot_opts *o, const char *nonce)
{
	struct kb_cpio *c = kb_cpio_new();
	if (!o->interactive)
		kb_cpio_file(c, "kb/nonce", 0644, nonce, strlen(nonce));
	int rc = add_job(c, o, false);
	if (!rc)
		rc = write_initrd(path_out, o->initramfs, c);
	kb_cpio_free(c);
	return rc;
}

static void make_nonce(char *out, size_t n)
{
	unsigned long long v = kb_random64();
	snprintf(out, n, "%016llx", v);
}

/* ---- the boot --------------------------------------------------------------------- */

/* The QEMU command line: no default devices, the serial console on stdio, qboot when
 * installed (a faster start than SeaBIOS), our kernel and this boot's initramfs, whose
 * `rdinit` runs first. */
static void qemu_argv(struct kb_strv *argv, const struct kb_boot_opts *o, const char *initrd, const char *rdinit)
{
	kb_strv_push(argv, o->qemu ? o->qemu : "qemu-system-x86_64");
	kb_strv_push(argv, "-nodefaults");
	kb_strv_push(argv, "-no-user-config");
	kb_strv_push(argv, "-nographic");
	kb_strv_push(argv, "-no-reboot");
	kb_strv_push(argv, "-serial");
	kb_strv_push(argv, o->interactive ? "mon:stdio" : "stdio");
	kb_strv_push(argv, "-m");
	kb_strv_pushf(argv, "%dM", o->memory_mb > 0 ? o->memory_mb : 128);
	if (o->cpus > 1) {
		kb_strv_push(argv, "-smp");
		kb_strv_pushf(argv, "%d", o->cpus);
	}
	const char *bios = o->bios ? o->bios : (kb_path_exists(DEFAULT_QBOOT) ? DEFAULT_QBOOT : NULL);
	if (bios && *bios) {
		kb_strv_push(argv, "-bios");
		kb_strv_push(argv, bios);
	}
	kb_strv_push(argv, "-kernel");
	kb_strv_push(argv, o->kernel);
	kb_strv_push(argv, "-initrd");
	kb_strv_push(argv, initrd);
	kb_strv_push(argv, "-append");
	/* no_timer_check: on a loaded host the emulated timer may tick too late for the
	   kernel's check of it at boot, which then panics ("IO-APIC + timer doesn't work") */
	kb_strv_pushf(argv, "console=ttyS0 panic=-1 no_timer_check rdinit=%s %s%s%s", rdinit,
		      o->interactive ? "quiet" : "quiet loglevel=1",
		      o->append ? " " : "", o->append ? o->append : "");
}

/* How the boot ended, from what the guest said and how QEMU exited. */
static enum kb_boot_status boot_status(const struct boot_state *st, const struct kb_exec_result *er,
				       const struct kb_boot_opts *o)
{
	if (st->stop)
		return KB_BOOT_FLOOD;
	if (er->timed_out)
		return KB_BOOT_HANG;
	if (st->done || o->interactive)
		return er->exit_code == 0 || st->done ? KB_BOOT_OK : KB_BOOT_QEMU_FAILED;
	if (!st->saw_guest && er->exit_code != 0)
		return KB_BOOT_QEMU_FAILED;
	return KB_BOOT_CRASHED;
}

/* The worst fault in the console or the complete kernel log, with its excerpt. */
static void find_fault(struct kb_boot_result *res)
{
	char *ex_console = NULL, *ex_log = NULL;
	enum kb_fault f_console = kb_detect_fault(res->console, &ex_console);
	enum kb_fault f_log = res->kernel_log_complete ? kb_detect_fault(res->kernel_log, &ex_log) : KB_FAULT_NONE;
	if (f_log >= f_console && f_log != KB_FAULT_NONE) {
		res->fault = f_log;
		res->fault_excerpt = ex_log;
		ex_log = NULL;
	} else {
		res->fault = f_console;
		res->fault_excerpt = ex_console;
		ex_console = NULL;
	}
	free(ex_console);
	free(ex_log);
}

static int check_inputs(const struct kb_boot_opts *o)
{
	if (!o->kernel || !o->initramfs)
		return kb_error_set(KB_EINVAL, "runner_boot: kernel and initramfs are required");
	if (!kb_path_exists(o->kernel))
		return kb_error_set(KB_ENOTREADY, "no kernel image at %s (run: kbridge setup)", o->kernel);
	if (!kb_path_exists(o->initramfs))
		return kb_error_set(KB_ENOTREADY, "no initramfs at %s (run: kbridge setup)", o->initramfs);
	return 0;
}

/* The result's commands (none finished yet) and the protocol's state for this nonce. */
static void boot_prepare(struct boot_state *st, struct kb_boot_result *res, const struct kb_boot_opts *o,
			 const char *nonce)
{
	size_t n_cmds = 0;
	for (char *const *c = o->commands; c && *c; c++)
		n_cmds++;
	res->n_cmds = n_cmds;
	res->cmds = kb_calloc(n_cmds ? n_cmds : 1, sizeof *res->cmds);
	for (size_t i = 0; i < n_cmds; i++) {
		res->cmds[i].command = kb_strdup(o->commands[i]);
		res->cmds[i].exit_status = -1;
	}
	*st = (struct boot_state){.opts = o, .res = res, .cur = -1,
				  .cap = o->output_cap ? o->output_cap : (size_t)2 << 20};
	st->marker_len = (size_t)snprintf(st->marker, sizeof st->marker, "@@KB-%s:", nonce);
	st->cmd_out = kb_calloc(n_cmds ? n_cmds : 1, sizeof *st->cmd_out);
}

/* QEMU's run as exec options: the boot's limits, the protocol's callbacks. */
static struct kb_exec_opts boot_exec_opts(const struct kb_boot_opts *o, struct boot_state *st)
{
	return (struct kb_exec_opts){
		/* an interactive shell: no limit unless one is given */
		.timeout = o->interactive ? (o->timeout > 0 ? o->timeout : 0) : (o->timeout > 0 ? o->timeout : 60),
		.output_cap = 65536,
		.stdin_fd = o->interactive ? KB_STDIN_INHERIT : KB_STDIN_NULL,
		.interactive = o->interactive,
		.on_output = o->interactive ? NULL : on_output,
		.on_tick = on_tick,
		.ctx = st,
		.stop = &st->stop,
	};
}

/* The result from what the guest said and how QEMU ended; frees the state. */
static void boot_collect(struct boot_state *st, struct kb_boot_result *res, const struct kb_boot_opts *o,
			 struct kb_exec_result *er)
{
	if (st->line.len)
		process_line(st, st->line.data, st->line.len);
	res->qemu_exit = er->exit_code;
	res->elapsed = er->elapsed;
	for (size_t i = 0; i < res->n_cmds; i++)
		res->cmds[i].output = kb_buf_detach(&st->cmd_out[i]);
	res->console = kb_buf_detach(&st->console);
	if (st->done) {
		res->kernel_log = kb_buf_detach(&st->dmesg);
		res->kernel_log_complete = true;
	} else {
		res->kernel_log = kb_strdup(res->console);
		kb_buf_free(&st->dmesg);
	}
	res->status = boot_status(st, er, o);
	if (res->status == KB_BOOT_QEMU_FAILED)
		res->qemu_error = kb_strdup(er->output);
	find_fault(res);
	kb_buf_free(&st->line);
	free(st->cmd_out);
	st->cmd_out = NULL;
}

int runner_boot(struct kb_boot_result *res, const struct kb_boot_opts *o)
{
	memset(res, 0, sizeof *res);
	int rc = check_inputs(o);
	if (rc)
		return rc;
	char nonce[32];
	make_nonce(nonce, sizeof nonce);
	char *initrd = NULL;
	rc = make_initramfs(&initrd, o, nonce);
	if (rc)
		return rc;
	struct boot_state st;
	boot_prepare(&st, res, o, nonce);

	struct kb_strv argv = KB_STRV_INIT;
	qemu_argv(&argv, o, initrd, "/init");
	struct kb_exec_opts eo = boot_exec_opts(o, &st);
	eo.argv = kb_strv_argv(&argv);
	struct kb_exec_result er;
	rc = runner_exec(&er, &eo);
	boot_collect(&st, res, o, &er);

	runner_exec_result_free(&er);
	kb_strv_free(&argv);
	unlink(initrd);
	free(initrd);
	return rc;
}

/* ---- a guest booted while its modules build ---------------------------------------- */

/* The first program of an early guest (its rdinit): it makes the console raw, says
 * READY, reads "SIZE gz\n" (or "SIZE raw\n") and a gzipped (or plain) cpio archive of
 * SIZE bytes (this boot's commands, modules and files), unpacks it, puts the console back as it was and runs /init, which goes on
 * as in any boot. A larger receive trigger makes the serial port's interrupts fewer
 * (about 3 times the bytes per second under TCG). */
static const char wait_script[] =
	"#!/bin/sh\n"
	"# kbridge: a guest started before its modules were built (see runner_boot.c)\n"
	"export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n"
	"if mount -t sysfs sysfs /sys 2>/dev/null; then\n"
	"\techo 14 > /sys/class/tty/ttyS0/rx_trig_bytes 2>/dev/null\n"
	"\tumount /sys\n"
	"fi\n"
	"saved=$(stty -g)\n"
	"stty raw -echo\n"
	"echo \"@@KB-$(cat /kb/nonce):READY\"\n"
	"read -r n how\n"
	"if [ \"$how\" = gz ]; then\n"
	"\thead -c \"$n\" | gunzip | (cd / && cpio -i -d -m -u 2>/dev/null)\n"
	"else\n"
	"\thead -c \"$n\" | (cd / && cpio -i -d -m -u 2>/dev/null)\n"
	"fi\n"
	"stty \"$saved\"\n"
	"exec /init\n";

struct kb_guest {
	struct kb_exec_run *run;
	char nonce[32];
	char *initrd;
	/* the machine it was started as */
	char *qemu, *kernel, *initramfs, *bios, *append;
	int memory_mb, cpus;
};

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

void runner_guest_kill(struct kb_guest *g)
{
	if (!g)
		return;
	runner_exec_kill(g->run);
	if (g->initrd)
		unlink(g->initrd);
	free(g->initrd);
	free(g->qemu);
	free(g->kernel);
	free(g->initramfs);
	free(g->bios);
	free(g->append);
	free(g);
}

int runner_guest_start(struct kb_guest **out, const struct kb_boot_opts *o)
{
	*out = NULL;
	int rc = check_inputs(o);
	if (rc)
		return rc;
	if (o->interactive)
		return kb_error_set(KB_EINVAL, "runner_guest_start: not for an interactive boot");
	struct kb_guest *g = kb_calloc(1, sizeof *g);
	make_nonce(g->nonce, sizeof g->nonce);
	g->qemu = o->qemu ? kb_strdup(o->qemu) : NULL;
	g->kernel = kb_strdup(o->kernel);
	g->initramfs = kb_strdup(o->initramfs);
	g->bios = o->bios ? kb_strdup(o->bios) : NULL;
	g->append = o->append ? kb_strdup(o->append) : NULL;
	g->memory_mb = o->memory_mb > 0 ? o->memory_mb : 128;
	g->cpus = o->cpus > 1 ? o->cpus : 1;

	struct kb_cpio *c = kb_cpio_new();
	kb_cpio_file(c, "kb/nonce", 0644, g->nonce, strlen(g->nonce));
	kb_cpio_file(c, "kb/wait", 0755, wait_script, sizeof wait_script - 1);
	rc = write_initrd(&g->initrd, o->initramfs, c);
	kb_cpio_free(c);
	if (rc) {
		runner_guest_kill(g);
		return rc;
	}
	struct kb_strv argv = KB_STRV_INIT;
	qemu_argv(&argv, o, g->initrd, "/kb/wait");
	struct kb_exec_opts eo = {
		.argv = kb_strv_argv(&argv),
		.feed = feed_payload,   /* a stdin pipe: the payload goes there */
	};
	rc = runner_exec_start(&g->run, &eo);
	kb_strv_free(&argv);
	if (rc) {
		runner_guest_kill(g);
		return rc;
	}
	*out = g;
	return 0;
}

struct bytes {
	const char *data;
	size_t len, off;
};

static long feed_bytes(void *ctx, char *buf, size_t cap)
{
	struct bytes *b = ctx;
	size_t n = b->len - b->off < cap ? b->len - b->off : cap;
	memcpy(buf, b->data + b->off, n);
	b->off += n;
	return (long)n;
}

/* What an early guest is sent: "SIZE gz\n" and the archive through `gzip -1` (modules
 * built with debug information shrink about 4 times, and the serial line is slow), or
 * "SIZE raw\n" and the archive itself when gzip cannot run. */
static void make_payload(struct kb_buf *out, const char *archive, size_t len)
{
	struct bytes in = {.data = archive, .len = len};
	struct kb_exec_opts eo = {.argv = (char *[]){"gzip", "-1", "-c", NULL}, .timeout = 30,
				  .output_cap = len + len / 8 + 65536, .feed = feed_bytes, .ctx = &in};
	struct kb_exec_result er;
	bool gz = runner_exec(&er, &eo) == 0 && er.exit_code == 0 && !er.truncated && er.output_len > 0;
	if (gz) {
		kb_buf_printf(out, "%zu gz\n", er.output_len);
		kb_buf_add(out, er.output, er.output_len);
	} else {
		kb_buf_printf(out, "%zu raw\n", len);
		kb_buf_add(out, archive, len);
	}
	runner_exec_result_free(&er);
}

int runner_boot_on(struct kb_boot_result *res, struct kb_guest *g, const struct kb_boot_opts *o)
{
	memset(res, 0, sizeof *res);
	if (!g || o->interactive || !same_str(g->qemu, o->qemu) || !same_str(g->kernel, o->kernel) ||
	    !same_str(g->initramfs, o->initramfs) || !same_str(g->bios, o->bios) ||
	    !same_str(g->append, o->append) || g->memory_mb != (o->memory_mb > 0 ? o->memory_mb : 128) ||
	    g->cpus != (o->cpus > 1 ? o->cpus : 1)) {
		runner_guest_kill(g);
		return runner_boot(res, o);
	}
	int rc = check_inputs(o);
	struct kb_cpio *c = kb_cpio_new();
	if (!rc)
		rc = add_job(c, o, true);
	size_t len = 0;
	char *archive = kb_cpio_finish(c, &len);
	kb_cpio_free(c);
	if (rc) {
		free(archive);
		runner_guest_kill(g);
		return rc;
	}
	struct kb_buf payload = KB_BUF_INIT;
	make_payload(&payload, archive, len);
	free(archive);

	struct boot_state st;
	boot_prepare(&st, res, o, g->nonce);
	st.payload = payload.data;
	st.payload_len = payload.len;
	struct kb_exec_opts eo = boot_exec_opts(o, &st);
	eo.feed = feed_payload;
	struct kb_exec_result er;
	rc = runner_exec_wait(g->run, &er, &eo);
	g->run = NULL;
	boot_collect(&st, res, o, &er);
	runner_exec_result_free(&er);
	kb_buf_free(&payload);
	runner_guest_kill(g);
	return rc;
}

void runner_boot_result_free(struct kb_boot_result *res)
{
	for (size_t i = 0; i < res->n_cmds; i++) {
		free(res->cmds[i].command);
		free(res->cmds[i].output);
	}
	free(res->cmds);
	free(res->console);
	free(res->kernel_log);
	free(res->fault_excerpt);
	free(res->qemu_error);
	memset(res, 0, sizeof *res);
}

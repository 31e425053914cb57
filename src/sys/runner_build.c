/* runner_build.c - build an external module folder with Kbuild. See runner.h. */
#define _GNU_SOURCE
#include "sys/runner.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void find_ko(struct kb_strv *found, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = kb_path_join(dir, e->d_name);
		if (kb_str_ends(e->d_name, ".ko") && !kb_is_dir(p))
			kb_strv_push(found, p);
		else if (depth < 4 && e->d_type == DT_DIR)
			find_ko(found, p, depth + 1);
		free(p);
	}
	closedir(d);
}

/* The modules this build made, as Kbuild lists them in M/modules.order (one object per
 * line, "DIR/name.o"): a .ko left in the folder by an earlier build whose Kbuild line is
 * gone since (a lesson reset to its start, say) is not one of them. Returns 0, or what
 * kb_read_file() returns when there is no modules.order (KB_ENOTFOUND). */
static int modules_order(struct kb_strv *found, const char *mdir)
{
	char *path = kb_path_join(mdir, "modules.order"), *text = NULL;
	size_t len;
	int rc = kb_read_file(&text, &len, path);
	free(path);
	if (rc < 0)
		return rc;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(l);
		if (n < 3)
			continue;
		char *ko = kb_str_ends(l, ".o") ? kb_asprintf("%.*s.ko", (int)(n - 2), l) : kb_strdup(l);
		char *full = ko[0] == '/' ? kb_strdup(ko) : kb_path_join(mdir, ko);
		if (kb_path_exists(full))
			kb_strv_push(found, full);
		free(full);
		free(ko);
	}
	free(text);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int runner_build_module(struct kb_build_result *res, const struct kb_build_opts *o)
{
	memset(res, 0, sizeof *res);
	if (!o->build_dir || !o->module_dir)
		return kb_error_set(KB_EINVAL, "runner_build_module: build_dir and module_dir are required");
	char *mdir = realpath(o->module_dir, NULL);
	if (!mdir)
		return kb_error_set(KB_ENOTFOUND, "module folder %s not found", o->module_dir);

	/* Kbuild writes only into the module's folder (M=): the rest is read-only */
	struct kb_strv argv = KB_STRV_INIT;
	const char *writable[] = {mdir, NULL};
	char *tree = o->tree ? realpath(o->tree, NULL) : NULL;
	/* the kernel home (its build, its tree, the tools) stays readable wherever it is, also
	   under /tmp, which the sandbox replaces with a private one */
	char *home = realpath(o->build_dir, NULL), *src = kb_path_join(o->build_dir, "source");
	char *source = realpath(src, NULL);
	free(src);
	char *slash = home ? strrchr(home, '/') : NULL;
	if (slash && slash != home)
		*slash = '\0';
	const char *readable[] = {home ? home : o->build_dir, source ? source : o->build_dir, tree, NULL};
	int rc = runner_confine(&argv, readable, writable);
	free(tree);
	free(home);
	free(source);
	if (rc < 0) {
		kb_strv_free(&argv);
		free(mdir);
		return rc;
	}
	kb_strv_push(&argv, "make");
	kb_strv_pushf(&argv, "-j%d", o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));
	kb_strv_pushf(&argv, "-C%s", o->build_dir);
	kb_strv_pushf(&argv, "M=%s", mdir);
	for (char *const *v = o->make_vars; v && *v; v++)
		kb_strv_push(&argv, *v);
	kb_strv_push(&argv, o->target ? o->target : "modules");

	struct kb_exec_opts eo = {
		.argv = kb_strv_argv(&argv),
		.env = o->env,
		.timeout = o->timeout > 0 ? o->timeout : 300,
		.stdin_fd = KB_STDIN_NULL,
		.on_output = o->on_output,
		.on_tick = o->on_tick,
		.ctx = o->ctx,
	};
	struct kb_exec_result er;
	rc = runner_exec(&er, &eo);
	res->exit_code = er.exit_code;
	res->timed_out = er.timed_out;
	res->elapsed = er.elapsed;
	res->log = er.output;
	er.output = NULL;
	res->ok = rc == 0 && er.exit_code == 0 && !er.timed_out;
	if (rc == KB_ECHILD)
		goto cleanup;

	struct kb_strv ko = KB_STRV_INIT;
	if (res->ok && modules_order(&ko, mdir) < 0)
		find_ko(&ko, mdir, 0);
	if (ko.n)
		qsort(ko.v, ko.n, sizeof *ko.v, cmp_str);
	res->ko_files = ko.v;
	res->n_ko = ko.n;
cleanup:
	kb_strv_free(&argv);
	free(mdir);
	return rc;
}

void runner_build_result_free(struct kb_build_result *res)
{
	free(res->log);
	for (size_t i = 0; i < res->n_ko; i++)
		free(res->ko_files[i]);
	free(res->ko_files);
	memset(res, 0, sizeof *res);
}

/* what a copy of a module folder leaves out: what Kbuild made, hidden files */
static bool build_output(const char *name)
{
	static const char *const ends[] = {".o", ".ko", ".mod", ".mod.c", ".order", ".symvers", ".rmeta", ".cmd", NULL};
	if (name[0] == '.')
		return true;
	for (int i = 0; ends[i]; i++)
		if (kb_str_ends(name, ends[i]))
			return true;
	return false;
}

int runner_copy_sources(const char *from, const char *to, int depth)
{
	DIR *d = opendir(from);
	if (!d)
		return errno == ENOENT ? 0 : kb_error_set(KB_EIO, "cannot read %s: %s", from, strerror(errno));
	int rc = kb_mkdir_p(to, 0755);
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (build_output(e->d_name))
			continue;
		char *a = kb_path_join(from, e->d_name), *b = kb_path_join(to, e->d_name);
		struct stat st;
		if (lstat(a, &st) == 0 && S_ISDIR(st.st_mode) && depth < 4) {
			rc = runner_copy_sources(a, b, depth + 1);
		} else if (lstat(a, &st) == 0 && S_ISREG(st.st_mode)) {
			char *data = NULL;
			size_t len;
			rc = kb_read_file(&data, &len, a);
			if (rc == 0)
				rc = kb_write_file_atomic(b, data, len, 0644);
			free(data);
		}
		free(a);
		free(b);
	}
	closedir(d);
	return rc;
}

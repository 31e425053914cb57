/* kernel.c - the bundled tree, the reference build and the initramfs: paths, toolchain,
 * setup steps and their stamps. See kernel.h.
 */
#define _GNU_SOURCE
#include "kernel/kernel.h"
#include "sys/apart.h"
#include "sys/runner.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- paths -------------------------------------------------------------------------- */

char *kb_find_datadir(void)
{
	const char *env = getenv("KBRIDGE_DATADIR");
	if (env && *env)
		return kb_strdup(env);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *dir = kb_strdup(dirname(exe));
	char *probe = kb_path_join(dir, "assets/init");
	if (kb_path_exists(probe)) {
		free(probe);
		return dir;
	}
	free(probe);
	char *share = kb_asprintf("%s/../share/kbridge", dir);
	free(dir);
	probe = kb_path_join(share, "assets/init");
	bool ok = kb_path_exists(probe);
	free(probe);
	if (ok)
		return share;
	free(share);
	return NULL;
}

int kb_home_init(struct kb_home *h)
{
	memset(h, 0, sizeof *h);
	const char *env = getenv("KBRIDGE_HOME");
	if (env && *env) {
		h->root = kb_strdup(env);
	} else if ((env = getenv("XDG_DATA_HOME")) && *env) {
		h->root = kb_path_join(env, "kbridge");
	} else {
		const char *home = getenv("HOME");
		h->root = kb_asprintf("%s/.local/share/kbridge", home && *home ? home : "/tmp");
	}
	h->src = kb_path_join(h->root, "linux");
	h->build = kb_path_join(h->root, "build");
	h->bzimage = kb_path_join(h->build, "arch/x86/boot/bzImage");
	h->initramfs = kb_path_join(h->root, "initramfs.cpio");
	h->tools = kb_path_join(h->root, "tools");
	h->stamps = kb_path_join(h->root, "stamps");
	h->datadir = kb_find_datadir();
	if (!h->datadir)
		return kb_error_set(KB_ENOTFOUND, "cannot find kbridge's data folder (assets/, scripts/); "
				    "set KBRIDGE_DATADIR");
	return 0;
}

void kb_home_free(struct kb_home *h)
{
	free(h->root);
	free(h->src);
	free(h->build);
	free(h->bzimage);
	free(h->initramfs);
	free(h->tools);
	free(h->stamps);
	free(h->datadir);
	memset(h, 0, sizeof *h);
}

/* ---- toolchain ---------------------------------------------------------------------- */

int kb_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		long x = 0, y = 0;
		while (isdigit((unsigned char)*a))
			x = x * 10 + (*a++ - '0');
		while (isdigit((unsigned char)*b))
			y = y * 10 + (*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		else
			a = a + strlen(a);
		if (*b == '.')
			b++;
		else
			b = b + strlen(b);
	}
	return 0;
}

/* "bindgen 0.60.1" -> "0.60.1" */
static char *version_word(const char *line)
{
	if (!line)
		return NULL;
	for (const char *p = line; *p; p++) {
		if (isdigit((unsigned char)*p) && (p == line || p[-1] == ' ' || p[-1] == 'v')) {
			size_t n = strspn(p, "0123456789.");
			return kb_strndup(p, n);
		}
	}
	return NULL;
}

static enum kb_step_state step_state(const struct kb_home *h, enum kb_step s);

/* probes: use the recorded answers to Kbuild's compiler probes when they are current
 * (module builds); setup's own builds of the kernel do not */
/* What identifies a file's version without reading it: its inode, size, and times (to
 * the nanosecond). A replaced or rewritten file gets another. */
static void hash_file_id(unsigned long long *h, const char *path)
{
	struct stat st;
	char buf[256];
	int n = stat(path, &st) == 0 ?
		snprintf(buf, sizeof buf, "%s:%llu:%llu:%lld:%lld.%09ld:%lld.%09ld;", path, (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec) :
		snprintf(buf, sizeof buf, "%s:missing;", path);
	*h = kb_hash64(buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1), *h);
}

#define BINDGEN "/usr/bin/bindgen"

/* The bindgen answers (the system bindgen's version, the tree's minimum) take two programs
 * run, some 5 to 50 ms, and change only with the files that give them: /usr/bin/bindgen and
 * the tree's scripts/min-tool-version.sh. So they are kept in root/toolchain.cache under the
 * identity of both (hash_file_id), asked again when either changes. A home we cannot write
 * (a lab's) just asks each time. */
static void bindgen_answers(struct kb_toolchain *tc, const struct kb_home *h)
{
	char *script = h ? kb_path_join(h->src, "scripts/min-tool-version.sh") : NULL;
	char *cache = h ? kb_path_join(h->root, "toolchain.cache") : NULL;
	char *text = NULL, *key = NULL;
	size_t len;
	if (h) {
		unsigned long long k = kb_hash64("toolchain-v1", 12, 0);
		hash_file_id(&k, BINDGEN);
		hash_file_id(&k, script);
		key = kb_asprintf("toolchain %016llx", k);
	}
	if (cache && kb_read_file(&text, &len, cache) == 0) {
		/* "toolchain KEY\nVERSION\nMIN\n" (VERSION empty: no bindgen) */
		char *l1 = text, *l2 = strchr(l1, '\n'), *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
		char *end = l3 ? strchr(l3 + 1, '\n') : NULL;
		if (end && (size_t)(l2 - l1) == strlen(key) && strncmp(l1, key, strlen(key)) == 0 && end > l3 + 1) {
			tc->bindgen_version = l3 > l2 + 1 ? kb_strndup(l2 + 1, (size_t)(l3 - l2 - 1)) : NULL;
			tc->bindgen_min = kb_strndup(l3 + 1, (size_t)(end - l3 - 1));
		}
		free(text);
	}
	if (!tc->bindgen_min) {
		char *line = runner_capture_line((char *[]){BINDGEN, "--version", NULL});
		bool have_script = script && kb_path_exists(script);
		char *min = have_script ? runner_capture_line((char *[]){"sh", script, "bindgen", NULL}) : NULL;
		tc->bindgen_version = version_word(line);
		tc->bindgen_min = min ? kb_strdup(min) : kb_strdup("0.65.1");
		/* only full answers are kept: a failed run is asked again next time */
		bool whole = (line || !kb_path_exists(BINDGEN)) && have_script && min;
		if (cache && whole && kb_is_dir(h->root)) {
			char *data = kb_asprintf("%s\n%s\n%s\n", key, tc->bindgen_version ? tc->bindgen_version : "",
						 tc->bindgen_min);
			kb_write_file_atomic(cache, data, strlen(data), 0644);
			free(data);
		}
		free(line);
		free(min);
	}
	free(key);
	free(cache);
	free(script);
}

static void toolchain_init(struct kb_toolchain *tc, const struct kb_home *h, bool probes)
{
	memset(tc, 0, sizeof *tc);
	bindgen_answers(tc, h);
	tc->bindgen_wrapped = !tc->bindgen_version || kb_version_cmp(tc->bindgen_version, tc->bindgen_min) < 0;

	kb_strv_push(&tc->make_vars, "LLVM=1");
	kb_strv_push(&tc->make_vars, "RUSTC=/usr/bin/rustc");
	kb_strv_push(&tc->make_vars, "RUSTDOC=/usr/bin/rustdoc");
	kb_strv_push(&tc->make_vars, "HOSTRUSTC=/usr/bin/rustc");
	kb_strv_push(&tc->make_vars, "CLIPPY_DRIVER=/usr/bin/clippy-driver");
	if (tc->bindgen_wrapped && h)
		kb_strv_pushf(&tc->make_vars, "BINDGEN=%s/bindgen", h->tools);
	else
		kb_strv_push(&tc->make_vars, "BINDGEN=/usr/bin/bindgen");

	const char *path = getenv("PATH");
	kb_strv_pushf(&tc->env, "PATH=/usr/bin:/bin%s%s", path ? ":" : "", path ? path : "");
	kb_strv_push(&tc->env, "KBRIDGE_REAL_BINDGEN=/usr/bin/bindgen");
	kb_strv_push(&tc->env, "LC_ALL=C");
	/* a kbridge started from make (make test, make run) must not hand the outer make's
	   jobserver and level to Kbuild: the builds and their logs are the same either way */
	kb_strv_push(&tc->env, "MAKEFLAGS=");
	kb_strv_push(&tc->env, "MFLAGS=");
	kb_strv_push(&tc->env, "MAKELEVEL=");
	if (probes && h && step_state(h, KB_STEP_PROBES) == KB_STEP_DONE &&
	    step_state(h, KB_STEP_BUILD) == KB_STEP_DONE) {
		tc->probes_cached = true;
		kb_strv_pushf(&tc->make_vars, "CC=%s/cc", h->tools);
		kb_strv_pushf(&tc->env, "KBRIDGE_CC_PROBES=%s/cc-probes", h->tools);
	}
}

void kb_toolchain_init(struct kb_toolchain *tc, const struct kb_home *h)
{
	toolchain_init(tc, h, true);
}

void kb_toolchain_free(struct kb_toolchain *tc)
{
	kb_strv_free(&tc->make_vars);
	kb_strv_free(&tc->env);
	free(tc->bindgen_version);
	free(tc->bindgen_min);
	memset(tc, 0, sizeof *tc);
}

/* ---- stamps ------------------------------------------------------------------------- */

static const char *const step_names[KB_STEP_COUNT] = {"extract", "import", "config", "build", "initramfs",
							"probes"};
static const char *const step_titles[KB_STEP_COUNT] = {
	N_("kernel source extracted"), N_("kernel tree imported into git"), N_("kernel configured"),
	N_("reference kernel built"), N_("initramfs made"), N_("compiler probes recorded")};

const char *kb_step_name(enum kb_step s)
{
	return s < KB_STEP_COUNT ? step_names[s] : "?";
}

const char *kb_step_title(enum kb_step s)
{
	return s < KB_STEP_COUNT ? _(step_titles[s]) : "?";
}

static void hash_file_meta(unsigned long long *h, const char *path)
{
	struct stat st;
	char buf[128];
	int n = stat(path, &st) == 0 ?
		snprintf(buf, sizeof buf, "%s:%lld:%lld;", path, (long long)st.st_size, (long long)st.st_mtime) :
		snprintf(buf, sizeof buf, "%s:missing;", path);
	*h = kb_hash64(buf, (size_t)n, *h);
}

static void hash_file_data(unsigned long long *h, const char *path)
{
	char *data;
	size_t len;
	if (kb_read_file(&data, &len, path) == 0) {
		*h = kb_hash64(data, len, *h);
		free(data);
	} else {
		*h = kb_hash64("missing", 7, *h);
	}
}

/* The key each step is done for: a change in what a step depends on makes it (and the
 * steps after it) stale. */
static char *step_key(const struct kb_home *h, enum kb_step s)
{
	unsigned long long k = 0;
	hash_file_meta(&k, KB_KERNEL_TARBALL);
	if (s >= KB_STEP_IMPORT)
		k = kb_hash64("import-v1", 9, k);
	if (s >= KB_STEP_CONFIG) {
		char *frag = kb_path_join(h->datadir, "assets/kernel.config");
		hash_file_data(&k, frag);
		free(frag);
	}
	if (s >= KB_STEP_BUILD) {
		hash_file_meta(&k, "/usr/bin/rustc");
		hash_file_meta(&k, "/usr/bin/bindgen");
		hash_file_meta(&k, "/usr/bin/clang");
		char *wrapper = kb_path_join(h->datadir, "scripts/bindgen-compat");
		hash_file_data(&k, wrapper);
		free(wrapper);
	}
	if (s == KB_STEP_PROBES) {
		/* the answers hold for this clang (in the build key above), this configuration
		   and this wrapper */
		char *config = kb_path_join(h->build, ".config");
		char *wrapper = kb_path_join(h->datadir, "scripts/kbuild-cc");
		hash_file_data(&k, config);
		hash_file_data(&k, wrapper);
		free(config);
		free(wrapper);
	}
	if (s == KB_STEP_INITRAMFS) {
		k = 0;
		hash_file_meta(&k, "/bin/busybox");
		char *init = kb_path_join(h->datadir, "assets/init");
		hash_file_data(&k, init);
		free(init);
	}
	return kb_asprintf("%s %016llx", step_names[s], k);
}

static char *stamp_path(const struct kb_home *h, enum kb_step s)
{
	return kb_asprintf("%s/%s", h->stamps, step_names[s]);
}

static enum kb_step_state step_state(const struct kb_home *h, enum kb_step s)
{
	char *path = stamp_path(h, s), *have = NULL;
	size_t len;
	enum kb_step_state st = KB_STEP_MISSING;
	if (kb_read_file(&have, &len, path) == 0) {
		char *want = step_key(h, s);
		size_t n = strcspn(have, "\n");
		st = strlen(want) == n && strncmp(have, want, n) == 0 ? KB_STEP_DONE : KB_STEP_STALE;
		free(want);
	}
	free(have);
	free(path);
	/* the stamp alone is not enough when what it vouches for was deleted */
	if (st == KB_STEP_DONE) {
		char *probes = s == KB_STEP_PROBES ? kb_path_join(h->tools, "cc-probes") : NULL;
		const char *must = s == KB_STEP_EXTRACT ? h->src : s == KB_STEP_BUILD ? h->bzimage :
				   s == KB_STEP_INITRAMFS ? h->initramfs : probes;
		bool gone = must && !kb_path_exists(must);
		free(probes);
		if (gone)
			st = KB_STEP_MISSING;
		if (s == KB_STEP_IMPORT) {
			char *git = kb_path_join(h->src, ".git");
			if (!kb_is_dir(git))
				st = KB_STEP_MISSING;
			free(git);
		}
	}
	return st;
}

/* The step each one is made from (-1: none). The import and the configuration both need
 * only the extracted tree, so they run side by side and neither makes the other stale;
 * the initramfs stands alone. */
static const int step_from[KB_STEP_COUNT] = {
	[KB_STEP_EXTRACT] = -1, [KB_STEP_IMPORT] = KB_STEP_EXTRACT, [KB_STEP_CONFIG] = KB_STEP_EXTRACT,
	[KB_STEP_BUILD] = KB_STEP_CONFIG, [KB_STEP_INITRAMFS] = -1, [KB_STEP_PROBES] = KB_STEP_BUILD};

/* is step s made, directly or not, from step from? */
static bool step_made_from(enum kb_step s, enum kb_step from)
{
	for (int p = step_from[s]; p >= 0; p = step_from[p])
		if (p == (int)from)
			return true;
	return false;
}

void kb_setup_status(struct kb_setup_status *st, const struct kb_home *h)
{
	st->ready = true;
	for (int s = 0; s < KB_STEP_COUNT; s++) {
		st->state[s] = step_state(h, (enum kb_step)s);
		/* a step made from one that is not done cannot be trusted (steps come after
		   the ones they are made from) */
		if (step_from[s] >= 0 && st->state[step_from[s]] != KB_STEP_DONE && st->state[s] == KB_STEP_DONE)
			st->state[s] = KB_STEP_STALE;
		if (st->state[s] != KB_STEP_DONE && s != KB_STEP_PROBES)
			st->ready = false;
	}
}

static int write_stamp(const struct kb_home *h, enum kb_step s, const char *extra)
{
	char *path = stamp_path(h, s);
	char *key = step_key(h, s);
	char *text = kb_asprintf("%s\n%s", key, extra ? extra : "");
	int rc = kb_write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	free(key);
	free(path);
	return rc;
}

/* Step s is redone: the stamps of the steps made from it go (the probes' key says itself
 * whether their record still holds). */
static void remove_stamps_made_from(const struct kb_home *h, enum kb_step s)
{
	for (int t = 0; t < KB_STEP_COUNT; t++) {
		if (t == KB_STEP_PROBES || !step_made_from((enum kb_step)t, s))
			continue;
		char *path = stamp_path(h, (enum kb_step)t);
		unlink(path);
		free(path);
	}
}

/* ---- lock --------------------------------------------------------------------------- */

int kb_setup_lock(const struct kb_home *h)
{
	int rc = kb_mkdir_p(h->root, 0755);
	if (rc)
		return rc;
	char *path = kb_path_join(h->root, "setup.lock");
	char holder[32];
	int fd = kb_lock_take(path, holder);
	free(path);
	if (fd == KB_ELOCKED)
		return kb_error_set(KB_ELOCKED, "another kbridge setup is running on %s (pid %s); "
				    "wait for it to finish", h->root, holder);
	return fd;
}

/* ---- steps -------------------------------------------------------------------------- */

struct step_ctx {
	const struct kb_home *h;
	const struct kb_setup_opts *o;
	struct kb_toolchain tc;
	enum kb_step step;
	/* extract: the tarball fed to tar */
	int tar_fd;
	long long tar_size, tar_done;
	/* build: line counting */
	size_t lines, expected_lines;
	struct kb_buf partial;
	char last[160];
	/* the import, in a process of its own while the kernel is configured and built */
	struct kb_bg import;
	int import_rc;          /* its failure, once it ended */
	bool told_imported;     /* o->imported was called */
};

static void import_poll(struct step_ctx *c, bool wait);

static void report(struct step_ctx *c, double fraction, const char *detail)
{
	import_poll(c, false);
	if (c->o->progress)
		c->o->progress(c->o->ctx, c->step, fraction, detail);
}

static void say(struct step_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct step_ctx *c, const char *fmt, ...)
{
	if (!c->o->log)
		return;
	struct kb_buf b = KB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c->o->log(c->o->ctx, b.data);
	kb_buf_free(&b);
}

static long feed_tarball(void *ctx, char *buf, size_t cap)
{
	struct step_ctx *c = ctx;
	ssize_t n = read(c->tar_fd, buf, cap);
	if (n < 0)
		return -1;
	c->tar_done += n;
	return n;
}

static void tick_extract(void *ctx)
{
	struct step_ctx *c = ctx;
	report(c, c->tar_size ? (double)c->tar_done / (double)c->tar_size : -1, KB_KERNEL_TARBALL);
}

/* A failed child: its last lines of output make the message. */
static int child_failed(const char *what, const struct kb_exec_result *r, int rc)
{
	if (rc == KB_EINTR)
		return rc;
	if (rc)
		return rc;
	const char *out = r->output ? r->output : "";
	size_t len = strlen(out);
	const char *tail = out + len;
	for (int lines = 0; tail > out && lines < 25; tail--)
		if (tail[-1] == '\n' && tail != out + len && ++lines == 25)
			break;
	if (r->timed_out)
		return kb_error_set(KB_ECHILD, "%s timed out after %.0f s\n%s", what, r->elapsed, tail);
	return kb_error_set(KB_ECHILD, "%s failed (exit %d)\n%s", what, r->exit_code, tail);
}

static int step_extract(struct step_ctx *c)
{
	const struct kb_home *h = c->h;
	if (!kb_path_exists(KB_KERNEL_TARBALL))
		return kb_error_set(KB_ENOTFOUND, "%s is missing (install it: sudo apt-get install %s)",
				    KB_KERNEL_TARBALL, KB_KERNEL_PACKAGE);
	char *partial = kb_path_join(h->root, "linux.partial");
	int rc = kb_rm_rf(partial);
	if (!rc)
		rc = kb_rm_rf(h->src);
	if (!rc)
		rc = kb_mkdir_p(partial, 0755);
	if (rc)
		goto cleanup;
	say(c, _("extracting %s"), KB_KERNEL_TARBALL);
	c->tar_fd = open(KB_KERNEL_TARBALL, O_RDONLY | O_CLOEXEC);
	if (c->tar_fd < 0) {
		rc = kb_error_set(KB_EIO, "cannot open %s: %s", KB_KERNEL_TARBALL, strerror(errno));
		goto cleanup;
	}
	struct stat st;
	fstat(c->tar_fd, &st);
	c->tar_size = st.st_size;
	c->tar_done = 0;
	struct kb_exec_opts eo = {
		.argv = (char *[]){"tar", "-xJf", "-", "-C", partial, NULL},
		.stdin_fd = KB_STDIN_NULL, .feed = feed_tarball, .on_tick = tick_extract, .ctx = c,
		.output_cap = 65536,
	};
	struct kb_exec_result r;
	rc = runner_exec(&r, &eo);
	close(c->tar_fd);
	if (rc || r.exit_code != 0) {
		rc = child_failed("tar", &r, rc);
		runner_exec_result_free(&r);
		goto cleanup;
	}
	runner_exec_result_free(&r);
	char *top = kb_path_join(partial, KB_KERNEL_TOPDIR);
	if (rename(top, h->src) < 0)
		rc = kb_error_set(KB_EIO, "cannot move %s to %s: %s", top, h->src, strerror(errno));
	free(top);
	if (!rc)
		rc = kb_rm_rf(partial);
	report(c, 1, _("done"));
cleanup:
	free(partial);
	return rc;
}

static void import_progress(void *ctx, size_t done, size_t total)
{
	struct step_ctx *c = ctx;
	char detail[64];
	snprintf(detail, sizeof detail, _("%zu/%zu files"), done, total);
	report(c, total ? (double)done / (double)total : -1, detail);
}

/* "6.12.117" from the tree's Makefile */
static char *tree_version(const char *src)
{
	char *mk = kb_path_join(src, "Makefile"), *text = NULL;
	size_t len;
	long v[3] = {0, 0, 0};
	if (kb_read_file(&text, &len, mk) == 0) {
		const char *keys[3] = {"\nVERSION = ", "\nPATCHLEVEL = ", "\nSUBLEVEL = "};
		for (int i = 0; i < 3; i++) {
			char *p = strstr(text, keys[i]);
			if (p)
				v[i] = strtol(p + strlen(keys[i]), NULL, 10);
		}
	}
	free(text);
	free(mk);
	return kb_asprintf("%ld.%ld.%ld", v[0], v[1], v[2]);
}

char *kb_installed_kernel_version(char **where)
{
	struct kb_home h;
	kb_home_init(&h);   /* root and src are set even when the data folder is not found */
	char *mk = kb_path_join(h.src, "Makefile");
	char *version = kb_path_exists(mk) ? tree_version(h.src) : NULL;
	if (where)
		*where = version ? kb_strdup(h.src) : NULL;
	free(mk);
	kb_home_free(&h);
	return version;
}

static int step_import(struct step_ctx *c)
{
	const struct kb_home *h = c->h;
	char *git = kb_path_join(h->src, ".git");
	int rc = kb_rm_rf(git);  /* a half import is redone from the start */
	free(git);
	if (rc)
		return rc;
	char *version = tree_version(h->src);
	char *pkg = runner_capture_line((char *[]){"dpkg-query", "-W", "-f=${Version}", KB_KERNEL_PACKAGE, NULL});
	char *msg = kb_asprintf("Linux %s (Debian %s %s)\n\n"
				"The bundled kernel tree of kbridge, imported by `kbridge setup` from\n"
				"%s. The Debian packaging block at the end of .gitignore\n"
				"(\"/*\" and \"!/debian/\", which ignores every top-level path) is removed.\n",
				version, KB_KERNEL_PACKAGE, pkg ? pkg : "(version unknown)", KB_KERNEL_TARBALL);
	struct stat st;
	long long when = stat(KB_KERNEL_TARBALL, &st) == 0 ? (long long)st.st_mtime : 0;
	say(c, _("importing the tree into git (Linux %s)"), version);
	rc = kb_import_tree(h->src, msg, when, import_progress, c);
	free(msg);
	free(pkg);
	free(version);
	return rc;
}

/* Check that every option the fragment sets survived olddefconfig. */
static int verify_config(const char *fragment, const char *config_path)
{
	char *config = NULL;
	size_t len;
	int rc = kb_read_file(&config, &len, config_path);
	if (rc)
		return rc;
	struct kb_buf bad = KB_BUF_INIT;
	for (const char *l = fragment; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = kb_strndup(l, n);
		l += n + (nl ? 1 : 0);
		char name[128];
		if (kb_str_starts(line, "CONFIG_")) {
			char *want = kb_asprintf("\n%s\n", line);
			if (!strstr(config, want))
				kb_buf_printf(&bad, " %s", line);
			free(want);
		} else if (sscanf(line, "# %127s is not set", name) == 1 && kb_str_starts(name, "CONFIG_")) {
			char *y = kb_asprintf("\n%s=", name);
			if (strstr(config, y))
				kb_buf_printf(&bad, " %s=n", name);
			free(y);
		}
		free(line);
	}
	if (bad.len)
		rc = kb_error_set(KB_EINVAL, "Kconfig did not keep these options of assets/kernel.config "
				  "(a dependency is missing):%s", bad.data);
	kb_buf_free(&bad);
	free(config);
	return rc;
}

static void build_output(void *ctx, const char *data, size_t len)
{
	struct step_ctx *c = ctx;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			c->lines++;
			if (c->partial.len) {
				const char *s = c->partial.data;
				while (*s == ' ')
					s++;
				snprintf(c->last, sizeof c->last, "%s", s);
			}
			c->partial.len = 0;
		} else {
			kb_buf_add(&c->partial, data + i, 1);
		}
	}
}

static void tick_build(void *ctx)
{
	struct step_ctx *c = ctx;
	double f = c->expected_lines ? (double)c->lines / (double)c->expected_lines : -1;
	report(c, f > 0.99 ? 0.99 : f, c->last);
}

static int run_make(struct step_ctx *c, const char *what, char *const *targets, bool show)
{
	struct kb_strv argv = KB_STRV_INIT;
	kb_strv_push(&argv, "make");
	kb_strv_pushf(&argv, "-C%s", c->h->src);
	kb_strv_pushf(&argv, "O=%s", c->h->build);
	kb_strv_pushf(&argv, "-j%d", c->o->jobs > 0 ? c->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));
	for (size_t i = 0; i < c->tc.make_vars.n; i++)
		kb_strv_push(&argv, c->tc.make_vars.v[i]);
	for (char *const *t = targets; *t; t++)
		kb_strv_push(&argv, *t);
	struct kb_exec_opts eo = {
		.argv = kb_strv_argv(&argv), .env = kb_strv_argv(&c->tc.env), .stdin_fd = KB_STDIN_NULL,
		.timeout = 3600, .on_output = show ? build_output : NULL, .on_tick = show ? tick_build : NULL,
		.ctx = c,
	};
	struct kb_exec_result r;
	int rc = runner_exec(&r, &eo);
	if (rc || r.exit_code != 0)
		rc = child_failed(what, &r, rc);
	runner_exec_result_free(&r);
	kb_strv_free(&argv);
	return rc;
}

static int step_config(struct step_ctx *c)
{
	const struct kb_home *h = c->h;
	char *frag_path = kb_path_join(h->datadir, "assets/kernel.config");
	char *cfg = kb_path_join(h->build, ".config");
	char *fragment = NULL, *config = NULL;
	size_t len;
	int rc = kb_read_file(&fragment, &len, frag_path);
	if (!rc)
		rc = kb_mkdir_p(h->build, 0755);
	if (!rc && c->tc.bindgen_wrapped) {
		/* the wrapper the build uses lives in KBRIDGE_HOME, so the build does not depend
		   on where kbridge itself is */
		char *src = kb_path_join(h->datadir, "scripts/bindgen-compat"), *data = NULL;
		char *dst = kb_path_join(h->tools, "bindgen");
		rc = kb_read_file(&data, &len, src);
		if (!rc)
			rc = kb_mkdir_p(h->tools, 0755);
		if (!rc)
			rc = kb_write_file_atomic(dst, data, len, 0755);
		free(data);
		free(src);
		free(dst);
	}
	if (rc)
		goto cleanup;
	say(c, "%s", _("configuring: tinyconfig + assets/kernel.config"));
	report(c, 0.1, "make tinyconfig");
	rc = run_make(c, "make tinyconfig", (char *[]){"tinyconfig", NULL}, false);
	if (!rc)
		rc = kb_read_file(&config, &len, cfg);
	if (rc)
		goto cleanup;
	struct kb_buf merged = KB_BUF_INIT;
	kb_buf_add(&merged, config, len);
	kb_buf_adds(&merged, "\n# kbridge: assets/kernel.config\n");
	kb_buf_adds(&merged, fragment);
	rc = kb_write_file_atomic(cfg, merged.data, merged.len, 0644);
	kb_buf_free(&merged);
	report(c, 0.6, "make olddefconfig");
	if (!rc)
		rc = run_make(c, "make olddefconfig", (char *[]){"olddefconfig", NULL}, false);
	if (!rc)
		rc = verify_config(fragment, cfg);
	report(c, 1, _("done"));
cleanup:
	free(fragment);
	free(config);
	free(frag_path);
	free(cfg);
	return rc;
}

static int step_build(struct step_ctx *c)
{
	const struct kb_home *h = c->h;
	/* the number of lines the last full build printed makes the bar's scale */
	char *stamp = stamp_path(h, KB_STEP_BUILD), *text = NULL;
	size_t len;
	c->expected_lines = 1300;
	if (kb_read_file(&text, &len, stamp) == 0) {
		char *p = strstr(text, "lines=");
		if (p && strtoul(p + 6, NULL, 10) > 100)
			c->expected_lines = strtoul(p + 6, NULL, 10);
	}
	free(text);
	free(stamp);
	say(c, _("building the reference kernel (make LLVM=1 -j%d); this takes a few minutes"),
	    c->o->jobs > 0 ? c->o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN));
	c->lines = 0;
	int rc = run_make(c, _("the kernel build"), (char *[]){"all", NULL}, true);
	if (!rc && !kb_path_exists(h->bzimage))
		rc = kb_error_set(KB_EIO, "the build finished but %s is missing", h->bzimage);
	kb_buf_free(&c->partial);
	report(c, 1, _("done"));
	return rc;
}

static int step_initramfs(struct step_ctx *c)
{
	const struct kb_home *h = c->h;
	char *init = kb_path_join(h->datadir, "assets/init");
	say(c, "%s", _("making the initramfs (busybox + assets/init)"));
	int rc = kb_mkdir_p(h->root, 0755);
	if (!rc && !kb_path_exists("/bin/busybox"))
		rc = kb_error_set(KB_ENOTFOUND, "/bin/busybox is missing (install it: sudo apt-get install busybox-static)");
	if (!rc)
		rc = kb_initramfs_write_base(h->initramfs, "/bin/busybox", init);
	free(init);
	report(c, 1, _("done"));
	return rc;
}

/* Record Kbuild's compiler probes: one module build (a C and a Rust module) with
 * scripts/kbuild-cc as CC in record mode; its answers become tools/cc-probes, and the
 * wrapper tools/cc. A few seconds. */
static int step_probes(struct step_ctx *c)
{
	const struct kb_home *h = c->h;
	say(c, "%s", _("recording Kbuild's compiler probes (module builds then skip them)"));
	char *src = kb_path_join(h->datadir, "scripts/kbuild-cc"), *wrapper = kb_path_join(h->tools, "cc");
	char *rec = kb_path_join(h->tools, "cc-probes.new"), *final = kb_path_join(h->tools, "cc-probes");
	char *rust = kb_path_join(h->src, "samples/rust/rust_minimal.rs");
	char *dir = NULL, *data = NULL;
	size_t len;
	struct kb_strv argv = KB_STRV_INIT, env = KB_STRV_INIT;
	bool made_dir = false;
	int rc = kb_read_file(&data, &len, src);
	if (!rc)
		rc = kb_mkdir_p(h->tools, 0755);
	if (!rc)
		rc = kb_write_file_atomic(wrapper, data, len, 0755);
	free(data);
	data = NULL;
	if (!rc && !(dir = kb_mkdtemp("kb-probes")))
		rc = KB_EIO;
	made_dir = dir != NULL;
	if (!rc)
		rc = kb_read_file(&data, &len, rust);
	if (!rc) {
		static const char c_module[] =
			"#include <linux/module.h>\n"
			"static int __init kbp_init(void) { return 0; }\n"
			"module_init(kbp_init);\n"
			"MODULE_LICENSE(\"GPL\");\n";
		static const char kbuild[] = "obj-m := kbp_c.o rust_minimal.o\n";
		char *p1 = kb_path_join(dir, "kbp_c.c"), *p2 = kb_path_join(dir, "rust_minimal.rs");
		char *p3 = kb_path_join(dir, "Kbuild");
		rc = kb_write_file_atomic(p1, c_module, sizeof c_module - 1, 0644);
		if (!rc)
			rc = kb_write_file_atomic(p2, data, len, 0644);
		if (!rc)
			rc = kb_write_file_atomic(p3, kbuild, sizeof kbuild - 1, 0644);
		free(p1);
		free(p2);
		free(p3);
	}
	unlink(rec);
	if (!rc) {
		kb_strv_push(&argv, "make");
		kb_strv_pushf(&argv, "-C%s", h->build);
		kb_strv_pushf(&argv, "M=%s", dir);
		for (size_t i = 0; i < c->tc.make_vars.n; i++)
			kb_strv_push(&argv, c->tc.make_vars.v[i]);
		kb_strv_pushf(&argv, "CC=%s", wrapper);
		kb_strv_push(&argv, "modules");
		for (size_t i = 0; i < c->tc.env.n; i++)
			kb_strv_push(&env, c->tc.env.v[i]);
		kb_strv_pushf(&env, "KBRIDGE_CC_RECORD=%s", rec);
		struct kb_exec_opts eo = {.argv = kb_strv_argv(&argv), .env = kb_strv_argv(&env),
					  .stdin_fd = KB_STDIN_NULL, .timeout = 600};
		struct kb_exec_result r;
		rc = runner_exec(&r, &eo);
		if (rc || r.exit_code != 0)
			rc = child_failed(_("a module build recording the compiler probes"), &r, rc);
		runner_exec_result_free(&r);
	}
	if (!rc && !kb_path_exists(rec))
		rc = kb_error_set(KB_EIO, "the module build asked clang no probe: %s stays unused", rec);
	if (!rc && rename(rec, final) < 0)
		rc = kb_error_set(KB_EIO, "cannot rename %s: %s", rec, strerror(errno));
	if (rc)
		unlink(rec);
	if (made_dir)
		kb_rm_rf(dir);
	report(c, 1, _("done"));
	kb_strv_free(&argv);
	kb_strv_free(&env);
	free(data);
	free(src);
	free(wrapper);
	free(rec);
	free(final);
	free(rust);
	free(dir);
	return rc;
}

/* ---- the import, alongside ----------------------------------------------------------- */

/* The tree is in git: what needs only the tree (the learner's workspace clone) may start */
static void tell_imported(struct step_ctx *c)
{
	if (!c->told_imported && c->o->imported) {
		c->told_imported = true;
		c->o->imported(c->o->ctx);
	}
}

/* the import, as the child of import_start() runs it: quiet (the screen is the parent's),
 * its stamp written when it is done */
static int import_child(void *ctx)
{
	const struct step_ctx *c = ctx;
	struct kb_setup_opts quiet = {.jobs = c->o->jobs};
	struct step_ctx ic = {.h = c->h, .o = &quiet, .step = KB_STEP_IMPORT};
	int rc = step_import(&ic);
	if (!rc && kb_interrupted)
		rc = kb_error_set(KB_EINTR, "interrupted");
	if (!rc)
		rc = write_stamp(c->h, KB_STEP_IMPORT, "");
	return rc;
}

/* Start the import in a process of its own: it needs only the extracted tree, as the
 * configuration and the build do, and it is one core's work (libgit2 hashing and writing
 * ~87,000 files) while the configuration and the build's first minute leave a core idle.
 * import_poll() sees it end. Without a process, the import runs here. Returns 0 or the
 * import's error. */
static int import_start(struct step_ctx *c)
{
	if (kb_bg_start(&c->import, import_child, c) == 0) {
		char *version = tree_version(c->h->src);
		say(c, _("importing the tree into git (Linux %s), alongside the configuration and the build"), version);
		free(version);
		return 0;
	}
	double t0 = kb_now();
	int rc = import_child(c);
	if (!rc)
		say(c, "%s (%.1f s)", kb_step_title(KB_STEP_IMPORT), kb_now() - t0);
	return rc;
}

/* Has the import's process ended (wait: until it has)? Then say how it went; its failure
 * is kept in c->import_rc for the end of setup. */
static void import_poll(struct step_ctx *c, bool wait)
{
	if (c->import.pid <= 0)
		return;
	char why[1024];
	double took;
	int rc = kb_bg_poll(&c->import, wait, &took, why, sizeof why);
	if (rc == 1)
		return;
	if (rc == 0) {
		say(c, "%s (%.1f s)", kb_step_title(KB_STEP_IMPORT), took);
		tell_imported(c);
	} else if (rc == KB_EINTR) {
		c->import_rc = kb_error_set(KB_EINTR, "interrupted");
	} else {
		c->import_rc = kb_error_set(KB_EGIT, "the import into git failed: %s",
					    *why ? why : _("its process ended without saying why"));
	}
}

int kb_setup_run(const struct kb_home *h, const struct kb_setup_opts *o)
{
	int lock = kb_setup_lock(h);
	if (lock < 0)
		return lock;
	struct step_ctx c = {.h = h, .o = o};
	int rc = kb_mkdir_p(h->stamps, 0755);
	if (rc)
		goto cleanup;
	if (o->force) {
		char *path = stamp_path(h, KB_STEP_EXTRACT);
		unlink(path);
		free(path);
		remove_stamps_made_from(h, KB_STEP_EXTRACT);
	}

	static int (*const run[KB_STEP_COUNT])(struct step_ctx *) = {
		step_extract, step_import, step_config, step_build, step_initramfs, step_probes};
	struct kb_setup_status st;
	for (int s = 0; s < KB_STEP_COUNT && !rc; s++) {
		kb_setup_status(&st, h);
		if (o->force && s == KB_STEP_INITRAMFS)
			st.state[s] = KB_STEP_STALE;
		if (st.state[s] == KB_STEP_DONE) {
			c.step = (enum kb_step)s;
			report(&c, 1, _("ready"));
			continue;
		}
		if (s == KB_STEP_CONFIG || s == KB_STEP_BUILD || s == KB_STEP_PROBES) {
			kb_toolchain_free(&c.tc);
			toolchain_init(&c.tc, h, false);
		}
		/* what is made from this step no longer holds */
		remove_stamps_made_from(h, (enum kb_step)s);
		if (s == KB_STEP_IMPORT) {
			c.step = KB_STEP_IMPORT;
			rc = import_start(&c);
			continue;
		}
		if ((s == KB_STEP_CONFIG || s == KB_STEP_BUILD) && st.state[KB_STEP_IMPORT] == KB_STEP_DONE)
			tell_imported(&c);
		c.step = (enum kb_step)s;
		report(&c, 0, _("starting"));
		double t0 = kb_now();
		rc = run[s](&c);
		if (!rc && kb_interrupted)
			rc = kb_error_set(KB_EINTR, "interrupted");
		if (!rc) {
			char extra[64] = "";
			if (s == KB_STEP_BUILD)
				snprintf(extra, sizeof extra, "lines=%zu\n", c.lines);
			rc = write_stamp(h, (enum kb_step)s, extra);
			say(&c, "%s (%.1f s)", kb_step_title((enum kb_step)s), kb_now() - t0);
		}
	}
	if (c.import.pid > 0) {
		if (rc)   /* a failed step ends setup now: the import is redone next time */
			kill(c.import.pid, SIGTERM);
		else {
			c.step = KB_STEP_IMPORT;
			report(&c, -1, _("finishing the import into git"));
		}
		import_poll(&c, true);
	}
	if (!rc)
		rc = c.import_rc;
cleanup:
	kb_toolchain_free(&c.tc);
	close(lock);
	return rc;
}

const char *kb_course_kernel(void)
{
	static const char pkg[] = KB_KERNEL_PACKAGE;
	const char *dash = strrchr(pkg, '-');
	return dash ? dash + 1 : pkg;
}

bool kb_kernel_fits(const char *want, const char *have)
{
	while (*want) {
		char *we, *he;
		long a = strtol(want, &we, 10), b = strtol(have, &he, 10);
		if (we == want || he == have || a != b)
			return false;
		want = we;
		have = he;
		if (*want == '.' && *have == '.') {
			want++;
			have++;
		} else if (*want) {
			return false;
		}
	}
	return true;
}

char *kb_module_name(const char *ko)
{
	const char *slash = strrchr(ko, '/');
	char *name = kb_strdup(slash ? slash + 1 : ko);
	if (kb_str_ends(name, ".ko"))
		name[strlen(name) - 3] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

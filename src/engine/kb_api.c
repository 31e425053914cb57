/* kb_api.c - the `kb` table of lesson checks. Every function checks its arguments and
 * raises errors that name the call ("kb.read('../x'): ..."). The reference for lesson
 * authors is docs/lesson-api.md; keep the two in step. */
#define _GNU_SOURCE
#include "engine/kb_api.h"
#include "engine/result.h"
#include "kernel/kconfig.h"
#include "kernel/kernel.h"
#include "kernel/ktap.h"
#include "kernel/oops.h"
#include "sys/runner.h"
#include "engine/sandbox.h"
#include "base/util.h"

#include <lauxlib.h>
#include <lua.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CAP ((size_t)4 << 20)
#define SEEN_LINES 12

static const char REG_CTX = 'c';   /* lightuserdata: struct run while a check runs */
static const char REG_KB = 'b';    /* the kb table */

struct run {
	struct kb_check_result *res;
	const struct kb_check_opts *opts;
	char *root;                      /* realpath of the workspace */
	struct kb_home home;
	const struct kb_home *h;
	bool home_tried;
	struct kb_toolchain tc;
	bool tc_ready;
	char *over_limit;                /* set when the check asked for one build or boot too
					    many: the check fails with it even if it caught the error */
	struct kb_guest *guest;          /* a guest started with a build, waiting for a kb.boot;
					    killed when the build fails or the check ends */
};

/* ---- the workspace ------------------------------------------------------------------ */

int kb_workspace_open(const char *root, const char *rel, int want_dir)
{
	if (!rel || !*rel)
		return kb_error_set(KB_EINVAL, "an empty path");
	if (rel[0] == '/')
		return kb_error_set(KB_EINVAL, "'%s' is absolute: paths are relative to the kernel tree", rel);
	if (strlen(rel) > 4096)
		return kb_error_set(KB_EINVAL, "the path is too long");
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return kb_error_set(KB_ENOTFOUND, "the workspace %s cannot be opened: %s", root, strerror(errno));
	char *copy = kb_strdup(rel), *save = NULL;
	int rc = 0;
	char *part = strtok_r(copy, "/", &save);
	while (part) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(part, "..") == 0) {
			rc = kb_error_set(KB_EINVAL, "'..' is not allowed: paths stay inside the kernel tree");
			break;
		}
		if (strcmp(part, ".") == 0) {
			part = next;
			if (!part && !want_dir)
				rc = kb_error_set(KB_EINVAL, "'%s' names a folder, not a file", rel);
			continue;
		}
		bool last = next == NULL;
		int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | ((!last || want_dir) ? O_DIRECTORY : O_NONBLOCK);
		int fd = openat(dfd, part, flags);
		if (fd < 0) {
			int e = errno;
			struct stat st;
			if (fstatat(dfd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				rc = kb_error_set(KB_EINVAL, "'%s' is a symbolic link: checks only follow real files "
						  "of the workspace", part);
			else if (e == ENOENT)
				rc = kb_error_set(KB_ENOTFOUND, "%s: no such %s in the workspace", rel,
						  last && !want_dir ? _("file") : _("folder"));
			else if (e == ENOTDIR)
				rc = kb_error_set(KB_ENOTFOUND, "%s: '%s' is not a folder", rel, part);
			else
				rc = kb_error_set(KB_EIO, "%s: %s", rel, strerror(e));
			break;
		}
		close(dfd);
		dfd = fd;
		part = next;
	}
	free(copy);
	if (rc < 0) {
		close(dfd);
		return rc;
	}
	struct stat st;
	if (fstat(dfd, &st) < 0 || (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))) {
		close(dfd);
		return kb_error_set(KB_EINVAL, "%s is not a %s", rel, want_dir ? _("folder") : _("regular file"));
	}
	return dfd;
}

/* ---- helpers ------------------------------------------------------------------------ */

static struct run *ctx_of(lua_State *L, const char *fn)
{
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_CTX);
	struct run *r = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!r && fn)
		luaL_error(L, _("kb.%s can only be used inside a check (a task's check function)"), fn);
	return r;
}

static int current_line(lua_State *L)
{
	lua_Debug ar;
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "l", &ar);
		if (ar.currentline > 0)
			return ar.currentline;
	}
	return 0;
}

/* opts.name as a string, or NULL */
static const char *opt_str(lua_State *L, int opts, const char *name)
{
	if (lua_type(L, opts) != LUA_TTABLE)
		return NULL;
	lua_getfield(L, opts, name);
	const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);   /* the string stays alive: it is in the options table */
	return s;
}

static bool opt_bool(lua_State *L, int opts, const char *name, bool dflt)
{
	if (lua_type(L, opts) != LUA_TTABLE)
		return dflt;
	lua_getfield(L, opts, name);
	bool v = lua_isnil(L, -1) ? dflt : lua_toboolean(L, -1);
	lua_pop(L, 1);
	return v;
}

static double opt_num(lua_State *L, int opts, const char *name, double dflt)
{
	if (lua_type(L, opts) != LUA_TTABLE)
		return dflt;
	lua_getfield(L, opts, name);
	double v = lua_isnumber(L, -1) ? lua_tonumber(L, -1) : dflt;
	lua_pop(L, 1);
	return v;
}

/* The fields each kb function's options table may hold (docs/lesson-api.md). A field
 * not listed is refused by name, so a misspelt option (timout = 5) is an error, not a
 * silent default. A new option is added here and in the docs. */
static const struct { const char *fn; const char *const fields[10]; } known_opts[] = {
	{"build", {"timeout", "vars", "clean", "debug", "replace"}},
	{"kconfig", {"timeout"}},
	{"boot", {"modules", "run", "insmod", "rmmod", "timeout", "cpus", "params"}},
	{"find", {"pattern"}},
	{"expect", {"seen", "where", "hint"}},
	{"expect_text", {"pattern", "absent", "expected", "where", "hint", "name"}},
	{"expect_log", {"pattern", "absent", "expected", "where", "hint"}},
	{"expect_console", {"pattern", "absent", "expected", "where", "hint"}},
	{"expect_output", {"pattern", "absent", "expected", "where", "hint"}},
	{"expect_build", {"expected", "where", "hint"}},
	{"expect_boot", {"expected", "where", "hint"}},
	{"expect_no_fault", {"allow", "warnings", "where", "hint"}},
	{"expect_fault", {"where", "hint"}},
	{"expect_exit", {"expected", "where", "hint"}},
	{"expect_ktap", {"cases", "min_passed", "expect_fail", "where", "hint"}},
};

static void check_opts(lua_State *L, int idx, const char *fn)
{
	if (lua_isnoneornil(L, idx))
		return;
	if (lua_type(L, idx) != LUA_TTABLE)
		luaL_error(L, _("kb.%s: options must be a table { ... }, not a %s"), fn, luaL_typename(L, idx));
	const char *const *fields = NULL;
	for (size_t i = 0; i < sizeof known_opts / sizeof known_opts[0] && !fields; i++)
		if (strcmp(known_opts[i].fn, fn) == 0)
			fields = known_opts[i].fields;
	if (!fields)
		return;
	int t = lua_absindex(L, idx);
	lua_pushnil(L);
	while (lua_next(L, t)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, _("kb.%s: options are named fields { name = value }, not a list"), fn);
		const char *k = lua_tostring(L, -1);
		bool ok = false;
		for (size_t i = 0; i < 10 && fields[i] && !ok; i++)
			ok = strcmp(fields[i], k) == 0;
		if (!ok) {
			struct kb_buf known = KB_BUF_INIT;
			for (size_t i = 0; i < 10 && fields[i]; i++)
				kb_buf_printf(&known, "%s%s", i ? ", " : "", fields[i]);
			lua_pushfstring(L, _("kb.%s: unknown option '%s' (its options: %s)"), fn, k, known.data);
			kb_buf_free(&known);
			lua_error(L);
		}
	}
}

/* The start of a kb function taking n arguments, the last an options table: arguments
 * 1..n are fixed on the stack (nil when not given), so what the function pushes lies
 * above them; raises outside a check and on an unknown option. Returns the check's run. */
static struct run *begin_call(lua_State *L, int n, const char *fn)
{
	lua_settop(L, n);
	struct run *r = ctx_of(L, fn);
	check_opts(L, n, fn);
	return r;
}

/* the last n lines of text (after "Run /init" for kernel logs when after_init) */
static char *tail_lines(const char *text, int n, bool after_init)
{
	if (!text)
		return kb_strdup(_("(nothing)"));
	if (after_init) {
		const char *i = strstr(text, "Run /init as init process");
		if (i) {
			/* init's arguments and environment are indented after it */
			const char *p = strchr(i, '\n');
			while (p && p[1]) {
				const char *q = p + 1;
				const char *b = strchr(q, ']');
				const char *body = (q[0] == '[' && b) ? b + 1 : q;
				if (strncmp(body, "   ", 3) != 0)
					break;
				p = strchr(q, '\n');
			}
			text = p ? p + 1 : text + strlen(text);
		}
	}
	size_t len = strlen(text);
	while (len && text[len - 1] == '\n')
		len--;
	const char *start = text + len;
	int lines = 0;
	while (start > text) {
		if (start[-1] == '\n' && ++lines >= n)
			break;
		start--;
	}
	if (start == text + len)
		return kb_strdup(_("(nothing)"));
	return kb_strndup(start, (size_t)(text + len - start));
}

/* The lines of text (at most n, the last ones) that begin, after a kernel log timestamp,
 * with the needle's own tag: its text up to and including the first ':' ("hist:" for
 * "hist: 0:1 1:0 ..."), when the needle has one of up to 32 bytes with no space in it.
 * NULL when it has none or no line has it: a missing line is best shown beside the
 * module's other lines, not the boot's last ones. */
static char *lines_like(const char *text, const char *needle, int n)
{
	const char *colon = strchr(needle, ':');
	size_t tag = colon ? (size_t)(colon - needle) + 1 : 0;
	if (!text || tag < 2 || tag > 32 || memchr(needle, ' ', tag))
		return NULL;
	struct kb_strv found = KB_STRV_INIT;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *body = p;
		if (body[0] == '[') {
			const char *b = memchr(body, ']', len);
			if (b) {
				body = b + 1;
				while (body < p + len && *body == ' ')
					body++;
			}
		}
		if ((size_t)(p + len - body) >= tag && strncmp(body, needle, tag) == 0)
			kb_strv_push_own(&found, kb_strndup(body, (size_t)(p + len - body)));
		p = end ? end + 1 : p + len;
	}
	char *out = NULL;
	if (found.n) {
		struct kb_buf b = KB_BUF_INIT;
		for (size_t i = found.n > (size_t)n ? found.n - (size_t)n : 0; i < found.n; i++)
			kb_buf_printf(&b, "%s%s", b.len ? "\n" : "", found.v[i]);
		out = kb_buf_detach(&b);
	}
	kb_strv_free(&found);
	return out;
}

static void expect(lua_State *L, bool met, const char *expected, const char *seen, const char *where,
		   const char *hint)
{
	struct run *r = ctx_of(L, "expect");
	kb_check_expect(r->res, met, expected, met ? NULL : seen, where, met ? NULL : hint, current_line(L));
}

/* the string field `name` of a table argument, or NULL */
static const char *tfield(lua_State *L, int t, const char *name)
{
	if (lua_type(L, t) != LUA_TTABLE)
		return NULL;
	lua_getfield(L, t, name);
	const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	lua_pop(L, 1);
	return s;
}

/* The text to search: a string, or a boot result's field `field`. */
static const char *text_arg(lua_State *L, int idx, const char *field, const char *fn)
{
	if (lua_type(L, idx) == LUA_TSTRING)
		return lua_tostring(L, idx);
	if (lua_type(L, idx) == LUA_TTABLE) {
		const char *s = tfield(L, idx, field);
		if (s)
			return s;
		luaL_error(L, _("kb.%s: the table has no '%s' (pass what kb.boot returned)"), fn, field);
	}
	luaL_error(L, _("kb.%s: expected a string or what kb.boot returned, got a %s"), fn, luaL_typename(L, idx));
	return NULL;
}

/* Find needle in text: plain, or a Lua pattern (string.find). Pushes nothing; returns
 * the line that holds the match (caller frees) or NULL. Patterns run through
 * string.find itself, under the instruction budget. */
static char *find_line(lua_State *L, const char *text, const char *needle, bool pattern)
{
	size_t pos = 0;
	bool found = false;
	if (!pattern) {
		const char *m = strstr(text, needle);
		if (m) {
			found = true;
			pos = (size_t)(m - text);
		}
	} else {
		/* string.find itself, from the registry's loaded libraries */
		luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
		lua_getfield(L, -1, "string");
		lua_getfield(L, -1, "find");
		lua_pushstring(L, text);
		lua_pushstring(L, needle);
		lua_call(L, 2, 1);
		if (lua_isinteger(L, -1)) {
			found = true;
			pos = (size_t)lua_tointeger(L, -1) - 1;
		}
		lua_pop(L, 3);
	}
	if (!found)
		return NULL;
	const char *b = text + pos;
	while (b > text && b[-1] != '\n')
		b--;
	const char *e = strchr(text + pos, '\n');
	return kb_strndup(b, e ? (size_t)(e - b) : strlen(b));
}

/* ---- kb.read, kb.exists ---------------------------------------------------------- */

/* Open workspace file `rel` for kb.FN: the fd, or -1 with nil and "REL: no such file in
 * your workspace" pushed (the caller returns those 2 values); raises when the path tries
 * to leave the workspace. */
static int open_file(lua_State *L, struct run *r, const char *rel, const char *fn)
{
	int fd = kb_workspace_open(r->root, rel, 0);
	if (fd == KB_ENOTFOUND) {
		lua_pushnil(L);
		lua_pushfstring(L, "%s: no such file in your workspace", rel);
		return -1;
	}
	if (fd < 0)
		luaL_error(L, "kb.%s('%s'): %s", fn, rel, kb_error_last());
	return fd;
}

static int l_read(lua_State *L)
{
	struct run *r = ctx_of(L, "read");
	const char *rel = luaL_checkstring(L, 1);
	int fd = open_file(L, r, rel, "read");
	if (fd < 0)
		return 2;
	struct kb_buf b = KB_BUF_INIT;
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len < READ_CAP)
		kb_buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (b.len >= READ_CAP) {
		kb_buf_free(&b);
		return luaL_error(L, _("kb.read('%s'): the file is larger than 4 MiB"), rel);
	}
	lua_pushlstring(L, b.data ? b.data : "", b.len);
	kb_buf_free(&b);
	return 1;
}

static int l_exists(lua_State *L)
{
	struct run *r = ctx_of(L, "exists");
	const char *rel = luaL_checkstring(L, 1);
	int fd = kb_workspace_open(r->root, rel, 0);
	if (fd == KB_ENOTFOUND || (fd == KB_EINVAL && strstr(kb_error_last(), _("regular file")))) {
		lua_pushboolean(L, 0);
		return 1;
	}
	if (fd < 0)
		return luaL_error(L, _("kb.exists('%s'): %s"), rel, kb_error_last());
	close(fd);
	lua_pushboolean(L, 1);
	return 1;
}

/* ---- kb.build ---------------------------------------------------------------------- */

static void need_kernel(lua_State *L, struct run *r, const char *fn)
{
	/* asked once per check: the kernel's status and the toolchain hold for all its builds
	   and boots (the toolchain's answers are themselves kept across checks: kernel.c) */
	if (r->tc_ready)
		return;
	if (!r->h) {
		if (r->opts->home) {
			r->h = r->opts->home;
		} else {
			if (!r->home_tried && kb_home_init(&r->home) == 0)
				r->h = &r->home;
			r->home_tried = true;
		}
	}
	if (!r->h)
		luaL_error(L, "kb.%s: %s", fn, kb_error_last());
	double t0 = kb_now();   /* the kernel's status and the toolchain probes: setup time */
	struct kb_setup_status st;
	kb_setup_status(&st, r->h);
	if (!st.ready)
		luaL_error(L, _("kb.%s: the course kernel is not set up (run: kbridge setup)"), fn);
	if (!r->tc_ready) {
		kb_toolchain_init(&r->tc, r->h);
		r->tc_ready = true;
	}
	r->res->setup_seconds += kb_now() - t0;
}

/* Builds and boots per check: one more than the limit raises an error, and the check
 * ends with it even when it caught the error (a loop of pcall(kb.boot) is cut off). */
static void count_run(lua_State *L, struct run *r, const char *fn, int done, int max, int dflt)
{
	int limit = max > 0 ? max : dflt;
	if (done < limit)
		return;
	if (!r->over_limit)
		r->over_limit = kb_asprintf(_("kb.%s: the check already started %d %s, the most it may (limits.%ss "
					    "in lesson.lua; at most %d)"), fn, limit, fn[1] == 'u' ? _("builds") : _("boots"),
					    fn, KB_CHECK_RUNS_MAX);
	luaL_error(L, "%s", r->over_limit);
}

/* live output and ticks for the caller (kb_check_opts.on_output / on_tick) */
static void live_build(void *ctx, const char *data, size_t len)
{
	const struct run *r = ctx;
	r->opts->on_output(r->opts->ctx, "build", data, len);
}

static void live_line(void *ctx, const char *stream, const char *line)
{
	const struct run *r = ctx;
	r->opts->on_output(r->opts->ctx, stream, line, strlen(line));
}

static void live_tick(void *ctx)
{
	const struct run *r = ctx;
	r->opts->on_tick(r->opts->ctx);
}

static void progress(struct run *r, const char *what)
{
	if (r->opts->progress)
		r->opts->progress(r->opts->ctx, what);
}

/* the first "file:line" in the compiler's errors, relative to the workspace */
static char *error_location(const char *log, const char *root, const char *dir_abs)
{
	for (const char *l = log; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = kb_strndup(l, n);
		char *res = NULL;
		if (strstr(line, "error")) {
			/* clang: "/abs/dir/file.c:12:5: error: ..." ; rustc: " --> /abs/dir/file.rs:3:5" */
			char *p = strstr(line, "--> ");
			p = p ? p + 4 : line;
			while (*p == ' ')
				p++;
			char *colon = strchr(p, ':');
			if (colon && colon[1] >= '0' && colon[1] <= '9') {
				char *end = colon + 1;
				while (*end >= '0' && *end <= '9')
					end++;
				*end = '\0';
				size_t rl = strlen(root);
				res = kb_strdup(strncmp(p, root, rl) == 0 && p[rl] == '/' ? p + rl + 1 : p);
			}
		} else if (strstr(line, "-->")) {
			char *p = strstr(line, "--> ") + 4;
			size_t rl = strlen(root);
			if (strncmp(p, root, rl) == 0 && p[rl] == '/')
				res = kb_strdup(p + rl + 1);
		}
		free(line);
		if (res)
			return res;
		l += n + (nl ? 1 : 0);
	}
	(void)dir_abs;
	return NULL;
}

/* the lines that say what broke: errors with a few lines of context, else the tail */
static char *build_errors(const char *log)
{
	struct kb_buf b = KB_BUF_INIT;
	int after = 0, taken = 0;
	for (const char *l = log; l && *l && taken < 30;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		bool err = memmem(l, n, "error", 5) != NULL && memmem(l, n, "make[", 5) == NULL &&
			   memmem(l, n, "Error 1", 7) == NULL;
		if (err)
			after = 6;
		if (after > 0) {
			kb_buf_add(&b, l, n);
			kb_buf_adds(&b, "\n");
			after--;
			taken++;
		}
		l += n + (nl ? 1 : 0);
	}
	if (!b.len) {
		kb_buf_free(&b);
		return tail_lines(log, SEEN_LINES, false);
	}
	return kb_buf_detach(&b);
}

/* opts.vars: { NAME = "value" } make variables for one build. Only Kconfig symbols
 * (CONFIG_*), CLIPPY and W are taken, with plain values, so a check can say "build with
 * CONFIG_SAMPLE_X=m" or "build with Clippy" without reaching the toolchain's own
 * variables (CC, RUSTC...). With out NULL, only checks them (raising on a bad one). */
static void build_vars(lua_State *L, int opts, struct kb_strv *out)
{
	if (lua_type(L, opts) != LUA_TTABLE)
		return;
	lua_getfield(L, opts, "vars");
	int t = lua_gettop(L);
	if (lua_isnil(L, t)) {
		lua_pop(L, 1);
		return;
	}
	if (lua_type(L, t) != LUA_TTABLE)
		luaL_error(L, _("kb.build: vars must be a table { NAME = \"value\" }, not a %s"), luaL_typename(L, t));
	lua_pushnil(L);
	while (lua_next(L, t)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, _("kb.build: vars: names must be strings"));
		const char *k = lua_tostring(L, -2);
		bool name_ok = (strncmp(k, "CONFIG_", 7) == 0 && k[7]) || !strcmp(k, "CLIPPY") || !strcmp(k, "W");
		for (const char *p = k; name_ok && *p; p++)
			name_ok = (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
		if (!name_ok)
			luaL_error(L, _("kb.build: vars: '%s' is not allowed (only CONFIG_* symbols, CLIPPY and W)"), k);
		if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
			luaL_error(L, _("kb.build: vars.%s must be a string"), k);
		const char *v = lua_tostring(L, -1);
		for (const char *p = v; *p; p++)
			if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			      strchr("_.,+-", *p)))
				luaL_error(L, _("kb.build: vars.%s: only letters, digits and _ . , + - are allowed"), k);
		if (out)
			kb_strv_pushf(out, "%s=%s", k, v);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

/* opts.replace: { ["NAME"] = "text" }: the build is of a copy of the folder, made in a
 * temporary folder, with these files of it replaced: how a check asks what the learner's
 * code does when one thing changes (a layout that drifts must stop the build). Returns
 * whether the option is there; raises on a malformed one. */
static bool build_replace(lua_State *L, int opts)
{
	if (lua_type(L, opts) != LUA_TTABLE)
		return false;
	lua_getfield(L, opts, "replace");
	int t = lua_gettop(L);
	if (lua_isnil(L, t)) {
		lua_pop(L, 1);
		return false;
	}
	if (lua_type(L, t) != LUA_TTABLE)
		luaL_error(L, _("kb.build: replace must be a table { [\"FILE\"] = \"text\" }, not a %s"), luaL_typename(L, t));
	lua_pushnil(L);
	while (lua_next(L, t)) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		if (!k || !*k || strchr(k, '/') || !strcmp(k, ".") || !strcmp(k, "..") || strlen(k) > 255)
			luaL_error(L, _("kb.build: replace: keys are file names in the folder (no '/')"));
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, _("kb.build: replace['%s'] must be a string"), k);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return true;
}

/* ---- C memory held across calls that may raise ------------------------------------- */

/* Any call into Lua may raise (a memory error past the sandbox's cap, a bad option), and
 * a raise leaves the C function at once. What a kb function holds while it makes such
 * calls is therefore owned by a userdata on the Lua stack: if the function raises, Lua's
 * collector frees it (__gc); on the normal path owned_release() frees it at once. */
struct owned {
	void *p;
	void (*free_fn)(void *p);
};

static int owned_gc(lua_State *L)
{
	struct owned *o = lua_touserdata(L, 1);
	if (o && o->p) {
		o->free_fn(o->p);
		o->p = NULL;
	}
	return 0;
}

/* Push an owner of p (freed with free_fn) onto the stack. p is allocated by the caller
 * only after this returns (it may raise), then stored in ->p. */
static struct owned *owned_push(lua_State *L, void (*free_fn)(void *))
{
	struct owned *o = lua_newuserdatauv(L, sizeof *o, 0);
	o->p = NULL;
	o->free_fn = free_fn;
	if (luaL_newmetatable(L, "kbridge.owned")) {
		lua_pushcfunction(L, owned_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	return o;
}

static void owned_release(struct owned *o)
{
	if (o->p)
		o->free_fn(o->p);
	o->p = NULL;
}

/* ---- kb.build: one build, in C ---------------------------------------------------- */

/* What one kb.build holds: the make variables, the folder built (a temporary copy when
 * opts.replace is given), and the result. Owned by a struct owned while Lua runs. */
struct build_job {
	struct kb_strv vars;
	char *dir;              /* the folder Kbuild builds */
	char *workspace_dir;    /* with a copy: the workspace folder it stands for; else NULL */
	struct kb_build_result br;
	bool have_br;
	bool built;             /* Kbuild made modules (counted before a copy's are dropped) */
};

static void build_job_free(void *p)
{
	struct build_job *j = p;
	kb_strv_free(&j->vars);
	if (j->workspace_dir && j->dir)
		kb_rm_rf(j->dir);   /* the copy and its modules are gone */
	free(j->dir);
	free(j->workspace_dir);
	if (j->have_br)
		runner_build_result_free(&j->br);
	free(j);
}

/* The copy for opts.replace: a temporary folder holding the folder's sources and the
 * replaced files, made the job's folder (the job removes it). Raises on failure. */
static void replace_copy(lua_State *L, int opts, const char *rel, struct build_job *j)
{
	char *copy = kb_mkdtemp("kb-build");
	if (!copy)
		luaL_error(L, _("kb.build('%s'): %s"), rel, kb_error_last());
	j->workspace_dir = j->dir;
	j->dir = copy;
	int rc = runner_copy_sources(j->workspace_dir, copy, 0);
	lua_getfield(L, opts, "replace");
	lua_pushnil(L);
	while (rc == 0 && lua_next(L, -2)) {
		size_t len;
		const char *text = lua_tolstring(L, -1, &len);
		char *path = kb_path_join(copy, lua_tostring(L, -2));
		rc = kb_write_file_atomic(path, text, len, 0644);
		free(path);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (rc < 0)
		luaL_error(L, _("kb.build('%s'): replace: %s"), rel, kb_error_last());
}

/* text with every `from` written as `to` (the copy's path as the workspace folder's) */
static char *replace_all(const char *text, const char *from, const char *to)
{
	struct kb_buf b = KB_BUF_INIT;
	size_t fl = strlen(from);
	for (const char *p = text, *q; p && *p; p = q + fl) {
		q = strstr(p, from);
		if (!q) {
			kb_buf_adds(&b, p);
			break;
		}
		kb_buf_add(&b, p, (size_t)(q - p));
		kb_buf_adds(&b, to);
	}
	char *out = kb_buf_detach(&b);
	return out ? out : kb_strdup("");
}

/* Run Kbuild on the job's folder (after `make clean` when asked), adding the time and
 * the count to the check's result. No call into Lua. Returns 0 or a negative KB_E*
 * (KB_EINTR when interrupted). */
static int run_build(struct run *r, struct build_job *j, const char *rel, double timeout, bool clean)
{
	char *what = kb_asprintf(_("building %s"), rel);
	progress(r, what);
	free(what);
	struct kb_build_opts bo = {
		.build_dir = r->h->build, .module_dir = j->dir, .tree = r->root,
		.make_vars = kb_strv_argv(&j->vars), .env = kb_strv_argv(&r->tc.env),
		.timeout = timeout,
		.on_output = r->opts->on_output ? live_build : NULL,
		.on_tick = r->opts->on_tick ? live_tick : NULL, .ctx = r,
	};
	int rc;
	if (clean) {
		/* make M=DIR clean first: everything is compiled again (and linted with CLIPPY) */
		bo.target = "clean";
		rc = runner_build_module(&j->br, &bo);
		r->res->build_seconds += j->br.elapsed;
		runner_build_result_free(&j->br);   /* a failed clean shows again in the build below */
		bo.target = NULL;
		if (rc == KB_EINTR)
			return rc;
	}
	rc = runner_build_module(&j->br, &bo);
	j->have_br = true;
	j->built = j->br.ok && j->br.n_ko > 0;
	r->res->n_builds++;
	r->res->build_seconds += j->br.elapsed;
	if (!j->workspace_dir && rc == 0 && !j->br.ok && !j->br.timed_out)
		r->res->n_failed_builds++;
	if (j->workspace_dir) {
		/* the log names the workspace folder; the copy's modules are not the learner's */
		char *log = j->br.log ? replace_all(j->br.log, j->dir, j->workspace_dir) : NULL;
		free(j->br.log);
		j->br.log = log;
		for (size_t i = 0; i < j->br.n_ko; i++)
			free(j->br.ko_files[i]);
		j->br.n_ko = 0;
	}
	return rc;
}

/* Whether kb.build starts the guest of the kb.boot that usually follows it, so that the
 * kernel boots while Kbuild runs (runner_guest_start). KBRIDGE_BOOT_OVERLAP=0 builds and
 * then boots, one after the other; =1 overlaps them even on one CPU. By default they
 * overlap on two CPUs or more. The verdict is the same either way. */
static bool boot_overlap(void)
{
	const char *e = getenv("KBRIDGE_BOOT_OVERLAP");
	if (e && *e)
		return strcmp(e, "0") != 0;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* the CPUs kb.boot's machine has unless it asks otherwise: the task's (cpus = N), else 1 */
static int default_cpus(const struct run *r)
{
	return r->opts->cpus > 0 ? r->opts->cpus : 1;
}

/* The guest for the next kb.boot, started before a build of the workspace when none is
 * waiting: the machine kb.boot starts by default (the task's CPUs). A guest that cannot
 * start is no error: kb.boot then boots as usual. */
static void guest_start(struct run *r)
{
	if (r->guest || !boot_overlap())
		return;
	struct kb_boot_opts bo = {.kernel = r->h->bzimage, .initramfs = r->h->initramfs, .cpus = default_cpus(r)};
	if (runner_guest_start(&r->guest, &bo) < 0)
		r->guest = NULL;
}

static void guest_kill(struct run *r)
{
	runner_guest_kill(r->guest);
	r->guest = NULL;
}

/* kb.build's result table, on top of the stack. ok: modules were made (a build of a
 * copy makes none the check may load, but says whether it could). */
static void push_build_result(lua_State *L, struct run *r, const char *rel, const struct build_job *j)
{
	const struct kb_build_result *br = &j->br;
	const char *dir = j->workspace_dir ? j->workspace_dir : j->dir;
	lua_createtable(L, 0, 9);
	lua_pushstring(L, rel);
	lua_setfield(L, -2, "dir");
	lua_pushboolean(L, j->built);
	lua_setfield(L, -2, "ok");
	lua_pushstring(L, br->log ? br->log : "");
	lua_setfield(L, -2, "log");
	lua_pushinteger(L, br->exit_code);
	lua_setfield(L, -2, "exit");
	lua_pushboolean(L, br->timed_out);
	lua_setfield(L, -2, "timed_out");
	lua_pushnumber(L, br->elapsed);
	lua_setfield(L, -2, "elapsed");
	lua_createtable(L, (int)br->n_ko, 0);
	size_t rl = strlen(r->root);
	for (size_t i = 0; i < br->n_ko; i++) {
		const char *k = br->ko_files[i];
		lua_pushstring(L, strncmp(k, r->root, rl) == 0 && k[rl] == '/' ? k + rl + 1 : k);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "modules");
	if (!br->ok) {
		char *errs = build_errors(br->log), *loc = error_location(br->log, r->root, dir);
		/* pushed as copies, then freed: nothing is held if a push raises */
		lua_pushstring(L, errs);
		free(errs);
		lua_setfield(L, -2, "errors");
		if (loc) {
			lua_pushstring(L, loc);
			free(loc);
			lua_setfield(L, -2, "error_at");
		}
	}
}

static int l_build(lua_State *L)
{
	struct run *r = begin_call(L, 2, "build");
	const char *rel = luaL_checkstring(L, 1);
	double timeout = opt_num(L, 2, "timeout", 300);
	build_vars(L, 2, NULL);
	int fd = kb_workspace_open(r->root, rel, 1);
	if (fd == KB_EINVAL)
		return luaL_error(L, _("kb.build('%s'): %s"), rel, kb_error_last());
	if (fd < 0) {
		lua_createtable(L, 0, 5);
		lua_pushstring(L, rel);
		lua_setfield(L, -2, "dir");
		lua_pushboolean(L, 0);
		lua_setfield(L, -2, "ok");
		lua_pushfstring(L, "%s: no such folder in your workspace (%s)", rel, r->root);
		lua_setfield(L, -2, "log");
		lua_createtable(L, 0, 0);
		lua_setfield(L, -2, "modules");
		lua_pushinteger(L, -1);
		lua_setfield(L, -2, "exit");
		return 1;
	}
	close(fd);
	bool replace = build_replace(L, 2);
	bool clean = opt_bool(L, 2, "clean", false), debug = opt_bool(L, 2, "debug", true);
	count_run(L, r, "build", r->res->n_builds, r->opts->max_builds, KB_CHECK_BUILDS);
	need_kernel(L, r, "build");

	struct owned *own = owned_push(L, build_job_free);
	struct build_job *j = kb_calloc(1, sizeof *j);
	own->p = j;
	for (size_t i = 0; i < r->tc.make_vars.n; i++)
		kb_strv_push(&j->vars, r->tc.make_vars.v[i]);
	build_vars(L, 2, &j->vars);
	if (debug) {
		/* debug information in the module only (the kernel has none): an oops in it
		   is decoded to file:line (oops.c). Optimisation is unchanged. */
		kb_strv_push(&j->vars, "KCFLAGS=-g");
		kb_strv_push(&j->vars, "KRUSTFLAGS=-g");
	}
	j->dir = kb_path_join(r->root, rel);
	if (replace)
		replace_copy(L, 2, rel, j);   /* the copy is built and removed: the workspace is not touched */
	else
		guest_start(r);   /* the kernel boots while Kbuild runs */
	int rc = run_build(r, j, rel, timeout, clean);
	if (rc < 0 || (!replace && !j->built))
		guest_kill(r);    /* a failed build stops the guest at once */
	if (rc == KB_EINTR)
		return luaL_error(L, "kb.build('%s'): interrupted", rel);
	if (rc < 0)
		return luaL_error(L, _("kb.build('%s'): %s"), rel, kb_error_last());
	push_build_result(L, r, rel, j);
	owned_release(own);
	return 1;
}

/* ---- kb.boot ----------------------------------------------------------------------- */

/* the .ko paths in a list or a build result, checked against the workspace */
static void collect_modules(lua_State *L, struct run *r, int idx, struct kb_strv *out)
{
	if (lua_isnil(L, idx))
		return;
	if (lua_type(L, idx) != LUA_TTABLE)
		luaL_error(L, _("kb.boot: modules must be a list of .ko paths or what kb.build returned"));
	lua_getfield(L, idx, "modules");
	int list = lua_type(L, -1) == LUA_TTABLE ? lua_gettop(L) : idx;   /* a build result */
	lua_Integer n = (lua_Integer)lua_rawlen(L, list);
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, list, i);
		if (lua_type(L, -1) == LUA_TTABLE) {   /* a list of build results */
			collect_modules(L, r, lua_gettop(L), out);
		} else {
			const char *rel = lua_tostring(L, -1);
			if (!rel || !kb_str_ends(rel, ".ko"))
				luaL_error(L, _("kb.boot: modules[%d] is not a .ko path"), (int)i);
			int fd = kb_workspace_open(r->root, rel, 0);
			if (fd < 0)
				luaL_error(L, _("kb.boot: module %s: %s"), rel, kb_error_last());
			close(fd);
			kb_strv_push_own(out, kb_path_join(r->root, rel));
		}
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static void push_cmd(lua_State *L, const struct kb_guest_cmd *c)
{
	lua_createtable(L, 0, 4);
	lua_pushstring(L, c->command);
	lua_setfield(L, -2, "command");
	lua_pushstring(L, c->output ? c->output : "");
	lua_setfield(L, -2, "output");
	lua_pushinteger(L, c->exit_status);
	lua_setfield(L, -2, "exit");
	lua_pushboolean(L, c->finished);
	lua_setfield(L, -2, "finished");
}

/* Fields of a decoded oops on the table at the top: PREFIXdecoded (the excerpt with
 * "at FILE:LINE" lines), PREFIXbrief (the same without the register dump), PREFIXat
 * (the first frame's FILE:LINE) and frames (list of {func, module, file, line, rip}).
 * Only the frames when nothing could be decoded (an empty list). */
static void push_decoded(lua_State *L, const struct kb_oops_decoded *d, const char *prefix)
{
	if (d->n_frames) {
		lua_pushstring(L, d->text);
		lua_setfield(L, -2, prefix[0] ? "fault_decoded" : "text");
		lua_pushstring(L, d->brief ? d->brief : "");
		lua_setfield(L, -2, prefix[0] ? "fault_brief" : "brief");
		lua_pushstring(L, d->first_at);
		lua_setfield(L, -2, prefix[0] ? "fault_at" : "at");
	}
	lua_createtable(L, (int)d->n_frames, 0);
	for (size_t i = 0; i < d->n_frames; i++) {
		const struct kb_frame *f = &d->frames[i];
		lua_createtable(L, 0, 5);
		lua_pushstring(L, f->func);
		lua_setfield(L, -2, "func");
		lua_pushstring(L, f->module);
		lua_setfield(L, -2, "module");
		lua_pushstring(L, f->file);
		lua_setfield(L, -2, "file");
		lua_pushinteger(L, f->line);
		lua_setfield(L, -2, "line");
		lua_pushboolean(L, f->rip);
		lua_setfield(L, -2, "rip");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "frames");
}

/* kb.boot's params = { ["NAME.ko"] = "a=1 b=2" }: each key a module of this boot, each
 * value module parameters for its insmod line (no newline and none of ; & | $ ` < > ( ),
 * so they stay parameters). Returns NULL, or the error to raise (caller frees). */
static char *boot_params_check(lua_State *L, const struct kb_strv *modules)
{
	lua_getfield(L, 1, "params");
	int t = lua_gettop(L);
	char *err = NULL;
	if (!lua_isnil(L, t) && lua_type(L, t) != LUA_TTABLE)
		err = kb_asprintf(_("kb.boot: params must be a table { [\"NAME.ko\"] = \"a=1 b=2\" }, not a %s"),
				  luaL_typename(L, t));
	if (lua_type(L, t) == LUA_TTABLE) {
		lua_pushnil(L);
		while (!err && lua_next(L, t)) {
			const char *ko = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
			const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
			bool known = false;
			for (size_t i = 0; ko && i < modules->n && !known; i++) {
				const char *slash = strrchr(modules->v[i], '/');
				known = strcmp(slash ? slash + 1 : modules->v[i], ko) == 0;
			}
			if (!ko || !v)
				err = kb_strdup(_("kb.boot: params maps a module's file name to a string of parameters"));
			else if (!known)
				err = kb_asprintf(_("kb.boot: params names %s, which is not one of this boot's modules"), ko);
			else if (strpbrk(v, "\n;&|$`<>()"))
				err = kb_asprintf(_("kb.boot: params for %s must be parameters (name=value ...), without "
						  "; & | $ ` < > ( ) or a newline"), ko);
			lua_pop(L, 1);
		}
		if (err)
			lua_settop(L, t);
	}
	lua_settop(L, t - 1);
	return err;
}

/* What one kb.boot holds: the modules, the guest's commands, the result. Owned by a
 * struct owned while Lua may raise. */
struct boot_job {
	struct kb_strv modules, cmds;
	size_t n_ins, first_run, n_run;   /* insmod lines first, then the run commands */
	struct kb_boot_result br;
	bool have_br;
};

static void boot_job_free(void *p)
{
	struct boot_job *j = p;
	kb_strv_free(&j->modules);
	kb_strv_free(&j->cmds);
	if (j->have_br)
		runner_boot_result_free(&j->br);
	free(j);
}

/* The guest's commands from kb.boot's table at index 1: an insmod line per module (with
 * its params), the run commands, then the rmmod lines in reverse order. Raises on a bad
 * run entry (the job is freed by its owner). */
static void boot_commands(lua_State *L, struct boot_job *j, bool insmod, bool rmmod)
{
	int top = lua_gettop(L);
	for (size_t i = 0; insmod && i < j->modules.n; i++, j->n_ins++) {
		const char *slash = strrchr(j->modules.v[i], '/');
		const char *ko = slash ? slash + 1 : j->modules.v[i];
		lua_getfield(L, 1, "params");
		const char *params = lua_type(L, -1) == LUA_TTABLE && lua_getfield(L, -1, ko) == LUA_TSTRING ?
				     lua_tostring(L, -1) : NULL;
		kb_strv_pushf(&j->cmds, "insmod /kb/mod/%s%s%s", ko, params ? " " : "", params ? params : "");
		lua_settop(L, top);
	}
	lua_getfield(L, 1, "run");
	j->first_run = j->cmds.n;
	if (lua_type(L, -1) == LUA_TSTRING) {
		kb_strv_push(&j->cmds, lua_tostring(L, -1));
	} else if (lua_type(L, -1) == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, -1, i);
			if (lua_type(L, -1) != LUA_TSTRING)
				luaL_error(L, _("kb.boot: run[%d] must be a shell command (a string)"), (int)i);
			kb_strv_push(&j->cmds, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, -1)) {
		luaL_error(L, _("kb.boot: run must be a command or a list of commands"));
	}
	lua_settop(L, top);
	j->n_run = j->cmds.n - j->first_run;
	for (size_t i = j->modules.n; insmod && rmmod && i-- > 0;) {
		char *name = kb_module_name(j->modules.v[i]);
		kb_strv_pushf(&j->cmds, "rmmod %s", name);
		free(name);
	}
}

/* kb.boot's result table, on top of the stack (docs/lesson-api.md). */
static void push_boot_result(lua_State *L, struct run *r, struct boot_job *j)
{
	const struct kb_boot_result *br = &j->br;
	lua_createtable(L, 0, 12);
	lua_pushstring(L, kb_boot_status_name(br->status));
	lua_setfield(L, -2, "status");
	lua_pushstring(L, br->console ? br->console : "");
	lua_setfield(L, -2, "console");
	lua_pushstring(L, br->kernel_log ? br->kernel_log : "");
	lua_setfield(L, -2, "log");
	lua_pushboolean(L, br->kernel_log_complete);
	lua_setfield(L, -2, "log_complete");
	lua_pushstring(L, kb_fault_name(br->fault));
	lua_setfield(L, -2, "fault");
	if (br->fault_excerpt) {
		lua_pushstring(L, br->fault_excerpt);
		lua_setfield(L, -2, "fault_excerpt");
		struct kb_oops_decoded d;
		kb_oops_decode(&d, br->fault_excerpt, (const char *const *)kb_strv_argv(&j->modules), r->root);
		push_decoded(L, &d, "fault_");   /* may raise past the memory cap: d is then lost with the check */
		kb_oops_decoded_free(&d);
	}
	lua_pushnumber(L, br->elapsed);
	lua_setfield(L, -2, "elapsed");
	bool inserted = true;
	lua_createtable(L, (int)br->n_cmds, 0);
	for (size_t i = 0; i < br->n_cmds; i++) {
		push_cmd(L, &br->cmds[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
		if (i < j->n_ins && (!br->cmds[i].finished || br->cmds[i].exit_status != 0))
			inserted = false;
	}
	lua_setfield(L, -2, "commands");
	lua_createtable(L, (int)j->n_run, 0);
	for (size_t i = 0; i < j->n_run && j->first_run + i < br->n_cmds; i++) {
		push_cmd(L, &br->cmds[j->first_run + i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "run");
	lua_pushboolean(L, inserted);
	lua_setfield(L, -2, "inserted");
}

static int l_boot(lua_State *L)
{
	lua_settop(L, 1);
	struct run *r = ctx_of(L, "boot");
	if (!lua_isnil(L, 1) && lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, _("kb.boot: takes a table { modules = ..., run = { ... } }, not a %s"),
				  luaL_typename(L, 1));
	check_opts(L, 1, "boot");
	count_run(L, r, "boot", r->res->n_boots, r->opts->max_boots, KB_CHECK_BOOTS);
	if (lua_isnil(L, 1)) {   /* kb.boot() */
		lua_pop(L, 1);
		lua_createtable(L, 0, 0);
	}
	bool insmod = opt_bool(L, 1, "insmod", true), rmmod = opt_bool(L, 1, "rmmod", true);
	double timeout = opt_num(L, 1, "timeout", r->opts->boot_timeout > 0 ? r->opts->boot_timeout : 60);
	int cpus = (int)opt_num(L, 1, "cpus", default_cpus(r));
	if (timeout <= 0 || timeout > 600 || cpus < 1 || cpus > 8)
		return luaL_error(L, _("kb.boot: timeout must be in (0, 600] seconds and cpus in 1..8"));
	struct owned *own = owned_push(L, boot_job_free);
	struct boot_job *j = kb_calloc(1, sizeof *j);
	own->p = j;
	lua_getfield(L, 1, "modules");
	collect_modules(L, r, lua_gettop(L), &j->modules);
	lua_pop(L, 1);
	char *bad_params = boot_params_check(L, &j->modules);
	if (bad_params) {
		lua_pushstring(L, bad_params);
		free(bad_params);
		return lua_error(L);
	}
	boot_commands(L, j, insmod, rmmod);
	need_kernel(L, r, "boot");
	progress(r, _("booting the course kernel"));
	struct kb_boot_opts bo = {
		.kernel = r->h->bzimage, .initramfs = r->h->initramfs,
		.modules = kb_strv_argv(&j->modules), .commands = kb_strv_argv(&j->cmds),
		.timeout = timeout, .cpus = cpus,
		.on_line = r->opts->on_output ? live_line : NULL,
		.on_tick = r->opts->on_tick ? live_tick : NULL, .ctx = r,
	};
	struct kb_guest *g = r->guest;
	r->guest = NULL;
	int rc = g ? runner_boot_on(&j->br, g, &bo) : runner_boot(&j->br, &bo);
	j->have_br = true;
	r->res->n_boots++;
	r->res->boot_seconds += j->br.elapsed;
	if (rc < 0)
		return luaL_error(L, _("kb.boot: %s"), rc == KB_EINTR ? "interrupted" : kb_error_last());
	push_boot_result(L, r, j);
	owned_release(own);
	return 1;
}

/* ---- kb.find, kb.fault, kb.ktap ------------------------------------------------------ */

/* kb.lines(text) -> { line, ... }: the text's non-empty lines, each without a kernel log
 * timestamp ("[    1.234567] ") at its start */
static int l_lines(lua_State *L)
{
	size_t len;
	const char *text = luaL_checklstring(L, 1, &len);
	lua_createtable(L, 16, 0);
	lua_Integer n = 0;
	for (const char *l = text, *end = text + len; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		const char *e = nl ? nl : end, *b = l;
		size_t stamp = kb_log_stamp_len(b, (size_t)(e - b));
		if (stamp) {
			b += stamp;
			while (b < e && *b == ' ')
				b++;
		}
		if (e > b && e[-1] == '\r')
			e--;
		if (e > b) {
			lua_pushlstring(L, b, (size_t)(e - b));
			lua_rawseti(L, -2, ++n);
		}
		l = nl ? nl + 1 : end;
	}
	return 1;
}

static int l_find(lua_State *L)
{
	lua_settop(L, 3);   /* arguments 1..3 (nil when not given); what is pushed lies above them */
	const char *text = luaL_checkstring(L, 1);
	const char *needle = luaL_checkstring(L, 2);
	check_opts(L, 3, "find");
	char *line = find_line(L, text, needle, opt_bool(L, 3, "pattern", false));
	if (!line) {
		lua_pushnil(L);
		return 1;
	}
	lua_pushstring(L, line);
	free(line);
	return 1;
}

static int l_fault(lua_State *L)
{
	const char *text = lua_type(L, 1) == LUA_TTABLE ? NULL : luaL_checkstring(L, 1);
	char *excerpt = NULL;
	enum kb_fault f;
	if (!text) {
		/* a boot result: its own verdict, from the console and the kernel log */
		const char *kind = tfield(L, 1, "fault");
		if (!kind)
			return luaL_error(L, _("kb.fault: pass a text or what kb.boot returned"));
		lua_pushstring(L, kind);
		lua_getfield(L, 1, "fault_excerpt");
		return 2;
	}
	f = kb_detect_fault(text, &excerpt);
	lua_pushstring(L, kb_fault_name(f));
	if (excerpt)
		lua_pushstring(L, excerpt);
	else
		lua_pushnil(L);
	free(excerpt);
	return 2;
}

/* kb.decode(boot | text, modules) -> text, frames: the oops text with "at FILE:LINE"
 * lines (the text as it was when nothing could be decoded) and the decoded frames */
static int l_decode(lua_State *L)
{
	struct run *r = ctx_of(L, "decode");
	if (lua_type(L, 1) == LUA_TTABLE && !tfield(L, 1, "fault"))
		return luaL_error(L, _("kb.decode: pass a text or what kb.boot returned"));
	const char *text = lua_type(L, 1) == LUA_TTABLE ? tfield(L, 1, "fault_excerpt") : luaL_checkstring(L, 1);
	struct kb_strv mods = KB_STRV_INIT;
	collect_modules(L, r, 2, &mods);
	struct kb_oops_decoded d;
	kb_oops_decode(&d, text ? text : "", (const char *const *)kb_strv_argv(&mods), r->root);
	kb_strv_free(&mods);
	lua_pushstring(L, d.n_frames ? d.text : text ? text : "");
	lua_createtable(L, 0, 0);
	push_decoded(L, &d, "");
	lua_getfield(L, -1, "frames");
	lua_remove(L, -2);
	kb_oops_decoded_free(&d);
	return 2;
}

static void push_ktap_test(lua_State *L, const struct kb_ktap_test *t)
{
	luaL_checkstack(L, 6, "kb.ktap");
	lua_createtable(L, 0, 9);
	lua_pushstring(L, t->name);
	lua_setfield(L, -2, "name");
	lua_pushinteger(L, t->number);
	lua_setfield(L, -2, "number");
	lua_pushstring(L, kb_ktap_result_name(t->result));
	lua_setfield(L, -2, "result");
	lua_pushboolean(L, t->result == KB_KTAP_OK || t->result == KB_KTAP_SKIP);
	lua_setfield(L, -2, "ok");
	if (t->directive) {
		lua_pushstring(L, t->directive);
		lua_setfield(L, -2, "directive");
	}
	lua_pushstring(L, t->diagnostics);
	lua_setfield(L, -2, "diagnostics");
	lua_pushinteger(L, t->plan);
	lua_setfield(L, -2, "plan");
	lua_createtable(L, (int)t->n_subtests, 0);
	for (size_t i = 0; i < t->n_subtests; i++) {
		push_ktap_test(L, &t->subtests[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "tests");
}

static int l_ktap(lua_State *L)
{
	const char *text = text_arg(L, 1, "log", "ktap");
	struct kb_ktap k;
	kb_ktap_parse(&k, text);
	lua_createtable(L, 0, 6);
	lua_pushboolean(L, k.found);
	lua_setfield(L, -2, "found");
	lua_pushinteger(L, k.version);
	lua_setfield(L, -2, "version");
	lua_pushinteger(L, k.passed);
	lua_setfield(L, -2, "passed");
	lua_pushinteger(L, k.failed);
	lua_setfield(L, -2, "failed");
	lua_pushinteger(L, k.skipped);
	lua_setfield(L, -2, "skipped");
	lua_createtable(L, (int)k.n_tests, 0);
	for (size_t i = 0; i < k.n_tests; i++) {
		push_ktap_test(L, &k.tests[i]);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	lua_setfield(L, -2, "suites");
	kb_ktap_free(&k);
	return 1;
}

/* kb.ktap_case(ktap | text | boot, suite, case): one test case's table (as in kb.ktap's
 * suites[i].tests), or nil when that case did not run. ktap: what kb.ktap returned. */
static int l_ktap_case(lua_State *L)
{
	const char *suite = luaL_checkstring(L, 2), *cname = luaL_checkstring(L, 3);
	if (lua_type(L, 1) == LUA_TTABLE && lua_getfield(L, 1, "suites") == LUA_TTABLE) {
		/* the last run of the suite, as kb_ktap_find() takes */
		int suites = lua_gettop(L), found = 0;
		for (lua_Integer i = (lua_Integer)lua_rawlen(L, suites); i >= 1 && !found; i--) {
			lua_rawgeti(L, suites, i);
			if (lua_getfield(L, -1, "name") == LUA_TSTRING && strcmp(lua_tostring(L, -1), suite) == 0 &&
			    lua_getfield(L, -2, "tests") == LUA_TTABLE) {
				int tests = lua_gettop(L);
				for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, tests) && !found; k++) {
					lua_rawgeti(L, tests, k);
					if (lua_getfield(L, -1, "name") == LUA_TSTRING && strcmp(lua_tostring(L, -1), cname) == 0) {
						lua_pop(L, 1);
						found = lua_gettop(L);
					} else {
						lua_pop(L, 2);
					}
				}
			}
			if (!found)
				lua_settop(L, suites);
		}
		if (!found)
			lua_pushnil(L);
		return 1;
	}
	const char *text = text_arg(L, 1, "log", "ktap_case");
	struct kb_ktap k;
	kb_ktap_parse(&k, text);
	char *path = kb_asprintf("%s.%s", suite, cname);
	const struct kb_ktap_test *t = kb_ktap_find(&k, path);
	free(path);
	if (t)
		push_ktap_test(L, t);   /* may raise past the memory cap: k is then lost with the check's process */
	else
		lua_pushnil(L);
	kb_ktap_free(&k);
	return 1;
}

/* ---- expectations ---------------------------------------------------------------------- */

static int l_expect(lua_State *L)
{
	begin_call(L, 3, "expect");
	luaL_checkany(L, 1);
	bool met = lua_toboolean(L, 1);
	const char *what = luaL_checkstring(L, 2);
	expect(L, met, what, opt_str(L, 3, "seen"), opt_str(L, 3, "where"), opt_str(L, 3, "hint"));
	lua_pushboolean(L, met);
	return 1;
}

static int l_expect_build(lua_State *L)
{
	begin_call(L, 2, "expect_build");
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_getfield(L, 1, "ok");
	bool ok = lua_toboolean(L, -1);
	lua_pop(L, 1);
	const char *dir = tfield(L, 1, "dir"), *expected = opt_str(L, 2, "expected");
	char *what = expected ? kb_strdup(expected) : kb_asprintf(_("the module in %s builds with Kbuild"), dir ? dir : _("the folder"));
	const char *seen = tfield(L, 1, "errors");
	char *seen_own = NULL;
	if (!ok && !seen) {
		const char *log = tfield(L, 1, "log");
		lua_getfield(L, 1, "modules");
		bool no_ko = lua_type(L, -1) == LUA_TTABLE && lua_rawlen(L, -1) == 0;
		lua_pop(L, 1);
		lua_getfield(L, 1, "exit");
		bool made = lua_tointeger(L, -1) == 0;
		lua_pop(L, 1);
		if (made && no_ko)
			seen_own = kb_strdup(_("make succeeded but built no .ko: does the Kbuild file say obj-m := NAME.o?"));
		else
			seen_own = tail_lines(log ? log : "", SEEN_LINES, false);
		seen = seen_own;
	}
	const char *where = opt_str(L, 2, "where");
	if (!where)
		where = tfield(L, 1, "error_at");
	if (!where)
		where = dir;
	expect(L, ok, what, seen, where, opt_str(L, 2, "hint"));
	free(what);
	free(seen_own);
	lua_pushboolean(L, ok);
	return 1;
}

static int l_expect_boot(lua_State *L)
{
	begin_call(L, 2, "expect_boot");
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *status = tfield(L, 1, "status");
	lua_getfield(L, 1, "inserted");
	bool inserted = lua_toboolean(L, -1);
	lua_pop(L, 1);
	bool ok = status && strcmp(status, "ok") == 0 && inserted;
	/* the insmod lines: whether there was one (with insmod = false there is none, and the
	   sentence must not claim modules loaded), and the failed ones for seen */
	bool any_insmod = false;
	struct kb_buf seen = KB_BUF_INIT;
	if (!ok && status && strcmp(status, "ok") != 0)
		kb_buf_printf(&seen, _("the boot ended: %s\n"), status);
	lua_getfield(L, 1, "commands");
	lua_Integer n = lua_type(L, -1) == LUA_TTABLE ? (lua_Integer)lua_rawlen(L, -1) : 0;
	for (lua_Integer i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, i);
		const char *cmd = tfield(L, -1, "command");
		lua_getfield(L, -1, "exit");
		lua_Integer ex = lua_tointeger(L, -1);
		lua_pop(L, 1);
		bool is_insmod = cmd && kb_str_starts(cmd, "insmod ");
		any_insmod |= is_insmod;
		if (!ok && is_insmod && ex != 0)
			kb_buf_printf(&seen, "$ %s (exit %lld)\n%s", cmd, (long long)ex,
				      tfield(L, -1, "output") ? tfield(L, -1, "output") : "");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (!ok && status && strcmp(status, "ok") != 0) {
		char *t = tail_lines(tfield(L, 1, "console"), SEEN_LINES, true);
		kb_buf_printf(&seen, "%s", t);
		free(t);
	}
	const char *where = opt_str(L, 2, "where"), *expected = opt_str(L, 2, "expected");
	if (!expected)
		expected = any_insmod ? _("the kernel boots and every module loads (insmod exits 0)") :
			   _("the kernel boots (no module was inserted: insmod = false)");
	expect(L, ok, expected, seen.data, where ? where : _("the module's init function and the kernel log"),
	       opt_str(L, 2, "hint"));
	kb_buf_free(&seen);
	lua_pushboolean(L, ok);
	return 1;
}

/* what a learner reads of a boot's fault: decoded to source lines when it could be */
static const char *fault_text(lua_State *L, int boot)
{
	const char *t = tfield(L, boot, "fault_brief");
	if (!t)
		t = tfield(L, boot, "fault_excerpt");
	return t ? t : "";
}

/* The line of a fault excerpt that names it ("UBSAN: array-index-out-of-bounds in
 * hist.c:23:5", "WARNING: CPU: 0 PID: 52 at ..."), without its timestamp; or NULL. */
static char *fault_headline(const char *excerpt)
{
	static const char *const marks[] = {"Kernel panic - not syncing", "panicked at ", "BUG: ", "Oops: ",
					    "kernel BUG at ", "general protection fault", "Unable to handle kernel",
					    "UBSAN: ", "WARNING: ", NULL};
	for (int m = 0; excerpt && marks[m]; m++) {
		const char *hit = strstr(excerpt, marks[m]);
		if (!hit)
			continue;
		const char *b = hit;
		while (b > excerpt && b[-1] != '\n')
			b--;
		b += kb_log_stamp_len(b, (size_t)(hit - b));
		while (*b == ' ')
			b++;
		return kb_strndup(b, strcspn(b, "\n"));
	}
	return NULL;
}

/* kb.expect_no_fault(boot [, {allow = {"warning", ...}}]): every fault the kernel reports
 * fails it (oops, BUG, KASAN, panic, Rust panic, WARNING, UBSAN, lockdep) but the kinds
 * the check names in allow; warnings = false is allow = {"warning"} */
static int l_expect_no_fault(lua_State *L)
{
	begin_call(L, 2, "expect_no_fault");
	luaL_checktype(L, 1, LUA_TTABLE);
	static const char *const kinds[] = {"warning", "oops", "rust-panic", "kernel-panic", NULL};
	bool allowed[4] = {false, false, false, false};
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_getfield(L, 2, "warnings");
		if (lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1))
			allowed[0] = true;
		lua_pop(L, 1);
		lua_getfield(L, 2, "allow");
		if (!lua_isnil(L, -1)) {
			if (lua_type(L, -1) != LUA_TTABLE)
				return luaL_error(L, _("kb.expect_no_fault: allow must be a list of fault kinds "
						  "(\"warning\", \"oops\", \"rust-panic\", \"kernel-panic\")"));
			lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
			for (lua_Integer i = 1; i <= n; i++) {
				lua_rawgeti(L, -1, i);
				const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
				int j = 0;
				while (kinds[j] && strcmp(kinds[j], k) != 0)
					j++;
				if (!kinds[j])
					return luaL_error(L, _("kb.expect_no_fault: allow[%d]: '%s' is not a fault kind "
							  "(warning, oops, rust-panic or kernel-panic)"), (int)i, k);
				allowed[j] = true;
				lua_pop(L, 1);
			}
		}
		lua_pop(L, 1);
	}
	const char *fault = tfield(L, 1, "fault");
	bool ok = !fault || strcmp(fault, "none") == 0;
	for (int j = 0; !ok && kinds[j]; j++)
		if (allowed[j] && strcmp(fault, kinds[j]) == 0)
			ok = true;
	char *seen = NULL;
	if (!ok) {
		char *head = fault_headline(tfield(L, 1, "fault_excerpt"));
		/* "an oops (BUG: ...):" then the fault as the learner reads it */
		const char *kind = !strcmp(fault, "oops") ? _("an oops") : !strcmp(fault, "warning") ? _("a warning")
				   : !strcmp(fault, "rust-panic") ? _("a rust-panic")
				   : !strcmp(fault, "kernel-panic") ? _("a kernel-panic") : NULL;
		char *other = kind ? NULL : kb_asprintf("%s %s", fault[0] == 'o' ? "an" : "a", fault);
		/* TRANSLATORS: a fault's kind ("a warning"), its first line, then the report */
		seen = head ? kb_asprintf(C_("fault seen", "%s (%s):\n%s"), kind ? kind : other, head, fault_text(L, 1))
			    : kb_asprintf(C_("fault seen", "%s:\n%s"), kind ? kind : other, fault_text(L, 1));
		free(other);
		free(head);
	}
	const char *where = opt_str(L, 2, "where");
	if (!where)
		where = tfield(L, 1, "fault_at");
	struct kb_buf what = KB_BUF_INIT;
	if (!allowed[1] && !allowed[2] && !allowed[3]) {
		kb_buf_adds(&what, allowed[0] ? _("no oops or panic in the kernel log")
					      : _("no oops or panic in the kernel log, nor a WARNING, UBSAN or lockdep report"));
	} else {
		static const char *const names[] = {N_("WARNING, UBSAN or lockdep report"), N_("oops, BUG or KASAN report"),
						    N_("Rust panic"), N_("kernel panic")};
		const char *left[3] = {NULL, NULL, NULL};   /* at least one of the last three is allowed */
		int n = 0;
		for (int j = 0; j < 4; j++)
			if (!allowed[j] && n < 3)
				left[n++] = _(names[j]);
		if (n == 0)
			kb_buf_adds(&what, _("the kernel log is read (every kind of fault is allowed)"));
		else if (n == 1)
			kb_buf_printf(&what, _("no %s in the kernel log"), left[0]);
		else if (n == 2)
			kb_buf_printf(&what, _("no %s or %s in the kernel log"), left[0], left[1]);
		else
			kb_buf_printf(&what, _("no %s, %s or %s in the kernel log"), left[0], left[1], left[2]);
	}
	expect(L, ok, what.data, seen, where ? where : _("the call trace: the first function of your module in it"),
	       opt_str(L, 2, "hint"));
	kb_buf_free(&what);
	free(seen);
	lua_pushboolean(L, ok);
	return 1;
}

static int l_expect_fault(lua_State *L)
{
	begin_call(L, 3, "expect_fault");
	luaL_checktype(L, 1, LUA_TTABLE);
	const char *want = luaL_checkstring(L, 2);
	static const char *const kinds[] = {"warning", "oops", "rust-panic", "kernel-panic", "any", NULL};
	bool known = false;
	for (const char *const *k = kinds; *k; k++)
		known |= strcmp(*k, want) == 0;
	if (!known)
		return luaL_error(L, _("kb.expect_fault: kind must be warning, oops, rust-panic, kernel-panic or any"));
	const char *fault = tfield(L, 1, "fault");
	bool ok = fault && (strcmp(want, "any") == 0 ? strcmp(fault, "none") != 0 : strcmp(fault, want) == 0);
	char *what = kb_asprintf(want[0] == 'o' || want[0] == 'a' ? _("the kernel reports an %s") : _("the kernel reports a %s"),
				 want);
	char *seen = kb_asprintf(_("fault: %s%s%s"), fault ? fault : "none", fault_text(L, 1)[0] ? "\n" : "",
				 fault_text(L, 1));
	const char *where = opt_str(L, 3, "where");
	expect(L, ok, what, seen, where ? where : tfield(L, 1, "fault_at"), opt_str(L, 3, "hint"));
	free(what);
	free(seen);
	lua_pushboolean(L, ok);
	return 1;
}

/* shared by expect_text / expect_log / expect_console / expect_output */
static int expect_in(lua_State *L, const char *fn, const char *text, const char *name, int needle_idx, int opts,
		     bool kernel_log)
{
	const char *needle = luaL_checkstring(L, needle_idx);
	check_opts(L, opts, fn);
	bool pattern = opt_bool(L, opts, "pattern", false), absent = opt_bool(L, opts, "absent", false);
	char *line = find_line(L, text, needle, pattern);
	bool ok = absent ? line == NULL : line != NULL;
	const char *desc = opt_str(L, opts, "expected");
	char *what = desc ? kb_strdup(desc)
			  : kb_asprintf(absent ? (pattern ? _("%s does not contain a match for \"%s\"") : _("%s does not contain \"%s\""))
					       : (pattern ? _("%s contains a match for \"%s\"") : _("%s contains \"%s\"")),
					name, needle);
	char *seen = NULL;
	if (!ok)
		seen = absent ? kb_asprintf(_("it does, on this line:\n%s"), line)
			      : (!pattern ? lines_like(text, needle, SEEN_LINES) : NULL);
	if (!ok && !seen)
		seen = tail_lines(text, SEEN_LINES, kernel_log);
	const char *where = opt_str(L, opts, "where");
	expect(L, ok, what, seen, where ? where : name, opt_str(L, opts, "hint"));
	free(what);
	free(seen);
	free(line);
	lua_pushboolean(L, ok);
	return 1;
}

static int l_expect_text(lua_State *L)
{
	lua_settop(L, 3);   /* arguments 1..3 (nil when not given); what is pushed lies above them */
	ctx_of(L, "expect_text");
	const char *text = luaL_checkstring(L, 1);
	const char *name = lua_type(L, 3) == LUA_TTABLE ? opt_str(L, 3, "name") : NULL;
	return expect_in(L, "expect_text", text, name ? name : _("the text"), 2, 3, false);
}

static int l_expect_log(lua_State *L)
{
	lua_settop(L, 3);   /* arguments 1..3 (nil when not given); what is pushed lies above them */
	ctx_of(L, "expect_log");
	return expect_in(L, "expect_log", text_arg(L, 1, "log", "expect_log"), _("the kernel log"), 2, 3, true);
}

static int l_expect_console(lua_State *L)
{
	lua_settop(L, 3);   /* arguments 1..3 (nil when not given); what is pushed lies above them */
	ctx_of(L, "expect_console");
	return expect_in(L, "expect_console", text_arg(L, 1, "console", "expect_console"), _("the console"), 2, 3, true);
}

/* the command i (a number into boot.run, or a command string) of a boot result; pushes it */
static void push_run_cmd(lua_State *L, int boot, int which, const char *fn)
{
	luaL_checktype(L, boot, LUA_TTABLE);
	lua_getfield(L, boot, "run");
	int run = lua_gettop(L);
	if (lua_type(L, run) != LUA_TTABLE)
		luaL_error(L, _("kb.%s: pass what kb.boot returned"), fn);
	if (lua_isinteger(L, which)) {
		lua_Integer i = lua_tointeger(L, which);
		if (lua_rawgeti(L, run, i) != LUA_TTABLE)
			luaL_error(L, _("kb.%s: the boot ran %d command(s); there is no command %d"), fn,
				   (int)lua_rawlen(L, run), (int)i);
	} else {
		const char *want = luaL_checkstring(L, which);
		lua_Integer n = (lua_Integer)lua_rawlen(L, run);
		for (lua_Integer i = 1; i <= n; i++) {
			lua_rawgeti(L, run, i);
			const char *c = tfield(L, -1, "command");
			if (c && strcmp(c, want) == 0)
				goto found;
			lua_pop(L, 1);
		}
		luaL_error(L, _("kb.%s: the boot did not run the command '%s'"), fn, want);
	}
found:
	lua_remove(L, run);
}

static int l_expect_output(lua_State *L)
{
	lua_settop(L, 4);   /* arguments 1..4 (nil when not given); what is pushed lies above them */
	ctx_of(L, "expect_output");
	push_run_cmd(L, 1, 2, "expect_output");
	int cmd = lua_gettop(L);
	const char *out = tfield(L, cmd, "output");
	char *name = kb_asprintf(_("the output of '%s'"), tfield(L, cmd, "command"));
	lua_pushstring(L, name);   /* keep alive on the stack */
	free(name);
	int r = expect_in(L, "expect_output", out ? out : "", lua_tostring(L, -1), 3, 4, false);
	return r;
}

static int l_expect_exit(lua_State *L)
{
	begin_call(L, 4, "expect_exit");
	push_run_cmd(L, 1, 2, "expect_exit");
	int cmd = lua_gettop(L);
	lua_Integer want = luaL_checkinteger(L, 3);
	lua_getfield(L, cmd, "exit");
	lua_Integer got = lua_tointeger(L, -1);
	lua_pop(L, 1);
	lua_getfield(L, cmd, "finished");
	bool finished = lua_toboolean(L, -1);
	lua_pop(L, 1);
	const char *c = tfield(L, cmd, "command");
	bool ok = finished && got == want;
	const char *expected = opt_str(L, 4, "expected");
	char *what = expected ? kb_strdup(expected) : kb_asprintf(_("'%s' exits with status %lld"), c, (long long)want);
	const char *status = tfield(L, 1, "status");
	char *seen = finished ? kb_asprintf(_("exit status %lld; it printed:\n%s"), (long long)got,
					    tfield(L, cmd, "output") ? tfield(L, cmd, "output") : "")
		     : status && !strcmp(status, "hang")
			? kb_strdup(_("it never finished: the guest hung and was stopped at the timeout (an endless "
				      "loop, or a lock never released?); what it printed and the kernel log could "
				      "not be read"))
		     : status && !strcmp(status, "crashed")
			? kb_strdup(_("it never finished: the kernel crashed (the oops or panic is shown with the "
				      "expectation about faults)"))
			: kb_strdup(_("it never finished (the guest crashed or hung)"));
	const char *where = opt_str(L, 4, "where");
	expect(L, ok, what, seen, where ? where : _("the command's output"), opt_str(L, 4, "hint"));
	free(what);
	free(seen);
	lua_pushboolean(L, ok);
	return 1;
}

static void ktap_failures(const struct kb_ktap_test *t, const char *prefix, struct kb_buf *b, int *n)
{
	for (size_t i = 0; i < t->n_subtests && *n < 12; i++) {
		const struct kb_ktap_test *c = &t->subtests[i];
		char *path = kb_asprintf("%s.%s", prefix, c->name);
		if (c->n_subtests) {
			ktap_failures(c, path, b, n);
		} else if (c->result == KB_KTAP_FAIL || c->result == KB_KTAP_INCOMPLETE) {
			kb_buf_printf(b, "not ok %s\n", path);
			/* KUnit's own words: the EXPECTATION FAILED lines */
			for (const char *l = c->diagnostics; *l;) {
				const char *nl = strchr(l, '\n');
				size_t len = nl ? (size_t)(nl - l) : strlen(l);
				if (!memmem(l, len, "initializing", 12) && !memmem(l, len, "cleaning up", 11)) {
					kb_buf_adds(b, "    ");
					kb_buf_add(b, l, len);
					kb_buf_adds(b, "\n");
				}
				l += len + (nl ? 1 : 0);
			}
			(*n)++;
		}
		free(path);
	}
}

/* What one kb.expect_ktap holds while it judges: its options read into C (owned on the
 * Lua stack while Lua may still raise), the parsed log, and what was seen. */
struct ktap_job {
	struct kb_strv cases, expect_fail;
	long long min_passed;
	struct kb_ktap k;
	bool parsed;
	struct kb_buf seen, what;
};

static void ktap_job_free(void *p)
{
	struct ktap_job *j = p;
	kb_strv_free(&j->cases);
	kb_strv_free(&j->expect_fail);
	if (j->parsed)
		kb_ktap_free(&j->k);
	kb_buf_free(&j->seen);
	kb_buf_free(&j->what);
	free(j);
}

/* opts[field]: nil, or a list of test case names, into out */
static void ktap_names(lua_State *L, int opts, const char *field, struct kb_strv *out)
{
	if (lua_type(L, opts) != LUA_TTABLE)
		return;
	lua_getfield(L, opts, field);
	if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TTABLE)
		luaL_error(L, _("kb.expect_ktap: %s must be a list of test case names"), field);
	for (lua_Integer i = 1; lua_type(L, -1) == LUA_TTABLE && i <= (lua_Integer)lua_rawlen(L, -1); i++) {
		lua_rawgeti(L, -1, i);
		if (lua_type(L, -1) != LUA_TSTRING)
			luaL_error(L, _("kb.expect_ktap: %s[%d] must be a test case name"), field, (int)i);
		kb_strv_push(out, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
}

static bool listed_name(const struct kb_strv *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], name) == 0)
			return true;
	return false;
}

/* Judge suite s of the parsed log against the job's options, writing why into j->seen.
 * No call into Lua. */
static bool ktap_judge(struct ktap_job *j, const struct kb_ktap_test *s, const char *suite)
{
	const struct kb_ktap *k = &j->k;
	if (!s) {
		if (!k->found)
			kb_buf_adds(&j->seen, _("no KTAP output at all: was the KUnit module loaded? (CONFIG_KUNIT is on; "
						"the module runs its suites when inserted)"));
		else {
			kb_buf_adds(&j->seen, _("the suites that ran:"));
			for (size_t i = 0; i < k->n_tests; i++)
				kb_buf_printf(&j->seen, " %s", k->tests[i].name);
		}
		return false;
	}
	bool ok = true;
	int passed = 0, failed = 0, skipped = 0;
	kb_ktap_count(s, &passed, &failed, &skipped);
	if (s->result == KB_KTAP_INCOMPLETE) {
		ok = false;
		kb_buf_printf(&j->seen, _("the suite never finished (the kernel crashed or hung in it); %d passed before\n"),
			      passed);
	}
	/* the failures that were not asked for */
	int unexpected = 0, n = 0;
	struct kb_buf fails = KB_BUF_INIT;
	for (size_t i = 0; i < s->n_subtests; i++) {
		const struct kb_ktap_test *c = &s->subtests[i];
		if (listed_name(&j->expect_fail, c->name))
			continue;
		int p = 0, f = 0, sk = 0;
		kb_ktap_count(c, &p, &f, &sk);
		unexpected += f;
		if (f || c->result == KB_KTAP_INCOMPLETE) {
			struct kb_ktap_test one = *s;
			one.subtests = (struct kb_ktap_test *)c;
			one.n_subtests = 1;
			ktap_failures(&one, s->name, &fails, &n);
		}
	}
	if (unexpected) {
		ok = false;
		kb_buf_printf(&j->seen, _("%d of %d test(s) failed:\n%s"), unexpected, passed + failed + skipped,
			      fails.data ? fails.data : "");
	}
	kb_buf_free(&fails);
	/* the cases that must fail on this (wrong on purpose) build, and those that must pass */
	for (size_t e = 0; e < j->expect_fail.n + j->cases.n; e++) {
		bool must_fail = e < j->expect_fail.n;
		const char *name = must_fail ? j->expect_fail.v[e] : j->cases.v[e - j->expect_fail.n];
		char *path = kb_asprintf("%s.%s", suite, name);
		const struct kb_ktap_test *c = kb_ktap_find(k, path);
		free(path);
		if (!c) {
			ok = false;
			kb_buf_printf(&j->seen, must_fail ? _("no test case %s ran: it should, and fail on this build\n") :
				      _("no test case %s ran\n"), name);
		} else if (must_fail && c->result != KB_KTAP_FAIL) {
			ok = false;
			kb_buf_printf(&j->seen, c->result == KB_KTAP_SKIP
				      ? _("%s was skipped on this build, which is wrong on purpose: the test should catch it and fail\n")
				      : _("%s passed on this build, which is wrong on purpose: the test should catch it and fail\n"),
				      name);
		} else if (!must_fail && c->result != KB_KTAP_OK) {
			ok = false;
			if (c->result == KB_KTAP_SKIP)
				kb_buf_printf(&j->seen, _("%s was skipped: %s\n"), name, c->directive ? c->directive : "");
		}
	}
	if (s->result == KB_KTAP_FAIL && !failed) {
		ok = false;
		kb_buf_printf(&j->seen, _("the suite itself reports not ok\n%s"), s->diagnostics);
	}
	if (passed < j->min_passed) {
		ok = false;
		kb_buf_printf(&j->seen, _("%d test(s) passed; at least %lld should\n"), passed, j->min_passed);
	}
	return ok;
}

static int l_expect_ktap(lua_State *L)
{
	begin_call(L, 3, "expect_ktap");
	const char *text = text_arg(L, 1, "log", "expect_ktap");
	const char *suite = luaL_checkstring(L, 2);
	const char *where = opt_str(L, 3, "where"), *hint = opt_str(L, 3, "hint");
	lua_Integer min_passed = (lua_Integer)opt_num(L, 3, "min_passed", 0);
	struct owned *own = owned_push(L, ktap_job_free);
	struct ktap_job *j = kb_calloc(1, sizeof *j);
	own->p = j;
	j->min_passed = (long long)min_passed;
	ktap_names(L, 3, "cases", &j->cases);
	ktap_names(L, 3, "expect_fail", &j->expect_fail);
	kb_ktap_parse(&j->k, text);
	j->parsed = true;
	bool ok = ktap_judge(j, kb_ktap_find(&j->k, suite), suite);
	if (j->expect_fail.n) {
		struct kb_buf list = KB_BUF_INIT;   /* " a, b": no call into Lua while it is held */
		for (size_t e = 0; e < j->expect_fail.n; e++)
			kb_buf_printf(&list, "%s %s", e ? "," : "", j->expect_fail.v[e]);
		kb_buf_printf(&j->what, kb_ngettext("the KUnit suite '%s' catches the wrong build:%s fails, the other cases pass",
						    "the KUnit suite '%s' catches the wrong build:%s fail, the other cases pass",
						    j->expect_fail.n), suite, list.data);
		kb_buf_free(&list);
	} else {
		kb_buf_printf(&j->what, _("the KUnit suite '%s' runs and passes"), suite);
	}
	expect(L, ok, j->what.data, j->seen.data, where ? where : _("the KUnit results (KTAP) in the kernel log"), hint);
	owned_release(own);
	lua_pushboolean(L, ok);
	return 1;
}

/* ---- install, run ------------------------------------------------------------------------ */

/* kb.kconfig(path): a Kconfig file as the kernel's own parser (conf) reads it */
static void set_str(lua_State *L, const char *key, const char *v)
{
	if (!v)
		return;
	lua_pushstring(L, v);
	lua_setfield(L, -2, key);
}

static int l_kconfig(lua_State *L)
{
	struct run *r = begin_call(L, 2, "kconfig");
	const char *rel = luaL_checkstring(L, 1);
	int fd = open_file(L, r, rel, "kconfig");
	if (fd < 0)
		return 2;
	close(fd);
	need_kernel(L, r, "kconfig");
	struct kb_kconfig k;
	if (kb_kconfig_read(&k, r->h->build, r->root, rel, opt_num(L, 2, "timeout", 30)) < 0) {
		char *m = kb_strdup(kb_error_last());
		kb_kconfig_free(&k);
		lua_pushfstring(L, _("kb.kconfig('%s'): %s"), rel, m);
		free(m);
		return lua_error(L);
	}
	lua_createtable(L, 0, 5);
	lua_pushboolean(L, k.ok);
	lua_setfield(L, -2, "ok");
	lua_pushinteger(L, k.exit_code);
	lua_setfield(L, -2, "exit");
	set_str(L, "log", k.log ? k.log : "");
	if (!k.ok)
		set_str(L, "errors", k.log ? k.log : "");
	lua_createtable(L, 0, (int)k.n);
	for (size_t i = 0; i < k.n; i++) {
		const struct kb_kconfig_symbol *s = &k.symbols[i];
		lua_createtable(L, 0, 6);
		set_str(L, "name", s->name);
		set_str(L, "type", s->type);
		set_str(L, "prompt", s->prompt);
		set_str(L, "depends", s->depends);
		set_str(L, "help", s->help);
		set_str(L, "defined_at", s->defined_at);
		lua_setfield(L, -2, s->name);
	}
	lua_setfield(L, -2, "symbols");
	kb_kconfig_free(&k);
	return 1;
}

static const luaL_Reg kb_funcs[] = {
	{"read", l_read},
	{"exists", l_exists},
	{"build", l_build},
	{"kconfig", l_kconfig},
	{"boot", l_boot},
	{"find", l_find},
	{"lines", l_lines},
	{"fault", l_fault},
	{"decode", l_decode},
	{"ktap", l_ktap},
	{"ktap_case", l_ktap_case},
	{"expect", l_expect},
	{"expect_build", l_expect_build},
	{"expect_boot", l_expect_boot},
	{"expect_no_fault", l_expect_no_fault},
	{"expect_fault", l_expect_fault},
	{"expect_text", l_expect_text},
	{"expect_log", l_expect_log},
	{"expect_console", l_expect_console},
	{"expect_output", l_expect_output},
	{"expect_exit", l_expect_exit},
	{"expect_ktap", l_expect_ktap},
	{NULL, NULL},
};

static int api_open(lua_State *L)
{
	luaL_newlib(L, kb_funcs);
	lua_pushstring(L, kb_course_kernel());
	lua_setfield(L, -2, "kernel");
	/* the lesson may read kb but not change it */
	lua_createtable(L, 0, 2);
	lua_pushstring(L, "locked");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_pushvalue(L, -1);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_KB);
	return 1;
}

int kb_api_open(struct kb_sandbox *sb)
{
	lua_State *L = kb_sandbox_lua(sb);
	lua_pushcfunction(L, api_open);
	if (kb_sandbox_pcall(sb, 0, 1, "kb") < 0)
		return KB_ENOMEM;
	kb_sandbox_set_global(sb, "kb");
	return 0;
}

int kb_api_run_check(struct kb_sandbox *sb, int check_ref, const char *where, struct kb_check_result *res,
		     const struct kb_check_opts *opts)
{
	lua_State *L = kb_sandbox_lua(sb);
	struct run r = {.res = res, .opts = opts};
	r.root = realpath(opts->workspace, NULL);
	if (!r.root || !kb_is_dir(r.root)) {
		free(r.root);
		return kb_error_set(KB_ENOTFOUND, "the workspace %s does not exist", opts->workspace);
	}
	lua_pushlightuserdata(L, &r);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_CTX);
	int top = lua_gettop(L);
	kb_sandbox_seed(sb, res->seed);   /* the inputs this check draws: replayable */
	kb_sandbox_push_ref(sb, check_ref);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_KB);
	int rc = kb_sandbox_pcall(sb, 1, 2, where);
	if (rc == 0) {
		/* "return false, 'why'" is a failed expectation of its own */
		if (lua_type(L, top + 1) == LUA_TBOOLEAN && !lua_toboolean(L, top + 1)) {
			const char *why = lua_tostring(L, top + 2);
			kb_check_expect(res, false, _("the check's own verdict"), why ? why : _("the check returned false"),
					NULL, NULL, 0);
		}
	} else if (strstr(kb_error_last(), ": interrupted")) {
		rc = KB_EINTR;
	}
	if (r.over_limit) {
		if (rc == 0)
			rc = kb_error_set(KB_ELESSON, "%s: %s", where, r.over_limit);
		free(r.over_limit);
	}
	lua_settop(L, top);
	lua_pushnil(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_CTX);
	guest_kill(&r);   /* a check that built and never booted leaves no QEMU */
	if (r.tc_ready)
		kb_toolchain_free(&r.tc);
	if (r.h == &r.home)
		kb_home_free(&r.home);
	free(r.root);
	return rc;
}

/* lesson.c - lesson packs: loading pack.lua and each lesson.lua into the model, TODO
 * markers. See lesson.h. */
#define _GNU_SOURCE
#include "engine/lesson.h"
#include "engine/kb_api.h"
#include "engine/result.h"
#include "kernel/kernel.h"
#include "engine/sandbox.h"
#include "store/packsrc.h"
#include "base/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void (*kb_lesson_translate_hook)(struct kb_pack *p, struct kb_lesson *l);

const char *kb_step_kind_name(enum kb_step_kind k)
{
	switch (k) {
	case KB_PAGE: return "page";
	case KB_QUIZ: return "quiz";
	case KB_TASK: return "task";
	}
	return "?";
}

/* ---- reading snapshots with messages an author can act on --------------------------- */

struct rd {
	const char *file;    /* "hello/lesson.lua" */
	char *err;           /* the first error */
};

static void rd_fail(struct rd *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void rd_fail(struct rd *r, int line, const char *fmt, ...)
{
	if (r->err)
		return;
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_printf(&b, "%s:%d: ", r->file, line > 0 ? line : 1);
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->err = kb_buf_detach(&b);
}

static const char *vtype_name(enum kb_vtype t)
{
	switch (t) {
	case KB_V_NIL: return "nil";
	case KB_V_BOOL: return "boolean";
	case KB_V_NUMBER: return "number";
	case KB_V_STRING: return "string";
	case KB_V_TABLE: return "table";
	case KB_V_FUNCTION: return "function";
	case KB_V_OTHER: return "value";
	}
	return "?";
}

/* Refuse keys that are not in `known` (a typo would otherwise be silently ignored). */
static void check_keys(struct rd *r, const struct kb_value *t, int line, const char *what,
		       const char *const *known)
{
	for (size_t i = 0; i < t->n_fields; i++) {
		bool ok = false;
		for (const char *const *k = known; *k; k++)
			if (strcmp(*k, t->fields[i].key) == 0)
				ok = true;
		if (!ok) {
			struct kb_buf list = KB_BUF_INIT;
			for (const char *const *k = known; *k; k++)
				kb_buf_printf(&list, "%s%s", k == known ? "" : ", ", *k);
			rd_fail(r, line, _("%s has an unknown field '%s' (its fields are: %s)"), what,
				t->fields[i].key, list.data ? list.data : "");
			kb_buf_free(&list);
			return;
		}
	}
	if (t->n_other_keys)
		rd_fail(r, line, _("%s has keys that are neither names nor list positions"), what);
}

/* t.key of type want; NULL when absent (an error when required) or of another type. */
static const struct kb_value *get(struct rd *r, const struct kb_value *t, int line, const char *what,
				  const char *key, enum kb_vtype want, bool required, const char *meaning)
{
	const struct kb_value *v = kb_value_get(t, key);
	if (!v) {
		if (required)
			rd_fail(r, line, _("%s has no '%s' (%s)"), what, key, _(meaning));
		return NULL;
	}
	if (v->type != want) {
		rd_fail(r, line, _("%s.%s must be a %s (%s), not a %s"), what, key, vtype_name(want), _(meaning),
			vtype_name(v->type));
		return NULL;
	}
	return v;
}

static char *get_str(struct rd *r, const struct kb_value *t, int line, const char *what, const char *key,
		     bool required, const char *meaning)
{
	const struct kb_value *v = get(r, t, line, what, key, KB_V_STRING, required, meaning);
	if (v && required && v->len == 0) {
		rd_fail(r, line, _("%s.%s is empty (%s)"), what, key, _(meaning));
		return NULL;
	}
	return v ? kb_strdup(v->str) : NULL;
}

/* A list of strings; *n gets its length. */
static char **get_strings(struct rd *r, const struct kb_value *t, int line, const char *what, const char *key,
			  bool required, size_t *n, const char *meaning)
{
	*n = 0;
	const struct kb_value *v = get(r, t, line, what, key, KB_V_TABLE, required, meaning);
	if (!v)
		return NULL;
	if (v->n_fields || v->n_other_keys) {
		rd_fail(r, line, _("%s.%s must be a list { \"...\", ... } (%s)"), what, key, _(meaning));
		return NULL;
	}
	char **out = kb_calloc(v->n_items + 1, sizeof *out);
	for (size_t i = 0; i < v->n_items; i++) {
		if (v->items[i].type != KB_V_STRING) {
			rd_fail(r, line, _("%s.%s[%zu] must be a string, not a %s"), what, key, i + 1,
				vtype_name(v->items[i].type));
			break;
		}
		out[(*n)++] = kb_strdup(v->items[i].str);
	}
	return out;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool valid_id(const char *s)
{
	if (!s || !*s || strlen(s) > 64 || !(islower((unsigned char)*s) || isdigit((unsigned char)*s)))
		return false;
	for (const char *p = s; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

/* A tree-relative path an author may name: no "..", not absolute, no empty parts. */
static bool valid_tree_path(const char *p)
{
	if (!p || !*p || p[0] == '/' || strlen(p) > 1024)
		return false;
	const char *s = p;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n + (e ? 1 : 0);
		if (e && !*s)
			return false;
	}
	return true;
}

/* ---- TODO markers ----------------------------------------------------------------- */

enum marker { M_NONE, M_BEGIN, M_STARTER, M_END };

struct mline {
	enum marker kind;
	size_t indent;          /* bytes of leading whitespace */
	char leader[3];         /* one of: // # -- ; and slash-star */
	char *hint;             /* BEGIN: the text after ':' (or NULL) */
};

static enum marker parse_marker(const char *l, size_t n, struct mline *m)
{
	memset(m, 0, sizeof *m);
	size_t i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	m->indent = i;
	static const char *const leaders[] = {"//", "/*", "--", "#", ";", NULL};
	const char *lead = NULL;
	for (const char *const *p = leaders; *p; p++)
		if (n - i >= strlen(*p) && strncmp(l + i, *p, strlen(*p)) == 0) {
			lead = *p;
			break;
		}
	if (!lead)
		return M_NONE;
	i += strlen(lead);
	while (i < n && l[i] == ' ')
		i++;
	size_t end = n;
	while (end > i && (l[end - 1] == ' ' || l[end - 1] == '\t' || l[end - 1] == '\r'))
		end--;
	if (strcmp(lead, "/*") == 0) {
		if (end - i < 2 || strncmp(l + end - 2, "*/", 2) != 0)
			return M_NONE;
		end -= 2;
		while (end > i && l[end - 1] == ' ')
			end--;
	}
	const char *kw = l + i;
	size_t kwn = end - i;
	enum marker k = M_NONE;
	size_t used = 0;
	if (kwn >= 10 && strncmp(kw, "TODO-BEGIN", 10) == 0) {
		k = M_BEGIN;
		used = 10;
	} else if (kwn == 12 && strncmp(kw, "TODO-STARTER", 12) == 0) {
		k = M_STARTER;
		used = 12;
	} else if (kwn == 8 && strncmp(kw, "TODO-END", 8) == 0) {
		k = M_END;
		used = 8;
	}
	if (k == M_BEGIN && used < kwn) {
		const char *h = kw + used;
		size_t hn = kwn - used;
		if (*h != ':' && *h != ' ')
			return M_NONE;   /* "TODO-BEGINNING" is not a marker */
		while (hn && (*h == ':' || *h == ' ')) {
			h++;
			hn--;
		}
		if (hn)
			m->hint = kb_strndup(h, hn);
	}
	if (k != M_NONE)
		snprintf(m->leader, sizeof m->leader, "%s", lead);
	m->kind = k;
	return k;
}

int kb_todo_render(char **out, const char *text, enum kb_render which, const char *name)
{
	*out = NULL;
	struct kb_buf b = KB_BUF_INIT;
	int line = 0, begin_line = 0;
	enum { OUTSIDE, SOLUTION_PART, STARTER_PART } state = OUTSIDE;
	struct mline begin = {0};
	int rc = 0;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		line++;
		struct mline m;
		enum marker k = parse_marker(l, n, &m);
		switch (k) {
		case M_BEGIN:
			if (state != OUTSIDE) {
				rc = kb_error_set(KB_ELESSON, "%s:%d: TODO-BEGIN inside the TODO block opened on line %d "
						  "(blocks do not nest)", name, line, begin_line);
				goto fail;
			}
			state = SOLUTION_PART;
			begin_line = line;
			free(begin.hint);
			begin = m;
			m.hint = NULL;
			if (which == KB_RENDER_STARTER) {
				kb_buf_add(&b, l, m.indent);
				kb_buf_printf(&b, "%s TODO%s%s%s\n", begin.leader, begin.hint ? ": " : "",
					      begin.hint ? begin.hint : "", strcmp(begin.leader, "/*") == 0 ? " */" : "");
			}
			break;
		case M_STARTER:
			if (state != SOLUTION_PART) {
				rc = kb_error_set(KB_ELESSON, "%s:%d: TODO-STARTER outside a TODO-BEGIN ... TODO-END block",
						  name, line);
				goto fail;
			}
			if (strcmp(m.leader, "/*") == 0) {
				rc = kb_error_set(KB_ELESSON, "%s:%d: TODO-STARTER needs a line comment (// in C and Rust, "
						  "# in Kbuild and Kconfig): each starter line is commented out with it",
						  name, line);
				goto fail;
			}
			state = STARTER_PART;
			begin.leader[0] = '\0';
			snprintf(begin.leader, sizeof begin.leader, "%s", m.leader);
			break;
		case M_END:
			if (state == OUTSIDE) {
				rc = kb_error_set(KB_ELESSON, "%s:%d: TODO-END without a TODO-BEGIN before it", name, line);
				goto fail;
			}
			state = OUTSIDE;
			break;
		case M_NONE:
			if (state == OUTSIDE || (state == SOLUTION_PART && which == KB_RENDER_SOLUTION)) {
				kb_buf_add(&b, l, n);
				kb_buf_adds(&b, nl ? "\n" : "");
			} else if (state == STARTER_PART && which == KB_RENDER_STARTER) {
				/* "    // code" -> "    code" */
				size_t i = 0;
				while (i < n && (l[i] == ' ' || l[i] == '\t'))
					i++;
				size_t ll = strlen(begin.leader);
				if (n - i < ll || strncmp(l + i, begin.leader, ll) != 0) {
					rc = kb_error_set(KB_ELESSON, "%s:%d: a TODO-STARTER line must be commented out with "
							  "'%s' (it is code only in the starter)", name, line, begin.leader);
					goto fail;
				}
				kb_buf_add(&b, l, i);
				size_t j = i + ll;
				if (j < n && l[j] == ' ')
					j++;
				kb_buf_add(&b, l + j, n - j);
				kb_buf_adds(&b, "\n");
			}
			break;
		}
		free(m.hint);
		l += n + (nl ? 1 : 0);
	}
	if (state != OUTSIDE) {
		rc = kb_error_set(KB_ELESSON, "%s:%d: TODO-BEGIN without TODO-END", name, begin_line);
		goto fail;
	}
	free(begin.hint);
	*out = kb_buf_detach(&b);
	return 0;
fail:
	free(begin.hint);
	kb_buf_free(&b);
	return rc;
}

/* ---- a pack is plain files ------------------------------------------------------------ */

static const char *file_kind(mode_t m)
{
	return S_ISLNK(m) ? _("a symbolic link") : S_ISFIFO(m) ? _("a named pipe") : S_ISSOCK(m) ? _("a socket") :
	       S_ISCHR(m) ? _("a character device") : S_ISBLK(m) ? _("a block device") : _("not a plain file");
}

/* Every entry under the open folder dfd (named rel in messages, "" at the pack's top) is a
   folder or a regular file; a symbolic link or a special file anywhere refuses the pack,
   naming it. The pack's own .git at the top is not part of it (never read). *budget
   bounds the entries looked at. */
static int plain_walk(int dfd, const char *rel, int depth, long *budget)
{
	if (depth > 32)
		return kb_error_set(KB_ELESSON, "%s: folders nested too deep for a lesson pack", rel);
	int dup_fd = dup(dfd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return kb_error_set(KB_EIO, "cannot list %s: %s", *rel ? rel : ".", strerror(errno));
	}
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		const char *n = e->d_name;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || (!*rel && strcmp(n, ".git") == 0))
			continue;
		if (--*budget < 0) {
			rc = kb_error_set(KB_ELESSON, "the lesson pack holds too many files (more than 100000)");
			break;
		}
		char *path = *rel ? kb_asprintf("%s/%s", rel, n) : kb_strdup(n);
		struct stat st;
		if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = kb_error_set(KB_EIO, "cannot look at %s: %s", path, strerror(errno));
		} else if (S_ISLNK(st.st_mode)) {
			char target[512];
			ssize_t tn = readlinkat(dfd, n, target, sizeof target - 1);
			target[tn > 0 ? tn : 0] = '\0';
			rc = kb_error_set(KB_ELESSON, "%s is a symbolic link (to %s): a lesson pack holds only plain files "
					  "and folders, and kbridge reads nothing outside it", path, target);
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				rc = kb_error_set(KB_EIO, "cannot open %s: %s", path, strerror(errno));
			} else {
				rc = plain_walk(sub, path, depth + 1, budget);
				close(sub);
			}
		} else if (!S_ISREG(st.st_mode)) {
			rc = kb_error_set(KB_ELESSON, "%s is %s: a lesson pack holds only plain files and folders", path,
					  file_kind(st.st_mode));
		}
		free(path);
	}
	closedir(d);
	return rc;
}

/* The pack folder dir (or its lesson folder `sub` when not NULL, which must be a real
   folder itself) holds only folders and regular files: 0 or KB_ELESSON naming the file. */
static int plain_pack(const char *dir, const char *sub)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kb_error_set(KB_ENOTFOUND, "cannot open %s: %s", dir, strerror(errno));
	int rc = 0;
	if (sub) {
		struct stat st;
		int s = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 && fstatat(fd, sub, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
			rc = kb_error_set(KB_ELESSON, "%s is %s, not a lesson folder: a lesson pack holds only plain "
					  "files and folders, and kbridge reads nothing outside it", sub, file_kind(st.st_mode));
		close(fd);
		fd = s;
	}
	long budget = 100000;
	if (!rc && fd >= 0)
		rc = plain_walk(fd, sub ? sub : "", 0, &budget);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Read a file of lesson l by its absolute path (l->dir/...), following no symbolic link
   from the pack folder down (kb_read_file_beneath). */
static int lesson_read(char **out, size_t *len, const struct kb_lesson *l, const char *path)
{
	char *root = kb_strdup(l->dir);
	char *slash = strrchr(root, '/');
	size_t n = strlen(l->dir);
	int rc;
	if (!slash || strncmp(path, l->dir, n) != 0 || path[n] != '/') {
		rc = kb_error_set(KB_EINVAL, "%s is not a file of lesson %s", path, l->id);
	} else {
		*slash = '\0';
		rc = kb_read_file_beneath(out, len, root, path + (slash - root) + 1);
	}
	free(root);
	return rc;
}

int kb_page_read(char **out, size_t *len, const struct kb_lesson *l, const struct kb_page *pg)
{
	*out = NULL;
	return lesson_read(out, len, l, pg->path);
}

int kb_task_file_render(char **out, const struct kb_lesson *l, const struct kb_task_file *f,
			enum kb_render which)
{
	*out = NULL;
	bool from_starter = which == KB_RENDER_STARTER && f->starter;
	char *text;
	size_t len;
	int rc = lesson_read(&text, &len, l, from_starter ? f->starter : f->solution);
	if (rc < 0)
		return rc;
	if (from_starter) {
		*out = text;
		return 0;
	}
	char *name = kb_asprintf("%s/solution/%s", l->id, f->path);
	rc = kb_todo_render(out, text, which, name);
	free(name);
	free(text);
	return rc;
}

void kb_lesson_paths(const struct kb_lesson *l, struct kb_strv *out)
{
	for (size_t s = 0; s < l->n_steps; s++) {
		if (l->steps[s].kind != KB_TASK)
			continue;
		const struct kb_task *t = &l->steps[s].task;
		for (size_t f = 0; f < t->n_files; f++) {
			bool seen = false;
			for (size_t i = 0; i < out->n && !seen; i++)
				seen = strcmp(out->v[i], t->files[f].path) == 0;
			if (!seen)
				kb_strv_push(out, t->files[f].path);
		}
	}
}

int kb_task_write_files(const struct kb_lesson *l, const struct kb_task *t, const char *root,
			enum kb_render which)
{
	for (size_t i = 0; i < t->n_files; i++) {
		const struct kb_task_file *f = &t->files[i];
		char *rendered;
		int rc = kb_task_file_render(&rendered, l, f, which);
		if (rc < 0)
			return rc;
		char *dest = kb_path_join(root, f->path);
		char *dir = kb_strdup(dest);
		rc = kb_mkdir_p(dirname(dir), 0755);
		if (!rc)
			rc = kb_write_file_atomic(dest, rendered, strlen(rendered), 0644);
		free(dir);
		free(dest);
		free(rendered);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- the lesson ----------------------------------------------------------------------- */

static bool lesson_file_exists(const char *dir, const char *rel)
{
	char *p = kb_path_join(dir, rel);
	bool ok = kb_path_exists(p) && !kb_is_dir(p);
	free(p);
	return ok;
}

static void read_page(struct rd *r, struct kb_lesson *l, const struct kb_value *v, struct kb_page *pg, int n)
{
	static const char *const known[] = {"file", "title", NULL};
	check_keys(r, v, v->line, "page", known);
	const struct kb_value *file = v->n_items ? &v->items[0] : kb_value_get(v, "file");
	if (!file || file->type != KB_V_STRING || !file->len) {
		rd_fail(r, v->line, _("page %d needs its Markdown file: page \"intro.md\" or page { file = \"intro.md\" }"), n);
		return;
	}
	pg->file = kb_strdup(file->str);
	pg->title = get_str(r, v, v->line, "page", "title", false, N_("the page's title"));
	if (!valid_tree_path(pg->file)) {
		rd_fail(r, v->line, _("page file '%s' must be a path inside the lesson folder"), pg->file);
		return;
	}
	pg->path = kb_path_join(l->dir, pg->file);
	if (!lesson_file_exists(l->dir, pg->file))
		rd_fail(r, v->line, _("page file '%s' not found in %s/"), pg->file, l->id);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void read_quiz(struct rd *r, const struct kb_value *v, struct kb_quiz *q, int n)
{
	static const char *const known[] = {"id", "question", "choices", "answer", "explain", NULL};
	int line = v->line;
	check_keys(r, v, line, "quiz", known);
	q->id = get_str(r, v, line, "quiz", "id", false, N_("a short name"));
	if (!q->id)
		q->id = kb_asprintf("quiz%d", n);
	q->question = get_str(r, v, line, "quiz", "question", true, N_("the question asked"));
	q->choices = get_strings(r, v, line, "quiz", "choices", true, &q->n_choices, N_("the answers offered"));
	q->explain = get_str(r, v, line, "quiz", "explain", true, N_("the explanation shown after answering"));
	if (r->err)
		return;
	if (q->n_choices < 2) {
		rd_fail(r, line, _("quiz '%s' needs at least two choices"), q->id);
		return;
	}
	const struct kb_value *a = kb_value_get(v, "answer");
	if (!a) {
		rd_fail(r, line, _("quiz '%s' has no 'answer' (the number of the right choice, or a list of them)"), q->id);
		return;
	}
	const struct kb_value *list = a->type == KB_V_TABLE ? a->items : a;
	size_t na = a->type == KB_V_TABLE ? a->n_items : 1;
	if (na == 0 || (a->type == KB_V_TABLE && (a->n_fields || a->n_other_keys))) {
		rd_fail(r, line, _("quiz '%s': answer must name at least one right choice ({1, 3})"), q->id);
		return;
	}
	q->answers = kb_calloc(na, sizeof *q->answers);
	for (size_t i = 0; i < na; i++) {
		if (list[i].type != KB_V_NUMBER || !list[i].is_integer) {
			rd_fail(r, line, _("quiz '%s': answer must be a choice number (1 to %zu), not a %s"), q->id,
				q->n_choices, vtype_name(list[i].type));
			return;
		}
		if (list[i].integer < 1 || (size_t)list[i].integer > q->n_choices) {
			rd_fail(r, line, _("quiz '%s': answer %lld is not a choice (there are %zu)"), q->id,
				list[i].integer, q->n_choices);
			return;
		}
		for (size_t j = 0; j < q->n_answers; j++)
			if (q->answers[j] == (int)list[i].integer - 1) {
				rd_fail(r, line, _("quiz '%s': answer %lld is given twice"), q->id, list[i].integer);
				return;
			}
		q->answers[q->n_answers++] = (int)list[i].integer - 1;
	}
	qsort(q->answers, q->n_answers, sizeof *q->answers, cmp_int);
}

/* Field `key` of table v as a whole number from lo to hi, into *out; def when the field is
 * not there. Returns false (and *out is def) when it is there but not such a number. */
static bool whole_field(const struct kb_value *v, const char *key, long long lo, long long hi, int def, int *out)
{
	*out = def;
	const struct kb_value *n = kb_value_get(v, key);
	if (!n)
		return true;
	if (n->type != KB_V_NUMBER || !n->is_integer || n->integer < lo || n->integer > hi)
		return false;
	*out = (int)n->integer;
	return true;
}

/* task.limits = { seconds = N, builds = N, boots = N }, each an integer from 1 to its
 * upper bound (result.h) */
static void read_limits(struct rd *r, const struct kb_value *v, int line, struct kb_task *t)
{
	const struct kb_value *lim = get(r, v, line, "task", "limits", KB_V_TABLE, false,
					 N_("{ seconds = N, builds = N, boots = N }"));
	if (!lim)
		return;
	static const char *const known[] = {"seconds", "builds", "boots", NULL};
	check_keys(r, lim, line, "task.limits", known);
	static const struct { const char *key; int max; } keys[] = {
		{"seconds", KB_CHECK_SECONDS_MAX}, {"builds", KB_CHECK_RUNS_MAX}, {"boots", KB_CHECK_RUNS_MAX},
	};
	int *dest[] = {&t->limit_seconds, &t->limit_builds, &t->limit_boots};
	for (size_t i = 0; i < 3; i++)
		if (!whole_field(lim, keys[i].key, 1, keys[i].max, 0, dest[i]))
			rd_fail(r, line, _("task.limits.%s must be a whole number from 1 to %d"), keys[i].key,
				keys[i].max);
}

/* task.points, a whole number from 0 to KB_TASK_POINTS_MAX; 1 when not given */
static void read_points(struct rd *r, const struct kb_value *v, int line, struct kb_task *t)
{
	if (!whole_field(v, "points", 0, KB_TASK_POINTS_MAX, 1, &t->points))
		rd_fail(r, line, _("task.points must be a whole number from 0 to %d (what the task is worth in "
			"a GitHub Classroom result; 1 when not given)"), KB_TASK_POINTS_MAX);
}

/* task.cpus, a whole number from 1 to KB_TASK_CPUS_MAX; 1 when not given */
static void read_cpus(struct rd *r, const struct kb_value *v, int line, struct kb_task *t)
{
	if (!whole_field(v, "cpus", 1, KB_TASK_CPUS_MAX, 1, &t->cpus))
		rd_fail(r, line, _("task.cpus must be a whole number from 1 to %d (the CPUs of the machine "
			"the task's checks boot; 1 when not given)"), KB_TASK_CPUS_MAX);
}

static void read_task(struct rd *r, struct kb_lesson *l, const struct kb_value *v, struct kb_task *t, int n)
{
	static const char *const known[] = {"id", "title", "goal", "files", "hints", "check", "limits", "points",
					    "learner", "starter_build_fails", "cpus", NULL};
	int line = v->line;
	check_keys(r, v, line, "task", known);
	read_limits(r, v, line, t);
	read_points(r, v, line, t);
	read_cpus(r, v, line, t);
	t->id = get_str(r, v, line, "task", "id", false, N_("a short name: lowercase letters, digits, - and _"));
	if (t->id && !valid_id(t->id))
		rd_fail(r, line, _("task id '%s' must be lowercase letters, digits, '-' and '_'"), t->id);
	if (!t->id)
		t->id = kb_asprintf("task%d", n);
	t->goal = get_str(r, v, line, "task", "goal", true, N_("what the learner has to do"));
	t->title = get_str(r, v, line, "task", "title", false, N_("a short title"));
	if (!t->title && t->goal)
		t->title = kb_strndup(t->goal, strcspn(t->goal, "\n"));
	char **files = get_strings(r, v, line, "task", "files", true, &t->n_files,
				   N_("the files the learner edits, as paths in the kernel tree"));
	t->hints = get_strings(r, v, line, "task", "hints", false, &t->n_hints, N_("hints, revealed one at a time"));
	size_t n_mine = 0;
	char **mine = get_strings(r, v, line, "task", "learner", false, &n_mine,
				  N_("files given to read that the learner may still change: a check does not pin them"));
	const struct kb_value *sbf = get(r, v, line, "task", "starter_build_fails", KB_V_BOOL, false,
					 N_("true when the starter is meant not to compile"));
	t->starter_build_fails = sbf && sbf->boolean;
	const struct kb_value *check = get(r, v, line, "task", "check", KB_V_FUNCTION, true,
					   N_("function(kb) ... end: what makes the task done"));
	if (check) {
		t->check_ref = check->ref;
		t->check_line = check->line;
	}
	if (r->err || !files) {
		free_strings(files, t->n_files);
		free_strings(mine, n_mine);
		t->n_files = 0;
		return;
	}
	if (t->n_files == 0)
		rd_fail(r, line, _("task '%s' lists no files"), t->id);
	t->files = kb_calloc(t->n_files ? t->n_files : 1, sizeof *t->files);
	for (size_t i = 0; i < t->n_files; i++) {
		struct kb_task_file *f = &t->files[i];
		f->path = files[i];
		files[i] = NULL;
		if (!valid_tree_path(f->path)) {
			rd_fail(r, line, _("task '%s': file '%s' must be a path in the kernel tree (no '..', not absolute)"),
				t->id, f->path);
			continue;
		}
		char *sol = kb_asprintf("solution/%s", f->path), *sta = kb_asprintf("starter/%s", f->path);
		f->solution = kb_path_join(l->dir, sol);
		if (lesson_file_exists(l->dir, sta))
			f->starter = kb_path_join(l->dir, sta);
		if (!lesson_file_exists(l->dir, sol)) {
			rd_fail(r, line, _("task '%s': file %s/%s not found (each task file needs its solution there)"),
				t->id, l->id, sol);
		} else if (!f->starter) {
			/* the markers must be sound now, not when a learner starts the task */
			char *text, *out;
			if (lesson_read(&text, NULL, l, f->solution) == 0) {
				char *name = kb_asprintf("%s/%s", l->id, sol);
				if (kb_todo_render(&out, text, KB_RENDER_STARTER, name) < 0)
					rd_fail(r, line, _("task '%s': %s"), t->id, kb_error_last());
				else
					free(out);
				free(name);
				free(text);
			}
		}
		free(sol);
		free(sta);
	}
	for (size_t m = 0; m < n_mine; m++) {
		size_t i = 0;
		while (i < t->n_files && strcmp(t->files[i].path, mine[m]) != 0)
			i++;
		if (i < t->n_files)
			t->files[i].learner = true;
		else
			rd_fail(r, line, _("task '%s': learner names '%s', which is not one of its files"), t->id, mine[m]);
	}
	free_strings(mine, n_mine);
	free(files);
}

static void read_lesson(struct rd *r, struct kb_lesson *l, const struct kb_value *v, const char *want_id)
{
	static const char *const known[] = {"id", "title", "summary", "history", "steps", NULL};
	int line = v->line;
	check_keys(r, v, line, "lesson", known);
	l->id = get_str(r, v, line, "lesson", "id", true, N_("the lesson's id, as pack.lua lists it"));
	if (l->id && strcmp(l->id, want_id) != 0)
		rd_fail(r, line, _("lesson id '%s' does not match its folder and pack.lua ('%s')"), l->id, want_id);
	l->title = get_str(r, v, line, "lesson", "title", true, N_("the lesson's title"));
	l->summary = get_str(r, v, line, "lesson", "summary", false, N_("one sentence shown in lists"));
	const struct kb_value *h = get(r, v, line, "lesson", "history", KB_V_TABLE, true,
				       N_("{ year = 2022, milestone = \"...\", source = \"...\" }: its place in the history"));
	if (h) {
		static const char *const hk[] = {"year", "milestone", "source", NULL};
		check_keys(r, h, line, "lesson.history", hk);
		const struct kb_value *y = get(r, h, line, "lesson.history", "year", KB_V_NUMBER, true, N_("e.g. 2022"));
		if (y && (!y->is_integer || y->integer < 1900 || y->integer > 2200))
			rd_fail(r, line, _("lesson.history.year must be a year such as 2022"));
		else if (y)
			l->history.year = (int)y->integer;
		l->history.milestone = get_str(r, h, line, "lesson.history", "milestone", true, N_("what happened"));
		l->history.source = get_str(r, h, line, "lesson.history", "source", true, N_("the article it comes from"));
	}
	const struct kb_value *steps = get(r, v, line, "lesson", "steps", KB_V_TABLE, true,
					   N_("the list of pages, quizzes and tasks"));
	if (r->err || !steps)
		return;
	if (steps->n_items == 0 || steps->n_fields) {
		rd_fail(r, line, _("lesson.steps must be a non-empty list { page \"...\", quiz { ... }, task { ... } }"));
		return;
	}
	l->steps = kb_calloc(steps->n_items, sizeof *l->steps);
	int n_quiz = 0, n_task = 0;
	for (size_t i = 0; i < steps->n_items && !r->err; i++) {
		const struct kb_value *s = &steps->items[i];
		struct kb_lesson_step *st = &l->steps[l->n_steps++];
		st->line = s->line ? s->line : line;
		if (s->type != KB_V_TABLE || !s->kind) {
			rd_fail(r, line, _("step %zu of lesson '%s' is a %s: write page \"file.md\", quiz { ... } or task { ... }"),
				i + 1, l->id ? l->id : want_id, s->type == KB_V_TABLE ? "plain table" : vtype_name(s->type));
			l->n_steps--;
			break;
		}
		if (strcmp(s->kind, "page") == 0) {
			st->kind = KB_PAGE;
			read_page(r, l, s, &st->page, (int)i + 1);
		} else if (strcmp(s->kind, "quiz") == 0) {
			st->kind = KB_QUIZ;
			read_quiz(r, s, &st->quiz, ++n_quiz);
		} else if (strcmp(s->kind, "task") == 0) {
			st->kind = KB_TASK;
			read_task(r, l, s, &st->task, ++n_task);
		} else {
			rd_fail(r, st->line, _("step %zu is a %s { ... }: only page, quiz and task are steps"), i + 1, s->kind);
		}
	}
	/* ids are unique within the lesson */
	for (size_t i = 0; i < l->n_steps && !r->err; i++)
		for (size_t j = 0; j < i; j++) {
			const char *a = l->steps[i].kind == KB_TASK ? l->steps[i].task.id :
					l->steps[i].kind == KB_QUIZ ? l->steps[i].quiz.id : NULL;
			const char *b = l->steps[j].kind == KB_TASK ? l->steps[j].task.id :
					l->steps[j].kind == KB_QUIZ ? l->steps[j].quiz.id : NULL;
			if (a && b && strcmp(a, b) == 0) {
				rd_fail(r, l->steps[i].line, _("id '%s' is used twice in lesson '%s' (lines %d and %d)"), a,
					l->id, l->steps[j].line, l->steps[i].line);
				break;
			}
		}
}

static void free_steps(struct kb_lesson *l)
{
	for (size_t i = 0; i < l->n_steps; i++) {
		struct kb_lesson_step *s = &l->steps[i];
		free(s->page.file);
		free(s->page.path);
		free(s->page.title);
		free(s->quiz.id);
		free(s->quiz.question);
		free_strings(s->quiz.choices, s->quiz.n_choices);
		free(s->quiz.answers);
		free(s->quiz.explain);
		free(s->task.id);
		free(s->task.title);
		free(s->task.goal);
		for (size_t f = 0; f < s->task.n_files; f++) {
			free(s->task.files[f].path);
			free(s->task.files[f].solution);
			free(s->task.files[f].starter);
		}
		free(s->task.files);
		free_strings(s->task.hints, s->task.n_hints);
	}
	free(l->steps);
	l->steps = NULL;
	l->n_steps = 0;
}

/* Set while kb_pack_load loads the lessons of a pack it has just walked whole (plain_pack):
 * each lesson's own walk of its folder would do that work again. */
static _Thread_local bool pack_walked;

int kb_lesson_load(struct kb_lesson *l, const char *pack_dir, const char *id)
{
	memset(l, 0, sizeof *l);
	double t0 = kb_now();
	l->dir = kb_path_join(pack_dir, id);
	l->file = kb_asprintf("%s/lesson.lua", id);
	char *path = kb_path_join(l->dir, "lesson.lua");
	struct kb_value v = {0};
	struct rd r = {.file = l->file};
	int rc;
	if (!kb_path_exists(path)) {
		rc = kb_error_set(KB_ELESSON, "pack.lua lists lesson '%s' but %s does not exist", id, l->file);
		goto out;
	}
	rc = pack_walked ? 0 : plain_pack(pack_dir, id);
	if (rc < 0)
		goto out;
	rc = kb_sandbox_new(&l->sb, NULL);
	if (rc < 0)
		goto out;
	static const char *const builders[] = {"page", "quiz", "task", NULL};
	kb_sandbox_add_builder(l->sb, "lesson", true);
	for (const char *const *b = builders; *b; b++)
		kb_sandbox_add_builder(l->sb, *b, false);
	kb_api_open(l->sb);
	/* the pack's shared helpers, when it has them: the global `helpers` */
	char *helpers = kb_path_join(pack_dir, "helpers.lua");
	rc = kb_path_exists(helpers) ? kb_sandbox_run_helpers(l->sb, helpers, "helpers.lua", "helpers") : 0;
	free(helpers);
	if (rc < 0)
		goto out;
	rc = kb_sandbox_run_file(l->sb, path, l->file, "lesson", &v);
	if (rc < 0)
		goto out;   /* kb_error_last() holds "file:line: message" */
	read_lesson(&r, l, &v, id);
	if (r.err)
		rc = kb_error_set(KB_ELESSON, "%s", r.err);
	struct kb_sandbox_limits lim = {KB_SANDBOX_MEMORY, KB_SANDBOX_CHECK_INSTRUCTIONS};
	kb_sandbox_set_limits(l->sb, &lim);
	if (rc >= 0 && kb_lesson_translate_hook)
		kb_lesson_translate_hook(NULL, l);
out:
	if (rc < 0) {
		l->error = kb_strdup(kb_error_last());
		free_steps(l);
		if (!l->id)
			l->id = kb_strdup(id);
	}
	if (!l->title)
		l->title = kb_strdup(l->id);
	free(r.err);
	kb_value_free(&v);
	free(path);
	l->load_ms = (kb_now() - t0) * 1000;
	return rc < 0 ? KB_ELESSON : 0;
}

void kb_lesson_free(struct kb_lesson *l)
{
	free_steps(l);
	kb_sandbox_free(l->sb);
	free(l->id);
	free(l->title);
	free(l->summary);
	free(l->history.milestone);
	free(l->history.source);
	free(l->dir);
	free(l->file);
	free(l->error);
	memset(l, 0, sizeof *l);
}

/* ---- the pack --------------------------------------------------------------------------- */

/* pack.kernel against the course kernel set up here (else the one kbridge is built for) */
static void check_kernel(struct rd *r, int line, const char *name, const char *want)
{
	const char *p = want;
	int parts = 0;
	while (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		parts++;
		if (*p != '.')
			break;
		p++;
	}
	if (*p || parts < 2 || parts > 3) {
		rd_fail(r, line, _("pack.kernel '%s' must be a Linux version such as \"%s\""), want, kb_course_kernel());
		return;
	}
	char *where = NULL;
	char *have = kb_installed_kernel_version(&where);
	if (!kb_kernel_fits(want, have ? have : kb_course_kernel())) {
		if (have)
			rd_fail(r, line, _("pack '%s' is written for Linux %s; this kbridge's course kernel is %s (Linux %s, "
				"set up in %s): use a version of the pack written for %s, or a kbridge built for Linux %s"),
				name ? name : "?", want, kb_course_kernel(), have, where, kb_course_kernel(), want);
		else
			rd_fail(r, line, _("pack '%s' is written for Linux %s; this kbridge's course kernel is %s (not set "
				"up yet): use a version of the pack written for %s, or a kbridge built for Linux %s"),
				name ? name : "?", want, kb_course_kernel(), kb_course_kernel(), want);
	}
	free(have);
	free(where);
}

/* The line of pack.lua (text) where lesson `id` is listed: its quoted name after the
 * `lessons` key, or `fallback` when it cannot be found (a list built by code). The k-th
 * listing of the name (from 0) for a name listed twice. */
static int listed_line(const char *text, const char *id, int k, int fallback)
{
	const char *from = text ? strstr(text, "lessons") : NULL;
	if (!from)
		return fallback;
	size_t n = strlen(id);
	for (const char *q = from; (q = strpbrk(q, "\"'")); q++) {
		if (strncmp(q + 1, id, n) == 0 && q[n + 1] == q[0] && k-- == 0) {
			int line = 1;
			for (const char *c = text; c < q; c++)
				line += *c == '\n';
			return line;
		}
	}
	return fallback;
}

int kb_pack_load(struct kb_pack *p, const char *dir)
{
	memset(p, 0, sizeof *p);
	double t0 = kb_now();
	p->dir = realpath(dir, NULL);
	if (!p->dir || !kb_is_dir(p->dir))
		return kb_error_set(KB_ENOTFOUND, "no lesson pack at %s (a folder with a pack.lua)", dir);
	char *path = kb_path_join(p->dir, "pack.lua");
	struct kb_sandbox *sb = NULL;
	struct kb_value v = {0};
	struct rd r = {.file = "pack.lua"};
	char **ids = NULL, *text = NULL;
	size_t n_ids = 0, text_len;
	int rc;
	if (!kb_path_exists(path)) {
		rc = kb_error_set(KB_ENOTFOUND, "%s has no pack.lua: is it a lesson pack?", dir);
		goto out;
	}
	/* nothing is read from a pack that links out of itself */
	rc = plain_pack(p->dir, NULL);
	if (rc < 0)
		goto out;
	rc = kb_sandbox_new(&sb, NULL);
	if (rc < 0)
		goto out;
	kb_sandbox_add_builder(sb, "pack", true);
	rc = kb_sandbox_run_file(sb, path, "pack.lua", "pack", &v);
	if (rc < 0)
		goto out;
	static const char *const known[] = {"name", "title", "version", "kernel", "description", "lessons", NULL};
	check_keys(&r, &v, v.line, "pack", known);
	p->name = get_str(&r, &v, v.line, "pack", "name", true, N_("the pack's name"));
	p->title = get_str(&r, &v, v.line, "pack", "title", false, N_("a title to show"));
	p->version = get_str(&r, &v, v.line, "pack", "version", true, N_("the pack's version, e.g. \"1.0\""));
	p->kernel = get_str(&r, &v, v.line, "pack", "kernel", true, N_("the kernel version the pack needs, e.g. \"6.12\""));
	p->description = get_str(&r, &v, v.line, "pack", "description", false, N_("a sentence or two"));
	ids = get_strings(&r, &v, v.line, "pack", "lessons", true, &n_ids, N_("the lesson ids, in order"));
	if (!r.err && n_ids == 0)
		rd_fail(&r, v.line, _("pack.lessons is empty: list the lesson folders in order"));
	if (!r.err && p->kernel)
		check_kernel(&r, v.line, p->name, p->kernel);
	/* errors about one listed lesson point at the line that lists it */
	if (kb_read_file(&text, &text_len, path) < 0)
		text = NULL;
	for (size_t i = 0; i < n_ids && !r.err; i++) {
		if (!valid_id(ids[i]))
			rd_fail(&r, listed_line(text, ids[i], 0, v.line),
				_("lesson id '%s' must be lowercase letters, digits, '-' and '_'"), ids[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0)
				rd_fail(&r, listed_line(text, ids[i], 1, v.line), _("lesson '%s' is listed twice"), ids[i]);
	}
	if (r.err) {
		rc = kb_error_set(KB_ELESSON, "%s", r.err);
		goto out;
	}
	if (!p->title)
		p->title = kb_strdup(p->name);
	if (kb_lesson_translate_hook)
		kb_lesson_translate_hook(p, NULL);
	p->lessons = kb_calloc(n_ids, sizeof *p->lessons);
	for (size_t i = 0; i < n_ids; i++) {
		struct kb_lesson *l = &p->lessons[p->n_lessons++];
		char *lf = kb_asprintf("%s/%s/lesson.lua", p->dir, ids[i]);
		if (kb_path_exists(lf)) {
			pack_walked = true;
			kb_lesson_load(l, p->dir, ids[i]);
			pack_walked = false;
		} else {
			/* an unknown id: say where it is listed */
			l->id = kb_strdup(ids[i]);
			l->title = kb_strdup(ids[i]);
			l->dir = kb_path_join(p->dir, ids[i]);
			l->file = kb_asprintf("%s/lesson.lua", ids[i]);
			l->error = kb_asprintf(_("pack.lua:%d: lesson '%s' is listed but there is no %s/lesson.lua"),
					       listed_line(text, ids[i], 0, v.line), ids[i], ids[i]);
		}
		free(lf);
	}
out:
	free(text);
	free_strings(ids, n_ids);
	free(r.err);
	kb_value_free(&v);
	kb_sandbox_free(sb);
	free(path);
	p->load_ms = (kb_now() - t0) * 1000;
	return rc;
}

void kb_pack_free(struct kb_pack *p)
{
	for (size_t i = 0; i < p->n_lessons; i++)
		kb_lesson_free(&p->lessons[i]);
	free(p->lessons);
	free(p->dir);
	free(p->name);
	free(p->title);
	free(p->version);
	free(p->kernel);
	free(p->description);
	memset(p, 0, sizeof *p);
}

size_t kb_pack_errors(const struct kb_pack *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_lessons; i++)
		n += p->lessons[i].error != NULL;
	return n;
}

struct kb_lesson *kb_pack_find_lesson(const struct kb_pack *p, const char *id)
{
	for (size_t i = 0; i < p->n_lessons; i++)
		if (strcmp(p->lessons[i].id, id) == 0)
			return &p->lessons[i];
	return NULL;
}

const struct kb_task *kb_lesson_find_task(const struct kb_lesson *l, const char *id)
{
	for (size_t i = 0; i < l->n_steps; i++)
		if (l->steps[i].kind == KB_TASK && strcmp(l->steps[i].task.id, id) == 0)
			return &l->steps[i].task;
	return NULL;
}

bool kb_task_file_is_edited(const struct kb_lesson *l, const struct kb_task_file *f)
{
	char *st = NULL, *so = NULL;
	bool edit = kb_task_file_render(&st, l, f, KB_RENDER_STARTER) < 0 ||
		    kb_task_file_render(&so, l, f, KB_RENDER_SOLUTION) < 0 || strcmp(st, so) != 0;
	free(st);
	free(so);
	return edit;
}

bool kb_task_file_is_pinned(const struct kb_lesson *l, const struct kb_task_file *f)
{
	return !f->learner && !kb_task_file_is_edited(l, f);
}

/* ---- a pack from any source (store/packsrc.h) ---------------------------------------- */

static void log_stderr(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "kbridge: %s\n", line);
}

int kb_pack_open(struct kb_pack *p, char **origin, const char *source)
{
	memset(p, 0, sizeof *p);
	if (origin)
		*origin = NULL;
	struct kb_packsrc s;
	struct kb_packsrc_opts o = {.log = log_stderr};
	int rc = kb_packsrc_resolve(&s, source, &o);
	if (!rc)
		rc = kb_pack_load(p, s.dir);
	if (!rc && origin)
		*origin = kb_packsrc_describe(&s);
	kb_packsrc_free(&s);
	return rc;
}

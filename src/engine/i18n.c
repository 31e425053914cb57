/* i18n.c - lesson packs in more than one language: PO catalogs read with libgettextpo,
 * translated pages, check templates, the POT a translator starts from. See i18n.h. */
#define _GNU_SOURCE
#include "engine/i18n.h"
#include "engine/lesson.h"
#include "engine/result.h"
#include "base/util.h"

#include <ctype.h>
#include <stdarg.h>
#include <gettext-po.h>
#include <git2.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the language ----------------------------------------------------------------------- */

static char *chosen;        /* kb_i18n_lang() */
static bool asked;          /* by --lang */
static char *shown;         /* what packs are translated into */

char *kb_lang_normalize(const char *name)
{
	if (!name || !*name)
		return NULL;
	size_t n = strcspn(name, ".@:");
	char lang[16] = "", region[16] = "";
	size_t i = 0, k = 0;
	while (i < n && k < sizeof lang - 1 && isalpha((unsigned char)name[i]))
		lang[k++] = (char)tolower((unsigned char)name[i++]);
	lang[k] = '\0';
	if (k < 2 || k > 3)
		return NULL;   /* "C", "POSIX", "", garbage */
	if (i < n && (name[i] == '_' || name[i] == '-')) {
		i++;
		k = 0;
		while (i < n && k < sizeof region - 1 && isalnum((unsigned char)name[i]))
			region[k++] = name[i++];
		region[k] = '\0';
	}
	if (i != n && !(i < n && (name[i] == '_' || name[i] == '-')))
		return NULL;
	if (strcmp(lang, "en") == 0)
		return NULL;
	if (strcmp(lang, "zh") == 0 && (!*region || strcasecmp(region, "hans") == 0 || strcasecmp(region, "sg") == 0))
		return kb_strdup("zh-CN");
	if (!*region)
		return kb_strdup(lang);
	for (char *p = region; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return kb_asprintf("%s-%s", lang, region);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

char *kb_lang_choose(const char *opt)
{
	if (opt)
		return kb_lang_normalize(opt);
	const char *locale = env_nonempty("LC_ALL");
	if (!locale)
		locale = env_nonempty("LC_MESSAGES");
	if (!locale)
		locale = env_nonempty("LANG");
	const char *language = env_nonempty("LANGUAGE");
	/* gettext ignores LANGUAGE in the C locale */
	if (language && !(locale && (strcmp(locale, "C") == 0 || strcmp(locale, "POSIX") == 0))) {
		char *first = kb_strndup(language, strcspn(language, ":"));
		char *tag = kb_lang_normalize(first);
		bool english = first[0] == 'e' && first[1] == 'n';
		free(first);
		if (tag || english)
			return tag;
	}
	return locale ? kb_lang_normalize(locale) : NULL;
}

static void translate_hook(struct kb_pack *p, struct kb_lesson *l)
{
	kb_i18n_translate(p, l, shown);
}

void kb_i18n_show(const char *lang)
{
	free(shown);
	shown = lang ? kb_strdup(lang) : NULL;
	kb_lesson_translate_hook = shown ? translate_hook : NULL;
}

int kb_i18n_init(const char *opt)
{
	free(chosen);
	chosen = kb_lang_choose(opt);
	asked = opt != NULL;
	if (opt && !chosen && !(strncmp(opt, "en", 2) == 0 && (!opt[2] || opt[2] == '-' || opt[2] == '_')))
		return kb_error_set(KB_EINVAL, "--lang %s: not a language (try --lang zh-CN, or --lang en)", opt);
	kb_i18n_show(chosen);
	kb_intl_use(chosen);
	return 0;
}

const char *kb_i18n_lang(void)
{
	return chosen;
}

bool kb_i18n_lang_asked(void)
{
	return asked;
}

/* ---- catalogs ------------------------------------------------------------------------------- */

struct po_err {
	jmp_buf jb;
	char *msg;
};
static struct po_err *po_err_now;   /* the parse running (libgettextpo's handler has no context) */

static void po_note(int severity, const char *file, size_t line, const char *text)
{
	struct po_err *e = po_err_now;
	if (e && !e->msg && severity != PO_SEVERITY_WARNING) {
		if (line != (size_t)-1)
			e->msg = kb_asprintf("%zu: %s", line, text);
		else
			e->msg = kb_strdup(text);
		size_t n = strlen(e->msg);
		while (n && e->msg[n - 1] == '\n')
			e->msg[--n] = '\0';
	}
	if (e && severity == PO_SEVERITY_FATAL_ERROR)
		longjmp(e->jb, 1);
}

static void po_xerror(int severity, po_message_t m, const char *file, size_t line, size_t col, int ml,
		      const char *text)
{
	po_note(severity, file, line, text);
}

static void po_xerror2(int severity, po_message_t m1, const char *f1, size_t l1, size_t c1, int ml1,
		       const char *t1, po_message_t m2, const char *f2, size_t l2, size_t c2, int ml2,
		       const char *t2)
{
	po_note(severity == PO_SEVERITY_FATAL_ERROR ? PO_SEVERITY_ERROR : severity, f1, l1, t1);
	po_note(severity, f2, l2, t2);
}

/* Unescape a PO string between quotes starting at s (after the opening quote). */
static char *po_unquote(const char *s)
{
	struct kb_buf b = KB_BUF_INIT;
	for (; *s && *s != '"'; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			char c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
			kb_buf_add(&b, &c, 1);
		} else {
			kb_buf_add(&b, s, 1);
		}
	}
	kb_buf_adds(&b, "");
	return kb_buf_detach(&b);
}

/* The line of each entry: the line of its msgctxt (single-line, as kbridge writes them). */
static void find_lines(struct kb_catalog *c, const char *text)
{
	int line = 1;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		if (strncmp(l, "msgctxt \"", 9) == 0) {
			char *key = po_unquote(l + 9);
			for (size_t i = 0; i < c->n; i++)
				if (!c->e[i].line && strcmp(c->e[i].ctx, key) == 0) {
					c->e[i].line = line;
					break;
				}
			free(key);
		}
		if (!nl)
			break;
		l = nl + 1;
		line++;
	}
}

int kb_catalog_load(struct kb_catalog *c, const char *path, const char *name)
{
	memset(c, 0, sizeof *c);
	c->name = kb_strdup(name);
	char *text = NULL;
	int rc = kb_read_file(&text, NULL, path);
	if (rc < 0)
		return rc;
	static const struct po_xerror_handler handler = {po_xerror, po_xerror2};
	struct po_err err = {.msg = NULL};
	po_file_t f = NULL;
	po_err_now = &err;
	if (setjmp(err.jb) == 0)
		f = po_file_read(path, &handler);
	po_err_now = NULL;
	if (!f || err.msg) {
		rc = kb_error_set(KB_ELESSON, "%s:%s", name, err.msg ? err.msg : " gettext cannot read it");
		free(err.msg);
		if (f)
			po_file_free(f);
		free(text);
		return rc;
	}
	po_message_iterator_t it = po_message_iterator(f, NULL);
	po_message_t m;
	size_t cap = 0;
	while ((m = po_next_message(it)) != NULL) {
		const char *id = po_message_msgid(m);
		if (po_message_is_obsolete(m) || !id || !*id)
			continue;   /* the header has an empty msgid */
		if (c->n == cap) {
			cap = cap ? cap * 2 : 32;
			c->e = kb_realloc(c->e, cap * sizeof *c->e);
		}
		struct kb_catalog_entry *e = &c->e[c->n++];
		const char *ctx = po_message_msgctxt(m);
		const char *str = po_message_msgstr(m);
		e->ctx = kb_strdup(ctx ? ctx : "");
		e->msgid = kb_strdup(id);
		e->msgstr = kb_strdup(str ? str : "");
		e->fuzzy = po_message_is_fuzzy(m) != 0;
		e->line = 0;
	}
	po_message_iterator_free(it);
	po_file_free(f);
	find_lines(c, text);
	free(text);
	return 0;
}

void kb_catalog_free(struct kb_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].ctx);
		free(c->e[i].msgid);
		free(c->e[i].msgstr);
	}
	free(c->e);
	free(c->name);
	memset(c, 0, sizeof *c);
}

const char *kb_tr_state_name(enum kb_tr_state s)
{
	switch (s) {
	case KB_TR_OK: return "translated";
	case KB_TR_MISSING: return "untranslated";
	case KB_TR_STALE: return "stale";
	case KB_TR_BROKEN: return "broken";
	}
	return "?";
}

/* The operand of a template at p (its '%'): its type ('s' any text, 'd' an integer, 'x' hex
   digits, 'f' a decimal number), its position when it names one ("%2$d": 2, else 0) and
   where it ends; 0 for "%%" and for a directive templates do not have. */
static char directive(const char *p, int *pos, const char **end)
{
	*pos = 0;
	const char *q = p + 1;
	if (isdigit((unsigned char)*q)) {
		char *e;
		long k = strtol(q, &e, 10);
		if (*e != '$' || k < 1 || k > 64)
			return 0;
		*pos = (int)k;
		q = e + 1;
	}
	if (!*q || !strchr("sdxf", *q))
		return 0;
	*end = q + 1;
	return *q;
}

/* the operands a template names, their types into type[] (from 0); -1 when it has another
   directive, or positions where positional_ok is false */
static int count_operands(const char *t, bool positional_ok, char type[64])
{
	int n = 0, maxpos = 0;
	memset(type, 0, 64);
	for (const char *p = t; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		int pos;
		const char *end;
		char ty = directive(p, &pos, &end);
		if (!ty || (pos && !positional_ok))
			return -1;
		int k = pos ? pos : n + 1;
		if (k > 64)
			return -1;
		if (type[k - 1] && type[k - 1] != ty)
			return -1;
		type[k - 1] = ty;
		if (k > maxpos)
			maxpos = k;
		n++;
		p = end - 1;
	}
	return maxpos > n ? maxpos : n;
}

/* A check template's msgstr must use the operands its msgid has, of the same types: all
   of them in order, or positions ("%N$d") up to that number. */
static bool operands_agree(const char *msgid, const char *msgstr)
{
	char ta[64], tb[64];
	int a = count_operands(msgid, false, ta), b = count_operands(msgstr, true, tb);
	if (a < 0 || b < 0 || b > a || (b != a && !strchr(msgstr, '$')))
		return false;
	for (int k = 0; k < b; k++)
		if (tb[k] && tb[k] != ta[k])
			return false;
	return true;
}

const char *kb_catalog_get(const struct kb_catalog *c, const char *ctx, const char *english,
			   enum kb_tr_state *state, const struct kb_catalog_entry **entry)
{
	enum kb_tr_state st = KB_TR_MISSING;
	const struct kb_catalog_entry *found = NULL;
	for (size_t i = 0; c && i < c->n; i++) {
		const struct kb_catalog_entry *e = &c->e[i];
		if (strcmp(e->ctx, ctx) != 0)
			continue;
		bool same = strcmp(e->msgid, english) == 0;
		/* the "check" key holds many entries: the one with this English */
		if (strcmp(ctx, "check") == 0 && !same)
			continue;
		found = e;
		if (!same || e->fuzzy)
			st = KB_TR_STALE;
		else if (!*e->msgstr)
			st = KB_TR_MISSING;
		else if (strcmp(ctx, "check") == 0 && !operands_agree(e->msgid, e->msgstr))
			st = KB_TR_BROKEN;
		else
			st = KB_TR_OK;
		break;
	}
	if (state)
		*state = st;
	if (entry)
		*entry = found;
	return st == KB_TR_OK ? found->msgstr : NULL;
}

/* ---- templates ------------------------------------------------------------------------------ */

struct capv {
	char **v;
	size_t n, cap;
};

/* may c be the character at i of an operand of type ty? */
static bool operand_char(char ty, size_t i, char c)
{
	switch (ty) {
	case 'd': return isdigit((unsigned char)c) || (i == 0 && c == '-');
	case 'x': return isxdigit((unsigned char)c);
	case 'f': return isdigit((unsigned char)c) || strchr("-+.eEinfa", c) != NULL;
	default: return true;
	}
}

static bool match_at(const char *t, const char *s, struct capv *cv)
{
	while (*t) {
		int pos;
		const char *after;
		char ty = t[0] == '%' && t[1] != '%' ? directive(t, &pos, &after) : 0;
		if (ty) {
			/* the shortest text for this operand, of its kind, that lets the rest match */
			for (const char *e = s;; e++) {
				bool whole = ty == 's' || (e > s && !(ty == 'd' && e == s + 1 && *s == '-'));
				if (whole) {
					size_t keep = cv->n;
					if (cv->n == cv->cap) {
						cv->cap = cv->cap ? cv->cap * 2 : 8;
						cv->v = kb_realloc(cv->v, cv->cap * sizeof *cv->v);
					}
					cv->v[cv->n++] = kb_strndup(s, (size_t)(e - s));
					if (match_at(after, e, cv))
						return true;
					while (cv->n > keep)
						free(cv->v[--cv->n]);
				}
				if (!*e || !operand_char(ty, (size_t)(e - s), *e))
					return false;
			}
		}
		char want = t[0];
		size_t used = 1;
		if (t[0] == '%' && t[1] == '%')
			used = 2;
		if (*s != want)
			return false;
		t += used;
		s++;
	}
	return *s == '\0';
}

bool kb_template_match(const char *tmpl, const char *text, char ***caps, size_t *n)
{
	struct capv cv = {0};
	bool ok = match_at(tmpl, text, &cv);
	if (ok && caps) {
		*caps = cv.v;
		*n = cv.n;
		return true;
	}
	for (size_t i = 0; i < cv.n; i++)
		free(cv.v[i]);
	free(cv.v);
	if (n)
		*n = 0;
	if (caps)
		*caps = NULL;
	return ok;
}

char *kb_template_fill(const char *tmpl, char *const *caps, size_t n)
{
	struct kb_buf b = KB_BUF_INIT;
	size_t next = 0;
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%') {
			kb_buf_add(&b, p, 1);
			continue;
		}
		if (p[1] == '%') {
			kb_buf_adds(&b, "%");
			p++;
			continue;
		}
		int pos;
		const char *end;
		if (!directive(p, &pos, &end))
			goto bad;
		size_t k = pos ? (size_t)pos - 1 : next++;
		p = end - 1;
		if (k >= n)
			goto bad;
		kb_buf_adds(&b, caps[k]);
	}
	kb_buf_adds(&b, "");
	return kb_buf_detach(&b);
bad:
	kb_buf_free(&b);
	return NULL;
}

/* the literal characters of a template: how much of a text its match accounts for */
static size_t template_literals(const char *t)
{
	size_t n = 0;
	for (const char *p = t; *p; p++) {
		int pos;
		const char *end;
		if (p[0] == '%' && p[1] == '%')
			n++, p++;
		else if (p[0] == '%' && directive(p, &pos, &end))
			p = end - 1;
		else
			n++;
	}
	return n;
}

/* The translation of text by one template e (NULL when it does not match) and how many of
   text's characters its literals account for, with those of its operands translated in
   turn: an operand that is itself a text of the lesson (a variable holding a sentence, a
   function's answer) is translated too. */
static char *check_text(const struct kb_catalog *c, const char *text, int depth, size_t *cover);

static char *by_template(const struct kb_catalog *c, const struct kb_catalog_entry *e, const char *text, int depth,
			 size_t *cover)
{
	char **caps;
	size_t n;
	if (!kb_template_match(e->msgid, text, &caps, &n))
		return NULL;
	*cover = template_literals(e->msgid);
	for (size_t k = 0; k < n; k++) {
		size_t sub = 0;
		char *t = *caps[k] ? check_text(c, caps[k], depth + 1, &sub) : NULL;
		if (t) {
			free(caps[k]);
			caps[k] = t;
			*cover += sub;
		}
	}
	char *out = kb_template_fill(e->msgstr, caps, n);
	for (size_t k = 0; k < n; k++)
		free(caps[k]);
	free(caps);
	return out;
}

/* the translation of text by the one template that accounts for most of it */
static char *whole_text(const struct kb_catalog *c, const char *text, int depth, size_t *cover)
{
	char *best = NULL;
	size_t best_cover = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct kb_catalog_entry *e = &c->e[i];
		if (strcmp(e->ctx, "check") != 0 || e->fuzzy || !*e->msgstr || !operands_agree(e->msgid, e->msgstr))
			continue;
		size_t n = 0;
		char *t = by_template(c, e, text, depth, &n);
		if (t && (!best || n > best_cover)) {
			free(best);
			best = t;
			best_cover = n;
		} else {
			free(t);
		}
	}
	*cover = best_cover;
	return best;
}

/* A text of several lines no template matches whole, as table.concat(lines, "\n") makes
   it: each run of up to 4 lines that a template matches translated, the shortest such run
   first (one item of the list: "  wanted: ...\n  printed: ..."); the other lines as they
   are. NULL when no line was. */
static char *by_lines(const struct kb_catalog *c, const char *text, int depth, size_t *cover)
{
	enum { MAX_LINES = 200, RUN = 4 };
	const char *start[MAX_LINES + 1];
	size_t n = 0;
	for (const char *p = text;; p++) {
		if (n == MAX_LINES)
			return NULL;   /* a whole log: not a check's sentences */
		start[n++] = p;
		p = strchr(p, '\n');
		if (!p)
			break;
	}
	start[n] = text + strlen(text) + 1;
	struct kb_buf b = KB_BUF_INIT;
	bool any = false;
	*cover = 0;
	for (size_t i = 0; i < n;) {
		size_t most = n - i < RUN ? n - i : RUN, k = 1;
		for (; k <= most; k++) {
			char *chunk = kb_strndup(start[i], (size_t)(start[i + k] - start[i] - 1));
			size_t sub = 0;
			char *t = *chunk ? whole_text(c, chunk, depth + 1, &sub) : NULL;
			free(chunk);
			if (t) {
				kb_buf_printf(&b, "%s%s", i ? "\n" : "", t);
				free(t);
				*cover += sub;
				any = true;
				break;
			}
		}
		if (k > most) {
			kb_buf_printf(&b, "%s%.*s", i ? "\n" : "", (int)(start[i + 1] - start[i] - 1), start[i]);
			k = 1;
		}
		i += k;
	}
	kb_buf_adds(&b, "");
	if (!any) {
		kb_buf_free(&b);
		return NULL;
	}
	return kb_buf_detach(&b);
}

/* the translation that accounts for most of text: of "rust/c = 1.2 (... cycles, or 1 ms)\n
   measured again: rust/c = 1.1 (...)" the template "%s\nmeasured again: %s" whose two
   operands are translated, not "rust/c = %s (... cycles%s)" whose last operand is the rest */
static char *check_text(const struct kb_catalog *c, const char *text, int depth, size_t *cover)
{
	*cover = 0;
	if (!c || !text || depth > 4)
		return NULL;
	char *t = whole_text(c, text, depth, cover);
	if (!t && strchr(text, '\n'))
		t = by_lines(c, text, depth, cover);
	return t;
}

char *kb_catalog_check_text(const struct kb_catalog *c, const char *text)
{
	size_t cover;
	return check_text(c, text, 0, &cover);
}

/* ---- pages ---------------------------------------------------------------------------------- */

int kb_blob_id(char out[41], const char *path)
{
	char *data;
	size_t len;
	int rc = kb_read_file(&data, &len, path);
	if (rc < 0)
		return rc;
	git_libgit2_init();
	git_oid oid;
	int g = git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB);
	free(data);
	git_libgit2_shutdown();
	if (g < 0)
		return kb_error_set(KB_EIO, "cannot hash %s", path);
	git_oid_tostr(out, 41, &oid);
	return 0;
}

/* "intro.md" -> "intro.zh-CN.md"; "notes" -> "notes.zh-CN" */
static char *page_name(const char *file, const char *lang)
{
	const char *dot = strrchr(file, '.');
	const char *slash = strrchr(file, '/');
	if (!dot || (slash && dot < slash))
		return kb_asprintf("%s.%s", file, lang);
	return kb_asprintf("%.*s.%s%s", (int)(dot - file), file, lang, dot);
}

/* the blob id the first line of a translated page records, or NULL */
static char *recorded_id(const char *path, const char *file)
{
	char *text;
	if (kb_read_file(&text, NULL, path) < 0)
		return NULL;
	char *out = NULL;
	const char *mark = "kbridge translation of ";
	size_t n = strcspn(text, "\n");
	char *first = kb_strndup(text, n);
	char *m = strstr(first, mark);
	if (m) {
		m += strlen(mark);
		size_t fl = strlen(file);
		if (strncmp(m, file, fl) == 0 && m[fl] == ' ') {
			m += fl + 1;
			size_t h = strspn(m, "0123456789abcdef");
			if (h == 40)
				out = kb_strndup(m, 40);
		}
	}
	free(first);
	free(text);
	return out;
}

enum kb_tr_state kb_page_translation(char **path, char **recorded, char **now, const char *dir,
				     const char *file, const char *lang)
{
	*path = NULL;
	if (recorded)
		*recorded = NULL;
	if (now)
		*now = NULL;
	char *name = page_name(file, lang);
	char *p = kb_path_join(dir, name);
	free(name);
	if (!kb_path_exists(p) || kb_is_dir(p)) {
		free(p);
		return KB_TR_MISSING;
	}
	char *english = kb_path_join(dir, file);
	char id[41] = "";
	kb_blob_id(id, english);
	free(english);
	char *rec = recorded_id(p, file);
	enum kb_tr_state st = rec && *id && strcmp(rec, id) == 0 ? KB_TR_OK : KB_TR_STALE;
	*path = p;
	if (recorded)
		*recorded = rec;
	else
		free(rec);
	if (now)
		*now = *id ? kb_strdup(id) : NULL;
	return st;
}

/* ---- applying a language ---------------------------------------------------------------------- */

/* The catalogs of translated lessons, by lesson folder, kept while the process runs. */
struct kept {
	char *dir;
	char *lang;
	struct kb_catalog cat;
};
static struct kept *kept;
static size_t n_kept;

static const struct kb_catalog *catalog_for(const char *dir, const char *lang)
{
	for (size_t i = 0; i < n_kept; i++)
		if (strcmp(kept[i].dir, dir) == 0 && strcmp(kept[i].lang, lang) == 0)
			return &kept[i].cat;
	return NULL;
}

/* Load (or find) the catalog DIR/po/LANG.po; `rel` names DIR in messages ("hello", "" for
   the pack's top). NULL when there is none or it is broken (said on stderr). */
static const struct kb_catalog *load_catalog(const char *dir, const char *rel, const char *lang)
{
	const struct kb_catalog *c = catalog_for(dir, lang);
	if (c)
		return c;
	char *po = kb_asprintf("%s/po/%s.po", dir, lang);
	if (!kb_path_exists(po)) {
		free(po);
		return NULL;
	}
	char *name = kb_asprintf("%s%spo/%s.po", rel, *rel ? "/" : "", lang);
	kept = kb_realloc(kept, (n_kept + 1) * sizeof *kept);
	struct kept *k = &kept[n_kept];
	int rc = kb_catalog_load(&k->cat, po, name);
	free(po);
	free(name);
	if (rc < 0) {
		fprintf(stderr, "kbridge: %s (shown in English)\n", kb_error_last());
		kb_catalog_free(&k->cat);
		return NULL;
	}
	k->dir = kb_strdup(dir);
	k->lang = kb_strdup(lang);
	n_kept++;
	return &k->cat;
}

/* *s = its translation under ctx (a printf-made key), when there is one */
static void tr(const struct kb_catalog *c, char **s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void tr(const struct kb_catalog *c, char **s, const char *fmt, ...)
{
	if (!*s)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct kb_buf key = KB_BUF_INIT;
	kb_buf_vprintf(&key, fmt, ap);
	va_end(ap);
	const char *t = kb_catalog_get(c, key.data, *s, NULL, NULL);
	if (t) {
		free(*s);
		*s = kb_strdup(t);
	}
	kb_buf_free(&key);
}

static void translate_lesson(struct kb_lesson *l, const char *lang)
{
	const char *slash = strrchr(l->dir, '/');
	const struct kb_catalog *c = load_catalog(l->dir, slash ? slash + 1 : l->id, lang);
	tr(c, &l->title, "lesson/title");
	tr(c, &l->summary, "lesson/summary");
	tr(c, &l->history.milestone, "lesson/milestone");
	tr(c, &l->history.source, "lesson/source");
	for (size_t i = 0; i < l->n_steps; i++) {
		struct kb_lesson_step *st = &l->steps[i];
		if (st->kind == KB_PAGE) {
			tr(c, &st->page.title, "page:%s/title", st->page.file);
			char *path;
			if (kb_page_translation(&path, NULL, NULL, l->dir, st->page.file, lang) == KB_TR_OK) {
				free(st->page.path);
				st->page.path = path;
			} else {
				free(path);
			}
		} else if (st->kind == KB_QUIZ) {
			struct kb_quiz *q = &st->quiz;
			tr(c, &q->question, "quiz:%s/question", q->id);
			for (size_t k = 0; k < q->n_choices; k++)
				tr(c, &q->choices[k], "quiz:%s/choice:%zu", q->id, k + 1);
			tr(c, &q->explain, "quiz:%s/explain", q->id);
		} else {
			struct kb_task *t = &st->task;
			/* a title made from the goal's first line follows the goal */
			bool made = t->title && t->goal && strlen(t->title) == strcspn(t->goal, "\n") &&
				    strncmp(t->title, t->goal, strlen(t->title)) == 0;
			char *english = made ? kb_strdup(t->title) : NULL;
			tr(c, &t->title, "task:%s/title", t->id);
			tr(c, &t->goal, "task:%s/goal", t->id);
			if (made && strcmp(t->title, english) == 0) {
				free(t->title);
				t->title = kb_strndup(t->goal, strcspn(t->goal, "\n"));
			}
			free(english);
			for (size_t k = 0; k < t->n_hints; k++)
				tr(c, &t->hints[k], "task:%s/hint:%zu", t->id, k + 1);
		}
	}
}

void kb_i18n_translate(struct kb_pack *p, struct kb_lesson *l, const char *lang)
{
	if (!lang)
		return;
	if (l) {
		if (!l->error)
			translate_lesson(l, lang);
		return;
	}
	const struct kb_catalog *c = load_catalog(p->dir, "", lang);
	tr(c, &p->title, "pack/title");
	tr(c, &p->description, "pack/description");
}

void kb_i18n_result(struct kb_check_result *res, const struct kb_lesson *l)
{
	if (!shown || !l || !l->dir)
		return;
	const struct kb_catalog *c = catalog_for(l->dir, shown);
	if (!c)
		return;
	for (size_t i = 0; i < res->n_exp; i++) {
		char **f[] = {&res->exp[i].expected, &res->exp[i].seen, &res->exp[i].hint};
		for (size_t k = 0; k < 3; k++) {
			char *t = kb_catalog_check_text(c, *f[k]);
			if (t) {
				free(*f[k]);
				*f[k] = t;
			}
		}
	}
}

/* ---- what there is to translate --------------------------------------------------------------- */

static void add_string(struct kb_i18n_strings *out, const char *ctx, const char *english, const char *file,
		       int line, bool format, bool page)
{
	if (!english || (!*english && !page))
		return;
	for (size_t i = 0; format && i < out->n; i++)
		if (strcmp(out->v[i].ctx, ctx) == 0 && strcmp(out->v[i].english, english) == 0)
			return;   /* a template used twice: once */
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 32;
		out->v = kb_realloc(out->v, out->cap * sizeof *out->v);
	}
	out->v[out->n++] = (struct kb_i18n_string){
		.ctx = kb_strdup(ctx), .english = kb_strdup(english), .file = kb_strdup(file), .line = line,
		.format = format, .page = page,
	};
}

void kb_i18n_strings_free(struct kb_i18n_strings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].ctx);
		free(s->v[i].english);
		free(s->v[i].file);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* The line of src (from line `from` on) where the Lua literal of `english` starts: its
   first characters, up to one Lua would escape, found in the text; else `from`. */
static int src_line(const char *src, const char *english, int from)
{
	if (!src || !english)
		return from;
	const char *p = src;
	int line = 1;
	while (line < from && *p) {
		if (*p++ == '\n')
			line++;
	}
	size_t n = strcspn(english, "\"\\\n'");
	if (n > 48)
		n = 48;
	if (n < 6)
		return from > 0 ? from : 1;
	char *needle = kb_strndup(english, n);
	const char *hit = strstr(p, needle);
	free(needle);
	if (!hit)
		return from > 0 ? from : 1;
	for (; p < hit; p++)
		if (*p == '\n')
			line++;
	return line;
}

void kb_i18n_collect(struct kb_i18n_strings *out, const struct kb_pack *p, const struct kb_lesson *l)
{
	char key[256];
	if (!l) {
		char *path = kb_path_join(p->dir, "pack.lua"), *src = NULL;
		kb_read_file(&src, NULL, path);
		add_string(out, "pack/title", p->title, "pack.lua", src_line(src, p->title, 1), false, false);
		add_string(out, "pack/description", p->description, "pack.lua", src_line(src, p->description, 1), false,
			   false);
		free(src);
		free(path);
		return;
	}
	if (l->error)
		return;
	char *path = kb_path_join(l->dir, "lesson.lua"), *src = NULL;
	kb_read_file(&src, NULL, path);
	free(path);
	const char *f = l->file;
	add_string(out, "lesson/title", l->title, f, src_line(src, l->title, 1), false, false);
	add_string(out, "lesson/summary", l->summary, f, src_line(src, l->summary, 1), false, false);
	add_string(out, "lesson/milestone", l->history.milestone, f, src_line(src, l->history.milestone, 1), false,
		   false);
	add_string(out, "lesson/source", l->history.source, f, src_line(src, l->history.source, 1), false, false);
	for (size_t i = 0; i < l->n_steps; i++) {
		const struct kb_lesson_step *st = &l->steps[i];
		int at = st->line;
		if (st->kind == KB_PAGE) {
			snprintf(key, sizeof key, "page:%s/title", st->page.file);
			add_string(out, key, st->page.title, f, src_line(src, st->page.title, at), false, false);
			snprintf(key, sizeof key, "page:%s", st->page.file);
			char *pf = kb_asprintf("%s/%s", l->id, st->page.file);
			add_string(out, key, st->page.file, pf, 0, false, true);
			free(pf);
		} else if (st->kind == KB_QUIZ) {
			const struct kb_quiz *q = &st->quiz;
			snprintf(key, sizeof key, "quiz:%s/question", q->id);
			add_string(out, key, q->question, f, src_line(src, q->question, at), false, false);
			for (size_t k = 0; k < q->n_choices; k++) {
				snprintf(key, sizeof key, "quiz:%s/choice:%zu", q->id, k + 1);
				add_string(out, key, q->choices[k], f, src_line(src, q->choices[k], at), false, false);
			}
			snprintf(key, sizeof key, "quiz:%s/explain", q->id);
			add_string(out, key, q->explain, f, src_line(src, q->explain, at), false, false);
		} else {
			const struct kb_task *t = &st->task;
			bool made = t->title && t->goal && strlen(t->title) == strcspn(t->goal, "\n") &&
				    strncmp(t->title, t->goal, strlen(t->title)) == 0;
			if (!made) {
				snprintf(key, sizeof key, "task:%s/title", t->id);
				add_string(out, key, t->title, f, src_line(src, t->title, at), false, false);
			}
			snprintf(key, sizeof key, "task:%s/goal", t->id);
			add_string(out, key, t->goal, f, src_line(src, t->goal, at), false, false);
			for (size_t k = 0; k < t->n_hints; k++) {
				snprintf(key, sizeof key, "task:%s/hint:%zu", t->id, k + 1);
				add_string(out, key, t->hints[k], f, src_line(src, t->hints[k], at), false, false);
			}
		}
	}
	if (src)
		kb_i18n_check_templates(out, src, f);
	free(src);
}

/* ---- check templates: a small Lua lexer --------------------------------------------------------- */

enum tk { T_EOF, T_NAME, T_STRING, T_NUMBER, T_OP };

struct tok {
	enum tk k;
	char *s;       /* a name, an operator, a string's value */
	int line;
};

static void utf8_put(struct kb_buf *b, unsigned long c)
{
	char u[4];
	size_t n;
	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | ((c >> 18) & 0x07));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	kb_buf_add(b, u, n);
}

/* the level of a long bracket at p ("[[" 0, "[==[" 2), or -1 */
static int long_level(const char *p)
{
	if (*p != '[')
		return -1;
	int n = 0;
	p++;
	while (*p == '=') {
		n++;
		p++;
	}
	return *p == '[' ? n : -1;
}

/* skip a long bracket of level lv at *pp; its content into b when not NULL */
static void long_body(const char **pp, int lv, int *line, struct kb_buf *b)
{
	const char *p = *pp + lv + 2;
	if (*p == '\n') {
		p++;
		(*line)++;
	}
	for (; *p; p++) {
		if (*p == ']') {
			const char *q = p + 1;
			int n = 0;
			while (*q == '=') {
				n++;
				q++;
			}
			if (n == lv && *q == ']') {
				*pp = q + 1;
				return;
			}
		}
		if (*p == '\n')
			(*line)++;
		if (b)
			kb_buf_add(b, p, 1);
	}
	*pp = p;
}

static struct tok *lex(const char *src, size_t *n_out)
{
	struct tok *v = NULL;
	size_t n = 0, cap = 0;
	int line = 1;
	const char *p = src;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = kb_realloc(v, cap * sizeof *v);
		}
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (*p == '\n')
				line++;
			p++;
		}
		if (!*p) {
			v[n++] = (struct tok){T_EOF, kb_strdup(""), line};
			break;
		}
		if (p[0] == '-' && p[1] == '-') {
			p += 2;
			int lv = long_level(p);
			if (lv >= 0)
				long_body(&p, lv, &line, NULL);
			else
				while (*p && *p != '\n')
					p++;
			continue;
		}
		int at = line;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			struct kb_buf b = KB_BUF_INIT;
			while (*p && *p != q && *p != '\n') {
				if (*p != '\\') {
					kb_buf_add(&b, p++, 1);
					continue;
				}
				p++;
				char c = *p;
				const char *simple = strchr("abfnrtv\\\"'", c);
				if (c && simple) {
					static const char from[] = "abfnrtv\\\"'", to[] = "\a\b\f\n\r\t\v\\\"'";
					kb_buf_add(&b, &to[strchr(from, c) - from], 1);
					p++;
				} else if (c == '\n') {
					kb_buf_adds(&b, "\n");
					line++;
					p++;
				} else if (c == 'z') {
					p++;
					while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
						line += *p++ == '\n';
				} else if (c == 'x' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
					char h[3] = {p[1], p[2], 0};
					char ch = (char)strtol(h, NULL, 16);
					kb_buf_add(&b, &ch, 1);
					p += 3;
				} else if (isdigit((unsigned char)c)) {
					int d = 0, k = 0;
					while (k < 3 && isdigit((unsigned char)*p))
						d = d * 10 + (*p++ - '0'), k++;
					char ch = (char)d;
					kb_buf_add(&b, &ch, 1);
				} else if (c == 'u' && p[1] == '{') {
					char *end;
					unsigned long u = strtoul(p + 2, &end, 16);
					utf8_put(&b, u);
					p = *end == '}' ? end + 1 : end;
				} else if (c) {
					kb_buf_add(&b, p++, 1);
				}
			}
			if (*p == q)
				p++;
			kb_buf_adds(&b, "");
			v[n++] = (struct tok){T_STRING, kb_buf_detach(&b), at};
			continue;
		}
		int lv = long_level(p);
		if (lv >= 0) {
			struct kb_buf b = KB_BUF_INIT;
			long_body(&p, lv, &line, &b);
			kb_buf_adds(&b, "");
			v[n++] = (struct tok){T_STRING, kb_buf_detach(&b), at};
			continue;
		}
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *s = p;
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
			v[n++] = (struct tok){T_NAME, kb_strndup(s, (size_t)(p - s)), at};
			continue;
		}
		if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
			const char *s = p;
			while (isalnum((unsigned char)*p) || *p == '_' || (*p == '.' && p[1] != '.'))
				p++;
			v[n++] = (struct tok){T_NUMBER, kb_strndup(s, (size_t)(p - s)), at};
			continue;
		}
		static const char *const ops[] = {"...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>", NULL};
		size_t len = 1;
		for (const char *const *o = ops; *o; o++)
			if (strncmp(p, *o, strlen(*o)) == 0) {
				len = strlen(*o);
				break;
			}
		v[n++] = (struct tok){T_OP, kb_strndup(p, len), at};
		p += len;
	}
	*n_out = n;
	return v;
}

static bool is_op(const struct tok *t, const char *s)
{
	return t->k == T_OP && strcmp(t->s, s) == 0;
}

static bool is_name(const struct tok *t, const char *s)
{
	return t->k == T_NAME && strcmp(t->s, s) == 0;
}

/* The source read as expressions. Openers: "(", "{", "[" and the blocks "function", "if",
   "do", "repeat"; match[i] is the closer of the opener at i (the EOF when there is none),
   up[i] the innermost opener around token i (NONE at the top). */
#define NONE ((size_t)-1)

struct assign {
	char *key;          /* "name", or "name[]" for name[...] = */
	size_t expr;        /* where the value assigned starts */
};

struct lua {
	struct tok *v;
	size_t n;
	size_t *match, *up;
	struct assign *as;
	size_t n_as;
	const char *busy[16];   /* names and functions being followed (no loops) */
	size_t n_busy;
	struct kb_i18n_strings *out;
	const char *file;
};

struct alt {
	char *t;            /* the template */
	bool lit;           /* it holds some literal text */
	int line;
};

struct alts {
	struct alt *v;
	size_t n;
};

static void alts_add(struct alts *a, char *t, bool lit, int line)
{
	a->v = kb_realloc(a->v, (a->n + 1) * sizeof *a->v);
	a->v[a->n++] = (struct alt){t, lit, line};
}

static void alts_free(struct alts *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].t);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static bool is_keyword(const struct tok *t)
{
	static const char *const kw[] = {"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
					 "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then",
					 "true", "until", "while", NULL};
	if (t->k != T_NAME)
		return false;
	for (const char *const *k = kw; *k; k++)
		if (strcmp(t->s, *k) == 0)
			return true;
	return false;
}

static bool is_opener(const struct tok *t)
{
	return (t->k == T_OP && (!strcmp(t->s, "(") || !strcmp(t->s, "{") || !strcmp(t->s, "["))) ||
	       is_name(t, "function") || is_name(t, "if") || is_name(t, "do") || is_name(t, "repeat");
}

static bool is_closer(const struct tok *t)
{
	return (t->k == T_OP && (!strcmp(t->s, ")") || !strcmp(t->s, "}") || !strcmp(t->s, "]"))) ||
	       is_name(t, "end") || is_name(t, "until");
}

static bool is_binop(const struct tok *t, bool *text_op, bool *compare)
{
	static const char *const arith[] = {"+", "-", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>", NULL};
	static const char *const cmp[] = {"==", "~=", "<", ">", "<=", ">=", NULL};
	*text_op = *compare = false;
	if (is_op(t, "..") || is_name(t, "or") || is_name(t, "and"))
		return *text_op = true;
	if (t->k != T_OP)
		return false;
	for (const char *const *o = cmp; *o; o++)
		if (strcmp(t->s, *o) == 0)
			return *compare = true;
	for (const char *const *o = arith; *o; o++)
		if (strcmp(t->s, *o) == 0)
			return true;
	return false;
}

/* the index after the operand at j (unary operators, a primary, its suffixes); j when none */
static size_t skip_operand(const struct lua *L, size_t j)
{
	const struct tok *v = L->v;
	while (is_op(&v[j], "-") || is_op(&v[j], "#") || is_op(&v[j], "~") || is_name(&v[j], "not"))
		j++;
	if (v[j].k == T_STRING || v[j].k == T_NUMBER || is_name(&v[j], "nil") || is_name(&v[j], "true") ||
	    is_name(&v[j], "false") || is_op(&v[j], "..."))
		return j + 1;
	if (is_op(&v[j], "(") || is_op(&v[j], "{") || is_name(&v[j], "function"))
		j = L->match[j] + 1;
	else if (v[j].k == T_NAME && !is_keyword(&v[j]))
		j++;
	else
		return j;
	for (;;) {
		if (is_op(&v[j], ".") && v[j + 1].k == T_NAME) {
			j += 2;
		} else if (is_op(&v[j], ":") && v[j + 1].k == T_NAME) {
			j += 2;
			if (is_op(&v[j], "(") || is_op(&v[j], "{"))
				j = L->match[j] + 1;
			else if (v[j].k == T_STRING)
				j++;
		} else if (is_op(&v[j], "[") || is_op(&v[j], "(") || is_op(&v[j], "{")) {
			j = L->match[j] + 1;
		} else if (v[j].k == T_STRING) {
			j++;
		} else {
			return j;
		}
	}
}

/* the index after the expression at j */
static size_t skip_expr(const struct lua *L, size_t j)
{
	for (;;) {
		size_t e = skip_operand(L, j);
		bool text_op, compare;
		if (e == j || !is_binop(&L->v[e], &text_op, &compare))
			return e;
		j = e + 1;
	}
}

static void expr_alts(struct lua *L, size_t j, struct alts *out);

static bool busy_enter(struct lua *L, const char *key)
{
	for (size_t i = 0; i < L->n_busy; i++)
		if (strcmp(L->busy[i], key) == 0)
			return false;
	if (L->n_busy == sizeof L->busy / sizeof *L->busy)
		return false;
	L->busy[L->n_busy++] = key;
	return true;
}

/* the texts a variable holds: every value assigned to it in the file */
static void follow_name(struct lua *L, const char *key, struct alts *out)
{
	if (!busy_enter(L, key))
		return;
	for (size_t i = 0; i < L->n_as; i++)
		if (strcmp(L->as[i].key, key) == 0)
			expr_alts(L, L->as[i].expr, out);
	L->n_busy--;
}

/* the texts a function of the file returns: the first value of each of its `return`s */
static void follow_call(struct lua *L, const char *fname, struct alts *out)
{
	char *key = kb_asprintf("%s()", fname);
	if (!busy_enter(L, key)) {
		free(key);
		return;
	}
	const struct tok *v = L->v;
	for (size_t f = 0; f < L->n; f++) {
		if (!is_name(&v[f], "function"))
			continue;
		/* function NAME (...), local function NAME (...), NAME = function (...) */
		bool named = is_name(&v[f + 1], fname) && is_op(&v[f + 2], "(");
		bool assigned = f >= 2 && is_op(&v[f - 1], "=") && is_name(&v[f - 2], fname) && is_op(&v[f + 1], "(") &&
				!(f >= 3 && (is_op(&v[f - 3], ".") || is_op(&v[f - 3], ":")));
		if (!named && !assigned)
			continue;
		for (size_t k = f + 1; k < L->match[f]; k++) {
			if (!is_name(&v[k], "return"))
				continue;
			size_t o = L->up[k];
			while (o != NONE && !is_name(&v[o], "function"))
				o = L->up[o];
			if (o == f)
				expr_alts(L, k + 1, out);
		}
	}
	L->n_busy--;
	free(key);
}

/* a text a check shows by itself, or inside another as an operand (side): then a word with
   no space is only one when it is all small letters ("wrote"), not a path, a symbol, a
   parameter, a letter (samples/kbridge/greeter, SAMPLE_KBRIDGE_GREETER, learner%s, n) */
static void emit_as(struct lua *L, const struct alts *a, bool side)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *t = a->v[i].t;
		if (!a->v[i].lit)
			continue;
		if (side && !strpbrk(t, " \n") && (t[strspn(t, "abcdefghijklmnopqrstuvwxyz")] || strlen(t) < 3))
			continue;
		add_string(L->out, "check", t, L->file, a->v[i].line, true, false);
	}
}

static void emit(struct lua *L, const struct alts *a)
{
	emit_as(L, a, true);
}

/* a literal into a template ('%' doubled); true when it has a letter (a text to translate,
   not only punctuation or a newline) */
static bool add_literal(struct kb_buf *b, const char *s)
{
	bool letters = false;
	for (; *s; s++) {
		kb_buf_adds(b, *s == '%' ? "%%" : (char[]){*s, 0});
		letters = letters || isalpha((unsigned char)*s) || (*s & 0x80);
	}
	return letters;
}

static void one_operand(struct lua *L, size_t s, size_t e, struct alts *out);

/* A format string with its arguments from j on (the closing parenthesis at end): every
   conversion an operand; the texts of an argument shown with %s are templates too. */
static void format_alts(struct lua *L, const char *fmt, size_t j, size_t end, int line, struct alts *out)
{
	struct kb_buf b = KB_BUF_INIT;
	bool lit = false;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			kb_buf_add(&b, p, 1);
			lit = lit || isalpha((unsigned char)*p);
			continue;
		}
		if (p[1] == '%') {
			kb_buf_adds(&b, "%%");
			p++;
			continue;
		}
		const char *q = p + 1;
		q += strspn(q, "-+ #0");
		q += strspn(q, "0123456789");
		if (*q == '.')
			q += 1 + strspn(q + 1, "0123456789");
		if (!*q || !strchr("cdiouxXeEfgGqsaA", *q)) {
			kb_buf_free(&b);
			alts_add(out, kb_strdup("%s"), false, line);   /* not a format Lua takes */
			return;
		}
		size_t a = j;
		if (a < end && !is_op(&L->v[a], ")")) {
			j = skip_expr(L, a);
			if (is_op(&L->v[j], ","))
				j++;
			if (*q == 's') {
				struct alts sub = {0};
				expr_alts(L, a, &sub);
				emit(L, &sub);
				alts_free(&sub);
			}
		}
		/* integers %d, hex %x, other numbers %f: an operand matches only its kind */
		kb_buf_adds(&b, strchr("diouc", *q) && *q != 'c' ? "%d" : strchr("xX", *q) ? "%x" :
				strchr("eEfgG", *q) ? "%f" : "%s");
		p = q;
	}
	kb_buf_adds(&b, "");
	alts_add(out, kb_buf_detach(&b), lit, line);
}

/* The texts of the operand [s, e) taken whole: a literal, a format, a parenthesised
   expression, a variable or a call to a function of the file followed; else "%s". */
static void one_operand(struct lua *L, size_t s, size_t e, struct alts *out)
{
	const struct tok *v = L->v;
	int line = v[s].line;
	size_t before = out->n;
	if (v[s].k == T_STRING && e == s + 1) {
		struct kb_buf b = KB_BUF_INIT;
		bool lit = add_literal(&b, v[s].s);
		kb_buf_adds(&b, "");
		alts_add(out, kb_buf_detach(&b), lit, line);
	} else if (is_op(&v[s], "(") && v[s + 1].k == T_STRING && is_op(&v[s + 2], ")") && is_op(&v[s + 3], ":") &&
		   is_name(&v[s + 4], "format") && is_op(&v[s + 5], "(") && L->match[s + 5] + 1 == e) {
		format_alts(L, v[s + 1].s, s + 6, L->match[s + 5], line, out);   /* ("..."):format(...) */
	} else if (is_name(&v[s], "string") && is_op(&v[s + 1], ".") && is_name(&v[s + 2], "format") &&
		   is_op(&v[s + 3], "(") && v[s + 4].k == T_STRING && L->match[s + 3] + 1 == e) {
		size_t j = s + 5;   /* string.format("...", ...) */
		if (is_op(&v[j], ","))
			j++;
		format_alts(L, v[s + 4].s, j, L->match[s + 3], line, out);
	} else if (is_op(&v[s], "(") && L->match[s] + 1 == e) {
		expr_alts(L, s + 1, out);
	} else if (v[s].k == T_NAME && !is_keyword(&v[s]) && (e == s + 1 || (is_op(&v[s + 1], "[") &&
		   L->match[s + 1] + 1 == e)) && !(s > 0 && (is_op(&v[s - 1], ".") || is_op(&v[s - 1], ":")))) {
		char *key = kb_asprintf("%s%s", v[s].s, e == s + 1 ? "" : "[]");
		follow_name(L, key, out);
		free(key);
	} else if (v[s].k == T_NAME && !is_keyword(&v[s]) && is_op(&v[s + 1], "(") && L->match[s + 1] + 1 == e &&
		   !(s > 0 && (is_op(&v[s - 1], ".") || is_op(&v[s - 1], ":")))) {
		follow_call(L, v[s].s, out);
	} else if (is_name(&v[s], "table") && is_op(&v[s + 1], ".") && is_name(&v[s + 2], "concat") &&
		   is_op(&v[s + 3], "(") && L->match[s + 3] + 1 == e && v[s + 4].k == T_NAME && !is_keyword(&v[s + 4])) {
		/* table.concat(list, "\n"): the texts of its elements, each translated alone */
		char *key = kb_asprintf("%s[]", v[s + 4].s);
		follow_name(L, key, out);
		free(key);
		follow_name(L, v[s + 4].s, out);
	} else if (v[s].k == T_NAME && !is_keyword(&v[s]) && is_op(&v[s + 1], ".") && v[s + 2].k == T_NAME &&
		   e == s + 3 && !(s > 0 && (is_op(&v[s - 1], ".") || is_op(&v[s - 1], ":")))) {
		char *key = kb_asprintf(".%s", v[s + 2].s);   /* p.text: every field text of the file */
		follow_name(L, key, out);
		free(key);
	}
	if (out->n == before)
		alts_add(out, kb_strdup("%s"), false, line);
}

/* The templates of the expression at j: one per `or`/`and` alternative, each a `..`
   chain whose literals stay and whose other operands are "%s". */
static void expr_alts(struct lua *L, size_t j, struct alts *out)
{
	const struct tok *v = L->v;
	for (;;) {
		/* the operands of one alternative, up to `or`, `and` or its end */
		size_t ops[64][2];
		size_t n_ops = 0;
		bool text = true, text_op = false, compare = false;
		for (;;) {
			size_t s = j, e = skip_operand(L, j);
			if (e == s) {
				text = false;
				break;
			}
			bool arith = false;
			while (is_binop(&v[e], &text_op, &compare) && !text_op && !compare) {
				size_t e2 = skip_operand(L, e + 1);
				if (e2 == e + 1)
					break;
				e = e2;
				arith = true;
			}
			if (n_ops < 64) {
				ops[n_ops][0] = s;
				ops[n_ops][1] = arith ? NONE : e;   /* NONE: arithmetic, a number */
				n_ops++;
			}
			j = e;
			if (is_binop(&v[j], &text_op, &compare) && compare) {
				text = false;   /* a comparison: a boolean, no text; up to `or`/`and` */
				for (;;) {
					size_t e2 = skip_operand(L, j + 1);
					if (e2 == j + 1) {
						j = e2;
						break;
					}
					j = e2;
					if (!is_binop(&v[j], &text_op, &compare) || is_name(&v[j], "or") ||
					    is_name(&v[j], "and"))
						break;
				}
				break;
			}
			if (!is_op(&v[j], ".."))
				break;
			j++;
		}
		if (text && n_ops == 1 && ops[0][1] != NONE) {
			one_operand(L, ops[0][0], ops[0][1], out);
		} else if (text && n_ops > 0) {
			struct kb_buf b = KB_BUF_INIT;
			bool lit = false;
			for (size_t k = 0; k < n_ops; k++) {
				if (ops[k][1] == NONE) {
					kb_buf_adds(&b, "%s");
					continue;
				}
				struct alts sub = {0};
				size_t s = ops[k][0];
				one_operand(L, s, ops[k][1], &sub);
				/* a literal, a format, parentheses: their one text is part of this one */
				bool inline_it = v[s].k == T_STRING || is_op(&v[s], "(") || is_name(&v[s], "string");
				if (sub.n == 1 && inline_it) {
					kb_buf_adds(&b, sub.v[0].t);   /* a literal, a format, one text in parentheses */
					lit = lit || sub.v[0].lit;
				} else {
					kb_buf_adds(&b, "%s");
					emit(L, &sub);   /* a variable's texts: translated inside this one */
				}
				alts_free(&sub);
			}
			kb_buf_adds(&b, "");
			alts_add(out, kb_buf_detach(&b), lit, v[ops[0][0]].line);
		}
		if (!is_name(&v[j], "or") && !is_name(&v[j], "and"))
			return;
		j++;
	}
}

/* every `target, ... = value, ...` outside a table: what each name is given */
static void find_assignments(struct lua *L)
{
	const struct tok *v = L->v;
	size_t cap = 0;
	for (size_t i = 1; i < L->n; i++) {
		if (is_name(&v[i], "table") && is_op(&v[i + 1], ".") && is_name(&v[i + 2], "insert") &&
		    is_op(&v[i + 3], "(") && v[i + 4].k == T_NAME && !is_keyword(&v[i + 4])) {
			/* table.insert(list, [pos,] value), list a name or name[k]: an element of list */
			size_t e = skip_expr(L, i + 4), val = NONE;
			if (is_op(&v[e], ",")) {
				val = e + 1;
				size_t e2 = skip_expr(L, val);
				if (is_op(&v[e2], ","))
					val = e2 + 1;
			}
			if (val != NONE) {
				if (L->n_as == cap) {
					cap = cap ? cap * 2 : 64;
					L->as = kb_realloc(L->as, cap * sizeof *L->as);
				}
				L->as[L->n_as++] = (struct assign){kb_asprintf("%s[]", v[i + 4].s), val};
			}
			continue;
		}
		if (!is_op(&v[i], "="))
			continue;
		size_t o = L->up[i];
		if (o != NONE && is_op(&v[o], "{") && v[i - 1].k == T_NAME &&
		    (is_op(&v[i - 2], "{") || is_op(&v[i - 2], ",") || is_op(&v[i - 2], ";"))) {
			/* a field of a table, { text = ... }: what x.text may hold */
			if (L->n_as == cap) {
				cap = cap ? cap * 2 : 64;
				L->as = kb_realloc(L->as, cap * sizeof *L->as);
			}
			L->as[L->n_as++] = (struct assign){kb_asprintf(".%s", v[i - 1].s), i + 1};
			continue;
		}
		if (o != NONE && v[o].k == T_OP)
			continue;   /* a key, an argument */
		char *keys[32];
		size_t nk = 0;
		size_t k = i - 1;
		for (;;) {
			bool indexed = false;
			if (is_op(&v[k], "]") && L->up[k] != NONE && k > 0) {
				size_t open = L->up[k];   /* the "[" this closes */
				if (!is_op(&v[open], "[") || open == 0)
					break;
				k = open - 1;
				indexed = true;
			}
			if (v[k].k != T_NAME || is_keyword(&v[k]))
				break;
			if (k > 0 && (is_op(&v[k - 1], ".") || is_op(&v[k - 1], ":")))
				break;
			if (nk < 32)
				keys[nk++] = kb_asprintf("%s%s", v[k].s, indexed ? "[]" : "");
			if (k < 2 || !is_op(&v[k - 1], ","))
				break;
			k -= 2;
		}
		/* keys are last first; the values are in the order of the targets */
		size_t j = i + 1;
		for (size_t t = nk; t-- > 0;) {
			if (L->n_as == cap) {
				cap = cap ? cap * 2 : 64;
				L->as = kb_realloc(L->as, cap * sizeof *L->as);
			}
			L->as[L->n_as++] = (struct assign){keys[t], j};
			if (t > 0) {
				size_t e = skip_expr(L, j);
				if (!is_op(&v[e], ","))
					j = L->n - 1;   /* the rest are given nothing (the EOF) */
				else
					j = e + 1;
			}
		}
	}
}

void kb_i18n_check_templates(struct kb_i18n_strings *out, const char *src, const char *name)
{
	struct lua L = {.out = out, .file = name};
	L.v = lex(src, &L.n);
	L.match = kb_calloc(L.n, sizeof *L.match);
	L.up = kb_calloc(L.n, sizeof *L.up);
	size_t *stack = kb_calloc(L.n + 1, sizeof *stack), depth = 0;
	for (size_t i = 0; i < L.n; i++) {
		L.match[i] = L.n - 1;
		if (is_closer(&L.v[i]) && depth) {
			/* a closer is inside its opener: the "]" of t[k] is up from its "[" */
			L.up[i] = stack[--depth];
			L.match[L.up[i]] = i;
			continue;
		}
		L.up[i] = depth ? stack[depth - 1] : NONE;
		if (is_opener(&L.v[i]))
			stack[depth++] = i;
	}
	free(stack);
	find_assignments(&L);
	const struct tok *v = L.v;
	for (size_t i = 0; i + 1 < L.n; i++) {
		size_t o = L.up[i];
		bool in_table = o != NONE && is_op(&v[o], "{");
		struct alts a = {0};
		if (in_table && (is_name(&v[i], "expected") || is_name(&v[i], "hint") || is_name(&v[i], "seen")) &&
		    is_op(&v[i + 1], "=") && !(i > 0 && is_op(&v[i - 1], "."))) {
			expr_alts(&L, i + 2, &a);
		} else if (i + 3 < L.n && is_name(&v[i], "kb") && is_op(&v[i + 1], ".") && is_name(&v[i + 2], "expect") &&
			   is_op(&v[i + 3], "(")) {
			/* kb.expect(condition, expected, ...): the second argument */
			size_t j = skip_expr(&L, i + 4);
			if (is_op(&v[j], ","))
				expr_alts(&L, j + 1, &a);
		}
		emit_as(&L, &a, false);
		alts_free(&a);
	}
	for (size_t i = 0; i < L.n_as; i++)
		free(L.as[i].key);
	free(L.as);
	free(L.match);
	free(L.up);
	for (size_t i = 0; i < L.n; i++)
		free(L.v[i].s);
	free(L.v);
}

/* ---- the PO template ---------------------------------------------------------------------------- */

char *kb_po_escape(const char *s)
{
	struct kb_buf b = KB_BUF_INIT;
	for (; *s; s++) {
		switch (*s) {
		case '\\': kb_buf_adds(&b, "\\\\"); break;
		case '"': kb_buf_adds(&b, "\\\""); break;
		case '\n': kb_buf_adds(&b, "\\n"); break;
		case '\t': kb_buf_adds(&b, "\\t"); break;
		default: kb_buf_add(&b, s, 1);
		}
	}
	kb_buf_adds(&b, "");
	return kb_buf_detach(&b);
}

int kb_i18n_write_pot(const char *path, const struct kb_i18n_strings *s, const char *project)
{
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_printf(&b,
		      "# The English of %s to translate: `kbridge pack pot` writes this file from the\n"
		      "# pack, do not edit it. Start a language with\n"
		      "#   msginit --no-translator -l zh_CN -i po/%s -o po/zh-CN.po\n"
		      "# and bring it up to date after the English changed with\n"
		      "#   msgmerge --previous --update --backup=none po/zh-CN.po po/%s\n"
		      "# (docs/authoring.md, \"Translations\").\n"
		      "#, fuzzy\n"
		      "msgid \"\"\n"
		      "msgstr \"\"\n"
		      "\"Project-Id-Version: %s\\n\"\n"
		      "\"Language: \\n\"\n"
		      "\"MIME-Version: 1.0\\n\"\n"
		      "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
		      "\"Content-Transfer-Encoding: 8bit\\n\"\n",
		      project, strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
		      strrchr(path, '/') ? strrchr(path, '/') + 1 : path, project);
	for (size_t i = 0; i < s->n; i++) {
		const struct kb_i18n_string *e = &s->v[i];
		if (e->page)
			continue;
		char *ctx = kb_po_escape(e->ctx), *id = kb_po_escape(e->english);
		kb_buf_printf(&b, "\n#: %s:%d\n%smsgctxt \"%s\"\nmsgid \"%s\"\nmsgstr \"\"\n", e->file, e->line,
			      e->format ? "#, c-format\n" : "", ctx, id);
		free(ctx);
		free(id);
	}
	int rc = kb_write_file_atomic(path, b.data, b.len, 0644);
	kb_buf_free(&b);
	return rc;
}

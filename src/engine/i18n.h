/* i18n.h - lesson packs in more than one language: the language chosen, the gettext PO
 * catalogs a pack carries beside its lessons, translated pages, and what is left to
 * translate (docs/authoring.md, "Translations", is the translator's guide).
 *
 *   PACK/po/zh-CN.po            pack.lua's title and description
 *   PACK/LESSON/po/zh-CN.po     the lesson's strings, one entry each:
 *                                 msgctxt "task:greet/hint:2"      a stable key
 *                                 msgid   "Use %s in the format..." the English it translates
 *                                 msgstr  "..."                    the translation
 *   PACK/LESSON/intro.zh-CN.md  a page, whole, whose first line records the English file it
 *                               translates by its git blob id (`git hash-object intro.md`):
 *                                 [//]: # (kbridge translation of intro.md 3b18e51...)
 *
 * A string is translated when its key has an entry whose msgid is the English the lesson
 * has now, not fuzzy, with a non-empty msgstr. When the English changed (msgid differs, or
 * msgmerge marked the entry fuzzy) the entry is stale; stale and missing strings are shown
 * in English, each alone. The keys: "pack/title", "pack/description"; "lesson/title",
 * "lesson/summary", "lesson/milestone", "lesson/source"; "page:FILE/title";
 * "quiz:ID/question", "quiz:ID/choice:N", "quiz:ID/explain"; "task:ID/title",
 * "task:ID/goal", "task:ID/hint:N" (N from 1); "check" for what a check records.
 *
 * A check's texts (expected, seen and hint of kb.expect* and their options) are made at run
 * time, often by concatenation. `kbridge pack pot` finds each such expression in lesson.lua
 * (a field expected, seen or hint of a table, and the second argument of kb.expect) and
 * turns it into a template: its string literals kept, every other operand a "%s"
 * (a literal '%' doubled): "insmod " .. name .. ".ko succeeds" -> "insmod %s.ko succeeds".
 * A format (("%d calls"):format(n), string.format(...)) keeps its text, each conversion an
 * operand of its kind: "%d" an integer, "%x" hex digits, "%f" a number, "%s" any text; parentheses are looked into; a variable is followed to every value the file
 * assigns it (local or not, name[k] too), x.field to the fields of that name in its
 * tables, table.concat(list) to what table.insert and list[...] = put in list, a call of
 * a function of the file to what it returns. The texts of such a variable, call or parenthesised choice that is an operand
 * (and of a format's argument shown with %s) are templates of their own.
 * When a check records a text, it is matched against the "check" templates of its
 * lesson's catalog; the msgstr of the match is filled with the same operands, in order or
 * by position ("%2$s"), each operand translated in turn when it is itself a check text;
 * a text of several lines no template matches whole is translated a run of lines at a
 * time.
 *
 * The language: kb_i18n_init() takes --lang, else LANGUAGE, LC_ALL, LC_MESSAGES, LANG in
 * gettext's order; it needs no installed locale (C.UTF-8 is enough: the catalogs are read
 * by kbridge, not by setlocale).
 */
#ifndef KB_I18N_H
#define KB_I18N_H

#include <stdbool.h>
#include <stddef.h>

struct kb_pack;
struct kb_lesson;
struct kb_check_result;

/* ---- the language ----------------------------------------------------------------------- */

/* A language tag from a locale name or a tag: "zh_CN.UTF-8" and "zh-cn" -> "zh-CN", "zh" and
 * "zh-Hans" -> "zh-CN", "fr_FR@euro" -> "fr-FR"; NULL for English and the C locale ("C",
 * "POSIX", "C.UTF-8", "en", "en_US.UTF-8", "") and for names that are no language. Caller
 * frees. */
char *kb_lang_normalize(const char *name);

/* The language to show: `opt` (--lang) when not NULL, else the environment as gettext reads
 * it: LANGUAGE's first entry (a colon list; ignored when the locale is "C" or "POSIX"), else
 * the first of LC_ALL, LC_MESSAGES, LANG that is set and not empty. NULL: English. Caller
 * frees. */
char *kb_lang_choose(const char *opt);

/* Choose the language (kb_lang_choose(opt)) for the whole process; `opt` non-NULL means it
 * was asked for with --lang (kb_i18n_lang_asked()). Packs loaded after it are translated.
 * Returns 0, or KB_EINVAL when opt names no language (kb_error_last() says so). */
int kb_i18n_init(const char *opt);
/* The chosen language tag ("zh-CN"), or NULL for English. */
const char *kb_i18n_lang(void);
/* True when --lang chose it. */
bool kb_i18n_lang_asked(void);
/* Show packs loaded from now on in `lang` (NULL: English) without changing what
 * kb_i18n_lang() reports: `pack validate` reads the English it audits this way. */
void kb_i18n_show(const char *lang);

/* ---- catalogs (gettext PO files) ----------------------------------------------------------- */

struct kb_catalog_entry {
	char *ctx;        /* msgctxt: the key ("task:greet/hint:2"); "" when none */
	char *msgid;      /* the English it translates */
	char *msgstr;     /* the translation; "" when not yet translated */
	bool fuzzy;       /* marked fuzzy (msgmerge does when the English changed) */
	int line;         /* of the entry (its msgctxt) in the PO file; 0 when not found */
};

struct kb_catalog {
	char *name;       /* how messages name the file: "hello/po/zh-CN.po" */
	struct kb_catalog_entry *e;
	size_t n;
};

/* Read a PO file with libgettextpo (obsolete "#~" entries are left out). `name` names it in
 * messages. Returns 0, KB_ENOTFOUND, or KB_ELESSON with kb_error_last() =
 * "hello/po/zh-CN.po:12: message" for a file gettext cannot parse. *c is freed with
 * kb_catalog_free() either way. */
int kb_catalog_load(struct kb_catalog *c, const char *path, const char *name);
void kb_catalog_free(struct kb_catalog *c);

enum kb_tr_state {
	KB_TR_OK,         /* translated for the English given */
	KB_TR_MISSING,    /* no entry for the key, or an empty msgstr */
	KB_TR_STALE,      /* an entry for the key translates other English, or is fuzzy */
	KB_TR_BROKEN,     /* a check template whose msgstr has other "%s" than its msgid */
};
const char *kb_tr_state_name(enum kb_tr_state s);   /* "translated", "untranslated", "stale", "broken" */

/* The translation of `english` under key `ctx`, or NULL (then *state, when not NULL, says
 * why); the entry found for the key, when entry is not NULL (NULL when none). The string
 * belongs to the catalog. c may be NULL (no catalog: missing). */
const char *kb_catalog_get(const struct kb_catalog *c, const char *ctx, const char *english,
			   enum kb_tr_state *state, const struct kb_catalog_entry **entry);

/* The translation of `text`, a text a check recorded, by the "check" templates of c: of
 * the translated templates that match the whole of text, the one whose literals (its own
 * and its operands' in turn) account for most of it, its msgstr filled with what each "%s"
 * matched, translated itself when it matches a template. NULL when none matches (show
 * text). Caller frees. */
char *kb_catalog_check_text(const struct kb_catalog *c, const char *text);

/* Match `text` against the template `tmpl` ("%s" matches any text, even empty; "%d" an
 * integer, "%x" hex digits, "%f" a number, none of them empty; "%%" a '%').
 * On a match returns true and, when caps is not NULL, the matched texts in *caps (*n of
 * them, caller frees each and the array). The shortest match is taken for each "%s". */
bool kb_template_match(const char *tmpl, const char *text, char ***caps, size_t *n);
/* Fill `tmpl` with caps: "%s" (or "%d", "%x", "%f") takes the next one, "%N$s" the Nth
 * (from 1), "%%" is '%'.
 * Returns NULL when tmpl names one that is not there. Caller frees. */
char *kb_template_fill(const char *tmpl, char *const *caps, size_t n);

/* ---- pages --------------------------------------------------------------------------------- */

/* The translated page beside `file` ("intro.md") of the lesson folder dir: "intro.zh-CN.md".
 * Returns its state: KB_TR_OK with *path (absolute, caller frees) when its first line records
 * the git blob id of the English file as it is now; KB_TR_STALE (*path still set) when it
 * records another one, or none; KB_TR_MISSING (*path NULL) when there is no such file.
 * *recorded (when not NULL) gets the blob id the translation records (or NULL), *now the
 * English file's; caller frees both. */
enum kb_tr_state kb_page_translation(char **path, char **recorded, char **now, const char *dir,
				     const char *file, const char *lang);

/* The git blob id of a file's bytes, as `git hash-object FILE` prints it (40 hex digits and
 * a NUL into out). Returns 0 or KB_EIO. */
int kb_blob_id(char out[41], const char *path);

/* ---- applying a language to a pack --------------------------------------------------------- */

/* Translate the model in place into `lang`: l's strings and page paths when l is not NULL,
 * else p's title and description. Missing and stale strings stay English. A catalog that
 * cannot be read leaves the English and a note on stderr. The lesson's catalog is kept
 * (for kb_i18n_result) until the process ends. */
void kb_i18n_translate(struct kb_pack *p, struct kb_lesson *l, const char *lang);

/* Translate what a check recorded (each expectation's expected, seen and hint) by the
 * "check" templates of lesson l, in the language packs are shown in. Does nothing in
 * English or when l was not translated. */
void kb_i18n_result(struct kb_check_result *res, const struct kb_lesson *l);

/* ---- what there is to translate ------------------------------------------------------------ */

/* One string of a pack a translator can translate. */
struct kb_i18n_string {
	char *ctx;        /* the key */
	char *english;    /* the English now (a "check" template for check texts) */
	char *file;       /* where the English is: "hello/lesson.lua", "pack.lua", "hello/intro.md" */
	int line;         /* there (0: the whole file, a page) */
	bool format;      /* a check template: "%s" are operands (c-format in PO) */
	bool page;        /* a whole page (ctx "page:FILE"): translated by a file, not by PO */
};

struct kb_i18n_strings {
	struct kb_i18n_string *v;
	size_t n, cap;
};

/* Every translatable string of lesson l (loaded in English; pages included), in the order
 * of lesson.lua, or of the pack p when l is NULL. Check templates are found by reading
 * l's lesson.lua (see the top of this file). Appends to out. */
void kb_i18n_collect(struct kb_i18n_strings *out, const struct kb_pack *p, const struct kb_lesson *l);
void kb_i18n_strings_free(struct kb_i18n_strings *s);

/* The check templates of Lua source `src` (kb_i18n_collect uses it): appended to out with
 * ctx "check", file `name` and the line of the expression. Repeated templates once. */
void kb_i18n_check_templates(struct kb_i18n_strings *out, const char *src, const char *name);

/* Write the PO template of s (all strings but pages) to `path`: a header, then per string
 * its reference ("#: hello/lesson.lua:12"), "#, c-format" for check templates, msgctxt,
 * msgid and an empty msgstr. Returns 0 or a negative KB_E*. */
int kb_i18n_write_pot(const char *path, const struct kb_i18n_strings *s, const char *project);

/* Escape a string for a PO file's quotes (\\, \", \n, \t); caller frees. */
char *kb_po_escape(const char *s);

#endif

/* intl.h - kbridge's own words (screens, CLI messages, --help, the human text of a check
 * report) in the learner's language, through GNU gettext.
 *
 * The catalogs: assets/po/kbridge.pot is the template `make pot` extracts from src/ (the
 * keywords _, N_ and kb_error_set's format), assets/po/zh_CN.po its Simplified Chinese
 * translation; `make` compiles each to obj/locale/LANG/LC_MESSAGES/kbridge.mo and `make
 * install` to $(PREFIX)/share/locale. Lesson packs carry their own translations
 * (engine/i18n.h); this is only the program's text.
 *
 * Machine-readable output never goes through _(): JSON keys and verdicts, JUnit and TAP
 * test ids, exit codes stay the same in every language.
 */
#ifndef KB_INTL_H
#define KB_INTL_H

/* The translation of `english` in the language kb_intl_use() chose, or `english` itself
 * (English, no catalog, or no entry). The result is static: never free it. */
const char *kb_gettext(const char *english);
/* The singular or plural form of a message for `n`, as ngettext(3). */
const char *kb_ngettext(const char *one, const char *many, unsigned long n);

/* The translation of `english` in the context `ctx` (a PO msgctxt): for a message with no
 * word of its own, such as a format of punctuation ("%s (%s):\n%s"), which scripts/po.sh
 * would otherwise leave out of the template. Static result, as kb_gettext(). */
const char *kb_pgettext(const char *ctx, const char *english);

#define _(s) kb_gettext(s)
#define C_(ctx, s) kb_pgettext(ctx, s)
#define N_(s) (s)

/* Use `lang` (a tag as kb_lang_normalize() gives, "zh-CN"; NULL for English) for the
 * program's text from now on. Sets the locale from the environment (LC_NUMERIC stays "C" so
 * numbers in JSON and reports keep a '.'); when a language is asked for and the locale is
 * "C" or "POSIX", uses "C.UTF-8" so the catalog is read and printed in UTF-8 on a machine
 * with no other locale (glibc has C.UTF-8 built in). The catalog is looked for in
 * obj/locale beside the running binary (the build tree), else
 * <binary>/../share/locale (installed), else KB_LOCALEDIR; KBRIDGE_LOCALEDIR overrides.
 * Sets LANGUAGE so kbridge processes started from this one speak the same language. */
void kb_intl_use(const char *lang);

/* The folder the catalogs were looked for in (after kb_intl_use), or NULL. */
const char *kb_intl_dir(void);

#endif

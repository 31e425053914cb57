/* cli_pack_i18n.h - a pack's translations from the command line (cli_pack_i18n.c): what
 * `pack validate` says of them, `kbridge pack pot`, and `pack new`'s translated example. */
#ifndef KB_CLI_PACK_I18N_H
#define KB_CLI_PACK_I18N_H

/* The translations of the pack folder dir, for `pack validate`. With --lang TAG
 * (kb_i18n_lang_asked()): one "FAIL" line per untranslated, stale or broken string, naming
 * its file:line (the PO entry of a stale one, and where the English is now), then one line
 * for the language, ok when nothing is left (entries no string has now are named as
 * "unused", not counted); each FAIL adds to *failed, the language's line
 * to *passed or *failed. Without: one line per language found in the pack's po/ folders,
 * counting translated, stale and untranslated strings (adds to neither). The pack is read
 * in English whatever language is shown. Returns 0, or what kb_pack_load() returns. */
int cli_pack_translations(const char *dir, int *passed, int *failed);

/* `kbridge pack pot PACK` (argv[0] is "pot"): write PACK/po/pack.pot and each
 * PACK/LESSON/po/lesson.pot from the English. Returns the exit status. */
int cli_pack_pot(int argc, char **argv);

/* The example lesson of `pack new` in Simplified Chinese, into the new pack folder dir:
 * po/zh-CN.po, hello/po/zh-CN.po and hello/intro.zh-CN.md (recording intro.md's blob id, so written
 * after it). Returns 0 or a negative KB_E*. */
int cli_pack_new_translation(const char *dir);

#endif

/* cli_pack_i18n.c - a pack's translations from the command line: what `pack validate` says
 * of them, `kbridge pack pot` (the PO templates a translator starts from), and the
 * translated example `pack new` writes. See engine/i18n.h for the design. */
#define _GNU_SOURCE
#include "cli/cli_pack_i18n.h"
#include "cli/cli.h"
#include "engine/i18n.h"
#include "engine/lesson.h"
#include "base/util.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- auditing one language ------------------------------------------------------------------ */

struct tally {
	int total, ok, stale, missing, broken;
};

/* the English, cut for one line */
static char *shorten(const char *s)
{
	struct kb_buf b = KB_BUF_INIT;
	size_t n = 0;
	for (const char *p = s; *p && n < 70; p++, n++)
		kb_buf_adds(&b, *p == '\n' ? "\\n" : (char[]){*p, 0});
	if (strlen(s) > 70)
		kb_buf_adds(&b, "...");
	kb_buf_adds(&b, "");
	return kb_buf_detach(&b);
}

static void say(bool verbose, int *failed, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(bool verbose, int *failed, const char *fmt, ...)
{
	if (!verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("FAIL ", stdout);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	(*failed)++;
}

/* The strings of s against the catalog of folder dir (rel: "" or "hello/"), in lang. */
static void audit(struct tally *t, const struct kb_i18n_strings *s, const char *dir, const char *rel,
		  const char *lang, bool verbose, int *failed)
{
	char *po = kb_asprintf("%s/po/%s.po", dir, lang);
	char *po_name = kb_asprintf("%spo/%s.po", rel, lang);
	struct kb_catalog cat = {0};
	bool have = kb_path_exists(po);
	if (have && kb_catalog_load(&cat, po, po_name) < 0) {
		say(verbose, failed, "%s: %s", lang, kb_error_last());
		have = false;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct kb_i18n_string *e = &s->v[i];
		t->total++;
		char *en = shorten(e->english);
		if (e->page) {
			char *path, *rec, *now;
			const char *slash = strrchr(e->file, '/');
			enum kb_tr_state st = kb_page_translation(&path, &rec, &now, dir, e->english, lang);
			char *tname = path ? kb_asprintf("%.*s%s", slash ? (int)(slash - e->file + 1) : 0, e->file,
							 strrchr(path, '/') + 1) : NULL;
			if (st == KB_TR_OK) {
				t->ok++;
			} else if (st == KB_TR_STALE) {
				t->stale++;
				if (rec)
					say(verbose, failed, _("%s:1: stale: translates %s as it was (blob %.12s), but it is now "
					    "%.12s: `git diff %.12s %.12s` shows what changed"), tname, e->english, rec,
					    now ? now : "?", rec, now ? now : "?");
				else
					say(verbose, failed, _("%s:1: stale: its first line does not record the English it translates: "
					    "[//]: # (kbridge translation of %s %s)"), tname, e->english, now ? now : "?");
			} else {
				t->missing++;
				say(verbose, failed, _("%s: untranslated: page %s has no %s translation"), e->file, e->english,
				    lang);
			}
			free(tname);
			free(path);
			free(rec);
			free(now);
			free(en);
			continue;
		}
		enum kb_tr_state st;
		const struct kb_catalog_entry *ce;
		kb_catalog_get(have ? &cat : NULL, e->ctx, e->english, &st, &ce);
		if (st == KB_TR_OK) {
			t->ok++;
		} else if (st == KB_TR_STALE) {
			t->stale++;
			char *old = shorten(ce->msgid);
			say(verbose, failed,
			    ce->fuzzy ? _("%s:%d: stale: %s translates \"%s\" (fuzzy), but %s:%d now says \"%s\"")
				      : _("%s:%d: stale: %s translates \"%s\", but %s:%d now says \"%s\""),
			    po_name, ce->line, e->ctx, old, e->file, e->line, en);
			free(old);
		} else if (st == KB_TR_BROKEN) {
			t->broken++;
			say(verbose, failed, _("%s:%d: broken: %s: the translation must use the %%s of \"%s\" (in order, or "
			    "as %%1$s, %%2$s...)"), po_name, ce->line, e->ctx, en);
		} else {
			t->missing++;
			say(verbose, failed, _("%s:%d: untranslated: %s \"%s\""), e->file, e->line, e->ctx, en);
		}
		free(en);
	}
	/* entries no string has now (a hint removed, a check's text reworded): said, not
	   counted; msgmerge makes them obsolete (#~) */
	for (size_t k = 0; verbose && have && k < cat.n; k++) {
		const struct kb_catalog_entry *ce = &cat.e[k];
		bool used = false;
		for (size_t i = 0; i < s->n && !used; i++)
			used = strcmp(s->v[i].ctx, ce->ctx) == 0 &&
			       (strcmp(ce->ctx, "check") != 0 || strcmp(s->v[i].english, ce->msgid) == 0);
		if (!used) {
			char *old = shorten(ce->msgid);
			fputs("     ", stdout);
			printf(_("%s:%d: unused: %s \"%s\" is no string of the lesson now"), po_name, ce->line, ce->ctx,
			       old);
			putchar('\n');
			free(old);
		}
	}
	kb_catalog_free(&cat);
	free(po);
	free(po_name);
}

/* the tags of the PO files in dir/po (appended to langs once each) */
static void po_langs(struct kb_strv *langs, const char *dir)
{
	char *po = kb_path_join(dir, "po");
	DIR *d = opendir(po);
	free(po);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!kb_str_ends(e->d_name, ".po"))
			continue;
		char *tag = kb_strndup(e->d_name, strlen(e->d_name) - 3);
		bool seen = false;
		for (size_t i = 0; i < langs->n; i++)
			seen |= strcmp(langs->v[i], tag) == 0;
		if (!seen)
			kb_strv_push(langs, tag);
		free(tag);
	}
	closedir(d);
}

int cli_pack_translations(const char *dir, int *passed, int *failed)
{
	const char *asked = kb_i18n_lang_asked() ? kb_i18n_lang() : NULL;
	/* the English is what is audited */
	kb_i18n_show(NULL);
	struct kb_pack p;
	int rc = kb_pack_load(&p, dir);
	kb_i18n_show(kb_i18n_lang());
	if (rc < 0) {
		kb_pack_free(&p);
		return rc;
	}
	struct kb_strv langs = {0};
	if (asked) {
		kb_strv_push(&langs, asked);
	} else {
		po_langs(&langs, p.dir);
		for (size_t i = 0; i < p.n_lessons; i++)
			po_langs(&langs, p.lessons[i].dir);
	}
	for (size_t k = 0; k < langs.n; k++) {
		const char *lang = langs.v[k];
		struct tally t = {0};
		int before = *failed;
		struct kb_i18n_strings s = {0};
		kb_i18n_collect(&s, &p, NULL);
		audit(&t, &s, p.dir, "", lang, asked != NULL, failed);
		kb_i18n_strings_free(&s);
		for (size_t i = 0; i < p.n_lessons; i++) {
			struct kb_lesson *l = &p.lessons[i];
			if (l->error)
				continue;
			kb_i18n_collect(&s, &p, l);
			char *rel = kb_asprintf("%s/", l->id);
			audit(&t, &s, l->dir, rel, lang, asked != NULL, failed);
			free(rel);
			kb_i18n_strings_free(&s);
		}
		if (asked) {
			bool ok = *failed == before;
			printf("%s ", ok ? "ok  " : "FAIL");
			printf(t.broken ? _("%s: %d of %d strings translated (%d stale, %d untranslated, some broken)")
					: _("%s: %d of %d strings translated (%d stale, %d untranslated)"),
			       lang, t.ok, t.total, t.stale, t.missing);
			putchar('\n');
			if (ok)
				(*passed)++;
			else
				(*failed)++;
		} else {
			fputs("     ", stdout);
			printf(_("%s: %d of %d strings translated, %d stale, %d untranslated (pack validate --lang %s "
				 "lists them)"), lang, t.ok, t.total, t.stale, t.missing + t.broken, lang);
			putchar('\n');
		}
	}
	kb_strv_free(&langs);
	kb_pack_free(&p);
	return 0;
}

/* ---- pack pot ---------------------------------------------------------------------------------- */

static const char *const pot_help = N_(
	"usage: kbridge pack pot PACK\n"
	"\n"
	"Write the PO templates of a pack folder from its English: PACK/po/pack.pot (pack.lua's\n"
	"title and description) and PACK/LESSON/po/lesson.pot for each lesson (titles, pages'\n"
	"titles, quizzes, tasks, hints, and the texts its checks record), each string with a\n"
	"stable key (msgctxt) and where it is. A translator starts a language with msginit and\n"
	"brings it up to date with msgmerge (docs/authoring.md, \"Translations\").\n");

int cli_pack_pot(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		cli_usage(_(pot_help));
		return argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) ? 0 : 2;
	}
	kb_i18n_show(NULL);
	struct kb_pack p;
	int rc = kb_pack_load(&p, argv[1]);
	if (rc < 0) {
		fprintf(stderr, "kbridge pack pot: %s\n", kb_error_last());
		kb_pack_free(&p);
		return 1;
	}
	int bad = 0;
	for (size_t i = 0; i <= p.n_lessons; i++) {
		struct kb_lesson *l = i < p.n_lessons ? &p.lessons[i] : NULL;
		if (l && l->error) {
			fprintf(stderr, "kbridge pack pot: %s\n", l->error);
			bad++;
			continue;
		}
		struct kb_i18n_strings s = {0};
		kb_i18n_collect(&s, &p, l);
		char *podir = kb_path_join(l ? l->dir : p.dir, "po");
		char *path = kb_path_join(podir, l ? "lesson.pot" : "pack.pot");
		char *project = l ? kb_asprintf("%s/%s", p.name, l->id) : kb_strdup(p.name);
		rc = kb_mkdir_p(podir, 0755);
		if (!rc)
			rc = kb_i18n_write_pot(path, &s, project);
		size_t n = 0;
		for (size_t k = 0; k < s.n; k++)
			n += !s.v[k].page;
		if (rc < 0) {
			fprintf(stderr, "kbridge pack pot: %s\n", kb_error_last());
			bad++;
		} else {
			printf(kb_ngettext("%s/po/%s: %zu string", "%s/po/%s: %zu strings", n), l ? l->id : ".",
			       l ? "lesson.pot" : "pack.pot", n);
			putchar('\n');
		}
		free(project);
		free(path);
		free(podir);
		kb_i18n_strings_free(&s);
	}
	kb_pack_free(&p);
	return bad ? 1 : 0;
}

/* ---- pack new: the example translated ---------------------------------------------------------- */

static const char hello_zh_po[] =
	"# The example lesson in Simplified Chinese: each entry keeps the English it translates\n"
	"# (msgid) under a stable key (msgctxt). `kbridge pack pot` writes po/lesson.pot;\n"
	"# `msgmerge --previous --update --backup=none po/zh-CN.po po/lesson.pot` brings this file up to date.\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Language: zh_CN\\n\"\n"
	"\"MIME-Version: 1.0\\n\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Content-Transfer-Encoding: 8bit\\n\"\n"
	"\n"
	"msgctxt \"lesson/title\"\n"
	"msgid \"Hello from Rust\"\n"
	"msgstr \"用 Rust 向内核问好\"\n"
	"\n"
	"msgctxt \"lesson/summary\"\n"
	"msgid \"Write a Rust kernel module that greets the kernel log.\"\n"
	"msgstr \"写一个 Rust 内核模块，在内核日志里打个招呼。\"\n"
	"\n"
	"msgctxt \"lesson/milestone\"\n"
	"msgid \"Linux 6.1 merges the first Rust support\"\n"
	"msgstr \"Linux 6.1 合入最初的 Rust 支持\"\n"
	"\n"
	"msgctxt \"lesson/source\"\n"
	"msgid \"Linux 6.1 release notes\"\n"
	"msgstr \"Linux 6.1 发布说明\"\n"
	"\n"
	"msgctxt \"quiz:quiz1/question\"\n"
	"msgid \"Which macro declares a Rust kernel module?\"\n"
	"msgstr \"声明 Rust 内核模块用的是哪个宏？\"\n"
	"\n"
	"msgctxt \"quiz:quiz1/choice:1\"\n"
	"msgid \"module!\"\n"
	"msgstr \"module!\"\n"
	"\n"
	"msgctxt \"quiz:quiz1/choice:2\"\n"
	"msgid \"MODULE_LICENSE\"\n"
	"msgstr \"MODULE_LICENSE\"\n"
	"\n"
	"msgctxt \"quiz:quiz1/choice:3\"\n"
	"msgid \"#[kernel_module]\"\n"
	"msgstr \"#[kernel_module]\"\n"
	"\n"
	"msgctxt \"quiz:quiz1/explain\"\n"
	"msgid \"module! names the type that implements kernel::Module, and the\\nmodule's name, author, description and license.\"\n"
	"msgstr \"module! 写明实现 kernel::Module 的类型，\\n以及模块的名字、作者、描述和许可证。\"\n"
	"\n"
	"msgctxt \"task:greet/title\"\n"
	"msgid \"Greet the kernel log\"\n"
	"msgstr \"向内核日志问好\"\n"
	"\n"
	"msgctxt \"task:greet/goal\"\n"
	"msgid \"Make hello_rust print 'Hello from Rust' to the kernel log when it is loaded.\"\n"
	"msgstr \"让 hello_rust 在加载时向内核日志打印 'Hello from Rust'。\"\n"
	"\n"
	"msgctxt \"task:greet/hint:1\"\n"
	"msgid \"The module's init function runs when insmod loads it.\"\n"
	"msgstr \"insmod 加载模块时，会调用它的 init 函数。\"\n"
	"\n"
	"msgctxt \"task:greet/hint:2\"\n"
	"msgid \"pr_info! works like C's pr_info: pr_info!(\\\"text\\\\n\\\").\"\n"
	"msgstr \"pr_info! 的用法和 C 的 pr_info 一样：pr_info!(\\\"text\\\\n\\\")。\"\n"
	"\n"
	"msgctxt \"check\"\n"
	"msgid \"print with pr_info! before returning Ok\"\n"
	"msgstr \"在返回 Ok 之前用 pr_info! 打印\"\n";

static const char pack_zh_po[] =
	"# pack.lua's strings in Simplified Chinese (the lessons' are in each lesson's po/)\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Language: zh_CN\\n\"\n"
	"\"MIME-Version: 1.0\\n\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\"Content-Transfer-Encoding: 8bit\\n\"\n"
	"\n"
	"msgctxt \"pack/title\"\n"
	"msgid \"My kbridge lessons\"\n"
	"msgstr \"我的 kbridge 课程\"\n";

static const char hello_zh_page[] =
	"[//]: # (kbridge translation of intro.md %s)\n"
	"\n"
	"# 用 Rust 向内核问好\n"
	"\n"
	"Linux 6.1 是第一个能编译 Rust 内核代码的版本。Rust 模块就是一个实现了\n"
	"`kernel::Module` 的类型，用 `module!` 宏声明；模块加载时会调用它的 `init`。\n"
	"\n"
	"你的任务：让这个模块向内核日志打印 **Hello from Rust**。\n";

int cli_pack_new_translation(const char *dir)
{
	char *po = kb_path_join(dir, "hello/po/zh-CN.po");
	char *podir = kb_path_join(dir, "hello/po");
	char *en = kb_path_join(dir, "hello/intro.md");
	char *zh = kb_path_join(dir, "hello/intro.zh-CN.md");
	char id[41];
	char *pack_po = kb_path_join(dir, "po/zh-CN.po");
	char *pack_podir = kb_path_join(dir, "po");
	int rc = kb_mkdir_p(podir, 0755);
	if (!rc)
		rc = kb_mkdir_p(pack_podir, 0755);
	if (!rc)
		rc = kb_write_file_atomic(pack_po, pack_zh_po, strlen(pack_zh_po), 0644);
	if (!rc)
		rc = kb_write_file_atomic(po, hello_zh_po, strlen(hello_zh_po), 0644);
	if (!rc)
		rc = kb_blob_id(id, en);
	if (!rc) {
		char *page = kb_asprintf(hello_zh_page, id);
		rc = kb_write_file_atomic(zh, page, strlen(page), 0644);
		free(page);
	}
	free(pack_po);
	free(pack_podir);
	free(po);
	free(podir);
	free(en);
	free(zh);
	return rc;
}

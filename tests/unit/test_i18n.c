/* test_i18n.c - translations of lesson packs (engine/i18n.h): language tags, check
 * templates found in Lua and matched at record time, PO catalogs read with libgettextpo
 * (translated, stale, fuzzy, missing, broken), and pages tied to their English by blob id. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "engine/i18n.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void expect_tag(const char *name, const char *want)
{
	char *got = kb_lang_normalize(name);
	if (!want && got)
		fail_msg("'%s' -> '%s', want English (NULL)", name, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("'%s' -> '%s', want '%s'", name, got ? got : "(NULL)", want);
	free(got);
}

static void test_lang_tags(void **s)
{
	expect_tag("zh_CN.UTF-8", "zh-CN");
	expect_tag("zh-cn", "zh-CN");
	expect_tag("zh", "zh-CN");
	expect_tag("zh-Hans", "zh-CN");
	expect_tag("zh_TW.UTF-8", "zh-TW");
	expect_tag("fr_FR@euro", "fr-FR");
	expect_tag("C", NULL);
	expect_tag("C.UTF-8", NULL);
	expect_tag("POSIX", NULL);
	expect_tag("en_US.UTF-8", NULL);
	expect_tag("en", NULL);
	expect_tag("", NULL);
	expect_tag("!!", NULL);
}

static char *choose(const char *language, const char *all, const char *messages, const char *lang, const char *opt)
{
	const char *names[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
	const char *vals[] = {language, all, messages, lang};
	for (int i = 0; i < 4; i++) {
		if (vals[i])
			setenv(names[i], vals[i], 1);
		else
			unsetenv(names[i]);
	}
	return kb_lang_choose(opt);
}

static void expect_choice(char *got, const char *want)
{
	if ((want == NULL) != (got == NULL) || (want && strcmp(got, want) != 0))
		fail_msg("chose '%s', want '%s'", got ? got : "English", want ? want : "English");
	free(got);
}

static void test_lang_from_environment(void **s)
{
	expect_choice(choose(NULL, NULL, NULL, "zh_CN.UTF-8", NULL), "zh-CN");
	expect_choice(choose(NULL, "zh_CN.UTF-8", NULL, "en_US.UTF-8", NULL), "zh-CN");
	expect_choice(choose(NULL, NULL, "zh_CN.UTF-8", "en_US.UTF-8", NULL), "zh-CN");
	expect_choice(choose(NULL, "", "zh_CN.UTF-8", "C.UTF-8", NULL), "zh-CN");   /* empty counts as unset */
	expect_choice(choose("zh_CN:en", NULL, NULL, "C.UTF-8", NULL), "zh-CN");
	expect_choice(choose("en:zh_CN", "zh_CN.UTF-8", NULL, NULL, NULL), NULL);
	expect_choice(choose("zh_CN", "C", NULL, NULL, NULL), NULL);              /* gettext: not in C */
	expect_choice(choose(NULL, "zh_CN.UTF-8", NULL, NULL, "en"), NULL);       /* --lang wins */
	expect_choice(choose(NULL, NULL, NULL, "C.UTF-8", "zh-CN"), "zh-CN");
	expect_choice(choose(NULL, NULL, NULL, NULL, NULL), NULL);
}

static void test_templates(void **s)
{
	char **caps;
	size_t n;
	assert_true(kb_template_match("insmod %s.ko %s succeeds", "insmod hist.ko samples=1,4 guard=7 succeeds", &caps, &n));
	assert_int_equal(n, 2);
	assert_string_equal(caps[0], "hist");
	assert_string_equal(caps[1], "samples=1,4 guard=7");
	char *out = kb_template_fill("%2$s 时 insmod %1$s.ko 成功", caps, n);
	assert_string_equal(out, "samples=1,4 guard=7 时 insmod hist.ko 成功");
	free(out);
	out = kb_template_fill("加载 %s.ko（%s）成功，100%%", caps, n);
	assert_string_equal(out, "加载 hist.ko（samples=1,4 guard=7）成功，100%");
	free(out);
	assert_null(kb_template_fill("%3$s", caps, n));   /* no third operand */
	for (size_t i = 0; i < n; i++)
		free(caps[i]);
	free(caps);
	assert_true(kb_template_match("50%% of %s", "50% of it", NULL, NULL));
	assert_false(kb_template_match("insmod %s.ko succeeds", "insmod hist.ko fails", NULL, NULL));
	assert_false(kb_template_match("exact", "exactly", NULL, NULL));
	/* an operand of a kind matches only that kind: the list of lines ends where the
	   count begins */
	assert_true(kb_template_match("printed:\n%s\n%d line(s) differ:\n%s", "printed:\na 1\nb 2\n2 line(s) differ:\nx\ny",
				      &caps, &n));
	assert_int_equal(n, 3);
	assert_string_equal(caps[0], "a 1\nb 2");
	assert_string_equal(caps[1], "2");
	for (size_t i = 0; i < n; i++)
		free(caps[i]);
	free(caps);
	assert_true(kb_template_match("rust/c = %f, %d cycles, 0x%x", "rust/c = -1.5e+3, -42 cycles, 0x5416f650", NULL, NULL));
	assert_false(kb_template_match("%d cycles", "many cycles", NULL, NULL));
	assert_false(kb_template_match("%d cycles", "- cycles", NULL, NULL));
	assert_false(kb_template_match("0x%x", "0x", NULL, NULL));
	out = kb_template_fill("%2$d 个周期，rust/c = %1$f", (char *[]){"1.5", "42"}, 2);
	assert_string_equal(out, "42 个周期，rust/c = 1.5");
	free(out);
	assert_true(kb_template_match("%s", "", &caps, &n));
	assert_int_equal(n, 1);
	free(caps[0]);
	free(caps);
}

static void test_check_templates_from_lua(void **s)
{
	const char *src =
		"-- expected = \"in a comment: not a template\"\n"
		"local function f(kb, name, n, list)\n"
		"  kb.expect_exit(r, 1, 0, { expected = \"insmod \" .. name .. \".ko \" .. list .. \" succeeds\" })\n"
		"  kb.expect(seen == line, \"the guard \" .. n .. \" holds (50%)\", {\n"
		"    seen = seen or 'no line \"' .. name .. ': guard\" in the log',\n"
		"    hint = [[a long\nstring]],\n"
		"  })\n"
		"  kb.expect_log(r, want, { expected = (\"%d items\"):format(n) .. \" listed\", where = \"x.c\" })\n"
		"  kb.expect_log(r, want, { hint = \"plain \\\"quoted\\\" hint\\n\" })\n"
		"  kb.expect_log(r, want, { hint = \"plain \\\"quoted\\\" hint\\n\" })\n"
		"  local t = { expected = n }\n"
		"  local line, seen = name .. \": a log line \" .. n, nil\n"
		"  hint = \"a global, not a field\"\n"
		"end\n";
	struct kb_i18n_strings out = {0};
	kb_i18n_check_templates(&out, src, "x/lesson.lua");
	const char *want[] = {"insmod %s.ko %s succeeds", "the guard %s holds (50%%)", "no line \"%s: guard\" in the log",
			      "a long\nstring", "%d items listed", "plain \"quoted\" hint\n"};
	const int lines[] = {3, 4, 5, 6, 9, 10};   /* the long string takes two lines */
	for (size_t i = 0; i < out.n; i++)
		print_message("  %d: %s\n", out.v[i].line, out.v[i].english);
	assert_int_equal(out.n, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(out.v[i].english, want[i]);
		assert_string_equal(out.v[i].ctx, "check");
		assert_int_equal(out.v[i].line, lines[i]);
		assert_true(out.v[i].format);
	}
	kb_i18n_strings_free(&out);
}

static char *tmpdir(void);
static void put(const char *dir, const char *rel, const char *text);

/* the templates of src, in order, as one string: "t1|t2|..." */
static char *templates_of(const char *src)
{
	struct kb_i18n_strings out = {0};
	kb_i18n_check_templates(&out, src, "x/lesson.lua");
	struct kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < out.n; i++)
		kb_buf_printf(&b, "%s%s", i ? "|" : "", out.v[i].english);
	kb_buf_adds(&b, "");
	kb_i18n_strings_free(&out);
	return kb_buf_detach(&b);
}

static void expect_templates(const char *src, const char *want)
{
	char *got = templates_of(src);
	if (strcmp(got, want) != 0)
		fail_msg("templates\n  got:  %s\n  want: %s\nof:\n%s", got, want, src);
	free(got);
}

static void test_check_templates_formats(void **s)
{
	/* ("..."):format(...) and string.format("...", ...): each conversion an operand of its
	   kind (%d an integer, %x hex digits, %f a number, %s any text), %% a '%' */
	expect_templates("kb.expect(ok, (\"%d of %5.2f%% (seed=%08x)\"):format(a, b, c))\n",
			 "%d of %f%% (seed=%x)");
	expect_templates("kb.expect_log(r, w, { expected = string.format(\"%s wrote %q\", who, line) })\n",
			 "%s wrote %s");
	/* a format inside a concatenation is part of it */
	expect_templates("kb.expect(ok, \"after \" .. (\"%d calls\"):format(n) .. \", the total\")\n",
			 "after %d calls, the total");
	/* the texts of an argument shown with %s are templates of their own */
	expect_templates("kb.expect(ok, \"x\", { seen = (\"%s refused\"):format(n or \"none reported\") })\n",
			 "x|none reported|%s refused");
	/* not a format Lua takes: one operand, nothing to translate */
	expect_templates("kb.expect(ok, (\"%y\"):format(n))\n", "");
}

static void test_check_templates_parentheses(void **s)
{
	/* a parenthesised concatenation inside `or`/`and` is followed */
	expect_templates("kb.expect(ok, \"e\", { seen = bad and (\"got \" .. bad .. \" lines\") or \"no line\" })\n",
			 "e|got %s lines|no line");
	/* parentheses holding one text are part of the concatenation; holding several, an operand */
	expect_templates("kb.expect(ok, (\"the \" .. n) .. \" ends\")\n", "the %s ends");
	expect_templates("kb.expect(ok, \"it \" .. (w and \"wrote\" or \"read\") .. \" slots\")\n",
			 "wrote|read|it %s slots");
	/* a comparison is no text */
	expect_templates("kb.expect(ok, \"e\", { hint = a == \"x\" and \"was x\" or \"was not\" })\n",
			 "e|was x|was not");
}

static void test_check_templates_variables(void **s)
{
	/* a local given a text in a list, plain assignments later, one inside a table's function */
	expect_templates(
		"local t = { check = function(kb)\n"
		"  local where, hint = dir .. \": apply()\", \"one guard for \" .. \"the update\"\n"
		"  if bad then hint = (\"failed (%s)\"):format(err) end\n"
		"  kb.expect(ok, \"e\", { where = where, hint = hint })\n"
		"end }\n",
		"e|one guard for the update|failed (%s)");
	/* a variable given nil first, then a format; a table's slots */
	expect_templates(
		"local good_bad, n = nil, 0\n"
		"good_bad = (\"DEPOSIT %d: wrong\"):format(n)\n"
		"local bad = {}\n"
		"bad[k] = \"request \" .. k .. \" refused\"\n"
		"kb.expect(good_bad == nil, \"e\", { seen = good_bad })\n"
		"kb.expect(bad[x] == nil, \"f\", { seen = bad[x] })\n",
		"e|DEPOSIT %d: wrong|f|request %s refused");
	/* a function of the file: the texts it returns; in a concatenation, an operand whose
	   texts are templates too */
	expect_templates(
		"local function describe(p)\n"
		"  if not p.rc then return \"no exit status\" end\n"
		"  local inner = function() return \"not this one\" end\n"
		"  return (\"rc=%d, read %q\"):format(p.rc, p.line)\n"
		"end\n"
		"kb.expect(ok, \"e\", { seen = describe(p) })\n"
		"kb.expect(ok, \"f\", { seen = \"first: \" .. describe(p) })\n",
		"e|no exit status|rc=%d, read %s|f|first: %s");
	/* a variable built from itself is followed once; fields of tables and parameters are not
	   variables */
	expect_templates(
		"local seen = \"a first \" .. n\n"
		"seen = seen .. \"\\nagain: \" .. n\n"
		"local o = { seen = \"field\" }\n"
		"kb.expect(ok, \"e\", { seen = seen })\n"
		"local function f(seen) kb.expect(ok, \"g\", { hint = o.seen }) end\n",
		"field|e|a first %s|%s\nagain: %s|g");
}

static void test_check_templates_fields(void **s)
{
	/* x.text: the texts the fields of that name hold, in every table of the file */
	expect_templates(
		"local PATHS = {\n"
		"  { id = \"big\", text = \"a value over 65535 is refused\", n = 3 },\n"
		"  { id = \"key\", text = \"an unknown key: \" .. KEY .. \" stays\" },\n"
		"}\n"
		"for _, p in ipairs(PATHS) do kb.expect(ok, p.text) end\n"
		"kb.expect(ok, \"count \" .. p.n, { seen = p.id })\n",
		"a value over 65535 is refused|an unknown key: %s stays|count %s|big|key");
}

static void test_check_templates_lists(void **s)
{
	/* table.concat(list, "\n"): the texts put in list, by table.insert or list[#list + 1] */
	expect_templates(
		"local bad, wrong = { a = {} }, {}\n"
		"table.insert(bad[k], (\"%s: C sees %d\"):format(key, got))\n"
		"table.insert(bad[k], 1, \"no result for \" .. key)\n"
		"wrong[#wrong + 1] = (\"  wanted:  %s\\n  printed: %s\"):format(w, p)\n"
		"local list = bad[p.id]\n"
		"kb.expect(#list == 0, \"e\", { seen = table.concat(list, \"\\n\") })\n"
		"kb.expect(#wrong == 0, \"f\", { seen = #wrong .. \" differ:\\n\" .. table.concat(wrong, \"\\n\") })\n",
		"e|%s: C sees %d|no result for %s|f|  wanted:  %s\n  printed: %s|%s differ:\n%s");
}

static void test_check_text_operands(void **s)
{
	char *d = tmpdir();
	put(d, "zh-CN.po",
	      "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"%s, and the ledger does not change\"\nmsgstr \"%s，且账本不变\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"a DEPOSIT of 0 is refused\"\nmsgstr \"金额为 0 的 DEPOSIT 被拒绝\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"rust/c = %s (Rust %s cycles%s)\"\nmsgstr \"rust/c = %s（Rust %s 个周期%s）\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \", or %s ms\"\nmsgstr \"，即 %s ms\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"%s\\nmeasured again: %s\"\nmsgstr \"%s\\n再测一次：%s\"\n");
	char *po = kb_path_join(d, "zh-CN.po");
	struct kb_catalog c;
	assert_int_equal(kb_catalog_load(&c, po, "x/po/zh-CN.po"), 0);
	/* an operand that is a text of the lesson is translated inside the text */
	char *t = kb_catalog_check_text(&c, "a DEPOSIT of 0 is refused, and the ledger does not change");
	assert_string_equal(t, "金额为 0 的 DEPOSIT 被拒绝，且账本不变");
	free(t);
	/* an operand that is no text of the lesson stays as it is */
	t = kb_catalog_check_text(&c, "request 01 02, and the ledger does not change");
	assert_string_equal(t, "request 01 02，且账本不变");
	free(t);
	/* the reading that translates most of the text wins, not the first template that matches */
	t = kb_catalog_check_text(&c, "rust/c = 1.9 (Rust 20 cycles, or 2 ms)\nmeasured again: rust/c = 1.4 (Rust 14 cycles)");
	assert_string_equal(t, "rust/c = 1.9（Rust 20 个周期，即 2 ms）\n再测一次：rust/c = 1.4（Rust 14 个周期）");
	free(t);
	kb_catalog_free(&c);
	/* lines joined by table.concat: each run of lines a template matches, alone */
	put(d, "zh-CN.po",
	      "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"%s: C sees %s, expected %s\"\nmsgstr \"%s：C 拿到 %s，预期 %s\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"  wanted:  %s\\n  printed: %s\"\nmsgstr \"  预期：%s\\n  实际：%s\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"%d line(s) differ:\\n%s\"\nmsgstr \"%d 行不对：\\n%s\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"(no line)\"\nmsgstr \"（没有这一行）\"\n");
	assert_int_equal(kb_catalog_load(&c, po, "x/po/zh-CN.po"), 0);
	t = kb_catalog_check_text(&c, "level=4: C sees -22, expected 0\nkey=x: C sees -22, expected -2");
	assert_string_equal(t, "level=4：C 拿到 -22，预期 0\nkey=x：C 拿到 -22，预期 -2");
	free(t);
	/* one item of the list at a time, however long the list, inside another text */
	t = kb_catalog_check_text(&c, "3 line(s) differ:\n  wanted:  a\n  printed: (no line)\n  wanted:  c\n  printed: (no line)\n"
				      "  wanted:  e\n  printed: (no line)");
	assert_string_equal(t, "3 行不对：\n  预期：a\n  实际：（没有这一行）\n  预期：c\n  实际：（没有这一行）\n"
			       "  预期：e\n  实际：（没有这一行）");
	free(t);
	t = kb_catalog_check_text(&c, "  wanted:  a\n  printed: b\nsomething else\n  wanted:  c\n  printed: d");
	assert_string_equal(t, "  预期：a\n  实际：b\nsomething else\n  预期：c\n  实际：d");
	free(t);
	assert_null(kb_catalog_check_text(&c, "one line\nanother"));
	kb_catalog_free(&c);
	free(po);
	kb_rm_rf(d);
	free(d);
}

static char *tmpdir(void)
{
	char *t = kb_strdup("/tmp/kb-i18n-XXXXXX");
	assert_non_null(mkdtemp(t));
	return t;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = kb_path_join(dir, rel);
	assert_int_equal(kb_write_file_atomic(p, text, strlen(text), 0644), 0);
	free(p);
}

static void test_catalog(void **s)
{
	char *d = tmpdir();
	put(d, "zh-CN.po",
	      "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\n"
	      "msgctxt \"lesson/title\"\nmsgid \"Hello\"\nmsgstr \"你好\"\n\n"
	      "msgctxt \"lesson/summary\"\nmsgid \"Old English\"\nmsgstr \"旧的\"\n\n"
	      "#, fuzzy\nmsgctxt \"task:t/goal\"\nmsgid \"Do it\"\nmsgstr \"做吧\"\n\n"
	      "msgctxt \"task:t/hint:1\"\nmsgid \"A hint\"\nmsgstr \"\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"insmod %s.ko %s succeeds\"\nmsgstr \"insmod %1$s.ko %2$s 成功\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"counted %s\"\nmsgstr \"数了\"\n\n"
	      "#, c-format\nmsgctxt \"check\"\nmsgid \"%d of %s\"\nmsgstr \"%2$d 中的 %1$s\"\n\n"
	      "#~ msgctxt \"old\"\n#~ msgid \"Gone\"\n#~ msgstr \"没了\"\n");
	char *po = kb_path_join(d, "zh-CN.po");
	struct kb_catalog c;
	assert_int_equal(kb_catalog_load(&c, po, "x/po/zh-CN.po"), 0);
	assert_int_equal(c.n, 7);   /* the header and the obsolete entry left out */
	enum kb_tr_state st;
	const struct kb_catalog_entry *e;
	assert_string_equal(kb_catalog_get(&c, "lesson/title", "Hello", &st, &e), "你好");
	assert_int_equal(st, KB_TR_OK);
	assert_int_equal(e->line, 5);
	assert_null(kb_catalog_get(&c, "lesson/summary", "New English", &st, &e));
	assert_int_equal(st, KB_TR_STALE);
	assert_int_equal(e->line, 9);
	assert_string_equal(e->msgid, "Old English");
	assert_null(kb_catalog_get(&c, "task:t/goal", "Do it", &st, NULL));
	assert_int_equal(st, KB_TR_STALE);   /* fuzzy */
	assert_null(kb_catalog_get(&c, "task:t/hint:1", "A hint", &st, NULL));
	assert_int_equal(st, KB_TR_MISSING);
	assert_null(kb_catalog_get(&c, "task:t/hint:2", "Another", &st, &e));
	assert_int_equal(st, KB_TR_MISSING);
	assert_null(e);
	assert_null(kb_catalog_get(&c, "check", "counted %s", &st, NULL));
	assert_int_equal(st, KB_TR_BROKEN);   /* its msgstr drops the operand */
	assert_null(kb_catalog_get(&c, "check", "%d of %s", &st, NULL));
	assert_int_equal(st, KB_TR_BROKEN);   /* its msgstr gives the number the text's place */
	char *t = kb_catalog_check_text(&c, "insmod hist.ko samples=1 succeeds");
	assert_string_equal(t, "insmod hist.ko samples=1 成功");
	free(t);
	assert_null(kb_catalog_check_text(&c, "counted 3"));
	assert_null(kb_catalog_check_text(&c, "something else"));
	kb_catalog_free(&c);
	/* a file gettext cannot parse: its name and line */
	put(d, "bad.po", "msgid \"\"\nmsgstr \"\"\n\nmsgctxt \"x\"\nmsgid \"unterminated\n");
	char *bad = kb_path_join(d, "bad.po");
	assert_int_equal(kb_catalog_load(&c, bad, "x/po/bad.po"), KB_ELESSON);
	assert_non_null(strstr(kb_error_last(), "x/po/bad.po:"));   /* gettext's line: 5 or the next */
	assert_non_null(strstr(kb_error_last(), "end-of-line within string"));
	kb_catalog_free(&c);
	free(bad);
	free(po);
	kb_rm_rf(d);
	free(d);
}

static void test_pages(void **s)
{
	char *d = tmpdir();
	put(d, "intro.md", "hello\n");
	char id[41];
	char *en = kb_path_join(d, "intro.md");
	assert_int_equal(kb_blob_id(id, en), 0);
	assert_string_equal(id, "ce013625030ba8dba906f756967f9e9ca394464a");   /* git hash-object */
	char *path, *rec, *now;
	assert_int_equal(kb_page_translation(&path, &rec, &now, d, "intro.md", "zh-CN"), KB_TR_MISSING);
	assert_null(path);
	put(d, "intro.zh-CN.md", "[//]: # (kbridge translation of intro.md ce013625030ba8dba906f756967f9e9ca394464a)\n\n你好\n");
	assert_int_equal(kb_page_translation(&path, &rec, &now, d, "intro.md", "zh-CN"), KB_TR_OK);
	assert_non_null(strstr(path, "/intro.zh-CN.md"));
	free(path);
	free(rec);
	free(now);
	put(d, "intro.md", "hello, changed\n");
	assert_int_equal(kb_page_translation(&path, &rec, &now, d, "intro.md", "zh-CN"), KB_TR_STALE);
	assert_string_equal(rec, "ce013625030ba8dba906f756967f9e9ca394464a");
	assert_string_not_equal(now, rec);
	free(path);
	free(rec);
	free(now);
	put(d, "intro.zh-CN.md", "你好\n");   /* records nothing: stale */
	assert_int_equal(kb_page_translation(&path, &rec, &now, d, "intro.md", "zh-CN"), KB_TR_STALE);
	assert_null(rec);
	free(path);
	free(now);
	free(en);
	kb_rm_rf(d);
	free(d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_lang_tags),
	cmocka_unit_test(test_lang_from_environment),
	cmocka_unit_test(test_templates),
	cmocka_unit_test(test_check_templates_from_lua),
	cmocka_unit_test(test_check_templates_formats),
	cmocka_unit_test(test_check_templates_parentheses),
	cmocka_unit_test(test_check_templates_variables),
	cmocka_unit_test(test_check_templates_fields),
	cmocka_unit_test(test_check_templates_lists),
	cmocka_unit_test(test_check_text_operands),
	cmocka_unit_test(test_catalog),
	cmocka_unit_test(test_pages),
};

KB_TEST_MAIN(tests)

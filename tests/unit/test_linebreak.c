/* test_linebreak.c - the shell's line breaking (ui/ui_md.c): English breaks at spaces as
 * before; Chinese breaks between CJK characters, never before closing punctuation
 * (，。：；、）」) nor after opening punctuation (（「), and a sentence after a Latin word
 * fills the line instead of leaving it short. The check screen's long lines go on under
 * themselves without splitting a Latin word; labels are padded by columns. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "ui/ui.h"
#include "base/util.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int setup(void **s)
{
	/* the shell runs in the user's UTF-8 locale; C.UTF-8 is on every Debian */
	return setlocale(LC_ALL, "C.UTF-8") ? 0 : -1;
}

static unsigned first_cp(const char *s, size_t *bytes)
{
	mbstate_t ms;
	memset(&ms, 0, sizeof ms);
	wchar_t wc = 0;
	size_t n = mbrtowc(&wc, s, strlen(s), &ms);
	*bytes = n == (size_t)-1 || n == (size_t)-2 || n == 0 ? 1 : n;
	return (unsigned)wc;
}

static unsigned last_cp(const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0)
		i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	size_t b;
	char *tail = kb_strndup(s + i, len - i);
	unsigned c = first_cp(tail, &b);
	free(tail);
	return c;
}

static const char *const never_start[] = {"，", "。", "：", "；", "、", "）", "」", "！", "？", "』", "》", NULL};
static const char *const never_end[] = {"（", "「", "『", "《", NULL};

static bool in(const char *const *set, unsigned c)
{
	for (const char *const *p = set; *p; p++) {
		size_t b;
		if (first_cp(*p, &b) == c)
			return true;
	}
	return false;
}

/* every line of d: at most width columns, no forbidden start or end; the text back when
   the lines are joined (with the dropped spaces put back where a space was) */
static void check_lines(const struct ui_doc *d, int width, const char *text)
{
	struct kb_buf joined = KB_BUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		const struct ui_line *l = &d->lines[i];
		int w = ui_text_width(l->text, l->len);
		if (w > width)
			fail_msg("line %zu is %d columns wide, more than %d: '%.*s'", i, w, width, (int)l->len, l->text);
		if (l->len == 0)
			continue;
		size_t b;
		unsigned c0 = first_cp(l->text, &b), cn = last_cp(l->text, l->len);
		if (i > 0 && in(never_start, c0)) {
			for (size_t k = 0; k < d->n; k++)
				print_message("  |%.*s|\n", (int)d->lines[k].len, d->lines[k].text);
			fail_msg("line %zu starts with closing punctuation: '%.*s'", i, (int)l->len, l->text);
		}
		if (i + 1 < d->n && in(never_end, cn))
			fail_msg("line %zu ends with opening punctuation: '%.*s'", i, (int)l->len, l->text);
		kb_buf_add(&joined, l->text, l->len);
	}
	/* the text minus spaces is the lines minus spaces */
	struct kb_buf want = KB_BUF_INIT;
	for (const char *p = text; *p; p++)
		if (*p != ' ')
			kb_buf_add(&want, p, 1);
	struct kb_buf got = KB_BUF_INIT;
	for (size_t i = 0; i < joined.len; i++)
		if (joined.data[i] != ' ')
			kb_buf_add(&got, joined.data + i, 1);
	kb_buf_adds(&want, "");
	kb_buf_adds(&got, "");
	assert_string_equal(got.data, want.data);
	kb_buf_free(&want);
	kb_buf_free(&got);
	kb_buf_free(&joined);
}

static void test_break_rules(void **s)
{
	/* between two ideographs, and between an ideograph and a Latin letter either way */
	assert_true(ui_break_between(0x5185 /* 内 */, 0x6838 /* 核 */));
	assert_true(ui_break_between('t', 0x5185));
	assert_true(ui_break_between(0x5185, 'R'));
	assert_true(ui_break_between(0x3002 /* 。 */, 0x5185));
	/* never before closing punctuation, never after opening punctuation */
	assert_false(ui_break_between(0x5185, 0xff0c /* ， */));
	assert_false(ui_break_between(0x5185, 0x3002 /* 。 */));
	assert_false(ui_break_between(0x5185, 0xff1a /* ： */));
	assert_false(ui_break_between(0x5185, 0xff1b /* ； */));
	assert_false(ui_break_between(0x5185, 0x3001 /* 、 */));
	assert_false(ui_break_between(0x5185, 0xff09 /* ） */));
	assert_false(ui_break_between(0x5185, 0x300d /* 」 */));
	assert_false(ui_break_between(0xff08 /* （ */, 0x5185));
	assert_false(ui_break_between(0x300c /* 「 */, 0x5185));
	/* Latin words break at spaces only */
	assert_false(ui_break_between('a', 'b'));
	assert_false(ui_break_between('a', ' '));
}

static void test_english_unchanged(void **s)
{
	struct ui_doc d = {0};
	ui_doc_wrap(&d, "the quick brown fox jumps over the lazy dog", UI_NORMAL, 15, "");
	assert_int_equal(d.n, 3);
	assert_string_equal(d.lines[0].text, "the quick brown");
	assert_string_equal(d.lines[1].text, "fox jumps over");
	assert_string_equal(d.lines[2].text, "the lazy dog");
	ui_doc_free(&d);
}

static void test_chinese_after_latin_fills_the_line(void **s)
{
	/* before: "Rust" alone on a short line, since the Chinese had no space to break at */
	const char *text = "Rust 让内核模块的内存安全问题在编译时就暴露出来，而不是等到运行时才出现。";
	struct ui_doc d = {0};
	ui_doc_wrap(&d, text, UI_NORMAL, 20, "");
	check_lines(&d, 20, text);
	assert_true(d.n >= 2);
	assert_true(ui_text_width(d.lines[0].text, d.lines[0].len) >= 19);
	assert_non_null(strstr(d.lines[0].text, "Rust 让内核"));
	ui_doc_free(&d);
}

static void test_punctuation_moves_with_its_character(void **s)
{
	/* 20 columns hold ten ideographs: the comma after the tenth may not start line 2, so
	   the tenth goes down with it */
	const char *text = "一二三四五六七八九十，甲乙丙丁";
	struct ui_doc d = {0};
	ui_doc_wrap(&d, text, UI_NORMAL, 20, "");
	check_lines(&d, 20, text);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.lines[0].text, "一二三四五六七八九");
	assert_string_equal(d.lines[1].text, "十，甲乙丙丁");
	ui_doc_free(&d);
	/* an opening bracket at the end of a full line goes down to the next */
	text = "一二三四五六七八九（十）甲乙";
	ui_doc_wrap(&d, text, UI_NORMAL, 20, "");
	check_lines(&d, 20, text);
	assert_string_equal(d.lines[0].text, "一二三四五六七八九");
	assert_string_equal(d.lines[1].text, "（十）甲乙");
	ui_doc_free(&d);
}

static void test_random_text(void **s)
{
	/* Chinese words, Latin words (a space between two of them, as written) and
	   punctuation (never two marks in a row): the longest run with no break in it is an
	   opening mark, a Latin word and a closing mark, 14 columns, so from 16 columns on
	   every line keeps the rules */
	static const char *const cjk_words[] = {"内核", "模块", "借用检查", "不安全代码", "未定义行为", "的"};
	static const char *const latin[] = {"Rust", "C", "UBSAN", "pr_info!()", "kbridge"};
	static const char *const punct[] = {"，", "。", "：", "；", "、", "（", "）", "「", "」", "！"};
	srand(15);
	for (int round = 0; round < 500; round++) {
		struct kb_buf t = KB_BUF_INIT;
		int prev = 0;   /* 1 Chinese, 2 Latin, 3 punctuation */
		int n = 5 + rand() % 40;
		for (int k = 0; k < n; k++) {
			int kind = 1 + rand() % 3;
			if (kind == 3 && prev == 3)
				kind = 1;
			if (kind == 1)
				kb_buf_adds(&t, cjk_words[rand() % 6]);
			else if (kind == 2)
				kb_buf_printf(&t, "%s%s", prev == 2 ? " " : "", latin[rand() % 5]);
			else
				kb_buf_adds(&t, punct[rand() % 10]);
			prev = kind;
		}
		kb_buf_adds(&t, "");
		int width = 16 + rand() % 40;
		struct ui_doc d = {0};
		ui_doc_wrap(&d, t.data, UI_NORMAL, width, "");
		check_lines(&d, width, t.data);
		ui_doc_free(&d);
		kb_buf_free(&t);
	}
}

/* a line break inside a Markdown paragraph: a space between Latin words and between a
   Latin word and a Chinese one, nothing between two Chinese characters or beside Chinese
   punctuation (else a space shows in the middle of the sentence) */
static void test_markdown_soft_breaks(void **s)
{
	const char *md = "这是第一行，\n接着是第二行。\nEnglish\nwords and `code`\n再来中文\n，Linux\n内核\nEnd.\n";
	struct ui_doc d = {0};
	assert_int_equal(ui_md_render(&d, md, strlen(md), 200), 0);
	struct kb_buf all = KB_BUF_INIT;
	for (size_t i = 0; i < d.n; i++)
		kb_buf_add(&all, d.lines[i].text, d.lines[i].len);
	kb_buf_adds(&all, "");
	assert_non_null(strstr(all.data, "这是第一行，接着是第二行。English words and code 再来中文，Linux 内核 End."));
	kb_buf_free(&all);
	ui_doc_free(&d);
}

/* the check screen's long lines (ui_doc_add_long): each part at most width columns, the
   parts after the first behind the mark; a Latin word or a number never split between two
   parts when the text has a break before it (the Chinese words around it, a space) */
/* a Latin "word" here: a run of printable ASCII without a space ("hello," "pr_info()") */
static bool is_word(char c)
{
	return c > ' ' && c < 0x7f;
}

/* the columns of the word split at the end of a and the start of b */
static int split_word_width(const struct ui_line *a, const char *b)
{
	size_t i = a->len, j = 0;
	while (i > 0 && is_word(a->text[i - 1]))
		i--;
	while (is_word(b[j]))
		j++;
	return (int)(a->len - i + j);
}

static void check_long(const char *text, int width, const char *cont)
{
	struct ui_doc d = {0};
	ui_doc_add_long(&d, text, UI_NORMAL, width, cont);
	size_t cl = strlen(cont), at = 0;
	int room = width - ui_text_width(cont, cl);
	for (size_t i = 0; i < d.n; i++) {
		const struct ui_line *l = &d.lines[i];
		int w = ui_text_width(l->text, l->len);
		if (w > width)
			fail_msg("part %zu is %d columns wide, more than %d: '%s'", i, w, width, l->text);
		const char *body = l->text;
		if (i > 0) {
			if (strncmp(l->text, cont, cl) != 0)
				fail_msg("part %zu does not start with the mark: '%s'", i, l->text);
			body += cl;
		}
		/* each part is the text's next piece (spaces between parts dropped) */
		bool spaced = false;
		while (i > 0 && text[at] == ' ') {
			at++;
			spaced = true;
		}
		if (strncmp(text + at, body, strlen(body)) != 0)
			fail_msg("part %zu is not the text's next piece: '%s'", i, body);
		const struct ui_line *p = i > 0 ? &d.lines[i - 1] : NULL;
		/* (a word with a closing mark after it, "orientation.ko，", needs two columns
		   more: the mark may not start a line) */
		if (p && !spaced && p->len && is_word(p->text[p->len - 1]) && is_word(body[0]) &&
		    split_word_width(p, body) + 2 <= room) {
			for (size_t k = 0; k < d.n; k++)
				print_message("  |%s|\n", d.lines[k].text);
			fail_msg("a word that fits a line is split between parts %zu and %zu", i - 1, i);
		}
		at += strlen(body);
	}
	while (text[at] == ' ')
		at++;
	assert_int_equal(text[at], '\0');
	ui_doc_free(&d);
}

static void test_long_line_keeps_words_whole(void **s)
{
	const char *cont = "    \u21aa ";
	/* what the check view met: an expectation in Chinese with a message in English */
	check_long("  \u2717 模块加载时内核日志里应该出现 orientation: hello, kbridge, ready to start 这一行", 30, cont);
	check_long("  \u2717 hi.c 至少调用 pr_info() 2 次，并且每次打印的内容都以 hi 开头", 24, cont);
	for (int w = 20; w <= 60; w++)
		check_long("  \u2717 内核在 samples/kbridge/orientation 里编译出 orientation.ko，然后 insmod 加载它，"
			   "日志里出现 orientation: hello, NAME, ready to start", w, cont);
	/* a word before the break stays on its line: "hello," is not cut into "hel" "lo," */
	struct ui_doc d = {0};
	ui_doc_add_long(&d, "预期的输出是 orientation: hello, kbridge", UI_NORMAL, 28, "> ");
	assert_int_equal(d.n, 2);
	assert_string_equal(d.lines[0].text, "预期的输出是 orientation:");
	assert_string_equal(d.lines[1].text, "> hello, kbridge");
	ui_doc_free(&d);
	/* a path longer than a line: it is cut where the line ends, and goes on */
	check_long("      seen:     /home/learner/kbridge-workspace/linux/samples/kbridge/orientation/orientation.c", 40,
		   "              > ");
}

/* a label padded to a column by its width on the screen, not its bytes */
static void test_padded_by_columns(void **s)
{
	char *p = ui_padded("实际输出：", 12);
	assert_int_equal(ui_text_width(p, strlen(p)), 12);
	free(p);
	p = ui_padded("seen:", 9);
	assert_string_equal(p, "seen:    ");
	free(p);
	p = ui_padded("太长了太长了", 4);
	assert_string_equal(p, "太长了太长了");
	free(p);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_long_line_keeps_words_whole),
	cmocka_unit_test(test_padded_by_columns),
	cmocka_unit_test(test_markdown_soft_breaks),
	cmocka_unit_test(test_break_rules),
	cmocka_unit_test(test_english_unchanged),
	cmocka_unit_test(test_chinese_after_latin_fills_the_line),
	cmocka_unit_test(test_punctuation_moves_with_its_character),
	cmocka_unit_test(test_random_text),
};

KB_TEST_MAIN_GROUP(tests, setup, NULL)

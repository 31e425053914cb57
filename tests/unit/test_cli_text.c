/* test_cli_text.c - the commands' columns by display width (cli/cli_text.c): a Chinese
 * character takes two columns, so "%-12s" would misalign a translated state. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static void width_of_ascii_is_its_length(void **state)
{
	assert_int_equal(cli_width(""), 0);
	assert_int_equal(cli_width("in progress"), 11);
}

static void width_of_chinese_is_two_columns_a_character(void **state)
{
	assert_int_equal(cli_width("年份"), 4);
	assert_int_equal(cli_width("检查次数"), 8);
	/* fullwidth punctuation is wide too; a Latin letter with an accent is one column and
	   a combining accent none */
	assert_int_equal(cli_width("课程内核（%s）：已就绪"), 2 * 10 + 2);
	assert_int_equal(cli_width("caf\xc3\xa9"), 4);
	assert_int_equal(cli_width("cafe\xcc\x81"), 4);
}

static char *padded(void (*pad)(FILE *, const char *, int), const char *s, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	pad(f, s, width);
	fclose(f);
	return buf;
}

static void pad_fills_to_the_width_in_columns(void **state)
{
	char *s = padded(cli_pad, "未开始", 12);
	assert_string_equal(s, "未开始      ");
	free(s);
	s = padded(cli_pad, "new", 12);
	assert_string_equal(s, "new         ");
	free(s);
	s = padded(cli_pad_right, "检查次数", 8);
	assert_string_equal(s, "检查次数");
	free(s);
	s = padded(cli_pad_right, "提示", 5);
	assert_string_equal(s, " 提示");
	free(s);
	/* wider than the column: printed whole, nothing added */
	s = padded(cli_pad, "overlong-state", 4);
	assert_string_equal(s, "overlong-state");
	free(s);
}

/* cli_plain: Markdown code spans without their backticks, the rest as it is */
static void plain_drops_code_span_backticks(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{"跟 `who` 指定的人打招呼", "跟 who 指定的人打招呼"},
		{"call `get_mut()` or `get()`", "call get_mut() or get()"},
		{"``a `b` c``", "a `b` c"},               /* a longer run holds a backtick */
		{"`` `x` ``", "`x`"},                    /* one space inside each end is padding */
		{"a lone ` stays", "a lone ` stays"},    /* no closing run: plain text */
		{"``not closed`", "``not closed`"},
		{"no code at all", "no code at all"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = cli_plain(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
	assert_null(cli_plain(NULL));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(width_of_ascii_is_its_length),
	cmocka_unit_test(width_of_chinese_is_two_columns_a_character),
	cmocka_unit_test(pad_fills_to_the_width_in_columns),
	cmocka_unit_test(plain_drops_code_span_backticks),
};
KB_TEST_MAIN(tests)

/* test_bounds.c - what a pack can make kbridge read or keep: pack files read beneath their
 * folder without following links (kb_read_file_beneath), texts cut with a note
 * (kb_str_cut), a check's expectations and print() output held under their caps. */
#define _GNU_SOURCE
#include "kbtest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/result.h"
#include "engine/sandbox.h"
#include "base/util.h"

static char dir[] = "/tmp/kb-bounds-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return kb_rm_rf(dir) == 0 ? 0 : -1;
}

static void put(const char *rel, const char *text)
{
	char *p = kb_path_join(dir, rel);
	char *d = kb_strdup(p);
	*strrchr(d, '/') = '\0';
	assert_int_equal(kb_mkdir_p(d, 0755), 0);
	assert_int_equal(kb_write_file_atomic(p, text, strlen(text), 0644), 0);
	free(d);
	free(p);
}

/* A plain file is read; a link as the file or as a folder on the way, a fifo, '..' are
 * refused (the fifo without blocking), each naming what it is. */
static void test_read_beneath(void **state)
{
	(void)state;
	put("pack/l/solution/a.c", "int a;\n");
	put("outside/secret", "TOP SECRET\n");
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "pack/l/solution/a.c"), 0);
	assert_string_equal(out, "int a;\n");
	assert_int_equal(len, 7);
	free(out);

	char *link = kb_asprintf("%s/pack/l/solution/b.c", dir), *target = kb_asprintf("%s/outside/secret", dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "pack/l/solution/b.c"), KB_EINVAL);
	assert_null(out);
	assert_non_null(strstr(kb_error_last(), "'b.c' is a symbolic link, not followed"));

	char *dlink = kb_asprintf("%s/pack/m", dir), *dtarget = kb_asprintf("%s/outside", dir);
	assert_int_equal(symlink(dtarget, dlink), 0);
	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "pack/m/secret"), KB_EINVAL);
	assert_non_null(strstr(kb_error_last(), "'m' is a symbolic link"));

	char *fifo = kb_asprintf("%s/pack/l/page.md", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "pack/l/page.md"), KB_EINVAL);
	assert_non_null(strstr(kb_error_last(), "is not a plain file"));

	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "pack/../outside/secret"), KB_EINVAL);
	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "/etc/passwd"), KB_EINVAL);
	assert_int_equal(kb_read_file_beneath(&out, &len, dir, "pack/l/none.c"), KB_ENOTFOUND);
	free(link);
	free(target);
	free(dlink);
	free(dtarget);
	free(fifo);
}

/* A cut text stays within its cap, keeps head and tail, says how much went, never splits
 * a UTF-8 character, and cutting it again changes nothing. */
static void test_str_cut(void **state)
{
	(void)state;
	char *small = kb_str_cut("short", 5, 4096, "seen");
	assert_string_equal(small, "short");
	free(small);
	size_t n = 3 * 1024 * 1024;
	char *big = kb_malloc(n + 1);
	for (size_t i = 0; i < n; i += 2) {   /* "é" over and over: two bytes each */
		big[i] = (char)0xC3;
		big[i + 1] = (char)0xA9;
	}
	memcpy(big, "HEAD", 4);
	memcpy(big + n - 4, "TAIL", 4);
	big[n] = '\0';
	char *cut = kb_str_cut(big, n, 4096, "seen");
	size_t clen = strlen(cut);
	assert_true(clen <= 4096 && clen > 3000);
	assert_memory_equal(cut, "HEAD", 4);
	assert_memory_equal(cut + clen - 4, "TAIL", 4);
	char *note = strstr(cut, "[... ");
	assert_non_null(note);
	size_t left = strtoull(note + 5, NULL, 10);
	assert_true(left > n - 4096 && left < n);
	assert_non_null(strstr(note, "bytes left out (seen is cut at 4096 bytes) ...]\n"));
	/* whole characters only: the byte before the note is the end of one */
	assert_true(note[-1] == '\n');
	assert_true((unsigned char)note[-2] == 0xA9);
	char *again = kb_str_cut(cut, clen, 4096, "seen");
	assert_string_equal(again, cut);
	free(again);
	free(cut);
	free(big);
}

/* 2000 expectations with 1 MiB each: 256 kept, the rest folded into one that counts the
 * unmet ones, the verdict unchanged, all the text within the cap; recording the result
 * again (as when it is read back from the check's process) changes nothing. */
static void test_expect_caps(void **state)
{
	(void)state;
	size_t n = 1024 * 1024;
	char *mib = kb_malloc(n + 1);
	memset(mib, 'x', n);
	mib[n] = '\0';
	struct kb_check_result res = {0};
	kb_check_expect(&res, false, mib, mib, mib, mib, 1);
	for (int i = 1; i < 2000; i++)
		kb_check_expect(&res, i != 1500, "an expectation", mib, NULL, NULL, i + 1);
	assert_int_equal(res.n_exp, KB_CHECK_MAX_EXP);
	const struct kb_expectation *last = &res.exp[KB_CHECK_MAX_EXP - 1];
	assert_false(last->met);   /* number 1500 was not met, and it is past the cap */
	assert_string_equal(last->expected, "1745 more expectations left out (1 not met): a check records at most 256");
	assert_int_equal(kb_check_unmet(&res), 2);
	size_t total = 0;
	for (size_t i = 0; i < res.n_exp; i++) {
		const struct kb_expectation *e = &res.exp[i];
		total += strlen(e->expected) + (e->seen ? strlen(e->seen) : 0) + (e->where ? strlen(e->where) : 0) +
			 (e->hint ? strlen(e->hint) : 0);
		assert_true(!e->seen || strlen(e->seen) <= KB_CHECK_SEEN_CAP);
	}
	assert_true(total < KB_CHECK_TEXT_CAP + 256 * 128);
	assert_true(strlen(res.exp[0].expected) <= KB_CHECK_LINE_CAP);
	assert_non_null(strstr(res.exp[0].seen, "bytes left out (seen is cut at 4096 bytes)"));
	assert_non_null(strstr(res.exp[200].seen, "1048576 bytes left out (a check's expectations hold at most 64 KiB"));

	struct kb_check_result again = {0};
	for (size_t i = 0; i < res.n_exp; i++) {
		const struct kb_expectation *e = &res.exp[i];
		kb_check_expect(&again, e->met, e->expected, e->seen, e->where, e->hint, e->line);
	}
	assert_int_equal(again.n_exp, res.n_exp);
	for (size_t i = 0; i < res.n_exp; i++) {
		assert_string_equal(again.exp[i].expected, res.exp[i].expected);
		assert_true(again.exp[i].met == res.exp[i].met);
		if (res.exp[i].seen)
			assert_string_equal(again.exp[i].seen, res.exp[i].seen);
	}
	kb_check_result_free(&again);
	kb_check_result_free(&res);
	free(mib);
}

/* 30 MiB printed: each print cut at 4 KiB, all at 64 KiB, then a line saying how much
 * more was left out. */
static void test_print_caps(void **state)
{
	(void)state;
	struct kb_sandbox *sb;
	assert_int_equal(kb_sandbox_new(&sb, NULL), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	const char *code = "local mib = ('x'):rep(1024 * 1024)\nfor i = 1, 30 do print(mib) end\nlesson {}\n";
	struct kb_value v;
	assert_int_equal(kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v), 0);
	char *out = kb_sandbox_take_output(sb);
	assert_true(strlen(out) <= 64 * 1024 + 200);
	assert_non_null(strstr(out, "bytes left out (one print is cut at 4096 bytes) ...]"));
	assert_non_null(strstr(out, "more bytes of print left out (a check's print is capped at 64 KiB) ...]\n"));
	free(out);
	out = kb_sandbox_take_output(sb);
	assert_string_equal(out, "");   /* the count starts again */
	free(out);
	kb_value_free(&v);
	kb_sandbox_free(sb);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_read_beneath),
	cmocka_unit_test(test_str_cut),
	cmocka_unit_test(test_expect_caps),
	cmocka_unit_test(test_print_caps),
};

KB_TEST_MAIN_GROUP(tests, setup, teardown)

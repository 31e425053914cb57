/* test_engine_zh.c - the engine's own words in Simplified Chinese where other code reads
 * them back: the sandbox still knows its limits' raises (and keeps their file:line), a
 * note kb_str_cut adds still fits its cap, and kb.exists still tells a folder from a
 * missing file. Reads the catalog make compiled (obj/locale). */
#define _GNU_SOURCE
#include "kbtest.h"
#include "engine/kb_api.h"
#include "engine/sandbox.h"
#include "base/intl.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[4096];

static int setup(void **state)
{
	if (!getcwd(dir, sizeof dir - 32))
		return -1;
	char *locale = kb_asprintf("%s/obj/locale", dir);
	char *mo = kb_asprintf("%s/zh_CN/LC_MESSAGES/kbridge.mo", locale);
	int ok = access(mo, R_OK) == 0;
	if (!ok)
		fprintf(stderr, "no catalog at %s: run make first\n", mo);
	setenv("KBRIDGE_LOCALEDIR", locale, 1);
	free(mo);
	free(locale);
	if (!ok)
		return -1;
	kb_intl_use("zh-CN");
	return 0;
}

static char *run_lesson(const char *code, size_t memory)
{
	struct kb_sandbox *sb;
	struct kb_sandbox_limits lim = {.memory = memory, .instructions = 5000000};
	assert_int_equal(kb_sandbox_new(&sb, &lim), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	struct kb_value v;
	int rc = kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v);
	char *err = rc < 0 ? kb_strdup(kb_error_last()) : NULL;
	kb_value_free(&v);
	kb_sandbox_free(sb);
	return err;
}

static void expect_in(const char *err, const char *part)
{
	if (!err || !strstr(err, part))
		fail_msg("expected '%s' in: %s", part, err ? err : "(no error)");
}

/* the hook's own raise is recognised in Chinese: it keeps the line of the loop */
static void loop_keeps_its_line(void **s)
{
	char *err = run_lesson("local n = 0\nwhile true do n = n + 1 end\n", 16u << 20);
	expect_in(err, "t/lesson.lua:2: ");
	expect_in(err, "课的代码运行太久");
	free(err);
}

static void memory_bomb_is_named(void **s)
{
	char *err = run_lesson("local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = ('x'):rep(1000) .. i end\n",
			       16u << 20);
	expect_in(err, "t/lesson.lua:");
	expect_in(err, "课的代码占用内存太多（超过 16 MiB）");
	assert_null(strstr(err, "error while handling"));
	free(err);
}

/* the Chinese note is longer in bytes than the English one: the result still fits (from
 * 256 bytes on; below, the 16 bytes of text kept come first, in English as in Chinese) */
static void cut_note_fits(void **s)
{
	char text[20000];
	memset(text, 'a', sizeof text);
	for (size_t cap = 256; cap <= 8192; cap *= 2) {
		char *out = kb_str_cut(text, sizeof text, cap, "测试");
		expect_in(out, "字节");
		if (strlen(out) > cap)
			fail_msg("cut at %zu, got %zu bytes", cap, strlen(out));
		free(out);
	}
}

/* kb.exists answers false for a folder by the translated "regular file" in the error */
static void exists_tells_folder_from_file(void **s)
{
	char *root = kb_mkdtemp("kb-zh");
	assert_non_null(root);
	char *sub = kb_path_join(root, "sub");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(kb_workspace_open(root, "sub", 0), KB_EINVAL);
	expect_in(kb_error_last(), _("regular file"));
	expect_in(kb_error_last(), "普通文件");
	assert_int_equal(kb_workspace_open(root, "none.c", 0), KB_ENOTFOUND);
	expect_in(kb_error_last(), "none.c：工作区里没有这个文件");
	kb_rm_rf(root);
	free(sub);
	free(root);
}

/* and English again when no language is chosen */
static void english_again(void **s)
{
	kb_intl_use(NULL);
	char *err = run_lesson("local n = 0\nwhile true do n = n + 1 end\n", 16u << 20);
	expect_in(err, "t/lesson.lua:2: the lesson ran too long");
	free(err);
	kb_intl_use("zh-CN");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(loop_keeps_its_line),
	cmocka_unit_test(memory_bomb_is_named),
	cmocka_unit_test(cut_note_fits),
	cmocka_unit_test(exists_tells_folder_from_file),
	cmocka_unit_test(english_again),
};

KB_TEST_MAIN_GROUP(tests, setup, NULL)

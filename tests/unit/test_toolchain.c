/* test_toolchain.c - the toolchain's bindgen answers are kept in KBRIDGE_HOME between
 * checks (toolchain.cache) and asked again when the files that give them change: here the
 * tree's scripts/min-tool-version.sh, a fake one that counts how often it runs. */
#define _GNU_SOURCE
#include "kbtest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "kernel/kernel.h"
#include "sys/runner.h"

static char *home, *script, *count, *cache;

static void write_script(const char *version)
{
	char *text = kb_asprintf("#!/bin/sh\necho run >> %s\necho %s\n", count, version);
	assert_int_equal(kb_write_file_atomic(script, text, strlen(text), 0755), 0);
	free(text);
}

static int runs(void)
{
	char *text = NULL;
	size_t len = 0;
	if (kb_read_file(&text, &len, count) != 0)
		return 0;
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

/* the toolchain's answers as a fresh kbridge sees them */
static void answers(char **version, char **min)
{
	struct kb_home h;
	assert_int_equal(kb_home_init(&h), 0);
	struct kb_toolchain tc;
	kb_toolchain_init(&tc, &h);
	*version = tc.bindgen_version ? kb_strdup(tc.bindgen_version) : NULL;
	*min = kb_strdup(tc.bindgen_min);
	kb_toolchain_free(&tc);
	kb_home_free(&h);
}

static int setup(void **state)
{
	home = kb_mkdtemp("kb-test-toolchain");
	if (!home)
		return -1;
	char *dir = kb_path_join(home, "linux/scripts");
	kb_mkdir_p(dir, 0755);
	free(dir);
	script = kb_path_join(home, "linux/scripts/min-tool-version.sh");
	count = kb_path_join(home, "runs");
	cache = kb_path_join(home, "toolchain.cache");
	setenv("KBRIDGE_HOME", home, 1);
	/* kbridge's data folder: this tree (the tests run from its top) */
	char cwd[4096];
	if (!getenv("KBRIDGE_DATADIR") && getcwd(cwd, sizeof cwd))
		setenv("KBRIDGE_DATADIR", cwd, 1);
	return 0;
}

static int teardown(void **state)
{
	kb_rm_rf(home);
	free(home);
	free(script);
	free(count);
	free(cache);
	return 0;
}

static void asked_once_then_kept(void **state)
{
	write_script("0.71.0");
	char *v1, *m1, *v2, *m2;
	answers(&v1, &m1);
	assert_string_equal(m1, "0.71.0");
	assert_int_equal(runs(), 1);
	assert_true(kb_path_exists(cache));
	answers(&v2, &m2);
	assert_int_equal(runs(), 1);   /* kept: the script did not run again */
	assert_string_equal(m2, "0.71.0");
	/* the system bindgen's version is the same whether asked or kept */
	char *line = runner_capture_line((char *[]){"/usr/bin/bindgen", "--version", NULL});
	if (line)
		assert_non_null(strstr(line, v1));
	else
		assert_null(v1);
	if (v1)
		assert_string_equal(v1, v2);
	else
		assert_null(v2);
	free(line);
	free(v1);
	free(m1);
	free(v2);
	free(m2);
}

static void asked_again_when_the_script_changes(void **state)
{
	write_script("0.71.0");
	char *v, *m;
	answers(&v, &m);
	int before = runs();
	free(v);
	free(m);
	/* same size, other content: the file's identity changed (inode, times) */
	write_script("0.72.0");
	answers(&v, &m);
	assert_string_equal(m, "0.72.0");
	assert_int_equal(runs(), before + 1);
	free(v);
	free(m);
	answers(&v, &m);
	assert_int_equal(runs(), before + 1);
	free(v);
	free(m);
}

static void a_damaged_or_missing_cache_is_asked_again(void **state)
{
	write_script("0.73.0");
	char *v, *m;
	answers(&v, &m);
	free(v);
	free(m);
	int before = runs();
	assert_int_equal(kb_write_file_atomic(cache, "toolchain 0\n", 12, 0644), 0);
	answers(&v, &m);
	assert_string_equal(m, "0.73.0");
	assert_int_equal(runs(), before + 1);
	free(v);
	free(m);
	unlink(cache);
	answers(&v, &m);
	assert_string_equal(m, "0.73.0");
	assert_int_equal(runs(), before + 2);
	free(v);
	free(m);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(asked_once_then_kept),
	cmocka_unit_test(asked_again_when_the_script_changes),
	cmocka_unit_test(a_damaged_or_missing_cache_is_asked_again),
};

KB_TEST_MAIN_GROUP(tests, setup, teardown)

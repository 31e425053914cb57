/* Unit tests of pack sources: telling folders, local repositories, URLs and user@host:path
 * apart, the ref after '#', the cache entry's name, the errors for bad sources, and the
 * kernel requirement match. Cloning real repositories is tested end to end in
 * tests/integration/test_pack_source.sh. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "engine/lesson.h"
#include "kernel/kernel.h"
#include "store/packsrc.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof tmp, "/tmp/kbridge-packsrc-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	setenv("XDG_CACHE_HOME", tmp, 1);
	char *pack = kb_path_join(tmp, "pack");
	char *lua = kb_path_join(pack, "pack.lua");
	kb_mkdir_p(pack, 0755);
	kb_write_file_atomic(lua, "pack {}\n", 8, 0644);
	free(lua);
	free(pack);
	char *plain = kb_path_join(tmp, "plain");
	kb_mkdir_p(plain, 0755);
	free(plain);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kb_rm_rf(tmp);
	return 0;
}

static void test_folder_pack(void **state)
{
	(void)state;
	struct kb_packsrc s;
	char *dir = kb_path_join(tmp, "pack");
	assert_int_equal(kb_packsrc_parse(&s, dir), 0);
	assert_int_equal(s.kind, KB_PACKSRC_FOLDER);
	assert_null(s.url);
	assert_null(s.cache);
	kb_packsrc_free(&s);
	free(dir);
}

static void test_urls(void **state)
{
	(void)state;
	static const struct { const char *src, *url, *ref, *name; } cases[] = {
		{"https://git.example.org/course/rust-pack.git", "https://git.example.org/course/rust-pack.git", NULL, "rust-pack"},
		{"https://git.example.org/course/rust-pack.git#v1.2", "https://git.example.org/course/rust-pack.git", "v1.2", "rust-pack"},
		{"ssh://git@host:2222/srv/Pack_2/#main", "ssh://git@host:2222/srv/Pack_2/", "main", "pack_2"},
		{"git://host/p.git#1a2b3c4", "git://host/p.git", "1a2b3c4", "p"},
		{"file:///srv/git/labs.git#release/2025", "file:///srv/git/labs.git", "release/2025", "labs"},
		{"git@github.example:teach/kernel labs.git", "git@github.example:teach/kernel labs.git", NULL, "kernel-labs"},
		{"git@host:pack.git#v2", "git@host:pack.git", "v2", "pack"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct kb_packsrc s;
		int rc = kb_packsrc_parse(&s, cases[i].src);
		if (rc)
			fail_msg("%s: %s", cases[i].src, kb_error_last());
		assert_int_equal(s.kind, KB_PACKSRC_GIT);
		assert_string_equal(s.url, cases[i].url);
		if (cases[i].ref)
			assert_string_equal(s.ref, cases[i].ref);
		else
			assert_null(s.ref);
		assert_string_equal(s.name, cases[i].name);
		/* <cache>/kbridge/packs/<name>-<16 hex of the URL> */
		char *prefix = kb_asprintf("%s/kbridge/packs/%s-", tmp, cases[i].name);
		assert_true(kb_str_starts(s.cache, prefix));
		assert_int_equal(strlen(s.cache), strlen(prefix) + 16);
		free(prefix);
		kb_packsrc_free(&s);
	}
	/* the same URL with another ref shares the cache entry; another URL does not */
	struct kb_packsrc a, b, c;
	assert_int_equal(kb_packsrc_parse(&a, "https://h/x/pack.git#v1"), 0);
	assert_int_equal(kb_packsrc_parse(&b, "https://h/x/pack.git#v2"), 0);
	assert_int_equal(kb_packsrc_parse(&c, "https://h/y/pack.git#v1"), 0);
	assert_string_equal(a.cache, b.cache);
	assert_string_not_equal(a.cache, c.cache);
	kb_packsrc_free(&a);
	kb_packsrc_free(&b);
	kb_packsrc_free(&c);
}

static void expect_error(const char *src, int code, const char *text)
{
	struct kb_packsrc s;
	int rc = kb_packsrc_parse(&s, src);
	if (rc != code || !strstr(kb_error_last(), text))
		fail_msg("%s: got %d '%s', wanted %d '%s'", src, rc, kb_error_last(), code, text);
	kb_packsrc_free(&s);
}

static void test_bad_sources(void **state)
{
	(void)state;
	expect_error("ftp://host/pack.git", KB_EINVAL, "the URL scheme 'ftp' is not one kbridge clones from");
	expect_error("https://", KB_EINVAL, "the URL has no host");
	expect_error("https:///pack.git", KB_EINVAL, "the URL has no host");
	expect_error("https://host", KB_EINVAL, "the URL names no repository path");
	expect_error("file://host/srv/pack", KB_EINVAL, "a file URL names an absolute path");
	expect_error("https://host/pack.git#", KB_EINVAL, "nothing after '#'");
	expect_error("https://host/pack.git#v1 2", KB_EINVAL, "is not a tag, branch or commit id");
	expect_error("https://host/pack.git#HEAD~1", KB_EINVAL, "is not a tag, branch or commit id");
	expect_error("git@:pack", KB_EINVAL, "nor user@host:path");
	expect_error("./no/such/pack", KB_ENOTFOUND, "no lesson pack at ./no/such/pack: no such folder");
	expect_error("", KB_EINVAL, "no pack source");
	char *plain = kb_path_join(tmp, "plain");
	expect_error(plain, KB_ENOTFOUND, "is neither a lesson pack (it has no pack.lua) nor a git repository");
	char *pinned = kb_asprintf("%s#v1", plain);
	expect_error(pinned, KB_ENOTFOUND, "is not a git repository (a pack pinned with #REF comes from one)");
	free(pinned);
	free(plain);
}

static void test_folder_with_hash(void **state)
{
	(void)state;
	/* a folder whose name holds '#' is a folder, not a ref */
	char *dir = kb_asprintf("%s/lab#3", tmp);
	char *lua = kb_path_join(dir, "pack.lua");
	assert_int_equal(kb_mkdir_p(dir, 0755), 0);
	assert_int_equal(kb_write_file_atomic(lua, "pack {}\n", 8, 0644), 0);
	struct kb_packsrc s;
	assert_int_equal(kb_packsrc_parse(&s, dir), 0);
	assert_int_equal(s.kind, KB_PACKSRC_FOLDER);
	assert_null(s.ref);
	kb_packsrc_free(&s);
	free(lua);
	free(dir);
}

static void test_cache_root(void **state)
{
	(void)state;
	char *root = kb_packsrc_cache_root();
	char *want = kb_asprintf("%s/kbridge/packs", tmp);
	assert_string_equal(root, want);
	free(root);
	free(want);
	char *saved = kb_strdup(getenv("XDG_CACHE_HOME"));
	unsetenv("XDG_CACHE_HOME");
	root = kb_packsrc_cache_root();
	want = kb_asprintf("%s/.cache/kbridge/packs", getenv("HOME"));
	assert_string_equal(root, want);
	free(root);
	free(want);
	setenv("XDG_CACHE_HOME", saved, 1);
	free(saved);
}

static void test_kernel_fits(void **state)
{
	(void)state;
	assert_true(kb_kernel_fits("6.12", "6.12"));
	assert_true(kb_kernel_fits("6.12", "6.12.117"));
	assert_true(kb_kernel_fits("6.12.117", "6.12.117"));
	assert_false(kb_kernel_fits("6.1", "6.12.117"));     /* not a string prefix */
	assert_false(kb_kernel_fits("6.6", "6.12.117"));
	assert_false(kb_kernel_fits("6.12.100", "6.12.117"));
	assert_false(kb_kernel_fits("6.12.117", "6.12"));
	assert_false(kb_kernel_fits("7.2", "6.12"));
	assert_false(kb_kernel_fits("6.123", "6.12.3"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(test_folder_pack, setup, teardown),
	cmocka_unit_test_setup_teardown(test_urls, setup, teardown),
	cmocka_unit_test_setup_teardown(test_bad_sources, setup, teardown),
	cmocka_unit_test_setup_teardown(test_folder_with_hash, setup, teardown),
	cmocka_unit_test_setup_teardown(test_cache_root, setup, teardown),
	cmocka_unit_test(test_kernel_fits),
};

KB_TEST_MAIN(tests)

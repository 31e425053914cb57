/* test_ktap.c - the KTAP parser on real KUnit output captured from the course kernel
 * (tests/fixtures/ktap/: kunit-example-test.c built as an external module and booted
 * with `kbridge boot --build DIR --run true --log`; kunit-fail.c and kunit-oops.c, the
 * sources beside their logs, for a failing expectation and an oops inside a case). */
#define _GNU_SOURCE
#include "kbtest.h"
#include "kernel/ktap.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name)
{
	const char *dir = getenv("KB_FIXTURES") ? getenv("KB_FIXTURES") : "tests/fixtures";
	char *path = kb_asprintf("%s/ktap/%s", dir, name);
	char *text;
	if (kb_read_file(&text, NULL, path) < 0)
		fail_msg("cannot read fixture %s (run from the repository root): %s", path, kb_error_last());
	free(path);
	return text;
}

static void parse(struct kb_ktap *k, const char *name)
{
	char *text = fixture(name);
	assert_int_equal(kb_ktap_parse(k, text), 0);
	free(text);
}

static void test_example_suites(void **s)
{
	struct kb_ktap k;
	parse(&k, "kunit-example.ktap");
	assert_true(k.found);
	assert_int_equal(k.version, 1);
	assert_int_equal(k.n_tests, 2);
	assert_string_equal(k.tests[0].name, "example_init");
	assert_int_equal(k.tests[0].number, 1);
	assert_int_equal(k.tests[0].result, KB_KTAP_OK);
	assert_int_equal(k.tests[0].plan, 1);
	assert_int_equal(k.tests[0].n_subtests, 1);
	assert_string_equal(k.tests[0].subtests[0].name, "example_init_test");
	const struct kb_ktap_test *ex = &k.tests[1];
	assert_string_equal(ex->name, "example");
	assert_int_equal(ex->number, 2);
	assert_int_equal(ex->result, KB_KTAP_OK);
	assert_int_equal(ex->plan, 9);
	assert_int_equal(ex->n_subtests, 9);
	/* leaf cases, as kunit.py counts them: example_init_test, 6 example cases and 2
	   of the 4 parameters pass; 2 cases and 2 parameters are skipped. (The kernel's
	   own "# Totals: pass:8 ... skip:4" line counts the parameterised case once.) */
	assert_int_equal(k.passed, 9);
	assert_int_equal(k.failed, 0);
	assert_int_equal(k.skipped, 4);
	kb_ktap_free(&k);
}

static void test_example_skip_and_params(void **s)
{
	struct kb_ktap k;
	parse(&k, "kunit-example.ktap");
	const struct kb_ktap_test *skip = kb_ktap_find(&k, "example.example_skip_test");
	assert_non_null(skip);
	assert_int_equal(skip->result, KB_KTAP_SKIP);
	assert_string_equal(skip->directive, "SKIP this test should be skipped");
	/* parameterised case: nested one level deeper (8 spaces), its diagnostics at 4 */
	const struct kb_ktap_test *params = kb_ktap_find(&k, "example.example_params_test");
	assert_non_null(params);
	assert_int_equal(params->number, 8);
	assert_int_equal(params->result, KB_KTAP_OK);
	assert_int_equal(params->n_subtests, 4);
	assert_string_equal(params->subtests[1].name, "example value 2");
	assert_int_equal(params->subtests[0].result, KB_KTAP_SKIP);
	assert_string_equal(params->subtests[0].directive, "SKIP unsupported param value 3");
	assert_non_null(strstr(params->diagnostics, "# example_params_test: pass:2 fail:0 skip:2 total:4"));
	const struct kb_ktap_test *v2 = kb_ktap_find(&k, "example.example_params_test.example value 2");
	assert_ptr_equal(v2, &params->subtests[1]);
	int p, f, sk;
	kb_ktap_count(params, &p, &f, &sk);
	assert_int_equal(p, 2);
	assert_int_equal(sk, 2);
	assert_int_equal(f, 0);
	const struct kb_ktap_test *slow = kb_ktap_find(&k, "example.example_slow_test");
	assert_int_equal(slow->number, 9);
	assert_non_null(strstr(slow->diagnostics, "# example_slow_test.speed: slow"));
	assert_null(kb_ktap_find(&k, "example.no_such_test"));
	assert_null(kb_ktap_find(&k, "nosuite"));
	kb_ktap_free(&k);
}

static void test_whole_boot_log(void **s)
{
	/* the full kernel log: boot messages, the built-in (empty) KTAP run, init's
	   arguments indented like KTAP, then the module's suites */
	struct kb_ktap k;
	parse(&k, "kunit-example-boot.log");
	assert_true(k.found);
	assert_int_equal(k.n_tests, 2);
	assert_string_equal(k.tests[1].name, "example");
	assert_int_equal(k.tests[1].n_subtests, 9);
	assert_int_equal(k.passed, 9);
	assert_int_equal(k.skipped, 4);
	/* boot noise did not leak into a test's diagnostics */
	assert_null(strstr(k.tests[0].subtests[0].diagnostics, "/init"));
	kb_ktap_free(&k);
}

static void test_failed_expectation(void **s)
{
	struct kb_ktap k;
	parse(&k, "kunit-fail.log");
	assert_int_equal(k.n_tests, 1);
	const struct kb_ktap_test *suite = kb_ktap_find(&k, "kb_add");
	assert_int_equal(suite->result, KB_KTAP_FAIL);
	assert_int_equal(k.passed, 1);
	assert_int_equal(k.failed, 1);
	const struct kb_ktap_test *ov = kb_ktap_find(&k, "kb_add.kb_add_overflow");
	assert_int_equal(ov->result, KB_KTAP_FAIL);
	assert_int_equal(ov->number, 2);
	/* what KUnit said about it, continuation lines included */
	assert_non_null(strstr(ov->diagnostics, "# kb_add_overflow: EXPECTATION FAILED at"));
	assert_non_null(strstr(ov->diagnostics, "== -75, but"));
	assert_non_null(strstr(ov->diagnostics, "== 0 (0x0)"));
	assert_int_equal(kb_ktap_find(&k, "kb_add.kb_add_small")->result, KB_KTAP_OK);
	assert_string_equal(kb_ktap_find(&k, "kb_add.kb_add_small")->diagnostics, "");
	kb_ktap_free(&k);
}

static void test_oops_in_case(void **s)
{
	/* an oops inside a case: the oops lines (column 0) are not KTAP; KUnit goes on */
	struct kb_ktap k;
	parse(&k, "kunit-oops.log");
	const struct kb_ktap_test *null = kb_ktap_find(&k, "kb_oops.kb_oops_null");
	assert_non_null(null);
	assert_int_equal(null->result, KB_KTAP_FAIL);
	assert_non_null(strstr(null->diagnostics, "try faulted"));
	assert_null(strstr(null->diagnostics, "RIP:"));
	assert_int_equal(k.passed, 1);
	assert_int_equal(k.failed, 1);
	kb_ktap_free(&k);
}

static void test_cut_short(void **s)
{
	/* the guest died in the middle of a suite: the suite is incomplete, the cases
	   that finished are kept */
	char *text = fixture("kunit-example.ktap");
	char *cut = strstr(text, "example_priv_test: initializing");
	assert_non_null(cut);
	*cut = '\0';
	struct kb_ktap k;
	assert_int_equal(kb_ktap_parse(&k, text), 0);
	free(text);
	assert_int_equal(k.n_tests, 2);
	const struct kb_ktap_test *ex = kb_ktap_find(&k, "example");
	assert_int_equal(ex->result, KB_KTAP_INCOMPLETE);
	assert_int_equal(ex->n_subtests, 6);
	assert_int_equal(ex->plan, 9);
	assert_int_equal(k.passed, 5);   /* example_init_test + 4 passing example cases */
	kb_ktap_free(&k);
}

static void test_no_ktap(void **s)
{
	struct kb_ktap k;
	assert_int_equal(kb_ktap_parse(&k, "[    0.1] Linux version 6.12\nok 1 not after a header\n"), 0);
	assert_false(k.found);
	assert_int_equal(k.n_tests, 0);
	kb_ktap_free(&k);
	assert_int_equal(kb_ktap_parse(&k, NULL), KB_EINVAL);
}

static void test_tap13(void **s)
{
	struct kb_ktap k;
	assert_int_equal(kb_ktap_parse(&k, "TAP version 13\n1..3\nok 1 - first\nnot ok 2 - second\n"
					   "ok 3 # SKIP no name\n"), 0);
	assert_int_equal(k.version, 13);
	assert_int_equal(k.n_tests, 3);
	assert_string_equal(k.tests[0].name, "first");
	assert_int_equal(k.tests[1].result, KB_KTAP_FAIL);
	assert_int_equal(k.tests[2].result, KB_KTAP_SKIP);
	assert_string_equal(k.tests[2].name, "");
	kb_ktap_free(&k);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_example_suites),
	cmocka_unit_test(test_example_skip_and_params),
	cmocka_unit_test(test_whole_boot_log),
	cmocka_unit_test(test_failed_expectation),
	cmocka_unit_test(test_oops_in_case),
	cmocka_unit_test(test_cut_short),
	cmocka_unit_test(test_no_ktap),
	cmocka_unit_test(test_tap13),
};

KB_TEST_MAIN(tests)

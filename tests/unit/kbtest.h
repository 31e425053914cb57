/* kbtest.h - the shared main() of kbridge's cmocka unit tests: runs the group and ends
 * with the line "N passed, N failed" that scripts/run-tests.sh adds up. */
#ifndef KB_TEST_H
#define KB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#define KB_TEST_MAIN(tests) KB_TEST_MAIN_GROUP(tests, NULL, NULL)

/* The group setup, run through kb_test_group_setup() so that a setup that fails is
 * known: cmocka then runs none of the group's tests, and they count as failed. */
static int (*kb_test_setup_fn)(void **state);
static int kb_test_setup_failed;

static int __attribute__((unused)) kb_test_group_setup(void **state)
{
	int rc = kb_test_setup_fn ? kb_test_setup_fn(state) : 0;
	if (rc)
		kb_test_setup_failed = 1;
	return rc;
}

/* The same with a group setup and teardown (cmocka's group fixtures). */
#define KB_TEST_MAIN_GROUP(tests, setup, teardown)                                       \
	int main(void)                                                                   \
	{                                                                                \
		size_t total = sizeof(tests) / sizeof((tests)[0]);                       \
		kb_test_setup_fn = (setup);                                              \
		int failed = cmocka_run_group_tests(tests, kb_test_group_setup, teardown); \
		if (kb_test_setup_failed) {                                              \
			printf("the group's setup failed: its %zu tests did not run and count as failed\n", total); \
			failed = (int)total;                                             \
		}                                                                        \
		if (failed < 0 || (size_t)failed > total)                                \
			failed = (int)total;                                             \
		printf("%zu passed, %d failed\n", total - (size_t)failed, failed);      \
		return failed ? 1 : 0;                                                   \
	}

#endif

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

/* The same with a group setup and teardown (cmocka's group fixtures). */
#define KB_TEST_MAIN_GROUP(tests, setup, teardown)                                       \
	int main(void)                                                                   \
	{                                                                                \
		size_t total = sizeof(tests) / sizeof((tests)[0]);                       \
		int failed = cmocka_run_group_tests(tests, setup, teardown);             \
		printf("%zu passed, %d failed\n", total - (size_t)(failed > 0 ? failed : 0), failed); \
		return failed ? 1 : 0;                                                   \
	}

#endif

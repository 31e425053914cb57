/* Unit tests of a child started now and waited for later (runner_exec_start, _wait,
 * _kill), what an early guest of kb.boot is made of: its output waits in the pipe, the
 * feeder may say "not yet" (KB_FEED_LATER) until the child asks, and a child killed
 * unused leaves nothing running. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "sys/runner.h"
#include "base/util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* feeds "hello\n" only once the child printed READY */
struct later {
	struct kb_buf seen;
	int asked_early;
	bool fed;
};

static void later_output(void *ctx, const char *data, size_t len)
{
	struct later *l = ctx;
	kb_buf_add(&l->seen, data, len);
}

static long later_feed(void *ctx, char *buf, size_t cap)
{
	struct later *l = ctx;
	if (l->fed)
		return 0;
	if (!l->seen.data || !strstr(l->seen.data, "READY\n")) {
		l->asked_early++;
		return KB_FEED_LATER;
	}
	assert_true(cap >= 6);
	memcpy(buf, "hello\n", 6);
	l->fed = true;
	return 6;
}

static void start_then_wait_with_a_late_feed(void **state)
{
	struct later l = {.seen = KB_BUF_INIT};
	struct kb_exec_opts start = {
		.argv = (char *[]){"sh", "-c", "echo early; echo READY; read x; echo got $x; exit 3", NULL},
		.feed = later_feed,
	};
	struct kb_exec_run *run;
	assert_int_equal(runner_exec_start(&run, &start), 0);
	assert_non_null(run);
	usleep(200 * 1000);   /* it prints and waits meanwhile: nothing is read yet */
	struct kb_exec_opts wait = {.on_output = later_output, .feed = later_feed, .ctx = &l, .timeout = 20};
	struct kb_exec_result r;
	assert_int_equal(runner_exec_wait(run, &r, &wait), 0);
	assert_int_equal(r.exit_code, 3);
	assert_false(r.timed_out);
	/* what it printed before the wait is kept, in order, and the feed came after READY */
	assert_non_null(strstr(r.output, "early\nREADY\ngot hello\n"));
	assert_true(l.fed);
	runner_exec_result_free(&r);
	kb_buf_free(&l.seen);
}

static void wait_timeout_counts_from_the_wait(void **state)
{
	struct kb_exec_opts start = {.argv = (char *[]){"sleep", "30", NULL}};
	struct kb_exec_run *run;
	assert_int_equal(runner_exec_start(&run, &start), 0);
	usleep(300 * 1000);
	struct kb_exec_opts wait = {.timeout = 0.5};
	struct kb_exec_result r;
	assert_int_equal(runner_exec_wait(run, &r, &wait), 0);
	assert_true(r.timed_out);
	assert_true(r.elapsed >= 0.5 && r.elapsed < 5);
	runner_exec_result_free(&r);
}

static void kill_leaves_nothing_running(void **state)
{
	char marker[64];
	snprintf(marker, sizeof marker, "kb-later-%d", (int)getpid());
	char *script = kb_asprintf("sleep 60 & exec -a %s sleep 60", marker);
	struct kb_exec_opts start = {.argv = (char *[]){"bash", "-c", script, NULL}};
	struct kb_exec_run *run;
	assert_int_equal(runner_exec_start(&run, &start), 0);
	usleep(300 * 1000);
	char *pgrep = kb_asprintf("pgrep -f '^%s' > /dev/null", marker);
	assert_int_equal(system(pgrep), 0);   /* it runs */
	runner_exec_kill(run);
	assert_int_not_equal(system(pgrep), 0);   /* and is gone */
	runner_exec_kill(NULL);
	free(pgrep);
	free(script);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(start_then_wait_with_a_late_feed),
	cmocka_unit_test(wait_timeout_counts_from_the_wait),
	cmocka_unit_test(kill_leaves_nothing_running),
};

KB_TEST_MAIN(tests)

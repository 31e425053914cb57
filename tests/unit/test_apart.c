/* Unit tests of sys/apart: a function run in a child process, stopped whatever it does,
 * with nothing it started left behind. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "sys/apart.h"
#include "sys/runner.h"
#include "base/util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct got {
	struct kb_buf text;   /* the messages, "type:data;" each */
	int ticks;
	volatile bool stop;
	int stop_after_ticks;
};

static void on_message(void *ctx, int type, const char *data, size_t len)
{
	struct got *g = ctx;
	assert_int_equal(data[len], '\0');
	kb_buf_printf(&g->text, "%d:%s;", type, data);
}

static void on_tick(void *ctx)
{
	struct got *g = ctx;
	g->ticks++;
	if (g->stop_after_ticks && g->ticks >= g->stop_after_ticks)
		g->stop = true;
}

static int child_says_three_things(void *ctx, int fd)
{
	kb_apart_send(fd, 0, "one", 3);
	kb_apart_send(fd, 7, "", 0);
	char big[200000];
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\0';
	kb_apart_send(fd, 2, big, strlen(big));
	return 3;
}

static void messages_arrive_in_order_with_the_exit_status(void **state)
{
	struct got g = {.text = KB_BUF_INIT};
	struct kb_apart_opts o = {.child = child_says_three_things, .on_message = on_message, .ctx = &g};
	struct kb_apart_result r;
	assert_int_equal(kb_apart_run(&r, &o), 0);
	assert_int_equal(r.exit_code, 3);
	assert_false(r.timed_out);
	assert_true(kb_str_starts(g.text.data, "0:one;7:;2:xxx"));
	assert_int_equal(g.text.len, strlen("0:one;7:;2:") + 199999 + 1);
	kb_buf_free(&g.text);
}

/* a loop in C that no instruction budget sees, signals blocked: only SIGKILL ends it */
static int child_spins(void *ctx, int fd)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (volatile unsigned long n = 0;; n++)
		;
	return 0;
}

static void a_spinning_child_is_killed_at_the_timeout(void **state)
{
	struct got g = {.text = KB_BUF_INIT};
	struct kb_apart_opts o = {.child = child_spins, .timeout = 0.3, .on_tick = on_tick, .ctx = &g};
	struct kb_apart_result r;
	double t0 = kb_now();
	assert_int_equal(kb_apart_run(&r, &o), 0);
	double took = kb_now() - t0;
	assert_true(r.timed_out);
	assert_int_equal(r.term_signal, SIGKILL);
	assert_true(took >= 0.3 && took < 2.0);
	assert_true(g.ticks >= 2);   /* the caller's loop kept turning meanwhile */
	kb_buf_free(&g.text);
}

static void a_stop_request_ends_it(void **state)
{
	struct got g = {.text = KB_BUF_INIT, .stop_after_ticks = 2};
	struct kb_apart_opts o = {.child = child_spins, .on_tick = on_tick, .ctx = &g, .stop = &g.stop};
	struct kb_apart_result r;
	double t0 = kb_now();
	assert_int_equal(kb_apart_run(&r, &o), 0);
	assert_true(r.stopped);
	assert_false(r.timed_out);
	assert_true(kb_now() - t0 < 2.0);
	kb_buf_free(&g.text);
}

static void a_signal_ends_it(void **state)
{
	kb_signals_install();
	struct got g = {.text = KB_BUF_INIT};
	struct kb_apart_opts o = {.child = child_spins, .ctx = &g};
	struct kb_apart_result r;
	pid_t me = getpid();
	pid_t killer = fork();
	if (killer == 0) {
		usleep(300000);
		kill(me, SIGTERM);
		_exit(0);
	}
	double t0 = kb_now();
	assert_int_equal(kb_apart_run(&r, &o), 0);
	assert_true(r.interrupted);
	assert_true(kb_now() - t0 < 2.0);
	kb_interrupted = 0;
	kb_buf_free(&g.text);
}

/* the child starts a process group with the runner and then spins: when it is killed,
 * the group it started goes with it */
static int child_starts_a_sleeper_then_spins(void *ctx, int fd)
{
	const char *marker = ctx;
	char *script = kb_asprintf("sleep 100 & sleep 100; : %s", marker);
	struct kb_exec_opts o = {.argv = (char *[]){"sh", "-c", script, NULL}, .timeout = 0.2};
	/* the first run ends at its timeout (its group is reported ended) */
	struct kb_exec_result r;
	runner_exec(&r, &o);
	runner_exec_result_free(&r);
	char *bg = kb_asprintf("sh -c 'sleep 100; : %s' & sleep 100", marker);
	/* a group reported as started and not ended: what a child killed mid-build leaves */
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		execlp("sh", "sh", "-c", bg, (char *)NULL);
		_exit(127);
	}
	kb_apart_group(pid, true);
	kb_apart_send(fd, 1, "started", 7);
	child_spins(NULL, fd);
	return 0;
}

static void groups_the_child_started_do_not_outlive_it(void **state)
{
	char marker[64];
	snprintf(marker, sizeof marker, "kbtest-apart-%d", (int)getpid());
	struct kb_apart_opts o = {.child = child_starts_a_sleeper_then_spins, .timeout = 1.5, .ctx = marker};
	struct kb_apart_result r;
	assert_int_equal(kb_apart_run(&r, &o), 0);
	assert_true(r.timed_out);
	usleep(200000);
	char *cmd = kb_asprintf("pgrep -f '[k]%s' > /dev/null", marker + 1);
	assert_int_not_equal(system(cmd), 0);
	free(cmd);
}

static int child_reports_its_limit(void *ctx, int fd)
{
	struct rlimit rl;
	getrlimit(RLIMIT_AS, &rl);
	char *s = kb_asprintf("%llu", (unsigned long long)rl.rlim_cur);
	kb_apart_send(fd, 0, s, strlen(s));
	/* more than the cap: malloc fails instead of growing the process */
	void *p = malloc((size_t)512 << 20);
	kb_apart_send(fd, 1, p ? "got" : "refused", p ? 3 : 7);
	return 0;
}

static void the_memory_cap_holds_in_the_child(void **state)
{
	struct got g = {.text = KB_BUF_INIT};
	struct kb_apart_opts o = {.child = child_reports_its_limit, .memory = (size_t)256 << 20,
				  .on_message = on_message, .ctx = &g};
	struct kb_apart_result r;
	assert_int_equal(kb_apart_run(&r, &o), 0);
	char *want = kb_asprintf("0:%llu;1:refused;", (unsigned long long)((size_t)256 << 20));
	assert_string_equal(g.text.data, want);
	free(want);
	kb_buf_free(&g.text);
}

/* ---- in the background ---- */

static int bg_ok(void *ctx)
{
	(void)ctx;
	return 1;   /* "already there": not an error */
}

static int bg_fails(void *ctx)
{
	return kb_error_set(KB_EGIT, "the import of %s failed", (const char *)ctx);
}

static int bg_interrupted(void *ctx)
{
	(void)ctx;
	return kb_error_set(KB_EINTR, "interrupted");
}

static int bg_slow(void *ctx)
{
	(void)ctx;
	usleep(300 * 1000);
	return 0;
}

static void a_background_child_says_how_it_ended(void **state)
{
	(void)state;
	struct kb_bg b;
	char why[128];
	double took = -1;
	assert_int_equal(kb_bg_start(&b, bg_ok, NULL), 0);
	assert_true(b.pid > 0);
	assert_int_equal(kb_bg_poll(&b, true, &took, why, sizeof why), 0);
	assert_int_equal(b.pid, 0);
	assert_true(took >= 0);
	assert_string_equal(why, "");

	assert_int_equal(kb_bg_start(&b, bg_fails, "linux"), 0);
	assert_int_equal(kb_bg_poll(&b, true, NULL, why, sizeof why), KB_ECHILD);
	assert_string_equal(why, "the import of linux failed");

	assert_int_equal(kb_bg_start(&b, bg_interrupted, NULL), 0);
	assert_int_equal(kb_bg_poll(&b, true, NULL, why, sizeof why), KB_EINTR);

	/* polled without waiting while it runs: 1, and the caller goes on */
	assert_int_equal(kb_bg_start(&b, bg_slow, NULL), 0);
	assert_int_equal(kb_bg_poll(&b, false, NULL, why, sizeof why), 1);
	assert_true(b.pid > 0);
	assert_int_equal(kb_bg_poll(&b, true, &took, why, sizeof why), 0);
	assert_true(took >= 0.25);
	/* nothing left to poll */
	assert_true(kb_bg_poll(&b, true, NULL, why, sizeof why) < 0);
}

static void a_killed_background_child_counts_as_interrupted(void **state)
{
	(void)state;
	struct kb_bg b;
	assert_int_equal(kb_bg_start(&b, bg_slow, NULL), 0);
	kill(b.pid, SIGKILL);
	assert_int_equal(kb_bg_poll(&b, true, NULL, NULL, 0), KB_EINTR);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(messages_arrive_in_order_with_the_exit_status),
	cmocka_unit_test(a_spinning_child_is_killed_at_the_timeout),
	cmocka_unit_test(a_stop_request_ends_it),
	cmocka_unit_test(a_signal_ends_it),
	cmocka_unit_test(groups_the_child_started_do_not_outlive_it),
	cmocka_unit_test(the_memory_cap_holds_in_the_child),
	cmocka_unit_test(a_background_child_says_how_it_ended),
	cmocka_unit_test(a_killed_background_child_counts_as_interrupted),
};

KB_TEST_MAIN(tests)

/* test_lab.c - the shared lab's check slots and queue (lab.c) on a lab folder made here:
 * lab.conf parsing, the limit held across processes, the queue's order and what a
 * waiter is told. */
#define _GNU_SOURCE
#include "kbtest.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/lab.h"
#include "base/util.h"

static char home[] = "/tmp/kb-lab-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(home) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return kb_rm_rf(home) == 0 ? 0 : -1;
}

static void write_conf(const char *text)
{
	char *dir = kb_asprintf("%s/lab", home), *path = kb_asprintf("%s/lab/lab.conf", home);
	assert_int_equal(kb_mkdir_p(dir, 0755), 0);
	assert_int_equal(kb_write_file_atomic(path, text, strlen(text), 0644), 0);
	free(dir);
	free(path);
}

static void test_max_checks(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_max_checks("/nonexistent-kb-home"), 0);   /* not a lab */
	write_conf("# comment\n\nmax_checks = 3\n");
	assert_int_equal(kb_lab_max_checks(home), 3);
	write_conf("max_checks = 0\n");
	assert_int_equal(kb_lab_max_checks(home), KB_EINVAL);
	assert_non_null(strstr(kb_error_last(), "lab.conf:1:"));
	write_conf("max_checks = 2 extra\n");
	assert_int_equal(kb_lab_max_checks(home), KB_EINVAL);
	write_conf("# nothing\n");
	assert_int_equal(kb_lab_max_checks(home), KB_EINVAL);
	assert_non_null(strstr(kb_error_last(), "no 'max_checks = N' line"));
}

static void test_init_modes(void **state)
{
	(void)state;
	char *f = kb_asprintf("%s/secret", home);
	assert_int_equal(kb_write_file_atomic(f, "x", 1, 0666), 0);
	chmod(f, 0666);
	assert_int_equal(kb_lab_init(home, 2), 0);
	assert_int_equal(kb_lab_max_checks(home), 2);
	struct stat st;
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);   /* writable by its owner only */
	char *q = kb_asprintf("%s/lab/queue", home);
	assert_int_equal(stat(q, &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	assert_int_equal(kb_lab_init(home, 0), KB_EINVAL);
	free(q);
	free(f);
}

static void test_limit_held(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_init(home, 2), 0);
	struct kb_lab_slot a, b;
	assert_int_equal(kb_lab_acquire(home, &a, NULL, NULL, NULL), 0);
	assert_int_equal(kb_lab_acquire(home, &b, NULL, NULL, NULL), 0);
	assert_true(a.fd >= 0 && b.fd >= 0);
	assert_int_not_equal(a.slot, b.slot);
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.max_checks, 2);
	assert_int_equal(st.running, 2);
	assert_int_equal(st.waiting, 0);
	kb_lab_release(&a);
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.running, 1);
	kb_lab_release(&b);
	assert_int_equal(a.fd, -1);
}

struct told {
	int calls, first, last;
};

static void on_wait(void *ctx, int ahead, int limit)
{
	struct told *t = ctx;
	if (t->calls++ == 0)
		t->first = ahead;
	t->last = ahead;
	assert_int_equal(limit, 1);
}

/* One slot held by us; two children queue for it one after the other. The first to
 * come is told 0 ahead, the second 1, and they get the slot in that order. */
static void test_queue_order(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_init(home, 1), 0);
	struct kb_lab_slot held;
	assert_int_equal(kb_lab_acquire(home, &held, NULL, NULL, NULL), 0);
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			/* a forked child shares our flock until it closes its copy (kbridge's own
			   children exec, and the slot file is O_CLOEXEC) */
			kb_lab_release(&held);
			close(pipefd[0]);
			struct told t = {0};
			struct kb_lab_slot s;
			int rc = kb_lab_acquire(home, &s, on_wait, NULL, &t);
			char line[64];
			int n = snprintf(line, sizeof line, "%d %d %d\n", k, rc, t.first);
			if (write(pipefd[1], line, (size_t)n) < 0)
				_exit(2);
			usleep(200 * 1000);   /* hold it a little: the other must still wait */
			kb_lab_release(&s);
			_exit(0);
		}
		usleep(400 * 1000);   /* the first child is in the queue before the second comes */
	}
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.waiting, 2);
	kb_lab_release(&held);
	close(pipefd[1]);
	char buf[256] = "";
	size_t len = 0;
	ssize_t n;
	while ((n = read(pipefd[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(pipefd[0]);
	for (int k = 0; k < 2; k++) {
		int status;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* served in arrival order, each told its place when it joined */
	assert_string_equal(buf, "0 0 0\n1 0 1\n");
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.waiting, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_max_checks),
	cmocka_unit_test(test_init_modes),
	cmocka_unit_test(test_limit_held),
	cmocka_unit_test(test_queue_order),
};

KB_TEST_MAIN_GROUP(tests, setup, teardown)

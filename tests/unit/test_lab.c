/* test_lab.c - the shared lab's running checks and queue (lab.c) on a lab folder made here:
 * lab.conf parsing, the limit held across processes and users, the queue's order and
 * what a waiter is told, and forged tickets and entries that must not delay anyone. */
#define _GNU_SOURCE
#include "kbtest.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
	char *r = kb_asprintf("%s/lab/running", home);
	assert_int_equal(stat(r, &st), 0);
	assert_int_equal(st.st_mode & 07777, 01777);
	free(r);
	assert_int_equal(kb_lab_init(home, 0), KB_EINVAL);
	free(q);
	free(f);
}

static void on_alarm(int sig)
{
	(void)sig;
	kb_interrupted = 1;
}

/* kb_lab_acquire in a child process as `uid` (-1: ours), given `seconds` before it is
   interrupted: 0 when it got a place (then held until the child is killed), 1 when it
   was still waiting */
static pid_t try_in_child(long uid, unsigned seconds, int *got)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		close(p[0]);
		if (uid >= 0 && setuid((uid_t)uid) < 0)
			_exit(3);
		signal(SIGALRM, on_alarm);
		alarm(seconds);
		struct kb_lab_slot s;
		int rc = kb_lab_acquire(home, &s, NULL, NULL, NULL);
		char c = rc == 0 ? '0' : rc == KB_EINTR ? '1' : 'e';
		if (write(p[1], &c, 1) < 0)
			_exit(2);
		if (rc == 0)
			pause();
		_exit(0);
	}
	close(p[1]);
	char c = '?';
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	*got = c == '0' ? 0 : c == '1' ? 1 : -1;
	return kid;
}

/* The limit counts users, each with one check at a time: our second check waits for our
 * first; as root, a second user runs beside us and a third waits for one of us. */
static void test_limit_held(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_init(home, 2), 0);
	struct kb_lab_slot a;
	assert_int_equal(kb_lab_acquire(home, &a, NULL, NULL, NULL), 0);
	assert_true(a.fd >= 0 && a.slot == 0);
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.max_checks, 2);
	assert_int_equal(st.running, 1);
	assert_int_equal(st.waiting, 0);
	int got;
	pid_t same = try_in_child(-1, 1, &got);
	assert_int_equal(got, 1);   /* the same user: waits for the first */
	waitpid(same, NULL, 0);
	if (geteuid() == 0) {
		pid_t other = try_in_child(65534, 1, &got);
		assert_int_equal(got, 0);
		assert_int_equal(kb_lab_status(home, &st), 0);
		assert_int_equal(st.running, 2);
		pid_t third = try_in_child(65533, 1, &got);
		assert_int_equal(got, 1);   /* two users run: the third waits */
		waitpid(third, NULL, 0);
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
		/* killed without leaving: its entry no longer counts */
		assert_int_equal(kb_lab_status(home, &st), 0);
		assert_int_equal(st.running, 1);
	} else {
		printf("# skipped the part that needs root: other users\n");
	}
	kb_lab_release(&a);
	assert_int_equal(a.fd, -1);
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.running, 0);
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

/* The one place held by us; two children queue for it one after the other. The first
 * to come is told 0 ahead, the second 1, and they get the place in that order. */
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
			/* (held is ours, the parent's: the child leaves it alone) */
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
	assert_int_equal(st.waiting, 1);   /* two tickets, one user: counted once */
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


/* ---- forged tickets ------------------------------------------------------------------- */

/* field 22 of /proc/PID/stat: the start time in clock ticks since boot */
static unsigned long long start_of(pid_t pid)
{
	char *path = kb_asprintf("/proc/%ld/stat", (long)pid), *text = NULL;
	size_t len;
	assert_int_equal(kb_read_file(&text, &len, path), 0);
	char *p = strrchr(text, ')') + 1;
	for (int field = 3; field < 22; field++)
		p = strchr(p + 1, ' ');
	unsigned long long start = strtoull(p + 1, NULL, 10);
	free(text);
	free(path);
	return start;
}

static long long boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* a ticket in the queue as a learner could write one, owned by `uid` (-1: by us) */
static void forge(const char *name, long uid)
{
	char *path = kb_asprintf("%s/lab/queue/%s", home, name);
	assert_int_equal(kb_write_file_atomic(path, "", 0, 0600), 0);
	if (uid >= 0)
		assert_int_equal(chown(path, (uid_t)uid, (gid_t)uid), 0);
	free(path);
}

static pid_t sleeper(long uid)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		if (uid >= 0 && setuid((uid_t)uid) < 0)
			_exit(3);
		pause();
		_exit(0);
	}
	usleep(100 * 1000);
	return p;
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

/* Tickets a learner can write by hand count for nothing: pid 1, another user's live
 * process, a dead process, our pid with another start time (a pid used again), a ticket
 * older than its process, the old "<time>-<pid>" form. With every slot free and those in
 * the queue, a check takes its slot at once. */
static void test_forged_tickets(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_init(home, 1), 0);
	bool root = geteuid() == 0;
	long learner = root ? 65534 : -1;   /* as root, the tickets are made a learner's */
	long long now = boot_ns();
	char name[128];
	snprintf(name, sizeof name, "%lld-1-%llu", now, start_of(1));
	forge(name, learner);                                 /* pid 1, with its true start */
	forge("0-1", -1);                                     /* the old form */
	snprintf(name, sizeof name, "%lld-%ld-%llu", now, (long)getpid(), start_of(getpid()));
	if (root)
		forge(name, learner);                         /* another user's (our) process */
	pid_t dead = fork();
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	unsigned long long dead_start = start_of(getpid());
	waitpid(dead, NULL, 0);
	snprintf(name, sizeof name, "%lld-%ld-%llu", now, (long)dead, dead_start);
	forge(name, -1);                                      /* a dead process */
	snprintf(name, sizeof name, "%lld-%ld-%llu", now, (long)getpid(), start_of(getpid()) + 1);
	forge(name, -1);                                      /* our pid, another start */
	snprintf(name, sizeof name, "1-%ld-%llu", (long)getpid(), start_of(getpid()));
	forge(name, -1);                                      /* older than its process */
	snprintf(name, sizeof name, "%lld-%ld-%llu", now + 3600000000000LL, (long)getpid(), start_of(getpid()));
	forge(name, -1);                                      /* from the future */
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.waiting, 0);
	struct told t = {0};
	struct kb_lab_slot s;
	double t0 = kb_now();
	assert_int_equal(kb_lab_acquire(home, &s, on_wait, NULL, &t), 0);
	assert_true(s.fd >= 0);
	assert_true(kb_now() - t0 < 0.5);
	assert_int_equal(t.calls, 0);   /* never told to wait */
	kb_lab_release(&s);
}

/* A ticket that counts (a live process of the ticket's owner, its true start time) but
 * whose process never takes the free slot delays the next in line only KB_LAB_GRACE s. */
static void test_idle_ticket_grace(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_init(home, 1), 0);
	pid_t idle = sleeper(-1);
	char name[128];
	snprintf(name, sizeof name, "%lld-%ld-%llu", boot_ns(), (long)idle, start_of(idle));
	forge(name, -1);
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.waiting, 1);
	struct told t = {0};
	struct kb_lab_slot s;
	double t0 = kb_now();
	assert_int_equal(kb_lab_acquire(home, &s, on_wait, NULL, &t), 0);
	double waited = kb_now() - t0;
	assert_true(s.fd >= 0);
	assert_int_equal(t.first, 1);
	assert_true(waited >= KB_LAB_GRACE - 0.2 && waited < KB_LAB_GRACE + 1.5);
	kb_lab_release(&s);
	reap(idle);
}

/* Entries written by hand in running/: forged ones (pid 1, a dead process) take no place,
 * and a learner's own live processes take one place however many entries they write. */
static void test_forged_running(void **state)
{
	(void)state;
	assert_int_equal(kb_lab_init(home, 2), 0);
	char name[160];
	snprintf(name, sizeof name, "../running/%lld-1-%llu", boot_ns(), start_of(1));
	forge(name, geteuid() == 0 ? 65534 : -1);
	pid_t dead = fork();
	assert_true(dead >= 0);
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(name, sizeof name, "../running/%lld-%ld-1", boot_ns(), (long)dead);
	forge(name, -1);
	pid_t a = sleeper(-1), b = sleeper(-1);
	snprintf(name, sizeof name, "../running/%lld-%ld-%llu", boot_ns(), (long)a, start_of(a));
	forge(name, -1);
	snprintf(name, sizeof name, "../running/%lld-%ld-%llu", boot_ns(), (long)b, start_of(b));
	forge(name, -1);
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.running, 1);   /* our two sleepers: one user */
	if (geteuid() == 0) {
		int got;
		pid_t other = try_in_child(65534, 2, &got);
		assert_int_equal(got, 0);   /* the second place is free for another user */
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
	}
	reap(a);
	reap(b);
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.running, 0);
}

/* Many tickets of one user count as one waiter (root only: the user is made with setuid). */
static void test_one_ticket_per_user(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		printf("# skipped the part that needs root: tickets of another user\n");
		return;
	}
	assert_int_equal(kb_lab_init(home, 1), 0);
	pid_t a = sleeper(65534), b = sleeper(65534);
	char name[128];
	snprintf(name, sizeof name, "%lld-%ld-%llu", boot_ns(), (long)a, start_of(a));
	forge(name, 65534);
	snprintf(name, sizeof name, "%lld-%ld-%llu", boot_ns(), (long)b, start_of(b));
	forge(name, 65534);
	struct kb_lab_status st;
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.waiting, 1);
	reap(a);
	reap(b);
	assert_int_equal(kb_lab_status(home, &st), 0);
	assert_int_equal(st.waiting, 0);   /* gone with their processes */
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_max_checks),
	cmocka_unit_test(test_init_modes),
	cmocka_unit_test(test_limit_held),
	cmocka_unit_test(test_queue_order),
	cmocka_unit_test(test_forged_tickets),
	cmocka_unit_test(test_idle_ticket_grace),
	cmocka_unit_test(test_one_ticket_per_user),
	cmocka_unit_test(test_forged_running),
};

KB_TEST_MAIN_GROUP(tests, setup, teardown)

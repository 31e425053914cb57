/* apart.c - a function run in a child process under limits. See apart.h. */
#define _GNU_SOURCE
#include "sys/apart.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* apart's own messages: a process group the child started, or that ended */
#define MSG_GROUP_START (-1)
#define MSG_GROUP_END (-2)

static int child_fd = -1;   /* in the child: the write end of the pipe to the caller */

static int send_msg(int fd, int32_t type, const void *data, size_t len)
{
	if (len > KB_APART_MSG_MAX)
		return kb_error_set(KB_EINVAL, "a message of %zu bytes is over the limit", len);
	uint32_t head[2] = {(uint32_t)type, (uint32_t)len};
	if (kb_write_all(fd, head, sizeof head) < 0 || (len && kb_write_all(fd, data, len) < 0))
		return kb_error_set(KB_EIO, "the caller is gone");
	return 0;
}

int kb_apart_send(int fd, int type, const void *data, size_t len)
{
	if (type < 0)
		return kb_error_set(KB_EINVAL, "message types below 0 are apart's own");
	return send_msg(fd, type, data, len);
}

void kb_apart_group(int pgid, bool alive)
{
	if (child_fd >= 0) {
		int32_t g = pgid;
		send_msg(child_fd, alive ? MSG_GROUP_START : MSG_GROUP_END, &g, sizeof g);
	}
}

void kb_apart_exec_prepare(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_AS, &rl);
	}
}

static void child_main(const struct kb_apart_opts *o, int fd)
{
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(125);   /* the caller died before the line above */
	child_fd = fd;
	kb_interrupted = 0;
	/* what the caller had set up for itself (a terminal's crash handler, SIGWINCH,
	   SIGCHLD) is not the child's; the signals that ask to stop keep kbridge's handler */
	for (int s = 1; s < NSIG; s++)
		if (s != SIGINT && s != SIGTERM && s != SIGHUP && s != SIGKILL && s != SIGSTOP)
			signal(s, s == SIGPIPE ? SIG_IGN : SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int nul = open("/dev/null", O_RDWR);
	if (nul >= 0) {
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		if (nul > 2)
			close(nul);
	}
	if (o->memory) {
		struct rlimit rl;
		if (getrlimit(RLIMIT_AS, &rl) == 0) {
			rlim_t want = (rlim_t)o->memory;
			rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || want < rl.rlim_max ? want : rl.rlim_max;
			setrlimit(RLIMIT_AS, &rl);
		}
	}
	int status = o->child(o->ctx, fd);
	_exit(status & 0xff);
}

/* The caller's side: the child, its pipe, what has been read, and the groups it runs. */
struct apart_run {
	const struct kb_apart_opts *o;
	struct kb_apart_result *res;
	pid_t pid;
	int fd;
	int status;
	bool exited, pipe_open;
	double start, last_tick, exited_at;
	double term_at;                     /* when SIGTERM was sent, or 0 */
	struct kb_buf in;                   /* bytes read, not yet a whole message */
	size_t used;                        /* of in: bytes already served */
	int groups[64];
	size_t n_groups;
};

static void group_add(struct apart_run *a, int g)
{
	if (a->n_groups < sizeof a->groups / sizeof *a->groups)
		a->groups[a->n_groups++] = g;
	else
		kill(-g, SIGKILL);   /* more at once than any check starts: not kept running */
}

static void group_del(struct apart_run *a, int g)
{
	for (size_t i = 0; i < a->n_groups; i++)
		if (a->groups[i] == g) {
			a->groups[i] = a->groups[--a->n_groups];
			return;
		}
}

/* Ask the child to stop: SIGTERM lets it end the make or QEMU it waits for; past the
 * grace, SIGKILL. */
static void ask_stop(struct apart_run *a)
{
	if (a->exited || a->term_at > 0)
		return;
	a->term_at = kb_now();
	kill(a->pid, SIGTERM);
}

/* Serve every whole message in the buffer. */
static void serve(struct apart_run *a)
{
	for (;;) {
		size_t have = a->in.len - a->used;
		if (have < 8)
			break;
		uint32_t head[2];
		memcpy(head, a->in.data + a->used, sizeof head);
		int type = (int32_t)head[0];
		size_t len = head[1];
		if (len > KB_APART_MSG_MAX) {
			a->res->broken = true;
			ask_stop(a);
			a->used = a->in.len;
			break;
		}
		if (have < 8 + len)
			break;
		char *data = a->in.data + a->used + 8;
		char saved = data[len];
		data[len] = '\0';
		if (type == MSG_GROUP_START || type == MSG_GROUP_END) {
			int32_t g;
			if (len == sizeof g) {
				memcpy(&g, data, sizeof g);
				if (type == MSG_GROUP_START)
					group_add(a, g);
				else
					group_del(a, g);
			}
		} else if (type >= 0 && a->o->on_message) {
			a->o->on_message(a->o->ctx, type, data, len);
		}
		data[len] = saved;
		a->used += 8 + len;
	}
	if (a->used == a->in.len) {
		a->in.len = 0;
		a->used = 0;
	} else if (a->used > ((size_t)1 << 20)) {
		memmove(a->in.data, a->in.data + a->used, a->in.len - a->used);
		a->in.len -= a->used;
		a->used = 0;
	}
}

static void read_pipe(struct apart_run *a)
{
	char chunk[65536];
	for (;;) {
		ssize_t got = read(a->fd, chunk, sizeof chunk);
		if (got > 0) {
			kb_buf_add(&a->in, chunk, (size_t)got);
			serve(a);
			continue;
		}
		if (got == 0 || (errno != EINTR && errno != EAGAIN))
			a->pipe_open = false;
		if (got < 0 && errno == EINTR)
			continue;
		return;
	}
}

/* Limits and requests; reap. Returns true while the loop must go on. */
static bool watch(struct apart_run *a)
{
	const struct kb_apart_opts *o = a->o;
	if (!a->exited && waitpid(a->pid, &a->status, WNOHANG) == a->pid)
		a->exited = true;
	double now = kb_now();
	if (!a->exited) {
		if (kb_interrupted && !a->res->interrupted) {
			a->res->interrupted = true;
			ask_stop(a);
		}
		if (o->stop && *o->stop && !a->res->stopped) {
			a->res->stopped = true;
			ask_stop(a);
		}
		if (o->timeout > 0 && now - a->start > o->timeout && !a->res->timed_out) {
			a->res->timed_out = true;
			ask_stop(a);
		}
		double grace = o->grace > 0 ? o->grace : 0.5;
		if (a->term_at > 0 && now - a->term_at > grace)
			kill(-a->pid, SIGKILL);
	}
	/* the child is gone: what is left in the pipe was written before it ended; a pipe
	   still open a while after (something it forked holds it) is not waited for */
	if (a->exited && !a->exited_at)
		a->exited_at = now;
	if (a->exited && a->pipe_open && now - a->exited_at > 0.5)
		return false;
	return !(a->exited && !a->pipe_open);
}

int kb_apart_run(struct kb_apart_result *res, const struct kb_apart_opts *o)
{
	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	if (!o->child)
		return kb_error_set(KB_EINVAL, "kb_apart_run: no child function");
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return kb_error_set(KB_ECHILD, "pipe: %s", strerror(errno));
	struct apart_run a = {.o = o, .res = res, .fd = p[0], .pipe_open = true, .start = kb_now(),
			      .in = KB_BUF_INIT};
	a.last_tick = a.start;
	fflush(NULL);
	a.pid = fork();
	if (a.pid < 0) {
		close(p[0]);
		close(p[1]);
		return kb_error_set(KB_ECHILD, "fork: %s", strerror(errno));
	}
	if (a.pid == 0) {
		close(p[0]);
		child_main(o, p[1]);
	}
	setpgid(a.pid, a.pid);   /* also done in the child: whichever runs first wins */
	close(p[1]);
	fcntl(a.fd, F_SETFL, O_NONBLOCK);
	while (watch(&a)) {
		struct pollfd pfd = {.fd = a.fd, .events = POLLIN};
		int r = poll(&pfd, a.pipe_open ? 1 : 0, 100);
		if (r > 0)
			read_pipe(&a);
		if (o->on_tick && kb_now() - a.last_tick >= 0.1) {
			a.last_tick = kb_now();
			o->on_tick(o->ctx);
		}
	}
	if (!a.exited)
		while (waitpid(a.pid, &a.status, 0) < 0 && errno == EINTR)
			;
	/* the child's group, and every group it started and did not see end */
	kill(-a.pid, SIGKILL);
	for (size_t i = 0; i < a.n_groups; i++)
		kill(-a.groups[i], SIGKILL);
	if (WIFEXITED(a.status)) {
		res->exit_code = WEXITSTATUS(a.status);
	} else if (WIFSIGNALED(a.status)) {
		res->term_signal = WTERMSIG(a.status);
	}
	res->elapsed = kb_now() - a.start;
	close(a.fd);
	kb_buf_free(&a.in);
	return 0;
}

/* ---- in the background ---------------------------------------------------------------- */

int kb_bg_start(struct kb_bg *b, int (*fn)(void *ctx), void *ctx)
{
	int fds[2];
	b->pid = 0;
	b->fd = -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return kb_error_set(KB_ECHILD, "cannot make a pipe: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return kb_error_set(KB_ECHILD, "cannot fork: %s", strerror(e));
	}
	if (pid == 0) {
		close(fds[0]);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		int rc = fn(ctx);
		if (rc < 0 && rc != KB_EINTR) {
			const char *e = kb_error_last();
			if (write(fds[1], e, strlen(e)) < 0)
				_exit(2);
		}
		_exit(rc == KB_EINTR ? 130 : rc < 0 ? 1 : 0);
	}
	close(fds[1]);
	b->pid = pid;
	b->fd = fds[0];
	b->t0 = kb_now();
	return 0;
}

int kb_bg_poll(struct kb_bg *b, bool wait, double *elapsed, char *why, size_t cap)
{
	if (why && cap)
		why[0] = '\0';
	if (b->pid <= 0)
		return kb_error_set(KB_ECHILD, "no child runs in the background");
	int status;
	pid_t got;
	while ((got = waitpid(b->pid, &status, wait ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (got == 0)
		return 1;
	if (why && cap) {
		ssize_t n = read(b->fd, why, cap - 1);
		why[n > 0 ? n : 0] = '\0';
	}
	close(b->fd);
	b->fd = -1;
	b->pid = 0;
	if (elapsed)
		*elapsed = kb_now() - b->t0;
	if (got > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (got > 0 && ((WIFEXITED(status) && WEXITSTATUS(status) == 130) || WIFSIGNALED(status)))
		return KB_EINTR;
	return KB_ECHILD;
}

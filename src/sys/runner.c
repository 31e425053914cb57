/* runner.c - child processes with poll(), timeouts and process groups. See runner.h. */
#define _GNU_SOURCE
#include "sys/runner.h"
#include "sys/apart.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void kill_group(pid_t pid, bool own_group)
{
	if (own_group)
		kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

static void child_exec(const struct kb_exec_opts *o, int out_w, int in_r)
{
	if (!o->interactive) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	kb_apart_exec_prepare();
	if (o->stdin_fd == KB_STDIN_NULL && in_r < 0) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0) {
			dup2(fd, 0);
			close(fd);
		}
	} else if (in_r >= 0) {
		dup2(in_r, 0);
		close(in_r);
	} else if (o->stdin_fd >= 0) {
		dup2(o->stdin_fd, 0);
	}
	if (out_w >= 0) {
		dup2(out_w, 1);
		dup2(out_w, 2);
		close(out_w);
	}
	if (o->cwd && chdir(o->cwd) < 0) {
		fprintf(stderr, _("kbridge: cannot enter %s: %s\n"), o->cwd, strerror(errno));
		_exit(127);
	}
	for (char *const *e = o->env; e && *e; e++)
		putenv(*e);
	execvp(o->argv[0], o->argv);
	fprintf(stderr, _("kbridge: cannot run %s: %s\n"), o->argv[0], strerror(errno));
	_exit(127);
}

/* One runner_exec() under way: the child, its pipes, and what is waiting to be fed. */
struct exec_run {
	const struct kb_exec_opts *o;
	struct kb_exec_result *res;
	pid_t pid;
	bool own_group;            /* the child leads a process group of its own */
	int outp[2], inp[2];       /* its stdout+stderr (read end [0]); its stdin (write end [1]) */
	bool out_open, exited, feed_done;
	int status;                /* waitpid's, once exited */
	double start, exited_at, last_tick;
	size_t cap;                /* output kept at most (bytes) */
	struct kb_buf out;
	char feedbuf[65536];
	size_t feed_len, feed_off;
};

/* Pipes, fork, the child's process group. Returns 0 or KB_ECHILD. */
static int exec_start(struct exec_run *x)
{
	const struct kb_exec_opts *o = x->o;
	if (!o->interactive && pipe2(x->outp, O_CLOEXEC) < 0)
		return kb_error_set(KB_ECHILD, "pipe: %s", strerror(errno));
	if (o->feed && pipe2(x->inp, O_CLOEXEC) < 0)
		return kb_error_set(KB_ECHILD, "pipe: %s", strerror(errno));
	fflush(NULL);
	x->pid = fork();
	if (x->pid < 0)
		return kb_error_set(KB_ECHILD, "fork: %s", strerror(errno));
	if (x->pid == 0) {
		/* the pipes are O_CLOEXEC; dup2 gives the child plain copies */
		child_exec(o, x->outp[1], x->inp[0]);
	}
	x->own_group = !o->interactive;
	if (x->own_group) {
		setpgid(x->pid, x->pid);  /* also done in the child: whichever runs first wins */
		kb_apart_group(x->pid, true);
	}
	if (x->outp[1] >= 0) {
		close(x->outp[1]);
		x->outp[1] = -1;
	}
	if (x->inp[0] >= 0) {
		close(x->inp[0]);
		x->inp[0] = -1;
		fcntl(x->inp[1], F_SETFL, O_NONBLOCK);
	}
	x->out_open = x->outp[0] >= 0;
	x->feed_done = !o->feed;
	return 0;
}

/* Reap the child if it ended; kill its group on a signal, a stop request or the
 * timeout. Returns true while the loop must go on. */
static bool exec_watch(struct exec_run *x)
{
	const struct kb_exec_opts *o = x->o;
	struct kb_exec_result *res = x->res;
	if (!x->exited && waitpid(x->pid, &x->status, WNOHANG) == x->pid) {
		x->exited = true;
		x->exited_at = kb_now();
	}
	double now = kb_now();
	if (kb_interrupted && !res->interrupted) {
		res->interrupted = true;
		kill_group(x->pid, x->own_group);
	}
	if (o->stop && *o->stop && !res->stopped && !x->exited) {
		res->stopped = true;
		kill_group(x->pid, x->own_group);
	}
	if (o->timeout > 0 && now - x->start > o->timeout && !res->timed_out && !x->exited) {
		res->timed_out = true;
		kill_group(x->pid, x->own_group);
	}
	/* the child is gone but something it started still holds the pipe: give it a moment
	   to finish writing, then end the group */
	if (x->exited && x->out_open && now - x->exited_at > 0.5) {
		kill_group(x->pid, x->own_group);
		return false;
	}
	return !(x->exited && !x->out_open);
}

static void exec_close_feed(struct exec_run *x)
{
	x->feed_done = true;
	if (x->inp[1] >= 0)
		close(x->inp[1]);
	x->inp[1] = -1;
}

/* Ask o->feed for more input when what we had is written. Returns true when there is
 * input to write. */
static bool exec_refill(struct exec_run *x)
{
	if (x->feed_done || x->exited)
		return false;
	if (x->feed_off == x->feed_len) {
		long got = x->o->feed(x->o->ctx, x->feedbuf, sizeof x->feedbuf);
		if (got == KB_FEED_LATER)
			return false;   /* nothing yet: asked again at the next turn */
		if (got < 0)
			kill_group(x->pid, x->own_group);
		if (got <= 0) {
			exec_close_feed(x);
			return false;
		}
		x->feed_len = (size_t)got;
		x->feed_off = 0;
	}
	return true;
}

/* What the child printed: kept up to the cap, all of it passed to o->on_output. */
static void exec_read(struct exec_run *x)
{
	char chunk[65536];
	ssize_t got = read(x->outp[0], chunk, sizeof chunk);
	if (got > 0) {
		size_t keep = (size_t)got;
		if (x->out.len + keep > x->cap) {
			keep = x->cap > x->out.len ? x->cap - x->out.len : 0;
			x->res->truncated = true;
		}
		if (keep)
			kb_buf_add(&x->out, chunk, keep);
		if (x->o->on_output)
			x->o->on_output(x->o->ctx, chunk, (size_t)got);
	} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
		x->out_open = false;
	}
}

static void exec_write(struct exec_run *x)
{
	ssize_t put = write(x->inp[1], x->feedbuf + x->feed_off, x->feed_len - x->feed_off);
	if (put > 0)
		x->feed_off += (size_t)put;
	else if (put < 0 && errno != EAGAIN && errno != EINTR)
		exec_close_feed(x);   /* the child closed its stdin */
}

/* Wait on the child's output and stdin until it has ended and its output is closed.
 * Returns 0, or KB_ECHILD when poll fails. */
static int exec_loop(struct exec_run *x)
{
	while (exec_watch(x)) {
		struct pollfd pfd[2];
		int n = 0, out_i = -1, in_i = -1;
		if (x->out_open) {
			pfd[n] = (struct pollfd){.fd = x->outp[0], .events = POLLIN};
			out_i = n++;
		}
		if (exec_refill(x)) {
			pfd[n] = (struct pollfd){.fd = x->inp[1], .events = POLLOUT};
			in_i = n++;
		}
		int r = poll(pfd, (nfds_t)n, n ? 100 : 50);
		if (n == 0 && r == 0)
			continue;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			kill_group(x->pid, x->own_group);
			return kb_error_set(KB_ECHILD, "poll: %s", strerror(errno));
		}
		if (out_i >= 0 && (pfd[out_i].revents & (POLLIN | POLLHUP | POLLERR)))
			exec_read(x);
		if (in_i >= 0 && (pfd[in_i].revents & (POLLOUT | POLLERR | POLLHUP)))
			exec_write(x);
		if (x->o->on_tick && kb_now() - x->last_tick >= 0.1) {
			x->last_tick = kb_now();
			x->o->on_tick(x->o->ctx);
		}
	}
	return 0;
}

/* After the loop: reap the child, end its group, fill res. Returns rc, or KB_EINTR. */
static int exec_end(struct exec_run *x, int rc)
{
	struct kb_exec_result *res = x->res;
	if (x->pid > 0 && !x->exited) {
		while (waitpid(x->pid, &x->status, 0) < 0 && errno == EINTR)
			;
	}
	if (x->pid > 0 && x->own_group) {
		kill(-x->pid, SIGKILL);  /* nothing it started outlives it */
		kb_apart_group(x->pid, false);
	}
	if (x->pid > 0 && WIFEXITED(x->status)) {
		res->exit_code = WEXITSTATUS(x->status);
	} else if (x->pid > 0 && WIFSIGNALED(x->status)) {
		res->exit_code = -1;
		res->term_signal = WTERMSIG(x->status);
	}
	if (res->interrupted && !rc)
		rc = kb_error_set(KB_EINTR, "interrupted");
	res->elapsed = kb_now() - x->start;
	res->output_len = x->out.len;
	res->output = kb_buf_detach(&x->out);
	for (int i = 0; i < 2; i++) {
		if (x->outp[i] >= 0)
			close(x->outp[i]);
		if (x->inp[i] >= 0)
			close(x->inp[i]);
		x->outp[i] = x->inp[i] = -1;
	}
	return rc;
}

static void exec_init(struct exec_run *x, struct kb_exec_result *res, const struct kb_exec_opts *o)
{
	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	*x = (struct exec_run){
		.o = o, .res = res, .outp = {-1, -1}, .inp = {-1, -1}, .pid = -1,
		.start = kb_now(), .last_tick = kb_now(),
		.cap = o->output_cap ? o->output_cap : (size_t)8 << 20,
		.out = KB_BUF_INIT,
	};
}

int runner_exec(struct kb_exec_result *res, const struct kb_exec_opts *o)
{
	struct exec_run x;
	exec_init(&x, res, o);
	int rc = exec_start(&x);
	if (rc == 0)
		rc = exec_loop(&x);
	return exec_end(&x, rc);
}

/* A child started by runner_exec_start(): the run, and a result to fill until
   runner_exec_wait() is given the caller's. */
struct kb_exec_run {
	struct exec_run x;
	struct kb_exec_result early;
};

int runner_exec_start(struct kb_exec_run **run, const struct kb_exec_opts *o)
{
	*run = NULL;
	if (o->interactive)
		return kb_error_set(KB_EINVAL, "runner_exec_start: not for an interactive child");
	struct kb_exec_run *r = kb_calloc(1, sizeof *r);
	exec_init(&r->x, &r->early, o);
	int rc = exec_start(&r->x);
	if (rc) {
		exec_end(&r->x, rc);
		runner_exec_result_free(&r->early);
		free(r);
		return rc;
	}
	*run = r;
	return 0;
}

int runner_exec_wait(struct kb_exec_run *r, struct kb_exec_result *res, const struct kb_exec_opts *o)
{
	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	r->x.o = o;
	r->x.res = res;
	r->x.cap = o->output_cap ? o->output_cap : (size_t)8 << 20;
	r->x.start = r->x.last_tick = kb_now();
	r->x.feed_done = r->x.inp[1] < 0 || !o->feed;
	if (r->x.inp[1] >= 0 && !o->feed)
		exec_close_feed(&r->x);
	int rc = exec_loop(&r->x);
	rc = exec_end(&r->x, rc);
	free(r);
	return rc;
}

void runner_exec_kill(struct kb_exec_run *r)
{
	if (!r)
		return;
	kill_group(r->x.pid, r->x.own_group);
	exec_end(&r->x, 0);
	runner_exec_result_free(&r->early);
	free(r);
}

int runner_spawn(struct kb_child *ch, char *const *argv, char *const *env)
{
	ch->pid = 0;
	ch->fd = -1;
	int outp[2];
	if (pipe2(outp, O_CLOEXEC) < 0)
		return kb_error_set(KB_ECHILD, "pipe: %s", strerror(errno));
	struct kb_exec_opts o = {.argv = argv, .env = env, .stdin_fd = KB_STDIN_NULL};
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(outp[0]);
		close(outp[1]);
		return kb_error_set(KB_ECHILD, "fork: %s", strerror(errno));
	}
	if (pid == 0)
		child_exec(&o, outp[1], -1);
	setpgid(pid, pid);
	close(outp[1]);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	ch->pid = pid;
	ch->fd = outp[0];
	return 0;
}

long runner_child_read(struct kb_child *ch, char *buf, size_t cap)
{
	if (ch->fd < 0)
		return -1;
	ssize_t got = read(ch->fd, buf, cap);
	if (got > 0)
		return (long)got;
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	close(ch->fd);
	ch->fd = -1;
	return -1;
}

int runner_child_reap(struct kb_child *ch, int *exit_code)
{
	int status;
	if (ch->pid <= 0)
		return 1;
	if (waitpid(ch->pid, &status, WNOHANG) != ch->pid)
		return 0;
	if (exit_code)
		*exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	ch->pid = 0;
	return 1;
}

void runner_child_stop(struct kb_child *ch, double grace)
{
	if (ch->pid > 0) {
		kill(ch->pid, SIGTERM);
		double until = kb_now() + grace;
		while (!runner_child_reap(ch, NULL) && kb_now() < until)
			poll(NULL, 0, 20);
		if (ch->pid > 0) {
			kill_group(ch->pid, true);
			while (waitpid(ch->pid, NULL, 0) < 0 && errno == EINTR)
				;
			ch->pid = 0;
		}
	}
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
}

void runner_exec_result_free(struct kb_exec_result *res)
{
	free(res->output);
	res->output = NULL;
}

char *runner_capture_line(char *const *argv)
{
	struct kb_exec_opts o = {.argv = argv, .stdin_fd = KB_STDIN_NULL, .timeout = 20,
				 .output_cap = 65536};
	struct kb_exec_result r;
	char *line = NULL;
	if (runner_exec(&r, &o) == 0 && r.exit_code == 0) {
		char *s = r.output;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		size_t n = strcspn(s, "\n");
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
			n--;
		line = kb_strndup(s, n);
	}
	runner_exec_result_free(&r);
	return line;
}

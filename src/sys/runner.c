/* runner.c - child processes with poll(), timeouts and process groups. See runner.h. */
#define _GNU_SOURCE
#include "sys/runner.h"
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
		fprintf(stderr, "kbridge: cannot enter %s: %s\n", o->cwd, strerror(errno));
		_exit(127);
	}
	for (char *const *e = o->env; e && *e; e++)
		putenv(*e);
	execvp(o->argv[0], o->argv);
	fprintf(stderr, "kbridge: cannot run %s: %s\n", o->argv[0], strerror(errno));
	_exit(127);
}

int runner_exec(struct kb_exec_result *res, const struct kb_exec_opts *o)
{
	memset(res, 0, sizeof *res);
	res->exit_code = -1;
	size_t cap = o->output_cap ? o->output_cap : (size_t)8 << 20;
	struct kb_buf out = KB_BUF_INIT;
	int outp[2] = {-1, -1}, inp[2] = {-1, -1};
	double start = kb_now();
	int rc = 0;

	if (!o->interactive && pipe2(outp, O_CLOEXEC) < 0)
		return kb_error_set(KB_ECHILD, "pipe: %s", strerror(errno));
	if (o->feed && pipe2(inp, O_CLOEXEC) < 0) {
		close(outp[0]);
		close(outp[1]);
		return kb_error_set(KB_ECHILD, "pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		rc = kb_error_set(KB_ECHILD, "fork: %s", strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		/* the pipes are O_CLOEXEC; dup2 gives the child plain copies */
		child_exec(o, outp[1], inp[0]);
	}
	bool own_group = !o->interactive;
	if (own_group)
		setpgid(pid, pid);  /* also done in the child: whichever runs first wins */
	if (outp[1] >= 0) {
		close(outp[1]);
		outp[1] = -1;
	}
	if (inp[0] >= 0) {
		close(inp[0]);
		inp[0] = -1;
		fcntl(inp[1], F_SETFL, O_NONBLOCK);
	}

	int status = 0;
	bool exited = false, out_open = outp[0] >= 0;
	double exited_at = 0;
	char chunk[65536], feedbuf[65536];
	size_t feed_len = 0, feed_off = 0;
	bool feed_done = !o->feed;
	double last_tick = kb_now();

	while (out_open || !exited) {
		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				exited = true;
				exited_at = kb_now();
			}
		}
		double now = kb_now();
		if (kb_interrupted && !res->interrupted) {
			res->interrupted = true;
			kill_group(pid, own_group);
		}
		if (o->stop && *o->stop && !res->stopped && !exited) {
			res->stopped = true;
			kill_group(pid, own_group);
		}
		if (o->timeout > 0 && now - start > o->timeout && !res->timed_out && !exited) {
			res->timed_out = true;
			kill_group(pid, own_group);
		}
		/* the child is gone but something it started still holds the pipe: give it a
		   moment to finish writing, then end the group */
		if (exited && out_open && now - exited_at > 0.5) {
			kill_group(pid, own_group);
			break;
		}
		if (exited && !out_open)
			break;

		struct pollfd pfd[2];
		int n = 0, out_i = -1, in_i = -1;
		if (out_open) {
			pfd[n] = (struct pollfd){.fd = outp[0], .events = POLLIN};
			out_i = n++;
		}
		if (!feed_done && !exited) {
			if (feed_off == feed_len) {
				long got = o->feed(o->ctx, feedbuf, sizeof feedbuf);
				if (got < 0) {
					kill_group(pid, own_group);
					feed_done = true;
				} else if (got == 0) {
					feed_done = true;
				} else {
					feed_len = (size_t)got;
					feed_off = 0;
				}
				if (feed_done) {
					close(inp[1]);
					inp[1] = -1;
				}
			}
			if (!feed_done) {
				pfd[n] = (struct pollfd){.fd = inp[1], .events = POLLOUT};
				in_i = n++;
			}
		}
		int r = poll(pfd, (nfds_t)n, n ? 100 : 50);
		if (n == 0 && r == 0)
			continue;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			kill_group(pid, own_group);
			rc = kb_error_set(KB_ECHILD, "poll: %s", strerror(errno));
			break;
		}
		if (out_i >= 0 && (pfd[out_i].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t got = read(outp[0], chunk, sizeof chunk);
			if (got > 0) {
				size_t keep = (size_t)got;
				if (out.len + keep > cap) {
					keep = cap > out.len ? cap - out.len : 0;
					res->truncated = true;
				}
				if (keep)
					kb_buf_add(&out, chunk, keep);
				if (o->on_output)
					o->on_output(o->ctx, chunk, (size_t)got);
			} else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
				out_open = false;
			}
		}
		if (in_i >= 0 && (pfd[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t put = write(inp[1], feedbuf + feed_off, feed_len - feed_off);
			if (put > 0) {
				feed_off += (size_t)put;
			} else if (put < 0 && errno != EAGAIN && errno != EINTR) {
				feed_done = true;  /* the child closed its stdin */
				close(inp[1]);
				inp[1] = -1;
			}
		}
		if (o->on_tick && kb_now() - last_tick >= 0.1) {
			last_tick = kb_now();
			o->on_tick(o->ctx);
		}
	}
	if (!exited) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (own_group)
		kill(-pid, SIGKILL);  /* nothing it started outlives it */
	if (WIFEXITED(status)) {
		res->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		res->exit_code = -1;
		res->term_signal = WTERMSIG(status);
	}
	if (res->interrupted && !rc)
		rc = kb_error_set(KB_EINTR, "interrupted");
cleanup:
	res->elapsed = kb_now() - start;
	res->output_len = out.len;
	res->output = kb_buf_detach(&out);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (inp[i] >= 0)
			close(inp[i]);
	}
	return rc;
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

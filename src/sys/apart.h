/* apart.h - a C function run apart, in a child process under limits, that the caller
 * can always stop.
 *
 * kbridge runs a check's Lua this way (engine/check.c): whatever the Lua does (a pattern
 * that backtracks for hours inside Lua's C matcher, where no instruction budget sees it),
 * the caller's loop keeps turning, calls its tick callback about every 100 ms, and ends
 * the child on a wall-clock limit, a stop request or a signal (kb_interrupted).
 *
 * The child is forked (it shares everything the caller had loaded, copy-on-write), leads
 * a process group of its own, dies with the caller (PR_SET_PDEATHSIG), has /dev/null as
 * stdin, stdout and stderr, default signal handlers but SIGINT/SIGTERM/SIGHUP (which set
 * kb_interrupted, as in the caller), and a soft cap on its address space (RLIMIT_AS;
 * runner_exec() gives the programs it starts the hard limit back). It talks to the
 * caller over a pipe in messages: a type (>= 0; negative types are apart's own) and up
 * to KB_APART_MSG_MAX bytes.
 *
 * Every process group the child starts with runner_exec() (make, QEMU) is told to the
 * caller as it starts and ends, and the caller kills those still alive when the child is
 * gone: nothing the child started outlives it, even when it had to be killed.
 */
#ifndef KB_APART_H
#define KB_APART_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KB_APART_MSG_MAX ((size_t)64 << 20)

struct kb_apart_opts {
	/* Runs in the child; what it returns is the child's exit status (0..255). It sends
	   messages with kb_apart_send(fd, ...). Required. */
	int (*child)(void *ctx, int fd);
	double timeout;        /* wall seconds from the fork; 0: none */
	size_t memory;         /* bytes of address space for the child (soft RLIMIT_AS);
				  0: unlimited */
	/* In the caller, for each message of the child, in order. data is NUL-terminated
	   (len does not count it) and valid during the call. */
	void (*on_message)(void *ctx, int type, const char *data, size_t len);
	/* In the caller, about every 100 ms while the child runs. */
	void (*on_tick)(void *ctx);
	void *ctx;
	/* When non-NULL and it becomes true (from a callback), the child is stopped. */
	const volatile bool *stop;
	/* How long a child asked to stop (SIGTERM) may take to end what it runs before it
	   is killed (SIGKILL); 0: 0.5 s. */
	double grace;
};

struct kb_apart_result {
	int exit_code;       /* the child's exit status; -1 when a signal ended it */
	int term_signal;     /* that signal, or 0 */
	bool timed_out;      /* stopped at opts->timeout */
	bool interrupted;    /* stopped because kb_interrupted was set */
	bool stopped;        /* stopped because *opts->stop became true */
	bool broken;         /* the child sent a message that was not one (too long, cut);
				   it was stopped */
	double elapsed;      /* wall seconds */
};

/* Fork and run opts->child apart; wait for it in a loop that serves messages, ticks and
 * limits. Returns 0 once the child has ended (whatever its status: see res), or KB_ECHILD
 * when it could not be started (kb_error_last() says why). When it returns, the child
 * and every process group it reported are gone. */
int kb_apart_run(struct kb_apart_result *res, const struct kb_apart_opts *opts);

/* In the child: send one message of `type` (>= 0) with len bytes (<= KB_APART_MSG_MAX).
 * Blocks while the pipe is full. Returns 0, or KB_EIO when the caller is gone (the
 * child should then end). */
int kb_apart_send(int fd, int type, const void *data, size_t len);

/* For the runner, in a child of kb_apart_run(): process group pgid (a child it forked,
 * leading its own group) has started (alive) or ended and been reaped. Tells the caller,
 * which kills the groups still alive when the child is gone. A no-op elsewhere. */
void kb_apart_group(int pgid, bool alive);
/* For the runner, between fork and exec: give the program the hard RLIMIT_AS back (the
 * soft cap is for the Lua process, not for make or QEMU). */
void kb_apart_exec_prepare(void);

/* ---- in the background ---------------------------------------------------------------
 * A function run in a child process while the caller goes on with its own work and looks
 * in now and then (kbridge setup: the import into git alongside the kernel build, the
 * learner's clone alongside the rest of the build). The child dies with the caller
 * (PR_SET_PDEATHSIG) and shares its process group, so a Ctrl-C reaches both. */
struct kb_bg {
	pid_t pid;    /* > 0 while the child has not been seen to end */
	int fd;       /* the read end of the child's last words */
	double t0;    /* kb_now() at the start */
};

/* Fork and run fn(ctx) in the child; its exit status says how it went: 0 when fn returned
 * 0 or more, 130 for KB_EINTR, 1 for another error, whose kb_error_last() it sends the
 * caller. Returns 0, or KB_ECHILD when no child could be started (fn did not run: the
 * caller may run it itself). */
int kb_bg_start(struct kb_bg *b, int (*fn)(void *ctx), void *ctx);

/* Has the child ended (wait: wait until it has)? Returns 1 while it runs (only without
 * wait), 0 when it ended well, KB_EINTR when it was interrupted (or killed by a signal),
 * KB_ECHILD when it failed, with its words (or "") in why (cap bytes). Once it has ended,
 * b->pid is 0 and *elapsed (when not NULL) the seconds it took. */
int kb_bg_poll(struct kb_bg *b, bool wait, double *elapsed, char *why, size_t cap);

#endif

/* result.h - what a check records and is given: expectations, the verdict, the time it
 * took, and the options a caller runs it with. Shared by the check runner (check.h) and
 * the `kb` API (kb_api.h) that records into it, so neither includes the other. */
#ifndef KB_RESULT_H
#define KB_RESULT_H

#include <stdbool.h>
#include <stddef.h>

struct kb_home;

/* One thing the check wanted, written for the learner. */
struct kb_expectation {
	bool met;
	char *expected;     /* "the kernel log contains \"Hello from Rust\"" */
	char *seen;         /* what was there instead (the last lines of the log, the build
			       error...); NULL when met or nothing to show */
	char *where;        /* where to look ("samples/kbridge/hello/hello.rs", "kernel log");
			       or NULL */
	char *hint;         /* what to try; or NULL */
	int line;           /* the line of lesson.lua that recorded it */
};

enum kb_verdict {
	KB_VERDICT_PASS,
	KB_VERDICT_FAIL,    /* an expectation was not met */
	KB_VERDICT_ERROR,   /* the check itself failed: a lesson bug, the kernel not set up,
			       an interrupt; error says which */
};
const char *kb_verdict_name(enum kb_verdict v);   /* "pass", "fail", "error" */

struct kb_check_result {
	char *id;                   /* "lesson/task" */
	char *lesson_id, *task_id, *title;
	enum kb_verdict verdict;
	struct kb_expectation *exp;
	size_t n_exp, cap_exp;
	char *error;                /* KB_VERDICT_ERROR: "hello/lesson.lua:20: message" */
	char *traceback;            /* with error, when Lua gave one; else NULL */
	char *output;               /* what the check printed with print(); never NULL after a run */
	double elapsed;             /* seconds, the whole check */
	/* where the time went, in seconds: builds and boots; waiting in a lab's queue for a
	   check slot; finding the course kernel and probing its toolchain; and the rest,
	   the check's own Lua (elapsed less all the others) */
	double build_seconds, boot_seconds, queue_seconds, setup_seconds, lua_seconds;
	int n_builds, n_boots;
	int n_failed_builds;        /* builds of the workspace whose make failed (a compile or
				       link error); a kb.build with replace is not counted */
	unsigned long long seed;    /* what math.random was seeded with for this check (below
				       2^48): kbridge check --seed replays the same inputs */
};

struct kb_check_opts {
	bool seed_given;            /* seed math.random with `seed` (a replay); else a fresh one */
	unsigned long long seed;
	const char *workspace;      /* the learner's kernel tree (or a folder with the task's
				       files at their tree paths); required */
	const struct kb_home *home; /* NULL: resolved on the first build or boot */
	double boot_timeout;        /* seconds per boot; 0: 60 */
	/* progress: "building samples/kbridge/hello", "booting" ...; may be NULL */
	void (*progress)(void *ctx, const char *what);
	void *ctx;
	/* Live output for a shell that streams it (both may be NULL; both get ctx): each
	   chunk of build output as Kbuild prints it (stream "build"), and each console line
	   of a boot without its newline (stream "console", or "dmesg" for the kernel log
	   dumped at the end). */
	void (*on_output)(void *ctx, const char *stream, const char *text, size_t len);
	/* Called about every 100 ms while a build or a boot runs (spinners, key presses). */
	void (*on_tick)(void *ctx);
	/* On a lab home (lab.h) whose check slots are all taken, the check waits in line:
	   called with the number of checks waiting ahead of this one and the lab's limit
	   each time it changes. NULL: `progress` is told instead. */
	void (*waiting)(void *ctx, int ahead, int limit);
	/* The builds and boots the check may start (kb.build, kb.boot); 0: KB_CHECK_BUILDS,
	   KB_CHECK_BOOTS. kb_check_run() sets them from the task's limits. */
	int max_builds, max_boots;
	/* The CPUs of the machine the check boots: kb.boot's default, and the machine of the
	   guest kb.build starts early; 0: 1. kb_check_run() sets it from the task's cpus. */
	int cpus;
};

/* The limits a check runs under (kb_check_run runs its Lua in a child process): wall
 * seconds, builds and boots per check by default, and the most a task may ask for with
 * `limits = { seconds = N, builds = N, boots = N }` in lesson.lua; the address space of
 * the check's process, in bytes (the Lua state has its own cap, KB_SANDBOX_MEMORY). */
#define KB_CHECK_SECONDS 600
#define KB_CHECK_SECONDS_MAX 1800
#define KB_CHECK_BUILDS 8
#define KB_CHECK_BOOTS 8
#define KB_CHECK_RUNS_MAX 32
#define KB_CHECK_MEMORY ((size_t)1 << 30)

void kb_check_result_free(struct kb_check_result *res);

/* What a check may record, so that a report stays bounded whatever a pack does: each
 * seen at KB_CHECK_SEEN_CAP bytes, each expected, where and hint at KB_CHECK_LINE_CAP, all
 * the expectations' text of one check at KB_CHECK_TEXT_CAP, and at most KB_CHECK_MAX_EXP
 * expectations (print() has its own caps: sandbox.h). */
#define KB_CHECK_SEEN_CAP (4 * 1024)
#define KB_CHECK_LINE_CAP 1024
#define KB_CHECK_TEXT_CAP (64 * 1024)
#define KB_CHECK_MAX_EXP 256

/* Record an expectation (copies the strings; any may be NULL), within the caps above: a
 * longer text keeps its head and tail around "[... N bytes left out ...]"; past the text
 * cap a seen is replaced by a note of its size; past KB_CHECK_MAX_EXP - 1 the others are
 * folded into one last expectation, "N more expectations left out (M not met)", met only
 * when all of them were, so the verdict still counts every one. */
void kb_check_expect(struct kb_check_result *res, bool met, const char *expected, const char *seen,
		     const char *where, const char *hint, int line);
size_t kb_check_unmet(const struct kb_check_result *res);

#endif

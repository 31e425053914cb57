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
};

struct kb_check_opts {
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
};

void kb_check_result_free(struct kb_check_result *res);

/* Record an expectation (copies the strings; any may be NULL). */
void kb_check_expect(struct kb_check_result *res, bool met, const char *expected, const char *seen,
		     const char *where, const char *hint, int line);
size_t kb_check_unmet(const struct kb_check_result *res);

#endif

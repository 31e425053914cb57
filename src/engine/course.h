/* course.h - a learner's session with a pack: the pack, the workspace, the progress.
 * Shared by the learner's commands (list, start, hint, diff, reset, solution, check)
 * and the shell, so the rules (what a start writes, when a solution may be shown, what
 * a pass records) live in one place. */
#ifndef KB_COURSE_H
#define KB_COURSE_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel/kernel.h"
#include "engine/lesson.h"
#include "store/progress.h"
#include "base/util.h"

struct kb_ws;
struct kb_ws_file;

struct kb_course {
	struct kb_pack pack;
	char *pack_dir;              /* the folder the pack is loaded from */
	char *pack_origin;           /* where a pack from git comes from ("URL#v1 (tag v1, commit
					...)"), or NULL for a folder (packsrc.h) */
	char *ws_root;               /* the workspace folder (~/kbridge-workspace) */
	struct kb_ws *ws;            /* open and locked while the course is open; NULL when
					the workspace does not exist yet */
	struct kb_progress progress; /* loaded from ws_root/progress.json */
	char *progress_path;
	bool read_only;              /* opened with kb_course_opts.read_only */
	bool counts_time_itself;     /* the shell: it adds the time its screens are open, so
					checks do not add the gap since the last command */
};

struct kb_course_opts {
	const char *pack_dir;        /* a pack source: a folder, or a git repository or URL with an
					optional #REF (packsrc.h); NULL: $KBRIDGE_PACK, else
					lessons/core of the data folder */
	const char *ws_root;         /* NULL: kb_ws_default_root() */
	bool create_workspace;       /* clone the bundled tree when the workspace is missing */
	bool read_only;              /* read the workspace without locking it (a shell may hold
					it): kb_course_save() then refuses to write */
	/* clone progress, for a bar: fraction in [0,1] or negative, and what */
	void (*progress)(void *ctx, double fraction, const char *what);
	void *ctx;
};

/* Load the pack (a git source is fetched or taken from the cache first), open (or create)
 * and lock the workspace, load the progress.
 * Returns 0, or KB_ELOCKED (another kbridge uses the workspace), KB_ENOTREADY (no course
 * kernel to clone yet), KB_ELESSON (pack.lua broken, or written for another kernel),
 * KB_EINVAL / KB_EGIT / KB_ENOTFOUND (the pack source) ... with kb_error_last(). */
int kb_course_open(struct kb_course *c, const struct kb_course_opts *o);
void kb_course_close(struct kb_course *c);

/* The lesson with this id; KB_ENOTFOUND naming the pack, or KB_ELESSON with the lesson's
 * load error. */
int kb_course_lesson(struct kb_course *c, const char *id, struct kb_lesson **out);

/* Start a lesson in the workspace: its starter files written and committed ("start ID"),
 * a rust-project.json written beside each Rust file's Kbuild folder, the progress
 * updated (current lesson, started_at). A lesson already started is left as it is
 * (returns 1). Needs the workspace. */
int kb_course_start(struct kb_course *c, struct kb_lesson *l);

/* The reference solution of every task file of a lesson, rendered (TODO markers out).
 * files[i].data are owned by the array: free with kb_course_files_free(). */
int kb_course_solution_files(const struct kb_lesson *l, struct kb_ws_file **files, size_t *n);
void kb_course_files_free(struct kb_ws_file *files, size_t n);

/* Record a check of a lesson: attempts+1; on a pass, the learner's files are committed
 * ("pass ID") and the lesson marked passed. Saves the progress. */
int kb_course_record_check(struct kb_course *c, struct kb_lesson *l, bool passed);
/* Record a check of one task of a lesson: the task is noted as passed when it passed,
 * and the lesson is passed (committed and marked, as above) only when every one of its
 * tasks has passed. Saves the progress. */
int kb_course_record_task_check(struct kb_course *c, struct kb_lesson *l, const char *task_id, bool passed);

/* Hints are counted per task ("task_hints" in progress.json, store/progress.h); a file
 * from before that has the lesson's total only, read through its tasks in order. The
 * hints of task t of lesson l the learner has seen, in [0, t->n_hints]. */
int kb_course_hints_seen(const struct kb_lesson *l, const struct kb_lesson_progress *p, const struct kb_task *t);
/* The hints of lesson l seen, over all its tasks (what `kbridge list` shows). */
int kb_course_hints_shown(const struct kb_lesson *l, const struct kb_lesson_progress *p);
/* Record that task t has `seen` hints shown (the lesson's total follows). An older file's
 * total is first spread over the tasks as it was counted, so what the others had stays. */
void kb_course_set_hints_seen(const struct kb_lesson *l, struct kb_lesson_progress *p, const struct kb_task *t,
			      int seen);

/* Save the progress (atomically). KB_EINVAL when the course was opened read-only. */
int kb_course_save(struct kb_course *c);

/* The default pack source: $KBRIDGE_PACK (a folder or a git source), else <data
 * folder>/lessons/core. Caller frees; NULL when neither exists. */
char *kb_course_default_pack(void);

/* Write <dir>/rust-project.json for rust-analyzer with the kernel's own generator
 * (scripts/generate_rust_analyzer.py of the bundled tree), so an editor completes kernel
 * APIs in a lesson's module folder. Returns 0 or KB_ECHILD. */
int kb_rust_project(const struct kb_home *h, const char *dir);

#endif

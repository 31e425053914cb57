/* progress.h - what a learner has done, saved in the workspace as progress.json.
 *
 * The file (JSON, written by cJSON):
 *   { "version": 1, "pack": "core", "current": "hello",
 *     "lessons": { "<id>": { "passed": true, "attempts": 3, "hints": 1,
 *                            "solution_revealed": false, "seconds": 314.5, "step": 2,
 *                            "started_at": 1795000000, "passed_at": 1795000300,
 *                            "last_active": 1795000280, "quizzes_right": ["export"],
 *                            "tasks_passed": ["c-fix"],
 *                            "task_hints": { "c-fix": 1 } } } }
 * Times are Unix seconds (0: never); "seconds" is time spent in the lesson: the shell
 * counts the time its screens are open, the commands the time between a learner's
 * commands on the lesson (see KB_ACTIVE_GAP_MAX); "last_active" is the last of those.
 * "hints" is the lesson's total; "task_hints" how many hints of each task were shown. A
 * file from before "task_hints" has only the total, counted through the lesson's tasks in
 * order (the first task's hints, then the second's): kb_progress_task_hints answers -1
 * for it and the reader spreads the total that way.
 * Saving is atomic (temporary file, fsync, rename, fsync of the folder): a kill at any
 * moment leaves the old file or the new one, never a mix.
 */
#ifndef KB_PROGRESS_H
#define KB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct kb_lesson_progress {
	char *id;
	bool passed;
	int attempts;            /* checks run */
	int hints;               /* hints revealed */
	bool solution_revealed;  /* before passing, with --reveal */
	double seconds;          /* time spent */
	int step;                /* the current step, 0-based */
	long long started_at;
	long long passed_at;
	long long last_active;   /* the last command or shell activity on the lesson */
	char **quizzes_right;    /* ids of the lesson's quizzes answered right ("quizzes_right":
				    [...] in the file); owned */
	size_t n_quizzes_right;
	char **tasks_passed;     /* ids of the lesson's tasks whose check passed ("tasks_passed":
				    [...]); the lesson is passed when all its tasks are; owned */
	size_t n_tasks_passed;
	struct kb_task_hints {   /* "task_hints": {"<task id>": n}; owned */
		char *task;
		int shown;
	} *task_hints;
	size_t n_task_hints;
};

/* How many hints of task `id` were shown: 0 for a task not in "task_hints", -1 when the
 * lesson has no "task_hints" at all (an older file: only lp->hints, the lesson's total). */
int kb_progress_task_hints(const struct kb_lesson_progress *lp, const char *id);
/* Record that n hints of task `id` were shown; lp->hints becomes the sum over the tasks. */
void kb_progress_set_task_hints(struct kb_lesson_progress *lp, const char *id, int n);

/* Was quiz `id` of the lesson answered right. */
bool kb_progress_quiz_right(const struct kb_lesson_progress *lp, const char *id);
/* Record quiz `id` as answered right (once). */
void kb_progress_set_quiz_right(struct kb_lesson_progress *lp, const char *id);
/* Did task `id` of the lesson pass its check (at least once). */
bool kb_progress_task_passed(const struct kb_lesson_progress *lp, const char *id);
/* Record task `id` as passed (once). */
void kb_progress_set_task_passed(struct kb_lesson_progress *lp, const char *id);

/* The longest gap between two commands on a lesson that counts as time spent, in
 * seconds: a learner who leaves for lunch between two checks is not counted for it. */
#define KB_ACTIVE_GAP_MAX 900

/* Note activity on lesson lp at Unix time now: the gap since the last activity, up to
 * KB_ACTIVE_GAP_MAX, is added to lp->seconds when count_gap is true (the shell counts its
 * own time and passes false); last_active becomes now. A clock that went backwards adds
 * nothing. */
void kb_progress_active(struct kb_lesson_progress *lp, long long now, bool count_gap);

struct kb_progress {
	char *pack;              /* the pack's name, or NULL */
	char *current;           /* the lesson the learner was on, or NULL */
	struct kb_lesson_progress *lessons;
	size_t n;
};

/* Load path into p. A missing file gives empty progress (0). A damaged one gives KB_EINVAL
 * with a message naming it; the file is left alone. */
int kb_progress_load(struct kb_progress *p, const char *path);
int kb_progress_save(const struct kb_progress *p, const char *path);
int kb_progress_parse(struct kb_progress *p, const char *json, const char *name);
char *kb_progress_to_json(const struct kb_progress *p);   /* caller frees */
/* The entry of a lesson, added (zeroed) when missing. */
struct kb_lesson_progress *kb_progress_lesson(struct kb_progress *p, const char *id);
/* The entry or NULL, without adding. */
const struct kb_lesson_progress *kb_progress_find(const struct kb_progress *p, const char *id);
void kb_progress_free(struct kb_progress *p);

#endif

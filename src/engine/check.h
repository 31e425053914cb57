/* check.h - running a task's check and turning it into a verdict.
 *
 * A check is the Lua function of a task (lesson.h). It runs in the lesson's sandbox
 * with the `kb` API (kb_api.h, docs/lesson-api.md) against a workspace: a folder
 * standing for the learner's kernel tree, holding the task's files at their tree
 * paths. What it records with kb.expect* becomes the verdict: the task passes when at
 * least one expectation was recorded and every one was met, and the check raised no
 * error. Nothing here knows about curses: the CLI and the shell print the result.
 */
#ifndef KB_CHECK_H
#define KB_CHECK_H

#include "engine/result.h"

struct kb_lesson;
struct kb_task;
struct kb_home;

/* Run task t of lesson l. Returns 0 with res filled (see res->verdict), or a negative
 * KB_E* when it could not run at all (res->verdict is then KB_VERDICT_ERROR and
 * res->error says why). res is freed with kb_check_result_free(). */
int kb_check_run(struct kb_check_result *res, const struct kb_lesson *l, const struct kb_task *t,
		 const struct kb_check_opts *opts);
/* A result for a lesson that could not be loaded (l->error). */
void kb_check_result_load_error(struct kb_check_result *res, const struct kb_lesson *l);

#endif

/* pin.h - files given to read belong to the pack.
 *
 * A task's files that the learner is not meant to change (kb_task_file_is_pinned: the
 * same as starter and as solution, and not listed in the task's `learner = { ... }`) are
 * judged as the lesson wrote them, whatever the workspace or a CI repository holds: a
 * check cannot be passed by editing the C half it was given to read. When every pinned
 * file in the workspace is the lesson's, the check runs on the workspace as it is. When
 * one differs (or is missing), the check runs on a staging copy instead: the folders of
 * the lesson's files copied from the workspace (sources only), with the pinned files
 * written as the lesson has them. The learner's files are never touched.
 */
#ifndef KB_PIN_H
#define KB_PIN_H

#include "base/util.h"

struct kb_lesson;
struct kb_task;
struct kb_check_result;

struct kb_pin {
	char *stage;              /* the staging copy to check instead of the workspace, or NULL */
	char *workspace;          /* the workspace it stands for */
	struct kb_strv differed;  /* tree paths of the pinned files the workspace held otherwise */
};

/* Compare task t's pinned files in `workspace` with the lesson's; when one differs, make
 * the staging copy under $TMPDIR. Returns 0 (p->stage NULL when nothing differed) or a
 * negative KB_E* (p is freed then). Free with kb_pin_free(). */
int kb_pin_stage(struct kb_pin *p, const struct kb_lesson *l, const struct kb_task *t, const char *workspace);

/* After a check ran on p->stage: the staging path written as the workspace's in the
 * result's text, and a note first in its output naming each file that differed and
 * saying the lesson's version was used. Nothing when p->stage is NULL. */
void kb_pin_report(const struct kb_pin *p, struct kb_check_result *res);

/* Remove the staging copy and free p. */
void kb_pin_free(struct kb_pin *p);

#endif

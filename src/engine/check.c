/* check.c - run a task's check in its lesson's sandbox and make the verdict. See check.h. */
#define _GNU_SOURCE
#include "engine/check.h"
#include "kernel/kernel.h"
#include "sys/lab.h"
#include "engine/kb_api.h"
#include "engine/lesson.h"
#include "engine/sandbox.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static void init_result(struct kb_check_result *res, const struct kb_lesson *l, const struct kb_task *t)
{
	memset(res, 0, sizeof *res);
	res->lesson_id = kb_strdup(l->id);
	res->task_id = kb_strdup(t ? t->id : "load");
	res->id = kb_asprintf("%s/%s", l->id, res->task_id);
	res->title = kb_strdup(t ? t->title : l->title);
}

void kb_check_result_load_error(struct kb_check_result *res, const struct kb_lesson *l)
{
	init_result(res, l, NULL);
	res->verdict = KB_VERDICT_ERROR;
	res->error = kb_strdup(l->error ? l->error : "the lesson could not be loaded");
	res->output = kb_strdup("");
}

static void told_waiting(void *ctx, int ahead, int limit)
{
	const struct kb_check_opts *o = ctx;
	if (o->waiting) {
		o->waiting(o->ctx, ahead, limit);
	} else if (o->progress) {
		char *m = kb_asprintf("waiting for a free check slot: %d check%s ahead of you (the lab runs "
				      "%d at once)", ahead, ahead == 1 ? "" : "s", limit);
		o->progress(o->ctx, m);
		free(m);
	}
}

static void tick_waiting(void *ctx)
{
	const struct kb_check_opts *o = ctx;
	if (o->on_tick)
		o->on_tick(o->ctx);
}

static int take_slot(const struct kb_check_opts *opts, struct kb_lab_slot *slot)
{
	slot->fd = -1;
	slot->slot = -1;
	struct kb_home own;
	const struct kb_home *h = opts->home;
	if (!h) {
		if (kb_home_init(&own) < 0)
			return 0;   /* the first build or boot reports it */
		h = &own;
	}
	int rc = kb_lab_acquire(h->root, slot, told_waiting, tick_waiting, (void *)opts);
	if (h == &own)
		kb_home_free(&own);
	return rc;
}

int kb_check_run(struct kb_check_result *res, const struct kb_lesson *l, const struct kb_task *t,
		 const struct kb_check_opts *opts)
{
	init_result(res, l, t);
	double t0 = kb_now();
	int rc;
	if (l->error || !l->sb) {
		rc = kb_error_set(KB_ELESSON, "%s", l->error ? l->error : "the lesson is not loaded");
	} else if (!opts->workspace) {
		rc = kb_error_set(KB_EINVAL, "no workspace given");
	} else {
		/* on a shared lab home, at most max_checks checks build and boot at once */
		struct kb_lab_slot slot;
		double q0 = kb_now();
		rc = take_slot(opts, &slot);
		res->queue_seconds = kb_now() - q0;
		if (!rc) {
			char *where = kb_asprintf("%s:%d", l->file, t->check_line);
			rc = kb_api_run_check(l->sb, t->check_ref, where, res, opts);
			free(where);
		}
		kb_lab_release(&slot);
	}
	res->output = l->sb ? kb_sandbox_take_output(l->sb) : kb_strdup("");
	res->elapsed = kb_now() - t0;
	res->lua_seconds = res->elapsed - res->build_seconds - res->boot_seconds - res->queue_seconds -
			   res->setup_seconds;
	if (res->lua_seconds < 0)
		res->lua_seconds = 0;
	if (rc < 0) {
		res->verdict = KB_VERDICT_ERROR;
		res->error = kb_strdup(rc == KB_EINTR ? "interrupted" : kb_error_last());
		if (l->sb && *kb_sandbox_traceback(l->sb))
			res->traceback = kb_strdup(kb_sandbox_traceback(l->sb));
		return rc == KB_ELESSON ? 0 : rc;
	}
	if (res->n_exp == 0) {
		res->verdict = KB_VERDICT_ERROR;
		res->error = kb_asprintf("%s:%d: the check recorded no expectation (use kb.expect and its "
					 "kin: docs/lesson-api.md)", l->file, t->check_line);
		return 0;
	}
	res->verdict = kb_check_unmet(res) ? KB_VERDICT_FAIL : KB_VERDICT_PASS;
	return 0;
}

/* check.c - run a task's check in its lesson's sandbox, in a process of its own under the
 * task's limits, and make the verdict. See check.h. */
#define _GNU_SOURCE
#include "engine/check.h"
#include "kernel/kernel.h"
#include "sys/apart.h"
#include "sys/lab.h"
#include "engine/i18n.h"
#include "engine/kb_api.h"
#include "engine/lesson.h"
#include "engine/pin.h"
#include "engine/sandbox.h"
#include "base/util.h"

#include <signal.h>
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
	res->error = kb_strdup(l->error ? l->error : _("the lesson could not be loaded"));
	res->output = kb_strdup("");
}

static void told_waiting(void *ctx, int ahead, int limit)
{
	const struct kb_check_opts *o = ctx;
	if (o->waiting) {
		o->waiting(o->ctx, ahead, limit);
	} else if (o->progress) {
		char *m = kb_asprintf(kb_ngettext("waiting for a free check slot: %d check ahead of you (the lab "
						  "runs %d at once)",
						  "waiting for a free check slot: %d checks ahead of you (the lab "
						  "runs %d at once)", (unsigned long)ahead),
				      ahead, limit);
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

/* ---- the check's Lua, run apart ------------------------------------------------------ */

/* Messages from the check's process (sys/apart.h) */
enum {
	MSG_PROGRESS,   /* text */
	MSG_OUTPUT,     /* stream name, NUL, text */
	MSG_RESULT,     /* the result, encoded by put_result() */
};

struct apart_check {
	struct kb_check_result *res;
	const struct kb_lesson *l;
	const struct kb_task *t;
	const struct kb_check_opts *opts;
	const char *where;
	int fd;             /* in the child: the pipe to the caller */
	bool have_result;   /* in the caller: MSG_RESULT came */
	int rc;             /* the child's kb_api_run_check() */
	bool broken;        /* the result could not be decoded */
};

static void put_u32(struct kb_buf *b, unsigned v)
{
	unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	kb_buf_add(b, x, 4);
}

static void put_str(struct kb_buf *b, const char *s)
{
	if (!s) {
		put_u32(b, 0xffffffffu);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (unsigned)n);
	kb_buf_add(b, s, n);
}

static void put_double(struct kb_buf *b, double d)
{
	kb_buf_add(b, &d, sizeof d);
}

/* rc, error, traceback, output, the counts and times, then the expectations */
static void put_result(struct kb_buf *b, int rc, const struct kb_check_result *res)
{
	put_u32(b, (unsigned)rc);
	put_str(b, res->error);
	put_str(b, res->traceback);
	put_str(b, res->output);
	put_u32(b, (unsigned)res->n_builds);
	put_u32(b, (unsigned)res->n_boots);
	put_u32(b, (unsigned)res->n_failed_builds);
	put_double(b, res->build_seconds);
	put_double(b, res->boot_seconds);
	put_double(b, res->setup_seconds);
	put_u32(b, (unsigned)res->n_exp);
	for (size_t i = 0; i < res->n_exp; i++) {
		const struct kb_expectation *e = &res->exp[i];
		put_u32(b, e->met);
		put_u32(b, (unsigned)e->line);
		put_str(b, e->expected);
		put_str(b, e->seen);
		put_str(b, e->where);
		put_str(b, e->hint);
	}
}

struct reader {
	const char *p, *end;
	bool bad;
};

static unsigned get_u32(struct reader *r)
{
	if (r->end - r->p < 4) {
		r->bad = true;
		return 0;
	}
	const unsigned char *x = (const unsigned char *)r->p;
	r->p += 4;
	return x[0] | (unsigned)x[1] << 8 | (unsigned)x[2] << 16 | (unsigned)x[3] << 24;
}

static char *get_str(struct reader *r)
{
	unsigned n = get_u32(r);
	if (r->bad || n == 0xffffffffu)
		return NULL;
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return NULL;
	}
	char *s = kb_strndup(r->p, n);
	r->p += n;
	return s;
}

static double get_double(struct reader *r)
{
	double d = 0;
	if ((size_t)(r->end - r->p) < sizeof d) {
		r->bad = true;
		return 0;
	}
	memcpy(&d, r->p, sizeof d);
	r->p += sizeof d;
	return d;
}

static bool get_result(struct apart_check *c, const char *data, size_t len)
{
	struct kb_check_result *res = c->res;
	struct reader r = {data, data + len, false};
	c->rc = (int)get_u32(&r);
	res->error = get_str(&r);
	res->traceback = get_str(&r);
	res->output = get_str(&r);
	res->n_builds = (int)get_u32(&r);
	res->n_boots = (int)get_u32(&r);
	res->n_failed_builds = (int)get_u32(&r);
	res->build_seconds = get_double(&r);
	res->boot_seconds = get_double(&r);
	res->setup_seconds = get_double(&r);
	unsigned n = get_u32(&r);
	for (unsigned i = 0; i < n && !r.bad; i++) {
		bool met = get_u32(&r) != 0;
		int line = (int)get_u32(&r);
		char *expected = get_str(&r), *seen = get_str(&r), *where = get_str(&r), *hint = get_str(&r);
		if (!r.bad)
			kb_check_expect(res, met, expected, seen, where, hint, line);
		free(expected);
		free(seen);
		free(where);
		free(hint);
	}
	return !r.bad;
}

/* In the check's process: progress and live output go to the caller as messages */
static void child_progress(void *ctx, const char *what)
{
	const struct apart_check *c = ctx;
	kb_apart_send(c->fd, MSG_PROGRESS, what, strlen(what));
}

static void child_output(void *ctx, const char *stream, const char *text, size_t len)
{
	const struct apart_check *c = ctx;
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_add(&b, stream, strlen(stream) + 1);
	kb_buf_add(&b, text, len);
	kb_apart_send(c->fd, MSG_OUTPUT, b.data, b.len);
	kb_buf_free(&b);
}

static int check_child(void *ctx, int fd)
{
	struct apart_check *c = ctx;
	c->fd = fd;
	struct kb_check_opts o = *c->opts;
	o.progress = c->opts->progress ? child_progress : NULL;
	o.on_output = c->opts->on_output ? child_output : NULL;
	o.on_tick = NULL;
	o.waiting = NULL;
	o.ctx = c;
	if (!o.max_builds)
		o.max_builds = c->t->limit_builds ? c->t->limit_builds : KB_CHECK_BUILDS;
	if (!o.max_boots)
		o.max_boots = c->t->limit_boots ? c->t->limit_boots : KB_CHECK_BOOTS;
	if (!o.cpus)
		o.cpus = c->t->cpus;
	struct kb_check_result *res = c->res;
	int rc = kb_api_run_check(c->l->sb, c->t->check_ref, c->where, res, &o);
	if (rc < 0) {
		res->error = kb_strdup(rc == KB_EINTR ? _("interrupted") : kb_error_last());
		if (*kb_sandbox_traceback(c->l->sb))
			res->traceback = kb_strdup(kb_sandbox_traceback(c->l->sb));
	}
	res->output = kb_sandbox_take_output(c->l->sb);
	struct kb_buf b = KB_BUF_INIT;
	put_result(&b, rc, res);
	int sent = kb_apart_send(fd, MSG_RESULT, b.data, b.len);
	kb_buf_free(&b);
	return sent < 0 ? 1 : 0;
}

static void parent_message(void *ctx, int type, const char *data, size_t len)
{
	struct apart_check *c = ctx;
	const struct kb_check_opts *o = c->opts;
	if (type == MSG_PROGRESS && o->progress) {
		o->progress(o->ctx, data);
	} else if (type == MSG_OUTPUT && o->on_output) {
		size_t sn = strnlen(data, len);
		if (sn < len)
			o->on_output(o->ctx, data, data + sn + 1, len - sn - 1);
	} else if (type == MSG_RESULT && !c->have_result) {
		c->have_result = true;
		c->broken = !get_result(c, data, len);
	}
}

static void parent_tick(void *ctx)
{
	const struct apart_check *c = ctx;
	if (c->opts->on_tick)
		c->opts->on_tick(c->opts->ctx);
}

/* Run the check's Lua in a child process under the task's limits. Returns what
 * kb_api_run_check() returned in it (with res filled from it), KB_EINTR when stopped by
 * a signal or from the keyboard, or KB_ELESSON when a limit ended it. */
static int run_apart(struct kb_check_result *res, const struct kb_lesson *l, const struct kb_task *t,
		     const struct kb_check_opts *opts, const char *where)
{
	int seconds = t->limit_seconds ? t->limit_seconds : KB_CHECK_SECONDS;
	struct apart_check c = {.res = res, .l = l, .t = t, .opts = opts, .where = where, .fd = -1};
	struct kb_apart_opts ao = {
		.child = check_child, .timeout = seconds, .memory = KB_CHECK_MEMORY,
		.on_message = parent_message, .on_tick = parent_tick, .ctx = &c,
	};
	struct kb_apart_result ar;
	int rc = kb_apart_run(&ar, &ao);
	if (rc < 0)
		return rc;
	if (ar.interrupted)
		return kb_error_set(KB_EINTR, "interrupted");
	if (ar.timed_out)
		return kb_error_set(KB_ELESSON, "%s: the check ran past its time limit of %d s and was stopped "
				    "(limits.seconds in lesson.lua; at most %d)", where, seconds,
				    KB_CHECK_SECONDS_MAX);
	if (!c.have_result || c.broken || ar.broken) {
		if (ar.term_signal == SIGKILL || ar.exit_code == 1)
			return kb_error_set(KB_ELESSON, "%s: the check's process ran out of memory or was "
					    "killed (it may use %zu MiB)", where, (size_t)(KB_CHECK_MEMORY >> 20));
		if (ar.term_signal)
			return kb_error_set(KB_ELESSON, "%s: the check's process ended on signal %d (%s)", where,
					    ar.term_signal, strsignal(ar.term_signal));
		return kb_error_set(KB_ELESSON, "%s: the check's process ended without a result (exit status %d)",
				    where, ar.exit_code);
	}
	if (c.rc < 0) {
		/* the child's error text is in res->error: keep it for kb_error_last() too */
		kb_error_set(c.rc, "%s", res->error ? res->error : kb_strerror(c.rc));
		free(res->error);
		res->error = NULL;
	}
	return c.rc;
}

/* A fresh seed below 2^48 (a number a learner can copy: at most 15 digits). */
static unsigned long long fresh_seed(void)
{
	return kb_random64() & ((1ULL << 48) - 1);
}

int kb_check_run(struct kb_check_result *res, const struct kb_lesson *l, const struct kb_task *t,
		 const struct kb_check_opts *opts)
{
	init_result(res, l, t);
	res->seed = opts->seed_given ? opts->seed : fresh_seed();
	double t0 = kb_now();
	int rc;
	if (l->error || !l->sb) {
		rc = kb_error_set(KB_ELESSON, "%s", l->error ? l->error : "the lesson is not loaded");
	} else if (!opts->workspace) {
		rc = kb_error_set(KB_EINVAL, "no workspace given");
	} else if (kb_interrupted > 0) {
		rc = kb_error_set(KB_EINTR, "interrupted");   /* asked to stop before it began */
	} else {
		/* on a shared lab home, at most max_checks checks build and boot at once */
		struct kb_lab_slot slot;
		double q0 = kb_now();
		rc = take_slot(opts, &slot);
		res->queue_seconds = kb_now() - q0;
		/* the files given to read are judged as the lesson has them (pin.h) */
		struct kb_pin pin;
		if (!rc)
			rc = kb_pin_stage(&pin, l, t, opts->workspace);
		if (!rc) {
			struct kb_check_opts staged = *opts;
			if (pin.stage)
				staged.workspace = pin.stage;
			char *where = kb_asprintf("%s:%d", l->file, t->check_line);
			rc = run_apart(res, l, t, &staged, where);
			free(where);
			kb_i18n_result(res, l);   /* the lesson's texts in the language shown */
			kb_pin_report(&pin, res);
			kb_pin_free(&pin);
		}
		kb_lab_release(&slot);
	}
	if (!res->output)
		res->output = kb_strdup("");
	res->elapsed = kb_now() - t0;
	res->lua_seconds = res->elapsed - res->build_seconds - res->boot_seconds - res->queue_seconds -
			   res->setup_seconds;
	if (res->lua_seconds < 0)
		res->lua_seconds = 0;
	if (rc < 0) {
		res->verdict = KB_VERDICT_ERROR;
		res->error = kb_strdup(rc == KB_EINTR ? _("interrupted") : kb_error_last());
		return rc == KB_ELESSON ? 0 : rc;
	}
	if (res->n_exp == 0) {
		res->verdict = KB_VERDICT_ERROR;
		res->error = kb_asprintf(_("%s:%d: the check recorded no expectation (use kb.expect and its "
					   "kin: docs/lesson-api.md)"), l->file, t->check_line);
		return 0;
	}
	res->verdict = kb_check_unmet(res) ? KB_VERDICT_FAIL : KB_VERDICT_PASS;
	return 0;
}

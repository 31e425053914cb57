/* result.c - what a check records: expectations and the verdict. See result.h. */
#include "engine/result.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kb_verdict_name(enum kb_verdict v)
{
	switch (v) {
	case KB_VERDICT_PASS: return "pass";
	case KB_VERDICT_FAIL: return "fail";
	case KB_VERDICT_ERROR: return "error";
	}
	return "?";
}

/* the bytes of text the check's expectations hold */
static size_t exp_text(const struct kb_check_result *res)
{
	size_t n = 0;
	for (size_t i = 0; i < res->n_exp; i++) {
		const struct kb_expectation *e = &res->exp[i];
		n += (e->expected ? strlen(e->expected) : 0) + (e->seen ? strlen(e->seen) : 0) +
		     (e->where ? strlen(e->where) : 0) +
		     (e->hint ? strlen(e->hint) : 0);
	}
	return n;
}

/* The expectation that stands for those past the cap */
static char *more_text(size_t more, size_t unmet)
{
	/* TRANSLATORS: one expectation standing for the last ones a check recorded past
	   its cap (%3$d) */
	return kb_asprintf(_("%zu more expectations left out (%zu not met): a check records at most %d"), more,
			   unmet, KB_CHECK_MAX_EXP);
}

/* The counts of an expectation more_text() wrote, in English or in the language shown
 * (a result read back from the check's process is in that language): the first two
 * numbers in s, in either order, when more_text() writes s again from them. */
static bool more_counts(const char *s, size_t *more, size_t *unmet)
{
	if (!s)
		return false;
	size_t num[2];
	int n = 0;
	for (const char *p = s; *p && n < 2;) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			num[n++] = strtoull(p, &end, 10);
			p = end;
		} else {
			p++;
		}
	}
	for (int k = 0; n == 2 && k < 2; k++) {
		size_t a = num[k], b = num[!k];
		char *en = kb_asprintf("%zu more expectations left out (%zu not met): a check records at most %d", a, b,
				       KB_CHECK_MAX_EXP);
		char *shown = more_text(a, b);
		bool same = strcmp(s, en) == 0 || strcmp(s, shown) == 0;
		free(en);
		free(shown);
		if (same) {
			*more = a;
			*unmet = b;
			return true;
		}
	}
	return false;
}

static char *cut(const char *s, size_t cap, const char *what)
{
	return s ? kb_str_cut(s, strlen(s), cap, what) : NULL;
}

void kb_check_expect(struct kb_check_result *res, bool met, const char *expected, const char *seen,
		     const char *where, const char *hint, int line)
{
	if (res->n_exp >= KB_CHECK_MAX_EXP) {
		/* the last one stands for every expectation past the cap */
		struct kb_expectation *e = &res->exp[res->n_exp - 1];
		size_t more = 0, unmet = 0;
		if (!more_counts(e->expected, &more, &unmet))
			return;
		e->met = e->met && met;
		free(e->expected);
		e->expected = more_text(more + 1, unmet + !met);
		return;
	}
	if (res->n_exp == res->cap_exp) {
		res->cap_exp = res->cap_exp ? res->cap_exp * 2 : 8;
		res->exp = kb_realloc(res->exp, res->cap_exp * sizeof *res->exp);
	}
	struct kb_expectation *e = &res->exp[res->n_exp++];
	memset(e, 0, sizeof *e);
	e->met = met;
	e->line = line;
	if (res->n_exp == KB_CHECK_MAX_EXP) {
		/* the first past the cap, or the summary itself recorded again (a result read
		   back from the check's process) */
		size_t more = 1, unmet = !met;
		if (!more_counts(expected, &more, &unmet)) {
			more = 1;
			unmet = !met;
		}
		e->expected = more_text(more, unmet);
		return;
	}
	/* each cut leaves a text within its cap, so a result recorded again (read back from
	   the check's process) comes out the same */
	size_t used = exp_text(res);
	size_t room = used < KB_CHECK_TEXT_CAP ? KB_CHECK_TEXT_CAP - used : 0;
	size_t line_cap = room < KB_CHECK_LINE_CAP ? (room > 256 ? room : 256) : KB_CHECK_LINE_CAP;
	e->expected = cut(expected ? expected : _("(unnamed expectation)"), line_cap, _("an expectation"));
	e->where = cut(where, line_cap, _("where"));
	e->hint = cut(hint, line_cap, _("a hint"));
	used = exp_text(res);
	room = used < KB_CHECK_TEXT_CAP ? KB_CHECK_TEXT_CAP - used : 0;
	size_t seen_cap = room < KB_CHECK_SEEN_CAP ? (room > 256 ? room : 256) : KB_CHECK_SEEN_CAP;
	if (seen && strlen(seen) > seen_cap && room < 256)
		e->seen = kb_asprintf(_("[... %zu bytes left out (a check's expectations hold at most %d KiB of text) ...]"),
				      strlen(seen), KB_CHECK_TEXT_CAP / 1024);
	else
		e->seen = cut(seen, seen_cap, _("seen"));
}

size_t kb_check_unmet(const struct kb_check_result *res)
{
	size_t n = 0;
	for (size_t i = 0; i < res->n_exp; i++)
		n += !res->exp[i].met;
	return n;
}

void kb_check_result_free(struct kb_check_result *res)
{
	for (size_t i = 0; i < res->n_exp; i++) {
		free(res->exp[i].expected);
		free(res->exp[i].seen);
		free(res->exp[i].where);
		free(res->exp[i].hint);
	}
	free(res->exp);
	free(res->id);
	free(res->lesson_id);
	free(res->task_id);
	free(res->title);
	free(res->error);
	free(res->traceback);
	free(res->output);
	memset(res, 0, sizeof *res);
}

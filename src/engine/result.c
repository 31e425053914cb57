/* result.c - what a check records: expectations and the verdict. See result.h. */
#include "engine/result.h"
#include "base/util.h"

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

void kb_check_expect(struct kb_check_result *res, bool met, const char *expected, const char *seen,
		     const char *where, const char *hint, int line)
{
	if (res->n_exp == res->cap_exp) {
		res->cap_exp = res->cap_exp ? res->cap_exp * 2 : 8;
		res->exp = kb_realloc(res->exp, res->cap_exp * sizeof *res->exp);
	}
	struct kb_expectation *e = &res->exp[res->n_exp++];
	e->met = met;
	e->expected = kb_strdup(expected ? expected : "(unnamed expectation)");
	e->seen = seen ? kb_strdup(seen) : NULL;
	e->where = where ? kb_strdup(where) : NULL;
	e->hint = hint ? kb_strdup(hint) : NULL;
	e->line = line;
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

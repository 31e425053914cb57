/* test_progress.c - time spent on a lesson by a learner using the commands: the gaps
 * between their commands, each up to KB_ACTIVE_GAP_MAX; last_active and the quizzes
 * answered right saved; hints counted per task. */
#include "kbtest.h"

#include <stdlib.h>
#include <string.h>

#include "store/progress.h"

static void test_gaps_counted_and_capped(void **state)
{
	(void)state;
	struct kb_lesson_progress lp = {0};
	kb_progress_active(&lp, 1000, true);           /* start: nothing before it */
	assert_true(lp.seconds == 0);
	assert_int_equal(lp.last_active, 1000);
	kb_progress_active(&lp, 1300, true);           /* a check 5 minutes later */
	assert_true(lp.seconds == 300);
	kb_progress_active(&lp, 1300 + 7200, true);    /* back from two hours away */
	assert_true(lp.seconds == 300 + KB_ACTIVE_GAP_MAX);
	kb_progress_active(&lp, 5000, true);           /* a clock that went backwards */
	assert_true(lp.seconds == 300 + KB_ACTIVE_GAP_MAX);
	assert_int_equal(lp.last_active, 8500);
	kb_progress_active(&lp, 8600, false);          /* the shell counts its own time */
	assert_true(lp.seconds == 300 + KB_ACTIVE_GAP_MAX);
	assert_int_equal(lp.last_active, 8600);
}

static void test_last_active_saved(void **state)
{
	(void)state;
	struct kb_progress p = {0};
	struct kb_lesson_progress *lp = kb_progress_lesson(&p, "errors");
	kb_progress_active(lp, 1795000280, true);
	kb_progress_set_quiz_right(lp, "export");
	kb_progress_set_quiz_right(lp, "export");   /* once */
	kb_progress_set_quiz_right(lp, "errno");
	char *json = kb_progress_to_json(&p);
	struct kb_progress q = {0};
	assert_int_equal(kb_progress_parse(&q, json, "progress.json"), 0);
	assert_int_equal(kb_progress_find(&q, "errors")->last_active, 1795000280);
	assert_int_equal(kb_progress_find(&q, "errors")->n_quizzes_right, 2);
	assert_true(kb_progress_quiz_right(kb_progress_find(&q, "errors"), "errno"));
	assert_false(kb_progress_quiz_right(kb_progress_find(&q, "errors"), "layout"));
	/* an older file without the field reads as never */
	struct kb_progress old = {0};
	assert_int_equal(kb_progress_parse(&old, "{\"version\":1,\"lessons\":{\"abi\":{\"attempts\":2}}}", "old"), 0);
	assert_int_equal(kb_progress_find(&old, "abi")->last_active, 0);
	assert_int_equal(kb_progress_find(&old, "abi")->n_quizzes_right, 0);
	free(json);
	kb_progress_free(&p);
	kb_progress_free(&q);
	kb_progress_free(&old);
}

/* hints per task ("task_hints"), the lesson's total their sum; an older file has only the
 * total: -1 per task, its total kept for the reader to spread */
static void test_task_hints(void **state)
{
	(void)state;
	struct kb_progress p = {0};
	struct kb_lesson_progress *lp = kb_progress_lesson(&p, "two");
	assert_int_equal(kb_progress_task_hints(lp, "first"), -1);
	kb_progress_set_task_hints(lp, "second", 2);
	kb_progress_set_task_hints(lp, "first", 1);
	kb_progress_set_task_hints(lp, "second", 1);   /* replaced, not added */
	assert_int_equal(lp->hints, 2);
	assert_int_equal(kb_progress_task_hints(lp, "first"), 1);
	assert_int_equal(kb_progress_task_hints(lp, "third"), 0);
	char *json = kb_progress_to_json(&p);
	struct kb_progress q = {0};
	assert_int_equal(kb_progress_parse(&q, json, "progress.json"), 0);
	const struct kb_lesson_progress *lq = kb_progress_find(&q, "two");
	assert_int_equal(lq->hints, 2);
	assert_int_equal(lq->n_task_hints, 2);
	assert_int_equal(kb_progress_task_hints(lq, "second"), 1);
	assert_int_equal(kb_progress_task_hints(lq, "first"), 1);
	struct kb_progress old = {0};
	assert_int_equal(kb_progress_parse(&old, "{\"version\":1,\"lessons\":{\"two\":{\"hints\":3}}}", "old"), 0);
	assert_int_equal(kb_progress_find(&old, "two")->hints, 3);
	assert_int_equal(kb_progress_task_hints(kb_progress_find(&old, "two"), "first"), -1);
	/* a damaged count is left out rather than trusted */
	struct kb_progress bad = {0};
	assert_int_equal(kb_progress_parse(&bad, "{\"version\":1,\"lessons\":{\"two\":{\"hints\":1,"
				       "\"task_hints\":{\"first\":-4,\"second\":\"x\",\"third\":1}}}}", "bad"), 0);
	assert_int_equal(kb_progress_task_hints(kb_progress_find(&bad, "two"), "first"), 0);
	assert_int_equal(kb_progress_task_hints(kb_progress_find(&bad, "two"), "third"), 1);
	free(json);
	kb_progress_free(&p);
	kb_progress_free(&q);
	kb_progress_free(&old);
	kb_progress_free(&bad);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_gaps_counted_and_capped),
	cmocka_unit_test(test_last_active_saved),
	cmocka_unit_test(test_task_hints),
};

KB_TEST_MAIN(tests)

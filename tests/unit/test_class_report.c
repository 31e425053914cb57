/* Unit tests of the class report (class_report.c): rows, the per-lesson summary, medians,
 * the stuck rule, CSV quoting (RFC 4180), Markdown escaping, learner names. The progress
 * is parsed from JSON as kb_progress_load reads it from a workspace. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "store/class_report.h"
#include "store/progress.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static char *lessons3[] = {"greet", "answer", "farewell"};

static void parse(struct kb_progress *p, const char *json)
{
	assert_int_equal(kb_progress_parse(p, json, "test"), 0);
}

/* ---- medians and durations ------------------------------------------------------------ */

static void test_median(void **s)
{
	double none[1];
	assert_true(kb_median(none, 0) == -1);
	double one[] = {7};
	assert_true(kb_median(one, 1) == 7);
	double odd[] = {3, 1, 2};
	assert_true(kb_median(odd, 3) == 2);
	double even[] = {4, 1, 3, 2};
	assert_true(kb_median(even, 4) == 2.5);
	double same[] = {5, 5, 1, 9};
	assert_true(kb_median(same, 4) == 5);
	double times[] = {1200, 900};
	assert_true(kb_median(times, 2) == 1050);
}

static void test_duration(void **s)
{
	char b[32];
	assert_string_equal(kb_class_duration(b, sizeof b, 0), "0s");
	assert_string_equal(kb_class_duration(b, sizeof b, 59), "59s");
	assert_string_equal(kb_class_duration(b, sizeof b, 60), "1m 00s");
	assert_string_equal(kb_class_duration(b, sizeof b, 725), "12m 05s");
	assert_string_equal(kb_class_duration(b, sizeof b, 3599), "59m 59s");
	assert_string_equal(kb_class_duration(b, sizeof b, 3725), "1h 02m 05s");
	assert_string_equal(kb_class_duration(b, sizeof b, 100 * 3600), "100h 00m 00s");
	assert_string_equal(kb_class_duration(b, sizeof b, -5), "0s");
}

/* ---- CSV quoting ---------------------------------------------------------------------- */

static char *field(const char *s)
{
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_adds(&b, "");
	kb_csv_field(&b, s);
	return kb_buf_detach(&b);
}

static void expect_field(const char *in, const char *want)
{
	char *got = field(in);
	assert_string_equal(got, want);
	free(got);
}

static void test_csv_quoting(void **s)
{
	expect_field("ana", "ana");
	expect_field("", "");
	expect_field("with space", "with space");           /* spaces need no quotes */
	expect_field("Doe, Jane", "\"Doe, Jane\"");
	expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_field("\"", "\"\"\"\"");
	expect_field("two\nlines", "\"two\nlines\"");
	expect_field("cr\rhere", "\"cr\rhere\"");
	expect_field("caf\xc3\xa9", "caf\xc3\xa9");            /* UTF-8 as is */
}

/* ---- the report ----------------------------------------------------------------------- */

/* three learners with known histories; the same numbers as tests/integration/test_report.sh */
static const char ana_json[] =
	"{\"version\":1,\"pack\":\"report\",\"lessons\":{"
	"\"greet\":{\"passed\":true,\"attempts\":3,\"hints\":2,\"seconds\":0},"
	"\"answer\":{\"passed\":false,\"attempts\":1,\"hints\":0,\"solution_revealed\":true}}}";
static const char ben_json[] =
	"{\"version\":1,\"pack\":\"report\",\"lessons\":{"
	"\"greet\":{\"passed\":true,\"attempts\":1,\"hints\":0,\"seconds\":300},"
	"\"answer\":{\"passed\":true,\"attempts\":4,\"hints\":2,\"seconds\":1200.4},"
	"\"farewell\":{\"passed\":false,\"attempts\":2,\"hints\":1,\"seconds\":600},"
	"\"old-lesson\":{\"passed\":true,\"attempts\":9}}}";
static const char cleo_json[] =
	"{\"version\":1,\"pack\":\"report\",\"lessons\":{"
	"\"greet\":{\"passed\":true,\"attempts\":2,\"hints\":1,\"seconds\":724},"
	"\"answer\":{\"passed\":false,\"attempts\":3,\"hints\":2,\"solution_revealed\":true,\"seconds\":900}}}";

struct class3 {
	struct kb_progress p[3];
	struct kb_class_learner in[3];
	struct kb_class_report r;
};

static void class3_build(struct class3 *c)
{
	parse(&c->p[0], ana_json);
	parse(&c->p[1], ben_json);
	parse(&c->p[2], cleo_json);
	const char *names[] = {"ana", "ben", "cleo"};
	for (int i = 0; i < 3; i++)
		c->in[i] = (struct kb_class_learner){names[i], &c->p[i]};
	kb_class_report_build(&c->r, c->in, 3, lessons3, 3);
}

static void class3_free(struct class3 *c)
{
	kb_class_report_free(&c->r);
	for (int i = 0; i < 3; i++)
		kb_progress_free(&c->p[i]);
}

static void test_rows(void **s)
{
	struct class3 c;
	class3_build(&c);
	assert_int_equal(c.r.n_rows, 9);
	/* learner by learner, lessons in the pack's order; old-lesson is not a row */
	const struct kb_class_row *r = c.r.rows;
	assert_string_equal(r[0].learner, "ana");
	assert_string_equal(r[0].lesson, "greet");
	assert_true(r[0].passed);
	assert_int_equal(r[0].attempts, 3);
	assert_int_equal(r[0].hints, 2);
	assert_string_equal(r[1].lesson, "answer");
	assert_true(r[1].revealed);
	assert_false(r[1].passed);
	assert_string_equal(r[2].lesson, "farewell");     /* never touched: all zero */
	assert_false(r[2].passed);
	assert_int_equal(r[2].attempts, 0);
	assert_int_equal(r[2].seconds, 0);
	assert_string_equal(r[4].learner, "ben");
	assert_int_equal(r[4].seconds, 1200);              /* 1200.4 rounds down */
	assert_int_equal(r[5].hints, 1);
	for (size_t i = 0; i < c.r.n_rows; i++)
		assert_string_not_equal(c.r.rows[i].lesson, "old-lesson");
	class3_free(&c);
}

static void test_summary(void **s)
{
	struct class3 c;
	class3_build(&c);
	assert_int_equal(c.r.n_lessons, 3);
	const struct kb_class_lesson *g = &c.r.lessons[0], *a = &c.r.lessons[1], *f = &c.r.lessons[2];
	/* greet: attempts 3,1,2 -> 2; time 0 (not counted), 300, 724 -> 512 */
	assert_string_equal(g->lesson, "greet");
	assert_int_equal(g->passed, 3);
	assert_int_equal(g->learners, 3);
	assert_int_equal(g->attempted, 3);
	assert_true(g->median_attempts == 2);
	assert_int_equal(g->timed, 2);
	assert_int_equal(g->median_seconds, 512);
	assert_int_equal(g->still_trying, 0);
	assert_false(g->stuck);
	/* answer: attempts 1,4,3 -> 3; time 1200, 900 -> 1050; two revealed; ana and cleo trying */
	assert_int_equal(a->passed, 1);
	assert_true(a->median_attempts == 3);
	assert_int_equal(a->median_seconds, 1050);
	assert_int_equal(a->revealed, 2);
	assert_int_equal(a->still_trying, 2);
	assert_true(a->stuck);
	/* farewell: only ben, 2 attempts, 600 s, not passed */
	assert_int_equal(f->passed, 0);
	assert_int_equal(f->attempted, 1);
	assert_true(f->median_attempts == 2);
	assert_int_equal(f->median_seconds, 600);
	assert_int_equal(f->still_trying, 1);
	assert_false(f->stuck);
	class3_free(&c);
}

static void test_unknown_lessons(void **s)
{
	struct kb_progress p;
	parse(&p, ben_json);
	struct kb_strv u = KB_STRV_INIT;
	kb_class_unknown_lessons(&p, lessons3, 3, &u);
	assert_int_equal(u.n, 1);
	assert_string_equal(u.v[0], "old-lesson");
	kb_strv_free(&u);
	kb_progress_free(&p);
}

static void test_odd_values(void **s)
{
	/* hand-edited files: negatives count as 0, .5 rounds up, a huge time stays defined */
	struct kb_progress p;
	parse(&p, "{\"version\":1,\"lessons\":{"
		  "\"greet\":{\"attempts\":-2,\"hints\":-1,\"seconds\":-30},"
		  "\"answer\":{\"attempts\":1,\"seconds\":0.5},"
		  "\"farewell\":{\"seconds\":1e300}}}");
	struct kb_class_learner in = {"x", &p};
	struct kb_class_report r;
	kb_class_report_build(&r, &in, 1, lessons3, 3);
	assert_int_equal(r.rows[0].attempts, 0);
	assert_int_equal(r.rows[0].hints, 0);
	assert_int_equal(r.rows[0].seconds, 0);
	assert_int_equal(r.lessons[0].attempted, 0);
	assert_true(r.lessons[0].median_attempts == -1);
	assert_true(r.lessons[0].median_seconds == -1);
	assert_int_equal(r.rows[1].seconds, 1);
	assert_int_equal(r.rows[2].seconds, 1000000000000LL);
	/* answer: attempted, not passed: the only lesson anyone is still trying */
	assert_true(r.lessons[1].stuck);
	assert_false(r.lessons[2].stuck);
	kb_class_report_free(&r);
	kb_progress_free(&p);
}

static void test_stuck_rule(void **s)
{
	/* two lessons with two learners still trying each: the higher median attempts wins */
	struct kb_progress p[2];
	parse(&p[0], "{\"version\":1,\"lessons\":{\"greet\":{\"attempts\":2},\"answer\":{\"attempts\":5},"
		     "\"farewell\":{\"attempts\":1}}}");
	parse(&p[1], "{\"version\":1,\"lessons\":{\"greet\":{\"attempts\":2},\"answer\":{\"attempts\":1}}}");
	struct kb_class_learner in[] = {{"a", &p[0]}, {"b", &p[1]}};
	struct kb_class_report r;
	kb_class_report_build(&r, in, 2, lessons3, 3);
	assert_int_equal(r.lessons[0].still_trying, 2);
	assert_int_equal(r.lessons[1].still_trying, 2);
	assert_true(r.lessons[0].median_attempts == 2);
	assert_true(r.lessons[1].median_attempts == 3);
	assert_false(r.lessons[0].stuck);
	assert_true(r.lessons[1].stuck);
	assert_false(r.lessons[2].stuck);
	kb_class_report_free(&r);
	kb_progress_free(&p[0]);
	kb_progress_free(&p[1]);

	/* a full tie: both marked */
	parse(&p[0], "{\"version\":1,\"lessons\":{\"greet\":{\"attempts\":3},\"answer\":{\"attempts\":3}}}");
	struct kb_class_learner one = {"a", &p[0]};
	kb_class_report_build(&r, &one, 1, lessons3, 3);
	assert_true(r.lessons[0].stuck);
	assert_true(r.lessons[1].stuck);
	assert_false(r.lessons[2].stuck);
	kb_class_report_free(&r);
	kb_progress_free(&p[0]);

	/* everybody passed what they tried: nothing is marked */
	parse(&p[0], "{\"version\":1,\"lessons\":{\"greet\":{\"passed\":true,\"attempts\":7}}}");
	kb_class_report_build(&r, &one, 1, lessons3, 3);
	for (size_t i = 0; i < 3; i++)
		assert_false(r.lessons[i].stuck);
	kb_class_report_free(&r);
	kb_progress_free(&p[0]);
}

static void test_empty_class(void **s)
{
	struct kb_class_report r;
	kb_class_report_build(&r, NULL, 0, lessons3, 3);
	assert_int_equal(r.n_rows, 0);
	assert_int_equal(r.lessons[0].learners, 0);
	char *csv = kb_class_csv(&r), *sum = kb_class_summary_csv(&r);
	assert_string_equal(csv, "learner,lesson,passed,attempts,hints,solution_revealed,seconds\r\n");
	assert_string_equal(sum, "lesson,passed,learners,attempted,median_attempts,median_seconds,revealed,"
				 "still_trying,stuck\r\n"
				 "greet,0,0,0,,,0,0,no\r\n"
				 "answer,0,0,0,,,0,0,no\r\n"
				 "farewell,0,0,0,,,0,0,no\r\n");
	free(csv);
	free(sum);
	kb_class_report_free(&r);
}

/* ---- the text ------------------------------------------------------------------------- */

static void test_csv_exact(void **s)
{
	struct class3 c;
	class3_build(&c);
	c.in[1].name = "Doe, \"Ben\"";     /* a name that must be quoted */
	kb_class_report_free(&c.r);
	kb_class_report_build(&c.r, c.in, 3, lessons3, 3);
	char *csv = kb_class_csv(&c.r);
	assert_string_equal(csv,
		"learner,lesson,passed,attempts,hints,solution_revealed,seconds\r\n"
		"ana,greet,yes,3,2,no,0\r\n"
		"ana,answer,no,1,0,yes,0\r\n"
		"ana,farewell,no,0,0,no,0\r\n"
		"\"Doe, \"\"Ben\"\"\",greet,yes,1,0,no,300\r\n"
		"\"Doe, \"\"Ben\"\"\",answer,yes,4,2,no,1200\r\n"
		"\"Doe, \"\"Ben\"\"\",farewell,no,2,1,no,600\r\n"
		"cleo,greet,yes,2,1,no,724\r\n"
		"cleo,answer,no,3,2,yes,900\r\n"
		"cleo,farewell,no,0,0,no,0\r\n");
	char *sum = kb_class_summary_csv(&c.r);
	assert_string_equal(sum,
		"lesson,passed,learners,attempted,median_attempts,median_seconds,revealed,still_trying,stuck\r\n"
		"greet,3,3,3,2,512,0,0,no\r\n"
		"answer,1,3,3,3,1050,2,2,yes\r\n"
		"farewell,0,3,1,2,600,0,1,no\r\n");
	free(csv);
	free(sum);
	class3_free(&c);
}

static void test_markdown(void **s)
{
	struct class3 c;
	class3_build(&c);
	c.in[2].name = "cleo|x\ny";
	kb_class_report_free(&c.r);
	kb_class_report_build(&c.r, c.in, 3, lessons3, 3);
	char *md = kb_class_markdown(&c.r, "Class report: T", true);
	assert_true(kb_str_starts(md, "# Class report: T\n\n3 learners, 3 lessons.\n\n"
				      "| learner | lesson | passed | attempts | hints | solution revealed | time (s) | time |\n"
				      "|---|---|---|---:|---:|---|---:|---:|\n"
				      "| ana | greet | yes | 3 | 2 | no | 0 | 0s |\n"));
	assert_non_null(strstr(md, "| ben | answer | yes | 4 | 2 | no | 1200 | 20m 00s |\n"));
	assert_non_null(strstr(md, "| cleo\\|x y | greet | yes | 2 | 1 | no | 724 | 12m 04s |\n"));
	assert_non_null(strstr(md, "\n## Per lesson\n\n"));
	assert_non_null(strstr(md, "| greet | 3/3 | 3 | 2 | 8m 32s | 0 | 0 |  |\n"));
	assert_non_null(strstr(md, "| answer | 1/3 | 3 | 3 | 17m 30s | 2 | 2 | **yes** |\n"));
	assert_non_null(strstr(md, "| farewell | 0/3 | 1 | 2 | 10m 00s | 0 | 1 |  |\n"));
	free(md);
	/* summary only: no learner rows */
	md = kb_class_markdown(&c.r, NULL, false);
	assert_true(kb_str_starts(md, "3 learners, 3 lessons.\n\n## Per lesson\n"));
	assert_null(strstr(md, "| ana |"));
	free(md);
	class3_free(&c);
}

/* ---- names and paths ------------------------------------------------------------------ */

static void expect_names(char *const *paths, size_t n, const char *const *want)
{
	struct kb_strv names = KB_STRV_INIT;
	kb_class_names(&names, paths, n);
	assert_int_equal(names.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names.v[i], want[i]);
	kb_strv_free(&names);
}

static void test_names(void **s)
{
	char *plain[] = {"/lab/ana", "/lab/ben/", "cleo"};
	expect_names(plain, 3, (const char *const[]){"ana", "ben", "cleo"});
	char *homes[] = {"/home/ana/kbridge-workspace", "/home/ben/kbridge-workspace", "/srv/cleo"};
	expect_names(homes, 3, (const char *const[]){"ana/kbridge-workspace", "ben/kbridge-workspace", "cleo"});
	char *deep[] = {"/r1/pc/ws", "/r2/pc/ws", "/r2/other/ws"};
	expect_names(deep, 3, (const char *const[]){"r1/pc/ws", "r2/pc/ws", "other/ws"});
	char *same[] = {"/a/ws", "/a/ws"};
	expect_names(same, 2, (const char *const[]){"ws", "ws"});
	char *slashes[] = {"/x//ws", "/y/ws", "/"};
	expect_names(slashes, 3, (const char *const[]){"x//ws", "y/ws", "/"});
}

static void test_summary_path(void **s)
{
	char *p = kb_class_summary_path("out/class.csv");
	assert_string_equal(p, "out/class-summary.csv");
	free(p);
	p = kb_class_summary_path("class");
	assert_string_equal(p, "class-summary.csv");
	free(p);
	p = kb_class_summary_path(".csv");
	assert_string_equal(p, ".csv-summary.csv");
	free(p);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_median),
	cmocka_unit_test(test_duration),
	cmocka_unit_test(test_csv_quoting),
	cmocka_unit_test(test_rows),
	cmocka_unit_test(test_summary),
	cmocka_unit_test(test_unknown_lessons),
	cmocka_unit_test(test_odd_values),
	cmocka_unit_test(test_stuck_rule),
	cmocka_unit_test(test_empty_class),
	cmocka_unit_test(test_csv_exact),
	cmocka_unit_test(test_markdown),
	cmocka_unit_test(test_names),
	cmocka_unit_test(test_summary_path),
};

KB_TEST_MAIN(tests)

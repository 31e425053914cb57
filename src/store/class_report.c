/* class_report.c - see class_report.h. */
#define _GNU_SOURCE
#include "store/class_report.h"
#include "store/progress.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* more seconds than anyone spends on a lesson; keeps the conversion defined on odd files */
#define MAX_SECONDS 1e12

static long long whole_seconds(double s)
{
	if (!(s > 0))            /* negative, zero or NaN */
		return 0;
	return (long long)((s > MAX_SECONDS ? MAX_SECONDS : s) + 0.5);   /* to the nearest, .5 up */
}

static bool in_list(const char *id, char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(id, list[i]) == 0)
			return true;
	return false;
}

void kb_class_unknown_lessons(const struct kb_progress *p, char *const *lessons, size_t n_lessons,
			      struct kb_strv *out)
{
	for (size_t i = 0; i < p->n; i++)
		if (!in_list(p->lessons[i].id, lessons, n_lessons))
			kb_strv_push(out, p->lessons[i].id);
}

static void mark_stuck(struct kb_class_report *r)
{
	size_t most = 0;
	for (size_t i = 0; i < r->n_lessons; i++)
		if (r->lessons[i].still_trying > most)
			most = r->lessons[i].still_trying;
	if (most == 0)
		return;
	double highest = -1;
	for (size_t i = 0; i < r->n_lessons; i++)
		if (r->lessons[i].still_trying == most && r->lessons[i].median_attempts > highest)
			highest = r->lessons[i].median_attempts;
	for (size_t i = 0; i < r->n_lessons; i++)
		r->lessons[i].stuck = r->lessons[i].still_trying == most && r->lessons[i].median_attempts == highest;
}

void kb_class_report_build(struct kb_class_report *r, const struct kb_class_learner *learners, size_t n_learners,
			   char *const *lessons, size_t n_lessons)
{
	memset(r, 0, sizeof *r);
	r->n_learners = n_learners;
	r->n_lessons = n_lessons;
	r->n_rows = n_learners * n_lessons;
	r->rows = kb_calloc(r->n_rows ? r->n_rows : 1, sizeof *r->rows);
	r->lessons = kb_calloc(n_lessons ? n_lessons : 1, sizeof *r->lessons);
	for (size_t a = 0; a < n_learners; a++)
		for (size_t l = 0; l < n_lessons; l++) {
			struct kb_class_row *row = &r->rows[a * n_lessons + l];
			const struct kb_lesson_progress *p = kb_progress_find(learners[a].progress, lessons[l]);
			row->learner = learners[a].name;
			row->lesson = lessons[l];
			if (!p)
				continue;
			row->passed = p->passed;
			row->attempts = p->attempts > 0 ? p->attempts : 0;
			row->hints = p->hints > 0 ? p->hints : 0;
			row->revealed = p->solution_revealed;
			row->seconds = whole_seconds(p->seconds);
		}
	double *attempts = kb_calloc(n_learners ? n_learners : 1, sizeof *attempts);
	double *seconds = kb_calloc(n_learners ? n_learners : 1, sizeof *seconds);
	for (size_t l = 0; l < n_lessons; l++) {
		struct kb_class_lesson *s = &r->lessons[l];
		s->lesson = lessons[l];
		s->learners = n_learners;
		for (size_t a = 0; a < n_learners; a++) {
			const struct kb_class_row *row = &r->rows[a * n_lessons + l];
			s->passed += row->passed;
			s->revealed += row->revealed;
			if (row->attempts >= 1) {
				attempts[s->attempted++] = row->attempts;
				s->still_trying += !row->passed;
			}
			if (row->seconds >= 1)
				seconds[s->timed++] = (double)row->seconds;
		}
		s->median_attempts = kb_median(attempts, s->attempted);
		double m = kb_median(seconds, s->timed);
		s->median_seconds = m < 0 ? -1 : (long long)(m + 0.5);
	}
	free(attempts);
	free(seconds);
	mark_stuck(r);
}

void kb_class_report_free(struct kb_class_report *r)
{
	free(r->rows);
	free(r->lessons);
	memset(r, 0, sizeof *r);
}

char *kb_class_duration(char *buf, size_t cap, long long s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, cap, "%llds", s);
	else if (s < 3600)
		snprintf(buf, cap, "%lldm %02llds", s / 60, s % 60);
	else
		snprintf(buf, cap, "%lldh %02lldm %02llds", s / 3600, s / 60 % 60, s % 60);
	return buf;
}

/* ---- CSV ----------------------------------------------------------------------------- */

void kb_csv_field(struct kb_buf *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		kb_buf_adds(out, s);
		return;
	}
	kb_buf_adds(out, "\"");
	for (const char *c = s; *c; c++)
		kb_buf_add(out, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
	kb_buf_adds(out, "\"");
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

char *kb_class_csv(const struct kb_class_report *r)
{
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_adds(&b, "learner,lesson,passed,attempts,hints,solution_revealed,seconds\r\n");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct kb_class_row *row = &r->rows[i];
		kb_csv_field(&b, row->learner);
		kb_buf_adds(&b, ",");
		kb_csv_field(&b, row->lesson);
		kb_buf_printf(&b, ",%s,%d,%d,%s,%lld\r\n", yes_no(row->passed), row->attempts, row->hints,
			      yes_no(row->revealed), row->seconds);
	}
	return kb_buf_detach(&b);
}

/* a median of attempts: "2", "2.5"; empty when undefined */
static void fmt_median(char *buf, size_t cap, double m, const char *none)
{
	if (m < 0)
		snprintf(buf, cap, "%s", none);
	else
		snprintf(buf, cap, "%g", m);
}

char *kb_class_summary_csv(const struct kb_class_report *r)
{
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_adds(&b, "lesson,passed,learners,attempted,median_attempts,median_seconds,revealed,still_trying,"
			"stuck\r\n");
	for (size_t i = 0; i < r->n_lessons; i++) {
		const struct kb_class_lesson *s = &r->lessons[i];
		char ma[32], ms[32];
		fmt_median(ma, sizeof ma, s->median_attempts, "");
		if (s->median_seconds < 0)
			ms[0] = '\0';
		else
			snprintf(ms, sizeof ms, "%lld", s->median_seconds);
		kb_csv_field(&b, s->lesson);
		kb_buf_printf(&b, ",%zu,%zu,%zu,%s,%s,%zu,%zu,%s\r\n", s->passed, s->learners, s->attempted, ma, ms,
			      s->revealed, s->still_trying, yes_no(s->stuck));
	}
	return kb_buf_detach(&b);
}

/* ---- Markdown ------------------------------------------------------------------------ */

static void md_cell(struct kb_buf *b, const char *s)
{
	kb_buf_adds(b, " ");
	for (const char *c = s; *c; c++) {
		if (*c == '|' || *c == '\\')
			kb_buf_adds(b, "\\");
		kb_buf_add(b, *c == '\n' || *c == '\r' ? " " : c, 1);
	}
	kb_buf_adds(b, " |");
}

char *kb_class_markdown(const struct kb_class_report *r, const char *title, bool table)
{
	struct kb_buf b = KB_BUF_INIT;
	char t[48];
	if (title) {
		kb_buf_adds(&b, "# ");
		for (const char *c = title; *c; c++)
			kb_buf_add(&b, *c == '\n' || *c == '\r' ? " " : c, 1);
		kb_buf_adds(&b, "\n\n");
	}
	kb_buf_printf(&b, kb_ngettext("%zu learner,", "%zu learners,", r->n_learners), r->n_learners);
	kb_buf_printf(&b, kb_ngettext(" %zu lesson.\n", " %zu lessons.\n", r->n_lessons), r->n_lessons);
	if (table) {
		kb_buf_adds(&b, _("\n| learner | lesson | passed | attempts | hints | solution revealed | time (s) | time |\n"));
		kb_buf_adds(&b, "|---|---|---|---:|---:|---|---:|---:|\n");
		for (size_t i = 0; i < r->n_rows; i++) {
			const struct kb_class_row *row = &r->rows[i];
			kb_buf_adds(&b, "|");
			md_cell(&b, row->learner);
			md_cell(&b, row->lesson);
			kb_buf_printf(&b, " %s | %d | %d | %s | %lld | %s |\n", yes_no(row->passed), row->attempts,
				      row->hints, yes_no(row->revealed), row->seconds,
				      kb_class_duration(t, sizeof t, row->seconds));
		}
	}
	kb_buf_adds(&b, _("\n## Per lesson\n\n"
			  "| lesson | passed | attempted | median attempts | median time | revealed | still trying | stuck |\n"));
	kb_buf_adds(&b, "|---|---:|---:|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < r->n_lessons; i++) {
		const struct kb_class_lesson *s = &r->lessons[i];
		char ma[32];
		fmt_median(ma, sizeof ma, s->median_attempts, "-");
		kb_buf_adds(&b, "|");
		md_cell(&b, s->lesson);
		kb_buf_printf(&b, " %zu/%zu | %zu | %s | %s | %zu | %zu | %s |\n", s->passed, s->learners, s->attempted,
			      ma, s->median_seconds < 0 ? "-" : kb_class_duration(t, sizeof t, s->median_seconds),
			      s->revealed, s->still_trying, s->stuck ? "**yes**" : "");
	}
	kb_buf_adds(&b, _("\nAttempted: ran at least one check. Still trying: attempted, not passed. "
			  "Median attempts: over the learners who attempted. "
			  "Median time: over the learners with time recorded (the shell counts the time its screens are open, the commands the gaps between them, each up to 15 minutes). "
			  "With an even count a median is the mean of the two middle values. "
			  "Stuck: the lesson(s) with the most learners still trying; "
			  "ties go to the higher median attempts.\n"));
	return kb_buf_detach(&b);
}

/* ---- names and paths ----------------------------------------------------------------- */

/* the last k components of path (trailing slashes ignored), as a new string */
static char *tail_components(const char *path, size_t k)
{
	size_t end = strlen(path);
	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	for (size_t seen = 0;;) {
		while (start > 0 && path[start - 1] != '/')
			start--;                  /* to the start of this component */
		if (++seen == k)
			break;
		size_t s = start;
		while (s > 0 && path[s - 1] == '/')
			s--;                      /* over the slashes before it */
		if (s == 0)
			break;
		start = s;
	}
	if (start == end)           /* "/" */
		return kb_strndup(path, end);
	return kb_strndup(path + start, end - start);
}

static size_t n_components(const char *path)
{
	size_t n = 0;
	for (const char *c = path; *c; c++)
		if (*c != '/' && (c == path || c[-1] == '/'))
			n++;
	return n ? n : 1;
}

void kb_class_names(struct kb_strv *out, char *const *paths, size_t n)
{
	size_t *k = kb_calloc(n ? n : 1, sizeof *k);
	char **names = kb_calloc(n ? n : 1, sizeof *names);
	for (size_t i = 0; i < n; i++) {
		k[i] = 1;
		names[i] = tail_components(paths[i], 1);
	}
	for (bool changed = true; changed;) {
		changed = false;
		bool *grow = kb_calloc(n ? n : 1, sizeof *grow);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				if (i == j || strcmp(names[i], names[j]) != 0 || k[i] >= n_components(paths[i]))
					continue;
				char *whole_i = tail_components(paths[i], (size_t)-1);
				char *whole_j = tail_components(paths[j], (size_t)-1);
				grow[i] |= strcmp(whole_i, whole_j) != 0;
				free(whole_i);
				free(whole_j);
			}
		for (size_t i = 0; i < n; i++)
			if (grow[i]) {
				free(names[i]);
				names[i] = tail_components(paths[i], ++k[i]);
				changed = true;
			}
		free(grow);
	}
	for (size_t i = 0; i < n; i++)
		kb_strv_push_own(out, names[i]);
	free(names);
	free(k);
}

char *kb_class_summary_path(const char *path)
{
	size_t n = strlen(path);
	if (n > 4 && strcmp(path + n - 4, ".csv") == 0)
		return kb_asprintf("%.*s-summary.csv", (int)(n - 4), path);
	return kb_asprintf("%s-summary.csv", path);
}

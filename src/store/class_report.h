/* class_report.h - a class's progress for the instructor: one row per learner and lesson,
 * and a summary per lesson (class_report.c). Pure: it takes progress already loaded
 * (progress.h) and the pack's lesson ids, and gives rows, a summary and their text as CSV
 * (RFC 4180) or Markdown. `kbridge report` (cli_class_report.c) reads the workspaces.
 *
 * The rules, in one place (the man page and `kbridge report --help` say the same):
 *   time           a lesson's "seconds" rounded to the nearest whole second; negative
 *                  numbers (hand-edited files) count as 0, as do negative attempts/hints
 *   attempted      the learner ran at least one check of the lesson (attempts >= 1)
 *   still trying   attempted and not passed
 *   median         the middle value of the sorted values; with an even count, the mean of
 *                  the two middle ones (attempts can end in .5; seconds are rounded)
 *   median attempts  over the learners who attempted the lesson
 *   median time      over the learners with time recorded in it (time >= 1 s); only the
 *                  shell counts time, so a learner who used only the commands has none
 *   stuck          the lesson(s) with the most learners still trying; ties go to the
 *                  higher median attempts; lessons still tied are all marked. No lesson
 *                  is marked when no learner is still trying anywhere.
 */
#ifndef KB_CLASS_REPORT_H
#define KB_CLASS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

struct kb_progress;
struct kb_strv;

/* One learner going in: a name for the table and their progress (borrowed). */
struct kb_class_learner {
	const char *name;
	const struct kb_progress *progress;
};

/* One learner and lesson. Strings are borrowed from the inputs. */
struct kb_class_row {
	const char *learner;
	const char *lesson;
	bool passed;
	int attempts;            /* checks run, >= 0 */
	int hints;               /* hints revealed, >= 0 */
	bool revealed;           /* the solution was shown before passing */
	long long seconds;       /* time spent, whole seconds, >= 0 */
};

/* One lesson over the class. */
struct kb_class_lesson {
	const char *lesson;      /* borrowed */
	size_t learners;         /* everyone in the report */
	size_t passed;
	size_t attempted;        /* attempts >= 1 */
	size_t still_trying;     /* attempted, not passed */
	size_t revealed;
	size_t timed;            /* learners with time >= 1 s */
	double median_attempts;  /* over the attempted; -1 when nobody attempted */
	long long median_seconds;/* over the timed, rounded; -1 when nobody has time */
	bool stuck;
};

struct kb_class_report {
	struct kb_class_row *rows;       /* learner by learner, each in the pack's lesson order */
	size_t n_rows;                   /* n_learners * n_lessons */
	struct kb_class_lesson *lessons; /* in the pack's order */
	size_t n_lessons;
	size_t n_learners;
};

/* Build the report for `learners` (in the order given) over `lessons` (the pack's lesson
 * ids, in its order). Lessons a learner's progress holds that are not in `lessons` are
 * left out (kb_class_unknown_lessons() names them). Strings are borrowed: keep the
 * inputs alive while the report is used. Always succeeds (allocation failure dies);
 * free with kb_class_report_free(). */
void kb_class_report_build(struct kb_class_report *r, const struct kb_class_learner *learners, size_t n_learners,
			   char *const *lessons, size_t n_lessons);
void kb_class_report_free(struct kb_class_report *r);

/* The ids in p that are not among `lessons`, appended to out (copies), in p's order. */
void kb_class_unknown_lessons(const struct kb_progress *p, char *const *lessons, size_t n_lessons,
			      struct kb_strv *out);


/* Seconds as people read them: "45s", "12m 05s", "1h 02m 05s" (0: "0s"). Writes at most
 * cap bytes into buf (NUL included) and returns buf. */
char *kb_class_duration(char *buf, size_t cap, long long seconds);

/* Append one CSV field to out (struct kb_buf *): as is, or in double quotes with inner
 * quotes doubled when it holds a comma, a quote, CR or LF (RFC 4180). */
struct kb_buf;
void kb_csv_field(struct kb_buf *out, const char *s);

/* The table as CSV (RFC 4180: CRLF line ends, a header line), one line per row:
 *   learner,lesson,passed,attempts,hints,solution_revealed,seconds
 * with yes/no for the booleans. Caller frees. */
char *kb_class_csv(const struct kb_class_report *r);

/* The summary as CSV, one line per lesson in the pack's order:
 *   lesson,passed,learners,attempted,median_attempts,median_seconds,revealed,still_trying,stuck
 * An undefined median is an empty field; stuck is yes/no. Caller frees. */
char *kb_class_summary_csv(const struct kb_class_report *r);

/* The report as Markdown: a "# title" line (when title is not NULL), a line counting
 * learners and lessons, the table as a pipe table (time in seconds and as "12m 05s")
 * when `table`, then "## Per lesson" with the summary table and a paragraph saying how
 * the medians and the stuck mark are defined. `|` and `\` in cells are escaped, line
 * breaks become spaces. Caller frees. */
char *kb_class_markdown(const struct kb_class_report *r, const char *title, bool table);

/* Names for the learners from their workspace paths: each path's last component;
 * where several paths end the same way, as many trailing components as tell them apart
 * ("alice/kbridge-workspace" and "bob/kbridge-workspace"). Trailing slashes are ignored.
 * Paths that are the same give the same name. Returns a list of n names (copies) in out. */
void kb_class_names(struct kb_strv *out, char *const *paths, size_t n);

/* Where the summary of a CSV report written to `path` goes: "class.csv" ->
 * "class-summary.csv", any other name gets "-summary.csv" appended. Caller frees. */
char *kb_class_summary_path(const char *path);

#endif

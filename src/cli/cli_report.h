/* cli_report.h - check results as text, TAP 13, JUnit XML, JSON and a GitHub Classroom
 * result (cli_report.c); shared by `kbridge check` and `kbridge pack validate`. */
#ifndef KB_CLI_REPORT_H
#define KB_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct kb_check_result;
struct kb_pack;

enum cli_format { CLI_TEXT, CLI_TAP, CLI_JUNIT, CLI_JSON, CLI_CLASSROOM };

struct cli_results {
	struct kb_check_result *v;
	size_t n;
};

/* "text" / "tap" / "junit" / "json" / "classroom". Returns 0 or KB_EINVAL. */
int cli_parse_format(const char *s, enum cli_format *out);

/* One result as text, for the learner: the verdict line, then each expectation (met or
 * not), and for the unmet ones what was seen, where to look and the hint. */
void cli_print_text_result(FILE *out, const struct kb_check_result *r);

/* The whole report. Text: only the closing summary (results are printed as they come).
 * TAP version 13 with YAML diagnostics; JUnit XML (testsuites > testsuite per lesson >
 * testcase per task, failure/error with escaped text); JSON (docs/lesson-api.md);
 * classroom: the result GitHub Classroom's autograding reporter reads (version 1: status,
 * max_score, and per task its name, status, score and message), each task worth the
 * points its lesson.lua gives it (1 unless given), a task that did not pass worth 0. */
void cli_print_report(FILE *out, enum cli_format fmt, const struct kb_pack *pack, const char *workspace,
		      const struct cli_results *res);

bool cli_results_all_passed(const struct cli_results *res);
void cli_results_free(struct cli_results *res);

/* The most of one field (an error, an output, a seen...) any report writes: results are
 * capped smaller when recorded (result.h, sandbox.h); this bounds a report whatever it is
 * given. */
#define CLI_FIELD_CAP (128 * 1024)

/* Text made safe for XML 1.0 and JSON: cut at CLI_FIELD_CAP (kb_str_cut), then invalid
 * UTF-8 bytes and control characters other than tab, newline and carriage return become
 * '?'. Caller frees. */
char *cli_clean_text(const char *s);

/* What goes between a label ("hint:") and its text: a space, or nothing after a
 * fullwidth colon ("提示："), which has its room in it. */
const char *cli_after_label(const char *label);

/* The workspace folder a --workspace argument names (a workspace, or the linux/ tree
 * inside one), or with NULL the default one when it exists; NULL when it is a plain
 * folder or there is none. Caller frees. */
char *cli_workspace_root(const char *given);

#endif

/* cli_class_report.c - `kbridge report WORKSPACE...`: a class's progress for the instructor,
 * read from the learners' workspaces, as CSV or Markdown (the rules: class_report.h). */
#define _GNU_SOURCE
#include "store/class_report.h"
#include "cli/cli.h"
#include "engine/course.h"
#include "engine/lesson.h"
#include "store/progress.h"
#include "base/util.h"
#include "store/workspace.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char report_help[] =
	"usage: kbridge report [--pack PACK] [--format csv|markdown] [--summary-only]\n"
	"                      [-o FILE] [--names LIST] WORKSPACE...\n"
	"\n"
	"For instructors: a class's progress, read from the learners' workspaces (each a\n"
	"folder holding progress.json, as kbridge makes it; its kernel tree is not read).\n"
	"One row per learner and lesson of the pack, in the pack's order: learner, lesson,\n"
	"passed, attempts (checks run), hints, solution revealed (before passing), time\n"
	"(whole seconds spent in the lesson: the shell counts the time its screens are open,\n"
	"the commands the gaps between a learner's commands on the lesson, each up to 15\n"
	"minutes). Then one line per lesson:\n"
	"  passed           learners who passed, of all learners reported\n"
	"  attempted        learners who ran at least one check\n"
	"  median attempts  over the learners who attempted\n"
	"  median time      over the learners with time recorded (1 s or more)\n"
	"  revealed         learners who saw the solution before passing\n"
	"  still trying     attempted and not passed\n"
	"  stuck            the lesson(s) with the most learners still trying; ties go to\n"
	"                   the higher median attempts, lessons still tied are all marked;\n"
	"                   none when nobody is still trying\n"
	"A median is the middle value; with an even count, the mean of the two middle ones.\n"
	"Workspaces are only read: learners may go on working meanwhile.\n"
	"\n"
	"Options:\n"
	"  --pack PACK       the lesson pack: a folder, or a git repository (URL or path,\n"
	"                    #REF to pin it); default: $KBRIDGE_PACK, else lessons/core\n"
	"  --format F        csv (default; RFC 4180, CRLF line ends) or markdown\n"
	"  --summary-only    only the per-lesson summary\n"
	"  -o, --output FILE\n"
	"                    write to FILE (replaced atomically) instead of standard output.\n"
	"                    CSV: the summary goes to a second file beside it, FILE with .csv\n"
	"                    replaced by -summary.csv (class.csv: class-summary.csv), else\n"
	"                    FILE-summary.csv; with --summary-only, FILE holds the summary.\n"
	"                    On standard output CSV is the table alone, or the summary alone\n"
	"                    with --summary-only. Markdown holds both, in one document.\n"
	"  --names LIST      the learners' names, comma-separated, one per WORKSPACE in order\n"
	"                    (default: each workspace folder's name, with its parent folders\n"
	"                    added where two would read the same: alice/kbridge-workspace)\n"
	"  -h, --help        this text\n"
	"\n"
	"A workspace that is missing, unreadable or holds a damaged progress.json is named on\n"
	"standard error with the reason, and the others are reported. A workspace with no\n"
	"progress.json yet is reported with nothing done. Lessons a progress.json holds that\n"
	"the pack does not have are left out, with a note on standard error.\n"
	"\n"
	"Exit status: 0 when every workspace was reported; 1 when the report was made without\n"
	"one or more of them; 2 for bad arguments, a pack that does not load or a report that\n"
	"could not be written.\n";

/* one WORKSPACE argument */
struct learner {
	const char *given;        /* as on the command line */
	char *real;               /* realpath, for names and duplicates */
	struct kb_progress progress;
	bool ok;
};

/* Load one workspace's progress; 0, or a negative code with kb_error_last() saying why. */
static int load_workspace(struct learner *w)
{
	struct stat st;
	if (stat(w->given, &st) < 0)
		return kb_error_set(errno == ENOENT ? KB_ENOTFOUND : KB_EIO, "%s",
				    errno == ENOENT ? "no such folder" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return kb_error_set(KB_EINVAL, "not a folder (give the workspace folder that holds progress.json)");
	char *path = kb_path_join(w->given, "progress.json");
	int rc = 0;
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			rc = kb_error_set(KB_EIO, "cannot read %s: %s", path, strerror(errno));
		else if (!kb_ws_is_workspace(w->given))
			rc = kb_error_set(KB_ENOTFOUND, "not a kbridge workspace (no progress.json, no .kbridge mark)");
		/* else: a workspace where nothing was recorded yet */
	} else {
		rc = kb_progress_load(&w->progress, path);
	}
	free(path);
	if (rc == 0) {
		w->real = realpath(w->given, NULL);
		if (!w->real)
			w->real = kb_strdup(w->given);
	}
	return rc;
}

static int write_out(const char *path, const char *text)
{
	if (path)
		return kb_write_file_atomic(path, text, strlen(text), 0644);
	fputs(text, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		return kb_error_set(KB_EIO, "cannot write to standard output: %s", strerror(errno));
	return 0;
}

/* Split a comma-separated list into out. */
static void split_names(struct kb_strv *out, const char *list)
{
	const char *s = list;
	for (;;) {
		const char *comma = strchr(s, ',');
		kb_strv_push_own(out, comma ? kb_strndup(s, (size_t)(comma - s)) : kb_strdup(s));
		if (!comma)
			break;
		s = comma + 1;
	}
}

int cli_class_report(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(report_help);
		return 0;
	}
	static const struct option longopts[] = {
		{"pack", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"summary-only", no_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"names", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *pack_dir = NULL, *format = "csv", *out_path = NULL, *names_arg = NULL;
	bool summary_only = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': pack_dir = optarg; break;
		case 'f': format = optarg; break;
		case 's': summary_only = true; break;
		case 'o': out_path = optarg; break;
		case 'n': names_arg = optarg; break;
		default:
			fprintf(stderr, "see: kbridge report --help\n");
			return 2;
		}
	}
	bool markdown = strcmp(format, "markdown") == 0;
	if (!markdown && strcmp(format, "csv") != 0) {
		fprintf(stderr, "kbridge report: unknown format '%s' (csv or markdown)\n", format);
		return 2;
	}
	size_t n = (size_t)(argc - optind);
	if (n == 0) {
		fprintf(stderr, "kbridge report: which workspaces? (kbridge report WORKSPACE...; see --help)\n");
		return 2;
	}
	struct kb_strv given_names = KB_STRV_INIT;
	if (names_arg) {
		split_names(&given_names, names_arg);
		if (given_names.n != n) {
			fprintf(stderr, "kbridge report: --names gives %zu name%s for %zu workspace%s\n", given_names.n,
				given_names.n == 1 ? "" : "s", n, n == 1 ? "" : "s");
			kb_strv_free(&given_names);
			return 2;
		}
	}

	int status = 2;
	char *pack_own = pack_dir ? NULL : kb_course_default_pack();
	struct kb_pack pack;
	memset(&pack, 0, sizeof pack);
	struct learner *ws = kb_calloc(n, sizeof *ws);
	struct kb_strv lesson_ids = KB_STRV_INIT, names = KB_STRV_INIT;
	struct kb_class_learner *in = kb_calloc(n, sizeof *in);
	struct kb_class_report report;
	memset(&report, 0, sizeof report);
	char *table = NULL, *summary = NULL, *summary_path = NULL;
	if (!pack_dir)
		pack_dir = pack_own;
	if (!pack_dir) {
		fprintf(stderr, "kbridge report: no lesson pack found (give one with --pack DIR)\n");
		goto cleanup;
	}
	if (kb_pack_open(&pack, NULL, pack_dir) < 0) {
		fprintf(stderr, "kbridge report: the pack %s does not load: %s\n", pack_dir, kb_error_last());
		goto cleanup;
	}
	for (size_t i = 0; i < pack.n_lessons; i++)
		kb_strv_push(&lesson_ids, pack.lessons[i].id);

	/* read every workspace; a bad one is named and left out */
	size_t skipped = 0, n_in = 0;
	struct kb_strv reals = KB_STRV_INIT;
	for (size_t i = 0; i < n; i++) {
		struct learner *w = &ws[i];
		w->given = argv[optind + i];
		if (load_workspace(w) < 0) {
			fprintf(stderr, "kbridge report: skipped %s: %s\n", w->given, kb_error_last());
			kb_progress_free(&w->progress);
			skipped++;
			continue;
		}
		bool twice = false;
		for (size_t j = 0; j < i && !twice; j++)
			twice = ws[j].ok && strcmp(ws[j].real, w->real) == 0;
		if (twice) {
			fprintf(stderr, "kbridge report: note: %s is given twice; it is reported once\n", w->given);
			continue;
		}
		w->ok = true;
		if (w->progress.pack && pack.name && strcmp(w->progress.pack, pack.name) != 0)
			fprintf(stderr, "kbridge report: note: %s holds progress in the pack '%s'; this report is "
					"for the pack '%s'\n", w->given, w->progress.pack, pack.name);
		struct kb_strv unknown = KB_STRV_INIT;
		kb_class_unknown_lessons(&w->progress, lesson_ids.v, lesson_ids.n, &unknown);
		if (unknown.n) {
			fprintf(stderr, "kbridge report: note: %s: lesson%s not in the pack '%s', left out:",
				w->given, unknown.n == 1 ? "" : "s", pack.name ? pack.name : pack_dir);
			for (size_t u = 0; u < unknown.n; u++)
				fprintf(stderr, "%s %s", u ? "," : "", unknown.v[u]);
			fputc('\n', stderr);
		}
		kb_strv_free(&unknown);
		kb_strv_push(&reals, w->real);
		in[n_in++].progress = &w->progress;
	}
	kb_class_names(&names, reals.v, reals.n);
	kb_strv_free(&reals);
	for (size_t i = 0, k = 0; i < n; i++) {
		if (!ws[i].ok)
			continue;
		in[k].name = names_arg ? given_names.v[i] : names.v[k];
		k++;
	}

	kb_class_report_build(&report, in, n_in, lesson_ids.v, lesson_ids.n);
	int rc = 0;
	if (markdown) {
		char *title = kb_asprintf("Class report: %s", pack.title ? pack.title : pack.name ? pack.name : pack_dir);
		table = kb_class_markdown(&report, title, !summary_only);
		free(title);
		rc = write_out(out_path, table);
	} else if (summary_only) {
		summary = kb_class_summary_csv(&report);
		rc = write_out(out_path, summary);
	} else {
		table = kb_class_csv(&report);
		rc = write_out(out_path, table);
		if (!rc && out_path) {
			summary = kb_class_summary_csv(&report);
			summary_path = kb_class_summary_path(out_path);
			rc = write_out(summary_path, summary);
		}
	}
	if (rc < 0) {
		fprintf(stderr, "kbridge report: %s\n", kb_error_last());
		goto cleanup;
	}
	if (out_path)
		fprintf(stderr, "kbridge report: %zu learner%s, %zu lesson%s: wrote %s%s%s\n", report.n_learners,
			report.n_learners == 1 ? "" : "s", report.n_lessons, report.n_lessons == 1 ? "" : "s",
			out_path, summary_path ? " and " : "", summary_path ? summary_path : "");
	status = skipped ? 1 : 0;

cleanup:
	kb_class_report_free(&report);
	free(table);
	free(summary);
	free(summary_path);
	for (size_t i = 0; i < n; i++) {
		kb_progress_free(&ws[i].progress);
		free(ws[i].real);
	}
	free(ws);
	free(in);
	kb_strv_free(&names);
	kb_strv_free(&given_names);
	kb_strv_free(&lesson_ids);
	kb_pack_free(&pack);
	free(pack_own);
	return status;
}

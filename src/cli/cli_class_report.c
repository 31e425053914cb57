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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const report_help = N_(
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
	"could not be written.\n");

/* "kbridge report: " and a message on stderr */
#define say_err(...) cli_err("report", __VA_ARGS__)

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
				    errno == ENOENT ? _("no such folder") : strerror(errno));
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

/* What `kbridge report` was given. */
struct report_args {
	const char *pack_dir, *format, *out_path, *names_arg;
	bool summary_only, markdown;
	char **workspaces;       /* argv's, not owned */
	size_t n;
	struct kb_strv given_names;   /* --names, one per workspace */
};

/* Returns 0, or 2 (bad arguments; said on stderr). */
static int parse_args(struct report_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pack", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"summary-only", no_argument, NULL, 's'},
		{"output", required_argument, NULL, 'o'},
		{"names", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof *a);
	a->format = "csv";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a->pack_dir = optarg; break;
		case 'f': a->format = optarg; break;
		case 's': a->summary_only = true; break;
		case 'o': a->out_path = optarg; break;
		case 'n': a->names_arg = optarg; break;
		default:
			fprintf(stderr, "%s\n", _("see: kbridge report --help"));
			return 2;
		}
	}
	a->markdown = strcmp(a->format, "markdown") == 0;
	if (!a->markdown && strcmp(a->format, "csv") != 0) {
		say_err(_("unknown format '%s' (csv or markdown)"), a->format);
		return 2;
	}
	a->workspaces = argv + optind;
	a->n = (size_t)(argc - optind);
	if (a->n == 0) {
		say_err("%s", _("which workspaces? (kbridge report WORKSPACE...; see --help)"));
		return 2;
	}
	if (a->names_arg) {
		split_names(&a->given_names, a->names_arg);
		if (a->given_names.n != a->n) {
			/* TRANSLATORS: %2$s is "1 workspace" or "N workspaces" */
			char *wss = kb_asprintf(kb_ngettext("%zu workspace", "%zu workspaces", a->n), a->n);
			say_err(kb_ngettext("--names gives %zu name for %s", "--names gives %zu names for %s",
					    a->given_names.n), a->given_names.n, wss);
			free(wss);
			return 2;
		}
	}
	return 0;
}

/* The notes a workspace's progress deserves against this pack (stderr). */
static void note_foreign_progress(const struct learner *w, const struct kb_pack *pack, const char *pack_dir,
				  const struct kb_strv *lesson_ids)
{
	if (w->progress.pack && pack->name && strcmp(w->progress.pack, pack->name) != 0)
		say_err(_("note: %s holds progress in the pack '%s'; this report is for the pack '%s'"), w->given,
			w->progress.pack, pack->name);
	struct kb_strv unknown = KB_STRV_INIT;
	kb_class_unknown_lessons(&w->progress, lesson_ids->v, lesson_ids->n, &unknown);
	if (unknown.n) {
		fputs("kbridge report: ", stderr);
		fprintf(stderr, kb_ngettext("note: %s: lesson not in the pack '%s', left out:",
					    "note: %s: lessons not in the pack '%s', left out:", unknown.n),
			w->given, pack->name ? pack->name : pack_dir);
		for (size_t u = 0; u < unknown.n; u++)
			fprintf(stderr, "%s %s", u ? "," : "", unknown.v[u]);
		fputc('\n', stderr);
	}
	kb_strv_free(&unknown);
}

/* Read every workspace into ws[0..n) and in[0..*n_in) (a bad one is named on stderr and
 * left out; one given twice is read once), naming each learner from --names or from its
 * folder (names holds those names). Returns how many were skipped. */
static size_t read_learners(struct learner *ws, struct kb_class_learner *in, size_t *n_in, struct kb_strv *names,
			    const struct report_args *a, const struct kb_pack *pack, const char *pack_dir,
			    const struct kb_strv *lesson_ids)
{
	size_t skipped = 0;
	struct kb_strv reals = KB_STRV_INIT;
	*n_in = 0;
	for (size_t i = 0; i < a->n; i++) {
		struct learner *w = &ws[i];
		w->given = a->workspaces[i];
		if (load_workspace(w) < 0) {
			say_err(_("skipped %s: %s"), w->given, kb_error_last());
			kb_progress_free(&w->progress);
			skipped++;
			continue;
		}
		bool twice = false;
		for (size_t j = 0; j < i && !twice; j++)
			twice = ws[j].ok && strcmp(ws[j].real, w->real) == 0;
		if (twice) {
			say_err(_("note: %s is given twice; it is reported once"), w->given);
			continue;
		}
		w->ok = true;
		note_foreign_progress(w, pack, pack_dir, lesson_ids);
		kb_strv_push(&reals, w->real);
		in[(*n_in)++].progress = &w->progress;
	}
	kb_class_names(names, reals.v, reals.n);
	kb_strv_free(&reals);
	for (size_t i = 0, k = 0; i < a->n; i++) {
		if (!ws[i].ok)
			continue;
		in[k].name = a->names_arg ? a->given_names.v[i] : names->v[k];
		k++;
	}
	return skipped;
}

/* Write the report in the format asked for: Markdown, the summary alone, or the CSV table
 * (with the summary beside it when written to a file). Returns 0 or a negative KB_E*. */
static int write_report(const struct kb_class_report *report, const struct report_args *a, const char *title_name)
{
	char *table = NULL, *summary = NULL, *summary_path = NULL;
	int rc;
	if (a->markdown) {
		char *title = kb_asprintf(_("Class report: %s"), title_name);
		table = kb_class_markdown(report, title, !a->summary_only);
		free(title);
		rc = write_out(a->out_path, table);
	} else if (a->summary_only) {
		summary = kb_class_summary_csv(report);
		rc = write_out(a->out_path, summary);
	} else {
		table = kb_class_csv(report);
		rc = write_out(a->out_path, table);
		if (!rc && a->out_path) {
			summary = kb_class_summary_csv(report);
			summary_path = kb_class_summary_path(a->out_path);
			rc = write_out(summary_path, summary);
		}
	}
	if (!rc && a->out_path) {
		char *learners = kb_asprintf(kb_ngettext("%zu learner", "%zu learners", report->n_learners),
					     report->n_learners);
		char *lessons = kb_asprintf(kb_ngettext("%zu lesson", "%zu lessons", report->n_lessons), report->n_lessons);
		if (summary_path)
			say_err(_("%s, %s: wrote %s and %s"), learners, lessons, a->out_path, summary_path);
		else
			say_err(_("%s, %s: wrote %s"), learners, lessons, a->out_path);
		free(learners);
		free(lessons);
	}
	free(table);
	free(summary);
	free(summary_path);
	return rc;
}

int cli_class_report(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(_(report_help));
		return 0;
	}
	struct report_args a;
	int status = parse_args(&a, argc, argv);
	if (status) {
		kb_strv_free(&a.given_names);
		return status;
	}
	status = 2;
	const char *pack_dir = a.pack_dir;
	char *pack_own = pack_dir ? NULL : kb_course_default_pack();
	struct kb_pack pack;
	memset(&pack, 0, sizeof pack);
	struct learner *ws = kb_calloc(a.n, sizeof *ws);
	struct kb_strv lesson_ids = KB_STRV_INIT, names = KB_STRV_INIT;
	struct kb_class_learner *in = kb_calloc(a.n, sizeof *in);
	struct kb_class_report report;
	memset(&report, 0, sizeof report);
	if (!pack_dir)
		pack_dir = pack_own;
	if (!pack_dir) {
		say_err("%s", _("no lesson pack found (give one with --pack DIR)"));
		goto cleanup;
	}
	if (kb_pack_open(&pack, NULL, pack_dir) < 0) {
		say_err(_("the pack %s does not load: %s"), pack_dir, kb_error_last());
		goto cleanup;
	}
	for (size_t i = 0; i < pack.n_lessons; i++)
		kb_strv_push(&lesson_ids, pack.lessons[i].id);

	size_t n_in;
	size_t skipped = read_learners(ws, in, &n_in, &names, &a, &pack, pack_dir, &lesson_ids);
	kb_class_report_build(&report, in, n_in, lesson_ids.v, lesson_ids.n);
	if (write_report(&report, &a, pack.title ? pack.title : pack.name ? pack.name : pack_dir) < 0) {
		say_err("%s", kb_error_last());
		goto cleanup;
	}
	status = skipped ? 1 : 0;

cleanup:
	kb_class_report_free(&report);
	for (size_t i = 0; i < a.n; i++) {
		kb_progress_free(&ws[i].progress);
		free(ws[i].real);
	}
	free(ws);
	free(in);
	kb_strv_free(&names);
	kb_strv_free(&a.given_names);
	kb_strv_free(&lesson_ids);
	kb_pack_free(&pack);
	free(pack_own);
	return status;
}

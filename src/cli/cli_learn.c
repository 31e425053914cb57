/* cli_learn.c - the learner's commands outside the shell: list, start, hint, diff, reset,
 * solution. They share one option set (--pack, --workspace) and the rules of course.c. */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "engine/course.h"
#include "base/meter.h"
#include "base/util.h"
#include "store/workspace.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char common_opts[] =
	"  --pack PACK       the lesson pack: a folder, or a git repository (path or URL, with\n"
	"                    #TAG, #BRANCH or #COMMIT to pin it; see kbridge pack --help)\n"
	"                    (default: $KBRIDGE_PACK, else kbridge's lessons/core)\n"
	"  --workspace DIR   your workspace (default: $KBRIDGE_WORKSPACE, else ~/kbridge-workspace);\n"
	"                    the kernel tree you edit is DIR/linux\n"
	"  -h, --help        this text\n";

struct learn_cmd {
	const char *name;
	const char *usage;     /* after "kbridge NAME " */
	const char *about;
	bool needs_id;
	bool create_ws;        /* clone the workspace when missing */
	int (*run)(struct kb_course *c, struct kb_lesson *l, bool flag);
	const char *flag;      /* a boolean option of the command ("reveal"), or NULL */
};

/* The options the command was given (" --pack P --workspace W", quoted for sh; "" for
 * none), for the next command it tells the learner to type. */
static char *given_opts;

/* s as one word for sh: unchanged when it is plain, else in single quotes */
static void shell_word(struct kb_buf *b, const char *s)
{
	bool plain = *s && *s != '#' && *s != '~';
	for (const char *p = s; *p && plain; p++)
		plain = strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:#@%+=,-", *p) != NULL;
	if (plain) {
		kb_buf_adds(b, s);
		return;
	}
	kb_buf_adds(b, "'");
	for (const char *p = s; *p; p++)
		kb_buf_adds(b, *p == '\'' ? "'\\''" : (char[]){*p, 0});
	kb_buf_adds(b, "'");
}

static bool use_color(FILE *f)
{
	return isatty(fileno(f)) && !getenv("NO_COLOR");
}

/* ---- list ---------------------------------------------------------------------------- */

static int run_list(struct kb_course *c, struct kb_lesson *unused, bool flag)
{
	printf("%s %s (for Linux %s) - %zu lessons; workspace %s%s\n", c->pack.title ? c->pack.title : c->pack.name,
	       c->pack.version ? c->pack.version : "", c->pack.kernel ? c->pack.kernel : "?", c->pack.n_lessons,
	       c->ws_root, c->ws ? "" : " (not created yet)");
	if (c->pack_origin)
		printf("from %s\n", c->pack_origin);
	printf("  %-4s %-22s %-12s %8s %5s %6s  %s\n", "year", "lesson", "state", "attempts", "hints", "time", "title");
	size_t passed = 0;
	for (size_t i = 0; i < c->pack.n_lessons; i++) {
		const struct kb_lesson *l = &c->pack.lessons[i];
		const struct kb_lesson_progress *p = kb_progress_find(&c->progress, l->id);
		const char *state = l->error ? "broken" : p && p->passed ? "passed" :
				    p && (p->started_at || p->attempts) ? "in progress" : "new";
		passed += p && p->passed;
		char year[8] = "";
		if (l->history.year)
			snprintf(year, sizeof year, "%d", l->history.year);
		char time_s[16] = "";
		if (p && p->seconds >= 1)
			snprintf(time_s, sizeof time_s, "%.0fm", p->seconds / 60);
		printf("  %-4s %-22s %-12s %8d %5d %6s  %s%s\n", year, l->id, state, p ? p->attempts : 0,
		       p ? p->hints : 0, time_s, l->title ? l->title : "", p && p->solution_revealed ? " (solution seen)" : "");
		if (l->error)
			printf("       %s\n", l->error);
	}
	printf("%zu of %zu passed\n", passed, c->pack.n_lessons);
	return 0;
}

/* ---- start ---------------------------------------------------------------------------- */

static int run_start(struct kb_course *c, struct kb_lesson *l, bool flag)
{
	int rc = kb_course_start(c, l);
	if (rc < 0)
		return rc;
	printf(rc == 1 ? "Lesson %s was already started: your files are as you left them.\n" :
			 "Lesson %s started: its files are in your kernel tree, committed as \"start %s\".\n",
	       l->id, l->id);
	printf("Your kernel tree: %s\n", kb_ws_tree(c->ws));
	/* the text comes first: where to read it outside the shell */
	size_t quizzes = 0;
	for (size_t s = 0; s < l->n_steps; s++) {
		if (l->steps[s].kind == KB_PAGE)
			printf("Read: %s%s%s\n", l->steps[s].page.path, l->steps[s].page.title ? "  - " : "",
			       l->steps[s].page.title ? l->steps[s].page.title : "");
		quizzes += l->steps[s].kind == KB_QUIZ;
	}
	if (quizzes)
		printf("The lesson has %zu quiz%s: answer %s in the shell (run kbridge with no arguments).\n",
		       quizzes, quizzes == 1 ? "" : "zes", quizzes == 1 ? "it" : "them");
	for (size_t s = 0; s < l->n_steps; s++) {
		if (l->steps[s].kind != KB_TASK)
			continue;
		const struct kb_task *t = &l->steps[s].task;
		printf("\nTask %s: %s\n", t->id, t->goal);
		/* a file whose starter and solution differ is the learner's to change; the
		   others are there to read (the C half, the header, the Kbuild file) */
		for (int pass = 0; pass < 2; pass++)
			for (size_t f = 0; f < t->n_files; f++) {
				bool edit = kb_task_file_is_edited(l, &t->files[f]);
				if (edit == (pass == 0))
					printf("  %s %s/%s\n", edit ? "edit:" : "read:", kb_ws_tree(c->ws), t->files[f].path);
			}
	}
	printf("\nThen: kbridge check %s%s   (hints: kbridge hint %s%s)\n", l->id, given_opts, l->id, given_opts);
	return 0;
}

/* ---- hint ----------------------------------------------------------------------------- */

static int run_hint(struct kb_course *c, struct kb_lesson *l, bool flag)
{
	struct kb_lesson_progress *p = kb_progress_lesson(&c->progress, l->id);
	int total = 0;
	for (size_t s = 0; s < l->n_steps; s++)
		if (l->steps[s].kind == KB_TASK)
			total += (int)l->steps[s].task.n_hints;
	if (total == 0) {
		printf("Lesson %s has no hints.\n", l->id);
		return 0;
	}
	if (p->hints < total)
		p->hints++;
	kb_progress_active(p, (long long)time(NULL), true);
	int shown = 0;
	for (size_t s = 0; s < l->n_steps && shown < p->hints; s++) {
		if (l->steps[s].kind != KB_TASK)
			continue;
		const struct kb_task *t = &l->steps[s].task;
		for (size_t h = 0; h < t->n_hints && shown < p->hints; h++, shown++)
			printf("Hint %d of %d (task %s): %s\n", shown + 1, total, t->id, t->hints[h]);
	}
	if (p->hints == total)
		printf("That was the last hint.\n");
	return kb_course_save(c);
}

/* ---- diff, reset, solution ------------------------------------------------------------ */

static int need_started(struct kb_course *c, struct kb_lesson *l)
{
	if (!c->ws || !kb_ws_lesson_started(c->ws, l->id))
		return kb_error_set(KB_ENOTFOUND, "lesson %s is not started yet (kbridge start %s)", l->id, l->id);
	return 0;
}

static int run_diff(struct kb_course *c, struct kb_lesson *l, bool flag)
{
	int rc = need_started(c, l);
	if (rc)
		return rc;
	struct kb_strv paths = KB_STRV_INIT;
	kb_lesson_paths(l, &paths);
	char *out = NULL;
	rc = kb_ws_diff(c->ws, l->id, paths.v, paths.n, use_color(stdout), &out);
	if (!rc) {
		if (*out)
			fputs(out, stdout);
		else
			printf("No changes to lesson %s's files since its start.\n", l->id);
	}
	free(out);
	kb_strv_free(&paths);
	return rc;
}

static int run_reset(struct kb_course *c, struct kb_lesson *l, bool flag)
{
	int rc = need_started(c, l);
	if (rc)
		return rc;
	struct kb_strv paths = KB_STRV_INIT;
	kb_lesson_paths(l, &paths);
	char *saved = NULL;
	rc = kb_ws_reset_lesson(c->ws, l->id, paths.v, paths.n, &saved);
	if (!rc) {
		printf("Lesson %s's files are back to their start:\n", l->id);
		for (size_t i = 0; i < paths.n; i++)
			printf("  %s\n", paths.v[i]);
		printf("Your version was kept first, as commit %.12s on refs/kbridge/saved/%s.\n"
		       "See it with: git -C %s show refs/kbridge/saved/%s\n", saved, l->id, kb_ws_tree(c->ws), l->id);
	}
	free(saved);
	kb_strv_free(&paths);
	return rc;
}

static int run_solution(struct kb_course *c, struct kb_lesson *l, bool reveal)
{
	int rc = need_started(c, l);
	if (rc)
		return rc;
	struct kb_lesson_progress *p = kb_progress_lesson(&c->progress, l->id);
	if (!p->passed && !reveal) {
		printf("The solution of lesson %s is shown once you pass it (kbridge check %s).\n"
		       "To see it now anyway: kbridge solution %s --reveal (this is recorded in your progress).\n",
		       l->id, l->id, l->id);
		return 1;
	}
	if (!p->passed && reveal && !p->solution_revealed) {
		p->solution_revealed = true;
		if ((rc = kb_course_save(c)))
			return rc;
	}
	struct kb_ws_file *files = NULL;
	size_t n = 0;
	if ((rc = kb_course_solution_files(l, &files, &n)))
		return rc;
	char *out = NULL;
	rc = kb_ws_diff_to(c->ws, files, n, use_color(stdout), &out);
	if (!rc) {
		printf("The reference solution of lesson %s, as changes to your version (- yours, + the solution):\n", l->id);
		fputs(*out ? out : "(your files are the same as the solution)\n", stdout);
	}
	free(out);
	kb_course_files_free(files, n);
	return rc;
}

/* ---- the shared front --------------------------------------------------------------- */

static void clone_progress(void *ctx, double fraction, const char *what)
{
	kb_meter_update(ctx, fraction, what);
}

static const struct learn_cmd learn_cmds[] = {
	{"list", "", "Show the pack's lessons by year with your progress: state, attempts, hints, time.",
	 false, false, run_list, NULL},
	{"start", "ID", "Start lesson ID: its starter files are written into your kernel tree (created on first\n"
			"use, a git clone of the bundled tree) and committed as \"start ID\".",
	 true, true, run_start, NULL},
	{"hint", "ID", "Reveal the next hint of lesson ID (with the ones already shown). Recorded in your progress.",
	 true, false, run_hint, NULL},
	{"diff", "ID", "Your changes to lesson ID's files since its start, as a unified diff (colored on a\n"
		       "terminal unless NO_COLOR is set).",
	 true, false, run_diff, NULL},
	{"reset", "ID", "Put lesson ID's files back to their start. Only those files are touched, and your\n"
			"version is kept first as a commit on refs/kbridge/saved/ID.",
	 true, false, run_reset, NULL},
	{"solution", "ID [--reveal]", "The reference solution of lesson ID as a diff against your version. Shown once\n"
				      "you have passed the lesson; --reveal shows it before, and is recorded.",
	 true, false, run_solution, "reveal"},
};

static int learn_main(const struct learn_cmd *cmd, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: kbridge %s %s [--pack PACK] [--workspace DIR]\n\n%s\n\nOptions:\n%s%s", cmd->name,
		       cmd->usage, cmd->about, common_opts,
		       cmd->flag ? "  --reveal          show the solution before passing (recorded)\n" : "");
		return 0;
	}
	const struct option longopts[] = {
		{"pack", required_argument, NULL, 'p'},
		{"workspace", required_argument, NULL, 'w'},
		{cmd->flag ? cmd->flag : "no-such-option", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	const char *pack = NULL, *ws = NULL;
	bool flag = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': pack = optarg; break;
		case 'w': ws = optarg; break;
		case 'f': flag = cmd->flag != NULL; break;
		default:
			fprintf(stderr, "see: kbridge %s --help\n", cmd->name);
			return 2;
		}
	}
	const char *id = NULL;
	if (cmd->needs_id) {
		if (optind >= argc) {
			fprintf(stderr, "kbridge %s: which lesson? (kbridge list shows their ids)\n", cmd->name);
			return 2;
		}
		id = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "kbridge %s: unexpected argument '%s'\n", cmd->name, argv[optind]);
		return 2;
	}
	struct kb_buf again = KB_BUF_INIT;
	if (pack) {
		kb_buf_adds(&again, " --pack ");
		shell_word(&again, pack);
	}
	if (ws) {
		kb_buf_adds(&again, " --workspace ");
		shell_word(&again, ws);
	}
	given_opts = kb_buf_detach(&again);
	struct kb_meter meter;
	kb_meter_init(&meter, stderr);
	kb_meter_start(&meter, "workspace");
	struct kb_course c;
	struct kb_course_opts o = {.pack_dir = pack, .ws_root = ws, .create_workspace = cmd->create_ws,
				   .progress = clone_progress, .ctx = &meter};
	int rc = kb_course_open(&c, &o);
	kb_meter_end(&meter);
	struct kb_lesson *l = NULL;
	if (!rc && id)
		rc = kb_course_lesson(&c, id, &l);
	int status = 1;
	if (!rc) {
		rc = cmd->run(&c, l, flag);
		status = rc < 0 ? 1 : rc;
	}
	if (rc < 0)
		fprintf(stderr, "kbridge %s: %s\n", cmd->name, kb_error_last());
	kb_course_close(&c);
	free(given_opts);
	given_opts = NULL;
	return status;
}

#define LEARN_ENTRY(fn, index) \
	int fn(int argc, char **argv) { return learn_main(&learn_cmds[index], argc, argv); }
LEARN_ENTRY(cli_list, 0)
LEARN_ENTRY(cli_start, 1)
LEARN_ENTRY(cli_hint, 2)
LEARN_ENTRY(cli_diff, 3)
LEARN_ENTRY(cli_reset, 4)
LEARN_ENTRY(cli_solution, 5)

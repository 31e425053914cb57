/* cli_learn.c - the learner's commands outside the shell: list, start, hint, diff, reset,
 * solution. They share one option set (--pack, --workspace) and the rules of course.c.
 * Each takes a lesson, or one task of it as LESSON/TASK (as kbridge check does). */
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

static const char common_opts[] = N_(
	"  --pack PACK       the lesson pack: a folder, or a git repository (path or URL, with\n"
	"                    #TAG, #BRANCH or #COMMIT to pin it; see kbridge pack --help)\n"
	"                    (default: $KBRIDGE_PACK, else kbridge's lessons/core)\n"
	"  --workspace DIR   your workspace (default: $KBRIDGE_WORKSPACE, else ~/kbridge-workspace);\n"
	"                    the kernel tree you edit is DIR/linux\n"
	"  -h, --help        this text\n");

struct learn_cmd {
	const char *name;
	const char *usage;     /* after "kbridge NAME " */
	const char *about;     /* N_(): translated where it is printed */
	bool needs_id;
	bool create_ws;        /* clone the workspace when missing */
	/* t: the task named as LESSON/TASK, or NULL for the whole lesson */
	int (*run)(struct kb_course *c, struct kb_lesson *l, const struct kb_task *t, bool flag);
	const char *flag;      /* a boolean option of the command ("reveal"), or NULL */
};

/* The options the command was given (" --pack P --workspace W", quoted for sh; "" for
 * none), for the next command it tells the learner to type. */
static char *given_opts;
/* What the learner named: "LESSON" or "LESSON/TASK", for the messages. */
static const char *target;

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

static int run_list(struct kb_course *c, struct kb_lesson *unused, const struct kb_task *unused_task, bool flag)
{
	printf(kb_ngettext("%s %s (for Linux %s) - %zu lesson; workspace %s%s\n",
			   "%s %s (for Linux %s) - %zu lessons; workspace %s%s\n", c->pack.n_lessons),
	       c->pack.title ? c->pack.title : c->pack.name, c->pack.version ? c->pack.version : "",
	       c->pack.kernel ? c->pack.kernel : "?", c->pack.n_lessons, c->ws_root, c->ws ? "" : _(" (not created yet)"));
	if (c->pack_origin)
		printf(_("from %s\n"), c->pack_origin);
	/* columns by display width: the headings and states may be Chinese */
	const int w_state = 12;
	static const struct { const char *name; int width; bool right; } heads[] = {
		{N_("year"), 4, false}, {N_("lesson"), 22, false}, {N_("state"), w_state, false},
		{N_("attempts"), 8, true}, {N_("hints"), 5, true}, {N_("time"), 6, true},
	};
	for (size_t h = 0; h < sizeof heads / sizeof *heads; h++) {
		fputs(h ? " " : "  ", stdout);
		(heads[h].right ? cli_pad_right : cli_pad)(stdout, _(heads[h].name), heads[h].width);
	}
	printf("  %s\n", _("title"));
	size_t passed = 0;
	for (size_t i = 0; i < c->pack.n_lessons; i++) {
		const struct kb_lesson *l = &c->pack.lessons[i];
		const struct kb_lesson_progress *p = kb_progress_find(&c->progress, l->id);
		/* TRANSLATORS: the states of a lesson in kbridge list (a column 12 wide) */
		const char *state = l->error ? _("broken") : p && p->passed ? _("passed") :
				    p && (p->started_at || p->attempts) ? _("in progress") : _("new");
		passed += p && p->passed;
		char year[8] = "";
		if (l->history.year)
			snprintf(year, sizeof year, "%d", l->history.year);
		char time_s[16] = "";
		if (p && p->seconds >= 1)
			snprintf(time_s, sizeof time_s, "%.0fm", p->seconds / 60);
		printf("  %-4s %-22s ", year, l->id);
		cli_pad(stdout, state, w_state);
		char *title = cli_plain(l->title ? l->title : "");
		printf(" %8d %5d %6s  %s%s\n", p ? p->attempts : 0, p ? kb_course_hints_shown(l, p) : 0, time_s, title,
		       p && p->solution_revealed ? _(" (solution seen)") : "");
		free(title);
		if (l->error)
			printf("       %s\n", l->error);
	}
	printf(_("%zu of %zu passed\n"), passed, c->pack.n_lessons);
	return 0;
}

/* ---- start ---------------------------------------------------------------------------- */

static int run_start(struct kb_course *c, struct kb_lesson *l, const struct kb_task *unused, bool flag)
{
	int rc = kb_course_start(c, l);
	if (rc < 0)
		return rc;
	if (rc == 1)
		printf(_("Lesson %s was already started: your files are as you left them.\n"), l->id);
	else
		printf(_("Lesson %s started: its files are in your kernel tree, committed as \"start %s\".\n"),
		       l->id, l->id);
	printf(_("Your kernel tree: %s\n"), kb_ws_tree(c->ws));
	/* the text comes first: where to read it outside the shell */
	size_t quizzes = 0;
	for (size_t s = 0; s < l->n_steps; s++) {
		if (l->steps[s].kind == KB_PAGE) {
			char *title = cli_plain(l->steps[s].page.title);
			printf(_("Read: %s%s%s\n"), l->steps[s].page.path, title ? "  - " : "", title ? title : "");
			free(title);
		}
		quizzes += l->steps[s].kind == KB_QUIZ;
	}
	if (quizzes)
		printf(kb_ngettext("The lesson has %zu quiz: answer it in the shell (run kbridge with no arguments).\n",
				   "The lesson has %zu quizzes: answer them in the shell (run kbridge with no arguments).\n",
				   quizzes), quizzes);
	for (size_t s = 0; s < l->n_steps; s++) {
		if (l->steps[s].kind != KB_TASK)
			continue;
		const struct kb_task *t = &l->steps[s].task;
		char *goal = cli_plain(t->goal ? t->goal : "");
		printf(_("\nTask %s: %s\n"), t->id, goal);
		free(goal);
		/* a file whose starter and solution differ is the learner's to change; the
		   others are there to read (the C half, the header, the Kbuild file) */
		for (int pass = 0; pass < 2; pass++)
			for (size_t f = 0; f < t->n_files; f++) {
				bool edit = kb_task_file_is_edited(l, &t->files[f]);
				if (edit == (pass == 0))
					printf(edit ? _("  edit: %s/%s\n") : _("  read: %s/%s\n"), kb_ws_tree(c->ws),
					       t->files[f].path);
			}
	}
	printf(_("\nThen: kbridge check %s%s   (hints: kbridge hint %s%s)\n"), l->id, given_opts, l->id, given_opts);
	return 0;
}

/* ---- hint ----------------------------------------------------------------------------- */

/* The task `kbridge hint LESSON` gives a hint for: the first task not passed yet that
 * has a hint left (a passed task's hints are not what the learner is stuck on), else
 * the last such task (all its hints shown again); when every task has passed, the
 * first task with a hint left, in order. NULL when no task has a hint. */
static const struct kb_task *hint_task(const struct kb_lesson *l, const struct kb_lesson_progress *p)
{
	for (int passed_too = 0; passed_too < 2; passed_too++) {
		const struct kb_task *last = NULL;
		for (size_t s = 0; s < l->n_steps; s++) {
			const struct kb_task *t = &l->steps[s].task;
			if (l->steps[s].kind != KB_TASK || !t->n_hints ||
			    (!passed_too && kb_progress_task_passed(p, t->id)))
				continue;
			if (kb_course_hints_seen(l, p, t) < (int)t->n_hints)
				return t;
			last = t;
		}
		if (last)
			return last;
	}
	return NULL;
}

static int run_hint(struct kb_course *c, struct kb_lesson *l, const struct kb_task *t, bool flag)
{
	struct kb_lesson_progress *p = kb_progress_lesson(&c->progress, l->id);
	if (!t)
		t = hint_task(l, p);
	if (!t) {
		printf(_("Lesson %s has no hints.\n"), l->id);
		return 0;
	}
	if (!t->n_hints) {
		printf(_("Task %s of lesson %s has no hints.\n"), t->id, l->id);
		return 0;
	}
	if (kb_progress_task_passed(p, t->id))
		printf(_("(Task %s has passed already.)\n"), t->id);
	int seen = kb_course_hints_seen(l, p, t);
	if (seen < (int)t->n_hints)
		kb_course_set_hints_seen(l, p, t, ++seen);
	kb_progress_active(p, (long long)time(NULL), true);
	for (int h = 0; h < seen; h++) {
		char *text = cli_plain(t->hints[h]);
		printf(_("Hint %d of %d (task %s): %s\n"), h + 1, (int)t->n_hints, t->id, text);
		free(text);
	}
	if (seen == (int)t->n_hints)
		printf("%s\n", _("That was the last hint."));
	return kb_course_save(c);
}

/* ---- diff, reset, solution ------------------------------------------------------------ */

static int need_started(struct kb_course *c, struct kb_lesson *l)
{
	if (!c->ws || !kb_ws_lesson_started(c->ws, l->id))
		return kb_error_set(KB_ENOTFOUND, "lesson %s is not started yet (kbridge start %s)", l->id, l->id);
	return 0;
}

/* The files of task t, or of the whole lesson when t is NULL */
static void target_paths(const struct kb_lesson *l, const struct kb_task *t, struct kb_strv *out)
{
	if (!t) {
		kb_lesson_paths(l, out);
		return;
	}
	for (size_t f = 0; f < t->n_files; f++)
		kb_strv_push(out, t->files[f].path);
}

static int run_diff(struct kb_course *c, struct kb_lesson *l, const struct kb_task *t, bool flag)
{
	int rc = need_started(c, l);
	if (rc)
		return rc;
	struct kb_strv paths = KB_STRV_INIT;
	target_paths(l, t, &paths);
	char *out = NULL;
	rc = kb_ws_diff(c->ws, l->id, paths.v, paths.n, use_color(stdout), &out);
	if (!rc) {
		if (*out)
			fputs(out, stdout);
		else
			printf(t ? _("No changes to task %s's files since the lesson's start.\n") :
			       _("No changes to lesson %s's files since its start.\n"), target);
	}
	free(out);
	kb_strv_free(&paths);
	return rc;
}

static int run_reset(struct kb_course *c, struct kb_lesson *l, const struct kb_task *t, bool flag)
{
	int rc = need_started(c, l);
	if (rc)
		return rc;
	struct kb_strv paths = KB_STRV_INIT;
	target_paths(l, t, &paths);
	char *saved = NULL;
	rc = kb_ws_reset_lesson(c->ws, l->id, paths.v, paths.n, &saved);
	if (!rc) {
		printf(t ? _("Task %s's files are back to their start:\n") : _("Lesson %s's files are back to their start:\n"),
		       target);
		for (size_t i = 0; i < paths.n; i++)
			printf("  %s\n", paths.v[i]);
		printf(_("Your version was kept first, as commit %.12s on refs/kbridge/saved/%s.\n"
			 "See it with: git -C %s show refs/kbridge/saved/%s\n"), saved, l->id, kb_ws_tree(c->ws), l->id);
	}
	free(saved);
	kb_strv_free(&paths);
	return rc;
}

static int run_solution(struct kb_course *c, struct kb_lesson *l, const struct kb_task *t, bool reveal)
{
	int rc = need_started(c, l);
	if (rc)
		return rc;
	struct kb_lesson_progress *p = kb_progress_lesson(&c->progress, l->id);
	/* a task's solution is shown once the task has passed */
	bool passed = p->passed || (t && kb_progress_task_passed(p, t->id));
	if (!passed && !reveal) {
		printf(t ? _("The solution of task %s is shown once the task passes (kbridge check %s).\n"
			     "To see it now anyway: kbridge solution %s --reveal (this is recorded in your progress).\n") :
			   _("The solution of lesson %s is shown once you pass it (kbridge check %s).\n"
			     "To see it now anyway: kbridge solution %s --reveal (this is recorded in your progress).\n"),
		       target, target, target);
		return 1;
	}
	if (!passed && reveal && !p->solution_revealed) {
		p->solution_revealed = true;
		if ((rc = kb_course_save(c)))
			return rc;
	}
	struct kb_ws_file *files = NULL;
	size_t n = 0;
	if ((rc = kb_course_solution_files(l, &files, &n)))
		return rc;
	/* a task's files first, the others after them (not shown) */
	size_t shown = n;
	if (t) {
		shown = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t f = 0; f < t->n_files; f++)
				if (strcmp(files[i].path, t->files[f].path) == 0) {
					struct kb_ws_file keep = files[shown];
					files[shown++] = files[i];
					files[i] = keep;
					break;
				}
	}
	char *out = NULL;
	rc = kb_ws_diff_to(c->ws, files, shown, use_color(stdout), &out);
	if (!rc) {
		printf(t ? _("The reference solution of task %s, as changes to your version (- yours, + the solution):\n") :
			   _("The reference solution of lesson %s, as changes to your version (- yours, + the solution):\n"),
		       target);
		fputs(*out ? out : _("(your files are the same as the solution)\n"), stdout);
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
	{"list", "", N_("Show the pack's lessons by year with your progress: state, attempts, hints, time."),
	 false, false, run_list, NULL},
	{"start", "LESSON", N_("Start a lesson: its starter files are written into your kernel tree (created on\n"
			       "first use, a git clone of the bundled tree) and committed as \"start LESSON\"."),
	 true, true, run_start, NULL},
	{"hint", "LESSON[/TASK]", N_("Reveal the next hint of a task, with the ones of that task already shown; recorded\n"
				     "in your progress. For a whole lesson, the task is the first one not passed yet."),
	 true, false, run_hint, NULL},
	{"diff", "LESSON[/TASK]", N_("Your changes to the lesson's files (or the task's) since the lesson's start, as a\n"
				     "unified diff (colored on a terminal unless NO_COLOR is set)."),
	 true, false, run_diff, NULL},
	{"reset", "LESSON[/TASK]", N_("Put the lesson's files (or the task's) back to their start. Only those files are\n"
				      "touched, and your version is kept first as a commit on refs/kbridge/saved/LESSON."),
	 true, false, run_reset, NULL},
	{"solution", "LESSON[/TASK] [--reveal]", N_("The reference solution of a lesson (or of one task) as a diff against your\n"
						     "version. Shown once you have passed it; --reveal shows it before, and is\n"
						     "recorded."),
	 true, false, run_solution, "reveal"},
};

static int learn_main(const struct learn_cmd *cmd, int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		char *words = kb_asprintf("%s%s%s", cmd->name, *cmd->usage ? " " : "", cmd->usage);
		printf(_("usage: kbridge %s [--pack PACK] [--workspace DIR]\n"), words);
		free(words);
		printf("\n%s\n\n%s%s%s", _(cmd->about), _("Options:\n"), _(common_opts),
		       cmd->flag ? _("  --reveal          show the solution before passing (recorded)\n") : "");
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
			fprintf(stderr, _("see: kbridge %s --help\n"), cmd->name);
			return 2;
		}
	}
	const char *id = NULL;
	if (cmd->needs_id) {
		if (optind >= argc) {
			fprintf(stderr, _("kbridge %s: which lesson? (kbridge list shows their ids)\n"), cmd->name);
			return 2;
		}
		id = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, _("kbridge %s: unexpected argument '%s'\n"), cmd->name, argv[optind]);
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
	/* what only reads works beside an open shell, which holds the workspace's lock */
	o.read_only = strcmp(cmd->name, "list") == 0 || strcmp(cmd->name, "diff") == 0 ||
		      (strcmp(cmd->name, "solution") == 0 && !flag);
	int rc = kb_course_open(&c, &o);
	kb_meter_end(&meter);
	struct kb_lesson *l = NULL;
	const struct kb_task *t = NULL;
	/* LESSON or LESSON/TASK ("LESSON/" is the lesson) */
	char *lesson_id = id ? kb_strdup(id) : NULL;
	char *task_id = lesson_id ? strchr(lesson_id, '/') : NULL;
	if (task_id)
		*task_id++ = '\0';
	if (!rc && id)
		rc = kb_course_lesson(&c, lesson_id, &l);
	if (!rc && task_id && *task_id && !(t = kb_lesson_find_task(l, task_id))) {
		struct kb_buf ids = KB_BUF_INIT;
		for (size_t s = 0; s < l->n_steps; s++)
			if (l->steps[s].kind == KB_TASK)
				kb_buf_printf(&ids, "%s%s/%s", ids.len ? ", " : "", l->id, l->steps[s].task.id);
		rc = kb_error_set(KB_ENOTFOUND, "lesson %s has no task '%s' (its tasks: %s)", l->id, task_id,
				  ids.data ? ids.data : "none");
		kb_buf_free(&ids);
	}
	target = t ? id : l ? l->id : "";
	int status = 1;
	if (!rc) {
		rc = cmd->run(&c, l, t, flag);
		status = rc < 0 ? 1 : rc;
	}
	if (rc < 0)
		fprintf(stderr, "kbridge %s: %s\n", cmd->name, kb_error_last());
	free(lesson_id);
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

/* cli_check.c - `kbridge check`: run task checks without the shell and report them as
 * text, TAP 13, JUnit XML, JSON (the JSON shape is in docs/lesson-api.md) or a GitHub
 * Classroom result. */
#define _GNU_SOURCE
#include "engine/check.h"
#include "engine/course.h"
#include "store/workspace.h"
#include "cli/cli.h"
#include "cli/cli_report.h"
#include "kernel/kernel.h"
#include "engine/lesson.h"
#include "sys/runner.h"
#include "base/util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const check_help = N_(
	"usage: kbridge check ID... | --all [--format text|tap|junit|json|classroom]\n"
	"                     [--classroom FILE] [--pack PACK] [--workspace DIR] [--timeout S]\n"
	"                     [--seed N]\n"
	"\n"
	"Run the checks of lesson tasks against your workspace and say, for each task, which\n"
	"expectations are met and which are not (what was expected, what was seen, where to\n"
	"look). ID is a lesson (every task of it) or LESSON/TASK; --all runs every task of\n"
	"the pack, in order. Checks build your modules with Kbuild and boot them in QEMU.\n"
	"\n"
	"Options:\n"
	"  --all             every task of the pack\n"
	"  --format F        text (default), tap (TAP version 13 with YAML diagnostics),\n"
	"                    junit (JUnit XML for CI systems), json, or classroom (the result\n"
	"                    GitHub Classroom's autograding reporter reads: each task worth its\n"
	"                    points in lesson.lua, 1 unless given, and 0 when it did not pass)\n"
	"  --classroom FILE  also write the classroom result to FILE, whatever --format is\n"
	"  --pack PACK       the lesson pack: a folder, or a git repository (path or URL, with\n"
	"                    #TAG, #BRANCH or #COMMIT to pin it; see kbridge pack --help)\n"
	"                    (default: $KBRIDGE_PACK, else lessons/core of kbridge's data folder)\n"
	"  --workspace DIR   your workspace (default: $KBRIDGE_WORKSPACE, else ~/kbridge-workspace):\n"
	"                    each check is counted in its progress and a lesson whose tasks all\n"
	"                    pass is committed as \"pass ID\". A folder that is not a workspace is\n"
	"                    checked as a kernel tree (the lesson files at their tree paths),\n"
	"                    with nothing recorded: for grading a tree in CI\n"
	"  --timeout S       seconds allowed to each boot (default 60)\n"
	"  --seed N          draw the check's random inputs (math.random) from seed N: a failed\n"
	"                    check prints its seed in every format, and --seed replays exactly\n"
	"                    those inputs (default: a fresh seed each time)\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 when every task asked passed; 1 when one failed or could not run;\n"
	"2 for bad arguments, or a lesson not started yet in your workspace.\n");

/* "kbridge check: " and a message on stderr */
#define say_err(...) cli_err("check", __VA_ARGS__)

/* ---- progress on the terminal ------------------------------------------------------ */

static void on_progress(void *ctx, const char *what)
{
	if (*(bool *)ctx) {
		fprintf(stderr, "\r\033[K  ... %s", what);
		fflush(stderr);
	}
}

/* on a shared lab home: the learner's place in line, on every change, tty or not */
static void on_waiting(void *ctx, int ahead, int limit)
{
	if (*(bool *)ctx)
		fputs("\r\033[K", stderr);
	fputs("kbridge: ", stderr);
	fprintf(stderr, kb_ngettext("the lab runs %d check at once; waiting, %d ahead of you",
				    "the lab runs %d checks at once; waiting, %d ahead of you", (unsigned long)limit),
		limit, ahead);
	fputc('\n', stderr);
	fflush(stderr);
}

static void clear_progress(bool tty)
{
	if (tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

char *cli_workspace_root(const char *given)
{
	if (!given) {
		char *def = kb_ws_default_root();
		if (kb_ws_is_workspace(def))
			return def;
		free(def);
		return NULL;
	}
	if (kb_ws_is_workspace(given))
		return kb_strdup(given);
	/* the tree inside a workspace names the workspace too */
	char *copy = kb_strdup(given);
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	char *slash = strrchr(copy, '/');
	if (slash && strcmp(slash + 1, "linux") == 0) {
		*slash = '\0';
		if (kb_ws_is_workspace(*copy ? copy : "/"))
			return copy;
	}
	free(copy);
	return NULL;
}

/* What `kbridge check` was given. */
struct check_args {
	bool all;
	const char *pack_dir, *workspace;
	enum cli_format fmt;
	const char *classroom;   /* --classroom FILE, or NULL */
	double timeout;
	bool seed_given;         /* --seed N */
	unsigned long long seed;
	char **ids;        /* argv's LESSON or LESSON/TASK, not owned */
	int n_ids;
};

/* Returns 0, or 2 (bad arguments; said on stderr). */
static int parse_check_args(struct check_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'},
		{"pack", required_argument, NULL, 'p'},
		{"workspace", required_argument, NULL, 'w'},
		{"timeout", required_argument, NULL, 't'},
		{"classroom", required_argument, NULL, 'c'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof *a);
	const char *format = "text";
	a->timeout = 60;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "af:p:w:t:c:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': a->all = true; break;
		case 'f': format = optarg; break;
		case 'p': a->pack_dir = optarg; break;
		case 'w': a->workspace = optarg; break;
		case 't': a->timeout = atof(optarg); break;
		case 'c': a->classroom = optarg; break;
		case 's': {
			char *end;
			errno = 0;
			a->seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || a->seed >= (1ULL << 48)) {
				fputs("kbridge check: ", stderr);
				fprintf(stderr, _("--seed takes the number a check printed (0 to %llu), not '%s'"),
					(1ULL << 48) - 1, optarg);
				fputc('\n', stderr);
				return 2;
			}
			a->seed_given = true;
			break;
		}
		default:
			fputs(_(check_help), stderr);
			return 2;
		}
	}
	if (cli_parse_format(format, &a->fmt) < 0) {
		say_err(_("unknown format '%s' (text, tap, junit, json or classroom)"), format);
		return 2;
	}
	if (a->all == (optind < argc)) {
		say_err("%s", _("give lesson ids (LESSON or LESSON/TASK) or --all"));
		fprintf(stderr, "\n%s", _(check_help));
		return 2;
	}
	if (a->timeout <= 0) {
		say_err("%s", _("--timeout must be a positive number of seconds"));
		return 2;
	}
	a->ids = argv + optind;
	a->n_ids = argc - optind;
	return 0;
}

/* The tasks to run, in order: (lesson, task) pairs; a lesson that did not load is one
 * pair with no task (its error is the result). */
struct picks {
	struct pick { struct kb_lesson *l; const struct kb_task *t; } *v;
	size_t n, cap;
};

static void pick(struct picks *p, struct kb_lesson *l, const struct kb_task *t)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = kb_realloc(p->v, p->cap * sizeof *p->v);
	}
	p->v[p->n].l = l;
	p->v[p->n].t = t;
	p->n++;
}

/* Every task of lesson l; `named`: the learner named it, so a lesson without a task is
 * said. */
static void pick_lesson(struct picks *p, struct kb_lesson *l, bool named)
{
	if (l->error) {
		pick(p, l, NULL);
		return;
	}
	size_t before = p->n;
	for (size_t s = 0; s < l->n_steps; s++)
		if (l->steps[s].kind == KB_TASK)
			pick(p, l, &l->steps[s].task);
	if (named && p->n == before)
		say_err(_("lesson '%s' has no task to check"), l->id);
}

/* One LESSON or LESSON/TASK. Returns 0, or 2 when there is no such lesson or task (said
 * on stderr, with the pack's lessons or the lesson's tasks), or when ws, the learner's
 * workspace, has not started the lesson: there are no files of the learner's to check
 * and nothing is recorded (as kbridge diff and reset say). */
static int pick_id(struct picks *p, struct kb_pack *pk, struct kb_ws *ws, const char *arg)
{
	char *id = kb_strdup(arg);
	char *slash = strchr(id, '/');
	if (slash)
		*slash = '\0';
	int rc = 0;
	struct kb_lesson *l = kb_pack_find_lesson(pk, id);
	if (!l) {
		struct kb_buf ids = KB_BUF_INIT;
		for (size_t i = 0; i < pk->n_lessons; i++)
			kb_buf_printf(&ids, "%s%s", i ? ", " : "", pk->lessons[i].id);
		say_err(_("no lesson '%s' in the pack %s (its lessons: %s)"), id, pk->name,
			ids.data ? ids.data : _("none"));
		kb_buf_free(&ids);
		rc = 2;
	} else if (ws && !l->error && !kb_ws_lesson_started(ws, l->id)) {
		say_err(_("lesson %s is not started yet (kbridge start %s)"), l->id, l->id);
		rc = 2;
	} else if (slash && !l->error) {
		const struct kb_task *t = kb_lesson_find_task(l, slash + 1);
		if (t) {
			pick(p, l, t);
		} else {
			struct kb_buf tasks = KB_BUF_INIT;
			for (size_t s = 0; s < l->n_steps; s++)
				if (l->steps[s].kind == KB_TASK)
					kb_buf_printf(&tasks, "%s%s/%s", tasks.len ? ", " : "", l->id, l->steps[s].task.id);
			say_err(_("lesson '%s' has no task '%s' (its tasks: %s)"), l->id, slash + 1,
				tasks.data ? tasks.data : _("none"));
			kb_buf_free(&tasks);
			rc = 2;
		}
	} else {
		pick_lesson(p, l, true);
	}
	free(id);
	return rc;
}

/* The learner's record: one attempt per lesson checked; a lesson whose every task ran
 * and passed is a pass (its files committed). */
static void record_lessons(struct kb_course *course, const struct picks *p, const struct cli_results *results,
			   enum cli_format fmt, const char *workspace)
{
	for (size_t i = 0; i < p->n; i++) {
		if (i > 0 && p->v[i].l == p->v[i - 1].l)
			continue;
		struct kb_lesson *l = p->v[i].l;
		size_t ran = 0, passed = 0, tasks = 0;
		for (size_t s = 0; s < l->n_steps; s++)
			tasks += l->steps[s].kind == KB_TASK;
		for (size_t k = i; k < p->n && p->v[k].l == l; k++) {
			ran++;
			passed += results->v[k].verdict == KB_VERDICT_PASS;
			/* each task that passed is kept, so the shell knows it too */
			if (results->v[k].verdict == KB_VERDICT_PASS && p->v[k].t && course->ws)
				kb_progress_set_task_passed(kb_progress_lesson(&course->progress, l->id), p->v[k].t->id);
		}
		bool lesson_passed = !l->error && tasks > 0 && ran == tasks && passed == tasks;
		if (kb_course_record_check(course, l, lesson_passed) < 0)
			say_err(_("could not record lesson %s: %s"), l->id, kb_error_last());
		else if (lesson_passed && fmt == CLI_TEXT) {
			/* TRANSLATORS: "pass %2$s" is the commit's subject: keep it in English */
			printf(_("Lesson %s passed: your files are committed as \"pass %s\" in %s."), l->id, l->id,
			       workspace);
			putchar('\n');
		}
	}
}

/* Run every pick, printing each text result as it comes. Returns true when interrupted
 * (the results so far are kept). */
static bool run_picks(struct cli_results *results, const struct picks *p, const struct check_args *a,
		      const char *workspace)
{
	bool tty = isatty(2) != 0 && a->fmt == CLI_TEXT;
	struct kb_check_opts co = {.workspace = workspace, .boot_timeout = a->timeout, .progress = on_progress,
				  .waiting = on_waiting, .ctx = &tty, .seed_given = a->seed_given, .seed = a->seed};
	results->v = kb_calloc(p->n ? p->n : 1, sizeof *results->v);
	bool interrupted = false;
	for (size_t i = 0; i < p->n && !interrupted; i++) {
		struct kb_check_result *r = &results->v[results->n++];
		if (!p->v[i].t) {
			kb_check_result_load_error(r, p->v[i].l);
		} else {
			if (tty) {
				fprintf(stderr, "  ... %s", p->v[i].l->id);
				fflush(stderr);
			}
			if (kb_check_run(r, p->v[i].l, p->v[i].t, &co) == KB_EINTR || kb_interrupted)
				interrupted = true;
			clear_progress(tty);
		}
		if (a->fmt == CLI_TEXT)
			cli_print_text_result(stdout, r);
	}
	return interrupted;
}

/* --classroom FILE: the classroom result beside the report on stdout. Returns 0 or a
 * negative KB_E* with a message. */
static int write_classroom(const char *path, const struct kb_pack *pk, const char *workspace,
			   const struct cli_results *results)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return kb_error_set(KB_EIO, "cannot write the classroom result %s: %s", path, strerror(errno));
	cli_print_report(f, CLI_CLASSROOM, pk, workspace, results);
	if (ferror(f) | (fclose(f) != 0))
		return kb_error_set(KB_EIO, "cannot write the classroom result %s: %s", path, strerror(errno));
	return 0;
}

int cli_check(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(_(check_help));
		return 0;
	}
	struct check_args a;
	int status = parse_check_args(&a, argc, argv);
	if (status)
		return status;

	const char *pack_dir = a.pack_dir, *workspace = a.workspace;
	char *pack_own = pack_dir ? NULL : kb_course_default_pack();
	char *ws_root = cli_workspace_root(workspace);
	if (!pack_dir)
		pack_dir = pack_own;
	status = 1;
	struct kb_course course;
	memset(&course, 0, sizeof course);
	struct kb_pack plain_pack;
	memset(&plain_pack, 0, sizeof plain_pack);
	struct kb_pack *pk = &plain_pack;
	struct cli_results results = {0};
	struct picks picks = {0};
	if (!pack_dir) {
		say_err("%s", _("cannot find kbridge's data folder (set KBRIDGE_DATADIR) or give --pack DIR"));
		goto out;
	}
	if (ws_root) {
		/* a learner's workspace: locked while the checks run, progress recorded */
		struct kb_course_opts copts = {.pack_dir = pack_dir, .ws_root = ws_root};
		if (kb_course_open(&course, &copts) < 0) {
			say_err("%s", kb_error_last());
			goto out;
		}
		pk = &course.pack;
		workspace = kb_ws_tree(course.ws);
	} else {
		if (!workspace) {
			char *def = kb_ws_default_root();
			say_err(_("there is no workspace at %s yet (kbridge start LESSON makes it), "
				  "or give --workspace DIR"), def);
			free(def);
			goto out;
		}
		if (!kb_is_dir(workspace)) {
			say_err(_("%s does not exist (give --workspace DIR: your workspace, or a "
				  "kernel tree holding the lesson files at their tree paths)"), workspace);
			goto out;
		}
		if (kb_pack_open(&plain_pack, NULL, pack_dir) < 0) {
			say_err("%s", kb_error_last());
			goto out;
		}
	}

	for (size_t i = 0; a.all && i < pk->n_lessons; i++)
		pick_lesson(&picks, &pk->lessons[i], false);
	for (int i = 0; !a.all && i < a.n_ids; i++) {
		if (pick_id(&picks, pk, ws_root ? course.ws : NULL, a.ids[i])) {
			status = 2;
			goto out;
		}
	}

	bool interrupted = run_picks(&results, &picks, &a, workspace);
	if (ws_root && !interrupted)
		record_lessons(&course, &picks, &results, a.fmt, workspace);
	cli_print_report(stdout, a.fmt, pk, workspace, &results);
	status = results.n == picks.n && cli_results_all_passed(&results) ? 0 : 1;
	if (a.classroom && write_classroom(a.classroom, pk, workspace, &results) < 0) {
		say_err("%s", kb_error_last());
		status = 1;
	}
	if (interrupted)
		say_err("%s", _("interrupted"));
out:
	free(picks.v);
	cli_results_free(&results);
	kb_pack_free(&plain_pack);
	kb_course_close(&course);
	free(pack_own);
	free(ws_root);
	return status;
}

/* cli_check.c - `kbridge check`: run task checks without the shell and report them as
 * text, TAP 13, JUnit XML or JSON (the JSON shape is in docs/lesson-api.md). */
#define _GNU_SOURCE
#include "check.h"
#include "cli.h"
#include "cli_report.h"
#include "kernel.h"
#include "lesson.h"
#include "runner.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char check_help[] =
	"usage: kbridge check ID... | --all [--format text|tap|junit|json]\n"
	"                     [--pack DIR] [--workspace DIR] [--timeout S]\n"
	"\n"
	"Run the checks of lesson tasks against your workspace and say, for each task, which\n"
	"expectations are met and which are not (what was expected, what was seen, where to\n"
	"look). ID is a lesson (every task of it) or LESSON/TASK; --all runs every task of\n"
	"the pack, in order. Checks build your modules with Kbuild and boot them in QEMU.\n"
	"\n"
	"Options:\n"
	"  --all             every task of the pack\n"
	"  --format F        text (default), tap (TAP version 13 with YAML diagnostics),\n"
	"                    junit (JUnit XML for CI systems) or json\n"
	"  --pack DIR        the lesson pack (default: lessons/core of kbridge's data folder)\n"
	"  --workspace DIR   your kernel tree: the folder holding the lesson files at their\n"
	"                    tree paths (default: ~/kbridge-workspace/linux)\n"
	"  --timeout S       seconds allowed to each boot (default 60)\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 when every task asked passed; 1 when one failed or could not run;\n"
	"2 for bad arguments.\n";

/* ---- progress on the terminal ------------------------------------------------------ */

static void on_progress(void *ctx, const char *what)
{
	if (*(bool *)ctx) {
		fprintf(stderr, "\r\033[K  ... %s", what);
		fflush(stderr);
	}
}

static void clear_progress(bool tty)
{
	if (tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

char *cli_default_pack(void)
{
	char *data = kb_find_datadir();
	if (!data)
		return NULL;
	char *p = kb_path_join(data, "lessons/core");
	free(data);
	return p;
}

char *cli_default_workspace(void)
{
	const char *home = getenv("HOME");
	return kb_asprintf("%s/kbridge-workspace/linux", home && *home ? home : ".");
}

int cli_check(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(check_help);
		return 0;
	}
	static const struct option longopts[] = {
		{"all", no_argument, NULL, 'a'},
		{"format", required_argument, NULL, 'f'},
		{"pack", required_argument, NULL, 'p'},
		{"workspace", required_argument, NULL, 'w'},
		{"timeout", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	bool all = false;
	const char *format = "text", *pack_dir = NULL, *workspace = NULL;
	double timeout = 60;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "af:p:w:t:", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'f': format = optarg; break;
		case 'p': pack_dir = optarg; break;
		case 'w': workspace = optarg; break;
		case 't': timeout = atof(optarg); break;
		default:
			fputs(check_help, stderr);
			return 2;
		}
	}
	enum cli_format fmt;
	if (cli_parse_format(format, &fmt) < 0) {
		fprintf(stderr, "kbridge check: unknown format '%s' (text, tap, junit or json)\n", format);
		return 2;
	}
	if (all == (optind < argc)) {
		fprintf(stderr, "kbridge check: give lesson ids (LESSON or LESSON/TASK) or --all\n\n%s", check_help);
		return 2;
	}
	if (timeout <= 0) {
		fprintf(stderr, "kbridge check: --timeout must be a positive number of seconds\n");
		return 2;
	}

	char *pack_own = pack_dir ? NULL : cli_default_pack();
	char *ws_own = workspace ? NULL : cli_default_workspace();
	if (!pack_dir)
		pack_dir = pack_own;
	if (!workspace)
		workspace = ws_own;
	int status = 1;
	struct kb_pack pack;
	memset(&pack, 0, sizeof pack);
	struct cli_results results = {0};
	if (!pack_dir) {
		fprintf(stderr, "kbridge check: cannot find kbridge's data folder (set KBRIDGE_DATADIR) or give --pack DIR\n");
		goto out;
	}
	if (kb_pack_load(&pack, pack_dir) < 0) {
		fprintf(stderr, "kbridge check: %s\n", kb_error_last());
		goto out;
	}
	if (!kb_is_dir(workspace)) {
		fprintf(stderr, "kbridge check: the workspace %s does not exist (give --workspace DIR: your kernel "
			"tree, or a folder holding the lesson files at their tree paths)\n", workspace);
		goto out;
	}

	/* what to run: (lesson, task) pairs; a lesson that did not load is one error */
	struct pick { struct kb_lesson *l; const struct kb_task *t; } *picks = NULL;
	size_t n_picks = 0, cap = 0;
#define PICK(L_, T_) do { \
		if (n_picks == cap) { cap = cap ? cap * 2 : 16; picks = kb_realloc(picks, cap * sizeof *picks); } \
		picks[n_picks].l = (L_); picks[n_picks].t = (T_); n_picks++; \
	} while (0)
	for (size_t i = 0; all && i < pack.n_lessons; i++) {
		struct kb_lesson *l = &pack.lessons[i];
		if (l->error)
			PICK(l, NULL);
		for (size_t s = 0; s < l->n_steps; s++)
			if (l->steps[s].kind == KB_TASK)
				PICK(l, &l->steps[s].task);
	}
	for (int a = optind; !all && a < argc; a++) {
		char *id = kb_strdup(argv[a]);
		char *slash = strchr(id, '/');
		if (slash)
			*slash = '\0';
		struct kb_lesson *l = kb_pack_find_lesson(&pack, id);
		if (!l) {
			struct kb_buf ids = KB_BUF_INIT;
			for (size_t i = 0; i < pack.n_lessons; i++)
				kb_buf_printf(&ids, "%s%s", i ? ", " : "", pack.lessons[i].id);
			fprintf(stderr, "kbridge check: no lesson '%s' in the pack %s (its lessons: %s)\n", id, pack.name,
				ids.data ? ids.data : "none");
			kb_buf_free(&ids);
			free(id);
			free(picks);
			status = 2;
			goto out;
		}
		if (l->error) {
			PICK(l, NULL);
		} else if (slash) {
			const struct kb_task *t = kb_lesson_find_task(l, slash + 1);
			if (!t) {
				fprintf(stderr, "kbridge check: lesson '%s' has no task '%s'\n", l->id, slash + 1);
				free(id);
				free(picks);
				status = 2;
				goto out;
			}
			PICK(l, t);
		} else {
			size_t before = n_picks;
			for (size_t s = 0; s < l->n_steps; s++)
				if (l->steps[s].kind == KB_TASK)
					PICK(l, &l->steps[s].task);
			if (n_picks == before)
				fprintf(stderr, "kbridge check: lesson '%s' has no task to check\n", l->id);
		}
		free(id);
	}
#undef PICK

	bool tty = isatty(2) != 0 && fmt == CLI_TEXT;
	struct kb_check_opts co = {.workspace = workspace, .boot_timeout = timeout, .progress = on_progress, .ctx = &tty};
	results.v = kb_calloc(n_picks ? n_picks : 1, sizeof *results.v);
	bool interrupted = false;
	for (size_t i = 0; i < n_picks && !interrupted; i++) {
		struct kb_check_result *r = &results.v[results.n++];
		if (!picks[i].t) {
			kb_check_result_load_error(r, picks[i].l);
		} else {
			if (tty) {
				fprintf(stderr, "  ... %s", picks[i].l->id);
				fflush(stderr);
			}
			if (kb_check_run(r, picks[i].l, picks[i].t, &co) == KB_EINTR || kb_interrupted)
				interrupted = true;
			clear_progress(tty);
		}
		if (fmt == CLI_TEXT)
			cli_print_text_result(stdout, r);
	}
	free(picks);
	cli_print_report(stdout, fmt, &pack, workspace, &results);
	status = results.n == n_picks && cli_results_all_passed(&results) ? 0 : 1;
	if (interrupted)
		fprintf(stderr, "kbridge check: interrupted\n");
out:
	cli_results_free(&results);
	kb_pack_free(&pack);
	free(pack_own);
	free(ws_own);
	return status;
}

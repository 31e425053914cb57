/* cli_setup.c - `kbridge setup`: prepare the course kernel, with a progress bar. */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "kernel/kernel.h"
#include "sys/apart.h"
#include "sys/lab.h"
#include "base/meter.h"
#include "sys/runner.h"
#include "store/workspace.h"
#include "base/util.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static const char setup_help[] = N_(
	"usage: kbridge setup [--status] [--force] [--jobs N] [--workspace DIR | --no-workspace]\n"
	"\n"
	"Prepare what the course builds and boots, under KBRIDGE_HOME:\n"
	"  extract    unpack Debian's linux-source-6.12 (/usr/src/linux-source-6.12.tar.xz)\n"
	"  import     make it a git repository with libgit2 (one base commit, tag kbridge-base)\n"
	"  config     tinyconfig + assets/kernel.config (Rust, modules, KUnit, serial console)\n"
	"  build      the reference kernel: make LLVM=1 with Debian's /usr/bin/rustc\n"
	"  initramfs  static busybox + assets/init\n"
	"\n"
	"Steps already done are skipped; an interrupted setup redoes its unfinished step on the\n"
	"next run (the build resumes). Only one setup runs at a time.\n"
	"When the kernel has to be built, your workspace (a git clone of the imported tree,\n"
	"where lessons are done) is made alongside the build, unless it exists already.\n"
	"\n"
	"Options:\n"
	"  --status   say what is ready and exit (0 when everything is)\n"
	"  --force    redo every step\n"
	"  --jobs N   make -jN (default: the number of CPUs)\n"
	"  --workspace DIR\n"
	"             the workspace made alongside the build (default: $KBRIDGE_WORKSPACE,\n"
	"             else ~/kbridge-workspace)\n"
	"  --no-workspace\n"
	"             make none\n"
	"  -h, --help this text\n");

/* text: an N_() string, translated here */
void cli_usage(const char *text)
{
	fputs(_(text), stdout);
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

static int print_status(const struct kb_home *h)
{
	struct kb_setup_status st;
	kb_setup_status(&st, h);
	printf("KBRIDGE_HOME: %s\n", h->root);
	for (int s = 0; s < KB_STEP_COUNT; s++) {
		/* TRANSLATORS: the state of a setup step (a column 12 wide) */
		const char *state = st.state[s] == KB_STEP_DONE ? _("ready") :
				    st.state[s] == KB_STEP_STALE ? _("out of date") : _("missing");
		printf("  %-10s ", kb_step_name((enum kb_step)s));
		cli_pad(stdout, state, 12);
		printf(" %s\n", kb_step_title((enum kb_step)s));
	}
	fputs(st.ready ? _("The course kernel is ready.\n") : _("Not ready: run 'kbridge setup'.\n"), stdout);
	return st.ready ? 0 : 1;
}

struct setup_view {
	struct kb_meter meter;
	int step;
	const struct kb_home *h;
	/* the workspace made alongside the build: its folder and its process */
	const char *ws_root;
	struct kb_bg ws;
};

static int clone_workspace(void *ctx)
{
	const struct setup_view *v = ctx;
	return kb_ws_create(v->ws_root, v->h->src, NULL, NULL);
}

/* The workspace, cloned from the imported tree by a process of its own while the kernel
 * builds (the clone needs only the tree): the learner's first task finds it ready. */
static void start_workspace(void *ctx)
{
	struct setup_view *v = ctx;
	if (!v->ws_root || kb_ws_is_workspace(v->ws_root))
		return;
	if (kb_bg_start(&v->ws, clone_workspace, v) < 0)
		return;   /* kbridge start makes it later */
	/* "workspace: cloning:", "ready:" and "failed:" are tags the shell reads: not translated */
	char *text = kb_asprintf(_("the kernel tree into %s, alongside the build"), v->ws_root);
	char *line = kb_asprintf("workspace: cloning: %s", text);
	free(text);
	kb_meter_say(&v->meter, line);
	free(line);
}

/* Has the workspace's process ended (wait: until it has)? Then say how it went, on a line
 * that starts "workspace: ready:" or "workspace: failed:" (the shell reads it). */
static void poll_workspace(struct setup_view *v, bool wait)
{
	if (v->ws.pid <= 0)
		return;
	char why[512];
	double took;
	int rc = kb_bg_poll(&v->ws, wait, &took, why, sizeof why);
	if (rc == 1)
		return;
	char *text = rc == 0 ? kb_asprintf(_("%s (cloned in %.1f s)"), v->ws_root, took)
		     : kb_asprintf(_("%s (kbridge start makes it later)"), *why ? why : _("its process failed"));
	char *line = kb_asprintf("workspace: %s %s", rc == 0 ? "ready:" : "failed:", text);
	kb_meter_say(&v->meter, line);
	free(line);
	free(text);
}

static void on_progress(void *ctx, enum kb_step step, double fraction, const char *detail)
{
	struct setup_view *v = ctx;
	poll_workspace(v, false);
	if ((int)step != v->step) {
		v->step = (int)step;
		kb_meter_start(&v->meter, kb_step_name(step));
	}
	kb_meter_update(&v->meter, fraction, detail);
}

static void on_log(void *ctx, const char *line)
{
	struct setup_view *v = ctx;
	kb_meter_say(&v->meter, line);
}

int cli_setup(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(setup_help);
		return 0;
	}
	static const struct option longopts[] = {
		{"status", no_argument, NULL, 's'},
		{"force", no_argument, NULL, 'f'},
		{"jobs", required_argument, NULL, 'j'},
		{"workspace", required_argument, NULL, 'w'},
		{"no-workspace", no_argument, NULL, 'W'},
		{NULL, 0, NULL, 0},
	};
	bool status = false, force = false, no_ws = false;
	const char *ws = NULL;
	int jobs = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "sfj:", longopts, NULL)) != -1) {
		switch (c) {
		case 's': status = true; break;
		case 'f': force = true; break;
		case 'j': jobs = atoi(optarg); break;
		case 'w': ws = optarg; break;
		case 'W': no_ws = true; break;
		default:
			fputs(_(setup_help), stderr);
			return 2;
		}
	}
	struct kb_home h;
	if (kb_home_init(&h) < 0) {
		fprintf(stderr, "kbridge: %s\n", kb_error_last());
		return 1;
	}
	int rc;
	if (status) {
		rc = print_status(&h);
		kb_home_free(&h);
		return rc;
	}
	if (kb_lab_max_checks(h.root) > 0 && access(h.root, W_OK) != 0) {
		/* a shared lab home: its administrator sets it up, learners only use it */
		struct kb_setup_status st;
		kb_setup_status(&st, &h);
		if (st.ready)
			printf(_("kbridge setup: the course kernel in %s is ready (a shared lab home: its "
				 "administrator keeps it up to date)\n"), h.root);
		else
			fprintf(stderr, _("kbridge setup: %s is a shared lab home that is not ready, and only its "
					  "administrator can set it up (KBRIDGE_HOME=%s kbridge setup, then kbridge lab "
					  "init %s). Tell them; 'kbridge setup --status' shows what is missing.\n"),
				h.root, h.root, h.root);
		kb_home_free(&h);
		return st.ready ? 0 : 1;
	}
	char *ws_root = no_ws ? NULL : ws ? kb_strdup(ws) : kb_ws_default_root();
	struct setup_view v = {.step = -1, .h = &h, .ws_root = ws_root};
	kb_meter_init(&v.meter, stderr);
	struct kb_setup_opts o = {.jobs = jobs, .force = force, .progress = on_progress,
				  .log = on_log, .ctx = &v, .imported = start_workspace};
	fprintf(stderr, _("kbridge setup: preparing the course kernel in %s\n"), h.root);
	double t0 = kb_now();
	rc = kb_setup_run(&h, &o);
	poll_workspace(&v, true);
	kb_meter_end(&v.meter);
	free(ws_root);
	if (rc == KB_EINTR) {
		fprintf(stderr, "%s", _("kbridge setup: interrupted; run it again to go on from where it stopped.\n"));
	} else if (rc) {
		fprintf(stderr, "kbridge setup: %s\n", kb_error_last());
	} else {
		fprintf(stderr, _("kbridge setup: the course kernel is ready (%.0f s).\n"), kb_now() - t0);
	}
	kb_home_free(&h);
	return rc == 0 ? 0 : rc == KB_EINTR ? 130 : 1;
}

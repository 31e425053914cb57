/* main.c - kbridge: an interactive course on Rust and C inside the Linux kernel.
 * Dispatches to the commands; the table below is the one place a command is named. */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "engine/i18n.h"
#include "kernel/kernel.h"
#include "sys/runner.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef KB_VERSION
#define KB_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"shell", cli_shell, N_("open the course (what `kbridge` alone does on a terminal)")},
	{"setup", cli_setup, N_("prepare the kernel tree, the reference build and the initramfs")},
	{"doctor", cli_doctor, N_("check every tool the course needs and say how to fix what is missing")},
	{"boot", cli_boot, N_("build modules, boot the course kernel in QEMU, run commands in it")},
	{"list", cli_list, N_("the lessons by year, with your progress")},
	{"start", cli_start, N_("start a lesson: its files go into your kernel tree (a git clone)")},
	{"check", cli_check, N_("run lesson checks and report them (text, TAP, JUnit, JSON)")},
	{"hint", cli_hint, N_("reveal the next hint of a lesson (or of one of its tasks: LESSON/TASK)")},
	{"diff", cli_diff, N_("your changes to a lesson's files since its start")},
	{"reset", cli_reset, N_("put a lesson's files back to their start (your version is kept)")},
	{"solution", cli_solution, N_("the reference solution, as a diff against your version")},
	{"pack", cli_pack, N_("make a new lesson pack, or validate one (starter fails, solution passes)")},
	{"report", cli_class_report, N_("for instructors: a class's progress from its workspaces (CSV, Markdown)")},
	{"lab", cli_lab, N_("make a kernel home a shared lab server for many learners, or see how busy it is")},
};

static void usage(FILE *out)
{
	fputs(_("usage: kbridge [--help] [--version] [--no-sandbox] [--lang TAG] COMMAND [ARGS]\n"
		"\n"
		"kbridge is an interactive course on how Rust and C meet inside the Linux kernel.\n"
		"Each task is real kernel work: kbridge builds it with Kbuild and boots it in QEMU.\n"
		"\n"
		"Commands:\n"), out);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
	fputs(_("\n"
		"Run 'kbridge COMMAND --help' for a command's options. 'kbridge --pack PACK' opens\n"
		"the shell on another lesson pack (a folder, or a git URL pinned with #TAG).\n"
		"'--lang zh-CN' (before or after the command) shows the lessons and kbridge's own\n"
		"words in Simplified Chinese, '--lang en' in English.\n"
		"\n"
		"Environment:\n"
		"  KBRIDGE_HOME     where the kernel tree and builds live (default\n"
		"                   $XDG_DATA_HOME/kbridge, else ~/.local/share/kbridge)\n"
		"  KBRIDGE_DATADIR  where kbridge's assets/ and scripts/ are (found by itself)\n"
		"  KBRIDGE_NO_SANDBOX=1  builds run unconfined, as --no-sandbox: for machines where\n"
		"                   bubblewrap cannot make namespaces (see kbridge doctor)\n"
		"  LANGUAGE, LC_ALL, LC_MESSAGES, LANG  the language without --lang, read as\n"
		"                   gettext does (LANG=zh_CN.UTF-8: Chinese; no locale needed)\n"
		"  NO_COLOR         no colors\n"), out);
	fputs(_("  KBRIDGE_BOOT_OVERLAP=0  a check boots the guest after the build, not while\n"
		"                   Kbuild runs (1: always at once; default: at once on 2 CPUs or more)\n"), out);
}

static int status_overview(void)
{
	struct kb_home h;
	if (kb_home_init(&h) < 0) {
		fprintf(stderr, "kbridge: %s\n", kb_error_last());
		return 1;
	}
	struct kb_setup_status st;
	kb_setup_status(&st, &h);
	usage(stdout);
	printf(st.ready ? _("\nCourse kernel (%s): ready\n") :
	       _("\nCourse kernel (%s): not ready - run 'kbridge setup' (about 5 minutes on 2 cores)\n"), h.root);
	kb_home_free(&h);
	return 0;
}

int main(int argc, char **argv)
{
	kb_signals_install();
	/* --no-sandbox, before or after the command: builds run unconfined (sys/runner.h),
	   here and in every kbridge this one starts */
	int kept = 1;
	const char *lang = NULL;   /* --lang TAG or --lang=TAG, anywhere: the language packs are shown in */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-sandbox") == 0)
			setenv("KBRIDGE_NO_SANDBOX", "1", 1);
		else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
		else if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
		else
			argv[kept++] = argv[i];
	}
	argv[kept] = NULL;
	argc = kept;
	if (kb_i18n_init(lang) < 0) {
		fprintf(stderr, "kbridge: %s\n", kb_error_last());
		return 2;
	}
	if (argc < 2)
		return isatty(0) && isatty(1) ? cli_shell(argc, argv) : status_overview();
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("kbridge %s\n", KB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	/* options and no command are the shell's: kbridge --pack URL#v1 */
	if (cmd[0] == '-' && cmd[1] == '-')
		return cli_shell(argc, argv);
	fprintf(stderr, _("kbridge: unknown command '%s'\n\n"), cmd);
	usage(stderr);
	return 2;
}

/* cli_shell.c - `kbridge shell` (and `kbridge` alone on a terminal): its options, then
 * the shell itself (ui/ui.h). */
#include "cli/cli.h"
#include "ui/ui.h"
#include "base/intl.h"

#include <getopt.h>
#include <stdio.h>

static const char shell_help[] = N_(
	"usage: kbridge shell [--pack PACK] [--workspace DIR]\n"
	"       kbridge shell --replay KEYS [--dump FILE] [--timing FILE]   (tests)\n"
	"\n"
	"The course: the lessons on a timeline, each lesson's pages, quizzes and tasks, hints,\n"
	"checks that build your code with Kbuild and boot it in QEMU while you watch, your\n"
	"diff. `kbridge` alone on a terminal opens it too. Press ? in the shell for every key.\n"
	"\n"
	"When the course kernel is not ready, `kbridge setup` runs in the background and the\n"
	"status bar shows its progress; pages and quizzes work meanwhile. Your workspace (a git\n"
	"clone of the kernel tree) is made the first time a task needs it. While a task is open,\n"
	"saving one of its files runs the check again by itself (watch mode, w toggles it).\n"
	"\n"
	"Options:\n"
	"  --pack PACK       the lesson pack: a folder, or a git repository (path or URL, with\n"
	"                    #TAG, #BRANCH or #COMMIT to pin it; see kbridge pack --help)\n"
	"                    (default: $KBRIDGE_PACK, else kbridge's lessons/core)\n"
	"  --workspace DIR   your workspace (default: $KBRIDGE_WORKSPACE, else ~/kbridge-workspace)\n"
	"  --replay KEYS     no terminal: replay KEYS (or the key file @FILE) and quit. Keys are\n"
	"                    characters and <Enter> <Esc> <Up> <Down> <Left> <Right> <PgUp> <PgDn>\n"
	"                    <Home> <End> <Space> <Tab> <C-l> <lt>; <dump> writes the screen,\n"
	"                    <resize WxH> resizes it, <watch> waits for a watched file's save\n"
	"  --dump FILE       where <dump> (and the end of the replay) write the screen as text\n"
	"  --timing FILE     write frame times (first frame, each key) for benchmarks\n"
	"  -h, --help        this text\n"
	"\n"
	"Environment: VISUAL or EDITOR (the editor e opens; else vi, else nano), NO_COLOR,\n"
	"KBRIDGE_HOME, KBRIDGE_PACK, KBRIDGE_WORKSPACE.\n");

int cli_shell(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		fputs(_(shell_help), stdout);
		return 0;
	}
	static const struct option longopts[] = {
		{"pack", required_argument, NULL, 'p'},
		{"workspace", required_argument, NULL, 'w'},
		{"replay", required_argument, NULL, 'r'},
		{"dump", required_argument, NULL, 'd'},
		{"timing", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	struct ui_opts o = {0};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p': o.pack = optarg; break;
		case 'w': o.workspace = optarg; break;
		case 'r': o.replay = optarg; break;
		case 'd': o.dump = optarg; break;
		case 't': o.timing = optarg; break;
		default:
			fputs(_("see: kbridge shell --help\n"), stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("kbridge shell: unexpected argument '%s'\n"), argv[optind]);
		return 2;
	}
	return ui_main(&o);
}

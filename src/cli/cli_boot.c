/* cli_boot.c - `kbridge boot`: build module folders, boot the course kernel with them,
 * insert them, run commands, remove them, and say what happened. */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "kernel/kernel.h"
#include "sys/runner.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char boot_help[] = N_(
	"usage: kbridge boot [--build DIR]... [--insmod FILE.ko]... [--run CMD]...\n"
	"                    [--timeout S] [--cpus N] [--memory MB] [--log]\n"
	"\n"
	"Build each DIR as an external module against the reference build\n"
	"(make -C BUILD M=DIR LLVM=1 modules), boot the course kernel in QEMU with every\n"
	"module built or given, insert them in order, run each CMD in the guest's shell,\n"
	"remove the modules in reverse order, and print each command's output and exit\n"
	"status, the kernel log written after boot, and any oops or panic.\n"
	"\n"
	"With no --run: the modules are inserted and you get an interactive busybox shell on\n"
	"the console (type 'exit' to power off; Ctrl-A X quits QEMU); it has no time limit\n"
	"unless --timeout is given. When standard input is not a terminal (a script, a\n"
	"pipe, </dev/null), each of its lines up to the end of input is a command instead\n"
	"(blank lines and lines starting with # are skipped), run as with --run.\n"
	"\n"
	"Options:\n"
	"  --build DIR     build this module folder first (repeatable)\n"
	"  --insmod FILE   a .ko to insert (repeatable); in the guest it is /kb/mod/FILE\n"
	"  --run CMD       a shell command to run in the guest (repeatable)\n"
	"  --timeout S     stop a guest that has not finished after S seconds: by default\n"
	"                  60 with --run or commands from standard input (also the time\n"
	"                  allowed to read them), and no limit for the interactive shell\n"
	"  --cpus N        virtual CPUs (default 1)\n"
	"  --memory MB     guest memory (default 128)\n"
	"  --log           print the whole kernel log, not only what came after boot\n"
	"  -h, --help      this text\n"
	"\n"
	"Exit status: 0 when every build, insmod, command and rmmod succeeded and the kernel\n"
	"had no oops or panic; 1 otherwise; 2 for bad arguments.\n");

static char *guest_ko(const char *ko)
{
	char *copy = kb_strdup(ko);
	char *p = kb_asprintf("/kb/mod/%s", basename(copy));
	free(copy);
	return p;
}

struct live {
	bool tty;
	double start;
	unsigned spin;
};

static void on_tick(void *ctx)
{
	struct live *l = ctx;
	if (!l->tty)
		return;
	static const char frames[] = "|/-\\";
	fprintf(stderr, "\r%c %.1f s", frames[l->spin++ % 4], kb_now() - l->start);
	fflush(stderr);
}

static void clear_live(struct live *l)
{
	if (l->tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

static void print_kernel_log(const char *log, bool all)
{
	const char *from = log;
	if (!all) {
		const char *init = strstr(log, "Run /init as init process");
		if (init) {
			const char *nl = strchr(init, '\n');
			from = nl ? nl + 1 : init + strlen(init);
			/* and the indented lines that follow it (arguments, environment) */
			for (;;) {
				const char *msg = strchr(from, ']');
				nl = strchr(from, '\n');
				if (!msg || !nl || msg > nl || strncmp(msg + 1, "   ", 3) != 0)
					break;
				from = nl + 1;
			}
		}
	}
	fputs(from, stdout);
	if (*from && from[strlen(from) - 1] != '\n')
		putchar('\n');
}

/* Commands from standard input (not a terminal): one a line until end of input, blank
   lines and # comments skipped, at most 256 of at most 4 KiB. Reading stops with an
   error when no end of input came within `timeout` seconds or on an interrupt. Returns 0
   or a KB_E* code with the message set. */
static int read_stdin_commands(struct kb_strv *runs, double timeout)
{
	struct kb_buf in = KB_BUF_INIT;
	double deadline = kb_now() + timeout;
	int rc = 0;
	for (;;) {
		double left = deadline - kb_now();
		if (kb_interrupted) {
			rc = kb_error_set(KB_EINTR, "interrupted while reading commands from standard input");
			break;
		}
		if (left <= 0) {
			rc = kb_error_set(KB_ETIMEOUT, "standard input did not end within %.0f s (--timeout): commands "
					  "are read up to the end of input", timeout);
			break;
		}
		struct pollfd p = {.fd = 0, .events = POLLIN};
		int n = poll(&p, 1, left > 0.2 ? 200 : (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			rc = kb_error_set(KB_EIO, "cannot read standard input: %s", strerror(errno));
			break;
		}
		if (n <= 0)
			continue;
		char chunk[4096];
		ssize_t got = read(0, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = kb_error_set(KB_EIO, "cannot read standard input: %s", strerror(errno));
			break;
		}
		if (got == 0)
			break;
		if (in.len + (size_t)got > 256 * 4096) {
			rc = kb_error_set(KB_EINVAL, "more than 1 MiB of commands on standard input");
			break;
		}
		kb_buf_add(&in, chunk, (size_t)got);
	}
	for (const char *l = in.data; !rc && l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		const char *s = l;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n && *s != '#') {
			if (runs->n >= 256 || n > 4096)
				rc = kb_error_set(KB_EINVAL, "standard input holds more than 256 commands or a line longer "
						  "than 4 KiB");
			else
				kb_strv_push_own(runs, kb_strndup(s, n));
		}
		l = nl ? nl + 1 : l + strlen(l);
	}
	kb_buf_free(&in);
	return rc;
}

/* What `kbridge boot` was given. */
struct boot_args {
	struct kb_strv builds, insmods, runs;
	double timeout;
	bool timeout_given, full_log;
	int cpus, memory;
};

static void boot_args_free(struct boot_args *a)
{
	kb_strv_free(&a->builds);
	kb_strv_free(&a->insmods);
	kb_strv_free(&a->runs);
}

/* Returns 0, or 2 (bad arguments; said on stderr). */
static int parse_boot_args(struct boot_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"build", required_argument, NULL, 'b'},
		{"insmod", required_argument, NULL, 'i'},
		{"run", required_argument, NULL, 'r'},
		{"timeout", required_argument, NULL, 't'},
		{"cpus", required_argument, NULL, 'c'},
		{"memory", required_argument, NULL, 'm'},
		{"log", no_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	*a = (struct boot_args){.builds = KB_STRV_INIT, .insmods = KB_STRV_INIT, .runs = KB_STRV_INIT,
				.timeout = 60, .cpus = 1};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:i:r:t:c:m:l", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': kb_strv_push(&a->builds, optarg); break;
		case 'i': kb_strv_push(&a->insmods, optarg); break;
		case 'r': kb_strv_push(&a->runs, optarg); break;
		case 't': a->timeout = atof(optarg); a->timeout_given = true; break;
		case 'c': a->cpus = atoi(optarg); break;
		case 'm': a->memory = atoi(optarg); break;
		case 'l': a->full_log = true; break;
		default:
			fputs(_(boot_help), stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("kbridge boot: unexpected argument '%s' (modules go after --insmod)\n"), argv[optind]);
		return 2;
	}
	if (a->timeout <= 0) {
		fputs(_("kbridge boot: --timeout must be a positive number of seconds\n"), stderr);
		return 2;
	}
	return 0;
}

/* Build each folder in turn, printing its log, and add the .ko files it made to modules.
 * Returns 0, or -1 when a build failed or could not run (said on stdout or stderr). */
static int build_all(struct kb_strv *modules, const struct kb_strv *builds, const struct kb_home *h,
		     struct kb_toolchain *tc, struct live *live)
{
	for (size_t i = 0; i < builds->n; i++) {
		printf("== build %s\n", builds->v[i]);
		fflush(stdout);
		live->start = kb_now();
		struct kb_build_opts bo = {
			.build_dir = h->build, .module_dir = builds->v[i],
			.make_vars = kb_strv_argv(&tc->make_vars), .env = kb_strv_argv(&tc->env),
			.on_tick = on_tick, .ctx = live,
		};
		struct kb_build_result br;
		int rc = runner_build_module(&br, &bo);
		clear_live(live);
		if (rc) {
			fprintf(stderr, "kbridge boot: %s\n", kb_error_last());
			runner_build_result_free(&br);
			return -1;
		}
		fputs(br.log ? br.log : "", stdout);
		if (!br.ok) {
			printf(br.timed_out ? _("== build failed (timed out, %.1f s): %s\n") :
			       _("== build failed (make exited non-zero, %.1f s): %s\n"), br.elapsed, builds->v[i]);
			runner_build_result_free(&br);
			return -1;
		}
		if (!br.n_ko)
			printf(_("== warning: the build made no .ko in %s (is there a Kbuild with obj-m?)\n"), builds->v[i]);
		for (size_t k = 0; k < br.n_ko; k++)
			kb_strv_push(modules, br.ko_files[k]);
		printf(_("== built in %.1f s\n"), br.elapsed);
		runner_build_result_free(&br);
	}
	return 0;
}

/* The guest's commands: insert every module in order, the commands, then (unless the
 * shell is interactive) remove the modules in reverse order. */
static void guest_commands(struct kb_strv *cmds, const struct kb_strv *modules, const struct kb_strv *runs,
			   bool interactive)
{
	for (size_t i = 0; i < modules->n; i++) {
		char *g = guest_ko(modules->v[i]);
		kb_strv_pushf(cmds, "insmod %s", g);
		free(g);
	}
	for (size_t i = 0; i < runs->n; i++)
		kb_strv_push(cmds, runs->v[i]);
	if (!interactive) {
		for (size_t i = modules->n; i-- > 0;) {
			char *name = kb_module_name(modules->v[i]);
			kb_strv_pushf(cmds, "rmmod %s", name);
			free(name);
		}
	}
}

/* What the boot showed: each command with its output and status, the kernel log, a
 * fault, how the boot ended, and the verdict line. Returns true when all went well. */
static bool print_boot(const struct kb_boot_result *r, int rc, const struct boot_args *a)
{
	bool all_ok = r->status == KB_BOOT_OK && r->fault < KB_FAULT_OOPS && !rc;
	printf("== boot: %s (%.2f s)\n", kb_boot_status_name(r->status), r->elapsed);
	for (size_t i = 0; i < r->n_cmds; i++) {
		printf("$ %s\n", r->cmds[i].command);
		fputs(r->cmds[i].output, stdout);
		if (r->cmds[i].finished)
			printf("[exit %d]\n", r->cmds[i].exit_status);
		else
			printf("%s\n", _("[did not finish]"));
		if (!r->cmds[i].finished || r->cmds[i].exit_status != 0)
			all_ok = false;
	}
	printf(!r->kernel_log_complete ? _("== console (the guest never reached its kernel log dump)\n") :
	       a->full_log ? _("== kernel log\n") : _("== kernel log (after boot)\n"));
	print_kernel_log(r->kernel_log, a->full_log || !r->kernel_log_complete);
	if (r->fault != KB_FAULT_NONE)
		printf("== %s\n%s", kb_fault_name(r->fault), r->fault_excerpt ? r->fault_excerpt : "");
	if (r->status == KB_BOOT_QEMU_FAILED && r->qemu_error)
		printf(_("== QEMU failed (exit %d)\n%s\n"), r->qemu_exit, r->qemu_error);
	if (r->status == KB_BOOT_HANG)
		printf(_("== the guest did not finish within %.0f s and was stopped\n"), a->timeout);
	if (r->status == KB_BOOT_FLOOD)
		fputs(_("== the guest printed too much and was stopped\n"), stdout);
	if (rc == KB_EINTR)
		fputs(_("== interrupted\n"), stdout);
	printf("== verdict: %s\n", all_ok ? "ok" : "FAILED");
	return all_ok;
}

int cli_boot(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(boot_help);
		return 0;
	}
	struct boot_args a;
	int status = parse_boot_args(&a, argc, argv);
	if (status) {
		boot_args_free(&a);
		return status;
	}
	/* the interactive shell needs a terminal; without one, the commands come from stdin */
	bool interactive = a.runs.n == 0 && isatty(0);
	bool from_stdin = a.runs.n == 0 && !interactive;
	if (from_stdin && read_stdin_commands(&a.runs, a.timeout) < 0) {
		fprintf(stderr, "kbridge boot: %s\n", kb_error_last());
		boot_args_free(&a);
		return kb_interrupted ? 1 : 2;
	}

	status = 1;
	struct kb_home h;
	struct kb_toolchain tc = {0};
	struct kb_strv modules = KB_STRV_INIT, cmds = KB_STRV_INIT;
	struct kb_boot_result r;
	memset(&r, 0, sizeof r);
	if (kb_home_init(&h) < 0) {
		fprintf(stderr, "kbridge boot: %s\n", kb_error_last());
		boot_args_free(&a);
		return 1;
	}
	struct kb_setup_status ss;
	kb_setup_status(&ss, &h);
	if (!ss.ready) {
		fputs(_("kbridge boot: the course kernel is not ready (see 'kbridge setup --status'); "
			"run 'kbridge setup' first\n"), stderr);
		goto cleanup;
	}
	kb_toolchain_init(&tc, &h);
	struct live live = {.tty = isatty(2) != 0};
	if (build_all(&modules, &a.builds, &h, &tc, &live) < 0)
		goto cleanup;
	for (size_t i = 0; i < a.insmods.n; i++) {
		if (!kb_path_exists(a.insmods.v[i])) {
			fprintf(stderr, _("kbridge boot: module %s not found\n"), a.insmods.v[i]);
			goto cleanup;
		}
		kb_strv_push(&modules, a.insmods.v[i]);
	}
	guest_commands(&cmds, &modules, &a.runs, interactive);

	struct kb_boot_opts bo = {
		.kernel = h.bzimage, .initramfs = h.initramfs,
		.modules = kb_strv_argv(&modules), .commands = kb_strv_argv(&cmds),
		/* the interactive shell has no limit unless one is asked for */
		.timeout = interactive && !a.timeout_given ? 0 : a.timeout, .cpus = a.cpus, .memory_mb = a.memory,
		.interactive = interactive,
		.on_tick = interactive ? NULL : on_tick, .ctx = &live,
	};
	if (interactive)
		fputs(_("== booting the course kernel (interactive; type 'exit' to power off)\n"), stdout);
	fflush(stdout);
	live.start = kb_now();
	int rc = runner_boot(&r, &bo);
	clear_live(&live);
	if (rc && rc != KB_EINTR)
		fprintf(stderr, "kbridge boot: %s\n", kb_error_last());
	else if (interactive)
		status = r.status == KB_BOOT_OK ? 0 : 1;
	else
		status = print_boot(&r, rc, &a) ? 0 : 1;
	runner_boot_result_free(&r);
cleanup:
	boot_args_free(&a);
	kb_strv_free(&modules);
	kb_strv_free(&cmds);
	kb_toolchain_free(&tc);
	kb_home_free(&h);
	return status;
}

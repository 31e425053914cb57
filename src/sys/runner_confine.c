/* runner_confine.c - what a pack runs on the host (Kbuild, Kconfig) runs inside
 * bubblewrap. See runner.h. */
#define _GNU_SOURCE
#include "sys/runner.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool probed;
static enum kb_confine state;
static char why_text[1024];

#define FIX_OFF N_("or run unconfined with --no-sandbox or KBRIDGE_NO_SANDBOX=1")

/* bwrap and its options, up to the command */
static void push_bwrap(struct kb_strv *argv, const char *bwrap, const char *const *readable,
		       const char *const *writable)
{
	static const char *const opts[] = {
		"--ro-bind", "/", "/",   /* everything read-only ... */
		"--dev", "/dev",         /* ... a /dev of its own (null, zero, urandom, tty) */
		"--proc", "/proc",
		"--tmpfs", "/tmp",       /* a private /tmp */
		"--setenv", "TMPDIR", "/tmp",
		"--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
		"--new-session",         /* no ioctl on our terminal (TIOCSTI) */
		"--die-with-parent",
		NULL,
	};
	kb_strv_push(argv, bwrap);
	for (const char *const *o = opts; *o; o++)
		kb_strv_push(argv, *o);
	for (const char *const *r = readable; r && *r; r++) {
		kb_strv_push(argv, "--ro-bind");   /* what the private /tmp would hide */
		kb_strv_push(argv, *r);
		kb_strv_push(argv, *r);
	}
	for (const char *const *w = writable; w && *w; w++) {
		kb_strv_push(argv, "--bind");   /* ... but these folders */
		kb_strv_push(argv, *w);
		kb_strv_push(argv, *w);
	}
	kb_strv_push(argv, "--");
}

static bool told_off(void)
{
	const char *e = getenv("KBRIDGE_NO_SANDBOX");
	return e && *e && strcmp(e, "0") != 0;
}

enum kb_confine runner_confine_status(const char **why)
{
	if (told_off()) {
		if (why)
			*why = _("off: KBRIDGE_NO_SANDBOX=1 (or --no-sandbox) was given; builds run with your full rights");
		return KB_CONFINE_OFF;
	}
	if (!probed) {
		probed = true;
		char *bwrap = kb_which("bwrap");
		if (!bwrap) {
			state = KB_CONFINE_UNAVAILABLE;
			snprintf(why_text, sizeof why_text, _("builds run in a sandbox and bwrap is not installed: "
							      "install it (apt-get install bubblewrap), %s"), _(FIX_OFF));
		} else {
			struct kb_strv argv = KB_STRV_INIT;
			push_bwrap(&argv, bwrap, NULL, NULL);
			kb_strv_push(&argv, "true");
			struct kb_exec_opts eo = {.argv = kb_strv_argv(&argv), .timeout = 10, .stdin_fd = KB_STDIN_NULL,
						  .output_cap = 4096};
			struct kb_exec_result er;
			int rc = runner_exec(&er, &eo);
			if (rc == 0 && er.exit_code == 0) {
				state = KB_CONFINE_ON;
				snprintf(why_text, sizeof why_text, _("on: %s (read-only file system but the module "
								      "folder, private /tmp, no network)"), bwrap);
			} else {
				char said[300] = "";
				if (er.output) {
					int n = (int)strcspn(er.output, "\n");
					while (n > 0 && (er.output[n - 1] == '.' || er.output[n - 1] == ' '))
						n--;
					snprintf(said, sizeof said, "%.*s", n, er.output);
				}
				state = KB_CONFINE_UNAVAILABLE;
				snprintf(why_text, sizeof why_text, _("builds run in a sandbox and bwrap cannot make "
								      "namespaces here (%s): allow unprivileged user namespaces "
								      "(sysctl kernel.unprivileged_userns_clone=1; in a container, a seccomp "
								      "profile that allows them), %s"),
					 said[0] ? said : _("it failed"), _(FIX_OFF));
			}
			runner_exec_result_free(&er);
			kb_strv_free(&argv);
			free(bwrap);
		}
	}
	if (why)
		*why = why_text;
	return state;
}

int runner_confine(struct kb_strv *argv, const char *const *readable, const char *const *writable)
{
	const char *why;
	enum kb_confine s = runner_confine_status(&why);
	if (s == KB_CONFINE_OFF)
		return 0;
	if (s == KB_CONFINE_UNAVAILABLE)
		return kb_error_set(KB_ECHILD, "%s", why);
	char *bwrap = kb_which("bwrap");
	push_bwrap(argv, bwrap ? bwrap : "bwrap", readable, writable);
	free(bwrap);
	return 1;
}

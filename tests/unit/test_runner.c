/* Unit tests of the runner: child processes, fault detection, cpio, and the boot protocol
 * against a fake QEMU (tests/fixtures/fake/qemu). The real QEMU is in tests/integration. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "kernel/kernel.h"
#include "sys/runner.h"
#include "base/util.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *FAKE = "tests/fixtures/fake/qemu";

static void exec_exit_status_and_output(void **state)
{
	struct kb_exec_opts o = {.argv = (char *[]){"sh", "-c", "echo out; echo err >&2; exit 7", NULL}};
	struct kb_exec_result r;
	assert_int_equal(runner_exec(&r, &o), 0);
	assert_int_equal(r.exit_code, 7);
	assert_non_null(strstr(r.output, "out\n"));
	assert_non_null(strstr(r.output, "err\n"));
	assert_false(r.timed_out);
	runner_exec_result_free(&r);
}

static void exec_timeout_kills_the_whole_group(void **state)
{
	char marker[64];
	snprintf(marker, sizeof marker, "kbtest-sleeper-%d", (int)getpid());
	char *script = kb_asprintf("sh -c 'sleep 100; : %s' & sleep 100", marker);
	struct kb_exec_opts o = {.argv = (char *[]){"sh", "-c", script, NULL}, .timeout = 0.5};
	struct kb_exec_result r;
	double t0 = kb_now();
	assert_int_equal(runner_exec(&r, &o), 0);
	assert_true(r.timed_out);
	assert_true(kb_now() - t0 < 5);
	assert_int_equal(r.exit_code, -1);
	assert_int_equal(r.term_signal, SIGKILL);
	usleep(100000);
	/* [k] keeps pgrep from matching the shell that runs it */
	char *cmd = kb_asprintf("pgrep -f '[k]%s' > /dev/null", marker + 1);
	assert_int_not_equal(system(cmd), 0);  /* the grandchild is gone too */
	free(cmd);
	free(script);
	runner_exec_result_free(&r);
}

static void exec_output_cap_keeps_the_head(void **state)
{
	struct kb_exec_opts o = {.argv = (char *[]){"sh", "-c", "yes kbridge | head -c 100000", NULL},
				 .output_cap = 1000};
	struct kb_exec_result r;
	assert_int_equal(runner_exec(&r, &o), 0);
	assert_true(r.truncated);
	assert_int_equal(r.output_len, 1000);
	assert_memory_equal(r.output, "kbridge\nkbridge\n", 16);
	runner_exec_result_free(&r);
}

struct feed_state {
	int chunks;
};

static long feed_three(void *ctx, char *buf, size_t cap)
{
	struct feed_state *f = ctx;
	if (f->chunks == 3)
		return 0;
	f->chunks++;
	memcpy(buf, "abc\n", 4);
	return 4;
}

static void exec_feeds_stdin(void **state)
{
	struct feed_state f = {0};
	struct kb_exec_opts o = {.argv = (char *[]){"wc", "-l", NULL}, .feed = feed_three, .ctx = &f};
	struct kb_exec_result r;
	assert_int_equal(runner_exec(&r, &o), 0);
	assert_int_equal(atoi(r.output), 3);
	runner_exec_result_free(&r);
}

static void exec_missing_program(void **state)
{
	struct kb_exec_opts o = {.argv = (char *[]){"/no/such/program", NULL}};
	struct kb_exec_result r;
	assert_int_equal(runner_exec(&r, &o), 0);
	assert_int_equal(r.exit_code, 127);
	assert_non_null(strstr(r.output, "cannot run /no/such/program"));
	runner_exec_result_free(&r);
}

static const char rust_panic_log[] =
	"[    0.52] rust_panic: reading element 5 of 1\n"
	"[    0.53] rust_kernel: panicked at rust_panic.rs:24:52:\n"
	"[    0.53] index out of bounds: the len is 1 but the index is 5\n"
	"[    0.53] ------------[ cut here ]------------\n"
	"[    0.53] kernel BUG at rust/helpers/bug.c:7!\n"
	"[    0.53] Oops: invalid opcode: 0000 [#1] NOPTI\n"
	"[    0.53] RIP: 0010:rust_helper_BUG+0x4/0x10\n"
	"[    0.54] ---[ end trace 0000000000000000 ]---\n"
	"[    0.55] after the trace\n";

static void fault_rust_panic_is_worst_and_excerpted(void **state)
{
	char *ex = NULL;
	assert_int_equal(kb_detect_fault(rust_panic_log, &ex), KB_FAULT_RUST_PANIC);
	assert_non_null(ex);
	assert_true(kb_str_starts(ex, "[    0.53] rust_kernel: panicked at"));
	assert_non_null(strstr(ex, "RIP: 0010:rust_helper_BUG"));
	assert_true(kb_str_ends(ex, "---[ end trace 0000000000000000 ]---\n"));
	assert_null(strstr(ex, "after the trace"));
	free(ex);
}

static void fault_kinds(void **state)
{
	assert_int_equal(kb_detect_fault("all fine\nnothing here\n", NULL), KB_FAULT_NONE);
	assert_int_equal(kb_detect_fault("x\nBUG: kernel NULL pointer dereference, address: 0\n", NULL), KB_FAULT_OOPS);
	assert_int_equal(kb_detect_fault("WARNING: CPU: 0 PID: 1 at lib/x.c:1 f+0x1/0x2\n", NULL), KB_FAULT_WARNING);
	/* lockdep's reports are warnings too; a plain "WARNING:" in a message is not */
	assert_int_equal(kb_detect_fault("[ 1.0] WARNING: possible circular locking dependency detected\n", NULL),
			 KB_FAULT_WARNING);
	assert_int_equal(kb_detect_fault("[ 1.0] WARNING: inconsistent lock state\n", NULL), KB_FAULT_WARNING);
	assert_int_equal(kb_detect_fault("[ 1.0] usb 1-1: WARNING: old firmware\n", NULL), KB_FAULT_NONE);
	assert_int_equal(kb_detect_fault("[ 1.0] BUG: KASAN: slab-out-of-bounds in f+0x1/0x2\n", NULL), KB_FAULT_OOPS);
	assert_int_equal(kb_detect_fault("Oops: 0000 [#1]\nKernel panic - not syncing: Fatal exception\n", NULL),
			 KB_FAULT_PANIC);
	char *ex = NULL;
	/* the cut-here line before a warning belongs to its excerpt */
	assert_int_equal(kb_detect_fault("a\n------------[ cut here ]------------\nWARNING: CPU: 0 PID: 1\nb\n", &ex),
			 KB_FAULT_WARNING);
	assert_true(kb_str_starts(ex, "------------[ cut here ]"));
	free(ex);
	/* UBSAN's bounds check, as the course kernel prints it */
	assert_int_equal(kb_detect_fault("[    0.56] ------------[ cut here ]------------\n"
					 "[    0.56] UBSAN: array-index-out-of-bounds in /tmp/oob/oob.c:6:36\n"
					 "[    0.56] index 6 is out of range for type 'int[4]'\n"
					 "[    0.56] ---[ end trace ]---\n[    0.57] oob: wrote table[6]\n", &ex),
			 KB_FAULT_WARNING);
	assert_non_null(strstr(ex, "index 6 is out of range"));
	assert_null(strstr(ex, "oob: wrote"));
	free(ex);
	assert_int_equal(kb_detect_fault(NULL, &ex), KB_FAULT_NONE);
	assert_null(ex);
}

/* Parse a newc archive back: the names, modes and data it holds, in order. */
static void cpio_round_trip(void **state)
{
	struct kb_cpio *c = kb_cpio_new();
	kb_cpio_dir(c, "/kb", 0755);
	kb_cpio_file(c, "/kb/cmd/000", 0644, "echo hi", 7);
	kb_cpio_symlink(c, "bin/sh", "busybox");
	kb_cpio_chardev(c, "dev/console", 0600, 5, 1);
	size_t len;
	char *a = kb_cpio_finish(c, &len);
	kb_cpio_free(c);
	assert_int_equal(len % 512, 0);
	const char *want_names[] = {"kb", "kb/cmd/000", "bin/sh", "dev/console", "TRAILER!!!"};
	unsigned want_modes[] = {040755, 0100644, 0120777, 020600, 0};
	size_t off = 0;
	for (int i = 0; i < 5; i++) {
		assert_memory_equal(a + off, "070701", 6);
		unsigned f[13];
		for (int k = 0; k < 13; k++) {
			char hex[9];
			memcpy(hex, a + off + 6 + 8 * k, 8);
			hex[8] = '\0';
			f[k] = (unsigned)strtoul(hex, NULL, 16);
		}
		assert_int_equal(f[1], want_modes[i]);
		const char *name = a + off + 110;
		assert_string_equal(name, want_names[i]);
		if (i == 3) {
			assert_int_equal(f[9], 5);   /* rdevmajor */
			assert_int_equal(f[10], 1);  /* rdevminor */
		}
		off += 110 + f[11];
		off = (off + 3) & ~(size_t)3;
		if (i == 1)
			assert_memory_equal(a + off, "echo hi", 7);
		if (i == 2)
			assert_memory_equal(a + off, "busybox", 7);
		off += f[6];
		off = (off + 3) & ~(size_t)3;
	}
	free(a);
}

static void gitignore_debian_block_removed(void **state)
{
	const char *in = "*.o\n/rust-project.json\n\n#\n# Debian packaging: ignore everything at the top level, since it isn't\n"
			 "# included in our repository\n#\n/*\n!/debian/\n";
	char *out = kb_gitignore_without_debian_block(in);
	assert_string_equal(out, "*.o\n/rust-project.json\n");
	free(out);
	out = kb_gitignore_without_debian_block("*.o\n/foo\n");
	assert_string_equal(out, "*.o\n/foo\n");
	free(out);
}

static void version_compare(void **state)
{
	assert_true(kb_version_cmp("0.60.1", "0.65.1") < 0);
	assert_true(kb_version_cmp("0.65.1", "0.65.1") == 0);
	assert_true(kb_version_cmp("0.71.0", "0.65.1") > 0);
	assert_true(kb_version_cmp("1.96.0", "1.78") > 0);
	assert_true(kb_version_cmp("14.0.6", "13.0.1") > 0);
}

/* ---- the boot protocol, against the fake QEMU ---- */

struct boot_env {
	char *kernel, *initramfs;
};

static int boot_with_fake(struct kb_boot_result *r, const char *mode, char **cmds, double timeout)
{
	setenv("FAKE_QEMU_MODE", mode, 1);
	char kernel[] = "/tmp/kbtest-kernel-XXXXXX";
	int fd = mkstemp(kernel);
	close(fd);
	char base[] = "/tmp/kbtest-initramfs-XXXXXX";
	fd = mkstemp(base);
	close(fd);
	struct kb_cpio *c = kb_cpio_new();
	size_t len;
	char *data = kb_cpio_finish(c, &len);
	kb_cpio_free(c);
	kb_write_file_atomic(base, data, len, 0644);
	free(data);
	struct kb_boot_opts o = {.qemu = FAKE, .kernel = kernel, .initramfs = base, .bios = "",
				 .commands = cmds, .timeout = timeout, .output_cap = 64 * 1024};
	int rc = runner_boot(r, &o);
	unlink(kernel);
	unlink(base);
	return rc;
}

static void boot_protocol_ok(void **state)
{
	struct kb_boot_result r;
	char *cmds[] = {"echo hello", "false", NULL};
	assert_int_equal(boot_with_fake(&r, "ok", cmds, 10), 0);
	assert_int_equal(r.status, KB_BOOT_OK);
	assert_int_equal(r.n_cmds, 2);
	assert_string_equal(r.cmds[0].command, "echo hello");
	assert_string_equal(r.cmds[0].output, "hello from 0\n");
	assert_int_equal(r.cmds[0].exit_status, 0);
	assert_string_equal(r.cmds[1].output, "first line\nno newline at the end");
	assert_int_equal(r.cmds[1].exit_status, 3);
	assert_true(r.kernel_log_complete);
	assert_non_null(strstr(r.kernel_log, "mod: hello"));
	assert_null(strstr(r.console, "@@KB"));
	assert_null(strstr(r.console, "mod: hello"));  /* the dump is the kernel log, not console */
	assert_non_null(strstr(r.console, "Linux version"));
	assert_int_equal(r.fault, KB_FAULT_NONE);
	runner_boot_result_free(&r);
}

static void boot_protocol_ignores_a_spoofed_marker(void **state)
{
	struct kb_boot_result r;
	char *cmds[] = {"cat /evil", NULL};
	assert_int_equal(boot_with_fake(&r, "spoof", cmds, 10), 0);
	assert_int_equal(r.status, KB_BOOT_OK);
	assert_non_null(strstr(r.cmds[0].output, "still 0"));
	runner_boot_result_free(&r);
}

static void boot_crash_is_reported_with_the_panic(void **state)
{
	struct kb_boot_result r;
	char *cmds[] = {"insmod /kb/mod/x.ko", NULL};
	assert_int_equal(boot_with_fake(&r, "crash", cmds, 10), 0);
	assert_int_equal(r.status, KB_BOOT_CRASHED);
	assert_int_equal(r.fault, KB_FAULT_PANIC);
	assert_false(r.cmds[0].finished);
	assert_false(r.kernel_log_complete);
	assert_non_null(strstr(r.fault_excerpt, "panicked at x.rs:1:1"));
	assert_non_null(strstr(r.fault_excerpt, "end Kernel panic"));
	runner_boot_result_free(&r);
}

static void boot_hang_is_stopped_at_the_timeout(void **state)
{
	struct kb_boot_result r;
	char *cmds[] = {"sleep 1000", NULL};
	double t0 = kb_now();
	assert_int_equal(boot_with_fake(&r, "hang", cmds, 1.0), 0);
	assert_true(kb_now() - t0 < 5);
	assert_int_equal(r.status, KB_BOOT_HANG);
	assert_string_equal(r.cmds[0].output, "sleeping\n");
	assert_false(r.cmds[0].finished);
	runner_boot_result_free(&r);
}

static void boot_flood_is_capped(void **state)
{
	struct kb_boot_result r;
	char *cmds[] = {"yes", NULL};
	assert_int_equal(boot_with_fake(&r, "flood", cmds, 30), 0);
	assert_int_equal(r.status, KB_BOOT_FLOOD);
	assert_true(r.truncated);
	assert_true(strlen(r.console) <= 64 * 1024);
	runner_boot_result_free(&r);
}

static void boot_qemu_failure_is_reported(void **state)
{
	struct kb_boot_result r;
	char *cmds[] = {"true", NULL};
	assert_int_equal(boot_with_fake(&r, "fail", cmds, 10), 0);
	/* the fake printed its banner line first, so the guest "spoke": still a failure */
	assert_true(r.status == KB_BOOT_QEMU_FAILED || r.status == KB_BOOT_CRASHED);
	assert_int_equal(r.qemu_exit, 1);
	runner_boot_result_free(&r);
}

static void boot_missing_kernel_is_not_ready(void **state)
{
	struct kb_boot_result r;
	struct kb_boot_opts o = {.qemu = FAKE, .kernel = "/no/bzImage", .initramfs = "/no/initramfs"};
	assert_int_equal(runner_boot(&r, &o), KB_ENOTREADY);
	assert_non_null(strstr(kb_error_last(), "/no/bzImage"));
}

/* The build sandbox: what bwrap is given, and that a confined command can write only
 * where it was told. Skipped (and said) when bwrap cannot run here. */
static void confine_writes_only_where_told(void **state)
{
	unsetenv("KBRIDGE_NO_SANDBOX");
	const char *why;
	if (runner_confine_status(&why) != KB_CONFINE_ON) {
		printf("# bwrap unavailable, not tried: %s\n", why);
		return;
	}
	char dir[] = "/tmp/kbtest-confine-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *ro = kb_path_join(dir, "ro"), *rw = kb_path_join(dir, "rw");
	assert_int_equal(kb_mkdir_p(ro, 0755), 0);
	assert_int_equal(kb_mkdir_p(rw, 0755), 0);
	char *in = kb_path_join(ro, "in"), *out = kb_path_join(rw, "out");
	assert_int_equal(kb_write_file_atomic(in, "seen\n", 5, 0644), 0);
	struct kb_strv argv = KB_STRV_INIT;
	const char *readable[] = {ro, NULL}, *writable[] = {rw, NULL};
	assert_int_equal(runner_confine(&argv, readable, writable), 1);
	assert_true(kb_str_ends(argv.v[0], "bwrap"));
	assert_string_equal(argv.v[argv.n - 1], "--");
	bool net = false;
	for (size_t i = 0; i < argv.n; i++)
		net |= strcmp(argv.v[i], "--unshare-net") == 0;
	assert_true(net);
	char *script = kb_asprintf("cat %s/in; touch %s/out && echo rw-ok; touch %s/out || echo ro-refused; "
				   "touch $HOME/kbtest-confine-%d || echo home-refused; ls /tmp | wc -l",
				   ro, rw, ro, (int)getpid());
	kb_strv_push(&argv, "sh");
	kb_strv_push(&argv, "-c");
	kb_strv_push(&argv, script);
	struct kb_exec_opts o = {.argv = kb_strv_argv(&argv), .timeout = 20};
	struct kb_exec_result r;
	assert_int_equal(runner_exec(&r, &o), 0);
	assert_non_null(strstr(r.output, "seen\n"));          /* the readable folder under /tmp */
	assert_non_null(strstr(r.output, "rw-ok\n"));
	assert_non_null(strstr(r.output, "ro-refused\n"));
	assert_non_null(strstr(r.output, "home-refused\n"));
	assert_non_null(strstr(r.output, "\n1\n"));          /* /tmp holds only the bound folder */
	char *home = kb_asprintf("%s/kbtest-confine-%d", getenv("HOME"), (int)getpid());
	assert_false(kb_path_exists(home));
	assert_true(kb_path_exists(out));
	free(in);
	free(out);
	runner_exec_result_free(&r);
	free(home);
	free(script);
	kb_strv_free(&argv);

	/* told to run unconfined: nothing is put in front */
	setenv("KBRIDGE_NO_SANDBOX", "1", 1);
	assert_int_equal(runner_confine(&argv, NULL, NULL), 0);
	assert_int_equal(argv.n, 0);
	assert_int_equal(runner_confine_status(NULL), KB_CONFINE_OFF);
	unsetenv("KBRIDGE_NO_SANDBOX");
	kb_rm_rf(dir);
	free(ro);
	free(rw);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(exec_exit_status_and_output),
	cmocka_unit_test(confine_writes_only_where_told),
	cmocka_unit_test(exec_timeout_kills_the_whole_group),
	cmocka_unit_test(exec_output_cap_keeps_the_head),
	cmocka_unit_test(exec_feeds_stdin),
	cmocka_unit_test(exec_missing_program),
	cmocka_unit_test(fault_rust_panic_is_worst_and_excerpted),
	cmocka_unit_test(fault_kinds),
	cmocka_unit_test(cpio_round_trip),
	cmocka_unit_test(gitignore_debian_block_removed),
	cmocka_unit_test(version_compare),
	cmocka_unit_test(boot_protocol_ok),
	cmocka_unit_test(boot_protocol_ignores_a_spoofed_marker),
	cmocka_unit_test(boot_crash_is_reported_with_the_panic),
	cmocka_unit_test(boot_hang_is_stopped_at_the_timeout),
	cmocka_unit_test(boot_flood_is_capped),
	cmocka_unit_test(boot_qemu_failure_is_reported),
	cmocka_unit_test(boot_missing_kernel_is_not_ready),
};

KB_TEST_MAIN(tests)

/* runner.h - child processes for kbridge: make, tar, QEMU.
 *
 * With sys/apart.h, the only modules that fork. Every child runs in its own process group (unless it
 * needs the terminal) so a timeout or an interrupt kills the child and all it spawned.
 * Output is read with poll(), never with a blocking read, and handed to a callback as
 * it arrives so a caller (the shell, a progress bar) stays responsive.
 */
#ifndef KB_RUNNER_H
#define KB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

struct kb_strv;

#define KB_STDIN_NULL (-1)     /* child's stdin is /dev/null */
#define KB_STDIN_INHERIT (-2)  /* child shares our stdin (interactive) */

struct kb_exec_opts {
	char *const *argv;      /* argv[0] is looked up in PATH; required */
	char *const *env;       /* "NAME=value" set for the child on top of ours; may be NULL */
	const char *cwd;        /* NULL: ours */
	double timeout;         /* seconds; 0: none */
	size_t output_cap;      /* bytes of output kept; 0: 8 MiB. The rest is read and dropped */
	int stdin_fd;           /* KB_STDIN_NULL, KB_STDIN_INHERIT, or an fd the child reads */
	bool interactive;       /* output goes straight to our terminal, child stays in our
				   process group (it needs the terminal); nothing is captured */
	/* Called with each chunk of output (stdout and stderr merged) as it arrives. */
	void (*on_output)(void *ctx, const char *data, size_t len);
	/* Called about every 100 ms while the child runs (spinners, elapsed time). */
	void (*on_tick)(void *ctx);
	/* Optional stdin feeder: fills buf with up to cap bytes and returns how many;
	   0 closes the child's stdin; KB_FEED_LATER: nothing yet (asked again at the next
	   turn of the loop: after each output chunk, at least every 100 ms); another
	   negative value aborts (the child is killed). */
	long (*feed)(void *ctx, char *buf, size_t cap);
	void *ctx;
	/* When non-NULL and it becomes true (set from a callback), the child's group is
	   killed and runner_exec() returns; res->stopped tells. */
	const volatile bool *stop;
};

struct kb_exec_result {
	int exit_code;       /* the child's exit status; -1 when it was killed by a signal */
	int term_signal;     /* the signal that ended it, or 0 */
	bool timed_out;      /* we killed it at the timeout */
	bool interrupted;    /* we killed it because kb_interrupted was set */
	bool stopped;        /* we killed it because *opts->stop became true */
	bool truncated;      /* output passed output_cap; output holds the first output_cap bytes */
	char *output;        /* merged stdout+stderr, NUL-terminated; owned, free with
				runner_exec_result_free() */
	size_t output_len;
	double elapsed;      /* wall seconds */
};

/* Run a child to completion. Returns 0 when the child was started and waited for,
 * whatever its exit status (look at res), KB_EINTR when interrupted, KB_ECHILD when it
 * could not be started (kb_error_last() says why). res is always filled and must be
 * freed. */
int runner_exec(struct kb_exec_result *res, const struct kb_exec_opts *opts);
void runner_exec_result_free(struct kb_exec_result *res);

#define KB_FEED_LATER (-2L)

/* A child started now and waited for later (a guest booting while its modules build):
 * runner_exec_start() starts o->argv as runner_exec() would (its own group, killed with
 * us) and returns at once; what it prints waits in the pipe. It gets a stdin pipe when
 * o->feed is set. Returns 0 or KB_ECHILD (*run is then NULL). */
struct kb_exec_run;
int runner_exec_start(struct kb_exec_run **run, const struct kb_exec_opts *o);
/* Then wait for it as runner_exec() does, with o's callbacks, feed, stop, cap and
 * timeout (counted from now; res->elapsed too); o->argv, env, cwd and stdin_fd are not
 * used. Frees run. Returns what runner_exec() returns. */
int runner_exec_wait(struct kb_exec_run *run, struct kb_exec_result *res, const struct kb_exec_opts *o);
/* Or kill its group and reap it. Frees run; NULL does nothing. */
void runner_exec_kill(struct kb_exec_run *run);

/* ---- Background children ------------------------------------------------------------ */

/* A child started without waiting for it (the shell's background `kbridge setup`): its
 * own process group, stdin /dev/null, stdout and stderr merged into a non-blocking pipe. */
struct kb_child {
	int pid;             /* 0 when none */
	int fd;              /* read end of the output pipe; -1 once closed */
};

/* Start argv (argv[0] looked up in PATH) with env ("NAME=value", may be NULL) on top of
 * ours. Returns 0 or KB_ECHILD. */
int runner_spawn(struct kb_child *ch, char *const *argv, char *const *env);
/* Read what the child printed so far, without blocking: bytes read, 0 when nothing is
 * there now, -1 when the output is closed. */
long runner_child_read(struct kb_child *ch, char *buf, size_t cap);
/* Reap the child without blocking: 1 with *exit_code (-1: killed by a signal) when it
 * has ended (ch->pid becomes 0), 0 while it runs. */
int runner_child_reap(struct kb_child *ch, int *exit_code);
/* Ask the child to stop (SIGTERM; it ends what it started) and wait for it, up to
 * `grace` seconds, then kill its group. Closes the pipe. */
void runner_child_stop(struct kb_child *ch, double grace);

/* Run a command and return its first line of output (trimmed), or NULL if it could not
 * run or exited non-zero. For version probes: runner_capture_line((char*[]){"rustc",
 * "--version", NULL}). Caller frees. */
char *runner_capture_line(char *const *argv);

/* ---- The build sandbox -------------------------------------------------------------- */

/* What a pack controls and runs on the host (Kbuild and the Makefiles make reads, a
 * Kconfig's $(shell,...)) runs inside bubblewrap: the whole file system read-only but
 * the folders given, a private /tmp, /dev and /proc of its own, no network, no IPC, its
 * own pid namespace, a new session, and killed with kbridge (--die-with-parent).
 *
 * Where bwrap is missing or namespaces are not allowed (some containers), nothing runs
 * unless kbridge is told to run unconfined: `kbridge --no-sandbox COMMAND` or
 * KBRIDGE_NO_SANDBOX=1 in the environment. */
enum kb_confine {
	KB_CONFINE_ON,           /* bwrap works: commands are confined */
	KB_CONFINE_OFF,          /* unconfined, as asked (KBRIDGE_NO_SANDBOX=1) */
	KB_CONFINE_UNAVAILABLE,  /* bwrap is missing or cannot make namespaces */
};

/* Whether commands are confined; probed once (runs bwrap once) and kept. *why (may be
 * NULL) gets one line saying what is wrong and how to fix it when unavailable, what was
 * asked when off, or the bwrap found when on. Static text, owned by the runner. */
enum kb_confine runner_confine_status(const char **why);

/* Put the sandbox in front of argv (which must be empty: the command follows): bwrap and
 * its options, with each folder of `readable` bound read-only and then each of
 * `writable` read-write (NULL-terminated absolute paths; either may be NULL). Everything
 * is readable anyway but what lies under /tmp, which the private /tmp hides: name there
 * what the command must read (a workspace under /tmp). Returns 1 when confined, 0 when
 * running unconfined was asked, or KB_ECHILD with the one line of
 * runner_confine_status() when it is unavailable. */
int runner_confine(struct kb_strv *argv, const char *const *readable, const char *const *writable);

/* ---- Module builds ---------------------------------------------------------------- */

struct kb_build_opts {
	const char *build_dir;     /* the reference build (O= folder of the kernel) */
	const char *module_dir;    /* the external module folder (M=) */
	const char *tree;          /* a folder the build may read besides (the workspace it is
				      in, when it lies under /tmp); may be NULL */
	char *const *make_vars;    /* "VAR=value" passed to make (LLVM=1, RUSTC=...) */
	char *const *env;          /* extra environment (PATH with /usr/bin first ...) */
	const char *target;        /* make target; NULL: "modules" */
	int jobs;                  /* -j; 0: number of CPUs */
	double timeout;            /* seconds; 0: 300 */
	void (*on_output)(void *ctx, const char *data, size_t len);
	void (*on_tick)(void *ctx);
	void *ctx;
};

struct kb_build_result {
	bool ok;             /* make exited 0 */
	int exit_code;
	bool timed_out;
	char *log;           /* make's output, as Kbuild printed it */
	char **ko_files;     /* absolute paths of the .ko files found in module_dir */
	size_t n_ko;
	double elapsed;
};

/* Build an external module folder: make -C build_dir M=module_dir make_vars... target.
 * Returns 0 when make ran (see res->ok for its verdict), KB_EINTR, or KB_ECHILD. */
int runner_build_module(struct kb_build_result *res, const struct kb_build_opts *opts);
void runner_build_result_free(struct kb_build_result *res);

/* ---- Booting the course kernel ------------------------------------------------------ */

/* What went wrong inside the guest kernel, worst last. */
enum kb_fault {
	KB_FAULT_NONE = 0,
	KB_FAULT_WARNING,     /* WARNING: CPU: ..., a UBSAN report such as
				 "UBSAN: array-index-out-of-bounds", or a lockdep report
				 ("WARNING: possible circular locking dependency detected"):
				 the kernel went on */
	KB_FAULT_OOPS,        /* Oops / BUG: / general protection fault */
	KB_FAULT_RUST_PANIC,  /* a Rust panic!() (the kernel's panic handler then BUG()s) */
	KB_FAULT_PANIC,       /* Kernel panic - not syncing */
};
const char *kb_fault_name(enum kb_fault f);

enum kb_boot_status {
	KB_BOOT_OK = 0,       /* the guest ran every command and reported back */
	KB_BOOT_CRASHED,      /* QEMU ended before the guest finished (a kernel panic) */
	KB_BOOT_HANG,         /* killed at the timeout */
	KB_BOOT_FLOOD,        /* the guest printed more than output_cap; it was stopped */
	KB_BOOT_QEMU_FAILED,  /* QEMU could not start or failed on its own */
};
const char *kb_boot_status_name(enum kb_boot_status s);

/* A file put into the guest's initramfs. */
struct kb_guest_file {
	const char *host_path;   /* read at boot time */
	const char *guest_path;  /* absolute, e.g. "/kb/bin/tool" */
	int mode;                /* e.g. 0755 */
};

struct kb_boot_opts {
	const char *qemu;          /* NULL: "qemu-system-x86_64" */
	const char *kernel;        /* bzImage */
	const char *initramfs;     /* the base archive (busybox + /init), uncompressed newc */
	const char *bios;          /* NULL: qboot.rom when present, else QEMU's default */
	char *const *modules;      /* NULL-terminated host .ko paths; each is copied to
				      /kb/mod/<basename> in the guest. Not inserted by
				      themselves: insert them with commands. */
	char *const *commands;     /* NULL-terminated shell commands run in order by the guest's
				      sh, each with its output and exit status recorded */
	const struct kb_guest_file *files;  /* extra files; may be NULL */
	size_t n_files;
	double timeout;            /* seconds for the whole boot; 0: 60 (interactive: no limit) */
	size_t output_cap;         /* serial bytes kept; 0: 2 MiB. Past it the guest is stopped */
	int memory_mb;             /* 0: 128 */
	int cpus;                  /* 0: 1 */
	const char *append;        /* extra kernel command line */
	bool interactive;          /* no commands: a busybox shell on the terminal */
	/* Each console line (protocol lines left out) as it arrives; stream = "console",
	   or "dmesg" for the kernel log dumped at the end. */
	void (*on_line)(void *ctx, const char *stream, const char *line);
	void (*on_tick)(void *ctx);
	void *ctx;
};

struct kb_guest_cmd {
	char *command;
	char *output;        /* what it printed (stdout and stderr), as the console showed it */
	int exit_status;     /* its shell exit status; -1 when it never finished */
	bool finished;
};

struct kb_boot_result {
	enum kb_boot_status status;
	enum kb_fault fault;       /* the worst fault seen in the console or kernel log */
	char *fault_excerpt;       /* the lines of that fault (oops text, call trace); or NULL */
	char *console;             /* the serial console, protocol lines removed */
	char *kernel_log;          /* dmesg at the end of the run; when the guest never got
				      there (panic, hang), the console instead */
	bool kernel_log_complete;  /* kernel_log is the real dmesg */
	struct kb_guest_cmd *cmds; /* one per command, in order */
	size_t n_cmds;
	bool truncated;
	int qemu_exit;
	double elapsed;
	char *qemu_error;          /* what QEMU said when it failed on its own; or NULL */
};

/* Boot QEMU with the course kernel and an initramfs carrying the modules, files and a
 * script of the commands; collect the console, each command's output and status, and the
 * kernel log. Returns 0 when QEMU ran (see res->status and res->fault), KB_EINTR,
 * KB_EIO (an input file could not be read) or KB_ECHILD. res must be freed. */
int runner_boot(struct kb_boot_result *res, const struct kb_boot_opts *opts);
void runner_boot_result_free(struct kb_boot_result *res);

/* ---- A guest booted while its modules build --------------------------------------- */

/* QEMU started on the course kernel before the modules exist (while Kbuild runs): the
 * guest boots, makes its console raw and waits. runner_boot_on() then sends it the rest
 * of the initramfs (the commands, files and modules, the modules without their debug
 * information, as a gzipped cpio archive on the console's input: a serial line is slow)
 * and goes on as runner_boot(): same commands, protocol, nonce, output capture, fault
 * detection and limits. The guest uses one serial port, so the console a check sees is
 * the same on both paths. */
struct kb_guest;

/* Start a guest for o's machine: qemu, kernel, initramfs, bios, memory_mb, cpus and
 * append (the rest of o is not used; o need not live on). Returns 0, KB_ENOTREADY,
 * KB_EIO or KB_ECHILD. */
int runner_guest_start(struct kb_guest **g, const struct kb_boot_opts *o);

/* Boot with o on g, as runner_boot(o) would; o->timeout counts from this call. When g
 * was started for another machine (kernel, memory, cpus, command line ...) or o is
 * interactive, g is killed and runner_boot(o) runs instead. g is used up (freed) in
 * every case. Returns what runner_boot() returns. */
int runner_boot_on(struct kb_boot_result *res, struct kb_guest *g, const struct kb_boot_opts *o);

/* Stop an unused guest at once (a failed build, an error, a check that never boots):
 * QEMU is killed and its files removed. NULL does nothing. */
void runner_guest_kill(struct kb_guest *g);

/* Scan kernel text for the worst fault; when found and excerpt != NULL, *excerpt gets the
 * fault's lines (from its first line to the end of its trace, at most 80 lines; caller
 * frees). Pure: used on the console and on the kernel log. */
enum kb_fault kb_detect_fault(const char *text, char **excerpt);

/* ---- initramfs (cpio newc) ---------------------------------------------------------- */

struct kb_cpio;
struct kb_cpio *kb_cpio_new(void);
void kb_cpio_dir(struct kb_cpio *c, const char *path, int mode);
void kb_cpio_file(struct kb_cpio *c, const char *path, int mode, const void *data, size_t len);
int kb_cpio_file_from(struct kb_cpio *c, const char *path, int mode, const char *host_path);
void kb_cpio_symlink(struct kb_cpio *c, const char *path, const char *target);
void kb_cpio_chardev(struct kb_cpio *c, const char *path, int mode, unsigned major, unsigned minor);
/* Append the trailer (padded to 512 bytes) and hand the archive bytes over. */
char *kb_cpio_finish(struct kb_cpio *c, size_t *len);
void kb_cpio_free(struct kb_cpio *c);

/* Build the base initramfs: static busybox, /init from init_script, /dev/console. */
int kb_initramfs_write_base(const char *out_path, const char *busybox, const char *init_script);

/* Copy the sources of module folder `from` into `to` (made): its regular files and
 * folders, 4 deep from depth 0, leaving out links, special files, hidden files and what
 * Kbuild made (.o, .ko, .mod, .cmd, ...). A missing `from` copies nothing. Returns 0 or
 * a negative KB_E* naming the file. For builds of a copy (kb.build's replace) and the
 * staging copy of pinned files. */
int runner_copy_sources(const char *from, const char *to, int depth);

#endif

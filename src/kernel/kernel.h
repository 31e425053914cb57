/* kernel.h - the bundled kernel tree, the reference build and the base initramfs.
 *
 * Everything lives under KBRIDGE_HOME (else $XDG_DATA_HOME/kbridge, else
 * ~/.local/share/kbridge):
 *   linux/            the Debian linux-source-6.12 tree, a git repository (one base
 *                     commit, tagged kbridge-base) that learner workspaces clone
 *   build/            the reference build (make O=build): bzImage, Module.symvers;
 *                     external modules build against it with M=
 *   initramfs.cpio    the base initramfs: static busybox and assets/init
 *   tools/bindgen     the bindgen compatibility wrapper, when the system bindgen is old
 *   stamps/           one file per finished setup step, holding the key it was done for
 */
#ifndef KB_KERNEL_H
#define KB_KERNEL_H

#include <stdbool.h>
#include "base/util.h"

/* The kernel package the course is built for (Debian 12). */
#define KB_KERNEL_PACKAGE "linux-source-6.12"
#define KB_KERNEL_TARBALL "/usr/src/linux-source-6.12.tar.xz"
#define KB_KERNEL_TOPDIR "linux-source-6.12"
#define KB_BASE_TAG "kbridge-base"

struct kb_home {
	char *root;
	char *src;          /* root/linux */
	char *build;        /* root/build */
	char *bzimage;      /* build/arch/x86/boot/bzImage */
	char *initramfs;    /* root/initramfs.cpio */
	char *tools;        /* root/tools */
	char *stamps;       /* root/stamps */
	char *datadir;      /* where kbridge's assets/ and scripts/ are */
};

/* Resolve the paths (creates nothing). Returns 0 or KB_ENOTFOUND when kbridge's data
 * folder (assets/, scripts/) cannot be found. */
int kb_home_init(struct kb_home *h);
void kb_home_free(struct kb_home *h);

/* Where kbridge's assets/ and scripts/ are: $KBRIDGE_DATADIR, else the folder of the
 * running binary when it holds assets/init, else <binary>/../share/kbridge. NULL if none.
 * Caller frees. */
char *kb_find_datadir(void);

/* The version of the course kernel set up in KBRIDGE_HOME ("6.12.117", read from
 * linux/Makefile), or NULL when no tree is there yet. *where (when not NULL) receives the
 * tree's folder, or NULL. Caller frees both. */
char *kb_installed_kernel_version(char **where);

/* The make variables and environment every kernel and module build uses: LLVM=1,
 * Debian's /usr/bin/rustc (not rustup's), and the bindgen wrapper where needed. */
struct kb_toolchain {
	struct kb_strv make_vars;   /* "LLVM=1", "RUSTC=/usr/bin/rustc", ... */
	struct kb_strv env;         /* "PATH=/usr/bin:...", "KBRIDGE_REAL_BINDGEN=..." */
	bool bindgen_wrapped;       /* the system bindgen is older than the tree's minimum */
	char *bindgen_version;      /* the system bindgen's version ("0.60.1"), or NULL */
	char *bindgen_min;          /* the tree's minimum ("0.65.1") */
	bool probes_cached;         /* module builds take clang's probe answers from the home
				       (CC=tools/cc, KBRIDGE_CC_PROBES=tools/cc-probes) */
};
void kb_toolchain_init(struct kb_toolchain *tc, const struct kb_home *h);
void kb_toolchain_free(struct kb_toolchain *tc);

/* Compare dotted versions ("0.60.1" < "0.65.1"): <0, 0, >0. Non-digits end a part. */
int kb_version_cmp(const char *a, const char *b);

/* ---- setup ----------------------------------------------------------------------- */

/* The setup steps, in order. Each is made from one before it: the import and the
 * configuration from the extract, the build from the configuration, the probes from the
 * build; the initramfs from nothing. A step is trusted only while the one it is made from
 * is done, and redoing a step drops the stamps of those made from it (so a redone import
 * leaves the build alone). KB_STEP_PROBES is a speed-up, not a need: it records the
 * answers to Kbuild's compiler probes (scripts/kbuild-cc) so module builds need not ask
 * clang again; the kernel is ready without it, and a stale one is simply not used. */
enum kb_step { KB_STEP_EXTRACT, KB_STEP_IMPORT, KB_STEP_CONFIG, KB_STEP_BUILD, KB_STEP_INITRAMFS, KB_STEP_PROBES,
	       KB_STEP_COUNT };

enum kb_step_state { KB_STEP_MISSING, KB_STEP_STALE, KB_STEP_DONE };

struct kb_setup_status {
	enum kb_step_state state[KB_STEP_COUNT];
	bool ready;   /* every step done (KB_STEP_PROBES aside) */
};
const char *kb_step_name(enum kb_step s);
const char *kb_step_title(enum kb_step s);

/* What is ready. Cheap (reads the stamps and stats the inputs): safe to call often. */
void kb_setup_status(struct kb_setup_status *st, const struct kb_home *h);

/* Progress reports from setup: the step, a fraction done in [0,1] (negative: unknown),
 * and a short detail ("CC kernel/fork.o"). */
typedef void (*kb_setup_progress_fn)(void *ctx, enum kb_step step, double fraction, const char *detail);

struct kb_setup_opts {
	int jobs;                    /* make -j; 0: number of CPUs */
	bool force;                  /* redo every step */
	kb_setup_progress_fn progress;
	void *ctx;
	void (*log)(void *ctx, const char *line);   /* plain messages ("extracting ...") */
	/* Called once, when the kernel tree is in git: as the import (which runs alongside
	   the configuration and the build) ends, or before the configuration or the build
	   when the import was done already. What needs only the tree (the learner's
	   workspace clone) may start then and run alongside the build. Not called when the
	   configuration and the build are done already. */
	void (*imported)(void *ctx);
};

/* Do every step not done yet, in order; the import in a process of its own alongside the
 * configuration and the build (both are made from the extracted tree only), waited for
 * before setup returns. Holds root/setup.lock for the whole run: a second setup gets
 * KB_ELOCKED. A step's stamp is written only after it succeeded, so an
 * interrupted setup redoes (or, for the build, resumes) that step on the next run.
 * Returns 0, KB_ELOCKED, KB_EINTR or another code with kb_error_last() saying what. */
int kb_setup_run(const struct kb_home *h, const struct kb_setup_opts *opts);

/* Take root/setup.lock without waiting. Returns an fd (keep it open while you need the
 * lock) or KB_ELOCKED with a message naming the holder's pid. */
int kb_setup_lock(const struct kb_home *h);

/* Import a kernel source folder as a git repository (kernel_import.c): git init with
 * branch main, the Debian .gitignore block removed, every file added, one commit with
 * `message` and a fixed author date `when` (so the commit id is reproducible), tag
 * KB_BASE_TAG. progress(ctx, files_done, files_total) is called as files are added.
 * Returns 0 or KB_EGIT / KB_EIO / KB_EINTR. */
int kb_import_tree(const char *dir, const char *message, long long when,
		   void (*progress)(void *ctx, size_t done, size_t total), void *ctx);

/* Drop the Debian packaging block (a line "/" "*" then "!/debian/") from a .gitignore text.
 * Returns a new string (caller frees); the text unchanged when the block is absent. */
char *kb_gitignore_without_debian_block(const char *text);

/* The kernel version the course kernel is ("6.12"), from KB_KERNEL_PACKAGE. Static. */
const char *kb_course_kernel(void);

/* Whether a pack's kernel requirement `want` ("6.12", or "6.12.117" for one release) is
 * met by the kernel version `have` ("6.12.117"): want's parts are have's first parts. */
bool kb_kernel_fits(const char *want, const char *have);

/* The name the kernel gives the module in file `ko` ("dir/kb-hello.ko" -> "kb_hello":
 * the base name without ".ko", '-' read as '_', as modprobe and rmmod do). Caller frees. */
char *kb_module_name(const char *ko);

#endif

/* util.h - errors, growable buffers, string lists and file helpers shared by every module.
 *
 * Conventions (libgit2's): functions return 0 or a negative KB_E* code; output
 * parameters come first; on error a message is left for kb_error_last().
 */
#ifndef KB_UTIL_H
#define KB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/intl.h"

/* One table of error codes with their messages (X-macro: no drift between code and text).
 * Every kbridge function that can fail returns 0 (or a count) or one of these. They start
 * at -101 so that none is -1: a -1 that a system call, read(2)-like helper or library
 * callback contract hands back can never be mistaken for one of ours. */
#define KB_ERRORS(X)                                                       \
	X(KB_OK, 0, N_("success"))                                             \
	X(KB_ENOMEM, -101, N_("out of memory"))                                  \
	X(KB_EIO, -102, N_("input/output error"))                                \
	X(KB_EINVAL, -103, N_("invalid argument"))                               \
	X(KB_ENOTFOUND, -104, N_("not found"))                                   \
	X(KB_ECHILD, -105, N_("a child process failed"))                         \
	X(KB_ETIMEOUT, -106, N_("timed out"))                                    \
	X(KB_ELOCKED, -107, N_("in use by another kbridge"))                     \
	X(KB_EINTR, -108, N_("interrupted"))                                     \
	X(KB_EGIT, -109, N_("git operation failed"))                             \
	X(KB_ENOTREADY, -110, N_("the course kernel is not set up (run: kbridge setup)")) \
	X(KB_ELESSON, -111, N_("lesson error"))

enum kb_error {
#define KB_ERROR_ENUM(name, value, text) name = value,
	KB_ERRORS(KB_ERROR_ENUM)
#undef KB_ERROR_ENUM
};

/* The fixed text of an error code ("out of memory"). Never NULL. */
const char *kb_strerror(int code);

/* Record a detailed message for the last error and return `code` (so callers can
 * `return kb_error_set(KB_EIO, "cannot read %s: %s", path, strerror(errno));`). */
int kb_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last detailed message, or the code's fixed text when none was set. Owned by
 * util; valid until the next kb_error_set(). */
const char *kb_error_last(void);
void kb_error_clear(void);

/* Print "kbridge: <msg>" to stderr and exit(1). For use before curses starts. */
void kb_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Allocation that dies with a clear message on out-of-memory. */
void *kb_malloc(size_t n);
void *kb_calloc(size_t n, size_t size);
void *kb_realloc(void *p, size_t n);
char *kb_strdup(const char *s);
char *kb_strndup(const char *s, size_t n);
/* printf into a new heap string (caller frees). */
char *kb_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated when data != NULL. */
struct kb_buf {
	char *data;
	size_t len;
	size_t cap;
};
#define KB_BUF_INIT {NULL, 0, 0}
void kb_buf_add(struct kb_buf *b, const void *data, size_t n);
void kb_buf_adds(struct kb_buf *b, const char *s);
void kb_buf_printf(struct kb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kb_buf_vprintf(struct kb_buf *b, const char *fmt, va_list ap);
/* Hand the bytes to the caller (a "" string when empty) and reset the buffer. */
char *kb_buf_detach(struct kb_buf *b);
void kb_buf_free(struct kb_buf *b);

/* A growable list of owned strings. */
struct kb_strv {
	char **v;
	size_t n;
	size_t cap;
};
#define KB_STRV_INIT {NULL, 0, 0}
void kb_strv_push(struct kb_strv *sv, const char *s);     /* copies s */
void kb_strv_push_own(struct kb_strv *sv, char *s);       /* takes s */
void kb_strv_pushf(struct kb_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NULL-terminated view for execve(); valid until the next push. */
char *const *kb_strv_argv(struct kb_strv *sv);
void kb_strv_free(struct kb_strv *sv);

/* Files. All return 0 or a negative KB_E* with kb_error_last() naming the path. */
int kb_read_file(char **out, size_t *len, const char *path);    /* *out: caller frees */
/* Read root/rel, following no symbolic link below root: each part of rel is opened with
 * O_NOFOLLOW (a folder with O_DIRECTORY), and the last must be a regular file (a fifo or
 * a device is opened without blocking and refused). root itself is opened as given. rel
 * is relative, without "..". *out: caller frees (NUL-terminated; *len when len is not
 * NULL). Returns 0, KB_ENOTFOUND (a missing part), KB_EINVAL ("hello/intro.md: 'intro.md'
 * is a symbolic link, not followed", "... is not a plain file", a bad rel) or KB_EIO. */
int kb_read_file_beneath(char **out, size_t *len, const char *root, const char *rel);
/* Write atomically: temporary file in the same folder, fsync, rename, fsync the folder.
 * A kill at any moment leaves either the old file or the new one, never a mix. */
int kb_write_file_atomic(const char *path, const void *data, size_t len, int mode);
int kb_mkdir_p(const char *path, int mode);
int kb_rm_rf(const char *path);       /* removes a tree; a missing path is not an error */
bool kb_path_exists(const char *path);
bool kb_is_dir(const char *path);
bool kb_is_executable(const char *path);
char *kb_path_join(const char *a, const char *b);   /* "a/b", caller frees */
/* Look a program up in PATH (or take it as is when it holds a '/'); NULL if not found. */
char *kb_which(const char *prog);

/* Time. */
double kb_now(void);   /* monotonic seconds */

/* The length of the kernel log timestamp "[    1.234567]" at the start of s (len bytes:
 * the brackets and what is between them, digits, dots and spaces only), or 0 when s does
 * not start with one. The spaces after it are the caller's to skip. */
size_t kb_log_stamp_len(const char *s, size_t len);

/* 64-bit FNV-1a, for change stamps (not for security). */
unsigned long long kb_hash64(const void *data, size_t len, unsigned long long seed);

/* A copy of the first len bytes of s, at most cap bytes long (cap: 64 or more, and more
 * than the note below): when s is longer, its head and its tail are kept (cut on UTF-8
 * character boundaries) around a line "[... N bytes left out (WHAT is cut at CAP
 * bytes) ...]". Cutting a result again with the same cap changes nothing. what: "one
 * print", "seen"... Caller frees. */
char *kb_str_cut(const char *s, size_t len, size_t cap, const char *what);
bool kb_str_starts(const char *s, const char *prefix);
bool kb_str_ends(const char *s, const char *suffix);

/* Lock files (flock, exclusive). kb_lock_take opens `path` (created with mode 0644) and
 * takes its lock without waiting: it returns the open fd, which holds the lock until it
 * is closed, and writes our pid into the file for the messages of those who find it
 * taken. When another process holds it: KB_ELOCKED, with holder (may be NULL; 32 bytes)
 * set to the pid written there ("?" when none). KB_EIO when it cannot be opened.
 * kb_lock_wait does the same but waits for the lock: KB_EINTR when a signal arrived
 * (kb_interrupted) while waiting. */
int kb_lock_take(const char *path, char holder[32]);
int kb_lock_wait(const char *path);

/* Write all len bytes of data to fd, again after EINTR and short writes. Returns 0, or
 * KB_EIO with errno saying why (no message set: the caller names the file). */
int kb_write_all(int fd, const void *data, size_t len);

/* Make a new private folder $TMPDIR/NAME-XXXXXX (/tmp without TMPDIR). Returns its path
 * (caller removes and frees), or NULL with kb_error_last() saying why. */
char *kb_mkdtemp(const char *name);

/* 64 unpredictable bits: the kernel's random source, mixed with the pid and the clock
 * when it cannot be read. For nonces and seeds, not for keys. */
unsigned long long kb_random64(void);

/* Whether folder `path` holds nothing but "." and "..". A folder that cannot be read is
 * not empty (so nothing is written over what could not be looked at). */
bool kb_dir_is_empty(const char *path);

/* Sort v[0..n-1] ascending, in place. For benchmarks' medians and percentiles. */
void kb_sort_doubles(double *v, size_t n);
/* The median of v[0..n-1], in v's unit (the mean of the middle two when n is even);
 * sorts v in place. -1 when n is 0. */
double kb_median(double *v, size_t n);

/* Signals. kb_signals_install() (main() calls it) catches SIGINT, SIGTERM and SIGHUP into
 * kb_interrupted (the signal's number; 0 until one arrives) and ignores SIGPIPE. Long
 * waits (the runner, the lab queue, the shell's loop) look at it and stop cleanly: the
 * runner kills its child's process group and returns KB_EINTR. */
#include <signal.h>
extern volatile sig_atomic_t kb_interrupted;
void kb_signals_install(void);

#endif

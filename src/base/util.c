/* util.c - see util.h. */
#define _GNU_SOURCE
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The last error's message: one per thread (as libgit2 keeps its own), and formatted
 * into a scratch buffer first so that a message may quote the previous one
 * (kb_error_set(rc, "cannot x: %s", kb_error_last())). */
static _Thread_local char last_error[4096];

const char *kb_strerror(int code)
{
	switch (code) {
#define KB_ERROR_CASE(name, value, text) case value: return _(text);
	KB_ERRORS(KB_ERROR_CASE)
#undef KB_ERROR_CASE
	}
	return _("unknown error");
}

int kb_error_set(int code, const char *fmt, ...)
{
	char msg[sizeof last_error];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, _(fmt), ap);
	va_end(ap);
	memcpy(last_error, msg, sizeof msg);
	return code;
}

const char *kb_error_last(void)
{
	return last_error[0] ? last_error : _("unknown error");
}

void kb_error_clear(void)
{
	last_error[0] = '\0';
}

void kb_die(const char *fmt, ...)
{
	va_list ap;
	fputs("kbridge: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *kb_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		kb_die("out of memory (%zu bytes)", n);
	return p;
}

void *kb_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		kb_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *kb_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		kb_die("out of memory (%zu bytes)", n);
	return p;
}

char *kb_strdup(const char *s)
{
	return kb_strndup(s, strlen(s));
}

char *kb_strndup(const char *s, size_t n)
{
	char *p = kb_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kb_asprintf(const char *fmt, ...)
{
	struct kb_buf b = KB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return kb_buf_detach(&b);
}

static void buf_reserve(struct kb_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->data = kb_realloc(b->data, cap);
	b->cap = cap;
}

void kb_buf_add(struct kb_buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kb_buf_adds(struct kb_buf *b, const char *s)
{
	kb_buf_add(b, s, strlen(s));
}

void kb_buf_vprintf(struct kb_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void kb_buf_printf(struct kb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *kb_buf_detach(struct kb_buf *b)
{
	char *s = b->data ? b->data : kb_strdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void kb_buf_free(struct kb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void kb_strv_push_own(struct kb_strv *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = kb_realloc(sv->v, sv->cap * sizeof *sv->v);
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void kb_strv_push(struct kb_strv *sv, const char *s)
{
	kb_strv_push_own(sv, kb_strdup(s));
}

void kb_strv_pushf(struct kb_strv *sv, const char *fmt, ...)
{
	struct kb_buf b = KB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	kb_strv_push_own(sv, kb_buf_detach(&b));
}

char *const *kb_strv_argv(struct kb_strv *sv)
{
	if (!sv->v) {
		sv->cap = 8;
		sv->v = kb_calloc(sv->cap, sizeof *sv->v);
	}
	return sv->v;
}

void kb_strv_free(struct kb_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static int read_fd(char **out, size_t *len, int fd, const char *path)
{
	struct kb_buf b = KB_BUF_INIT;
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			kb_buf_free(&b);
			return kb_error_set(KB_EIO, "cannot read %s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		kb_buf_add(&b, chunk, (size_t)n);
	}
	kb_buf_adds(&b, "");
	if (len)
		*len = b.len;
	*out = kb_buf_detach(&b);
	return 0;
}

int kb_read_file(char **out, size_t *len, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kb_error_set(errno == ENOENT ? KB_ENOTFOUND : KB_EIO, "cannot open %s: %s",
				    path, strerror(errno));
	int rc = read_fd(out, len, fd, path);
	close(fd);
	return rc;
}

int kb_read_file_beneath(char **out, size_t *len, const char *root, const char *rel)
{
	*out = NULL;
	if (!rel || !*rel || rel[0] == '/' || strlen(rel) > 4096)
		return kb_error_set(KB_EINVAL, "'%s' is not a relative path", rel ? rel : "");
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return kb_error_set(errno == ENOENT ? KB_ENOTFOUND : KB_EIO, "cannot open %s: %s", root,
				    strerror(errno));
	char *copy = kb_strdup(rel), *save = NULL;
	int rc = 0;
	for (char *part = strtok_r(copy, "/", &save); part;) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(part, "..") == 0 || strcmp(part, ".") == 0) {
			rc = kb_error_set(KB_EINVAL, "%s: '%s' is not allowed in the path", rel, part);
			break;
		}
		int fd = openat(dfd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (next ? O_DIRECTORY : O_NONBLOCK));
		if (fd < 0) {
			int e = errno;
			struct stat st;
			if (fstatat(dfd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				rc = kb_error_set(KB_EINVAL, "%s: '%s' is a symbolic link, not followed", rel, part);
			else if (e == ENOENT)
				rc = kb_error_set(KB_ENOTFOUND, "cannot open %s/%s: no such file", root, rel);
			else if (e == ENOTDIR)
				rc = kb_error_set(KB_EINVAL, "%s: '%s' is not a folder", rel, part);
			else
				rc = kb_error_set(KB_EIO, "cannot open %s/%s: %s", root, rel, strerror(e));
			break;
		}
		close(dfd);
		dfd = fd;
		part = next;
	}
	free(copy);
	struct stat st;
	if (!rc && (fstat(dfd, &st) < 0 || !S_ISREG(st.st_mode)))
		rc = kb_error_set(KB_EINVAL, "%s is not a plain file", rel);
	if (!rc) {
		int fl = fcntl(dfd, F_GETFL);
		if (fl >= 0)
			fcntl(dfd, F_SETFL, fl & ~O_NONBLOCK);
		char *path = kb_path_join(root, rel);
		rc = read_fd(out, len, dfd, path);
		free(path);
	}
	close(dfd);
	return rc;
}

int kb_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return KB_EIO;   /* errno says why; the caller names the file */
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int kb_write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	char *tmp = kb_asprintf("%s.tmp.%ld", path, (long)getpid());
	char *dir = kb_strdup(path);
	int rc = 0;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = kb_error_set(KB_EIO, "cannot create %s: %s", tmp, strerror(errno));
		goto cleanup;
	}
	if (kb_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		rc = kb_error_set(KB_EIO, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto cleanup;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		rc = kb_error_set(KB_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto cleanup;
	}
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
cleanup:
	free(tmp);
	free(dir);
	return rc;
}

int kb_mkdir_p(const char *path, int mode)
{
	char *p = kb_strdup(path);
	int rc = 0;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				rc = kb_error_set(KB_EIO, "cannot create folder %s: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	if (!rc && !kb_is_dir(path))
		rc = kb_error_set(KB_EIO, "%s exists and is not a folder", path);
	return rc;
}

/* nftw's callback: nonzero stops the walk (nftw's contract, not a KB_E code) */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)ftw;
	int r = (flag == FTW_DP) ? rmdir(path) : unlink(path);
	if (r < 0 && errno != ENOENT) {
		kb_error_set(KB_EIO, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int kb_rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : kb_error_set(KB_EIO, "cannot stat %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0)
			return kb_error_set(KB_EIO, "cannot remove %s: %s", path, strerror(errno));
		return 0;
	}
	/* make read-only folders writable so their entries can go */
	return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS) < 0 ? KB_EIO : 0;
}

bool kb_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool kb_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool kb_is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *kb_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (la && a[la - 1] == '/')
		return kb_asprintf("%s%s", a, b);
	return kb_asprintf("%s/%s", a, b);
}

char *kb_which(const char *prog)
{
	if (strchr(prog, '/'))
		return kb_is_executable(prog) ? kb_strdup(prog) : NULL;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char *copy = kb_strdup(path), *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = kb_path_join(dir, prog);
		if (kb_is_executable(full)) {
			free(copy);
			return full;
		}
		free(full);
	}
	free(copy);
	return NULL;
}

double kb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

unsigned long long kb_hash64(const void *data, size_t len, unsigned long long seed)
{
	const unsigned char *p = data;
	unsigned long long h = seed ? seed : 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* back from s + i to the start of a UTF-8 character */
static size_t utf8_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

char *kb_str_cut(const char *s, size_t len, size_t cap, const char *what)
{
	if (cap < 64)
		cap = 64;
	if (len <= cap)
		return kb_strndup(s, len);
	/* the note at its longest (the count can be no more than len), and a newline */
	char *probe = kb_asprintf(_("[... %zu bytes left out (%s is cut at %zu bytes) ...]\n"), len, what, cap);
	size_t note = strlen(probe) + 1;   /* and the newline before it */
	free(probe);
	size_t keep = cap > note + 16 ? cap - note : 16;
	size_t head = utf8_start(s, keep * 3 / 4);
	size_t tail = len - (keep - keep * 3 / 4);
	while (tail < len && ((unsigned char)s[tail] & 0xC0) == 0x80)
		tail++;
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_add(&b, s, head);
	kb_buf_printf(&b, "%s", head && s[head - 1] != '\n' ? "\n" : "");
	kb_buf_printf(&b, _("[... %zu bytes left out (%s is cut at %zu bytes) ...]\n"), tail - head, what, cap);
	kb_buf_add(&b, s + tail, len - tail);
	return kb_buf_detach(&b);
}

bool kb_str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool kb_str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

size_t kb_log_stamp_len(const char *s, size_t len)
{
	if (!len || s[0] != '[')
		return 0;
	const char *close = memchr(s, ']', len);
	if (!close)
		return 0;
	for (const char *c = s + 1; c < close; c++)
		if (!(*c >= '0' && *c <= '9') && *c != '.' && *c != ' ')
			return 0;
	return (size_t)(close + 1 - s);
}

volatile sig_atomic_t kb_interrupted;

static void on_signal(int sig)
{
	kb_interrupted = sig;
}

void kb_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void kb_sort_doubles(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
}

double kb_median(double *v, size_t n)
{
	if (n == 0)
		return -1;
	kb_sort_doubles(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool kb_dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

static int lock_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return kb_error_set(KB_EIO, "cannot open %s: %s", path, strerror(errno));
	return fd;
}

static void lock_write_pid(int fd)
{
	char pid[32];
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
		(void)0;   /* the pid is only for messages */
}

int kb_lock_take(const char *path, char holder[32])
{
	int fd = lock_open(path);
	if (fd < 0)
		return fd;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (holder) {
			ssize_t n = pread(fd, holder, 31, 0);
			holder[n > 0 ? n : 0] = '\0';
			holder[strcspn(holder, "\n")] = '\0';
			if (!*holder)
				strcpy(holder, "?");
		}
		close(fd);
		return kb_error_set(KB_ELOCKED, "%s is held by pid %s", path, holder ? holder : "?");
	}
	lock_write_pid(fd);
	return fd;
}

int kb_lock_wait(const char *path)
{
	int fd = lock_open(path);
	if (fd < 0)
		return fd;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR || kb_interrupted) {
			close(fd);
			return kb_error_set(KB_EINTR, "interrupted while waiting for %s", path);
		}
	}
	lock_write_pid(fd);
	return fd;
}

char *kb_mkdtemp(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = kb_asprintf("%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(dir)) {
		kb_error_set(KB_EIO, "cannot make a temporary folder %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

unsigned long long kb_random64(void)
{
	unsigned char raw[8] = {0};
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		memset(raw, 0, sizeof raw);
	return kb_hash64(raw, sizeof raw, (unsigned long long)getpid() ^ (unsigned long long)(kb_now() * 1e9));
}

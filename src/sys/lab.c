/* lab.c - a shared lab server: the check slots, the queue, `lab init` (lab.h). */
#define _GNU_SOURCE
#include "sys/lab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sys/runner.h"
#include "base/util.h"

#define LAB_MAX 64

int kb_lab_max_checks(const char *home)
{
	char *path = kb_asprintf("%s/lab/lab.conf", home);
	char *text = NULL;
	size_t len = 0;
	int rc = kb_read_file(&text, &len, path);
	if (rc) {
		free(path);
		return 0;   /* not a lab home */
	}
	int max = 0, lineno = 0;
	rc = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		int n;
		char extra;
		if (sscanf(l, "max_checks = %d %c", &n, &extra) == 1 && n >= 1 && n <= LAB_MAX) {
			max = n;
		} else {
			rc = kb_error_set(KB_EINVAL, "%s:%d: expected 'max_checks = N' with N in 1..%d", path,
					  lineno, LAB_MAX);
			break;
		}
	}
	if (!rc && !max)
		rc = kb_error_set(KB_EINVAL, "%s: no 'max_checks = N' line", path);
	free(text);
	free(path);
	return rc ? rc : max;
}

/* the queue's clock: nanoseconds since boot, which no one can set and which never jumps
   (CLOCK_BOOTTIME, the clock of /proc/PID/stat's start times) */
static long long boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The start time (clock ticks after boot) and effective uid of live process `pid`, from
   /proc; false when there is no such process (or /proc hides it). */
static bool proc_info(long pid, unsigned long long *start, uid_t *uid)
{
	if (pid <= 0)
		return false;
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	char *text = NULL;
	size_t len = 0;
	if (kb_read_file(&text, &len, path) < 0)
		return false;
	/* "pid (comm) state ppid ...": comm may hold spaces and ')'; field 22 is the start */
	char *p = strrchr(text, ')');
	bool ok = false;
	if (p) {
		p++;
		for (int field = 3; field <= 22 && p; field++) {
			while (*p == ' ')
				p++;
			if (field == 22)
				ok = sscanf(p, "%llu", start) == 1;
			p = strchr(p, ' ');
		}
	}
	free(text);
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if (!ok || kb_read_file(&text, &len, path) < 0)
		return false;
	char *u = strstr(text, "\nUid:");
	unsigned real, eff;
	ok = u && sscanf(u, "\nUid: %u %u", &real, &eff) == 2;
	if (ok)
		*uid = (uid_t)eff;
	free(text);
	return ok;
}

static unsigned long long own_start(void)
{
	unsigned long long start = 0;
	uid_t uid;
	proc_info((long)getpid(), &start, &uid);
	return start;
}

/* A ticket in the queue: "<boot ns>-<pid>-<start ticks>". */
struct ticket {
	long long t;
	long pid;
	unsigned long long start;
	uid_t uid;        /* the file's owner */
};

/* True when a ticket counts: its name is well formed, the file is a plain file, and it
   names a live process of the file's owner, started when the ticket says and before the
   ticket was written. A forged ticket (pid 1, another user's process, a dead process, a
   pid used again since) does not count. */
static bool ticket_valid(int dfd, const char *name, struct ticket *tk, long long now)
{
	char extra;
	if (sscanf(name, "%lld-%ld-%llu%c", &tk->t, &tk->pid, &tk->start, &extra) != 3)
		return false;
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return false;
	tk->uid = st.st_uid;
	unsigned long long start;
	uid_t puid;
	if (!proc_info(tk->pid, &start, &puid) || puid != st.st_uid || start != tk->start)
		return false;
	/* written after the process started and not in the future */
	long hz = sysconf(_SC_CLK_TCK);
	long long started_ns = (long long)start * (1000000000LL / (hz > 0 ? hz : 100));
	return tk->t >= started_ns && tk->t <= now + 1000000000LL;
}

static bool before(const struct ticket *a, long long t, long pid)
{
	return a->t < t || (a->t == t && a->pid < pid);
}

/* Live waiters in queue/ ahead of (t, pid), or all of them when t < 0: tickets that count
   (ticket_valid), each user counted once however many tickets they hold. */
static int count_ahead(const char *queue, long long t, long pid)
{
	DIR *d = opendir(queue);
	if (!d)
		return 0;
	long long now = boot_ns();
	uid_t seen[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		struct ticket tk;
		if (!ticket_valid(dirfd(d), e->d_name, &tk, now))
			continue;
		if (t >= 0 && (!before(&tk, t, pid) || tk.pid == pid))
			continue;
		bool dup = false;
		for (int i = 0; i < n && !dup; i++)
			dup = seen[i] == tk.uid;
		if (!dup && n < (int)(sizeof seen / sizeof *seen))
			seen[n++] = tk.uid;
	}
	closedir(d);
	return n;
}

/* an exclusive flock on a free slot file, or -1 */
static int try_slots(const char *home, int max, int *slot)
{
	for (int i = 0; i < max; i++) {
		char *path = kb_asprintf("%s/lab/slots/%d", home, i);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		free(path);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			*slot = i;
			return fd;
		}
		close(fd);
	}
	return -1;
}

/* how many slots are free now (each tried and let go at once) */
static int free_slots(const char *home, int max)
{
	int n = 0;
	for (int i = 0; i < max; i++) {
		char *path = kb_asprintf("%s/lab/slots/%d", home, i);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		free(path);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			n++;
		close(fd);   /* drops the lock */
	}
	return n;
}

int kb_lab_acquire(const char *home, struct kb_lab_slot *s,
		   void (*waiting)(void *ctx, int ahead, int limit), void (*tick)(void *ctx), void *ctx)
{
	s->fd = -1;
	s->slot = -1;
	int max = kb_lab_max_checks(home);
	if (max <= 0)
		return max;   /* 0: not a lab; < 0: a damaged lab.conf */
	char *queue = kb_asprintf("%s/lab/queue", home);
	/* nobody waiting: take a free slot at once */
	if (count_ahead(queue, -1, 0) == 0 && (s->fd = try_slots(home, max, &s->slot)) >= 0) {
		free(queue);
		return 0;
	}
	long long t = boot_ns();
	long pid = (long)getpid();
	char *ticket = kb_asprintf("%s/%lld-%ld-%llu", queue, t, pid, own_start());
	int fd = open(ticket, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		int rc = kb_error_set(KB_EIO, "cannot join the lab's queue (%s): %s; ask the lab's "
				      "administrator to run 'kbridge lab init' again", ticket, strerror(errno));
		free(ticket);
		free(queue);
		return rc;
	}
	close(fd);
	int rc = 0, last = -1;
	double free_since = -1;
	for (;;) {
		if (kb_interrupted) {
			rc = KB_EINTR;
			break;
		}
		int ahead = count_ahead(queue, t, pid);
		if (ahead != last && waiting)
			waiting(ctx, ahead, max);
		last = ahead;
		/* the first in the queue takes the next free slot: arrival order is kept. Those
		   further back take one when there are free slots for everyone ahead too, or when
		   a slot stays free for KB_LAB_GRACE s: a waiter ahead that takes no free slot (a
		   learner's own process holding a ticket, a stopped kbridge) delays the others by
		   that much at most. */
		if (ahead == 0) {
			if ((s->fd = try_slots(home, max, &s->slot)) >= 0)
				break;
		} else {
			int f = free_slots(home, max);
			if (f == 0)
				free_since = -1;
			else if (free_since < 0)
				free_since = kb_now();
			if ((f > ahead || (f > 0 && kb_now() - free_since >= KB_LAB_GRACE)) &&
			    (s->fd = try_slots(home, max, &s->slot)) >= 0)
				break;
		}
		if (tick)
			tick(ctx);
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	unlink(ticket);
	free(ticket);
	free(queue);
	return rc;
}

void kb_lab_release(struct kb_lab_slot *s)
{
	if (s->fd >= 0)
		close(s->fd);   /* closing drops the flock */
	s->fd = -1;
	s->slot = -1;
}

int kb_lab_status(const char *home, struct kb_lab_status *st)
{
	memset(st, 0, sizeof(*st));
	int max = kb_lab_max_checks(home);
	if (max < 0)
		return max;
	if (max == 0)
		return kb_error_set(KB_ENOTFOUND, "%s is not a lab home (make it one with: kbridge lab init)",
				    home);
	st->max_checks = max;
	for (int i = 0; i < max; i++) {
		char *path = kb_asprintf("%s/lab/slots/%d", home, i);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		free(path);
		if (fd < 0)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0)
			st->running++;
		close(fd);
	}
	char *queue = kb_asprintf("%s/lab/queue", home);
	st->waiting = count_ahead(queue, -1, 0);
	free(queue);
	return 0;
}

/* ---- lab init ------------------------------------------------------------------------- */

/* the queue folder, which keeps its 1777 (nftw's callback takes no context: kb_lab_init
 * sets these) */
static dev_t queue_dev;
static ino_t queue_ino;

static int open_up(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_SL)
		return 0;
	/* the owner keeps write; group and others read (and search or execute where the
	   owner can) and never write */
	mode_t m = sb->st_mode & 07777 & ~(mode_t)(S_IWGRP | S_IWOTH | S_ISUID | S_ISGID);
	m |= S_IRGRP | S_IROTH;
	if (S_ISDIR(sb->st_mode) || (sb->st_mode & S_IXUSR))
		m |= S_IXGRP | S_IXOTH;
	if (sb->st_dev == queue_dev && sb->st_ino == queue_ino)
		return 0;
	if (m != (sb->st_mode & 07777) && chmod(path, m) < 0)
		return kb_error_set(KB_EIO, "cannot change the mode of %s: %s", path, strerror(errno));
	return 0;
}

int kb_lab_init(const char *home, int max_checks)
{
	if (max_checks < 1 || max_checks > LAB_MAX)
		return kb_error_set(KB_EINVAL, "the number of checks at once must be in 1..%d", LAB_MAX);
	char *lab = kb_asprintf("%s/lab", home), *slots = kb_asprintf("%s/lab/slots", home),
	     *queue = kb_asprintf("%s/lab/queue", home), *conf = kb_asprintf("%s/lab/lab.conf", home);
	int rc = kb_mkdir_p(slots, 0755);
	if (!rc)
		rc = kb_mkdir_p(queue, 01777);
	if (!rc && chmod(queue, 01777) < 0)
		rc = kb_error_set(KB_EIO, "cannot change the mode of %s: %s", queue, strerror(errno));
	for (int i = 0; !rc && i < max_checks; i++) {
		char *path = kb_asprintf("%s/%d", slots, i);
		if (!kb_path_exists(path))
			rc = kb_write_file_atomic(path, "", 0, 0444);
		free(path);
	}
	if (!rc) {
		char *text = kb_asprintf("# kbridge lab: how many checks (a build and its boots) may run at "
					 "once;\n# the others wait in line. Written by 'kbridge lab init'.\n"
					 "max_checks = %d\n", max_checks);
		rc = kb_write_file_atomic(conf, text, strlen(text), 0644);
		free(text);
	}
	if (!rc) {
		struct stat qs;
		if (stat(queue, &qs) == 0) {
			queue_dev = qs.st_dev;
			queue_ino = qs.st_ino;
		}
		int w = nftw(home, open_up, 64, FTW_PHYS);
		if (w == -1)
			rc = kb_error_set(KB_EIO, "cannot walk %s: %s", home, strerror(errno));
		else
			rc = w;   /* open_up's KB_E* code, or 0 */
	}
	free(lab);
	free(slots);
	free(queue);
	free(conf);
	return rc;
}

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

/* ---- running checks ------------------------------------------------------------------ */

/* The users with a check running: entries of running/ that count (ticket_valid), each
   user once, at their earliest entry, in arrival order. uids[] gets them in that order
   (at most cap). With mine_at: the entry of process `pid` is kept apart from its user's
   others and *mine_at gets its place, or -1 when it does not count. With mine_other:
   set when an entry of user `uid` for another process counts. Returns the number of
   users (our own entry included). */
static int running_users(const char *running, long pid, uid_t uid, uid_t *uids, int cap, int *mine_at,
			 bool *mine_other)
{
	struct ticket all[513], tk, mine;
	int n = 0;
	bool have_mine = false;
	if (mine_at)
		*mine_at = -1;
	if (mine_other)
		*mine_other = false;
	DIR *d = opendir(running);
	if (!d)
		return 0;
	long long now = boot_ns();
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!ticket_valid(dirfd(d), e->d_name, &tk, now))
			continue;
		if (mine_at && tk.pid == pid) {
			mine = tk;
			have_mine = true;
			continue;
		}
		if (mine_other && tk.uid == uid)
			*mine_other = true;
		int j = 0;
		while (j < n && all[j].uid != tk.uid)
			j++;
		if (j < n) {
			if (before(&tk, all[j].t, all[j].pid))
				all[j] = tk;
		} else if (n < 512) {
			all[n++] = tk;
		}
	}
	closedir(d);
	bool mine_in = false;
	for (int j = 0; j < n; j++)
		mine_in |= have_mine && all[j].uid == mine.uid;
	if (have_mine && !mine_in)
		all[n++] = mine;
	/* in arrival order (one entry a user: insertion sort) */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && before(&all[j], all[j - 1].t, all[j - 1].pid); j--) {
			struct ticket tmp = all[j];
			all[j] = all[j - 1];
			all[j - 1] = tmp;
		}
	for (int i = 0; i < n; i++) {
		if (i < cap)
			uids[i] = all[i].uid;
		if (mine_at && have_mine && !mine_in && all[i].pid == pid)
			*mine_at = i;
	}
	return n;
}

/* Take a place among the running checks if there is one: no other check of ours running,
   fewer than max users running; then our entry is written, and checked again after a
   moment so that two checks taking the last place at once do not both keep it (the
   later one leaves). Returns true with s->path set. */
static bool try_run(const char *running, int max, struct kb_lab_slot *s)
{
	uid_t uids[LAB_MAX + 1];
	long pid = (long)getpid();
	uid_t uid = geteuid();
	bool other = false;
	int n = running_users(running, pid, uid, uids, LAB_MAX + 1, NULL, &other);
	if (other || n >= max)
		return false;
	char *path = kb_asprintf("%s/%lld-%ld-%llu", running, boot_ns(), pid, own_start());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(path);
		return false;
	}
	struct timespec settle = {0, 30 * 1000 * 1000};
	nanosleep(&settle, NULL);
	int at = -1;
	running_users(running, pid, uid, uids, LAB_MAX + 1, &at, &other);
	if (at < 0 || at >= max || other) {
		unlink(path);
		close(fd);
		free(path);
		return false;
	}
	s->fd = fd;   /* held: kb_lab_release() removes the entry */
	s->path = path;
	s->slot = at;
	return true;
}

int kb_lab_acquire(const char *home, struct kb_lab_slot *s,
		   void (*waiting)(void *ctx, int ahead, int limit), void (*tick)(void *ctx), void *ctx)
{
	s->fd = -1;
	s->slot = -1;
	s->path = NULL;
	int max = kb_lab_max_checks(home);
	if (max <= 0)
		return max;   /* 0: not a lab; < 0: a damaged lab.conf */
	char *queue = kb_asprintf("%s/lab/queue", home), *running = kb_asprintf("%s/lab/running", home);
	int rc = 0;
	if (!kb_is_dir(running)) {
		rc = kb_error_set(KB_EIO, "%s is missing: this lab was made by an older kbridge; ask the lab's "
				  "administrator to run 'kbridge lab init' again", running);
		goto out;
	}
	/* nobody waiting: take a free place at once */
	if (count_ahead(queue, -1, 0) == 0 && try_run(running, max, s))
		goto out;
	long long t = boot_ns();
	long pid = (long)getpid();
	char *ticket = kb_asprintf("%s/%lld-%ld-%llu", queue, t, pid, own_start());
	int fd = open(ticket, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = kb_error_set(KB_EIO, "cannot join the lab's queue (%s): %s; ask the lab's "
				  "administrator to run 'kbridge lab init' again", ticket, strerror(errno));
		free(ticket);
		goto out;
	}
	close(fd);
	int last = -1;
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
		/* the first in the queue takes the next free place: arrival order is kept. Those
		   further back take one when there are free places for everyone ahead too, or
		   when a place stays free for KB_LAB_GRACE s: a waiter ahead that takes no free
		   place (a learner's own process holding a ticket, a stopped kbridge) delays the
		   others by that much at most. */
		uid_t uids[LAB_MAX + 1];
		bool mine = false;
		int busy = running_users(running, pid, geteuid(), uids, LAB_MAX + 1, NULL, &mine);
		int f = max - busy;
		if (ahead == 0) {
			if (try_run(running, max, s))
				break;
		} else {
			if (f <= 0 || mine)
				free_since = -1;
			else if (free_since < 0)
				free_since = kb_now();
			if ((f > ahead || (f > 0 && free_since >= 0 && kb_now() - free_since >= KB_LAB_GRACE)) &&
			    try_run(running, max, s))
				break;
		}
		if (tick)
			tick(ctx);
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	unlink(ticket);
	free(ticket);
out:
	free(queue);
	free(running);
	return rc;
}

void kb_lab_release(struct kb_lab_slot *s)
{
	if (s->fd >= 0) {
		unlink(s->path);
		free(s->path);
		close(s->fd);
	}
	s->path = NULL;
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
	char *running = kb_asprintf("%s/lab/running", home), *queue = kb_asprintf("%s/lab/queue", home);
	uid_t uids[LAB_MAX + 1];
	st->running = running_users(running, -1, (uid_t)-1, uids, LAB_MAX + 1, NULL, NULL);
	st->waiting = count_ahead(queue, -1, 0);
	free(running);
	free(queue);
	return 0;
}

/* ---- lab init ------------------------------------------------------------------------- */

/* the queue and running folders, which keep their 1777 (nftw's callback takes no
 * context: kb_lab_init sets these) */
static struct stat open_folders[2];

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
	for (int i = 0; i < 2; i++)
		if (sb->st_dev == open_folders[i].st_dev && sb->st_ino == open_folders[i].st_ino)
			return 0;
	if (m != (sb->st_mode & 07777) && chmod(path, m) < 0)
		return kb_error_set(KB_EIO, "cannot change the mode of %s: %s", path, strerror(errno));
	return 0;
}

int kb_lab_init(const char *home, int max_checks)
{
	if (max_checks < 1 || max_checks > LAB_MAX)
		return kb_error_set(KB_EINVAL, "the number of checks at once must be in 1..%d", LAB_MAX);
	char *lab = kb_asprintf("%s/lab", home), *running = kb_asprintf("%s/lab/running", home),
	     *queue = kb_asprintf("%s/lab/queue", home), *conf = kb_asprintf("%s/lab/lab.conf", home);
	const char *open_paths[2] = {queue, running};
	int rc = 0;
	for (int i = 0; !rc && i < 2; i++) {
		rc = kb_mkdir_p(open_paths[i], 01777);
		if (!rc && chmod(open_paths[i], 01777) < 0)
			rc = kb_error_set(KB_EIO, "cannot change the mode of %s: %s", open_paths[i], strerror(errno));
	}
	if (!rc) {
		char *text = kb_asprintf("# kbridge lab: how many checks (a build and its boots) may run at "
					 "once;\n# the others wait in line. Written by 'kbridge lab init'.\n"
					 "max_checks = %d\n", max_checks);
		rc = kb_write_file_atomic(conf, text, strlen(text), 0644);
		free(text);
	}
	if (!rc) {
		for (int i = 0; i < 2; i++)
			if (stat(open_paths[i], &open_folders[i]) < 0)
				memset(&open_folders[i], 0, sizeof open_folders[i]);
		int w = nftw(home, open_up, 64, FTW_PHYS);
		if (w == -1)
			rc = kb_error_set(KB_EIO, "cannot walk %s: %s", home, strerror(errno));
		else
			rc = w;   /* open_up's KB_E* code, or 0 */
	}
	free(lab);
	free(running);
	free(queue);
	free(conf);
	return rc;
}

/* lab.h - a shared lab server: one read-only KBRIDGE_HOME serving many learners.
 *
 * `kbridge lab init` turns a kernel home into a lab home: everything readable by all and
 * writable by its owner only, plus a folder `lab/`:
 *   lab/lab.conf      "max_checks = N": how many learners' checks may build and boot at
 *                     once
 *   lab/running/      mode 1777 (like /tmp): a running check owns one empty file (mode
 *                     0600) named "<arrival in ns since boot>-<pid>-<its start time in
 *                     clock ticks since boot>", removed when it ends
 *   lab/queue/        mode 1777: a waiting check owns one file named the same way, so
 *                     each learner can count the waiters ahead of them
 * The files say nothing else. Anyone may write in both folders, so an entry counts only
 * when the file's owner is the effective uid of the live process it names, whose start
 * time (/proc/PID/stat) is the one the name records (a pid used again does not count),
 * and which started before the entry's arrival; arrival is told by CLOCK_BOOTTIME, which
 * never jumps. Each user counts once however many entries they hold: at most max_checks
 * users run a check at once, one check each (a learner's second check waits for their
 * first), so a learner holding entries by hand takes one place at most. A forged entry
 * (pid 1, another user's process, a dead one) counts for nothing. A learner's own process
 * holding a queue ticket and never taking a place delays the others at most KB_LAB_GRACE
 * seconds each time a place frees: then the next in line takes it. Two checks taking the
 * last place at the same moment both write their entry, look again 30 ms later, and the
 * later one leaves. /proc hidden from other users (hidepid) makes their entries count
 * for nothing: the limit and the order are then not kept.
 * Each learner keeps their own workspace (mode 0700) and progress in their home; the
 * workspace's git objects are borrowed from the lab's tree through git's alternates
 * (workspace.c), never written there. Outside a lab home there is no limit.
 */
#ifndef KB_LAB_H
#define KB_LAB_H

#include <stdbool.h>

/* Seconds a place stays free while waiters ahead do not take it before the next in line
 * does (a live waiter polls every 0.1 s). */
#define KB_LAB_GRACE 2.0

/* A held place among the lab's running checks. */
struct kb_lab_slot {
	int fd;          /* our entry in lab/running/, open, or -1: nothing held (no lab); a
			    caller that does not call kb_lab_acquire() sets it to -1 */
	int slot;        /* our place among the running checks (0-based), or -1 */
	char *path;      /* the entry's path while fd >= 0; kb_lab_release() frees it */
};

/* The lab's limit: max_checks from home/lab/lab.conf, 0 when home is not a lab home,
 * KB_EINVAL when the file is damaged (the message names it and the line). */
int kb_lab_max_checks(const char *home);

/* Wait for a free place among the running checks of the lab at `home` and take it
 * (our entry in lab/running/). Outside a lab, returns 0 at once with s->fd = -1. While waiting, `waiting(ctx, ahead, limit)` is called when the number of
 * waiters ahead of us changes (first call included), and `tick(ctx)` about every 100 ms
 * (both may be NULL). Waiters are served in arrival order (each user counting once; see
 * above for which entries count). Returns 0 with the place held, KB_EINTR when
 * kb_interrupted was set while waiting, KB_EIO when the lab folder cannot be used (one
 * made by an older kbridge, without running/, included). */
int kb_lab_acquire(const char *home, struct kb_lab_slot *s,
		   void (*waiting)(void *ctx, int ahead, int limit), void (*tick)(void *ctx), void *ctx);
/* Leave the place (our entry is removed); a slot not held is left as it is. */
void kb_lab_release(struct kb_lab_slot *s);

/* Make `home` (a set-up kernel home) a lab home allowing max_checks checks at once
 * (1..64): writes lab/ (lab.conf, running/ and queue/ with mode 1777), then makes every
 * other file readable by all and writable by its owner only (directories searchable). Running it again changes the limit. Returns 0 or a
 * KB_E* code. */
int kb_lab_init(const char *home, int max_checks);

/* What `kbridge lab status` shows: the limit, the users with a check running now and the
 * waiters (users with a ticket that counts), each user once. */
struct kb_lab_status {
	int max_checks, running, waiting;
};
int kb_lab_status(const char *home, struct kb_lab_status *st);

#endif

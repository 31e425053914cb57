/* lab.h - a shared lab server: one read-only KBRIDGE_HOME serving many learners.
 *
 * `kbridge lab init` turns a kernel home into a lab home: everything readable by all and
 * writable by its owner only, plus a folder `lab/`:
 *   lab/lab.conf      "max_checks = N": how many checks may build and boot at once
 *   lab/slots/0..N-1  one file per check slot; a running check holds an exclusive
 *                     flock(2) on one (read-only files: flock needs no write access)
 *   lab/queue/        mode 1777 (like /tmp): a waiting check owns one empty file named
 *                     "<arrival in ns since boot>-<pid>-<its start time in clock ticks
 *                     since boot>" (mode 0600), so each learner can count the waiters
 *                     ahead of them; the file says nothing else
 * Anyone may write in the queue, so a ticket counts only when the file's owner is the
 * effective uid of the live process it names, whose start time (/proc/PID/stat) is the one
 * the name records (a pid used again does not count), and which started before the ticket's
 * arrival; arrival is told by CLOCK_BOOTTIME, which never jumps; each user counts once
 * however many tickets they hold. A forged ticket (pid 1, another user's process, a dead
 * one) is not counted. A learner's own process holding a ticket and never taking a slot
 * delays the others at most KB_LAB_GRACE seconds each time a slot frees: then the next in
 * line takes it.
 * Each learner keeps their own workspace (mode 0700) and progress in their home; the
 * workspace's git objects are borrowed from the lab's tree through git's alternates
 * (workspace.c), never written there. Outside a lab home there is no limit.
 */
#ifndef KB_LAB_H
#define KB_LAB_H

#include <stdbool.h>

/* Seconds a slot stays free while waiters ahead do not take it before the next in line
 * does (a live waiter polls every 0.1 s). */
#define KB_LAB_GRACE 2.0

/* A held check slot. */
struct kb_lab_slot {
	int fd;          /* the slot file with our flock, or -1 (no lab: nothing held) */
	int slot;        /* its number, or -1 */
};

/* The lab's limit: max_checks from home/lab/lab.conf, 0 when home is not a lab home,
 * KB_EINVAL when the file is damaged (the message names it and the line). */
int kb_lab_max_checks(const char *home);

/* Wait for a free slot of the lab at `home` and take it. Outside a lab, returns 0 at
 * once with s->fd = -1. While waiting, `waiting(ctx, ahead, limit)` is called when the
 * number of live waiters ahead of us changes (first call included), and `tick(ctx)`
 * about every 100 ms (both may be NULL). Waiters are served in arrival order (each
 * user counting once; see the queue above for which tickets count).
 * Returns 0 with the slot held, KB_EINTR when kb_interrupted was set while waiting,
 * KB_EIO when the lab folder cannot be used. */
int kb_lab_acquire(const char *home, struct kb_lab_slot *s,
		   void (*waiting)(void *ctx, int ahead, int limit), void (*tick)(void *ctx), void *ctx);
void kb_lab_release(struct kb_lab_slot *s);

/* Make `home` (a set-up kernel home) a lab home allowing max_checks checks at once
 * (1..64): writes lab/, then makes every file readable by all and writable by its owner
 * only (directories searchable). Running it again changes the limit. Returns 0 or a
 * KB_E* code. */
int kb_lab_init(const char *home, int max_checks);

/* What `kbridge lab status` shows: the limit, the slots in use now, the waiters (users
 * with a ticket that counts, each once). */
struct kb_lab_status {
	int max_checks, running, waiting;
};
int kb_lab_status(const char *home, struct kb_lab_status *st);

#endif

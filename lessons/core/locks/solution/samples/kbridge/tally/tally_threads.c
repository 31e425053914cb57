// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of tally: it starts `threads` kernel threads, one per CPU, that
 * each call the Rust function kb_tally_add() `iters` times with pseudo-random
 * values, all at the same time. The totals themselves live in Rust
 * (tally_core.rs), which also owns module init.
 *
 *   insmod tally.ko seed=12345 iters=100000
 *
 * Thread t draws its values from xorshift32, starting from
 * seed ^ (0x9e3779b9 * (t + 1)) (or 1 if that is 0).
 *
 * After every SNAP_EVERY calls a thread also asks Rust for a snapshot of the
 * totals (kb_tally_snapshot()) while the other threads keep adding, and counts
 * the snapshots that do not hold together: count != the sum of hist means it
 * saw an update half done. When the threads are done it prints
 *   tally: snapshots=N torn=M
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>

static uint seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "where the threads' random values start");

static uint iters = 100000;
module_param(iters, uint, 0444);
MODULE_PARM_DESC(iters, "calls to kb_tally_add per thread");

static uint threads = 2;
module_param(threads, uint, 0444);
MODULE_PARM_DESC(threads, "how many threads call kb_tally_add at once (1 to 8)");

#define NBUCKETS 8
#define SNAP_EVERY 8

/* the layout of Totals in tally_core.rs */
struct tally_totals {
	u64 count;
	u64 sum;
	u64 hist[NBUCKETS];
};

/* tally_core.rs: adds one value to the totals behind ctx; called by every thread at once */
void kb_tally_add(void *ctx, u32 value);
/* tally_core.rs: copies the totals behind ctx to *out */
void kb_tally_snapshot(void *ctx, struct tally_totals *out);
/* called from tally_core.rs */
int kb_tally_run(void *ctx);

struct worker {
	struct task_struct *task;
	void *ctx;
	u32 state;
	uint snapshots, torn;
	struct completion done;
};

static atomic_t ready;
static atomic_t torn_shown;

static u32 xorshift32(u32 *s)
{
	u32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static int worker_fn(void *arg)
{
	struct worker *w = arg;
	uint i;

	/* start together, so that the calls really overlap */
	atomic_inc(&ready);
	while (atomic_read(&ready) < threads)
		cond_resched();
	for (i = 0; i < iters; i++) {
		struct tally_totals t;
		u64 in_hist = 0;
		int b;

		kb_tally_add(w->ctx, xorshift32(&w->state));
		if (i % SNAP_EVERY != SNAP_EVERY - 1)
			continue;
		kb_tally_snapshot(w->ctx, &t);
		for (b = 0; b < NBUCKETS; b++)
			in_hist += t.hist[b];
		w->snapshots++;
		if (t.count != in_hist) {
			w->torn++;
			if (atomic_inc_return(&torn_shown) == 1)
				pr_info("tally: torn snapshot: count=%llu but hist adds up to %llu\n",
					t.count, in_hist);
		}
	}
	complete(&w->done);
	/* kthread_stop() reaps us: wait for it */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Runs the threads against ctx and returns once all have finished (0), or a
 * negative errno when they could not be started.
 */
int kb_tally_run(void *ctx)
{
	struct worker *ws;
	uint t, started = 0, snapshots = 0, torn = 0;
	int ret = 0;

	if (threads < 1 || threads > 8)
		return -EINVAL;
	ws = kcalloc(threads, sizeof(*ws), GFP_KERNEL);
	if (!ws)
		return -ENOMEM;
	atomic_set(&ready, 0);
	atomic_set(&torn_shown, 0);
	for (t = 0; t < threads; t++) {
		ws[t].ctx = ctx;
		init_completion(&ws[t].done);
		ws[t].state = seed ^ (0x9e3779b9u * (t + 1));
		if (!ws[t].state)
			ws[t].state = 1;
		ws[t].task = kthread_create(worker_fn, &ws[t], "tally/%u", t);
		if (IS_ERR(ws[t].task)) {
			ret = PTR_ERR(ws[t].task);
			break;
		}
		kthread_bind(ws[t].task, t % num_online_cpus());
		started++;
	}
	if (ret) {
		/* threads that never ran: stop them before they start */
		for (t = 0; t < started; t++)
			kthread_stop(ws[t].task);
		kfree(ws);
		return ret;
	}
	pr_info("tally: %u threads x %u calls on %u CPUs\n", threads, iters, num_online_cpus());
	for (t = 0; t < threads; t++)
		wake_up_process(ws[t].task);
	/* stopping a thread before it ran would skip its work: wait first */
	for (t = 0; t < threads; t++)
		wait_for_completion(&ws[t].done);
	for (t = 0; t < threads; t++) {
		kthread_stop(ws[t].task);
		snapshots += ws[t].snapshots;
		torn += ws[t].torn;
	}
	pr_info("tally: snapshots=%u torn=%u\n", snapshots, torn);
	kfree(ws);
	return 0;
}

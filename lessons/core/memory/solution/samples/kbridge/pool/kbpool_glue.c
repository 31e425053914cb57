// SPDX-License-Identifier: GPL-2.0
/*
 * kbpool: the C half. At load time it makes a pool (kbpool_core.rs) with
 * room for `capacity` values, then, with a spinlock held and interrupts
 * off, pushes every entry of `vals` into it and reads back its length and
 * sum. It prints what Rust returned for each call.
 *
 *   insmod kbpool.ko capacity=4 vals=10,20,30,40,50
 */
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/spinlock.h>
#include "kbpool.h"

static unsigned long capacity = 8;
module_param(capacity, ulong, 0444);
MODULE_PARM_DESC(capacity, "how many values the pool has room for");

static unsigned long vals[KB_MAX_VALS];
static int nvals;
module_param_array(vals, ulong, &nvals, 0444);
MODULE_PARM_DESC(vals, "values to push, separated by commas");

static DEFINE_SPINLOCK(kb_lock);
static struct kb_pool *pool;

static int __init kbpool_init(void)
{
	int results[KB_MAX_VALS];
	unsigned long flags;
	size_t len;
	u64 sum;
	int ret, i;

	/* process context, no lock: the one place where allocating may sleep */
	ret = kb_pool_new(capacity, &pool);
	pr_info("kbpool: kb_pool_new(%lu) -> %d\n", capacity, ret);
	if (ret)
		return ret;

	/*
	 * The hot path: atomic context, as in an interrupt handler. Nothing
	 * called here may sleep, so nothing may allocate with GFP_KERNEL.
	 */
	spin_lock_irqsave(&kb_lock, flags);
	for (i = 0; i < nvals; i++)
		results[i] = kb_pool_push(pool, vals[i]);
	len = kb_pool_len(pool);
	sum = kb_pool_sum(pool);
	spin_unlock_irqrestore(&kb_lock, flags);

	for (i = 0; i < nvals; i++)
		pr_info("kbpool: push %lu -> %d\n", vals[i], results[i]);
	pr_info("kbpool: %zu values, sum %llu\n", len, sum);
	return 0;
}

static void __exit kbpool_exit(void)
{
	kb_pool_free(pool);
}

module_init(kbpool_init);
module_exit(kbpool_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: allocate early, never in atomic context");

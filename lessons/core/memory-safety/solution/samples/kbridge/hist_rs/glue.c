// SPDX-License-Identifier: GPL-2.0
/*
 * hist_rs: the same histogram, counted by Rust (count.rs). This C half only
 * takes the module parameter and prints the result; lessons 6 and 7 show how
 * the two halves talk to each other.
 *
 *   insmod hist_rs.ko samples=2,0,3,7,1
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

static int samples[16] = { 2, 0, 3, 4, 1, 3 };
static int nsamples = 6;
module_param_array(samples, int, &nsamples, 0444);
MODULE_PARM_DESC(samples, "the values to count (up to 16)");

/* count.rs: counts samples[0..n] into counts[4]; returns how many were rejected */
unsigned int kb_hist_count(const int *samples, size_t n, unsigned int counts[4]);

static int __init hist_rs_init(void)
{
	unsigned int counts[4] = { 0 };
	unsigned int rejected = kb_hist_count(samples, nsamples, counts);

	pr_info("hist_rs: 0:%u 1:%u 2:%u 3:%u rejected:%u\n",
		counts[0], counts[1], counts[2], counts[3], rejected);
	return 0;
}

static void __exit hist_rs_exit(void)
{
}

module_init(hist_rs_init);
module_exit(hist_rs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: the histogram in Rust");

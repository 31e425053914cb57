// SPDX-License-Identifier: GPL-2.0
/*
 * hist: counts samples into four buckets, 0 to 3.
 *
 *   insmod hist.ko samples=2,0,3,7,1 guard=12345
 *
 * prints one line: how many samples fell in each bucket, and how many were
 * rejected because no bucket exists for them; then the guard word that sits
 * right after counts[], which nothing may write.
 */
#include <linux/array_size.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#define NBUCKETS 4

static int samples[16] = { 2, 0, 3, 4, 1, 3 };
static int nsamples = 6;
module_param_array(samples, int, &nsamples, 0444);
MODULE_PARM_DESC(samples, "the values to count (up to 16)");

static uint guard = 0x6b62;
module_param(guard, uint, 0444);
MODULE_PARM_DESC(guard, "the value of the guard word after counts[]");

/*
 * One struct, so that the compiler keeps this order: counts[NBUCKETS], one
 * past the end, is the guard. A write there changes the guard, and hist_init
 * prints what the guard holds once counting is done.
 */
static struct {
	unsigned int counts[NBUCKETS];
	unsigned int guard;
} hist;
static unsigned int rejected;

static void hist_count(void)
{
	int i;

	for (i = 0; i < nsamples; i++) {
		int v = samples[i];

		// TODO-BEGIN: a sample with no bucket (below 0, or NBUCKETS and above) goes to `rejected`, never into hist.counts[]
		if (v < 0 || v >= NBUCKETS) {
			rejected++;
			continue;
		}
		// TODO-END
		hist.counts[v]++;
	}
}

static int __init hist_init(void)
{
	hist.guard = guard;
	hist_count();
	pr_info("hist: 0:%u 1:%u 2:%u 3:%u rejected:%u\n",
		hist.counts[0], hist.counts[1], hist.counts[2], hist.counts[3], rejected);
	pr_info("hist: guard after counts[]: %u\n", hist.guard);
	return 0;
}

static void __exit hist_exit(void)
{
}

module_init(hist_init);
module_exit(hist_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: a histogram with a bounds bug");

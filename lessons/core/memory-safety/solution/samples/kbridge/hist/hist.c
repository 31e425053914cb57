// SPDX-License-Identifier: GPL-2.0
/*
 * hist: counts samples into four buckets, 0 to 3.
 *
 *   insmod hist.ko samples=2,0,3,7,1
 *
 * prints one line: how many samples fell in each bucket, and how many were
 * rejected because no bucket exists for them.
 */
#include <linux/array_size.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#define NBUCKETS 4

static int samples[16] = { 2, 0, 3, 4, 1, 3 };
static int nsamples = 6;
module_param_array(samples, int, &nsamples, 0444);
MODULE_PARM_DESC(samples, "the values to count (up to 16)");

static unsigned int counts[NBUCKETS];
static unsigned int rejected;

static void hist_count(void)
{
	int i;

	for (i = 0; i < nsamples; i++) {
		int v = samples[i];

		// TODO-BEGIN: a sample with no bucket (below 0, or NBUCKETS and above) goes to `rejected`, never into counts[]
		if (v < 0 || v >= NBUCKETS) {
			rejected++;
			continue;
		}
		// TODO-END
		counts[v]++;
	}
}

static int __init hist_init(void)
{
	hist_count();
	pr_info("hist: 0:%u 1:%u 2:%u 3:%u rejected:%u\n",
		counts[0], counts[1], counts[2], counts[3], rejected);
	return 0;
}

static void __exit hist_exit(void)
{
}

module_init(hist_init);
module_exit(hist_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: a histogram with a bounds bug");

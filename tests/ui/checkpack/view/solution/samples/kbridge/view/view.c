// SPDX-License-Identifier: GPL-2.0
/* view: prints a line longer than the screen, as UBSAN's reports are, and refuses to load. */
#include <linux/module.h>

static int __init view_init(void)
{
	pr_info("view: UBSAN-like: array-index-out-of-bounds in /home/learner/kbridge-workspace/linux/samples/kbridge/hist/hist.c:32:3\n");
	pr_info("view: refusing to load\n");
	return -EINVAL;
}

module_init(view_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge test: the check view");

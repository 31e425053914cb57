// SPDX-License-Identifier: GPL-2.0
/*
 * orientation: the course's first module. It greets whoever the `who`
 * parameter names (insmod orientation.ko who=NAME).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *who = "world";
module_param(who, charp, 0444);
MODULE_PARM_DESC(who, "who to greet");

static int __init orientation_init(void)
{
	// TODO-BEGIN: greet the `who` parameter: "orientation: hello, NAME, ready to start"
	pr_info("orientation: hello, %s, ready to start\n", who);
	// TODO-STARTER
	// pr_info("orientation: hello, world\n");
	// TODO-END
	return 0;
}

static void __exit orientation_exit(void)
{
	pr_info("orientation: goodbye\n");
}

module_init(orientation_init);
module_exit(orientation_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: the first module of the course");

// SPDX-License-Identifier: GPL-2.0
/*
 * kberr: the C half. It owns a small table of settings and, at load time,
 * hands each entry of the `cmds` parameter to the Rust half (kberr_core.rs),
 * then prints the value Rust returned for it, as C sees it.
 *
 *   insmod kberr.ko cmds=speed=40,depth=x,version=2
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "kberr.h"

static char *cmds[KB_MAX_CMDS];
static int ncmds;
module_param_array(cmds, charp, &ncmds, 0444);
MODULE_PARM_DESC(cmds, "settings to apply, key=value, separated by commas");

struct kb_setting {
	const char *key;
	bool read_only;
	u32 value;
};

static struct kb_setting settings[] = {
	{ "speed", false, 0 },
	{ "depth", false, 0 },
	{ "level", false, 0 },
	{ "version", true, 3 },
};

/* Called from kberr_core.rs: kernel style, 0 or a negative errno. */
int kb_c_store(const char *key, size_t keylen, u32 value)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		struct kb_setting *s = &settings[i];

		if (strlen(s->key) != keylen || memcmp(s->key, key, keylen))
			continue;
		if (s->read_only)
			return -EACCES;
		s->value = value;
		return 0;
	}
	return -ENOENT;
}

static int __init kberr_init(void)
{
	int i;

	for (i = 0; i < ncmds; i++) {
		int ret = kb_rust_apply(cmds[i], strlen(cmds[i]));

		pr_info("kberr: %s -> %d\n", cmds[i], ret);
	}
	pr_info("kberr: table speed=%u depth=%u level=%u version=%u\n",
		settings[0].value, settings[1].value, settings[2].value,
		settings[3].value);
	return 0;
}

static void __exit kberr_exit(void)
{
}

module_init(kberr_init);
module_exit(kberr_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: errno values across the C/Rust boundary");

// SPDX-License-Identifier: GPL-2.0
/*
 * kbhdr: the C half. Each element of the `hdrs` parameter is a buffer written
 * in hex; this file copies it to the very end of a vmalloc'd page (the page
 * after it is a guard page: one byte read past the buffer faults), hands it
 * to the Rust half (kb_hdr_parse, kbhdr_ffi.rs) and prints what comes back.
 *
 *   insmod kbhdr.ko hdrs=4b424844010000000000000000000000,4b4248
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include "kbhdr.h"

#define KBHDR_MAX_BUFS 16

static char *hdrs[KBHDR_MAX_BUFS];
static int n_hdrs;
module_param_array(hdrs, charp, &n_hdrs, 0444);
MODULE_PARM_DESC(hdrs, "buffers to parse, each in hex, separated by commas");

static void kbhdr_one(u8 *page, int i, const char *hex)
{
	size_t len = strlen(hex) / 2;
	u8 *buf = page + PAGE_SIZE - len;
	struct kb_hdr h;
	int ret;

	if (len == 0 || strlen(hex) % 2 || len > PAGE_SIZE || hex2bin(buf, hex, len)) {
		pr_info("kbhdr: #%d is not a hex buffer\n", i);
		return;
	}
	ret = kb_hdr_parse(buf, len, &h);
	if (ret)
		pr_info("kbhdr: #%d %zu bytes -> %d\n", i, len, ret);
	else
		pr_info("kbhdr: #%d %zu bytes -> magic=%08x version=%u flags=%04x length=%u checksum=%08x\n",
			i, len, h.magic, h.version, h.flags, h.length, h.checksum);
}

static int __init kbhdr_init(void)
{
	u8 *page = vmalloc(PAGE_SIZE);
	int i;

	if (!page)
		return -ENOMEM;
	for (i = 0; i < n_hdrs; i++)
		kbhdr_one(page, i, hdrs[i]);
	vfree(page);
	return 0;
}

static void __exit kbhdr_exit(void)
{
}

module_init(kbhdr_init);
module_exit(kbhdr_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: binary headers parsed in safe Rust for a C module");

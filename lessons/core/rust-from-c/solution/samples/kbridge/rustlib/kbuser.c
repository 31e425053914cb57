// SPDX-License-Identifier: GPL-2.0
/*
 * kbuser: a plain C module that uses kbrust's exported Rust function.
 *
 *   insmod kbrust.ko && insmod kbuser.ko text=hello
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include "kbrust.h"

static char *text = "C calls Rust";
module_param(text, charp, 0444);
MODULE_PARM_DESC(text, "the bytes to checksum");

static int __init kbuser_init(void)
{
	pr_info("kbuser: checksum(\"%s\") = %lld\n", text,
		kb_rust_checksum((const u8 *)text, strlen(text)));
	pr_info("kbuser: NULL -> %lld\n", kb_rust_checksum(NULL, 8));
	pr_info("kbuser: %d bytes -> %lld\n", KB_RUST_MAX_LEN + 1,
		kb_rust_checksum((const u8 *)text, KB_RUST_MAX_LEN + 1));
	return 0;
}

static void __exit kbuser_exit(void)
{
}

module_init(kbuser_init);
module_exit(kbuser_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: a C module calling Rust through EXPORT_SYMBOL_GPL");

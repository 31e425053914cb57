// SPDX-License-Identifier: GPL-2.0
/*
 * kbrust: the C half of a module whose work is done in Rust (kbrust_core.rs).
 * It gives the module its init and exit, and exports the Rust function to
 * other modules.
 */
#include <linux/module.h>
#include "kbrust.h"

// TODO-BEGIN: export kb_rust_checksum to other GPL modules
EXPORT_SYMBOL_GPL(kb_rust_checksum);
// TODO-END

static int __init kbrust_init(void)
{
	pr_info("kbrust: ready, checksum(\"kbridge\") = %lld\n",
		kb_rust_checksum((const u8 *)"kbridge", 7));
	return 0;
}

static void __exit kbrust_exit(void)
{
}

module_init(kbrust_init);
module_exit(kbrust_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: a Rust function exported to C modules");

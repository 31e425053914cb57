// SPDX-License-Identifier: GPL-2.0
/*
 * The test driver's parameters (the driver itself is in slots_main.rs).
 *
 *   insmod slots.ko seed=7 ops=n:16,g:3,w:2:5,s:4:99,g:4
 *
 * Each op calls one function of the safe wrapper in store.rs:
 *   n:LEN      Slots::new(LEN), then slot i is set to seed * (i + 1)
 *   g:I        get(I)
 *   s:I:V      set(I, V)
 *   w:START:N  window(START, N), printed as its length and the sum of its slots
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

static char *ops = "";
module_param(ops, charp, 0444);
MODULE_PARM_DESC(ops, "the calls the test driver makes, comma-separated");

static uint seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "the value slot 0 is filled with (slot i gets seed * (i + 1))");

const char *kb_driver_ops(void);
u32 kb_driver_seed(void);

/* The ops string: NUL-terminated, and unchanged while the module is loaded (0444). */
const char *kb_driver_ops(void)
{
	return ops;
}

u32 kb_driver_seed(void)
{
	return seed;
}

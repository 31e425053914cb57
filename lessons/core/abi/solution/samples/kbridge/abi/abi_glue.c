// SPDX-License-Identifier: GPL-2.0
/*
 * abi: one struct, two languages. struct kb_sample is defined here, in C;
 * sample.rs declares the same layout in Rust. Rust fills a sample that C
 * reads, and reads a sample that C filled.
 *
 *   insmod abi.ko seed=1234
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/stddef.h>
#include <linux/string.h>

struct kb_sample {
	u8 kind;
	u32 value;
	u16 flags;
	u64 stamp;
};

static_assert(sizeof(struct kb_sample) == 24);
static_assert(offsetof(struct kb_sample, stamp) == 16);

/* sample.rs */
size_t kb_sample_size(void);
void kb_sample_fill(struct kb_sample *s, u32 seed);
u64 kb_sample_digest(const struct kb_sample *s);

static uint seed = 7;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "where the sample's values come from");

static int __init abi_init(void)
{
	struct kb_sample s, c = {
		.kind = 9, .value = seed + 1, .flags = 0x0a0b, .stamp = ((u64)seed << 32) | 5,
	};

	if (kb_sample_size() != sizeof(struct kb_sample)) {
		pr_err("abi: Rust's KbSample has %zu bytes, C's struct kb_sample %zu\n",
		       kb_sample_size(), sizeof(struct kb_sample));
		return -EINVAL;
	}
	memset(&s, 0xff, sizeof(s));
	kb_sample_fill(&s, seed);
	pr_info("abi: C read kind=%u value=%u flags=0x%x stamp=%llu\n",
		s.kind, s.value, s.flags, s.stamp);
	pr_info("abi: Rust read digest=%llu\n", kb_sample_digest(&c));
	return 0;
}

static void __exit abi_exit(void)
{
}

module_init(abi_init);
module_exit(abi_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: a struct shared by C and Rust");

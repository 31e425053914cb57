// SPDX-License-Identifier: GPL-2.0
/*
 * kbperf: time the same CRC-32 written in C and in Rust, on the same data, in
 * the same boot.
 *
 *   insmod kbperf.ko seed=12345
 *
 * The data is KBPERF_BYTES pseudo-random bytes made from seed (xorshift32, four
 * bytes per step, least significant first), cut into KBPERF_PACKET-byte packets:
 * the CRC of every packet is computed, as a network driver would do, and the
 * CRCs are folded into one result (xor the next CRC, multiply by 16777619).
 * Each implementation runs KBPERF_ROUNDS times, taking turns; the fastest
 * round of each is printed, in CPU cycles (the time stamp counter) and in ns:
 *
 *   kbperf: c result=0x........ cycles=... ns=...
 *   kbperf: rust result=0x........ cycles=... ns=...
 *
 * Why cycles: under QEMU without KVM, on a busy host, the guest may fail to
 * calibrate its TSC at boot and fall back to the jiffies clock, whose steps
 * (4 ms at HZ=250) are longer than one round. get_cycles() reads the time
 * stamp counter itself, which counts finely either way.
 */
#include <linux/ktime.h>
#include <linux/timex.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/vmalloc.h>
#include "kbperf.h"

#define KBPERF_BYTES (256 * 1024)
#define KBPERF_PACKET 64
#define KBPERF_ROUNDS 31

static uint seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "makes the data (xorshift32; 0 is taken as 1)");

typedef u32 (*kbperf_fn)(const u8 *data, size_t len);

struct kbperf_time {
	u64 cycles, ns;
};

static u32 kbperf_pass(kbperf_fn crc32, const u8 *data, struct kbperf_time *best)
{
	u64 t0 = ktime_get_ns();
	cycles_t c0 = get_cycles();
	u32 result = 0;
	u64 cycles, ns;

	for (size_t off = 0; off < KBPERF_BYTES; off += KBPERF_PACKET)
		result = (result ^ crc32(data + off, KBPERF_PACKET)) * 16777619;
	cycles = get_cycles() - c0;
	ns = ktime_get_ns() - t0;
	if (cycles < best->cycles) {
		best->cycles = cycles;
		best->ns = ns;
	}
	return result;
}

static int __init kbperf_init(void)
{
	struct kbperf_time best_c = { U64_MAX, 0 }, best_rust = { U64_MAX, 0 };
	u32 res_c = 0, res_rust = 0, x = seed ? seed : 1;
	u8 *data = vmalloc(KBPERF_BYTES);

	if (!data)
		return -ENOMEM;
	for (size_t i = 0; i < KBPERF_BYTES; i += 4) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		data[i] = x;
		data[i + 1] = x >> 8;
		data[i + 2] = x >> 16;
		data[i + 3] = x >> 24;
	}
	kb_c_crc32_init();

	for (int round = 0; round < KBPERF_ROUNDS; round++) {
		res_c = kbperf_pass(kb_c_crc32, data, &best_c);
		res_rust = kbperf_pass(kb_rust_crc32, data, &best_rust);
	}
	vfree(data);

	pr_info("kbperf: c result=0x%08x cycles=%llu ns=%llu\n", res_c,
		best_c.cycles, best_c.ns);
	pr_info("kbperf: rust result=0x%08x cycles=%llu ns=%llu\n", res_rust,
		best_rust.cycles, best_rust.ns);
	return 0;
}

static void __exit kbperf_exit(void)
{
}

module_init(kbperf_init);
module_exit(kbperf_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: the same CRC-32 in C and in Rust, timed side by side");

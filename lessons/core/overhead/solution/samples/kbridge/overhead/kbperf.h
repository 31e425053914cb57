/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBPERF_H
#define KBPERF_H

#include <linux/types.h>

/*
 * CRC-32 (the one of zlib, Ethernet and PNG: reflected, polynomial 0xEDB88320,
 * starting at 0xFFFFFFFF, inverted at the end) of len bytes at data.
 * kbperf_c.c and kbperf_rust.rs each write it once. Each lives in its own
 * file, so the harness calls both the same way: a real call, nothing inlined.
 */
void kb_c_crc32_init(void);
u32 kb_c_crc32(const u8 *data, size_t len);
u32 kb_rust_crc32(const u8 *data, size_t len);

#endif

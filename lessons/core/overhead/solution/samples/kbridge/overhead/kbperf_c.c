// SPDX-License-Identifier: GPL-2.0
/* kbperf_c.c: CRC-32 in C, with a 256-entry table built once at load time. */
#include "kbperf.h"

#define KB_CRC32_POLY 0xEDB88320u

static u32 kb_c_table[256];

void kb_c_crc32_init(void)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? KB_CRC32_POLY ^ (c >> 1) : c >> 1;
		kb_c_table[i] = c;
	}
}

u32 kb_c_crc32(const u8 *data, size_t len)
{
	u32 crc = ~0u;

	for (size_t i = 0; i < len; i++)
		crc = kb_c_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

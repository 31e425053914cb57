/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBHDR_H
#define KBHDR_H

#include <linux/types.h>

/*
 * A kbhdr header, as it lies at the start of a buffer: 16 bytes, every field
 * little-endian, no padding. `length` counts the payload bytes that follow
 * the header; `checksum` is carried, not checked.
 *
 *   offset  0  magic     KB_HDR_MAGIC (the bytes 'K' 'B' 'H' 'D')
 *   offset  4  version   1 to KB_HDR_VERSION_MAX
 *   offset  6  flags
 *   offset  8  length
 *   offset 12  checksum
 */
#define KB_HDR_LEN		16
#define KB_HDR_MAGIC		0x4448424bU
#define KB_HDR_VERSION_MAX	2

/* The same fields, in the CPU's byte order: what kb_hdr_parse fills in. */
struct kb_hdr {
	u32 magic;
	u16 version;
	u16 flags;
	u32 length;
	u32 checksum;
};

/*
 * kbhdr_ffi.rs: parse the header at the start of the len bytes at buf into
 * *out. The checks, in this order:
 *   -EINVAL   buf or out is NULL, or len < KB_HDR_LEN
 *   -ENOEXEC  magic is not KB_HDR_MAGIC
 *   -ERANGE   version is 0 or over KB_HDR_VERSION_MAX
 *   -E2BIG    length runs past the end of the buffer
 * Returns 0 when the header is sound; *out is written only then.
 */
int kb_hdr_parse(const u8 *buf, size_t len, struct kb_hdr *out);

#endif

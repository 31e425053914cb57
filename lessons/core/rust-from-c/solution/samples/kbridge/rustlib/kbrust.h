/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBRUST_H
#define KBRUST_H

#include <linux/types.h>

/*
 * kbrust_core.rs: a checksum of len bytes at buf: the sum of (i + 1) * buf[i].
 * Returns -EINVAL when buf is NULL, -E2BIG when len is over KB_RUST_MAX_LEN.
 */
#define KB_RUST_MAX_LEN 4096
s64 kb_rust_checksum(const u8 *buf, size_t len);

#endif

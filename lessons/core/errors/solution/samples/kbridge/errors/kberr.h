/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBERR_H
#define KBERR_H

#include <linux/types.h>

#define KB_MAX_CMDS 16		/* settings one insmod can pass */
#define KB_CMD_MAX 24		/* the longest setting Rust accepts, in bytes */
#define KB_VALUE_MAX 65535	/* the largest value Rust accepts */

/*
 * kberr_core.rs: applies one setting "key=value" of len bytes at cmd.
 * Returns 0 once it is stored, or a negative errno:
 *   -E2BIG   cmd is longer than KB_CMD_MAX bytes
 *   -EINVAL  no '=', an empty key, or a value that is not all decimal digits
 *   -ERANGE  a value above KB_VALUE_MAX
 *   anything kb_c_store returns, unchanged
 */
int kb_rust_apply(const char *cmd, size_t len);

/*
 * kberr_glue.c: stores value under the keylen-byte key at key.
 * Returns 0, -ENOENT for a key the table does not have, or -EACCES for a
 * read-only key.
 */
int kb_c_store(const char *key, size_t keylen, u32 value);

#endif

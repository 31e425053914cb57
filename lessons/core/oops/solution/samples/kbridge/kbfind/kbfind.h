/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBFIND_H
#define KBFIND_H

#include <linux/types.h>

/* One entry of the table: 8 bytes, key at offset 0, value at offset 4. */
struct kb_item {
	u32 key;
	u32 value;
};

/*
 * kbfind_core.rs: the item of items[0] .. items[n - 1] (sorted by key, no key
 * twice) whose key is `key`, or NULL when no item has that key.
 */
const struct kb_item *kb_find(const struct kb_item *items, size_t n, u32 key);

#endif

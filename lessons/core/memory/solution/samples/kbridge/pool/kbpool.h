/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KBPOOL_H
#define KBPOOL_H

#include <linux/types.h>

#define KB_MAX_VALS 32		/* values one insmod can pass */

/* A pool of u64 values, made and owned by kbpool_core.rs: C only holds a pointer. */
struct kb_pool;

/*
 * Makes a pool with room for capacity values and stores it in *out.
 * May sleep: call it only where sleeping is allowed.
 * Returns 0, or -ENOMEM when the room cannot be allocated.
 */
int kb_pool_new(size_t capacity, struct kb_pool **out);

/*
 * Adds value to the pool. Safe in atomic context (a spinlock held,
 * interrupts off): it never allocates and never sleeps.
 * Returns 0, or -ENOSPC when the pool already holds capacity values.
 */
int kb_pool_push(struct kb_pool *pool, u64 value);

/* How many values the pool holds, and their sum. Atomic context is fine. */
size_t kb_pool_len(const struct kb_pool *pool);
u64 kb_pool_sum(const struct kb_pool *pool);

/* Frees the pool (NULL is fine). */
void kb_pool_free(struct kb_pool *pool);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * A small C library: a table of u32 slots. store.rs wraps it for Rust.
 *
 * The rules a caller must follow (C cannot enforce them):
 *  - a table comes from kb_slots_new() and is freed once, with kb_slots_free();
 *    after that it must not be touched;
 *  - slot i of a table of len slots is kb_slots_data(s)[i], for i < len only;
 *    nothing after the last slot belongs to the table;
 *  - the table does no locking: a caller that writes a slot must make sure
 *    nobody else reads or writes the table at the same time.
 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/types.h>

#define KB_SLOTS_MAX 1024

struct kb_slots {
	size_t len;
	u32 data[] __counted_by(len);
};

struct kb_slots *kb_slots_new(size_t len);
void kb_slots_free(struct kb_slots *s);
size_t kb_slots_len(const struct kb_slots *s);
u32 *kb_slots_data(struct kb_slots *s);

/* A table of len zeroed slots; NULL when len is 0 or over KB_SLOTS_MAX, or memory is short. */
struct kb_slots *kb_slots_new(size_t len)
{
	struct kb_slots *s;

	if (len == 0 || len > KB_SLOTS_MAX)
		return NULL;
	s = kzalloc(struct_size(s, data, len), GFP_KERNEL);
	if (s)
		s->len = len;
	return s;
}

/* Frees a table from kb_slots_new(); NULL is allowed. */
void kb_slots_free(struct kb_slots *s)
{
	kfree(s);
}

/* The number of slots. */
size_t kb_slots_len(const struct kb_slots *s)
{
	return s->len;
}

/* The first slot: the table's len slots follow it, and nothing else does. */
u32 *kb_slots_data(struct kb_slots *s)
{
	return s->data;
}

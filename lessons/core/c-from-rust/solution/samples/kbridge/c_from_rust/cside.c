// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of c_from_rust: it owns the `word` parameter and hands a copy
 * to whoever asks. The module itself (module!, init) is in rside.rs.
 *
 *   insmod c_from_rust.ko word=hello
 */
#include <linux/errno.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

static char *word = "kernel";
module_param(word, charp, 0444);
MODULE_PARM_DESC(word, "the word C hands to Rust");

ssize_t kb_c_word(u8 *buf, size_t len);   /* called from rside.rs */

/*
 * Copies the word into buf, without a terminating NUL.
 * Returns the number of bytes copied, or -E2BIG when the word does not fit
 * in len bytes (then buf is left alone).
 */
ssize_t kb_c_word(u8 *buf, size_t len)
{
	size_t n = strlen(word);

	if (n > len)
		return -E2BIG;
	memcpy(buf, word, n);
	return n;
}

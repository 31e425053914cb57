// SPDX-License-Identifier: GPL-2.0
/*
 * kbfind: the C half. It builds a table from the keys= and vals= parameters,
 * sorts it by key, and asks the Rust half (kb_find, kbfind_core.rs) for each
 * key given, then for each probe= key, which may be absent.
 *
 *   insmod kbfind.ko keys=30,10,20 vals=3,1,2 probes=15,40
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sort.h>
#include "kbfind.h"

#define KBFIND_MAX 16

static unsigned int keys[KBFIND_MAX];
static int n_keys;
module_param_array(keys, uint, &n_keys, 0444);
MODULE_PARM_DESC(keys, "the table's keys, no key twice");

static unsigned int vals[KBFIND_MAX];
static int n_vals;
module_param_array(vals, uint, &n_vals, 0444);
MODULE_PARM_DESC(vals, "the value of each key, in the same order");

static unsigned int probes[KBFIND_MAX];
static int n_probes;
module_param_array(probes, uint, &n_probes, 0444);
MODULE_PARM_DESC(probes, "keys to look for that may not be in the table");

static struct kb_item table[KBFIND_MAX];

static int kbfind_cmp(const void *a, const void *b)
{
	const struct kb_item *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/*
 * Every key of the parameter is in the table: look each up, in the order given.
 * (noinline: so that an oops in it shows kbfind_init as its caller.)
 */
static noinline void kbfind_report(void)
{
	int i;

	for (i = 0; i < n_keys; i++) {
		const struct kb_item *it = kb_find(table, n_keys, keys[i]);

		pr_info("kbfind: %u -> %u (slot %td)\n", keys[i], it->value, it - table);
	}
}

/* A probe may be absent: kb_find then returns NULL. */
static noinline void kbfind_probe(void)
{
	int i;

	for (i = 0; i < n_probes; i++) {
		const struct kb_item *it = kb_find(table, n_keys, probes[i]);

		if (it)
			pr_info("kbfind: probe %u -> %u (slot %td)\n", probes[i], it->value, it - table);
		else
			pr_info("kbfind: probe %u absent\n", probes[i]);
	}
}

static int __init kbfind_init(void)
{
	int i;

	if (n_keys != n_vals)
		return -EINVAL;
	for (i = 0; i < n_keys; i++) {
		table[i].key = keys[i];
		table[i].value = vals[i];
	}
	sort(table, n_keys, sizeof(table[0]), kbfind_cmp, NULL);
	for (i = 1; i < n_keys; i++)
		if (table[i].key == table[i - 1].key)
			return -EINVAL;
	kbfind_report();
	kbfind_probe();
	return 0;
}

static void __exit kbfind_exit(void)
{
}

module_init(kbfind_init);
module_exit(kbfind_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kbridge: a C table searched by Rust");

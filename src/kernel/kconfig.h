/* kconfig.h - a Kconfig file as the kernel's own parser reads it.
 *
 * The reference build's scripts/kconfig/conf parses the file (`conf --helpnewconfig` on a
 * small top-level Kconfig that sources it), so what a check learns about an entry is what
 * `make menuconfig` would show: its type, prompt, dependencies and help text, whatever
 * the file's indentation or the order of its attributes. The file is read against the
 * course kernel's configuration: every symbol the reference build sets (CONFIG_X=y or m
 * in its .config) is defined with that value, so `depends on RUST` is met and an entry
 * that depends on something the course kernel lacks is not offered (not listed).
 */
#ifndef KB_KCONFIG_H
#define KB_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct kb_kconfig_symbol {
	char *name;          /* "SAMPLE_KBRIDGE_GREETER" */
	char *type;          /* "tristate", "bool", "string", ... */
	char *prompt;        /* the (first) prompt; listed symbols always have one */
	char *depends;       /* "RUST", "SAMPLES && RUST", or NULL: no dependency */
	char *help;          /* the help text, or NULL when there is none */
	char *defined_at;    /* "samples/kbridge/greeter/Kconfig:7" */
};

struct kb_kconfig {
	bool ok;             /* conf parsed the file (exit 0) */
	int exit_code;
	char *log;           /* conf's output (its errors: "FILE:LINE: syntax error") */
	struct kb_kconfig_symbol *symbols;   /* the entries menuconfig would offer, in order */
	size_t n;
};

/* Parse rel (a Kconfig file, relative to tree) with build_dir/scripts/kconfig/conf, against
 * build_dir/.config, inside the build sandbox (runner_confine: a $(shell,...) in the file
 * can write nothing but conf's own temporary folder). Returns 0 (look at k->ok), or
 * KB_ECHILD (also when the sandbox is unavailable) / KB_EIO with a message. */
int kb_kconfig_read(struct kb_kconfig *k, const char *build_dir, const char *tree, const char *rel, double timeout);
/* Parse conf --helpnewconfig output (exposed for tests). */
void kb_kconfig_parse(struct kb_kconfig *k, const char *text);
void kb_kconfig_free(struct kb_kconfig *k);

#endif

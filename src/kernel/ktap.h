/* ktap.h - read KUnit results: a KTAP (and TAP 13) parser for kernel logs.
 *
 * KUnit prints its results into the kernel log as KTAP version 1: a header, a plan
 * (1..N), one result line per test ("ok 1 name", "not ok 2 name", "ok 3 name # SKIP
 * why"), diagnostic lines ("# name: EXPECTATION FAILED at ..."), and nested subtests
 * indented by four spaces (a suite's cases; a parameterised case's parameters). This
 * parser takes the kernel log as dmesg or the console shows it (timestamps "[ 0.58]"
 * are dropped, lines that are not KTAP are skipped), so it can be fed the whole log.
 * A suite whose result line never came (the kernel crashed in the middle) is kept as
 * KB_KTAP_INCOMPLETE with the cases that did finish.
 */
#ifndef KB_KTAP_H
#define KB_KTAP_H

#include <stdbool.h>
#include <stddef.h>

enum kb_ktap_result {
	KB_KTAP_OK,
	KB_KTAP_FAIL,
	KB_KTAP_SKIP,        /* "# SKIP" directive (on ok or not ok) */
	KB_KTAP_INCOMPLETE,  /* subtests began but their parent's result line never came */
};
const char *kb_ktap_result_name(enum kb_ktap_result r);   /* "ok", "fail", "skip", "incomplete" */

struct kb_ktap_test {
	char *name;                 /* "example_simple_test"; never NULL */
	int number;                 /* its number in the plan; 0 for an incomplete suite */
	enum kb_ktap_result result;
	char *directive;            /* text after " # " on the result line ("SKIP reason"), or NULL */
	char *diagnostics;          /* the "# ..." lines printed at its level before its result
				       (what a failed expectation says), one per line; never NULL */
	int plan;                   /* its subtests' plan (1..N), or -1 */
	struct kb_ktap_test *subtests;
	size_t n_subtests;
};

struct kb_ktap {
	bool found;                 /* a "KTAP version" / "TAP version" header was seen */
	int version;                /* of the first header */
	struct kb_ktap_test *tests; /* top-level results: KUnit suites, in order */
	size_t n_tests;
	/* leaf test cases (tests without subtests), over every suite */
	int passed, failed, skipped;
};

/* Parse text (a kernel log). Never fails on bad input: what is not KTAP is skipped.
 * Returns 0 (KB_EINVAL when text is NULL). *out is freed with kb_ktap_free(). */
int kb_ktap_parse(struct kb_ktap *out, const char *text);
void kb_ktap_free(struct kb_ktap *k);

/* A test by path: "example" (a suite), "example.example_simple_test" (a case),
 * "example.example_params_test.example value 2". NULL when absent; when a suite ran
 * twice, the last run. */
const struct kb_ktap_test *kb_ktap_find(const struct kb_ktap *k, const char *path);

/* Leaf counts under one test (the test itself when it has no subtests). */
void kb_ktap_count(const struct kb_ktap_test *t, int *passed, int *failed, int *skipped);

#endif

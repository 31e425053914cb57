/* ktap.c - KTAP / TAP 13 parser for KUnit output in kernel logs. See ktap.h. */
#define _GNU_SOURCE
#include "kernel/ktap.h"
#include "base/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *kb_ktap_result_name(enum kb_ktap_result r)
{
	switch (r) {
	case KB_KTAP_OK: return "ok";
	case KB_KTAP_FAIL: return "fail";
	case KB_KTAP_SKIP: return "skip";
	case KB_KTAP_INCOMPLETE: return "incomplete";
	}
	return "?";
}

/* one nesting level: the tests finished at one indentation */
struct level {
	int indent;
	char *name;                 /* from "# Subtest: name" */
	int plan;
	bool planned;               /* its "1..N" was seen: "# " lines before it are metadata */
	struct kb_ktap_test *tests;
	size_t n, cap;
	struct kb_buf diag;         /* "# ..." lines waiting for the next result at this level */
};

struct parser {
	struct level *lv;
	size_t n, cap;
};

static void push_test(struct level *l, struct kb_ktap_test *t)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->tests = kb_realloc(l->tests, l->cap * sizeof *l->tests);
	}
	l->tests[l->n++] = *t;
}

static struct level *push_level(struct parser *p, int indent)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->lv = kb_realloc(p->lv, p->cap * sizeof *p->lv);
	}
	struct level *l = &p->lv[p->n++];
	memset(l, 0, sizeof *l);
	l->indent = indent;
	l->plan = -1;
	return l;
}

static struct level *top(struct parser *p)
{
	return p->n ? &p->lv[p->n - 1] : NULL;
}

/* The level at exactly `indent`, pushing one when it is deeper than the top. For lines
 * at an indent between two open levels (KUnit prints a parameterised case's
 * diagnostics at the case's indent while its parameters are deeper), the nearest open
 * level at or above it. */
static struct level *level_at(struct parser *p, int indent)
{
	for (size_t i = p->n; i-- > 0;)
		if (p->lv[i].indent == indent)
			return &p->lv[i];
	if (!p->n || indent > top(p)->indent)
		return push_level(p, indent);
	for (size_t i = p->n; i-- > 0;)
		if (p->lv[i].indent < indent)
			return &p->lv[i];
	return &p->lv[0];
}

/* Turn a popped level into the subtests of t. */
static void adopt(struct kb_ktap_test *t, struct level *l)
{
	t->subtests = l->tests;
	t->n_subtests = l->n;
	t->plan = l->plan;
	if (l->diag.len) {
		struct kb_buf b = KB_BUF_INIT;
		kb_buf_adds(&b, t->diagnostics ? t->diagnostics : "");
		kb_buf_add(&b, l->diag.data, l->diag.len);
		free(t->diagnostics);
		t->diagnostics = kb_buf_detach(&b);
	}
	kb_buf_free(&l->diag);
	free(l->name);
	l->tests = NULL;
	l->n = l->cap = 0;
}

/* A level whose parent's result never came: keep its tests under an incomplete test. */
static struct kb_ktap_test incomplete_of(struct level *l)
{
	struct kb_ktap_test t = {0};
	t.name = kb_strdup(l->name ? l->name : "(unnamed suite)");
	t.result = KB_KTAP_INCOMPLETE;
	t.diagnostics = kb_strdup("");
	adopt(&t, l);
	return t;
}

/* Pop every level deeper than indent; the one right under it is returned (not yet
 * freed, its tests still owned) in *child when child != NULL. */
static bool pop_deeper(struct parser *p, int indent, struct level *child)
{
	bool have = false;
	while (p->n && top(p)->indent > indent) {
		struct level l = p->lv[--p->n];
		if (p->n && top(p)->indent > indent) {
			struct kb_ktap_test t = incomplete_of(&l);
			push_test(top(p), &t);
		} else {
			*child = l;
			have = true;
		}
	}
	return have;
}

static bool parse_result(const char *s, struct kb_ktap_test *t)
{
	bool ok;
	if (strncmp(s, "ok ", 3) == 0) {
		ok = true;
		s += 3;
	} else if (strncmp(s, "not ok ", 7) == 0) {
		ok = false;
		s += 7;
	} else {
		return false;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	memset(t, 0, sizeof *t);
	t->number = (int)strtol(s, (char **)&s, 10);
	while (*s == ' ')
		s++;
	if (s[0] == '-' && s[1] == ' ')
		s += 2;
	const char *hash = strstr(s, " # "), *d = hash ? hash + 3 : NULL;
	if (s[0] == '#' && (s[1] == ' ' || !s[1])) {
		hash = s;   /* "ok 1 # SKIP" with no name */
		d = s + 1;
	}
	size_t nlen = hash ? (size_t)(hash - s) : strlen(s);
	while (nlen && s[nlen - 1] == ' ')
		nlen--;
	t->name = kb_strndup(s, nlen);
	t->result = ok ? KB_KTAP_OK : KB_KTAP_FAIL;
	t->plan = -1;
	if (hash) {
		while (*d == ' ')
			d++;
		t->directive = kb_strdup(d);
		if (strncasecmp(d, "SKIP", 4) == 0)
			t->result = KB_KTAP_SKIP;
	}
	return true;
}

static void line(struct parser *p, bool *active, const char *raw, size_t n)
{
	char *buf = kb_strndup(raw, n);
	char *s = buf;
	size_t len = strlen(s);
	while (len && (s[len - 1] == '\r' || s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	/* dmesg's "[    0.588214] " */
	size_t stamp = kb_log_stamp_len(s, len);
	if (stamp)
		s += s[stamp] == ' ' ? stamp + 1 : stamp;   /* one space: KTAP's indent follows */
	int indent = 0;
	while (s[indent] == ' ')
		indent++;
	const char *c = s + indent;

	int version;
	if (sscanf(c, "KTAP version %d", &version) == 1 || sscanf(c, "TAP version %d", &version) == 1) {
		if (!*active && p->n == 0) {
			*active = true;
			struct level *l = push_level(p, indent);
			(void)l;
		} else {
			level_at(p, indent);
		}
		goto out;
	}
	if (!*active)
		goto out;
	struct kb_ktap_test t;
	if (parse_result(c, &t)) {
		struct level child;
		bool have = pop_deeper(p, indent, &child);
		struct level *l = level_at(p, indent);
		t.diagnostics = kb_buf_detach(&l->diag);
		if (have)
			adopt(&t, &child);
		push_test(l, &t);
	} else if (strncmp(c, "# Subtest: ", 11) == 0) {
		struct level *l = level_at(p, indent);
		free(l->name);
		l->name = kb_strdup(c + 11);
	} else if (c[0] == '1' && c[1] == '.' && c[2] == '.') {
		struct level *l = level_at(p, indent);
		l->plan = atoi(c + 3);
		l->planned = true;
	} else if (c[0] == '#') {
		/* "# module: name", "# is_init: true" before the plan describe the suite */
		struct level *l = level_at(p, indent);
		if (l->planned) {
			kb_buf_adds(&l->diag, c);
			kb_buf_adds(&l->diag, "\n");
		}
	} else if (indent > 0 && *c) {
		/* KUnit's indented continuation lines ("    Expected x == 42, but"): the
		   diagnostics of an open nested level; other kernel messages are skipped */
		for (size_t i = p->n; i-- > 0;) {
			if (p->lv[i].indent <= indent) {
				if (p->lv[i].indent > 0) {
					kb_buf_adds(&p->lv[i].diag, c);
					kb_buf_adds(&p->lv[i].diag, "\n");
				}
				break;
			}
		}
	}
out:
	free(buf);
}

static void count(const struct kb_ktap_test *t, int *passed, int *failed, int *skipped)
{
	if (t->n_subtests == 0) {
		if (t->result == KB_KTAP_OK)
			(*passed)++;
		else if (t->result == KB_KTAP_SKIP)
			(*skipped)++;
		else
			(*failed)++;
		return;
	}
	for (size_t i = 0; i < t->n_subtests; i++)
		count(&t->subtests[i], passed, failed, skipped);
}

void kb_ktap_count(const struct kb_ktap_test *t, int *passed, int *failed, int *skipped)
{
	*passed = *failed = *skipped = 0;
	count(t, passed, failed, skipped);
}

int kb_ktap_parse(struct kb_ktap *out, const char *text)
{
	memset(out, 0, sizeof *out);
	if (!text)
		return kb_error_set(KB_EINVAL, "kb_ktap_parse: no text");
	struct parser p = {0};
	bool active = false;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (!out->found) {
			const char *k = memmem(l, n, "TAP version ", 12);
			if (k) {
				out->found = true;
				out->version = atoi(k + 12);
			}
		}
		line(&p, &active, l, n);
		l += n + (nl ? 1 : 0);
	}
	/* what is still open never got its result line */
	if (p.n) {
		struct level child;
		int base = p.lv[0].indent;
		if (pop_deeper(&p, base, &child)) {
			struct kb_ktap_test t = incomplete_of(&child);
			push_test(&p.lv[0], &t);
		}
		out->tests = p.lv[0].tests;
		out->n_tests = p.lv[0].n;
		kb_buf_free(&p.lv[0].diag);
		free(p.lv[0].name);
	}
	free(p.lv);
	for (size_t i = 0; i < out->n_tests; i++)
		count(&out->tests[i], &out->passed, &out->failed, &out->skipped);
	return 0;
}

static void free_test(struct kb_ktap_test *t)
{
	free(t->name);
	free(t->directive);
	free(t->diagnostics);
	for (size_t i = 0; i < t->n_subtests; i++)
		free_test(&t->subtests[i]);
	free(t->subtests);
}

void kb_ktap_free(struct kb_ktap *k)
{
	for (size_t i = 0; i < k->n_tests; i++)
		free_test(&k->tests[i]);
	free(k->tests);
	memset(k, 0, sizeof *k);
}

static const struct kb_ktap_test *find_in(const struct kb_ktap_test *tests, size_t n, const char *path)
{
	for (size_t i = n; i-- > 0;)
		if (strcmp(tests[i].name, path) == 0)
			return &tests[i];
	const char *dot = strchr(path, '.');
	while (dot) {
		size_t len = (size_t)(dot - path);
		for (size_t i = n; i-- > 0;) {
			if (strlen(tests[i].name) == len && strncmp(tests[i].name, path, len) == 0) {
				const struct kb_ktap_test *t = find_in(tests[i].subtests, tests[i].n_subtests, dot + 1);
				if (t)
					return t;
			}
		}
		dot = strchr(dot + 1, '.');
	}
	return NULL;
}

const struct kb_ktap_test *kb_ktap_find(const struct kb_ktap *k, const char *path)
{
	return path ? find_in(k->tests, k->n_tests, path) : NULL;
}

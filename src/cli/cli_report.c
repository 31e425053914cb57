/* cli_report.c - check results as text, TAP 13, JUnit XML, JSON and a GitHub Classroom
 * result. See cli_report.h. */
#define _GNU_SOURCE
#include "cli/cli_report.h"
#include "cli/cli.h"
#include "engine/result.h"
#include "engine/lesson.h"
#include "base/util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#ifndef KB_VERSION
#define KB_VERSION "0.1.0"
#endif

int cli_parse_format(const char *s, enum cli_format *out)
{
	static const struct { const char *name; enum cli_format f; } fmts[] = {
		{"text", CLI_TEXT}, {"tap", CLI_TAP}, {"junit", CLI_JUNIT}, {"json", CLI_JSON},
		{"classroom", CLI_CLASSROOM},
	};
	for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++)
		if (strcmp(s, fmts[i].name) == 0) {
			*out = fmts[i].f;
			return 0;
		}
	return KB_EINVAL;
}

bool cli_results_all_passed(const struct cli_results *res)
{
	for (size_t i = 0; i < res->n; i++)
		if (res->v[i].verdict != KB_VERDICT_PASS)
			return false;
	return true;
}

void cli_results_free(struct cli_results *res)
{
	for (size_t i = 0; i < res->n; i++)
		kb_check_result_free(&res->v[i]);
	free(res->v);
	res->v = NULL;
	res->n = 0;
}

/* length of the valid UTF-8 sequence at s, or 0 */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (!n || (s[0] == 0xC0 || s[0] == 0xC1) || s[0] > 0xF4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if (n == 3) {
		unsigned cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
			return 0;
	}
	if (n == 4) {
		unsigned cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
		if (cp < 0x10000 || cp > 0x10FFFF)
			return 0;
	}
	return n;
}

char *cli_clean_text(const char *s)
{
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_adds(&b, "");
	/* results are capped when recorded (result.h); this holds any report to it too */
	char *capped = kb_str_cut(s ? s : "", s ? strlen(s) : 0, CLI_FIELD_CAP,
				   /* TRANSLATORS: what a cut text was, in "[... N bytes left out (%s is cut at N bytes) ...]" */
				   _("a report's field"));
	for (const unsigned char *p = (const unsigned char *)capped; *p;) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
			kb_buf_adds(&b, "?");
			p++;
			continue;
		}
		size_t n = utf8_len(p);
		if (!n) {
			kb_buf_adds(&b, "?");
			p++;
			continue;
		}
		kb_buf_add(&b, p, n);
		p += n;
	}
	free(capped);
	return kb_buf_detach(&b);
}

const char *cli_after_label(const char *label)
{
	size_t n = strlen(label);
	return n >= 3 && strcmp(label + n - 3, "\xef\xbc\x9a") == 0 ? "" : " ";
}

/* ---- text ----------------------------------------------------------------------------- */

static void indented(FILE *out, const char *prefix, const char *text)
{
	char *capped = kb_str_cut(text ? text : "", text ? strlen(text) : 0, CLI_FIELD_CAP,
				   /* TRANSLATORS: what a cut text was, in "[... N bytes left out (%s is cut at N bytes) ...]" */
				   _("a report's field"));
	for (const char *l = capped; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		fprintf(out, "%s%.*s\n", prefix, (int)n, l);
		l += n + (nl ? 1 : 0);
	}
	free(capped);
}

/* the widest of n texts, in columns */
static int widest(const char *const *v, size_t n)
{
	int w = 0;
	for (size_t i = 0; i < n; i++) {
		int k = cli_width(v[i]);
		w = k > w ? k : w;
	}
	return w;
}

void cli_print_text_result(FILE *out, const struct kb_check_result *r)
{
	/* TRANSLATORS: the verdict of one task in `kbridge check`'s text report, at the
	   start of its line; the three are padded to the widest */
	const char *const tag[] = {_("PASS"), _("FAIL"), _("ERROR")};
	/* TRANSLATORS: before each expectation in `kbridge check`'s text report; padded to
	   the wider of the two */
	const char *const mark[] = {_("[met]"), _("[NOT MET]")};
	int tag_w = widest(tag, 3), mark_w = widest(mark, 2);
	char *pad = kb_asprintf("%*s", 2 + mark_w + 1, "");
	char *bar = kb_asprintf("%s  | ", pad);
	cli_pad(out, tag[r->verdict], tag_w);
	char *title = cli_plain(r->title ? r->title : "");
	fprintf(out, " %s  %s  (%.1f s)\n", r->id, title, r->elapsed);
	free(title);
	for (size_t i = 0; i < r->n_exp; i++) {
		const struct kb_expectation *e = &r->exp[i];
		fputs("  ", out);
		cli_pad(out, mark[!e->met], mark_w);
		char *expected = cli_plain(e->expected ? e->expected : "");
		fprintf(out, " %.*s\n", CLI_FIELD_CAP, expected);
		free(expected);
		if (e->met)
			continue;
		if (e->seen && *e->seen) {
			fprintf(out, "%s%s\n", pad, _("seen:"));
			indented(out, bar, e->seen);
		}
		if (e->where)
			fprintf(out, "%s%s%s%.*s\n", pad, _("look at:"), cli_after_label(_("look at:")), CLI_FIELD_CAP,
				e->where);
		if (e->hint) {
			char *hint = cli_plain(e->hint);
			fprintf(out, "%s%s%s%.*s\n", pad, _("hint:"), cli_after_label(_("hint:")), CLI_FIELD_CAP, hint);
			free(hint);
		}
	}
	if (r->verdict == KB_VERDICT_ERROR) {
		fprintf(out, "  %s\n", _("the check could not finish:"));
		indented(out, "    ", r->error);
	}
	if (r->verdict != KB_VERDICT_PASS) {
		fputs("  ", out);
		fprintf(out, _("seed: %llu (the same inputs again: kbridge check %s --seed %llu)"), r->seed, r->id,
			r->seed);
		fputc('\n', out);
	}
	if (r->output && *r->output) {
		fprintf(out, "  %s\n", _("the check printed:"));
		indented(out, "    ", r->output);
	}
	free(bar);
	free(pad);
	fflush(out);
}

/* ---- TAP 13 -------------------------------------------------------------------------- */

static void yaml_str(FILE *out, const char *s)
{
	char *c = cli_clean_text(s);
	fputc('"', out);
	for (const char *p = c; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default: fputc(*p, out);
		}
	}
	fputc('"', out);
	free(c);
}

static void print_tap(FILE *out, const struct cli_results *res)
{
	fprintf(out, "TAP version 13\n1..%zu\n", res->n);
	for (size_t i = 0; i < res->n; i++) {
		const struct kb_check_result *r = &res->v[i];
		char *title = cli_clean_text(r->title);
		for (char *p = title; *p; p++)
			if (*p == '#' || *p == '\n')
				*p = ' ';
		fprintf(out, "%s %zu - %s - %s\n", r->verdict == KB_VERDICT_PASS ? "ok" : "not ok", i + 1, r->id, title);
		free(title);
		fprintf(out, "  ---\n  verdict: \"%s\"\n  duration_ms: %.0f\n  seed: %llu\n", kb_verdict_name(r->verdict),
			r->elapsed * 1000, r->seed);
		if (r->verdict != KB_VERDICT_PASS) {
			fputs("  severity: \"fail\"\n  message: ", out);
			if (r->verdict == KB_VERDICT_ERROR) {
				yaml_str(out, r->error);
			} else {
				char *m = kb_asprintf(kb_ngettext("%zu of %zu expectation not met",
								  "%zu of %zu expectations not met", r->n_exp),
						      kb_check_unmet(r), r->n_exp);
				yaml_str(out, m);
				free(m);
			}
			fputc('\n', out);
		}
		if (r->n_exp) {
			fputs("  expectations:\n", out);
			for (size_t k = 0; k < r->n_exp; k++) {
				const struct kb_expectation *e = &r->exp[k];
				fputs("    - expected: ", out);
				yaml_str(out, e->expected);
				fprintf(out, "\n      met: %s\n", e->met ? "true" : "false");
				if (e->seen) {
					fputs("      seen: ", out);
					yaml_str(out, e->seen);
					fputc('\n', out);
				}
				if (e->where) {
					fputs("      where: ", out);
					yaml_str(out, e->where);
					fputc('\n', out);
				}
				if (e->hint) {
					fputs("      hint: ", out);
					yaml_str(out, e->hint);
					fputc('\n', out);
				}
				if (e->line)
					fprintf(out, "      line: %d\n", e->line);
			}
		}
		if (r->output && *r->output) {
			fputs("  output: ", out);
			yaml_str(out, r->output);
			fputc('\n', out);
		}
		fputs("  ...\n", out);
	}
}

/* ---- JUnit XML --------------------------------------------------------------------------- */

static void xml_str(FILE *out, const char *s)
{
	char *c = cli_clean_text(s);
	for (const char *p = c; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\r': fputs("&#13;", out); break;
		default: fputc(*p, out);
		}
	}
	free(c);
}

/* Every expectation, and for the unmet ones what was seen, where to look and the hint,
 * then the seed that replays the check's inputs; for reports that hold one text per
 * task (JUnit's failure, Classroom's message). Caller frees. */
static char *expectations_text(const struct kb_check_result *r)
{
	struct kb_buf text = KB_BUF_INIT;
	for (size_t k = 0; k < r->n_exp; k++) {
		const struct kb_expectation *e = &r->exp[k];
		kb_buf_printf(&text, "%s %s\n", e->met ? _("[met]") : _("[NOT MET]"), e->expected);
		if (e->met)
			continue;
		if (e->seen)
			kb_buf_printf(&text, "  %s\n%s\n", _("seen:"), e->seen);
		if (e->where)
			kb_buf_printf(&text, "  %s%s%s\n", _("look at:"), cli_after_label(_("look at:")), e->where);
		if (e->hint)
			kb_buf_printf(&text, "  %s%s%s\n", _("hint:"), cli_after_label(_("hint:")), e->hint);
	}
	kb_buf_printf(&text, _("seed: %llu (the same inputs again: kbridge check %s --seed %llu)"), r->seed, r->id,
		      r->seed);
	kb_buf_adds(&text, "\n");
	return kb_buf_detach(&text);
}

static void junit_case(FILE *out, const char *suite, const struct kb_check_result *r)
{
	fputs("    <testcase classname=\"", out);
	xml_str(out, suite);
	fputs("\" name=\"", out);
	xml_str(out, r->task_id);
	fprintf(out, "\" time=\"%.3f\">\n", r->elapsed);
	if (r->verdict == KB_VERDICT_ERROR) {
		fputs("      <error type=\"check-error\" message=\"", out);
		xml_str(out, r->error);
		fputs("\">", out);
		xml_str(out, r->error);
		fputc('\n', out);
		fprintf(out, _("seed: %llu"), r->seed);
		if (r->traceback) {
			fputc('\n', out);
			xml_str(out, r->traceback);
		}
		fputs("</error>\n", out);
	} else if (r->verdict == KB_VERDICT_FAIL) {
		const char *first = NULL;
		for (size_t k = 0; k < r->n_exp && !first; k++)
			if (!r->exp[k].met)
				first = r->exp[k].expected;
		char *text = expectations_text(r);
		/* TRANSLATORS: the message of a JUnit failure: the first expectation not met */
		char *msg = kb_asprintf(_("expected: %s (seed %llu)"), first ? first : "?", r->seed);
		fputs("      <failure type=\"expectation\" message=\"", out);
		xml_str(out, msg);
		fputs("\">", out);
		xml_str(out, text);
		fputs("</failure>\n", out);
		free(msg);
		free(text);
	}
	if (r->output && *r->output) {
		fputs("      <system-out>", out);
		xml_str(out, r->output);
		fputs("</system-out>\n", out);
	}
	fputs("    </testcase>\n", out);
}

static void print_junit(FILE *out, const struct kb_pack *pack, const struct cli_results *res)
{
	size_t failures = 0, errors = 0;
	double total = 0;
	for (size_t i = 0; i < res->n; i++) {
		failures += res->v[i].verdict == KB_VERDICT_FAIL;
		errors += res->v[i].verdict == KB_VERDICT_ERROR;
		total += res->v[i].elapsed;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", out);
	xml_str(out, pack->name ? pack->name : "kbridge");
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", res->n, failures, errors, total);
	/* one testsuite per lesson, in the order the results came */
	for (size_t i = 0; i < res->n;) {
		size_t j = i;
		size_t f = 0, e = 0;
		double t = 0;
		while (j < res->n && strcmp(res->v[j].lesson_id, res->v[i].lesson_id) == 0) {
			f += res->v[j].verdict == KB_VERDICT_FAIL;
			e += res->v[j].verdict == KB_VERDICT_ERROR;
			t += res->v[j].elapsed;
			j++;
		}
		char *suite = kb_asprintf("%s.%s", pack->name ? pack->name : "kbridge", res->v[i].lesson_id);
		fputs("  <testsuite name=\"", out);
		xml_str(out, suite);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n", j - i, f, e, t);
		for (size_t k = i; k < j; k++)
			junit_case(out, suite, &res->v[k]);
		fputs("  </testsuite>\n", out);
		free(suite);
		i = j;
	}
	fputs("</testsuites>\n", out);
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void json_str(cJSON *o, const char *key, const char *s)
{
	if (!s) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char *c = cli_clean_text(s);
	cJSON_AddStringToObject(o, key, c);
	free(c);
}

static void print_json(FILE *out, const struct kb_pack *pack, const char *workspace, const struct cli_results *res)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "kbridge", KB_VERSION);
	cJSON *p = cJSON_AddObjectToObject(root, "pack");
	json_str(p, "name", pack->name);
	json_str(p, "version", pack->version);
	json_str(p, "kernel", pack->kernel);
	json_str(p, "dir", pack->dir);
	json_str(root, "workspace", workspace);
	cJSON *arr = cJSON_AddArrayToObject(root, "results");
	size_t passed = 0, failed = 0, errors = 0;
	for (size_t i = 0; i < res->n; i++) {
		const struct kb_check_result *r = &res->v[i];
		passed += r->verdict == KB_VERDICT_PASS;
		failed += r->verdict == KB_VERDICT_FAIL;
		errors += r->verdict == KB_VERDICT_ERROR;
		cJSON *o = cJSON_CreateObject();
		json_str(o, "id", r->id);
		json_str(o, "lesson", r->lesson_id);
		json_str(o, "task", r->task_id);
		json_str(o, "title", r->title);
		json_str(o, "verdict", kb_verdict_name(r->verdict));
		cJSON_AddNumberToObject(o, "seed", (double)r->seed);   /* below 2^48: exact in a double */
		cJSON_AddNumberToObject(o, "elapsed", r->elapsed);
		cJSON_AddNumberToObject(o, "build_seconds", r->build_seconds);
		cJSON_AddNumberToObject(o, "boot_seconds", r->boot_seconds);
		cJSON_AddNumberToObject(o, "queue_seconds", r->queue_seconds);
		cJSON_AddNumberToObject(o, "setup_seconds", r->setup_seconds);
		cJSON_AddNumberToObject(o, "lua_seconds", r->lua_seconds);
		cJSON_AddNumberToObject(o, "builds", r->n_builds);
		cJSON_AddNumberToObject(o, "boots", r->n_boots);
		json_str(o, "error", r->error);
		json_str(o, "traceback", r->traceback);
		json_str(o, "output", r->output ? r->output : "");
		cJSON *ex = cJSON_AddArrayToObject(o, "expectations");
		for (size_t k = 0; k < r->n_exp; k++) {
			const struct kb_expectation *e = &r->exp[k];
			cJSON *eo = cJSON_CreateObject();
			cJSON_AddBoolToObject(eo, "met", e->met);
			json_str(eo, "expected", e->expected);
			json_str(eo, "seen", e->seen);
			json_str(eo, "where", e->where);
			json_str(eo, "hint", e->hint);
			cJSON_AddNumberToObject(eo, "line", e->line);
			cJSON_AddItemToArray(ex, eo);
		}
		cJSON_AddItemToArray(arr, o);
	}
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(sum, "total", (double)res->n);
	cJSON_AddNumberToObject(sum, "passed", (double)passed);
	cJSON_AddNumberToObject(sum, "failed", (double)failed);
	cJSON_AddNumberToObject(sum, "errors", (double)errors);
	char *text = cJSON_Print(root);
	fputs(text, out);
	fputc('\n', out);
	free(text);
	cJSON_Delete(root);
}

/* ---- GitHub Classroom ------------------------------------------------------------------ */

/* what a result's task is worth: its points in lesson.lua; 1 when the task is not in the
 * pack (a lesson that did not load) */
static int task_points(const struct kb_pack *pack, const struct kb_check_result *r)
{
	const struct kb_lesson *l = r->lesson_id ? kb_pack_find_lesson(pack, r->lesson_id) : NULL;
	const struct kb_task *t = l && r->task_id ? kb_lesson_find_task(l, r->task_id) : NULL;
	return t ? t->points : 1;
}

/* why a task did not pass, for the reporter's log: each expectation, and for the unmet
 * ones what was seen, where to look and the hint; or the check's error */
static char *classroom_message(const struct kb_check_result *r)
{
	if (r->verdict == KB_VERDICT_PASS)
		return kb_asprintf(kb_ngettext("passed: %zu expectation met", "passed: %zu expectations met", r->n_exp),
				   r->n_exp);
	if (r->verdict == KB_VERDICT_ERROR)
		return kb_asprintf(_("could not run: %s\nseed: %llu"), r->error ? r->error : "?", r->seed);
	return expectations_text(r);
}

/* GitHub Classroom's runner result, version 1: the autograding reporter reads it base64
 * encoded from <RUNNER>_RESULTS and adds the scores up into "Points X/Y" */
static void print_classroom(FILE *out, const struct kb_pack *pack, const struct cli_results *res)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", 1);
	bool failed = false, errored = false;
	long max_score = 0;
	cJSON *tests = cJSON_CreateArray();
	for (size_t i = 0; i < res->n; i++) {
		const struct kb_check_result *r = &res->v[i];
		int points = task_points(pack, r);
		failed |= r->verdict == KB_VERDICT_FAIL;
		errored |= r->verdict == KB_VERDICT_ERROR;
		max_score += points;
		cJSON *o = cJSON_CreateObject();
		const char *id = r->id ? r->id : "?";
		char *name = r->title ? kb_asprintf("%s: %s", id, r->title) : kb_strdup(id);
		json_str(o, "name", name);
		free(name);
		json_str(o, "status", kb_verdict_name(r->verdict));
		cJSON_AddNumberToObject(o, "score", r->verdict == KB_VERDICT_PASS ? points : 0);
		char *msg = classroom_message(r);
		json_str(o, "message", msg);
		free(msg);
		char *code = kb_asprintf("kbridge check %s", id);
		json_str(o, "test_code", code);
		free(code);
		cJSON_AddItemToArray(tests, o);
	}
	cJSON_AddStringToObject(root, "status", failed ? "fail" : errored ? "error" : "pass");
	cJSON_AddNumberToObject(root, "max_score", (double)max_score);
	cJSON_AddItemToObject(root, "tests", tests);
	char *text = cJSON_Print(root);
	fputs(text, out);
	fputc('\n', out);
	free(text);
	cJSON_Delete(root);
}

void cli_print_report(FILE *out, enum cli_format fmt, const struct kb_pack *pack, const char *workspace,
		      const struct cli_results *res)
{
	switch (fmt) {
	case CLI_TEXT: {
		size_t passed = 0, errors = 0;
		for (size_t i = 0; i < res->n; i++) {
			passed += res->v[i].verdict == KB_VERDICT_PASS;
			errors += res->v[i].verdict == KB_VERDICT_ERROR;
		}
		/* TRANSLATORS: the last line of `kbridge check`'s text report */
		if (errors)
			fprintf(out, _("%zu passed, %zu failed (%zu could not run)"), passed, res->n - passed, errors);
		else
			fprintf(out, _("%zu passed, %zu failed"), passed, res->n - passed);
		fputc('\n', out);
		break;
	}
	case CLI_TAP: print_tap(out, res); break;
	case CLI_JUNIT: print_junit(out, pack, res); break;
	case CLI_JSON: print_json(out, pack, workspace, res); break;
	case CLI_CLASSROOM: print_classroom(out, pack, res); break;
	}
	fflush(out);
}

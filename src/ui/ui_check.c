/* ui_check.c - the check screen: the build log and the boot console stream in while the
 * check runs (spinner, elapsed time, what it is doing; the shell keeps answering keys),
 * then the verdict: each expectation met or not, what was expected and what was seen,
 * the oops excerpt when there is one. A pass is recorded ("pass ID" in the workspace). */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"
#include "store/workspace.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX 5000   /* lines kept for the screen */

struct verdict {
	char *key;         /* "lesson/task" */
	const char *name;  /* "pass", "fail", "error" */
};

struct ui_check_view {
	char *lesson_id, *task_id;
	bool running, have_res, stopped;
	char what[160];
	double started;
	struct kb_strv log;
	size_t log_dropped;
	struct kb_buf partial;
	const char *stream;          /* of the last line: a header is drawn when it changes */
	struct kb_check_result res;
	bool show_log;
	int scroll;
	bool follow;
	char record[256];            /* what was recorded */
	struct verdict *verdicts;
	size_t n_verdicts;
};

static struct ui_check_view *view(struct ui *ui)
{
	if (!ui->check)
		ui->check = kb_calloc(1, sizeof *ui->check);
	return ui->check;
}

void ui_check_free(struct ui *ui)
{
	struct ui_check_view *v = ui->check;
	if (!v)
		return;
	free(v->lesson_id);
	free(v->task_id);
	kb_strv_free(&v->log);
	kb_buf_free(&v->partial);
	if (v->have_res)
		kb_check_result_free(&v->res);
	for (size_t i = 0; i < v->n_verdicts; i++)
		free(v->verdicts[i].key);
	free(v->verdicts);
	free(v);
	ui->check = NULL;
}

const char *ui_check_last(struct ui *ui, const char *lesson, const char *task)
{
	struct ui_check_view *v = ui->check;
	if (!v)
		return NULL;
	char *key = kb_asprintf("%s/%s", lesson, task);
	const char *res = NULL;
	for (size_t i = 0; i < v->n_verdicts; i++)
		if (strcmp(v->verdicts[i].key, key) == 0)
			res = v->verdicts[i].name;
	free(key);
	return res;
}

static void set_verdict(struct ui_check_view *v, const char *name)
{
	char *key = kb_asprintf("%s/%s", v->lesson_id, v->task_id);
	for (size_t i = 0; i < v->n_verdicts; i++)
		if (strcmp(v->verdicts[i].key, key) == 0) {
			v->verdicts[i].name = name;
			free(key);
			return;
		}
	v->verdicts = kb_realloc(v->verdicts, (v->n_verdicts + 1) * sizeof *v->verdicts);
	v->verdicts[v->n_verdicts].key = key;
	v->verdicts[v->n_verdicts++].name = name;
}

/* ---- live output ------------------------------------------------------------------------- */

static void log_line(struct ui_check_view *v, const char *stream, const char *line, size_t n)
{
	if (v->stream != stream && (!v->stream || strcmp(v->stream, stream) != 0)) {
		v->stream = stream;
		kb_strv_pushf(&v->log, "\x01%s", strcmp(stream, "build") == 0 ? _("build (Kbuild)") :
						 strcmp(stream, "dmesg") == 0 ? _("kernel log (dmesg)") :
						 _("boot (serial console)"));
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	char *copy = kb_strndup(line, n);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			*p = ' ';
	kb_strv_push_own(&v->log, copy);
	if (v->log.n > LOG_MAX) {
		size_t drop = v->log.n - LOG_MAX;
		for (size_t i = 0; i < drop; i++)
			free(v->log.v[i]);
		memmove(v->log.v, v->log.v + drop, (v->log.n - drop) * sizeof *v->log.v);
		v->log.n -= drop;
		v->log_dropped += drop;
	}
}

static void on_output(void *ctx, const char *stream, const char *text, size_t len)
{
	struct ui *ui = ctx;
	struct ui_check_view *v = view(ui);
	static const char *const streams[] = {"build", "console", "dmesg"};
	const char *st = streams[1];
	for (size_t i = 0; i < 3; i++)
		if (strcmp(stream, streams[i]) == 0)
			st = streams[i];
	if (st != streams[0]) {         /* console lines come whole */
		log_line(v, st, text, len);
		return;
	}
	kb_buf_add(&v->partial, text, len);
	char *nl;
	while (v->partial.data && (nl = memchr(v->partial.data, '\n', v->partial.len))) {
		log_line(v, st, v->partial.data, (size_t)(nl - v->partial.data));
		size_t rest = v->partial.len - (size_t)(nl + 1 - v->partial.data);
		memmove(v->partial.data, nl + 1, rest);
		v->partial.len = rest;
		v->partial.data[rest] = '\0';
	}
}

static void on_progress(void *ctx, const char *what)
{
	struct ui *ui = ctx;
	snprintf(view(ui)->what, sizeof view(ui)->what, "%s", what);
	ui_redraw(ui);
}

static void on_tick(void *ctx)
{
	ui_pump(ctx);
}

/* ---- running ----------------------------------------------------------------------------- */

void ui_run_check(struct ui *ui, const struct kb_task *t)
{
	struct kb_lesson *l = ui_lesson(ui);
	if (!ui_kernel_ready(ui)) {
		char k[256];
		ui_kernel_line(ui, k, sizeof k);
		ui_message(ui, UI_WARN, _("The check needs the course kernel, which is %s."), k);
		return;
	}
	int rc = ui_ensure_started(ui);
	if (rc == 1) {
		ui_message(ui, UI_WARN, _("Your workspace is being made (%s): the check runs once it is ready."), ui->ws_what);
		return;
	}
	if (rc < 0) {
		ui_message(ui, UI_FAIL, "%s", kb_error_last());
		return;
	}
	struct ui_check_view *v = view(ui);
	if (v->running)
		return;
	free(v->lesson_id);
	free(v->task_id);
	v->lesson_id = kb_strdup(l->id);
	v->task_id = kb_strdup(t->id);
	kb_strv_free(&v->log);
	v->log_dropped = 0;
	v->partial.len = 0;
	v->stream = NULL;
	if (v->have_res)
		kb_check_result_free(&v->res);
	v->have_res = false;
	v->stopped = false;
	v->running = true;
	v->show_log = false;
	v->follow = true;
	v->scroll = 0;
	v->record[0] = '\0';
	snprintf(v->what, sizeof v->what, "%s", _("starting"));
	v->started = ui_now(ui);
	if (ui->depth == 0 || ui->stack[ui->depth - 1] != &ui_check_screen)
		ui_push(ui, &ui_check_screen);
	ui_redraw(ui);

	struct kb_check_opts o = {
		.workspace = kb_ws_tree(ui->c->ws), .home = ui->have_home ? &ui->home : NULL,
		.progress = on_progress, .ctx = ui, .on_output = on_output, .on_tick = on_tick,
	};
	kb_check_run(&v->res, l, t, &o);
	v->have_res = true;
	v->running = false;
	if (v->partial.len) {
		log_line(v, "build", v->partial.data, v->partial.len);
		v->partial.len = 0;
	}
	if (kb_interrupted == -1 || kb_interrupted == SIGINT) {
		/* stopped from the keyboard: the shell goes on */
		kb_interrupted = 0;
		v->stopped = true;
		set_verdict(v, "error");
		snprintf(v->record, sizeof v->record, "%s", _("The check was stopped; nothing was recorded."));
		return;
	}
	bool pass = v->res.verdict == KB_VERDICT_PASS;
	set_verdict(v, kb_verdict_name(v->res.verdict));
	if (v->res.verdict != KB_VERDICT_ERROR) {
		bool was_passed = ui_lesson_progress(ui)->passed;
		int rrc = kb_course_record_task_check(ui->c, l, t->id, pass);
		if (rrc < 0)   /* the report says so, and the title bar until a save works */
			snprintf(v->record, sizeof v->record, _("Could not record it: %s"), kb_error_last());
		ui_note_save(ui, rrc);
		if (rrc < 0)
			return;
		if (pass && ui_lesson_progress(ui)->passed)
			/* the commit's message, "pass ID", is kbridge's own mark: it stays in English */
			snprintf(v->record, sizeof v->record, was_passed ?
				 _("Passed again. Your files are committed as \"pass %s\" in your workspace.") :
				 _("Lesson passed! Your files are committed as \"pass %s\" in your workspace."), l->id);
		else if (pass)
			snprintf(v->record, sizeof v->record, "%s", _("Task passed. The lesson is passed when its other tasks "
								      "pass too."));
	}
	ui_message(ui, pass ? UI_PASS : UI_FAIL, "%s", pass ? _("Passed: every expectation was met.") :
			v->res.verdict == KB_VERDICT_FAIL ? _("Not passed yet: see what was expected and what was seen.") :
			_("The check could not run: see why."));
}

/* ---- drawing ------------------------------------------------------------------------------ */

static enum ui_style log_style(const char *line)
{
	if (strstr(line, "error") || strstr(line, "Oops") || strstr(line, "BUG:") || strstr(line, "panic") ||
	    strstr(line, "Call Trace"))
		return UI_FAIL;
	if (strstr(line, "warning") || strstr(line, "WARNING"))
		return UI_WARN;
	return UI_NORMAL;
}

static void add_long(struct ui_doc *d, const char *text, enum ui_style s, int w, const char *cont)
{
	ui_doc_add_long(d, text, s, w, cont);
}

/* the mark at the start of a long line's continuation */
static const char *cont_mark(const struct ui *ui)
{
	return ui->utf8 ? "  \u21aa " : "  > ";
}

static void log_doc(struct ui *ui, struct ui_check_view *v, struct ui_doc *d, int w)
{
	if (v->log_dropped) {
		char line[96];
		snprintf(line, sizeof line, kb_ngettext("(%zu earlier line not kept)", "(%zu earlier lines not kept)",
							v->log_dropped), v->log_dropped);
		ui_doc_add(d, line, UI_DIM);
	}
	for (size_t i = 0; i < v->log.n; i++) {
		const char *l = v->log.v[i];
		if (l[0] == '\x01') {
			char *h = kb_asprintf("\u2500\u2500 %s", l + 1);
			ui_doc_add(d, h, UI_H2);
			free(h);
		} else {
			add_long(d, l, log_style(l), w, cont_mark(ui));
		}
	}
	if (!v->log.n)
		ui_doc_add(d, _("(nothing printed yet)"), UI_DIM);
}

/* The line of the log document where the module's own lines start: the kernel's first
 * word about it ("NAME: loading out-of-tree module taints kernel."), else its first
 * Kbuild line ("CC [M]  .../NAME.o"), else the top. */
static int module_first_line(struct ui *ui, struct ui_check_view *v, int w)
{
	struct ui_doc d = {0};
	log_doc(ui, v, &d, w);
	int at = -1, built = -1;
	for (size_t i = 0; i < d.n && at < 0; i++) {
		char *t = kb_strndup(d.lines[i].text, d.lines[i].len);
		if (strstr(t, "loading out-of-tree module taints kernel"))
			at = (int)i;
		else if (built < 0 && strstr(t, " [M] "))
			built = (int)i;
		free(t);
	}
	ui_doc_free(&d);
	return at >= 0 ? at : built >= 0 ? built : 0;
}

/* The kernel log's timestamp ("[    0.697981] ") is not part of what a line says. */
static const char *without_stamp(const char *line, size_t n, size_t *rest)
{
	if (n > 2 && line[0] == '[') {
		const char *e = memchr(line, ']', n);
		if (e) {
			size_t k = (size_t)(e + 1 - line);
			while (k < n && line[k] == ' ')
				k++;
			*rest = n - k;
			return line + k;
		}
	}
	*rest = n;
	return line;
}

/* A text's lines, each with where its words start past the kernel log's timestamp. */
struct block_line {
	const char *p, *body;
	size_t n, bl;
};

static bool same_line(const struct block_line *a, const struct block_line *b)
{
	return a->bl == b->bl && a->bl && memcmp(a->body, b->body, a->bl) == 0;
}

/* How many times the k lines from i come one after the other (1: not repeated). */
static size_t repeats_of(const struct block_line *l, size_t n, size_t i, size_t k)
{
	size_t r = 1;
	while (i + (r + 1) * k <= n) {
		size_t j = 0;
		while (j < k && same_line(&l[i + j], &l[i + r * k + j]))
			j++;
		if (j < k)
			break;
		r++;
	}
	return r;
}

/* The labels of an expectation's blocks, and how wide their column is: as wide as the
 * widest of them (in columns: a Chinese label is two a character), at least 9. */
static const char *const block_labels[] = {N_("seen:"), N_("where:"), N_("try:")};

static int label_width(void)
{
	int lw = 9;
	for (size_t i = 0; i < sizeof block_labels / sizeof *block_labels; i++) {
		const char *t = _(block_labels[i]);
		int tw = ui_text_width(t, strlen(t));
		lw = tw > lw ? tw : lw;
	}
	return lw;
}

/* An expectation's block of text, its label in the first line's left column (label:
 * NULL for none); each line of text at most w columns, a longer one going on under
 * itself; the lines of an oops in the text stand out when oops is true. */
static void add_block(struct ui *ui, struct ui_doc *d, const char *label, bool oops, const char *text, enum ui_style s,
		      int w)
{
	int lw = label_width();
	char *first_label = ui_padded(label ? label : "", lw), *no_label = ui_padded("", lw);
	struct block_line *l = NULL;
	size_t n = 0;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		l = kb_realloc(l, (n + 1) * sizeof *l);
		l[n].p = p;
		l[n].n = len;
		l[n].body = without_stamp(p, len, &l[n].bl);
		n++;
		p = nl ? nl + 1 : p + len;
	}
	/* the continuation's mark in the column before the text's */
	char *cont = kb_asprintf("%*s%s", 6 + lw - 1, "", ui->utf8 ? "\u21aa " : "> ");
	for (size_t i = 0; i < n;) {
		/* the same lines again, the kernel's timestamps aside (a module's init run twice
		   by busybox's insmod, which tries finit_module and then init_module): shown
		   once, with how many times they came */
		size_t k = 1, r = 1;
		for (size_t kk = 1; kk <= 8 && i + 2 * kk <= n; kk++) {
			size_t rr = repeats_of(l, n, i, kk);
			if (rr > 1) {
				k = kk;
				r = rr;
				break;
			}
		}
		for (size_t j = 0; j < (r > 1 ? k : 1); j++) {
			const struct block_line *b = &l[i + j];
			char times[48] = "";
			if (r > 1 && k == 1)
				snprintf(times, sizeof times, _("  (%zu times)"), r);
			char *line = kb_asprintf("      %s %.*s%s", i + j == 0 ? first_label : no_label, (int)b->n, b->p,
						 times);
			enum ui_style ls = s;
			if (s != UI_FAIL && oops && log_style(line) == UI_FAIL)
				ls = UI_FAIL;   /* the oops lines stand out */
			add_long(d, line, ls, w, cont);
			free(line);
		}
		if (r > 1 && k > 1) {
			char *what = kb_asprintf(_("(the %zu lines above, %zu times)"), k, r);
			char *line = kb_asprintf("%*s%s", 6 + lw + 1, "", what);
			free(what);
			ui_doc_add(d, line, UI_DIM);
			free(line);
		}
		i += r > 1 ? k * r : 1;
	}
	free(l);
	free(cont);
	free(first_label);
	free(no_label);
}

static void verdict_doc(struct ui *ui, struct ui_check_view *v, struct ui_doc *d, int w)
{
	const struct kb_check_result *r = &v->res;
	char line[1024], t[32], tb[32], tt[32];
	/* times, unless replaying (the clock frozen: then no times at all) */
	bool timed = ui_fmt_secs(ui, t, sizeof t, r->elapsed);
	ui_fmt_secs(ui, tb, sizeof tb, r->build_seconds);
	ui_fmt_secs(ui, tt, sizeof tt, r->boot_seconds);
	size_t unmet = kb_check_unmet(r);
	if (v->stopped) {
		ui_doc_add(d, _(" STOPPED  the check was stopped before it finished"), UI_WARN);
	} else if (r->verdict == KB_VERDICT_PASS) {
		char builds[96], boots[96];
		unsigned long nb = (unsigned long)r->n_builds, no = (unsigned long)r->n_boots;
		if (timed) {
			snprintf(builds, sizeof builds, kb_ngettext("%d build (%s)", "%d builds (%s)", nb), r->n_builds, tb);
			snprintf(boots, sizeof boots, kb_ngettext("%d boot (%s)", "%d boots (%s)", no), r->n_boots, tt);
			/* TRANSLATORS: how many expectations, the time, then "1 build (4.1 s)" and "1 boot (3.0 s)" */
			snprintf(line, sizeof line, _(" PASS  every expectation met (%zu) in %s: %s, %s"), r->n_exp, t, builds,
				 boots);
		} else {
			snprintf(builds, sizeof builds, kb_ngettext("%d build", "%d builds", nb), r->n_builds);
			snprintf(boots, sizeof boots, kb_ngettext("%d boot", "%d boots", no), r->n_boots);
			/* TRANSLATORS: how many expectations, then "1 build" and "1 boot" */
			snprintf(line, sizeof line, _(" PASS  every expectation met (%zu): %s, %s"), r->n_exp, builds, boots);
		}
		ui_doc_wrap(d, line, UI_PASS, w, "");
	} else if (r->verdict == KB_VERDICT_FAIL) {
		if (timed)
			snprintf(line, sizeof line, kb_ngettext(" FAIL  %zu of %zu expectation not met, in %s",
								" FAIL  %zu of %zu expectations not met, in %s",
								(unsigned long)r->n_exp), unmet, r->n_exp, t);
		else
			snprintf(line, sizeof line, kb_ngettext(" FAIL  %zu of %zu expectation not met",
								" FAIL  %zu of %zu expectations not met",
								(unsigned long)r->n_exp), unmet, r->n_exp);
		ui_doc_wrap(d, line, UI_FAIL, w, "");
	} else {
		ui_doc_add(d, _(" ERROR  the check could not run"), UI_FAIL);
	}
	if (!v->stopped && r->verdict != KB_VERDICT_PASS) {
		/* the inputs it drew: kbridge check --seed replays them */
		/* TRANSLATORS: the seed, a dot, the task's id and the seed again in the command */
		snprintf(line, sizeof line, _("seed %llu %s replay: kbridge check %s --seed %llu"), r->seed,
			 ui->utf8 ? "\u00b7" : "-", r->id ? r->id : "?", r->seed);
		ui_doc_wrap(d, line, UI_DIM, w, " ");
	}
	if (*v->record)
		ui_doc_wrap(d, v->record, r->verdict == KB_VERDICT_PASS ? UI_PASS : UI_NORMAL, w, " ");
	ui_doc_add(d, "", UI_NORMAL);
	if (r->error && !v->stopped) {
		ui_doc_wrap(d, r->error, UI_FAIL, w, "  ");
		ui_doc_add(d, "", UI_NORMAL);
	}
	for (size_t i = 0; i < r->n_exp; i++) {
		const struct kb_expectation *e = &r->exp[i];
		snprintf(line, sizeof line, "  %s %s", e->met ? (ui->utf8 ? "\u2713" : "+") : (ui->utf8 ? "\u2717" : "x"),
			 e->expected ? e->expected : _("(an expectation)"));
		add_long(d, line, e->met ? UI_PASS : UI_FAIL, w, "    ");
		if (!e->met) {
			if (e->seen)
				add_block(ui, d, _(block_labels[0]), true, e->seen, UI_DIM, w);
			if (e->where)
				add_block(ui, d, _(block_labels[1]), false, e->where, UI_CODE, w);
			if (e->hint)
				add_block(ui, d, _(block_labels[2]), false, e->hint, UI_NORMAL, w);
		}
	}
	if (r->output && *r->output) {
		ui_doc_add(d, "", UI_NORMAL);
		ui_doc_add(d, _("The check printed:"), UI_H2);
		add_block(ui, d, NULL, false, r->output, UI_NORMAL, w);
	}
	ui_doc_add(d, "", UI_NORMAL);
	ui_doc_wrap(d, _("l shows the whole build and boot log; c checks again; q goes back to the task."), UI_DIM, w, "");
}

static void ck_draw(struct ui *ui, int top, int height)
{
	struct ui_check_view *v = view(ui);
	if (!v->lesson_id) {
		ui_put(top + 1, 1, COLS - 2, _("No check has run yet."), UI_DIM);
		return;
	}
	char head[512], t[32];
	if (!ui_fmt_secs(ui, t, sizeof t, v->running ? ui_now(ui) - v->started : v->have_res ? v->res.elapsed : 0))
		snprintf(t, sizeof t, "%s", ui->utf8 ? "\u00b7" : "-");
	if (v->running)
		/* TRANSLATORS: a spinner, the lesson/task, the time so far, what the check is doing */
		snprintf(head, sizeof head, _("%s Checking %s/%s  %s  %s   (q stops it)"), ui_spinner(ui), v->lesson_id,
			 v->task_id, t, v->what);
	else
		snprintf(head, sizeof head, _("Check of %s/%s"), v->lesson_id, v->task_id);
	ui_put(top, 1, COLS - 2, head, v->running ? UI_WARN : UI_H2);
	ui_hline(top + 1);
	int body = height - 2;
	struct ui_doc d = {0};
	if (v->running || v->show_log)
		log_doc(ui, v, &d, COLS - 3);
	else
		verdict_doc(ui, v, &d, COLS - 3);
	if (v->follow && (v->running || v->show_log))
		v->scroll = (int)d.n;
	v->scroll = ui_draw_doc(&d, top + 2, body, v->scroll);
	ui_doc_free(&d);
}

static bool ck_key(struct ui *ui, int key)
{
	struct ui_check_view *v = view(ui);
	int body = LINES - 4;
	if (v->running) {
		switch (key) {
		case 'q':
		case 27:
		case 3:
			kb_interrupted = -1;   /* the runner stops the build or the boot */
			snprintf(v->what, sizeof v->what, "%s", _("stopping"));
			return true;
		case 'k':
		case KEY_UP:
			v->follow = false;
			v->scroll--;
			return true;
		case 'j':
		case KEY_DOWN:
			v->scroll++;
			return true;
		case 'f':
		case KEY_END:
			v->follow = true;
			return true;
		}
		return true;   /* nothing else while it runs */
	}
	switch (key) {
	case 'j':
	case KEY_DOWN:
		v->scroll++;
		v->follow = false;
		return true;
	case 'k':
	case KEY_UP:
		v->scroll--;
		v->follow = false;
		return true;
	case ' ':
	case KEY_NPAGE:
		v->scroll += body - 1;
		v->follow = false;
		return true;
	case 'b':
	case KEY_PPAGE:
		v->scroll -= body - 1;
		v->follow = false;
		return true;
	case 'g':
	case KEY_HOME:
		v->scroll = 0;
		v->follow = false;
		return true;
	case 'G':
	case KEY_END:
		v->scroll = 1 << 20;
		return true;
	case 'l':
		/* the log opens where the module's own lines start, the verdict at its top */
		v->show_log = !v->show_log;
		v->scroll = v->show_log ? module_first_line(ui, v, COLS - 3) : 0;
		v->follow = false;
		return true;
	case 'c':
	case UI_KEY_WATCH: {
		struct kb_lesson *l = ui_lesson(ui);
		if (l && ui->step < l->n_steps && l->steps[ui->step].kind == KB_TASK)
			ui_run_check(ui, &l->steps[ui->step].task);
		return true;
	}
	case 'e':
	case 'd':
		/* back to the task, which edits and diffs */
		ui_pop(ui);
		return ui_task_screen.key(ui, key);
	}
	return false;
}

static void ck_open(struct ui *ui)
{
	view(ui);
}

static const struct ui_key ck_keys[] = {
	{'l', "l", N_("log"), N_("switch between the verdict and the whole build and boot log")},
	{'c', "c", N_("again"), N_("run the check again")},
	{'j', "j/k", N_("scroll"), N_("scroll (Space/b a screen, g/G top and bottom)")},
	{'e', "e", N_("edit"), N_("back to the task and edit its chosen file")},
	{'q', "q/Esc", NULL, N_("while the check runs: stop it; then: back to the task")},
};

const struct ui_screen ui_check_screen = {
	.name = "check", .open = ck_open, .draw = ck_draw, .key = ck_key,
	.keys = ck_keys, .n_keys = sizeof ck_keys / sizeof *ck_keys,
};

/* ui_timeline.c - the first screen: the pack's lessons by year and milestone, each with
 * its state (passed, in progress, new), the overall progress, and the chosen lesson's
 * details. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static struct {
	size_t *order;      /* lesson indexes by year (stable: the pack's order within a year) */
	size_t n;
	size_t sel;         /* position in order */
	int scroll;
	bool placed;        /* the selection was put on the current lesson once */
} tl;

static int year_of(const struct kb_lesson *l)
{
	return l->history.year ? l->history.year : 100000;
}

static void tl_open(struct ui *ui)
{
	const struct kb_pack *p = &ui->c->pack;
	free(tl.order);
	tl.n = p->n_lessons;
	tl.order = kb_calloc(tl.n ? tl.n : 1, sizeof *tl.order);
	for (size_t i = 0; i < tl.n; i++)
		tl.order[i] = i;
	/* insertion sort: stable, and packs are small */
	for (size_t i = 1; i < tl.n; i++)
		for (size_t j = i; j > 0 && year_of(&p->lessons[tl.order[j - 1]]) > year_of(&p->lessons[tl.order[j]]); j--) {
			size_t t = tl.order[j];
			tl.order[j] = tl.order[j - 1];
			tl.order[j - 1] = t;
		}
	if (!tl.placed) {
		/* the lesson the learner is on: the first one in the timeline not passed yet
		   (not the one opened last, which may be one looked ahead at); when every
		   lesson is passed, the one opened last */
		tl.placed = true;
		bool found = false;
		for (size_t i = 0; i < tl.n && !found; i++) {
			const struct kb_lesson *l = &p->lessons[tl.order[i]];
			const struct kb_lesson_progress *lp = kb_progress_find(&ui->c->progress, l->id);
			if (!l->error && !(lp && lp->passed)) {
				tl.sel = i;
				found = true;
			}
		}
		for (size_t i = 0; i < tl.n && !found && ui->c->progress.current; i++)
			if (strcmp(p->lessons[tl.order[i]].id, ui->c->progress.current) == 0)
				tl.sel = i;
	}
	if (tl.sel >= tl.n)
		tl.sel = tl.n ? tl.n - 1 : 0;
}

static bool has_task(const struct kb_lesson *l)
{
	for (size_t s = 0; s < l->n_steps; s++)
		if (l->steps[s].kind == KB_TASK)
			return true;
	return false;
}

enum state { ST_NEW, ST_STARTED, ST_PASSED, ST_BROKEN };

static enum state state_of(struct ui *ui, const struct kb_lesson *l, const struct kb_lesson_progress **pp)
{
	const struct kb_lesson_progress *p = kb_progress_find(&ui->c->progress, l->id);
	*pp = p;
	if (l->error)
		return ST_BROKEN;
	if (p && p->passed)
		return ST_PASSED;
	if (p && (p->started_at || p->attempts || p->step > 0 || p->seconds >= 1 || p->hints))
		return ST_STARTED;
	return ST_NEW;
}

/* The heading: lessons passed, a bar, the pack's description. */
static void tl_draw_head(struct ui *ui, const struct kb_pack *p, int top)
{
	size_t passed = 0;
	for (size_t i = 0; i < p->n_lessons; i++) {
		const struct kb_lesson_progress *lp = kb_progress_find(&ui->c->progress, p->lessons[i].id);
		passed += lp && lp->passed;
	}
	char head[256];
	snprintf(head, sizeof head, _("Timeline: %zu lessons, %zu passed"), p->n_lessons, passed);
	int x = 1 + ui_put(top, 1, COLS - 2, head, UI_H2);
	ui_draw_bar(top, x + 2, 20, p->n_lessons ? (double)passed / (double)p->n_lessons : 0, UI_PASS);
	char pct[16];
	snprintf(pct, sizeof pct, " %d%%", p->n_lessons ? (int)(100 * passed / p->n_lessons) : 0);
	ui_put(top, x + 22, 6, pct, UI_NORMAL);
	if (p->description)
		ui_put(top + 1, 1, COLS - 2, p->description, UI_DIM);

}

/* One lesson's two rows of the list, at y: year, state icon, title, state, milestone. */
static void tl_draw_row(struct ui *ui, const struct kb_pack *p, size_t pos, int y)
{
	const char *vbar = ui->utf8 ? "\u2502" : "|";
	const struct kb_lesson *l = &p->lessons[tl.order[pos]];
	const struct kb_lesson_progress *lp;
	enum state st = state_of(ui, l, &lp);
	bool first_of_year = pos == 0 || year_of(&p->lessons[tl.order[pos - 1]]) != year_of(l);
	char year[16] = "";
	if (first_of_year && l->history.year)
		snprintf(year, sizeof year, "%d", l->history.year);
	ui_put(y, 1, 5, year, UI_H2);
	ui_put(y, 6, 2, vbar, UI_DIM);
	ui_put(y + 1, 6, 2, vbar, UI_DIM);
	static const char *const icons_u[] = {"\u25cb", "\u25d0", "\u2713", "\u2717"};
	static const char *const icons_a[] = {"o", "~", "+", "x"};
	static const enum ui_style icon_style[] = {UI_DIM, UI_WARN, UI_PASS, UI_FAIL};
	bool sel = pos == tl.sel;
	if (sel) {
		attrset(ui_attr(UI_SELECT));
		mvhline(y, 8, ' ', COLS - 9);
		attrset(A_NORMAL);
	}
	ui_put(y, 8, 2, ui->utf8 ? icons_u[st] : icons_a[st], sel ? UI_SELECT : icon_style[st]);
	char state[96];
	static const char *const names[] = {N_("new"), N_("in progress"), N_("passed"), N_("cannot load")};
	snprintf(state, sizeof state, "%s", _(names[st]));
	if (st == ST_STARTED && lp && l->n_steps)
		snprintf(state, sizeof state, _("in progress · step %d/%zu"), lp->step + 1, l->n_steps);
	if (st != ST_PASSED && st != ST_BROKEN && has_task(l) && !ui_kernel_ready(ui))
		snprintf(state + strlen(state), sizeof state - strlen(state), "%s", _(" · task waits for kernel"));
	int sw = ui_text_width(state, strlen(state));
	ui_put(y, COLS - sw - 2, sw + 1, state, sel ? UI_SELECT : icon_style[st]);
	/* the title up to a column before the state (a long state, "in progress · step 2/4 ·
	   task waits for kernel", leaves it less room), cut with a mark */
	char title[256];
	snprintf(title, sizeof title, " %s", l->title ? l->title : l->id);
	int tmax = COLS - 40 < COLS - sw - 3 - 10 ? COLS - 40 : COLS - sw - 3 - 10;
	ui_put(y, 10, tmax, title, sel ? UI_SELECT : UI_STRONG);
	ui_put(y + 1, 10, COLS - 12, l->history.milestone ? l->history.milestone : l->summary ? l->summary : "",
	       UI_DIM);
}

/* What the chosen lesson holds, its source, the learner's record, and whether its task
 * waits for the kernel: a small document of width w. */
static void tl_details(struct ui *ui, const struct kb_lesson *l, struct ui_doc *d, int w)
{
	const struct kb_lesson_progress *lp;
	state_of(ui, l, &lp);
	if (l->error) {
		ui_doc_add(d, _("This lesson cannot be loaded:"), UI_FAIL);
		ui_doc_wrap(d, l->error, UI_NORMAL, w, "  ");
	} else {
		int pages = 0, quizzes = 0, tasks = 0;
		for (size_t s = 0; s < l->n_steps; s++)
			*(l->steps[s].kind == KB_PAGE ? &pages : l->steps[s].kind == KB_QUIZ ? &quizzes : &tasks) += 1;
		char line[512], nq[64], nt[64];
		/* "ID: 2 pages, 1 quiz, 1 task" */
		snprintf(nq, sizeof nq, kb_ngettext(", %d quiz", ", %d quizzes", (unsigned long)quizzes), quizzes);
		snprintf(nt, sizeof nt, kb_ngettext(", %d task", ", %d tasks", (unsigned long)tasks), tasks);
		/* TRANSLATORS: a lesson's id and its number of pages; its quizzes and tasks follow */
		snprintf(line, sizeof line, kb_ngettext("%s: %d page%s%s", "%s: %d pages%s%s", (unsigned long)pages), l->id,
			 pages, nq, nt);
		ui_doc_add(d, line, UI_STRONG);
		if (l->summary)
			ui_doc_wrap(d, l->summary, UI_NORMAL, w, "");
		if (l->history.source) {
			snprintf(line, sizeof line, _("Source: %s"), l->history.source);
			ui_doc_wrap(d, line, UI_DIM, w, "");
		}
		if (lp) {
			char t[32];
			int n = snprintf(line, sizeof line, _("Checks run: %d · hints seen: %d"), lp->attempts, lp->hints);
			if (ui_fmt_secs(ui, t, sizeof t, lp->seconds) && n >= 0 && (size_t)n < sizeof line)
				n += snprintf(line + n, sizeof line - (size_t)n, _(" · time: %s"), t);
			if (lp->solution_revealed && n >= 0 && (size_t)n < sizeof line)
				snprintf(line + n, sizeof line - (size_t)n, "%s", _(" · solution seen"));
			ui_doc_add(d, line, UI_DIM);
		}
		if (tasks && !ui_kernel_ready(ui)) {
			char k[256];
			ui_kernel_line(ui, k, sizeof k);
			snprintf(line, sizeof line, _("Its task waits for the course kernel, which is %s; pages and quizzes work now."), k);
			ui_doc_wrap(d, line, UI_WARN, w, "");
		}
	}
}

static void tl_draw(struct ui *ui, int top, int height)
{
	const struct kb_pack *p = &ui->c->pack;
	tl_draw_head(ui, p, top);
	int details = 7;                       /* rows for the chosen lesson at the bottom */
	int list_top = top + 3, list_h = height - 3 - details;
	int rows_per = 2;
	int visible = list_h / rows_per;
	if ((int)tl.sel < tl.scroll)
		tl.scroll = (int)tl.sel;
	if ((int)tl.sel >= tl.scroll + visible)
		tl.scroll = (int)tl.sel - visible + 1;
	for (int r = 0; r < visible && (size_t)(tl.scroll + r) < tl.n; r++)
		tl_draw_row(ui, p, (size_t)(tl.scroll + r), list_top + r * rows_per);
	/* the chosen lesson */
	int dy = top + height - details;
	ui_hline(dy);
	if (!tl.n) {
		ui_put(dy + 1, 1, COLS - 2, _("This pack has no lessons."), UI_DIM);
		return;
	}
	struct ui_doc d = {0};
	tl_details(ui, &p->lessons[tl.order[tl.sel]], &d, COLS - 3);
	ui_draw_doc(&d, dy + 1, details - 1, 0);
	if (d.n > (size_t)(details - 1)) {
		/* more than the rows hold: the last one shown says it goes on */
		const struct ui_line *last = &d.lines[details - 2];
		int lw = ui_text_width(last->text, last->len);
		ui_put(dy + details - 1, 1 + (lw < COLS - 3 ? lw : COLS - 3), 1, ui->utf8 ? "\u203a" : ">", UI_DIM);
	}
	ui_doc_free(&d);
}

static bool tl_key(struct ui *ui, int key)
{
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (tl.sel + 1 < tl.n)
			tl.sel++;
		return true;
	case 'k':
	case KEY_UP:
		if (tl.sel > 0)
			tl.sel--;
		return true;
	case 'g':
	case KEY_HOME:
		tl.sel = 0;
		return true;
	case 'G':
	case KEY_END:
		tl.sel = tl.n ? tl.n - 1 : 0;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'l':
	case KEY_RIGHT:
		if (tl.n)
			ui_open_lesson(ui, tl.order[tl.sel]);
		return true;
	}
	return false;
}

static const struct ui_key tl_keys[] = {
	{'j', "j/k", N_("move"), N_("choose a lesson (also ↑/↓, g/G for the first and last)")},
	{'\n', "Enter", N_("open"), N_("open the lesson at the step you were on")},
};

const struct ui_screen ui_timeline_screen = {
	.name = "timeline", .open = tl_open, .draw = tl_draw, .key = tl_key,
	.keys = tl_keys, .n_keys = sizeof tl_keys / sizeof *tl_keys,
};

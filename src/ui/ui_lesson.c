/* ui_lesson.c - the lesson screen (a page of Markdown, scrolled) and what every lesson
 * screen shares: the header with the step tabs, moving between steps, the saved step. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"
#include "store/workspace.h"

#include <stdlib.h>
#include <string.h>

struct kb_lesson *ui_lesson(struct ui *ui)
{
	return ui->lesson < ui->c->pack.n_lessons ? &ui->c->pack.lessons[ui->lesson] : NULL;
}

struct kb_lesson_progress *ui_lesson_progress(struct ui *ui)
{
	return kb_progress_lesson(&ui->c->progress, ui_lesson(ui)->id);
}

static const struct ui_screen *screen_of(const struct kb_lesson *l, size_t step)
{
	if (!l || l->error || step >= l->n_steps)
		return &ui_lesson_screen;
	switch (l->steps[step].kind) {
	case KB_QUIZ: return &ui_quiz_screen;
	case KB_TASK: return &ui_task_screen;
	default: return &ui_lesson_screen;
	}
}

void ui_open_lesson(struct ui *ui, size_t i)
{
	ui->lesson = i;
	struct kb_lesson *l = ui_lesson(ui);
	struct kb_lesson_progress *p = ui_lesson_progress(ui);
	ui->step = p->step >= 0 && (size_t)p->step < l->n_steps ? (size_t)p->step : 0;
	free(ui->c->progress.current);
	ui->c->progress.current = kb_strdup(l->id);
	ui_push(ui, screen_of(l, ui->step));
}

void ui_goto_step(struct ui *ui, size_t s)
{
	struct kb_lesson *l = ui_lesson(ui);
	if (!l || s >= l->n_steps)
		return;
	ui->step = s;
	ui_lesson_progress(ui)->step = (int)s;
	ui_save(ui);
	ui_replace(ui, screen_of(l, s));
}

bool ui_lesson_common_key(struct ui *ui, int key)
{
	struct kb_lesson *l = ui_lesson(ui);
	switch (key) {
	case 'n':
	case KEY_RIGHT:
	case '\t':
		if (l && ui->step + 1 < l->n_steps)
			ui_goto_step(ui, ui->step + 1);
		else
			ui_message(ui, UI_NORMAL, "%s", _("This is the lesson's last step: q goes back to the timeline."));
		return true;
	case 'p':
	case KEY_LEFT:
	case KEY_BTAB:
		if (ui->step > 0)
			ui_goto_step(ui, ui->step - 1);
		else
			ui_message(ui, UI_NORMAL, "%s", _("This is the lesson's first step."));
		return true;
	case 'd':
		ui_push(ui, &ui_diff_screen);
		return true;
	}
	return false;
}

/* A step's tab: its number and kind (a format of its own: "page" is also a key's label,
 * which a translation may say otherwise) */
static const char *step_tab(const struct kb_lesson_step *s)
{
	switch (s->kind) {
	case KB_PAGE: return _(" %zu page ");
	case KB_QUIZ: return _(" %zu quiz ");
	default: return _(" %zu task ");
	}
}

void ui_lesson_header(struct ui *ui, int y, const char *what, int right)
{
	struct kb_lesson *l = ui_lesson(ui);
	char head[512];
	snprintf(head, sizeof head, _("Lesson %zu of %zu"), ui->lesson + 1, ui->c->pack.n_lessons);
	int x = 1 + ui_put(y, 1, COLS - 2, head, UI_DIM);
	if (l->history.year) {
		snprintf(head, sizeof head, " \u00b7 %d", l->history.year);
		x += ui_put(y, x, COLS - x - 1, head, UI_DIM);
	}
	x += ui_put(y, x, COLS - x - 1, " \u00b7 ", UI_DIM);
	ui_put(y, x, COLS - x - 1, l->title ? l->title : l->id, UI_H2);
	/* the steps as tabs: the current one highlighted */
	x = 1;
	for (size_t s = 0; s < l->n_steps; s++) {
		char tab[32];
		snprintf(tab, sizeof tab, step_tab(&l->steps[s]), s + 1);
		x += ui_put(y + 1, x, COLS - x - 1, tab, s == ui->step ? UI_SELECT : UI_DIM);
		x += ui_put(y + 1, x, COLS - x - 1, " ", UI_NORMAL);
	}
	if (what && l->n_steps) {
		char info[256];
		snprintf(info, sizeof info, _(" step %zu of %zu: %s"), ui->step + 1, l->n_steps, what);
		ui_put(y + 1, x, COLS - x - 1 - right, info, UI_NORMAL);
	}
	ui_hline(y + 2);
}

/* ---- the page screen ------------------------------------------------------------------------ */

static struct {
	struct ui_doc doc;
	size_t lesson, step;
	int width;
	bool valid;
	int scroll;
} page;

/* Pages name the workspace by its default place, ~/kbridge-workspace (its kernel tree
 * ~/kbridge-workspace/linux). When the learner's workspace is elsewhere (--workspace,
 * $KBRIDGE_WORKSPACE), the page shows theirs, as the task screen does. Returns text, or a
 * new string the caller frees. */
static char *with_workspace(struct ui *ui, char *text, size_t *len)
{
	static const char def[] = "~/kbridge-workspace";
	const char *root = ui->c->ws_root, *home = getenv("HOME");
	if (!root || !memmem(text, *len, def, sizeof def - 1))
		return text;
	char *home_default = home ? kb_path_join(home, "kbridge-workspace") : NULL;
	bool is_default = home_default && strcmp(home_default, root) == 0;
	free(home_default);
	if (is_default)
		return text;
	struct kb_buf b = KB_BUF_INIT;
	const char *p = text, *end = text + *len, *q;
	while ((q = memmem(p, (size_t)(end - p), def, sizeof def - 1))) {
		const char *after = q + sizeof def - 1;
		/* only the folder itself, not a longer name that starts the same */
		bool whole = after == end || *after == '/' || !(*after == '-' || *after == '_' ||
							     (*after >= 'a' && *after <= 'z') ||
							     (*after >= '0' && *after <= '9'));
		kb_buf_add(&b, p, (size_t)(q - p));
		kb_buf_adds(&b, whole ? root : def);
		p = after;
	}
	kb_buf_add(&b, p, (size_t)(end - p));
	free(text);
	*len = b.len;
	return kb_buf_detach(&b);
}

static void page_build(struct ui *ui, int width)
{
	if (page.valid && page.lesson == ui->lesson && page.step == ui->step && page.width == width)
		return;
	ui_doc_free(&page.doc);
	page.lesson = ui->lesson;
	page.step = ui->step;
	page.width = width;
	page.valid = true;
	struct kb_lesson *l = ui_lesson(ui);
	if (l->error) {
		ui_doc_add(&page.doc, _("This lesson cannot be loaded:"), UI_FAIL);
		ui_doc_wrap(&page.doc, l->error, UI_NORMAL, width, "  ");
		return;
	}
	if (!l->n_steps) {
		ui_doc_add(&page.doc, _("This lesson has no steps."), UI_DIM);
		return;
	}
	const struct kb_page *pg = &l->steps[ui->step].page;
	char *text = NULL;
	size_t len = 0;
	if (kb_page_read(&text, &len, l, pg) < 0) {
		ui_doc_add(&page.doc, _("This page cannot be read:"), UI_FAIL);
		ui_doc_wrap(&page.doc, kb_error_last(), UI_NORMAL, width, "  ");
		return;
	}
	text = with_workspace(ui, text, &len);
	if (ui_md_render(&page.doc, text, len, width) < 0)
		ui_doc_wrap(&page.doc, text, UI_NORMAL, width, "");
	free(text);
}

static void page_open(struct ui *ui)
{
	page.scroll = 0;
	page.valid = false;
}

static void page_draw(struct ui *ui, int top, int height)
{
	struct kb_lesson *l = ui_lesson(ui);
	const char *what = !l->error && l->n_steps ? l->steps[ui->step].page.title : NULL;
	int body = height - 3;
	page_build(ui, COLS - 3 > 100 ? 100 : COLS - 3);
	/* the step's title leaves room for where we are in the page */
	ui_lesson_header(ui, top, what ? what : l->error ? _("not loaded") : _("reading"),
			 page.doc.n > (size_t)body ? 7 : 0);
	page.scroll = ui_draw_doc(&page.doc, top + 3, body, page.scroll);
	/* where we are in the page */
	if (page.doc.n > (size_t)body) {
		char pos[48];
		int pct = (int)(100.0 * (page.scroll + body) / (double)page.doc.n);
		/* padded to its 7 columns: what the step's title left there is covered, not
		   shown in pieces after it (half a wide character, the tail of a word) */
		snprintf(pos, sizeof pos, " %d%%%*s", pct > 100 ? 100 : pct, pct >= 100 ? 2 : pct >= 10 ? 3 : 4, "");
		ui_put(top + 1, COLS - 8, 7, pos, UI_DIM);
	}
}

static bool page_key(struct ui *ui, int key)
{
	int body = LINES - 2 - 3;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		page.scroll++;
		break;
	case 'k':
	case KEY_UP:
		page.scroll--;
		break;
	case ' ':
	case KEY_NPAGE:
		/* at the end of a page, space goes on to the next step */
		if (page.scroll + body >= (int)page.doc.n)
			return ui_lesson_common_key(ui, 'n');
		page.scroll += body - 1;
		break;
	case 'b':
	case KEY_PPAGE:
		page.scroll -= body - 1;
		break;
	case 'g':
	case KEY_HOME:
		page.scroll = 0;
		break;
	case 'G':
	case KEY_END:
		page.scroll = (int)page.doc.n;
		break;
	default:
		return ui_lesson_common_key(ui, key);
	}
	page.scroll = ui_clamp_scroll(page.scroll, page.doc.n, body);
	return true;
}

static const struct ui_key page_keys[] = {
	{'j', "j/\u2193", N_("scroll"), N_("scroll down a line (k/↑ up)")},
	{' ', "Space", N_("page"), N_("next screen; at the end of the page, the next step (b: back a screen)")},
	{'n', "n/\u2192", N_("next step"), N_("the lesson's next step (p/←: the previous one)")},
	{'g', "g/G", NULL, N_("top / bottom of the page")},
	{'d', "d", NULL, N_("your changes to this lesson's files (the diff)")},
};

const struct ui_screen ui_lesson_screen = {
	.name = "lesson", .open = page_open, .draw = page_draw, .key = page_key,
	.keys = page_keys, .n_keys = sizeof page_keys / sizeof *page_keys,
};

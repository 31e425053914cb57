/* ui_quiz.c - a quiz step: choose with keys, answer, see right or wrong and why. */
#define _GNU_SOURCE
#include "engine/course.h"
#include "store/progress.h"
#include "ui/ui.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static struct {
	size_t cursor;
	unsigned chosen;      /* bit i: the choice shown i-th is chosen */
	bool answered, right;
	size_t order[32];     /* the choice shown i-th is choices[order[i]] */
	int scroll;           /* a long question or explanation scrolls */
	size_t lines;         /* of the quiz as last drawn */
} qz;

static const struct kb_quiz *quiz(struct ui *ui)
{
	struct kb_lesson *l = ui_lesson(ui);
	return &l->steps[ui->step].quiz;
}

/* is the choice shown i-th a right one */
static bool is_answer(const struct kb_quiz *q, size_t i)
{
	for (size_t a = 0; a < q->n_answers; a++)
		if ((size_t)q->answers[a] == qz.order[i])
			return true;
	return false;
}

/* The choices are shown in an order of their own, so that the right one is not always
 * where the author wrote it (often first). The order is fixed for a quiz (a hash of
 * the lesson and quiz ids), so it is the same at every visit and for every learner. */
static void shuffle(struct ui *ui)
{
	const struct kb_quiz *q = quiz(ui);
	size_t n = q->n_choices < 32 ? q->n_choices : 32;
	for (size_t i = 0; i < n; i++)
		qz.order[i] = i;
	const char *lid = ui_lesson(ui)->id;
	unsigned long long h = kb_hash64(lid, strlen(lid), 0x6b62);
	h = kb_hash64(q->id, strlen(q->id), h);
	for (size_t i = n; i > 1; i--) {
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
		size_t j = (size_t)((h >> 33) % i);
		size_t t = qz.order[i - 1];
		qz.order[i - 1] = qz.order[j];
		qz.order[j] = t;
	}
}

/* a quiz answered right before (progress.json) opens answered, its right choices marked */
static void qz_open(struct ui *ui)
{
	memset(&qz, 0, sizeof qz);
	shuffle(ui);
	const struct kb_quiz *q = quiz(ui);
	if (kb_progress_quiz_right(ui_lesson_progress(ui), q->id)) {
		for (size_t i = q->n_choices < 32 ? q->n_choices : 32; i-- > 0;)
			if (is_answer(q, i)) {
				qz.chosen |= 1u << i;
				qz.cursor = i;
			}
		qz.answered = qz.right = true;
	}
}

static void qz_draw(struct ui *ui, int top, int height)
{
	const struct kb_quiz *q = quiz(ui);
	bool multi = q->n_answers > 1;
	ui_lesson_header(ui, top, multi ? _("quiz (more than one answer is right)") : _("quiz"), 0);
	int w = COLS - 3 > 100 ? 100 : COLS - 3;
	struct ui_doc d = {0};
	ui_md_render(&d, q->question, strlen(q->question), w);
	ui_doc_add(&d, "", UI_NORMAL);
	size_t choice_line = d.n;
	for (size_t i = 0; i < q->n_choices && i < 32; i++) {
		char line[1024];
		const char *box;
		if (multi)
			box = qz.chosen & (1u << i) ? "[x]" : "[ ]";
		else
			box = qz.chosen & (1u << i) ? "(\u2022)" : "( )";
		const char *mark = "";
		if (qz.answered)
			mark = is_answer(q, i) ? (ui->utf8 ? _("  ✓ right") : _("  + right")) :
			       qz.chosen & (1u << i) ? (ui->utf8 ? _("  ✗ wrong") : _("  x wrong")) : "";
		enum ui_style s = UI_NORMAL;
		if (qz.answered)
			s = is_answer(q, i) ? UI_PASS : qz.chosen & (1u << i) ? UI_FAIL : UI_DIM;
		else if (i == qz.cursor)
			s = UI_SELECT;
		/* a long choice wraps under itself, never cut at the screen's edge */
		char prefix[64];
		int pw = snprintf(prefix, sizeof prefix, "%s %zu  %s ", i == qz.cursor ? ">" : " ", i + 1, box);
		pw -= (int)(strlen(box) - 3);   /* the box is 3 columns, whatever its bytes */
		snprintf(line, sizeof line, "%s%s", q->choices[qz.order[i]], mark);
		struct ui_doc t = {0};
		ui_doc_wrap(&t, line, s, w - pw > 20 ? w - pw : 20, "");
		for (size_t j = 0; j < t.n; j++) {
			char *full = kb_asprintf("%s%*s%.*s", j == 0 ? prefix : "", j == 0 ? 0 : pw, "",
						 (int)t.lines[j].len, t.lines[j].text);
			ui_doc_add(&d, full, s);
			free(full);
		}
		ui_doc_free(&t);
	}
	ui_doc_add(&d, "", UI_NORMAL);
	if (qz.answered) {
		ui_doc_wrap(&d, qz.right ? _("Right.") : _("Not quite: the right answer is marked above."),
			    qz.right ? UI_PASS : UI_FAIL, w, "");
		if (q->explain) {
			ui_doc_add(&d, "", UI_NORMAL);
			ui_md_render(&d, q->explain, strlen(q->explain), w);
		}
	} else {
		ui_doc_wrap(&d, multi ? _("A choice's number or x marks it, Enter answers.") :
				_("Press a choice's number, or move and press Enter."), UI_DIM, w, "");
	}
	(void)choice_line;
	qz.lines = d.n;
	qz.scroll = ui_draw_doc(&d, top + 3, height - 3, qz.scroll);
	ui_doc_free(&d);
}

static void answer(struct ui *ui)
{
	const struct kb_quiz *q = quiz(ui);
	if (!qz.chosen)
		qz.chosen = 1u << qz.cursor;
	bool right = true;
	for (size_t i = 0; i < q->n_choices && i < 32; i++)
		if (is_answer(q, i) != !!(qz.chosen & (1u << i)))
			right = false;
	qz.answered = true;
	qz.right = right;
	if (right) {
		kb_progress_set_quiz_right(ui_lesson_progress(ui), q->id);
		if (ui_save(ui) < 0)
			return;   /* the status bar says the progress was not saved */
	}
	ui_message(ui, right ? UI_PASS : UI_FAIL, "%s", right ? _("Right. n goes on.") : _("Not quite. r tries again, n goes on."));
}

static bool qz_key(struct ui *ui, int key)
{
	const struct kb_quiz *q = quiz(ui);
	bool multi = q->n_answers > 1;
	if (key >= '1' && key <= '9' && (size_t)(key - '1') < q->n_choices && !qz.answered) {
		qz.cursor = (size_t)(key - '1');
		if (multi) {
			qz.chosen ^= 1u << qz.cursor;
		} else {
			qz.chosen = 1u << qz.cursor;
			answer(ui);
		}
		return true;
	}
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (qz.cursor + 1 < q->n_choices)
			qz.cursor++;
		return true;
	case 'k':
	case KEY_UP:
		if (qz.cursor > 0)
			qz.cursor--;
		return true;
	case 'x':
		if (!qz.answered) {
			if (multi)
				qz.chosen ^= 1u << qz.cursor;
			else
				qz.chosen = 1u << qz.cursor;
		}
		return true;
	case ' ':
	case KEY_NPAGE: {
		/* Space pages, as on a page, and never chooses (a learner paging through the
		   lesson lands here with Space): a screen down, then on to the next step once
		   the quiz is answered */
		int body = LINES - 2 - 3;
		if (qz.scroll + body < (int)qz.lines)
			qz.scroll += body - 1;
		else if (qz.answered && key == ' ')
			ui_lesson_common_key(ui, 'n');
		else if (key == ' ')
			ui_message(ui, UI_NORMAL, "%s", multi ? _("Space does not answer: a choice's number or x marks it, Enter answers.") :
					      _("Space does not answer: press a choice's number, or move and press Enter."));
		return true;
	}
	case 'b':
	case KEY_PPAGE:
		qz.scroll -= LINES - 2 - 3 - 1;
		if (qz.scroll < 0)
			qz.scroll = 0;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (!qz.answered)
			answer(ui);
		else
			ui_lesson_common_key(ui, 'n');
		return true;
	case 'r':
		memset(&qz, 0, sizeof qz);
		shuffle(ui);
		return true;
	}
	return ui_lesson_common_key(ui, key);
}

static const struct ui_key qz_keys[] = {
	{'1', "1-9", N_("choose"), N_("choose that answer (in a quiz with several right answers: mark it)")},
	{'x', "x", NULL, N_("mark the choice under the cursor (j/k or ↑/↓ move it)")},
	{'\n', "Enter", N_("answer"), N_("answer with what is marked; once answered, go on")},
	{' ', "Space/b", NULL, N_("a screen down / up; once answered, at the end: the next step (never answers)")},
	{'r', "r", NULL, N_("try the quiz again")},
	{'n', "n/p", N_("step"), N_("next / previous step of the lesson")},
	{'d', "d", NULL, N_("your changes to this lesson's files (the diff)")},
};

const struct ui_screen ui_quiz_screen = {
	.name = "quiz", .open = qz_open, .draw = qz_draw, .key = qz_key,
	.keys = qz_keys, .n_keys = sizeof qz_keys / sizeof *qz_keys,
};

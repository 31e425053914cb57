/* ui_diff.c - the diff screen: your changes to the open lesson's files since its start. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"
#include "store/workspace.h"

#include <stdlib.h>
#include <string.h>

static struct {
	struct ui_doc doc;
	int scroll;
} df;

static void df_open(struct ui *ui)
{
	ui_doc_free(&df.doc);
	df.scroll = 0;
	struct kb_lesson *l = ui_lesson(ui);
	struct kb_course *c = ui->c;
	if (!c->ws || !kb_ws_lesson_started(c->ws, l->id)) {
		ui_doc_wrap(&df.doc, _("This lesson is not started in your workspace yet: its files appear when you open "
				       "one of its tasks."), UI_DIM, COLS - 4, "");
		return;
	}
	struct kb_strv paths = KB_STRV_INIT;
	kb_lesson_paths(l, &paths);
	char *out = NULL;
	int rc = kb_ws_diff(c->ws, l->id, paths.v, paths.n, false, &out);
	if (rc < 0) {
		ui_doc_add(&df.doc, _("The diff could not be made:"), UI_FAIL);
		ui_doc_wrap(&df.doc, kb_error_last(), UI_NORMAL, COLS - 4, "  ");
	} else if (!*out) {
		char line[256];
		snprintf(line, sizeof line, _("No changes to lesson %s's files since its start."), l->id);
		ui_doc_add(&df.doc, line, UI_DIM);
		for (size_t i = 0; i < paths.n; i++) {
			char *p = kb_asprintf("  %s", paths.v[i]);
			ui_doc_add(&df.doc, p, UI_CODE);
			free(p);
		}
	} else {
		for (char *p = out; *p;) {
			char *nl = strchr(p, '\n');
			if (nl)
				*nl = '\0';
			enum ui_style s = UI_NORMAL;
			if (kb_str_starts(p, "diff ") || kb_str_starts(p, "+++") || kb_str_starts(p, "---") ||
			    kb_str_starts(p, "index "))
				s = UI_STRONG;
			else if (*p == '+')
				s = UI_ADD;
			else if (*p == '-')
				s = UI_DEL;
			else if (kb_str_starts(p, "@@"))
				s = UI_HUNK;
			/* tabs as 8 columns, the way a terminal shows a diff */
			struct kb_buf b = KB_BUF_INIT;
			int col = 0;
			for (char *q = p; *q; q++) {
				if (*q == '\t') {
					do {
						kb_buf_adds(&b, " ");
					} while (++col % 8);
				} else {
					kb_buf_add(&b, q, 1);
					col++;
				}
			}
			ui_doc_add(&df.doc, b.data ? b.data : "", s);
			kb_buf_free(&b);
			if (!nl)
				break;
			p = nl + 1;
		}
	}
	free(out);
	kb_strv_free(&paths);
}

static void df_draw(struct ui *ui, int top, int height)
{
	struct kb_lesson *l = ui_lesson(ui);
	char head[256];
	snprintf(head, sizeof head, _("Your changes to lesson %s since its start (- the start, + yours)"), l->id);
	ui_put(top, 1, COLS - 2, head, UI_H2);
	ui_hline(top + 1);
	df.scroll = ui_draw_doc(&df.doc, top + 2, height - 2, df.scroll);
}

static bool df_key(struct ui *ui, int key)
{
	int body = LINES - 4;
	switch (key) {
	case 'j': case KEY_DOWN: df.scroll++; break;
	case 'k': case KEY_UP: df.scroll--; break;
	case ' ': case KEY_NPAGE: df.scroll += body - 1; break;
	case 'b': case KEY_PPAGE: df.scroll -= body - 1; break;
	case 'g': case KEY_HOME: df.scroll = 0; break;
	case 'G': case KEY_END: df.scroll = (int)df.doc.n; break;
	case 'r': df_open(ui); ui_message(ui, UI_NORMAL, "%s", _("Diff made again.")); break;
	default: return false;
	}
	df.scroll = ui_clamp_scroll(df.scroll, df.doc.n, body);
	return true;
}

static const struct ui_key df_keys[] = {
	{'j', "j/k", N_("scroll"), N_("scroll a line (also ↑/↓)")},
	{' ', "Space/b", N_("page"), N_("a screen down / up (g/G: top, bottom)")},
	{'r', "r", N_("refresh"), N_("make the diff again")},
};

const struct ui_screen ui_diff_screen = {
	.name = "diff", .open = df_open, .draw = df_draw, .key = df_key,
	.keys = df_keys, .n_keys = sizeof df_keys / sizeof *df_keys,
};

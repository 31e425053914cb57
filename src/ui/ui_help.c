/* ui_help.c - the help screen (?): every key of every screen, from their key tables. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static int hp_scroll;

static const struct ui_key global_keys[] = {
	{'?', "?", NULL, N_("this help")},
	{'q', "q/Esc", NULL, N_("back to the screen before (on the timeline: quit)")},
	{'Q', "Q", NULL, N_("quit from anywhere (your progress is saved)")},
	{12, "Ctrl-L", NULL, N_("draw the screen again")},
};

/* A screen's keys: each name in a column of 10, its help beside it, wrapped under itself
 * when longer than the line (the help column starts at 13). */
static void add_keys(struct ui_doc *d, const char *title, const struct ui_key *keys, size_t n)
{
	ui_doc_add(d, title, UI_H2);
	for (size_t i = 0; i < n; i++) {
		struct ui_doc help = {0};
		ui_doc_wrap(&help, _(keys[i].help), UI_NORMAL, COLS - 4 - 13, "");
		for (size_t j = 0; j < help.n; j++) {
			char *name = ui_padded(j == 0 ? keys[i].name : "", 10);
			char *line = kb_asprintf("  %s %.*s", name, (int)help.lines[j].len, help.lines[j].text);
			size_t len = strlen(line);
			unsigned char *st = kb_malloc(len + 1);
			size_t name_end = 2 + strlen(name);
			for (size_t k = 0; k < len; k++)
				st[k] = k < name_end ? UI_CODE : UI_NORMAL;
			ui_doc_add_styled(d, line, st, len);
			free(st);
			free(line);
			free(name);
		}
		ui_doc_free(&help);
	}
	ui_doc_add(d, "", UI_NORMAL);
}

static void hp_open(struct ui *ui)
{
	hp_scroll = 0;
}

static void hp_draw(struct ui *ui, int top, int height)
{
	struct ui_doc d = {0};
	ui_doc_add(&d, _("Keys"), UI_H1);
	ui_doc_add(&d, "", UI_NORMAL);
	add_keys(&d, _("Everywhere"), global_keys, sizeof global_keys / sizeof *global_keys);
	const struct ui_screen *const screens[] = {&ui_timeline_screen, &ui_lesson_screen, &ui_quiz_screen,
						    &ui_task_screen, &ui_check_screen, &ui_diff_screen};
	static const char *const titles[] = {N_("Timeline"), N_("Lesson pages"), N_("Quizzes"), N_("Tasks"),
					     N_("Check"), N_("Diff")};
	for (size_t i = 0; i < sizeof screens / sizeof *screens; i++)
		add_keys(&d, _(titles[i]), screens[i]->keys, screens[i]->n_keys);
	ui_doc_add(&d, _("Watch mode"), UI_H2);
	ui_doc_wrap(&d, _("While a task is open, saving one of its files (from any editor) runs its check again "
			  "by itself, as soon as the save is done. Time spent in a lesson and the step you are on are "
			  "saved in your workspace's progress.json."), UI_NORMAL, COLS - 4, "  ");
	hp_scroll = ui_draw_doc(&d, top, height, hp_scroll);
	ui_doc_free(&d);
}

static bool hp_key(struct ui *ui, int key)
{
	switch (key) {
	case 'j': case KEY_DOWN: hp_scroll++; return true;
	case 'k': case KEY_UP: hp_scroll--; if (hp_scroll < 0) hp_scroll = 0; return true;
	case ' ': case KEY_NPAGE: hp_scroll += LINES - 4; return true;
	case 'b': case KEY_PPAGE: hp_scroll -= LINES - 4; if (hp_scroll < 0) hp_scroll = 0; return true;
	case 'g': case KEY_HOME: hp_scroll = 0; return true;
	case 'G': case KEY_END: hp_scroll = 1 << 20; return true;   /* clamped when drawn */
	case '?': ui_pop(ui); return true;
	}
	return false;
}

static const struct ui_key hp_keys[] = {
	{'j', "j/k", N_("scroll"), N_("scroll the help (Space/b a screen, g/G top and bottom)")},
};

const struct ui_screen ui_help_screen = {
	.name = "help", .open = hp_open, .draw = hp_draw, .key = hp_key,
	.keys = hp_keys, .n_keys = sizeof hp_keys / sizeof *hp_keys,
};

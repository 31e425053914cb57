/* ui_help.c - the help screen (?): every key of every screen, from their key tables. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

static int hp_scroll;

static const struct ui_key global_keys[] = {
	{'?', "?", NULL, "this help"},
	{'q', "q/Esc", NULL, "back to the screen before (on the timeline: quit)"},
	{'Q', "Q", NULL, "quit from anywhere (your progress is saved)"},
	{12, "Ctrl-L", NULL, "draw the screen again"},
};

static void add_keys(struct ui_doc *d, const char *title, const struct ui_key *keys, size_t n)
{
	ui_doc_add(d, title, UI_H2);
	for (size_t i = 0; i < n; i++) {
		int w = ui_text_width(keys[i].name, strlen(keys[i].name));
		char *line = kb_asprintf("  %s%*s %s", keys[i].name, w < 10 ? 10 - w : 0, "", keys[i].help);
		size_t len = strlen(line);
		unsigned char *st = kb_malloc(len + 1);
		size_t name_end = 2 + strlen(keys[i].name);
		for (size_t k = 0; k < len; k++)
			st[k] = k < name_end ? UI_CODE : UI_NORMAL;
		ui_doc_add_styled(d, line, st, len);
		free(st);
		free(line);
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
	ui_doc_add(&d, "Keys", UI_H1);
	ui_doc_add(&d, "", UI_NORMAL);
	add_keys(&d, "Everywhere", global_keys, sizeof global_keys / sizeof *global_keys);
	const struct ui_screen *const screens[] = {&ui_timeline_screen, &ui_lesson_screen, &ui_quiz_screen,
						    &ui_task_screen, &ui_check_screen, &ui_diff_screen};
	static const char *const titles[] = {"Timeline", "Lesson pages", "Quizzes", "Tasks", "Check", "Diff"};
	for (size_t i = 0; i < sizeof screens / sizeof *screens; i++)
		add_keys(&d, titles[i], screens[i]->keys, screens[i]->n_keys);
	ui_doc_add(&d, "Watch mode", UI_H2);
	ui_doc_wrap(&d, "While a task is open, saving one of its files (from any editor) runs its check again "
			"by itself, as soon as the save is done. Time spent in a lesson and the step you are on are "
			"saved in your workspace's progress.json.", UI_NORMAL, COLS - 4, "  ");
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
	{'j', "j/k", "scroll", "scroll the help (Space/b a screen, g/G top and bottom)"},
};

const struct ui_screen ui_help_screen = {
	.name = "help", .open = hp_open, .draw = hp_draw, .key = hp_key,
	.keys = hp_keys, .n_keys = sizeof hp_keys / sizeof *hp_keys,
};

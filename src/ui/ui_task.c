/* ui_task.c - a task step: the goal, the files to edit (e opens one in your editor),
 * hints one key press at a time (counted in your progress), the check (c, or by itself
 * when a watched file is saved). */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"
#include "store/workspace.h"

#include <stdlib.h>
#include <string.h>

static struct {
	size_t file;      /* the chosen file */
	int scroll;
	int start_rc;     /* of ui_ensure_started: 0 started, 1 waiting, <0 failed */
	char start_error[256];
} tk;

static const struct kb_task *task(struct ui *ui)
{
	return &ui_lesson(ui)->steps[ui->step].task;
}

/* the hints of this task shown so far, counted per task as `kbridge hint` does */
static size_t hints_shown(struct ui *ui)
{
	const struct kb_lesson_progress *p = kb_progress_find(&ui->c->progress, ui_lesson(ui)->id);
	return p ? (size_t)kb_course_hints_seen(ui_lesson(ui), p, task(ui)) : 0;
}

static void try_start(struct ui *ui)
{
	tk.start_rc = ui_ensure_started(ui);
	if (tk.start_rc < 0)
		snprintf(tk.start_error, sizeof tk.start_error, "%s", kb_error_last());
	if (tk.start_rc == 0)
		ui_watch_task(ui, task(ui));
}

static void tk_open(struct ui *ui)
{
	tk.file = 0;
	tk.scroll = 0;
	try_start(ui);
}

static void tk_draw(struct ui *ui, int top, int height)
{
	const struct kb_task *t = task(ui);
	if (tk.start_rc == 1 && ui->c->ws)
		try_start(ui);   /* the workspace became ready meanwhile */
	char what[300];
	snprintf(what, sizeof what, _("task: %s"), t->title ? t->title : t->id);
	ui_lesson_header(ui, top, what, 0);
	int w = COLS - 3 > 100 ? 100 : COLS - 3;
	struct ui_doc d = {0};
	ui_doc_add(&d, _("Goal"), UI_H2);
	ui_md_render(&d, t->goal, strlen(t->goal), w);
	ui_doc_add(&d, "", UI_NORMAL);

	char line[1024];
	if (ui->c->ws)
		snprintf(line, sizeof line, _("Files in your kernel tree %s (edit: yours to change; read: there to read):"),
			 kb_ws_tree(ui->c->ws));
	else
		snprintf(line, sizeof line, "%s", _("Files (in your kernel tree, once your workspace is made):"));
	ui_doc_wrap(&d, line, UI_H2, w, "");
	for (size_t f = 0; f < t->n_files; f++) {
		/* edit / read: a column as wide as the wider of the two words */
		const char *edit = _("edit"), *read = _("read");
		int ew = ui_text_width(edit, strlen(edit)), rw = ui_text_width(read, strlen(read));
		char *kind = ui_padded(kb_task_file_is_edited(ui_lesson(ui), &t->files[f]) ? edit : read, ew > rw ? ew : rw);
		snprintf(line, sizeof line, "%s %s  %s", f == tk.file ? ">" : " ", kind, t->files[f].path);
		free(kind);
		ui_doc_add(&d, line, f == tk.file ? UI_SELECT : UI_CODE);
	}
	ui_doc_add(&d, "", UI_NORMAL);

	size_t shown = hints_shown(ui);
	if (t->n_hints) {
		int n = snprintf(line, sizeof line, _("Hints: %zu of %zu shown"), shown, t->n_hints);
		if (shown < t->n_hints && n >= 0 && (size_t)n < sizeof line)
			snprintf(line + n, sizeof line - (size_t)n, "%s", _(" (h shows the next one)"));
		ui_doc_add(&d, line, UI_H2);
		for (size_t h = 0; h < shown; h++) {
			char *hint = kb_asprintf("%zu. %s", h + 1, t->hints[h]);
			struct ui_doc hd = {0};
			ui_md_render(&hd, hint, strlen(hint), w - 2);
			for (size_t i = 0; i < hd.n; i++) {
				char *ind = kb_asprintf("  %s", hd.lines[i].text);
				unsigned char *st = kb_malloc(hd.lines[i].len + 3);
				st[0] = st[1] = UI_NORMAL;
				memcpy(st + 2, hd.lines[i].style, hd.lines[i].len);
				ui_doc_add_styled(&d, ind, st, hd.lines[i].len + 2);
				free(ind);
				free(st);
			}
			ui_doc_free(&hd);
			free(hint);
		}
		ui_doc_add(&d, "", UI_NORMAL);
	}

	/* what the check can do now */
	struct kb_lesson *l = ui_lesson(ui);
	const char *last = ui_check_last(ui, l->id, t->id);
	const struct kb_lesson_progress *p = kb_progress_find(&ui->c->progress, l->id);
	if (!ui_kernel_ready(ui)) {
		char k[256];
		ui_kernel_line(ui, k, sizeof k);
		snprintf(line, sizeof line, _("Waiting for the course kernel, which is %s. The check runs once it is ready; "
					      "pages and quizzes work meanwhile."), k);
		ui_doc_wrap(&d, line, UI_WARN, w, "");
	} else if (tk.start_rc < 0) {
		snprintf(line, sizeof line, _("This lesson could not be started: %s"), tk.start_error);
		ui_doc_wrap(&d, line, UI_FAIL, w, "");
	} else if (!ui->c->ws) {
		snprintf(line, sizeof line, _("Preparing your workspace (a git clone of the kernel tree: 20 s to a minute): %s"),
			 *ui->ws_what ? ui->ws_what : _("waiting"));
		ui_doc_wrap(&d, line, UI_WARN, w, "");
	} else if (last) {
		const char *how = strcmp(last, "pass") == 0 ? (p && p->passed ? _("Last check: passed (this lesson is passed). "
										  "c runs it again, v shows its report.")
									: _("Last check: passed. c runs it again, v shows its report.")) :
				  strcmp(last, "fail") == 0 ? (p && p->passed ? _("Last check: not passed yet (this lesson is passed). "
										  "c runs it again, v shows its report.")
									: _("Last check: not passed yet. c runs it again, v shows its report.")) :
				  p && p->passed ? _("Last check: could not run (this lesson is passed). c runs it again, v shows its report.") :
				  _("Last check: could not run. c runs it again, v shows its report.");
		snprintf(line, sizeof line, "%s", how);
		ui_doc_wrap(&d, line, strcmp(last, "pass") == 0 ? UI_PASS : UI_FAIL, w, "");
	} else if (p && p->passed) {
		ui_doc_wrap(&d, _("You passed this lesson. c checks it again."), UI_PASS, w, "");
	} else if (p && kb_progress_task_passed(p, t->id)) {
		ui_doc_wrap(&d, _("You passed this task; the lesson is passed when its other tasks pass too. "
				  "c checks it again."), UI_PASS, w, "");
	} else {
		ui_doc_wrap(&d, _("Not checked yet: e edits a file, c builds and boots your code."), UI_NORMAL, w, "");
	}
	if (ui->c->ws && tk.start_rc == 0)
		ui_doc_wrap(&d, ui->watch_on ? _("Watch mode: saving one of these files runs the check (w turns it off).")
					     : _("Watch mode is off (w turns it on)."), UI_DIM, w, "");
	tk.scroll = ui_draw_doc(&d, top + 3, height - 3, tk.scroll);
	ui_doc_free(&d);
}

static bool tk_key(struct ui *ui, int key)
{
	const struct kb_task *t = task(ui);
	switch (key) {
	case 'j':
	case KEY_DOWN:
		if (tk.file + 1 < t->n_files)
			tk.file++;
		return true;
	case 'k':
	case KEY_UP:
		if (tk.file > 0)
			tk.file--;
		return true;
	case KEY_NPAGE:
		tk.scroll += 5;
		return true;
	case KEY_PPAGE:
		tk.scroll -= 5;
		return true;
	case 'h': {
		size_t shown = hints_shown(ui);
		if (!t->n_hints) {
			ui_message(ui, UI_NORMAL, "%s", _("This task has no hints."));
		} else if (shown >= t->n_hints) {
			ui_message(ui, UI_NORMAL, "%s", _("That was the last hint."));
		} else {
			struct kb_lesson_progress *p = ui_lesson_progress(ui);
			kb_course_set_hints_seen(ui_lesson(ui), p, t, (int)shown + 1);
			if (ui_save(ui) == 0)
				ui_message(ui, UI_NORMAL, _("Hint %zu of %zu (counted in your progress)."), shown + 1, t->n_hints);
		}
		return true;
	}
	case 'e':
		if (tk.start_rc == 1)
			try_start(ui);
		if (!ui->c->ws || tk.start_rc != 0) {
			ui_message(ui, UI_WARN, "%s", _("Your workspace is not ready yet: the files appear once it is."));
		} else if (t->n_files) {
			char *path = kb_path_join(kb_ws_tree(ui->c->ws), t->files[tk.file].path);
			ui_edit(ui, path);
			free(path);
		}
		return true;
	case 'c':
	case UI_KEY_WATCH:
		if (key == UI_KEY_WATCH)
			ui_message(ui, UI_NORMAL, "%s", _("A file was saved: checking again."));
		ui_run_check(ui, t);
		return true;
	case 'v':
		if (ui_check_last(ui, ui_lesson(ui)->id, t->id))
			ui_push(ui, &ui_check_screen);
		else
			ui_message(ui, UI_NORMAL, "%s", _("No check has run yet: c runs one."));
		return true;
	case 'w':
		ui->watch_on = !ui->watch_on;
		ui_watch_task(ui, ui->watch_on && tk.start_rc == 0 ? t : NULL);
		ui_message(ui, UI_NORMAL, "%s", ui->watch_on ? _("Watch mode on: saving a file of this task runs its check.")
							     : _("Watch mode off."));
		return true;
	}
	return ui_lesson_common_key(ui, key);
}

static const struct ui_key tk_keys[] = {
	{'e', "e", N_("edit"), N_("open the chosen file in $VISUAL / $EDITOR (else vi, else nano)")},
	{'c', "c", N_("check"), N_("build your code with Kbuild, boot it in QEMU and judge what the kernel printed")},
	{'h', "h", N_("hint"), N_("show the next hint (counted in your progress)")},
	{'j', "j/k", NULL, N_("choose a file (also ↑/↓); PgUp/PgDn scroll")},
	{'v', "v", NULL, N_("the report of the last check")},
	{'w', "w", NULL, N_("watch mode on/off: saving a file of the task runs the check")},
	{'d', "d", N_("diff"), N_("your changes to this lesson's files since its start")},
	{'n', "n/p", N_("step"), N_("next / previous step of the lesson")},
};

const struct ui_screen ui_task_screen = {
	.name = "task", .open = tk_open, .draw = tk_draw, .key = tk_key,
	.keys = tk_keys, .n_keys = sizeof tk_keys / sizeof *tk_keys,
};

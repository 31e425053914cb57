/* ui.c - the shell: the loop, the terminal, the title and status bars, the background
 * kernel setup and workspace, editing, watch mode, time in lessons, and the replay of key
 * scripts with screen dumps for the tests. See ui.h. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"
#include "store/workspace.h"
#include "engine/i18n.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

static struct ui *the_ui;          /* for the crash handler */
static bool curses_on;

/* ---- styles -------------------------------------------------------------------------- */

static const struct { short fg, bg; int mono; } style_table[] = {
#define UI_STYLE_ROW(name, fg, bg, mono) {fg, bg, mono},
	UI_STYLES(UI_STYLE_ROW)
#undef UI_STYLE_ROW
};
static int style_attr[UI_STYLE_COUNT];

static void styles_init(struct ui *ui)
{
	if (ui->color && has_colors()) {
		start_color();
		use_default_colors();
		for (int i = 1; i < UI_STYLE_COUNT; i++) {
			init_pair((short)i, style_table[i].fg, style_table[i].bg);
			int extra = style_table[i].mono & (A_BOLD | A_UNDERLINE | A_DIM);
			if (i == UI_BAR || i == UI_BAR_KEY || i == UI_SELECT)
				extra = style_table[i].mono & A_BOLD;
			style_attr[i] = COLOR_PAIR(i) | extra;
		}
	} else {
		ui->color = false;
		for (int i = 0; i < UI_STYLE_COUNT; i++)
			style_attr[i] = style_table[i].mono;
		style_attr[UI_TITLE] = A_REVERSE | A_BOLD;
	}
}

int ui_attr(enum ui_style s)
{
	return (unsigned)s < UI_STYLE_COUNT ? style_attr[s] : 0;
}

void ui_draw_bar(int y, int x, int width, double fraction, enum ui_style s)
{
	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	int full = (int)(fraction * width + 0.5);
	attrset(ui_attr(s));
	for (int i = 0; i < width; i++)
		mvaddstr(y, x + i, i < full ? (the_ui && the_ui->utf8 ? "\u2588" : "#") :
					   (the_ui && the_ui->utf8 ? "\u2591" : "-"));
	attrset(A_NORMAL);
}

void ui_hline(int y)
{
	attrset(ui_attr(UI_DIM));
	for (int x = 0; x < COLS; x++)
		mvaddstr(y, x, the_ui && the_ui->utf8 ? "\u2500" : "-");
	attrset(A_NORMAL);
}

/* ---- time ------------------------------------------------------------------------------- */

double ui_now(const struct ui *ui)
{
	return ui->replay ? 1000.0 : kb_now();
}

bool ui_fmt_secs(const struct ui *ui, char *buf, size_t cap, double secs)
{
	if (ui->replay)
		snprintf(buf, cap, "%s", "");
	else if (secs < 60)
		snprintf(buf, cap, "%.1f s", secs);
	else
		snprintf(buf, cap, "%dm%02ds", (int)secs / 60, (int)secs % 60);
	return !ui->replay;
}

const char *ui_spinner(const struct ui *ui)
{
	static const char *const braille[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c", "\u2834", "\u2826",
					      "\u2827", "\u2807", "\u280f"};
	static const char *const ascii[] = {"|", "/", "-", "\\"};
	if (ui->replay)
		return ui->utf8 ? braille[0] : ascii[0];
	long t = (long)(kb_now() * 10);
	return ui->utf8 ? braille[t % 10] : ascii[t % 4];
}

/* ---- screens ------------------------------------------------------------------------- */

static const struct ui_screen *top(struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

static bool is_lesson_screen(const struct ui_screen *s)
{
	return s == &ui_lesson_screen || s == &ui_quiz_screen || s == &ui_task_screen;
}

static bool in_lesson(struct ui *ui)
{
	for (int i = 0; i < ui->depth; i++)
		if (is_lesson_screen(ui->stack[i]) || ui->stack[i] == &ui_check_screen)
			return true;
	return false;
}

/* time in a lesson: counted while a lesson screen is open and the learner is not idle */
static void count_time(struct ui *ui, bool save)
{
	double now = ui_now(ui);
	if (in_lesson(ui) && ui->lesson_clock > 0) {
		double spent = now - ui->lesson_clock;
		if (now - ui->last_input > 300)      /* idle: count up to 5 minutes after the last key */
			spent = ui->last_input + 300 > ui->lesson_clock ? ui->last_input + 300 - ui->lesson_clock : 0;
		if (spent > 0)
			ui_lesson_progress(ui)->seconds += spent;
		/* the commands then count from here, not from before the shell */
		kb_progress_active(ui_lesson_progress(ui), (long long)time(NULL), false);
	}
	ui->lesson_clock = now;
	if (save)
		ui_save(ui);
}

void ui_push(struct ui *ui, const struct ui_screen *s)
{
	if (ui->depth == (int)(sizeof ui->stack / sizeof *ui->stack))
		ui->depth--;
	bool was_in = in_lesson(ui);
	ui->stack[ui->depth++] = s;
	if (!was_in && in_lesson(ui))
		ui->lesson_clock = ui_now(ui);
	if (s->open)
		s->open(ui);
}

void ui_pop(struct ui *ui)
{
	if (ui->depth <= 1) {
		ui->quit = true;
		return;
	}
	bool was_in = in_lesson(ui);
	if (was_in)
		count_time(ui, false);
	ui->depth--;
	if (was_in && !in_lesson(ui)) {
		ui_watch_task(ui, NULL);
		ui_save(ui);
	}
	if (top(ui)->open && top(ui) == &ui_timeline_screen)
		top(ui)->open(ui);
}

void ui_replace(struct ui *ui, const struct ui_screen *s)
{
	if (ui->depth)
		ui->depth--;
	ui_push(ui, s);
}

void ui_message(struct ui *ui, enum ui_style s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_style = s;
}

void ui_note_save(struct ui *ui, int rc)
{
	if (rc >= 0) {
		ui->save_error[0] = '\0';
		return;
	}
	snprintf(ui->save_error, sizeof ui->save_error, "%s", kb_error_last());
	/* the reason is the end of the message ("cannot rename A to B: Operation not permitted") */
	const char *why = strrchr(ui->save_error, ':');
	ui_message(ui, UI_FAIL, _("Progress not saved (%s): %s"), why && why[1] ? why + 2 : ui->save_error,
		   ui->c->progress_path);
}

int ui_save(struct ui *ui)
{
	int rc = kb_course_save(ui->c);
	ui_note_save(ui, rc);
	return rc;
}

/* ---- the kernel -------------------------------------------------------------------------- */

bool ui_kernel_ready(const struct ui *ui)
{
	return ui->kernel == UI_KERNEL_READY;
}

/* how long each setup step takes, roughly (design.md's measurements), for one bar */
static const double step_weight[KB_STEP_COUNT] = {11, 73, 5, 153, 2, 3};

static double setup_fraction(const struct ui *ui, int cur, double cur_frac)
{
	double total = 0, done = 0;
	for (int s = 0; s < KB_STEP_COUNT; s++) {
		total += step_weight[s];
		if (ui->st.state[s] == KB_STEP_DONE)
			done += step_weight[s];
		else if (s == cur && cur_frac > 0)
			done += step_weight[s] * cur_frac;
	}
	return total > 0 ? done / total : 0;
}

void ui_kernel_line(const struct ui *ui, char *buf, size_t cap)
{
	switch (ui->kernel) {
	case UI_KERNEL_READY:
		snprintf(buf, cap, "%s", _("ready"));
		break;
	case UI_KERNEL_SETUP:
		snprintf(buf, cap, _("being prepared (%s)"), *ui->setup_what ? ui->setup_what : _("starting"));
		break;
	case UI_KERNEL_WAITING:
		snprintf(buf, cap, "%s", _("being prepared by another kbridge setup"));
		break;
	case UI_KERNEL_FAILED:
		snprintf(buf, cap, _("not ready: its setup failed, %s (run: kbridge setup)"), ui->setup_error);
		break;
	case UI_KERNEL_MISSING:
		snprintf(buf, cap, "%s", _("not set up yet (run: kbridge setup)"));
		break;
	}
}

static char *self_exe(void)
{
	char *p = realpath("/proc/self/exe", NULL);
	return p ? p : kb_strdup("kbridge");
}

static void refresh_status(struct ui *ui)
{
	if (!ui->have_home)
		return;
	kb_setup_status(&ui->st, &ui->home);
	if (ui->st.ready)
		ui->kernel = UI_KERNEL_READY;
	else if (ui->kernel == UI_KERNEL_READY)
		ui->kernel = UI_KERNEL_WAITING;
	ui->status_at = kb_now();
}

static void start_setup(struct ui *ui)
{
	char *exe = self_exe();
	/* no workspace yet: the setup clones it alongside the kernel build */
	char *argv[] = {exe, "setup", ui->c->ws ? NULL : "--workspace", ui->c->ws_root, NULL};
	ui->setup_ws = !ui->c->ws;
	if (runner_spawn(&ui->setup, argv, NULL) < 0) {
		ui->setup_ws = false;
		ui->kernel = UI_KERNEL_FAILED;
		snprintf(ui->setup_error, sizeof ui->setup_error, "%s", kb_error_last());
	} else {
		ui->kernel = UI_KERNEL_SETUP;
		snprintf(ui->setup_what, sizeof ui->setup_what, "%s", _("starting"));
	}
	free(exe);
}

static void ws_made(struct ui *ui, int code);

/* The setup's clone of the workspace has ended: open the workspace if it made it (no
 * child of the shell's own made it: none is stopped). */
static void setup_ws_done(struct ui *ui)
{
	if (!ui->setup_ws)
		return;
	ui->setup_ws = false;
	if (!ui->c->ws && ui->ws_child.pid <= 0 && kb_ws_is_workspace(ui->c->ws_root))
		ws_made(ui, 0);
}

/* One line of `kbridge setup`'s plain output: "build:  40% (60 s) CC kernel/fork.o". */
static void setup_line(struct ui *ui, const char *line)
{
	for (int s = 0; s < KB_STEP_COUNT; s++) {
		const char *name = kb_step_name((enum kb_step)s);
		size_t n = strlen(name);
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			int pct = atoi(line + n + 1);
			refresh_status(ui);
			ui->setup_frac = setup_fraction(ui, s, pct / 100.0);
			const char *detail = strchr(line, ')');
			snprintf(ui->setup_what, sizeof ui->setup_what, "%s %d%%%s", name, pct,
				 detail && detail[1] ? detail + 1 : "");
			return;
		}
	}
	if (kb_str_starts(line, "kbridge setup: ") && !strstr(line, "preparing"))
		snprintf(ui->setup_error, sizeof ui->setup_error, "%s", line + 15);
	/* the workspace the setup cloned is ready, or it could not make it: the shell clones
	   it itself when a task needs it */
	if (kb_str_starts(line, "workspace: ready:") || kb_str_starts(line, "workspace: failed:"))
		setup_ws_done(ui);
}

/* Read a child's output into lines without blocking; calls fn for each full line. */
static void read_lines(struct kb_child *ch, struct kb_buf *partial, void (*fn)(struct ui *, const char *),
		       struct ui *ui)
{
	char buf[4096];
	long got;
	while ((got = runner_child_read(ch, buf, sizeof buf)) > 0) {
		kb_buf_add(partial, buf, (size_t)got);
		char *nl;
		while (partial->data && (nl = memchr(partial->data, '\n', partial->len))) {
			*nl = '\0';
			char *line = partial->data;
			char *cr = strrchr(line, '\r');
			fn(ui, cr ? cr + 1 : line);
			size_t rest = partial->len - (size_t)(nl + 1 - partial->data);
			memmove(partial->data, nl + 1, rest);
			partial->len = rest;
			partial->data[rest] = '\0';
		}
	}
}

static void poll_setup(struct ui *ui)
{
	if (ui->setup.pid > 0) {
		read_lines(&ui->setup, &ui->setup_out, setup_line, ui);
		int code;
		if (runner_child_reap(&ui->setup, &code)) {
			read_lines(&ui->setup, &ui->setup_out, setup_line, ui);
			runner_child_stop(&ui->setup, 0);
			setup_ws_done(ui);
			refresh_status(ui);
			if (ui->st.ready) {
				ui->kernel = UI_KERNEL_READY;
				ui_message(ui, UI_PASS, "%s", _("The course kernel is ready: every task can be checked now."));
			} else if (strstr(ui->setup_error, "in use") || strstr(ui->setup_error, "lock")) {
				ui->kernel = UI_KERNEL_WAITING;
			} else {
				ui->kernel = UI_KERNEL_FAILED;
				if (!*ui->setup_error)
					snprintf(ui->setup_error, sizeof ui->setup_error, _("exit status %d"), code);
			}
		}
	} else if (ui->kernel == UI_KERNEL_WAITING && kb_now() - ui->status_at > 2) {
		refresh_status(ui);
	}
}

/* ---- the workspace, made in the background ------------------------------------------------ */

static void ws_line(struct ui *ui, const char *line)
{
	if (*line)
		snprintf(ui->ws_what, sizeof ui->ws_what, "%s", line);
}

/* Take the progress the workspace's file holds and add what was done in memory before
 * the workspace existed (hints, time, steps). */
static void merge_progress(struct ui *ui)
{
	struct kb_progress disk;
	if (kb_progress_load(&disk, ui->c->progress_path) < 0)
		return;
	struct kb_progress *mem = &ui->c->progress;
	for (size_t i = 0; i < mem->n; i++) {
		const struct kb_lesson_progress *m = &mem->lessons[i];
		struct kb_lesson_progress *d = kb_progress_lesson(&disk, m->id);
		d->hints = d->hints > m->hints ? d->hints : m->hints;
		d->seconds += m->seconds;
		d->solution_revealed |= m->solution_revealed;
		d->step = m->step;
	}
	if (mem->current && !disk.current)
		disk.current = kb_strdup(mem->current);
	kb_progress_free(mem);
	*mem = disk;
}

/* The workspace was made (code 0) or not: open it, and say which. */
static void ws_made(struct ui *ui, int code)
{
	if (code == 0 && kb_ws_open(&ui->c->ws, ui->c->ws_root, true) == 0) {
		merge_progress(ui);
		if (ui_save(ui) == 0)
			ui_message(ui, UI_PASS, _("Your workspace is ready: %s"), kb_ws_tree(ui->c->ws));
	} else {
		ui_message(ui, UI_FAIL, _("The workspace could not be made: %s"), code == 0 ? kb_error_last() : ui->ws_what);
	}
	ui->ws_what[0] = '\0';
}

static void ws_done(struct ui *ui, int code)
{
	runner_child_stop(&ui->ws_child, 0);
	ws_made(ui, code);
}

static void poll_ws(struct ui *ui)
{
	if (ui->ws_child.pid <= 0)
		return;
	read_lines(&ui->ws_child, &ui->ws_out, ws_line, ui);
	int code;
	if (runner_child_reap(&ui->ws_child, &code)) {
		read_lines(&ui->ws_child, &ui->ws_out, ws_line, ui);
		ws_done(ui, code);
	}
}

int ui_ensure_started(struct ui *ui)
{
	struct kb_course *c = ui->c;
	struct kb_lesson *l = ui_lesson(ui);
	if (!l || l->error)
		return kb_error_set(KB_ELESSON, "%s", l && l->error ? l->error : "no lesson");
	if (c->ws) {
		int rc = kb_course_start(c, l);
		return rc < 0 ? rc : 0;
	}
	if (ui->ws_child.pid > 0)
		return 1;
	if (!ui->have_home || ui->st.state[KB_STEP_IMPORT] != KB_STEP_DONE)
		return 1;   /* the bundled tree is not there yet: the setup makes it */
	if (ui->setup_ws && ui->setup.pid > 0) {
		/* the setup clones it alongside the kernel build */
		snprintf(ui->ws_what, sizeof ui->ws_what, "%s", _("cloning the kernel tree alongside the kernel build"));
		return 1;
	}
	/* the clone takes 20 s to a minute (17-50 s measured on 2 cores): a child does it while
	   the shell goes on */
	char *exe = self_exe();
	char *argv[] = {exe, "start", l->id, "--pack", c->pack_dir, "--workspace", c->ws_root, NULL};
	snprintf(ui->ws_what, sizeof ui->ws_what, "%s", _("cloning the kernel tree"));
	int rc = runner_spawn(&ui->ws_child, argv, NULL);
	free(exe);
	if (rc < 0)
		return rc;
	if (ui->replay) {
		/* replayed keys wait for it: the screens stay the same from run to run */
		int code = -1;
		while (!runner_child_reap(&ui->ws_child, &code)) {
			read_lines(&ui->ws_child, &ui->ws_out, ws_line, ui);
			poll(NULL, 0, 50);
		}
		read_lines(&ui->ws_child, &ui->ws_out, ws_line, ui);
		ws_done(ui, code);
		return c->ws ? kb_course_start(c, l) < 0 ? -1 : 0 : 1;
	}
	return 1;
}

/* ---- editing and watching ------------------------------------------------------------------ */

int ui_edit(struct ui *ui, const char *path)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	char *found = NULL;
	if (!ed || !*ed) {
		found = kb_which("vi");
		if (!found)
			found = kb_which("nano");
		if (!found) {
			ui_message(ui, UI_FAIL, "%s", _("No editor: set $EDITOR (e.g. export EDITOR=nano)"));
			return KB_ENOTFOUND;
		}
		ed = found;
	}
	char *script = kb_asprintf("exec %s \"$1\"", ed);
	char *argv[] = {"/bin/sh", "-c", script, "sh", (char *)path, NULL};
	struct kb_exec_opts o = {.argv = argv, .interactive = !ui->replay,
				 .stdin_fd = ui->replay ? KB_STDIN_NULL : KB_STDIN_INHERIT};
	if (!ui->replay) {
		def_prog_mode();
		endwin();
	}
	struct kb_exec_result r;
	int rc = runner_exec(&r, &o);
	if (!ui->replay) {
		reset_prog_mode();
		clearok(curscr, TRUE);
	}
	if (rc == 0 && r.exit_code != 0)
		ui_message(ui, UI_WARN, _("The editor (%s) ended with status %d"), ed, r.exit_code);
	else if (rc < 0)
		ui_message(ui, UI_FAIL, _("Cannot run the editor %s: %s"), ed, kb_error_last());
	runner_exec_result_free(&r);
	if (kb_interrupted == SIGINT)
		kb_interrupted = 0;   /* a Ctrl-C typed in the editor was the editor's */
	free(script);
	free(found);
	return rc;
}

struct watch_entry {
	int wd;
	char *name;
};
static struct watch_entry *watches;
static size_t n_watches;

void ui_watch_task(struct ui *ui, const struct kb_task *t)
{
	if (ui->watch_fd >= 0)
		close(ui->watch_fd);
	ui->watch_fd = -1;
	for (size_t i = 0; i < n_watches; i++)
		free(watches[i].name);
	free(watches);
	watches = NULL;
	n_watches = 0;
	free(ui->watch_task);
	ui->watch_task = NULL;
	ui->watch_due = 0;
	if (!t || !ui->c->ws || !ui->watch_on)
		return;
	ui->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ui->watch_fd < 0)
		return;
	watches = kb_calloc(t->n_files ? t->n_files : 1, sizeof *watches);
	for (size_t f = 0; f < t->n_files; f++) {
		char *full = kb_path_join(kb_ws_tree(ui->c->ws), t->files[f].path);
		char *slash = strrchr(full, '/');
		*slash = '\0';
		/* editors save by writing in place or by renaming a new file over the old one */
		int wd = inotify_add_watch(ui->watch_fd, full, IN_CLOSE_WRITE | IN_MOVED_TO);
		if (wd >= 0) {
			watches[n_watches].wd = wd;
			watches[n_watches++].name = kb_strdup(slash + 1);
		}
		free(full);
	}
	ui->watch_task = kb_asprintf("%s/%s", ui_lesson(ui)->id, t->id);
}

/* Read the watch; a save of a watched file schedules a check 300 ms later (an editor's
 * save is several events: they become one check). */
static void poll_watch(struct ui *ui)
{
	if (ui->watch_fd < 0)
		return;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t got;
	while ((got = read(ui->watch_fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + got;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			for (size_t i = 0; i < n_watches; i++)
				if (ev->wd == watches[i].wd && ev->len && strcmp(ev->name, watches[i].name) == 0)
					ui->watch_due = kb_now() + 0.3;
			p += sizeof *ev + ev->len;
		}
	}
}

/* ---- drawing ------------------------------------------------------------------------------- */

static size_t passed_count(struct ui *ui)
{
	size_t n = 0;
	for (size_t i = 0; i < ui->c->pack.n_lessons; i++) {
		const struct kb_lesson_progress *p = kb_progress_find(&ui->c->progress, ui->c->pack.lessons[i].id);
		n += p && p->passed;
	}
	return n;
}

static void draw_title(struct ui *ui)
{
	attrset(ui_attr(UI_TITLE));
	mvhline(0, 0, ' ', COLS);
	const struct kb_pack *p = &ui->c->pack;
	char left[256];
	snprintf(left, sizeof left, " kbridge \u2502 %s", p->title ? p->title : p->name ? p->name : "");
	ui_put(0, 0, COLS - 24, left, UI_TITLE);
	char right[64];
	if (*ui->save_error)
		snprintf(right, sizeof right, "%s", _(" progress NOT saved "));
	else
		snprintf(right, sizeof right, _("%zu of %zu passed "), passed_count(ui), p->n_lessons);
	ui_put(0, COLS - ui_text_width(right, strlen(right)), 24, right, *ui->save_error ? UI_FAIL : UI_TITLE);
	attrset(A_NORMAL);
}

static void draw_status(struct ui *ui)
{
	int y = LINES - 1;
	attrset(ui_attr(UI_BAR));
	mvhline(y, 0, ' ', COLS);
	/* the kernel's state on the right */
	char k[128];
	int kw;
	if (ui->kernel == UI_KERNEL_SETUP) {
		snprintf(k, sizeof k, _(" kernel %3d%% "), (int)(ui->setup_frac * 100));
		kw = ui_text_width(k, strlen(k)) + 12;
		ui_put(y, COLS - kw, kw, k, UI_BAR);
		ui_draw_bar(y, COLS - 12, 10, ui->setup_frac, UI_BAR_KEY);
	} else {
		snprintf(k, sizeof k, " %s ", ui->kernel == UI_KERNEL_READY ? (ui->utf8 ? _("kernel ✓") : _("kernel ready")) :
					      ui->kernel == UI_KERNEL_WAITING ? _("kernel: setup elsewhere") :
					      ui->kernel == UI_KERNEL_MISSING ? _("kernel: not set up") :
					      _("kernel: setup failed"));
		kw = ui_text_width(k, strlen(k));
		ui_put(y, COLS - kw, kw, k, ui->kernel == UI_KERNEL_FAILED ? UI_FAIL : UI_BAR);
	}
	int room = COLS - kw - 1;
	if (*ui->msg) {
		attrset(ui_attr(UI_BAR));
		ui_put(y, 1, room, ui->msg, ui->msg_style == UI_FAIL ? UI_FAIL : UI_BAR);
		return;
	}
	/* the screen's keys, as many as fit whole (widths in columns: a Chinese label is two
	   per character), then help and quit or back, which always fit */
	const struct ui_screen *s = top(ui);
	const char *help = _("help"), *leave = s == &ui_timeline_screen ? _("quit") : _("back");
	int tail = 1 + 1 + ui_text_width(help, strlen(help)) + 2 + 1 + 1 + ui_text_width(leave, strlen(leave));
	int x = 1;
	for (size_t i = 0; s && i < s->n_keys; i++) {
		const struct ui_key *key = &s->keys[i];
		if (!key->label)
			continue;
		const char *label = _(key->label);
		int need = ui_text_width(key->name, strlen(key->name)) + 1 + ui_text_width(label, strlen(label)) + 2;
		if (x + need + tail + 2 > room)   /* two columns to spare before the kernel's state */
			break;
		x += ui_put(y, x, room - x, key->name, UI_BAR_KEY);
		x += ui_put(y, x, room - x, " ", UI_BAR);
		x += ui_put(y, x, room - x, label, UI_BAR);
		x += ui_put(y, x, room - x, "  ", UI_BAR);
	}
	x += ui_put(y, x, room - x, "?", UI_BAR_KEY);
	x += ui_put(y, x, room - x, " ", UI_BAR);
	x += ui_put(y, x, room - x, help, UI_BAR);
	x += ui_put(y, x, room - x, "  ", UI_BAR);
	x += ui_put(y, x, room - x, "q", UI_BAR_KEY);
	x += ui_put(y, x, room - x, " ", UI_BAR);
	ui_put(y, x, room - x, leave, UI_BAR);
}

static bool too_small(void)
{
	return COLS < 80 || LINES < 24;
}

void ui_redraw(struct ui *ui)
{
	erase();
	if (too_small()) {
		char a[96], b[96];
		snprintf(a, sizeof a, "%s", _("kbridge needs a terminal of at least 80×24."));
		snprintf(b, sizeof b, _("This one is %d×%d: make it larger, or press q to quit."), COLS, LINES);
		int y = LINES / 2 - 1;
		ui_put(y < 0 ? 0 : y, 1, COLS - 2, a, UI_WARN);
		ui_put(y + 1 < LINES ? y + 1 : 0, 1, COLS - 2, b, UI_NORMAL);
	} else {
		draw_title(ui);
		const struct ui_screen *s = top(ui);
		if (s)
			s->draw(ui, 1, LINES - 2);
		draw_status(ui);
	}
	wnoutrefresh(stdscr);
	doupdate();
	if (!ui->first_frame)
		ui->first_frame = kb_now();
}

/* ---- keys ---------------------------------------------------------------------------------- */

static bool handle_key(struct ui *ui, int key)
{
	if (key == KEY_RESIZE)
		return true;
	ui->msg[0] = '\0';
	if (key == 12) {   /* Ctrl-L */
		clearok(curscr, TRUE);
		return true;
	}
	if (too_small()) {
		if (key == 'q' || key == 'Q')
			ui->quit = true;
		return true;
	}
	const struct ui_screen *s = top(ui);
	if (s && s->key(ui, key))
		return true;
	switch (key) {
	case '?':
		if (s != &ui_help_screen)
			ui_push(ui, &ui_help_screen);
		return true;
	case 'q':
	case 27:
		ui_pop(ui);
		return true;
	case 'Q':
		ui->quit = true;
		return true;
	}
	return false;
}

static void tick(struct ui *ui)
{
	poll_setup(ui);
	poll_ws(ui);
	poll_watch(ui);
	/* a replay acts on a save only at its <watch> key: the screens stay the same */
	if (ui->watch_due && kb_now() >= ui->watch_due && (!ui->replay || ui->watch_due < 0 || ui->watch_due <= 1)) {
		ui->watch_due = 0;
		const struct ui_screen *s = top(ui);
		if (s && (s == &ui_task_screen || s == &ui_check_screen))
			s->key(ui, UI_KEY_WATCH);
	}
	static double last_save;
	if (!ui->replay && in_lesson(ui) && kb_now() - last_save > 60) {
		last_save = kb_now();
		count_time(ui, true);
	}
}

void ui_pump(struct ui *ui)
{
	poll_setup(ui);
	poll_ws(ui);
	if (!ui->replay) {
		int key;
		while ((key = getch()) != ERR) {
			ui->last_input = ui_now(ui);
			if (key != KEY_RESIZE)
				ui_check_screen.key(ui, key);
		}
	}
	ui_redraw(ui);
}

/* A resize whose SIGWINCH curses missed (it came while the shell was busy): ask the
 * terminal its size every tick and follow it. */
static bool size_changed(void)
{
	struct winsize ws;
	if (ioctl(1, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return false;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return false;
	resizeterm(ws.ws_row, ws.ws_col);
	return true;
}

/* ---- replay ---------------------------------------------------------------------------------- */

enum { REPLAY_DUMP = -100, REPLAY_RESIZE = -101, REPLAY_WATCH = -102, REPLAY_END = -103 };

struct replay {
	const char *p;
	bool line_start;
	int w, h;
	FILE *dump;
	int n_dumps;
};

static const struct { const char *name; int key; } key_names[] = {
	{"Enter", '\n'}, {"Esc", 27}, {"Up", KEY_UP}, {"Down", KEY_DOWN}, {"Left", KEY_LEFT},
	{"Right", KEY_RIGHT}, {"PgDn", KEY_NPAGE}, {"PgUp", KEY_PPAGE}, {"Home", KEY_HOME},
	{"End", KEY_END}, {"Space", ' '}, {"Tab", '\t'}, {"C-l", 12}, {"lt", '<'},
	{"dump", REPLAY_DUMP}, {"watch", REPLAY_WATCH},
};

static int replay_next(struct replay *r)
{
	for (;;) {
		if (!*r->p)
			return REPLAY_END;
		if (*r->p == '\n') {
			r->p++;
			r->line_start = true;
			continue;
		}
		if (*r->p == '#' && r->line_start) {   /* a comment line in a key file */
			const char *nl = strchr(r->p, '\n');
			r->p = nl ? nl : r->p + strlen(r->p);
			continue;
		}
		break;
	}
	r->line_start = false;
	if (*r->p == '<') {
		const char *end = strchr(r->p, '>');
		if (end) {
			size_t n = (size_t)(end - r->p - 1);
			const char *name = r->p + 1;
			r->p = end + 1;
			if (n > 7 && strncmp(name, "resize ", 7) == 0) {
				sscanf(name + 7, "%dx%d", &r->w, &r->h);
				return REPLAY_RESIZE;
			}
			for (size_t i = 0; i < sizeof key_names / sizeof *key_names; i++)
				if (strlen(key_names[i].name) == n && strncmp(key_names[i].name, name, n) == 0)
					return key_names[i].key;
			kb_die("replay: unknown key <%.*s>", (int)n, name);
		}
	}
	/* one UTF-8 character: keys are ASCII in practice */
	return (unsigned char)*r->p++;
}

static void dump_screen(struct ui *ui, struct replay *r)
{
	if (!r->dump)
		return;
	r->n_dumps++;
	fprintf(r->dump, "=== screen %d (%dx%d)\n", r->n_dumps, COLS, LINES);
	wchar_t *wbuf = kb_calloc((size_t)COLS + 1, sizeof *wbuf);
	for (int y = 0; y < LINES; y++) {
		int n = mvinnwstr(y, 0, wbuf, COLS);
		if (n < 0)
			n = 0;
		wbuf[n] = L'\0';
		char out[4096];
		size_t len = wcstombs(out, wbuf, sizeof out - 1);
		if (len == (size_t)-1)
			len = 0;
		out[len] = '\0';
		while (len && out[len - 1] == ' ')
			out[--len] = '\0';
		fprintf(r->dump, "%s\n", out);
	}
	free(wbuf);
	fflush(r->dump);
}

/* ---- the terminal ----------------------------------------------------------------------------- */

static void restore_terminal(void)
{
	if (curses_on) {
		curses_on = false;
		endwin();
	}
}

/* What the crash handler writes and sets to give the terminal back. A signal handler may
 * not call endwin() (it is not async-signal-safe), so both are made ready beforehand and
 * the handler only calls write(2) and tcsetattr(3), which are. */
static char crash_reset[512];
static size_t crash_reset_len;
static struct termios crash_termios;
static bool crash_have_termios;
static char crash_msg[256];
static size_t crash_msg_len;

static void crash_prepare(void)
{
	/* the terminal's own sequences: attributes off, the cursor shown, keypad mode and the
	   alternate screen left (terminfo, loaded by initscr) */
	static const char *const caps[] = {"sgr0", "cnorm", "rmkx", "rmcup"};
	/* the message in the learner's language, looked up now: the handler may only write it */
	snprintf(crash_msg, sizeof crash_msg, "%s",
		 _("\nkbridge: the shell crashed; the terminal was restored. Please report it.\n"));
	crash_msg_len = strlen(crash_msg);
	crash_reset_len = 0;
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		const char *seq = tigetstr(caps[i]);
		if (!seq || seq == (const char *)-1)
			continue;
		size_t n = strlen(seq);
		if (crash_reset_len + n < sizeof crash_reset) {
			memcpy(crash_reset + crash_reset_len, seq, n);
			crash_reset_len += n;
		}
	}
	/* the line discipline as it is before cbreak()/noecho()/nonl() change it */
	crash_have_termios = tcgetattr(0, &crash_termios) == 0;
}

static void on_crash(int sig)
{
	if (curses_on) {
		if (crash_reset_len && write(1, crash_reset, crash_reset_len) < 0)
			(void)0;
		if (crash_have_termios)
			tcsetattr(0, TCSANOW, &crash_termios);
	}
	if (write(2, crash_msg, crash_msg_len) < 0)
		(void)0;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Call after initscr() and before cbreak(). */
static void install_crash_handlers(void)
{
	crash_prepare();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
}

/* The shell's state before any screen: the options, the course (pack, workspace,
 * progress) and the course kernel's state, a setup started in the background when it is
 * missing. Returns 0, or the exit status when the shell cannot run. */
static int shell_open(struct ui *ui, struct kb_course *course, const struct ui_opts *opts, char **keys)
{
	kb_intl_use(kb_i18n_lang());
	memset(ui, 0, sizeof *ui);
	ui->started = kb_now();
	ui->watch_fd = -1;
	ui->watch_on = true;
	ui->replay = opts->replay != NULL;
	ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	const char *no_color = getenv("NO_COLOR");
	ui->color = !(no_color && *no_color);
	if (!ui->replay && (!isatty(0) || !isatty(1))) {
		fprintf(stderr, "%s", _("kbridge shell: needs a terminal (for scripts: kbridge list, kbridge check)\n"));
		return 2;
	}
	*keys = NULL;
	if (opts->replay) {
		if (opts->replay[0] == '@') {
			size_t n;
			if (kb_read_file(keys, &n, opts->replay + 1) < 0)
				kb_die("%s", kb_error_last());
		} else {
			*keys = kb_strdup(opts->replay);
		}
	}
	if (opts->timing && !(ui->timing = fopen(opts->timing, "w")))
		kb_die("cannot write %s", opts->timing);

	struct kb_course_opts co = {.pack_dir = opts->pack, .ws_root = opts->workspace};
	int rc = kb_course_open(course, &co);
	course->counts_time_itself = true;
	if (rc < 0) {
		if (rc == KB_ELOCKED)
			fprintf(stderr, _("kbridge: %s.\nOnly one kbridge window can use a workspace at a time.\n"),
				kb_error_last());
		else
			fprintf(stderr, "kbridge: %s\n", kb_error_last());
		kb_course_close(course);
		free(*keys);
		*keys = NULL;
		if (ui->timing)
			fclose(ui->timing);
		return 1;
	}
	ui->c = course;
	ui->have_home = kb_home_init(&ui->home) == 0;
	ui->kernel = UI_KERNEL_WAITING;
	if (ui->have_home) {
		refresh_status(ui);
		if (!ui->st.ready && !ui->replay)
			start_setup(ui);
		else if (!ui->st.ready)
			ui->kernel = UI_KERNEL_MISSING;
	} else {
		ui->kernel = UI_KERNEL_FAILED;
		snprintf(ui->setup_error, sizeof ui->setup_error, "%s", kb_error_last());
	}
	return 0;
}

/* The terminal: a real one, or for replays a dumb pair of files with the screen dumped
 * to rp->dump. Curses set up for the shell (keys unbuffered, no echo, 100 ms reads). */
struct shell_term {
	SCREEN *scr;
	FILE *rin, *rout;
};

static void terminal_setup(struct ui *ui, struct shell_term *t, struct replay *rp, const char *dump_path)
{
	memset(t, 0, sizeof *t);
	if (ui->replay) {
		t->rin = fopen("/dev/null", "r");
		t->rout = fopen("/dev/null", "w");
		const char *term = getenv("TERM");
		t->scr = newterm(term && *term ? term : "xterm", t->rout, t->rin);
		if (!t->scr)
			kb_die("replay: newterm failed for TERM=%s", term ? term : "");
		set_term(t->scr);
		if (dump_path && !(rp->dump = fopen(dump_path, "w")))
			kb_die("cannot write %s", dump_path);
	} else {
		initscr();
	}
	the_ui = ui;
	curses_on = true;
	install_crash_handlers();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	timeout(100);
	styles_init(ui);
}

/* A replay's <watch>: wait (up to 10 s) for a save of a watched file, then act on it now. */
static void replay_watch(struct ui *ui)
{
	double until = kb_now() + 10;
	while (!ui->watch_due && kb_now() < until && ui->watch_fd >= 0) {
		struct pollfd pfd = {.fd = ui->watch_fd, .events = POLLIN};
		poll(&pfd, 1, 100);
		poll_watch(ui);
	}
	if (ui->watch_due)
		ui->watch_due = 1;   /* due now */
}

/* The next key for the loop: from the replay script or the terminal. ERR when there is
 * none (the loop ticks and redraws), REPLAY_END to stop. Replay commands other than keys
 * are done here. */
static int next_key(struct ui *ui, struct replay *rp)
{
	if (!ui->replay) {
		int key = getch();
		if (key == ERR && size_changed())
			key = KEY_RESIZE;
		return key;
	}
	int key = replay_next(rp);
	switch (key) {
	case REPLAY_DUMP:
		dump_screen(ui, rp);
		return REPLAY_DUMP;
	case REPLAY_RESIZE:
		resizeterm(rp->h, rp->w);
		return KEY_RESIZE;
	case REPLAY_WATCH:
		replay_watch(ui);
		return ERR;
	}
	return key;
}

/* The event loop: a key at a time until the learner quits, a signal arrives or the
 * replay ends. */
static void event_loop(struct ui *ui, struct replay *rp)
{
	ui_push(ui, &ui_timeline_screen);
	ui->last_input = ui_now(ui);
	ui_redraw(ui);
	if (ui->timing)
		fprintf(ui->timing, "first_frame %.6f %.6f\n", ui->first_frame, ui->first_frame - ui->started);
	while (!ui->quit && kb_interrupted <= 0) {   /* SIGINT, SIGTERM, SIGHUP: leave cleanly */
		int key = next_key(ui, rp);
		if (key == REPLAY_END)
			break;
		if (key == REPLAY_DUMP)
			continue;
		if (key == ERR) {
			tick(ui);
			ui_redraw(ui);
			continue;
		}
		double t0 = kb_now();
		ui->last_input = ui_now(ui);
		handle_key(ui, key);
		if (!ui->quit)
			tick(ui);
		ui_redraw(ui);
		if (ui->timing)
			fprintf(ui->timing, "key %d %.6f\n", key, kb_now() - t0);
	}
	if (rp->dump && rp->n_dumps == 0)
		dump_screen(ui, rp);
}

/* Save the progress a last time, give the terminal back, stop the background children,
 * free everything. Returns the shell's exit status. */
static int shell_close(struct ui *ui, struct shell_term *t, struct replay *rp, char *keys)
{
	count_time(ui, false);
	int saved = kb_course_save(ui->c);
	char *save_error = saved < 0 ? kb_strdup(kb_error_last()) : NULL;
	ui_watch_task(ui, NULL);
	restore_terminal();
	if (t->scr)
		delscreen(t->scr);
	if (t->rin)
		fclose(t->rin);
	if (t->rout)
		fclose(t->rout);
	if (rp->dump)
		fclose(rp->dump);
	if (ui->timing)
		fclose(ui->timing);
	if (ui->setup.pid > 0)
		runner_child_stop(&ui->setup, 5);
	if (ui->ws_child.pid > 0)
		runner_child_stop(&ui->ws_child, 5);
	kb_buf_free(&ui->setup_out);
	kb_buf_free(&ui->ws_out);
	ui_check_free(ui);
	if (ui->have_home)
		kb_home_free(&ui->home);
	kb_course_close(ui->c);
	free(keys);
	int sig = kb_interrupted;
	if (save_error) {
		/* the files in the workspace are the learner's work and stay; only the record of
		   attempts, hints and time is lost */
		fprintf(stderr, _("kbridge: your progress could not be saved: %s\n"
				  "Your files in the workspace are kept; fix the cause and the next save "
				  "records what it can.\n"), save_error);
		free(save_error);
		return sig > 0 ? 128 + sig : 1;
	}
	if (sig > 0) {
		fprintf(stderr, _("kbridge: %s; your progress is saved.\n"), strsignal(sig));
		return 128 + sig;
	}
	return 0;
}

int ui_main(const struct ui_opts *opts)
{
	struct ui ui;
	struct kb_course course;
	char *keys = NULL;
	int rc = shell_open(&ui, &course, opts, &keys);
	if (rc)
		return rc;
	struct shell_term term;
	struct replay rp = {.p = keys, .line_start = true};
	terminal_setup(&ui, &term, &rp, opts->dump);
	event_loop(&ui, &rp);
	return shell_close(&ui, &term, &rp, keys);
}

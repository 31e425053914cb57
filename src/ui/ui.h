/* ui.h - the ncurses shell: the shared state, the screen ops table, styled documents.
 *
 * The shell is a stack of screens. Each screen is one file (ui_timeline.c, ui_lesson.c,
 * ui_quiz.c, ui_task.c, ui_check.c, ui_diff.c, ui_help.c) holding an ops table: open,
 * draw, key, and a key table that the status bar and the help screen are made from (one
 * list: no drift between what a key does and what the help says). ui.c owns the loop,
 * the terminal, the status bar, the background kernel setup, the file watch and the
 * replay of key scripts for the tests. Only ui* files include curses.
 */
#ifndef KB_UI_H
#define KB_UI_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "engine/check.h"
#include "engine/course.h"
#include "sys/runner.h"

/* Styles: one table, each with its color and its look without color (NO_COLOR). */
#define UI_STYLES(X)                                                     \
	X(UI_NORMAL, -1, -1, 0)                                          \
	X(UI_TITLE, COLOR_BLACK, COLOR_CYAN, A_BOLD)                     \
	X(UI_BAR, COLOR_BLACK, COLOR_WHITE, A_REVERSE)                   \
	X(UI_BAR_KEY, COLOR_BLUE, COLOR_WHITE, A_REVERSE | A_BOLD)       \
	X(UI_H1, COLOR_CYAN, -1, A_BOLD | A_UNDERLINE)                   \
	X(UI_H2, COLOR_CYAN, -1, A_BOLD)                                 \
	X(UI_EMPH, -1, -1, A_UNDERLINE)                                  \
	X(UI_STRONG, -1, -1, A_BOLD)                                     \
	X(UI_CODE, COLOR_YELLOW, -1, 0)                                  \
	X(UI_LINK, COLOR_BLUE, -1, A_UNDERLINE)                          \
	X(UI_QUOTE, COLOR_MAGENTA, -1, 0)                                \
	X(UI_KEYWORD, COLOR_MAGENTA, -1, A_BOLD)                         \
	X(UI_STRING, COLOR_GREEN, -1, 0)                                 \
	X(UI_COMMENT, COLOR_BLUE, -1, A_DIM)                             \
	X(UI_NUMBER, COLOR_RED, -1, 0)                                   \
	X(UI_MACRO, COLOR_CYAN, -1, 0)                                   \
	X(UI_PASS, COLOR_GREEN, -1, A_BOLD)                              \
	X(UI_FAIL, COLOR_RED, -1, A_BOLD)                                \
	X(UI_WARN, COLOR_YELLOW, -1, A_BOLD)                             \
	X(UI_DIM, -1, -1, A_DIM)                                         \
	X(UI_SELECT, COLOR_BLACK, COLOR_CYAN, A_REVERSE)                 \
	X(UI_ADD, COLOR_GREEN, -1, 0)                                    \
	X(UI_DEL, COLOR_RED, -1, 0)                                      \
	X(UI_HUNK, COLOR_CYAN, -1, 0)

enum ui_style {
#define UI_STYLE_ENUM(name, fg, bg, mono) name,
	UI_STYLES(UI_STYLE_ENUM)
#undef UI_STYLE_ENUM
	UI_STYLE_COUNT
};

/* ---- styled documents: lines of UTF-8 text with a style per byte ------------------- */

struct ui_line {
	char *text;
	unsigned char *style;   /* one enum ui_style per byte of text */
	size_t len;
};

struct ui_doc {
	struct ui_line *lines;
	size_t n, cap;
};

/* Append a line of text in one style. */
void ui_doc_add(struct ui_doc *d, const char *text, enum ui_style s);
/* Append styled bytes as one line. */
void ui_doc_add_styled(struct ui_doc *d, const char *text, const unsigned char *style, size_t len);
/* Append text word-wrapped to width columns; every line starts with indent (in style s).
 * Newlines in text are hard breaks. */
void ui_doc_wrap(struct ui_doc *d, const char *text, enum ui_style s, int width, const char *indent);
/* Append one line of text (a log line, a check's expectation) as lines of at most width
 * columns: a line too long goes on under itself, each part after the first starting with
 * cont (a mark that it goes on), so nothing is cut off without a sign. A part ends at a
 * break between words (a space, or where Chinese text may break: ui_break_between) when
 * there is one in its second half, so a Latin word or a number stays whole; else where
 * the line ends (a path longer than the line). */
void ui_doc_add_long(struct ui_doc *d, const char *text, enum ui_style s, int width, const char *cont);
/* True when a wrapped line may break between the characters (code points) before and
 * after, though no space is there: beside a CJK character (ideographs, kana, Hangul,
 * fullwidth forms), unless after is punctuation that never starts a line (，。：；、）」
 * ！？ and , . ; : ! ? ) ] }) or before one that never ends it (（「『【《 and ( [ {).
 * Spaces are break opportunities of their own: false for them. */
bool ui_break_between(unsigned before, unsigned after);
void ui_doc_free(struct ui_doc *d);

/* Render Markdown (CommonMark with GitHub tables) into d for a screen width columns wide:
 * headings, emphasis, lists, links, block quotes, tables, and code blocks whose Rust and
 * C keywords, strings, comments and numbers are styled. Returns 0 or KB_EINVAL when md4c
 * refuses the text. */
int ui_md_render(struct ui_doc *d, const char *md, size_t len, int width);

/* Style one line of source code (lang: "rust", "c", ...; others get strings, numbers and
 * comments only). *in_comment carries a block comment across lines. */
void ui_code_style(const char *lang, const char *text, size_t len, unsigned char *style, bool *in_comment);

/* The display width of UTF-8 text (columns). */
int ui_text_width(const char *s, size_t len);
/* text padded with spaces to width columns (display width, not bytes: a Chinese character
 * is two); a new string. Text wider than width comes back whole. */
char *ui_padded(const char *text, int width);

/* ---- drawing -------------------------------------------------------------------------- */

/* Draw UTF-8 text at (y, x) in style s, clipped to max columns; returns columns used.
 * Text wider than max (its trailing spaces aside) ends with a mark ('›', '>' without
 * UTF-8) in its last column: nothing is cut off without a sign. */
int ui_put(int y, int x, int max, const char *text, enum ui_style s);
/* Draw styled bytes at (y, x), clipped to max columns as ui_put; returns columns used. */
int ui_put_styled(int y, int x, int max, const char *text, const unsigned char *style, size_t len);
/* Draw lines [scroll, scroll + height) of d from row top; returns the scroll clamped to
 * what d holds. */
int ui_draw_doc(const struct ui_doc *d, int top, int height, int scroll);
/* Clamp a scroll position for a document of n lines in height rows. */
int ui_clamp_scroll(int scroll, size_t n, int height);
/* A progress bar of width cells for fraction [0,1] (UTF-8 blocks, or # and - without
 * UTF-8) at (y, x). */
void ui_draw_bar(int y, int x, int width, double fraction, enum ui_style s);
/* A horizontal rule across the screen at row y (dim). */
void ui_hline(int y);
/* The curses attribute of a style (color pair unless NO_COLOR). */
int ui_attr(enum ui_style s);

/* ---- screens ------------------------------------------------------------------------ */

struct ui;

/* A key of a screen: what the status bar shows (label, or NULL for help only) and what
 * the help screen says. */
struct ui_key {
	int key;              /* a curses key code or a character */
	const char *name;     /* "Enter", "j/↓", ... */
	const char *label;    /* short, for the status bar; NULL: help only */
	const char *help;
};

struct ui_screen {
	const char *name;     /* "timeline", "lesson", ... */
	void (*open)(struct ui *ui);
	void (*draw)(struct ui *ui, int top, int height);   /* the rows between the bars */
	bool (*key)(struct ui *ui, int key);                /* true when handled */
	const struct ui_key *keys;
	size_t n_keys;
};

extern const struct ui_screen ui_timeline_screen, ui_lesson_screen, ui_quiz_screen, ui_task_screen,
	ui_check_screen, ui_diff_screen, ui_help_screen;

/* A key code the shell makes for itself: the watch saw a watched file saved. */
#define UI_KEY_WATCH (KEY_MAX + 1)

/* The state of the background kernel setup. */
enum ui_kernel { UI_KERNEL_READY, UI_KERNEL_SETUP, UI_KERNEL_WAITING, UI_KERNEL_FAILED,
		 UI_KERNEL_MISSING /* not set up, and no setup started (replays) */ };

struct ui_check_view;   /* ui_check.c */

struct ui {
	struct kb_course *c;
	bool color, utf8;
	bool replay;                  /* keys from a script, clock frozen */
	const struct ui_screen *stack[8];
	int depth;
	size_t lesson, step;          /* the lesson and step the lesson screens show */
	char msg[256];                /* a message in the status bar until the next key */
	enum ui_style msg_style;
	char save_error[256];         /* why the last save of the progress failed; "" when it
					 worked. Shown in the title bar until a save works */
	bool quit;
	/* the course kernel */
	struct kb_home home;
	bool have_home;
	struct kb_setup_status st;
	enum ui_kernel kernel;
	struct kb_child setup;        /* the background `kbridge setup` */
	double setup_frac;            /* overall, [0,1] */
	char setup_what[96];          /* "build 40% CC kernel/fork.o" */
	char setup_error[200];
	struct kb_buf setup_out;      /* partial line */
	bool setup_ws;                /* the setup makes the workspace alongside its build and has
					 not said how it went */
	double status_at;
	/* workspace creation in the background (`kbridge start ID`) */
	struct kb_child ws_child;
	char ws_what[96];
	struct kb_buf ws_out;
	/* the last check of each task: ui_check.c */
	struct ui_check_view *check;
	/* watch mode */
	int watch_fd;
	bool watch_on;
	double watch_due;             /* run the check at this time; 0: nothing pending */
	char *watch_task;             /* "lesson/task" being watched */
	/* time spent in the open lesson */
	double lesson_clock;          /* when time was last added */
	double last_input;
	/* replay and measurements */
	double started;               /* kb_now() at start */
	double first_frame;           /* kb_now() when the first frame was on the screen */
	FILE *timing;                 /* --timing: one line per frame */
};

/* The shell's clock: kb_now(), or a fixed time when replaying (dumps stay stable). */
double ui_now(const struct ui *ui);
/* Seconds for display: "4.2 s", "2m05s". Replaying (the clock frozen), no time is shown:
 * buf is "" and the result false, so callers leave the time out of what they say. */
bool ui_fmt_secs(const struct ui *ui, char *buf, size_t cap, double secs);
/* A spinner frame for the current time. */
const char *ui_spinner(const struct ui *ui);

/* Push a screen on the stack (its open() runs), pop back to the one below. */
void ui_push(struct ui *ui, const struct ui_screen *s);
void ui_pop(struct ui *ui);
/* Replace the top screen. */
void ui_replace(struct ui *ui, const struct ui_screen *s);
/* Set the status message (printf-like). */
void ui_message(struct ui *ui, enum ui_style s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Save the progress (kb_course_save). A failure is shown as an error (the status bar
 * says why, the title bar keeps saying so until a save works) and the progress stays in
 * memory, so the next save writes it all. Returns what kb_course_save returned. */
int ui_save(struct ui *ui);
/* Note a save's result (rc < 0: failed, kb_error_last() says why) as ui_save does. */
void ui_note_save(struct ui *ui, int rc);
/* Draw everything and put it on the terminal. */
void ui_redraw(struct ui *ui);
/* While a check runs: redraw, read keys without blocking and give them to the check
 * screen; called about 10 times a second. */
void ui_pump(struct ui *ui);

/* The lesson on screen, its progress entry (created when missing). */
struct kb_lesson *ui_lesson(struct ui *ui);
struct kb_lesson_progress *ui_lesson_progress(struct ui *ui);
/* Open lesson i at its saved step: the screen of that step's kind. */
void ui_open_lesson(struct ui *ui, size_t i);
/* Go to step s of the open lesson (saved in progress). */
void ui_goto_step(struct ui *ui, size_t s);
/* Keys every lesson screen shares (next/previous step, diff, back); true when handled. */
bool ui_lesson_common_key(struct ui *ui, int key);
/* The title row of a lesson screen: "Lesson 2/3 · title · step 1/3 · page"; right: columns
 * the step row leaves free at its right end (for the page's position). */
void ui_lesson_header(struct ui *ui, int y, const char *what, int right);

/* The lesson needs the kernel (it has a task) and the kernel is not ready. */
bool ui_kernel_ready(const struct ui *ui);
/* A line saying what the kernel is doing ("setup: build 40%"). */
void ui_kernel_line(const struct ui *ui, char *buf, size_t cap);
/* Make sure the open lesson is started in the workspace (starter files written).
 * Returns 0, 1 while the workspace is still being made, or a negative KB_E*. */
int ui_ensure_started(struct ui *ui);

/* Run the check of task t of the open lesson, showing the check screen. */
void ui_run_check(struct ui *ui, const struct kb_task *t);
/* Free the check screen's state. */
void ui_check_free(struct ui *ui);
/* The verdict of the last check of a task in this session: "pass", "fail", "error" or
 * NULL when none ran. */
const char *ui_check_last(struct ui *ui, const char *lesson, const char *task);

/* Open path in $VISUAL / $EDITOR (else vi, else nano), curses suspended meanwhile. */
int ui_edit(struct ui *ui, const char *path);
/* Watch a task's files: a save schedules a check. NULL stops watching. */
void ui_watch_task(struct ui *ui, const struct kb_task *t);

/* The shell: `kbridge shell` (and `kbridge` alone on a terminal). */
/* What `kbridge shell` was given (cli/cli_shell.c); any may be NULL. */
struct ui_opts {
	const char *pack;       /* --pack: a pack source (store/packsrc.h); NULL: the default */
	const char *workspace;  /* --workspace; NULL: $KBRIDGE_WORKSPACE or ~/kbridge-workspace */
	const char *replay;     /* --replay KEYS or @FILE: no terminal, replay and quit */
	const char *dump;       /* --dump FILE: where <dump> writes the screen */
	const char *timing;     /* --timing FILE: frame times for benchmarks */
};

/* Run the shell until the learner quits or a signal arrives. Returns the exit status
 * (0, 1 when the course cannot open, 128+signal). */
int ui_main(const struct ui_opts *opts);

#endif

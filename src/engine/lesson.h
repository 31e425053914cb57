/* lesson.h - lesson packs: the model (C structs) and the loader.
 *
 * A pack is a folder (docs/lesson-packs.md is the author's guide):
 *   pack.lua                 pack { name, version, kernel, lessons = { "id", ... } }
 *   <id>/lesson.lua          lesson { id, title, history = {...}, steps = {...} }
 *   <id>/NAME.md             the Markdown pages
 *   <id>/solution/<path>     the reference solution of each task file, at its path in
 *                            the kernel tree (samples/kbridge/hello/hello.rs); TODO
 *                            markers in it make the starter
 *   <id>/starter/<path>      optional: a starter written by hand (then used as is)
 *
 * Each lesson is loaded in its own sandbox (sandbox.h): a lesson that fails to load
 * carries its error (file:line) and the other lessons stay usable.
 */
#ifndef KB_LESSON_H
#define KB_LESSON_H

#include <stdbool.h>
#include <stddef.h>

struct kb_sandbox;

enum kb_step_kind { KB_PAGE, KB_QUIZ, KB_TASK };
const char *kb_step_kind_name(enum kb_step_kind k);   /* "page", "quiz", "task" */

struct kb_page {
	char *file;        /* as written, relative to the lesson folder ("intro.md") */
	char *path;        /* absolute */
	char *title;       /* or NULL */
};

struct kb_quiz {
	char *id;          /* "quiz1" unless given */
	char *question;
	char **choices;
	size_t n_choices;
	int *answers;      /* the right choices, 0-based, ascending; at least one */
	size_t n_answers;
	char *explain;     /* shown after answering */
};

struct kb_task_file {
	char *path;        /* relative to the learner's kernel tree ("samples/kbridge/hello/hello.rs") */
	char *solution;    /* absolute path of <lesson>/solution/<path> */
	char *starter;     /* absolute path of <lesson>/starter/<path>, or NULL: the starter is
			      made from the solution by its TODO markers */
	bool learner;      /* listed in the task's `learner = { ... }`: the learner's to change
			      even though its starter and solution are the same (a Kbuild a
			      later task edits), so a check does not pin it (kb_task_file_is_pinned) */
};

struct kb_task {
	char *id;          /* "task1" unless given */
	char *title;       /* defaults to the goal's first line */
	char *goal;
	struct kb_task_file *files;
	size_t n_files;
	char **hints;      /* revealed one at a time */
	size_t n_hints;
	int check_ref;     /* the check function, in the lesson's sandbox */
	int check_line;    /* where it is defined */
	/* limits = { seconds = N, builds = N, boots = N }: the check's wall-clock limit in
	   seconds and the builds and boots it may start; 0: the defaults (result.h,
	   KB_CHECK_SECONDS ...) */
	int limit_seconds, limit_builds, limit_boots;
	/* points = N: what the task is worth in a GitHub Classroom result (`kbridge check
	   --format classroom`), 0 to KB_TASK_POINTS_MAX; 1 unless given */
	int points;
	/* starter_build_fails = true: the starter is meant not to compile (the lesson is about
	   the compiler's error); else `pack validate` reports a starter that does not build
	   as a finding, since its check failed for the wrong reason */
	bool starter_build_fails;
	/* cpus = N: the CPUs of the machine the task's checks boot, 1 to KB_TASK_CPUS_MAX; 1
	   unless given. kb.boot's default, and the machine of the guest kb.build starts while
	   it builds (a kb.boot asking for another machine boots anew) */
	int cpus;
};

#define KB_TASK_POINTS_MAX 1000
#define KB_TASK_CPUS_MAX 8

struct kb_lesson_step {
	enum kb_step_kind kind;
	int line;          /* of the page/quiz/task call in lesson.lua */
	struct kb_page page;
	struct kb_quiz quiz;
	struct kb_task task;
};

struct kb_history {
	int year;
	char *milestone;   /* "Linux 6.1: Rust support merged" */
	char *source;      /* the article it is taken from */
};

struct kb_lesson {
	char *id;
	char *title;
	char *summary;     /* or NULL */
	struct kb_history history;
	struct kb_lesson_step *steps;
	size_t n_steps;
	char *dir;         /* absolute lesson folder */
	char *file;        /* "hello/lesson.lua": how messages name it */
	struct kb_sandbox *sb;
	char *error;       /* NULL when loaded; else why not ("hello/lesson.lua:12: ...") and the
			      lesson has no steps */
	double load_ms;
};

struct kb_pack {
	char *dir;         /* absolute */
	char *name, *title, *version, *kernel;
	char *description; /* or NULL */
	struct kb_lesson *lessons;   /* in the pack's order */
	size_t n_lessons;
	double load_ms;    /* manifest and every lesson */
};

/* Set (by engine/i18n.h, when a language other than English is chosen) to translate what
 * is loaded: called with (p, NULL) once pack.lua is read, and with (NULL, l) on each lesson
 * that loaded. NULL: English. */
extern void (*kb_lesson_translate_hook)(struct kb_pack *p, struct kb_lesson *l);

/* Load a pack folder. Returns 0 when pack.lua is sound (lessons that failed to load carry
 * ->error; count them with kb_pack_errors()), or KB_ELESSON / KB_ENOTFOUND with
 * kb_error_last() = "pack.lua:3: message". *p is freed with kb_pack_free() either way. */
int kb_pack_load(struct kb_pack *p, const char *dir);
void kb_pack_free(struct kb_pack *p);
size_t kb_pack_errors(const struct kb_pack *p);

/* Resolve `source` (a folder or a git pack, store/packsrc.h; notes to stderr as
 * "kbridge: ...") and load the pack found there with kb_pack_load(), which also checks the
 * pack's kernel requirement. *origin (when not NULL) receives kb_packsrc_describe() or
 * NULL for a folder; caller frees. Returns what kb_packsrc_resolve() or kb_pack_load()
 * returns; *p is freed with kb_pack_free() either way. */
int kb_pack_open(struct kb_pack *p, char **origin, const char *source);

/* Load one lesson folder (used by kb_pack_load). `rel` names it in messages ("hello").
 * Returns 0 or KB_ELESSON (l->error holds the message too). Free with kb_lesson_free(). */
int kb_lesson_load(struct kb_lesson *l, const char *pack_dir, const char *id);
void kb_lesson_free(struct kb_lesson *l);

struct kb_lesson *kb_pack_find_lesson(const struct kb_pack *p, const char *id);
/* A task of a lesson by id, or NULL. */
const struct kb_task *kb_lesson_find_task(const struct kb_lesson *l, const char *id);

/* ---- TODO markers: one file, two versions ------------------------------------------
 *
 *   // TODO-BEGIN: print a greeting with pr_info!     the solution's lines follow...
 *   pr_info!("Hello from Rust\n");
 *   // TODO-STARTER                                    optional: the starter's lines,
 *   // pr_info!("...\n");                               commented out with the same leader
 *   // TODO-END
 *
 * A marker is a line holding only a comment leader (//, #, --, ;, or slash-star with its
 * closing star-slash) and the keyword. The starter replaces each block by one line
 * "// TODO: print a greeting with pr_info!" (same indentation and leader) followed by
 * the TODO-STARTER lines with their leader removed; the solution keeps the code and
 * drops every marker line. */
enum kb_render { KB_RENDER_STARTER, KB_RENDER_SOLUTION };

/* Render text (named `name` in messages) as the starter or the solution. Returns 0 with
 * *out (caller frees), or KB_ELESSON "name:12: TODO-BEGIN without TODO-END". */
int kb_todo_render(char **out, const char *text, enum kb_render which, const char *name);

/* A page's Markdown (pg->path, in the lesson's folder), read as every pack file is: from
 * the pack folder down with no symbolic link followed, a regular file only. *out: caller
 * frees (*len when len is not NULL). Returns 0, KB_ENOTFOUND, KB_EINVAL (a link, a
 * special file, a path outside the lesson) or KB_EIO. */
int kb_page_read(char **out, size_t *len, const struct kb_lesson *l, const struct kb_page *pg);

/* One task file as the starter or the solution: the starter/ file when the lesson has
 * one, else the solution rendered by its TODO markers. *out: caller frees. Returns 0,
 * KB_ENOTFOUND / KB_EIO (reading), KB_ELESSON (markers). */
int kb_task_file_render(char **out, const struct kb_lesson *l, const struct kb_task_file *f,
			enum kb_render which);

/* True when the learner is meant to change f: its starter and its solution differ (a
 * file the same in both is there to read: the C half, a header, a Kbuild file). A file
 * that cannot be rendered counts as to change. */
bool kb_task_file_is_edited(const struct kb_lesson *l, const struct kb_task_file *f);

/* True when a check judges f with the pack's copy whatever the workspace holds: a file
 * given to read (not kb_task_file_is_edited) that the task does not give the learner
 * with `learner = { ... }`. See engine/pin.h. */
bool kb_task_file_is_pinned(const struct kb_lesson *l, const struct kb_task_file *f);

/* Every distinct tree path the lesson's tasks name, in order of first appearance. */
struct kb_strv;
void kb_lesson_paths(const struct kb_lesson *l, struct kb_strv *out);

/* Write a task's files, as the starter or the solution, into `root` (a folder standing for
 * the learner's kernel tree), creating folders. Returns 0 or a negative KB_E*. */
int kb_task_write_files(const struct kb_lesson *l, const struct kb_task *t, const char *root,
			enum kb_render which);

#endif

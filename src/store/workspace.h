/* workspace.h - the learner's workspace: a git clone of the bundled kernel tree (libgit2).
 *
 * A workspace is a folder (default ~/kbridge-workspace, or $KBRIDGE_WORKSPACE):
 *   linux/           the learner's clone of KBRIDGE_HOME/linux (objects hard-linked);
 *                    its branch main is the learner's record: "start <lesson>" and
 *                    "pass <lesson>" commits
 *   progress.json    what the learner has done (progress.h)
 *   .kbridge         marks the folder as a kbridge workspace
 *   .lock            held by the kbridge using the workspace
 * Refs kbridge keeps in the clone:
 *   refs/kbridge/start/<lesson>   the lesson's starting point
 *   refs/kbridge/saved/<lesson>   the learner's versions kept by each reset
 *
 * Only this module (and kernel_import.c) include git2.h. Every operation touches only the
 * paths it is given: a lesson's files, never the rest of the 86,691-file tree.
 */
#ifndef KB_WORKSPACE_H
#define KB_WORKSPACE_H

#include <stdbool.h>
#include <stddef.h>

struct kb_ws;

/* The workspace folder: $KBRIDGE_WORKSPACE, else ~/kbridge-workspace. Caller frees. */
char *kb_ws_default_root(void);

/* True when root holds a kbridge workspace (the .kbridge mark and linux/.git). */
bool kb_ws_is_workspace(const char *root);

/* Create a workspace at root by cloning the bundled tree `bundled` (a local clone with
 * hard-linked objects; copied when the two are on different file systems).
 * progress(ctx, fraction, what) reports the clone and the checkout. The clone runs in a
 * child process (sys/apart.h): a signal (kb_interrupted) ends it within a second, its
 * partial tree moved aside to root/linux.partial, which the next call removes.
 * Returns 0; KB_EINVAL when root exists, is not empty and is not a workspace (the message
 * says so politely); 1 when root already is a workspace (nothing done); KB_EGIT;
 * KB_EINTR. */
int kb_ws_create(const char *root, const char *bundled,
		 void (*progress)(void *ctx, double fraction, const char *what), void *ctx);

/* Open a workspace. With lock, take root/.lock without waiting: a second kbridge gets
 * KB_ELOCKED ("the workspace ... is in use by another kbridge (pid N)"). */
int kb_ws_open(struct kb_ws **ws, const char *root, bool lock);
void kb_ws_close(struct kb_ws *ws);
const char *kb_ws_root(const struct kb_ws *ws);
const char *kb_ws_tree(const struct kb_ws *ws);   /* root/linux */

/* One file of a lesson: its path in the kernel tree and the bytes it starts with. */
struct kb_ws_file {
	const char *path;     /* relative, e.g. "samples/kbridge/hello/hello.rs" */
	const char *data;
	size_t len;
};

/* Start a lesson: write its starter files into the tree and commit them on main as
 * "start <id>", recorded at refs/kbridge/start/<id>. A lesson already started is left as
 * it is (returns 1): the learner's work is never overwritten by a start. */
int kb_ws_start_lesson(struct kb_ws *ws, const char *id, const struct kb_ws_file *files, size_t n);
bool kb_ws_lesson_started(struct kb_ws *ws, const char *id);

/* Reset a lesson's files to their start. First the learner's current version of those
 * paths is committed on refs/kbridge/saved/<id> (the message names the ref and the time);
 * *saved (optional, caller frees) gets the commit id. Only `paths` are touched. */
int kb_ws_reset_lesson(struct kb_ws *ws, const char *id, char *const *paths, size_t n, char **saved);

/* The learner's changes to `paths` since the lesson's start, as a unified diff (colored
 * with ANSI escapes when color). *out: caller frees ("" when nothing changed). */
int kb_ws_diff(struct kb_ws *ws, const char *id, char *const *paths, size_t n, bool color, char **out);

/* Commit the learner's current version of `paths` on main with `message` (e.g. "pass
 * hello"). With allow_empty, a commit is made even when nothing changed (a first pass is
 * part of the record); without, an unchanged tree makes no commit (a second pass of the
 * same files). */
int kb_ws_commit(struct kb_ws *ws, const char *message, char *const *paths, size_t n, bool allow_empty);

/* A diff from the learner's current version of each file to `other` (the reference
 * solution): a/ is the learner's, b/ the solution. */
int kb_ws_diff_to(struct kb_ws *ws, const struct kb_ws_file *other, size_t n, bool color, char **out);

/* The subject lines of main, newest first, at most max. Caller frees with kb_strv_free. */
struct kb_strv;
int kb_ws_log(struct kb_ws *ws, struct kb_strv *subjects, size_t max);

/* Color a unified diff text with ANSI escapes (headers bold, - red, + green, @@ cyan). */
char *kb_diff_colorize(const char *diff);

#endif

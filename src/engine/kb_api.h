/* kb_api.h - the `kb` table lesson checks are written against (docs/lesson-api.md):
 * confined reads of the learner's workspace, module builds, boots with modules and guest
 * commands, text and pattern matching, KUnit (KTAP) results, oops and panic detection,
 * and expectations that become the verdict. */
#ifndef KB_KB_API_H
#define KB_KB_API_H

struct kb_sandbox;
struct kb_check_result;
struct kb_check_opts;

/* Install the `kb` table in the sandbox's lesson environment. Its functions that touch the
 * workspace, Kbuild or QEMU only work while kb_api_run_check() runs (at load time they
 * raise "kb.build can only be used inside a check"). Returns 0. */
int kb_api_open(struct kb_sandbox *sb);

/* Call the check function `check_ref` (a KB_V_FUNCTION reference of this sandbox) with
 * `kb` as its argument, recording expectations into res. `where` names the check for
 * errors Lua cannot place ("hello/lesson.lua:20"). Returns 0 when the function returned,
 * KB_ELESSON when it raised (kb_error_last() = "file:line: message"), KB_EINTR. */
int kb_api_run_check(struct kb_sandbox *sb, int check_ref, const char *where, struct kb_check_result *res,
		     const struct kb_check_opts *opts);

/* Resolve `rel`, a path relative to the workspace root, without leaving it: no absolute
 * path, no "..", no symbolic link anywhere on the way (each part is opened with openat
 * and O_NOFOLLOW). want_dir: the last part must be a folder, else a regular file.
 * Returns an open fd (caller closes), or KB_EINVAL (the path tries to leave the
 * workspace; kb_error_last() says how) or KB_ENOTFOUND. */
int kb_workspace_open(const char *root, const char *rel, int want_dir);

#endif

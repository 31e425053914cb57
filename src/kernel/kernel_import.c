/* kernel_import.c - import the extracted kernel source as a git repository (libgit2).
 * See kernel.h. libgit2 1.5's git_index_add_all() fails on this tree (it meets an
 * ignored folder), so every file is walked and added by path.
 */
#define _GNU_SOURCE
#include "base/git.h"
#include "kernel/kernel.h"
#include "sys/runner.h"

#include <ftw.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

char *kb_gitignore_without_debian_block(const char *text)
{
	/* the block is: a comment naming Debian packaging, then "/" "*" and "!/debian/" */
	const char *star = NULL;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		if (n == 2 && memcmp(l, "/*", 2) == 0 && nl && strncmp(nl + 1, "!/debian/", 9) == 0) {
			star = l;
			break;
		}
		l += n + (nl ? 1 : 0);
	}
	if (!star)
		return kb_strdup(text);
	/* back over the comment lines (and the blank line) right before it */
	const char *cut = star;
	while (cut > text) {
		const char *prev = cut - 1;   /* the '\n' ending the previous line */
		const char *ls = prev;
		while (ls > text && ls[-1] != '\n')
			ls--;
		if (ls[0] == '#' || ls == prev) {
			cut = ls;
			continue;
		}
		break;
	}
	const char *after = strstr(star, "!/debian/") + 9;
	if (*after == '\n')
		after++;
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_add(&b, text, (size_t)(cut - text));
	kb_buf_adds(&b, after);
	return kb_buf_detach(&b);
}

static struct kb_strv walk_files;
static size_t walk_prefix;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	const char *rel = path + walk_prefix;
	if (strcmp(rel, ".git") == 0 || kb_str_starts(rel, ".git/"))
		return flag == FTW_D ? FTW_SKIP_SUBTREE : 0;
	if (flag == FTW_F || flag == FTW_SL)
		kb_strv_push(&walk_files, rel);
	return 0;
}

static int fix_gitignore(const char *dir)
{
	char *path = kb_path_join(dir, ".gitignore");
	char *text = NULL;
	size_t len;
	int rc = kb_read_file(&text, &len, path);
	if (rc == KB_ENOTFOUND) {
		rc = 0;
		goto cleanup;
	}
	if (rc)
		goto cleanup;
	char *fixed = kb_gitignore_without_debian_block(text);
	if (strcmp(fixed, text) != 0)
		rc = kb_write_file_atomic(path, fixed, strlen(fixed), 0644);
	free(fixed);
cleanup:
	free(text);
	free(path);
	return rc;
}

int kb_import_tree(const char *dir, const char *message, long long when,
		   void (*progress)(void *ctx, size_t done, size_t total), void *ctx)
{
	git_repository *repo = NULL;
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_object *commit_obj = NULL;
	git_oid tree_id, commit_id, tag_id;
	int rc = fix_gitignore(dir);
	if (rc)
		return rc;

	git_libgit2_init();
	/* the objects are hashed from files we just wrote: skip the extra checks */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);

	git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	io.flags = GIT_REPOSITORY_INIT_MKPATH;
	io.initial_head = "main";
	if (git_repository_init_ext(&repo, dir, &io) < 0) {
		rc = kb_git_fail("git init");
		goto cleanup;
	}
	if (git_repository_index(&index, repo) < 0) {
		rc = kb_git_fail("open index");
		goto cleanup;
	}

	kb_strv_free(&walk_files);
	walk_prefix = strlen(dir) + (kb_str_ends(dir, "/") ? 0 : 1);
	if (nftw(dir, walk_one, 64, FTW_PHYS | FTW_ACTIONRETVAL) < 0) {
		rc = kb_error_set(KB_EIO, "cannot walk %s", dir);
		goto cleanup;
	}
	for (size_t i = 0; i < walk_files.n; i++) {
		if (kb_interrupted) {
			rc = kb_error_set(KB_EINTR, "interrupted");
			goto cleanup;
		}
		if (git_index_add_bypath(index, walk_files.v[i]) < 0) {
			rc = kb_git_fail("%s", walk_files.v[i]);
			goto cleanup;
		}
		if (progress && (i % 500 == 0 || i + 1 == walk_files.n))
			progress(ctx, i + 1, walk_files.n);
	}
	if (git_index_write(index) < 0 || git_index_write_tree(&tree_id, index) < 0) {
		rc = kb_git_fail("write index");
		goto cleanup;
	}
	if (git_tree_lookup(&tree, repo, &tree_id) < 0) {
		rc = kb_git_fail("look up tree");
		goto cleanup;
	}
	if (git_signature_new(&sig, "kbridge setup", "kbridge@localhost", (git_time_t)when, 0) < 0) {
		rc = kb_git_fail("signature");
		goto cleanup;
	}
	if (git_commit_create_v(&commit_id, repo, "HEAD", sig, sig, "UTF-8", message, tree, 0) < 0) {
		rc = kb_git_fail("commit");
		goto cleanup;
	}
	if (git_object_lookup(&commit_obj, repo, &commit_id, GIT_OBJECT_COMMIT) < 0 ||
	    git_tag_create(&tag_id, repo, KB_BASE_TAG, commit_obj, sig,
			   "The bundled kernel tree as kbridge imported it.", 1) < 0) {
		rc = kb_git_fail("tag %s", KB_BASE_TAG);
		goto cleanup;
	}
cleanup:
	kb_strv_free(&walk_files);
	git_object_free(commit_obj);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
}

/* workspace.c - the learner's clone of the kernel tree (libgit2). See workspace.h. */
#define _GNU_SOURCE
#include "base/git.h"
#include "store/workspace.h"
#include "sys/apart.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <git2/sys/repository.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct kb_ws {
	char *root;
	char *tree;
	git_repository *repo;   /* opened at its first use: ws_git() */
	bool git_started;       /* git_libgit2_init() called, to be matched at close */
	int lock_fd;
};

char *kb_ws_default_root(void)
{
	const char *env = getenv("KBRIDGE_WORKSPACE");
	if (env && *env)
		return kb_strdup(env);
	const char *home = getenv("HOME");
	return kb_asprintf("%s/kbridge-workspace", home && *home ? home : "/tmp");
}

bool kb_ws_is_workspace(const char *root)
{
	char *mark = kb_path_join(root, ".kbridge");
	char *git = kb_path_join(root, "linux/.git");
	bool ok = kb_path_exists(mark) && kb_is_dir(git);
	free(mark);
	free(git);
	return ok;
}

struct clone_progress {
	void (*fn)(void *ctx, double fraction, const char *what);
	void *ctx;
	double last;
};

static void checkout_progress(const char *path, size_t done, size_t total, void *payload)
{
	struct clone_progress *p = payload;
	double now = kb_now();
	if (!p->fn || (now - p->last < 0.1 && done != total))
		return;
	p->last = now;
	p->fn(p->ctx, total ? 0.1 + 0.9 * (double)done / (double)total : -1, path ? path : "checkout");
}

/* A clone that borrows the bundled tree's objects through git's alternates instead of
 * linking or copying them: for a lab home shared by many learners (lab.h), whose files
 * belong to someone else and are read-only to us (hard links to another user's files
 * are refused by fs.protected_hardlinks, and copying ~90k objects per learner is slow).
 * The new repository gets the bundled HEAD's branch and the tags, then a checkout. */
static int tag_copy(const char *name, git_oid *oid, void *payload)
{
	git_reference *ref = NULL;
	int rc = git_reference_create(&ref, payload, name, oid, 1, "clone: tag from the lab tree");
	git_reference_free(ref);
	return rc;
}

static int clone_shared(const char *bundled, const char *tree, struct clone_progress *cp)
{
	git_repository *src = NULL, *repo = NULL;
	git_reference *head = NULL, *ref = NULL;
	int rc = 0;
	/* the lab's tree belongs to its administrator: git's "dubious ownership" guard is
	   for repositories one works in, and this one is only read */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	int opened = git_repository_open(&src, bundled);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 1);
	if (opened < 0 || git_repository_head(&head, src) < 0)
		return kb_git_fail("%s", _("open the bundled tree"));
	const char *branch = git_reference_name(head);
	git_repository_init_options io = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	io.flags = GIT_REPOSITORY_INIT_MKPATH;
	io.initial_head = branch;
	if (git_repository_init_ext(&repo, tree, &io) < 0) {
		rc = kb_git_fail("%s", _("make the workspace's repository"));
		goto out;
	}
	git_repository_free(repo);
	repo = NULL;
	char *alternates = kb_path_join(tree, ".git/objects/info/alternates");
	char *objects = kb_asprintf("%s/.git/objects\n", bundled);
	rc = kb_write_file_atomic(alternates, objects, strlen(objects), 0644);
	free(alternates);
	free(objects);
	if (rc)
		goto out;
	if (git_repository_open(&repo, tree) < 0 ||
	    git_reference_create(&ref, repo, branch, git_reference_target(head), 1, "clone: from the lab tree") < 0 ||
	    git_tag_foreach(src, tag_copy, repo) < 0 || git_repository_set_head(repo, branch) < 0) {
		rc = kb_git_fail("%s", _("set up the workspace's branch"));
		goto out;
	}
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	co.progress_cb = checkout_progress;
	co.progress_payload = cp;
	if (git_checkout_head(repo, &co) < 0)
		rc = kb_git_fail("%s", _("check out the workspace"));
out:
	git_reference_free(ref);
	git_reference_free(head);
	git_repository_free(repo);
	git_repository_free(src);
	return rc;
}

/* the bundled repository belongs to someone else: a shared lab home */
static bool bundled_is_shared(const char *bundled)
{
	char *git = kb_path_join(bundled, ".git/objects");
	struct stat st;
	bool shared = stat(git, &st) == 0 && st.st_uid != geteuid();
	free(git);
	return shared;
}

/* The clone itself: the lab's tree with shared objects, or the bundled tree with its
 * objects hard-linked (copied across file systems). A failed clone leaves no tree.
 * Returns 0 or KB_EGIT. */
static int clone_tree(const char *bundled, const char *tree, struct clone_progress *cp)
{
	if (bundled_is_shared(bundled)) {
		if (cp->fn)
			cp->fn(cp->ctx, 0, _("cloning the lab's tree (objects shared, read-only)"));
		int rc = clone_shared(bundled, tree, cp);
		if (rc)
			kb_rm_rf(tree);
		return rc;
	}
	if (cp->fn)
		cp->fn(cp->ctx, 0, _("cloning the bundled tree (objects hard-linked)"));
	git_repository *repo = NULL;
	git_clone_options o = GIT_CLONE_OPTIONS_INIT;
	o.local = GIT_CLONE_LOCAL;
	o.checkout_opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	o.checkout_opts.progress_cb = checkout_progress;
	o.checkout_opts.progress_payload = cp;
	int rc = 0;
	if (git_clone(&repo, bundled, tree, &o) < 0) {
		/* hard links fail across file systems: copy the objects instead */
		kb_rm_rf(tree);
		o.local = GIT_CLONE_LOCAL_NO_LINKS;
		if (git_clone(&repo, bundled, tree, &o) < 0) {
			rc = kb_git_fail("%s", _("clone the bundled tree"));
			kb_rm_rf(tree);
		}
	}
	git_repository_free(repo);
	return rc;
}

/* The clone runs apart (sys/apart.h), so that a signal ends it at once: checking out
 * some 80 000 files takes a minute, and libgit2 cannot be asked to stop. Messages: */
enum { CLONE_PROGRESS, CLONE_ERROR };

struct clone_job {
	const char *bundled, *tree;
	struct clone_progress *cp;   /* the caller's */
	int fd;                      /* in the child: the pipe to the caller */
	char *error;                 /* in the caller: what the child said went wrong */
};

static void clone_child_progress(void *ctx, double fraction, const char *what)
{
	const struct clone_job *j = ctx;
	char *m = kb_asprintf("%.6f %s", fraction, what);
	kb_apart_send(j->fd, CLONE_PROGRESS, m, strlen(m));
	free(m);
}

static int clone_child(void *ctx, int fd)
{
	struct clone_job *j = ctx;
	j->fd = fd;
	struct clone_progress cp = {.fn = j->cp->fn ? clone_child_progress : NULL, .ctx = j};
	int rc = clone_tree(j->bundled, j->tree, &cp);
	if (rc < 0) {
		const char *e = kb_error_last();
		kb_apart_send(fd, CLONE_ERROR, e, strlen(e));
	}
	return rc < 0 ? 1 : 0;
}

static void clone_message(void *ctx, int type, const char *data, size_t len)
{
	struct clone_job *j = ctx;
	if (type == CLONE_PROGRESS && j->cp->fn) {
		char *end;
		double f = strtod(data, &end);
		j->cp->fn(j->cp->ctx, f, *end ? end + 1 : "");
	} else if (type == CLONE_ERROR && !j->error) {
		j->error = kb_strndup(data, len);
	}
}

/* Clone in a child; on a signal, the partial tree is moved aside to PARTIAL at once (the
 * next kb_ws_create removes it). Returns 0, KB_EGIT or KB_EINTR. */
#define PARTIAL "linux.partial"
static int clone_apart(const char *root, const char *bundled, const char *tree, struct clone_progress *cp)
{
	struct clone_job j = {.bundled = bundled, .tree = tree, .cp = cp, .fd = -1};
	struct kb_apart_opts ao = {.child = clone_child, .on_message = clone_message, .ctx = &j};
	struct kb_apart_result ar;
	int rc = kb_apart_run(&ar, &ao);
	if (rc < 0)
		return rc;
	if (ar.interrupted) {
		char *aside = kb_path_join(root, PARTIAL);
		if (kb_path_exists(tree) && rename(tree, aside) < 0)
			kb_rm_rf(tree);
		free(aside);
		rc = kb_error_set(KB_EINTR, "interrupted while cloning the kernel tree");
	} else if (ar.exit_code != 0) {
		rc = kb_error_set(KB_EGIT, "%s", j.error ? j.error : "the clone of the kernel tree failed");
		kb_rm_rf(tree);
	}
	free(j.error);
	return rc;
}

int kb_ws_create(const char *root, const char *bundled,
		 void (*progress)(void *ctx, double fraction, const char *what), void *ctx)
{
	if (kb_ws_is_workspace(root))
		return 1;
	/* what an interrupted kb_ws_create left: a folder made for a workspace, the partial
	   tree moved aside */
	char *partial = kb_path_join(root, PARTIAL);
	if (kb_is_dir(partial))
		kb_rm_rf(partial);
	free(partial);
	if (kb_path_exists(root) && (!kb_is_dir(root) || !kb_dir_is_empty(root)))
		return kb_error_set(KB_EINVAL, "%s already exists and is not a kbridge workspace; "
				    "kbridge leaves it alone. Choose another folder with --workspace DIR "
				    "(or KBRIDGE_WORKSPACE), or move that one away.", root);
	char *src_git = kb_path_join(bundled, ".git");
	bool have_src = kb_is_dir(src_git);
	free(src_git);
	if (!have_src)
		return kb_error_set(KB_ENOTREADY, "no bundled kernel tree at %s (run: kbridge setup)", bundled);
	/* private: on a shared machine, nobody else reads or writes a learner's work */
	int rc = kb_mkdir_p(root, 0700);
	if (rc)
		return rc;
	if (chmod(root, 0700) < 0)
		return kb_error_set(KB_EIO, "cannot make %s private: %s", root, strerror(errno));
	char *tree = kb_path_join(root, "linux");
	char *mark = kb_path_join(root, ".kbridge");
	struct clone_progress cp = {.fn = progress, .ctx = ctx};

	git_libgit2_init();
	rc = clone_apart(root, bundled, tree, &cp);
	if (rc)
		goto cleanup;
	/* files kbridge writes beside the learner's that are not theirs to commit */
	char *exclude = kb_path_join(tree, ".git/info/exclude");
	char *info = kb_path_join(tree, ".git/info");
	const char *ignore = "# written by kbridge: editor support for each lesson's module folder\nrust-project.json\n";
	rc = kb_mkdir_p(info, 0755);
	if (!rc)
		rc = kb_write_file_atomic(exclude, ignore, strlen(ignore), 0644);
	free(exclude);
	free(info);
	const char *text = "kbridge workspace 1\n";
	if (!rc)
		rc = kb_write_file_atomic(mark, text, strlen(text), 0644);
	if (progress)
		progress(ctx, 1, _("done"));
cleanup:
	git_libgit2_shutdown();
	free(tree);
	free(mark);
	return rc;
}

int kb_ws_open(struct kb_ws **out, const char *root, bool lock)
{
	*out = NULL;
	if (!kb_ws_is_workspace(root))
		return kb_error_set(KB_ENOTFOUND, "%s is not a kbridge workspace (kbridge creates it when "
				    "you start the course)", root);
	struct kb_ws *ws = kb_calloc(1, sizeof *ws);
	ws->root = kb_strdup(root);
	ws->tree = kb_path_join(root, "linux");
	ws->lock_fd = -1;
	int rc = 0;
	if (lock) {
		char *path = kb_path_join(root, ".lock");
		char holder[32];
		ws->lock_fd = kb_lock_take(path, holder);
		if (ws->lock_fd == KB_ELOCKED)
			rc = kb_error_set(KB_ELOCKED, "the workspace %s is in use by another kbridge (pid %s, "
					  "a shell or a check): quit it first; list, diff and solution work "
					  "beside it", root, holder);
		else if (ws->lock_fd < 0)
			rc = ws->lock_fd;
		if (rc)
			ws->lock_fd = -1;
		free(path);
	}
	if (rc) {
		kb_ws_close(ws);
		return rc;
	}
	*out = ws;
	return 0;
}

void kb_ws_close(struct kb_ws *ws)
{
	if (!ws)
		return;
	if (ws->repo) {
		git_repository_free(ws->repo);
	}
	if (ws->git_started)
		git_libgit2_shutdown();
	if (ws->lock_fd >= 0)
		close(ws->lock_fd);
	free(ws->root);
	free(ws->tree);
	free(ws);
}

/* The repository, opened at the first operation that needs it: list and hint, which read
 * only progress.json, do without libgit2, whose start alone reads and parses the system's
 * CA certificates (5 ms on a quiet machine, 40 on a busy one). */
static int ws_git(struct kb_ws *ws)
{
	if (ws->repo)
		return 0;
	if (!ws->git_started) {
		git_libgit2_init();
		ws->git_started = true;
	}
	if (git_repository_open(&ws->repo, ws->tree) < 0)
		return kb_git_fail("%s", ws->tree);
	return 0;
}

const char *kb_ws_root(const struct kb_ws *ws)
{
	return ws->root;
}

const char *kb_ws_tree(const struct kb_ws *ws)
{
	return ws->tree;
}

/* ---- helpers -------------------------------------------------------------------------- */

static int check_path(const char *path)
{
	if (!path || !*path || path[0] == '/' || strstr(path, "..") || strstr(path, "//") ||
	    kb_str_starts(path, ".git/") || strcmp(path, ".git") == 0)
		return kb_error_set(KB_EINVAL, "'%s' is not a path inside the kernel tree", path ? path : "");
	return 0;
}

static int signature(git_signature **sig, git_repository *repo)
{
	if (git_signature_default(sig, repo) == 0)
		return 0;
	if (git_signature_now(sig, "kbridge learner", "learner@kbridge.invalid") < 0)
		return kb_git_fail("signature");
	return 0;
}

static char *ref_name(const char *kind, const char *id)
{
	return kb_asprintf("refs/kbridge/%s/%s", kind, id);
}

static int head_commit(git_commit **out, git_repository *repo)
{
	git_oid oid;
	if (git_reference_name_to_id(&oid, repo, "HEAD") < 0)
		return kb_git_fail("HEAD");
	if (git_commit_lookup(out, repo, &oid) < 0)
		return kb_git_fail("HEAD commit");
	return 0;
}

/* Tree updates for paths from the working tree: blobs of existing files, removals of
 * missing ones. */
static int updates_from_workdir(git_repository *repo, const char *tree_dir, char *const *paths, size_t n,
				git_tree_update *up)
{
	for (size_t i = 0; i < n; i++) {
		int rc = check_path(paths[i]);
		if (rc)
			return rc;
		char *full = kb_path_join(tree_dir, paths[i]);
		struct stat st;
		memset(&up[i], 0, sizeof up[i]);
		up[i].path = paths[i];
		if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			up[i].action = GIT_TREE_UPDATE_UPSERT;
			up[i].filemode = (st.st_mode & 0111) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
			if (git_blob_create_from_workdir(&up[i].id, repo, paths[i]) < 0) {
				free(full);
				return kb_git_fail("%s", paths[i]);
			}
		} else {
			up[i].action = GIT_TREE_UPDATE_REMOVE;
		}
		free(full);
	}
	return 0;
}

/* Make the index agree with the working tree for these paths (so git status is clean
 * for them after a commit or a reset). */
static int sync_index(git_repository *repo, const char *tree_dir, char *const *paths, size_t n)
{
	git_index *idx = NULL;
	if (git_repository_index(&idx, repo) < 0)
		return kb_git_fail("index");
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char *full = kb_path_join(tree_dir, paths[i]);
		bool exists = kb_path_exists(full);
		free(full);
		if (exists ? git_index_add_bypath(idx, paths[i]) < 0 :
			     (git_index_remove_bypath(idx, paths[i]) < 0))
			rc = kb_git_fail("%s", paths[i]);
	}
	if (!rc && git_index_write(idx) < 0)
		rc = kb_git_fail("write index");
	git_index_free(idx);
	return rc;
}

/* Commit parent's tree with the updates. Without allow_empty, a tree that did not
 * change makes no commit (out gets the parent's id). */
static int commit_tree_update(git_repository *repo, const char *update_ref, git_commit *parent,
			      const git_tree_update *up, size_t n, const char *message, git_oid *out,
			      bool allow_empty)
{
	git_tree *base = NULL, *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;
	int rc = 0;
	if (git_commit_tree(&base, parent) < 0) {
		rc = kb_git_fail("parent tree");
		goto cleanup;
	}
	if (git_tree_create_updated(&tree_id, repo, base, n, up) < 0) {
		rc = kb_git_fail("update tree");
		goto cleanup;
	}
	if (!allow_empty && git_oid_equal(&tree_id, git_tree_id(base))) {
		/* nothing changed: no empty commit; the parent stands for it */
		git_oid_cpy(out, git_commit_id(parent));
		goto cleanup;
	}
	if (git_tree_lookup(&tree, repo, &tree_id) < 0) {
		rc = kb_git_fail("tree");
		goto cleanup;
	}
	if ((rc = signature(&sig, repo)))
		goto cleanup;
	const git_commit *parents[] = {parent};
	if (git_commit_create(out, repo, update_ref, sig, sig, "UTF-8", message, tree, 1, parents) < 0)
		rc = kb_git_fail("commit");
cleanup:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base);
	return rc;
}

/* Diff and reset touch a lesson's few files, yet libgit2 reads the whole index of the
 * tree (86,691 entries, 9 MB: most of their time) as soon as it looks up an attribute
 * (.gitattributes: the diff driver, the filters) or walks the working tree. Neither needs
 * it: the files are compared with the lesson's start tree, and attributes come from the
 * .gitattributes files of the working tree. So for their duration the repository gets an
 * empty index in memory; the real one, untouched, is read again by the next user. */
static int index_aside(git_repository *repo)
{
	git_index *empty = NULL;
	if (git_index_new(&empty) < 0)
		return kb_git_fail("index");
	int rc = git_repository_set_index(repo, empty) < 0 ? kb_git_fail("index") : 0;
	git_index_free(empty);
	return rc;
}

static void index_back(git_repository *repo)
{
	if (repo)
		git_repository_set_index(repo, NULL);
}

/* ---- lessons -------------------------------------------------------------------------- */

bool kb_ws_lesson_started(struct kb_ws *ws, const char *id)
{
	if (ws_git(ws))
		return false;
	char *ref = ref_name("start", id);
	git_oid oid;
	bool ok = git_reference_name_to_id(&oid, ws->repo, ref) == 0;
	free(ref);
	return ok;
}

int kb_ws_start_lesson(struct kb_ws *ws, const char *id, const struct kb_ws_file *files, size_t n)
{
	int opened = ws_git(ws);
	if (opened)
		return opened;
	if (kb_ws_lesson_started(ws, id))
		return 1;
	git_commit *head = NULL;
	git_tree_update *up = kb_calloc(n ? n : 1, sizeof *up);
	char **paths = kb_calloc(n ? n : 1, sizeof *paths);
	char *msg = NULL, *ref = ref_name("start", id);
	git_reference *r = NULL;
	int rc = head_commit(&head, ws->repo);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = check_path(files[i].path);
		if (rc)
			break;
		char *full = kb_path_join(ws->tree, files[i].path);
		char *dir = kb_strdup(full);
		*strrchr(dir, '/') = '\0';
		rc = kb_mkdir_p(dir, 0755);
		if (!rc)
			rc = kb_write_file_atomic(full, files[i].data, files[i].len, 0644);
		free(dir);
		free(full);
		paths[i] = (char *)files[i].path;
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = files[i].path;
		if (!rc && git_blob_create_from_buffer(&up[i].id, ws->repo, files[i].data, files[i].len) < 0)
			rc = kb_git_fail("%s", files[i].path);
	}
	git_oid commit;
	msg = kb_asprintf("start %s\n\nThe starting point of lesson %s: its files as the course gives them.\n"
			  "Recorded at %s.\n", id, id, ref);
	if (!rc)
		rc = commit_tree_update(ws->repo, "HEAD", head, up, n, msg, &commit, true);
	if (!rc && git_reference_create(&r, ws->repo, ref, &commit, 1, msg) < 0)
		rc = kb_git_fail("%s", ref);
	if (!rc)
		rc = sync_index(ws->repo, ws->tree, paths, n);
	git_reference_free(r);
	git_commit_free(head);
	free(up);
	free(paths);
	free(msg);
	free(ref);
	return rc;
}

static int start_tree(git_tree **out, struct kb_ws *ws, const char *id)
{
	int opened = ws_git(ws);
	if (opened)
		return opened;
	char *ref = ref_name("start", id);
	git_oid oid;
	git_commit *c = NULL;
	int rc = 0;
	if (git_reference_name_to_id(&oid, ws->repo, ref) < 0)
		rc = kb_error_set(KB_ENOTFOUND, "lesson %s has not been started in this workspace", id);
	else if (git_commit_lookup(&c, ws->repo, &oid) < 0 || git_commit_tree(out, c) < 0)
		rc = kb_git_fail("%s", ref);
	git_commit_free(c);
	free(ref);
	return rc;
}

int kb_ws_reset_lesson(struct kb_ws *ws, const char *id, char *const *paths, size_t n, char **saved)
{
	git_tree *start = NULL;
	git_commit *parent = NULL;
	git_tree_update *up = kb_calloc(n ? n : 1, sizeof *up);
	char *ref = ref_name("saved", id), *msg = NULL;
	int rc = start_tree(&start, ws, id);
	if (!rc)
		rc = index_aside(ws->repo);
	if (rc)
		goto cleanup;
	/* 1. keep the learner's version: a commit on refs/kbridge/saved/<id>, on top of the
	      previous save (or of HEAD for the first) */
	git_oid prev;
	if (git_reference_name_to_id(&prev, ws->repo, ref) == 0) {
		if (git_commit_lookup(&parent, ws->repo, &prev) < 0) {
			rc = kb_git_fail("%s", ref);
			goto cleanup;
		}
	} else if ((rc = head_commit(&parent, ws->repo))) {
		goto cleanup;
	}
	if ((rc = updates_from_workdir(ws->repo, ws->tree, paths, n, up)))
		goto cleanup;
	char when[64];
	time_t now = time(NULL);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", localtime(&now));
	msg = kb_asprintf("saved before reset %s\n\nYour version of lesson %s's files as they were on %s,\n"
			  "kept before `kbridge reset %s` put them back to the start.\n"
			  "See it with: git show %s\n", id, id, when, id, ref);
	git_oid saved_id;
	if ((rc = commit_tree_update(ws->repo, ref, parent, up, n, msg, &saved_id, true)))
		goto cleanup;
	if (saved) {
		char hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &saved_id);
		*saved = kb_strdup(hex);
	}
	/* 2. put the start back, path by path */
	for (size_t i = 0; i < n && !rc; i++) {
		char *full = kb_path_join(ws->tree, paths[i]);
		git_tree_entry *e = NULL;
		git_blob *b = NULL;
		if (git_tree_entry_bypath(&e, start, paths[i]) == 0) {
			if (git_blob_lookup(&b, ws->repo, git_tree_entry_id(e)) < 0) {
				rc = kb_git_fail("%s", paths[i]);
			} else {
				char *dir = kb_strdup(full);
				*strrchr(dir, '/') = '\0';
				rc = kb_mkdir_p(dir, 0755);
				free(dir);
				if (!rc)
					rc = kb_write_file_atomic(full, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
								  git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
			}
		} else if (unlink(full) < 0 && errno != ENOENT) {
			rc = kb_error_set(KB_EIO, "cannot remove %s: %s", full, strerror(errno));
		}
		git_blob_free(b);
		git_tree_entry_free(e);
		free(full);
	}
	/* the index is left as it is: against HEAD, the files now show as what they are
	   (changed back to the start), and reading and writing the 86,691-entry index
	   would cost more than the reset itself */
cleanup:
	index_back(ws->repo);
	git_commit_free(parent);
	git_tree_free(start);
	free(up);
	free(ref);
	free(msg);
	return rc;
}

static int diff_to_text(git_diff *diff, bool color, char **out)
{
	git_buf buf = GIT_BUF_INIT;
	if (git_diff_to_buf(&buf, diff, GIT_DIFF_FORMAT_PATCH) < 0)
		return kb_git_fail("format diff");
	char *text = kb_strndup(buf.ptr ? buf.ptr : "", buf.size);
	git_buf_dispose(&buf);
	if (color) {
		*out = kb_diff_colorize(text);
		free(text);
	} else {
		*out = text;
	}
	return 0;
}

int kb_ws_diff(struct kb_ws *ws, const char *id, char *const *paths, size_t n, bool color, char **out)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		int rc = check_path(paths[i]);
		if (rc)
			return rc;
	}
	git_tree *start = NULL;
	git_diff *diff = NULL;
	int rc = start_tree(&start, ws, id);
	if (!rc && (rc = index_aside(ws->repo)))
		git_tree_free(start);
	if (rc)
		return rc;
	git_diff_options o = GIT_DIFF_OPTIONS_INIT;
	o.pathspec.strings = (char **)paths;
	o.pathspec.count = n;
	/* exact paths, no pattern matching: the walk visits only these files */
	o.flags = GIT_DIFF_DISABLE_PATHSPEC_MATCH | GIT_DIFF_INCLUDE_UNTRACKED |
		  GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
	if (git_diff_tree_to_workdir(&diff, ws->repo, start, &o) < 0)
		rc = kb_git_fail("diff");
	else
		rc = diff_to_text(diff, color, out);
	index_back(ws->repo);
	git_diff_free(diff);
	git_tree_free(start);
	return rc;
}

int kb_ws_commit(struct kb_ws *ws, const char *message, char *const *paths, size_t n, bool allow_empty)
{
	git_commit *head = NULL;
	git_tree_update *up = kb_calloc(n ? n : 1, sizeof *up);
	int rc = ws_git(ws);
	if (!rc)
		rc = head_commit(&head, ws->repo);
	if (!rc)
		rc = updates_from_workdir(ws->repo, ws->tree, paths, n, up);
	git_oid id;
	if (!rc)
		rc = commit_tree_update(ws->repo, "HEAD", head, up, n, message, &id, allow_empty);
	if (!rc)
		rc = sync_index(ws->repo, ws->tree, paths, n);
	git_commit_free(head);
	free(up);
	return rc;
}

int kb_ws_diff_to(struct kb_ws *ws, const struct kb_ws_file *other, size_t n, bool color, char **out)
{
	struct kb_buf all = KB_BUF_INIT;
	int rc = ws_git(ws);   /* libgit2 started: its diff of two buffers */
	for (size_t i = 0; i < n && !rc; i++) {
		if ((rc = check_path(other[i].path)))
			break;
		char *full = kb_path_join(ws->tree, other[i].path), *mine = NULL;
		size_t len = 0;
		if (kb_read_file(&mine, &len, full) < 0) {
			mine = kb_strdup("");
			len = 0;
		}
		git_patch *patch = NULL;
		git_buf buf = GIT_BUF_INIT;
		git_diff_options o = GIT_DIFF_OPTIONS_INIT;
		if (git_patch_from_buffers(&patch, mine, len, other[i].path, other[i].data, other[i].len,
					   other[i].path, &o) < 0 ||
		    git_patch_to_buf(&buf, patch) < 0)
			rc = kb_git_fail("%s", other[i].path);
		else if (buf.size)
			kb_buf_add(&all, buf.ptr, buf.size);
		git_buf_dispose(&buf);
		git_patch_free(patch);
		free(mine);
		free(full);
	}
	char *text = kb_buf_detach(&all);
	if (rc) {
		free(text);
		return rc;
	}
	if (color) {
		*out = kb_diff_colorize(text);
		free(text);
	} else {
		*out = text;
	}
	return 0;
}

int kb_ws_log(struct kb_ws *ws, struct kb_strv *subjects, size_t max)
{
	git_revwalk *walk = NULL;
	int rc = ws_git(ws);
	if (rc)
		return rc;
	if (git_revwalk_new(&walk, ws->repo) < 0 || git_revwalk_push_head(walk) < 0) {
		git_revwalk_free(walk);
		return kb_git_fail("log");
	}
	git_oid oid;
	for (size_t i = 0; i < max && git_revwalk_next(&oid, walk) == 0; i++) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, ws->repo, &oid) == 0) {
			kb_strv_push(subjects, git_commit_summary(c));
			git_commit_free(c);
		}
	}
	git_revwalk_free(walk);
	return 0;
}

char *kb_diff_colorize(const char *diff)
{
	struct kb_buf b = KB_BUF_INIT;
	for (const char *l = diff; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		const char *col = NULL;
		if (kb_str_starts(l, "diff --git") || kb_str_starts(l, "index ") || kb_str_starts(l, "--- ") ||
		    kb_str_starts(l, "+++ ") || kb_str_starts(l, "new file") || kb_str_starts(l, "deleted file"))
			col = "\033[1m";
		else if (*l == '@')
			col = "\033[36m";
		else if (*l == '+')
			col = "\033[32m";
		else if (*l == '-')
			col = "\033[31m";
		if (col)
			kb_buf_adds(&b, col);
		kb_buf_add(&b, l, n);
		if (col)
			kb_buf_adds(&b, "\033[0m");
		if (nl)
			kb_buf_adds(&b, "\n");
		l += n + (nl ? 1 : 0);
	}
	return kb_buf_detach(&b);
}

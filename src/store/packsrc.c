/* packsrc.c - lesson packs from folders and git repositories. See packsrc.h. */
#define _GNU_SOURCE
#include "base/git.h"
#include "store/packsrc.h"
#include "sys/runner.h"
#include "base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void say(const struct kb_packsrc_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct kb_packsrc_opts *o, const char *fmt, ...)
{
	if (!o || !o->log)
		return;
	struct kb_buf b = KB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	o->log(o->ctx, b.data);
	kb_buf_free(&b);
}

char *kb_packsrc_cache_root(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && *x)
		return kb_asprintf("%s/kbridge/packs", x);
	const char *home = getenv("HOME");
	return kb_asprintf("%s/.cache/kbridge/packs", home && *home ? home : "/tmp");
}

void kb_packsrc_free(struct kb_packsrc *s)
{
	free(s->source);
	free(s->url);
	free(s->ref);
	free(s->name);
	free(s->cache);
	free(s->dir);
	free(s->ref_kind);
	if (s->libgit2_held)
		git_libgit2_shutdown();
	memset(s, 0, sizeof *s);
}

/* ---- telling sources apart ----------------------------------------------------------- */

/* user@host:path, the form scp and git use for ssh (no '/' before the ':') */
static bool is_scp_like(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at || at == s)
		return false;
	for (const char *p = s; p < at; p++)
		if (*p == '/' || *p == ':')
			return false;
	const char *colon = strchr(at + 1, ':');
	if (!colon || colon == at + 1 || colon[1] == '\0')
		return false;
	for (const char *p = at + 1; p < colon; p++)
		if (*p == '/')
			return false;
	return true;
}

/* the scheme of "scheme://...", or 0 when s has none */
static size_t scheme_len(const char *s)
{
	size_t n = 0;
	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
		n++;
	return strncmp(s + n, "://", 3) == 0 ? n : 0;
}

static int check_url(const char *url)
{
	size_t n = scheme_len(url);
	static const char *const ok[] = {"https", "http", "ssh", "git", "file", NULL};
	bool known = false;
	for (int i = 0; ok[i]; i++)
		known |= strlen(ok[i]) == n && strncasecmp(url, ok[i], n) == 0;
	if (!known && n == 0)
		return kb_error_set(KB_EINVAL, "bad pack source '%s': the URL has no scheme (https://, ssh://, "
				    "git://, file://)", url);
	if (!known)
		return kb_error_set(KB_EINVAL, "bad pack source '%s': the URL scheme '%.*s' is not one kbridge "
				    "clones from (https, http, ssh, git, file)", url, (int)n, url);
	const char *rest = url + n + 3;
	if (n == 4 && strncasecmp(url, "file", 4) == 0) {
		if (rest[0] != '/' || rest[1] == '\0')
			return kb_error_set(KB_EINVAL, "bad pack source '%s': a file URL names an absolute path "
					    "(file:///path/to/repo)", url);
		return 0;
	}
	const char *slash = strchr(rest, '/');
	const char *at = memchr(rest, '@', slash ? (size_t)(slash - rest) : strlen(rest));
	const char *host = at ? at + 1 : rest;
	if (host == slash || *host == '\0' || *host == ':')
		return kb_error_set(KB_EINVAL, "bad pack source '%s': the URL has no host", url);
	if (!slash || slash[1] == '\0')
		return kb_error_set(KB_EINVAL, "bad pack source '%s': the URL names no repository path", url);
	return 0;
}

/* a ref as git would accept it after '#' */
static int check_ref(const char *source, const char *ref)
{
	if (!*ref)
		return kb_error_set(KB_EINVAL, "bad pack source '%s': nothing after '#' (give a tag, a branch or "
				    "a commit id, e.g. #v1.0)", source);
	for (const char *p = ref; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '~' || *p == '^' || *p == ':' || *p == '\\')
			return kb_error_set(KB_EINVAL, "bad pack source '%s': '%s' is not a tag, branch or commit id",
					    source, ref);
	return 0;
}

static bool is_git_repo(const char *path)
{
	git_repository *r = NULL;
	int e = git_repository_open_ext(&r, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	git_repository_free(r);
	return e == 0;
}

/* file:///abs/path for a local repository ('%' and '#' escaped), so that a path and its
   file:// URL share one cache entry and the entry's URL reads back as a git source */
static char *file_url(const char *path)
{
	char *abs = realpath(path, NULL);
	if (!abs)
		return NULL;
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_adds(&b, "file://");
	for (const char *p = abs; *p; p++) {
		if (*p == '%' || *p == '#')
			kb_buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			kb_buf_add(&b, p, 1);
	}
	free(abs);
	return kb_buf_detach(&b);
}

/* the cache entry's name: the last part of the URL or path, without .git, in
   [a-z0-9._-] */
static char *safe_name(const char *url)
{
	char *copy = kb_strdup(url);
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	if (kb_str_ends(copy, ".git") && n > 4)
		copy[n -= 4] = '\0';
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	const char *base = copy;
	for (const char *p = copy; *p; p++)
		if (*p == '/' || *p == ':')
			base = p + 1;
	struct kb_buf b = KB_BUF_INIT;
	for (const char *p = base; *p && b.len < 40; p++) {
		char c = (char)tolower((unsigned char)*p);
		kb_buf_add(&b, isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' ? &c : "-", 1);
	}
	free(copy);
	char *name = kb_buf_detach(&b);
	if (!*name || name[0] == '.') {
		free(name);
		name = kb_strdup("pack");
	}
	return name;
}

int kb_packsrc_parse(struct kb_packsrc *s, const char *source)
{
	memset(s, 0, sizeof *s);
	if (!source || !*source)
		return kb_error_set(KB_EINVAL, "no pack source given");
	s->source = kb_strdup(source);
	/* a folder as it is, '#' and all: no libgit2 for it (whose start alone reads the
	   system's CA certificates, a good part of a `kbridge list`) */
	if (kb_is_dir(source)) {
		char *pack_lua = kb_path_join(source, "pack.lua");
		bool has_pack = kb_path_exists(pack_lua);
		free(pack_lua);
		if (has_pack) {
			s->kind = KB_PACKSRC_FOLDER;
			return 0;
		}
	}
	git_libgit2_init();
	s->libgit2_held = true;   /* given back by kb_packsrc_free() */
	if (kb_is_dir(source)) {
		if (!is_git_repo(source))
			return kb_error_set(KB_ENOTFOUND, "%s is neither a lesson pack (it has no pack.lua) nor a git "
					    "repository", source);
		s->url = file_url(source);
	} else {
		char *base = kb_strdup(source);
		char *hash = strrchr(base, '#');
		if (hash) {
			*hash = '\0';
			int rc = check_ref(source, hash + 1);
			if (rc) {
				free(base);
				return rc;
			}
			s->ref = kb_strdup(hash + 1);
		}
		int rc = 0;
		if (scheme_len(base) || strstr(base, "://")) {
			rc = check_url(base);
			s->url = base;
		} else if (is_scp_like(base)) {
			s->url = base;
		} else if (kb_is_dir(base)) {
			if (!is_git_repo(base))
				rc = kb_error_set(KB_ENOTFOUND, "bad pack source '%s': %s is not a git repository (a pack "
						  "pinned with #REF comes from one)", source, base);
			else
				s->url = file_url(base);
			free(base);
		} else {
			if (strchr(base, '/') || base[0] == '.' || base[0] == '~' || !strchr(base, ':'))
				rc = kb_error_set(KB_ENOTFOUND, "no lesson pack at %s: no such folder (a pack is a folder "
						  "with a pack.lua, a git repository, or a git URL)", base);
			else
				rc = kb_error_set(KB_EINVAL, "bad pack source '%s': not a folder, nor a git URL (https://, "
						  "ssh://, git://, file://) nor user@host:path", source);
			free(base);
		}
		if (rc)
			return rc;
		if (!s->url)
			return kb_error_set(KB_EIO, "cannot resolve the path of %s: %s", source, strerror(errno));
	}
	s->kind = KB_PACKSRC_GIT;
	s->name = safe_name(s->url);
	char *root = kb_packsrc_cache_root();
	s->cache = kb_asprintf("%s/%s-%016llx", root, s->name, kb_hash64(s->url, strlen(s->url), 0));
	free(root);
	return 0;
}

/* ---- fetching -------------------------------------------------------------------------- */

struct fetch_ctx {
	const struct kb_packsrc_opts *o;
	int cred_tries;
};

static int on_transfer(const git_indexer_progress *st, void *payload)
{
	(void)st;
	(void)payload;
	if (kb_interrupted) {
		git_error_set_str(GIT_ERROR_NONE, "interrupted");
		return -1;
	}
	return 0;
}

/* ssh: the agent first, then the usual key files; nothing for https (public packs) */
static int on_credentials(git_credential **out, const char *url, const char *user, unsigned int allowed,
			  void *payload)
{
	struct fetch_ctx *c = payload;
	(void)url;
	const char *name = user && *user ? user : getenv("USER");
	if (!name)
		name = "git";
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, name);
	if (!(allowed & GIT_CREDENTIAL_SSH_KEY))
		return GIT_PASSTHROUGH;
	int attempt = c->cred_tries++;
	if (attempt == 0)
		return git_credential_ssh_key_from_agent(out, name);
	static const char *const keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};
	const char *home = getenv("HOME");
	for (int k = attempt - 1; home && k < 3; k++) {
		char *priv = kb_asprintf("%s/.ssh/%s", home, keys[k]);
		char *pub = kb_asprintf("%s.pub", priv);
		int e = 1;
		if (kb_path_exists(priv))
			e = git_credential_ssh_key_new(out, name, kb_path_exists(pub) ? pub : NULL, priv, NULL);
		free(priv);
		free(pub);
		if (e == 0) {
			c->cred_tries = k + 2;   /* the next call tries the next key */
			return 0;
		}
	}
	git_error_set_str(GIT_ERROR_SSH, "no ssh key was accepted (tried ssh-agent and ~/.ssh/id_ed25519, "
			  "id_ecdsa, id_rsa)");
	return GIT_EUSER;
}

static int fetch(git_repository *repo, const struct kb_packsrc *s, const struct kb_packsrc_opts *o, const char *verb)
{
	git_remote *remote = NULL;
	if (git_remote_lookup(&remote, repo, "origin") < 0)
		return kb_git_fail(strcmp(verb, "clone") == 0 ? _("cannot clone %s") : _("cannot fetch %s"), s->url);
	struct fetch_ctx c = {.o = o};
	git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
	fo.prune = GIT_FETCH_PRUNE;
	fo.callbacks.transfer_progress = on_transfer;
	fo.callbacks.credentials = on_credentials;
	fo.callbacks.payload = &c;
	double t0 = kb_now();
	int rc = 0;
	if (git_remote_fetch(remote, NULL, &fo, "kbridge pack fetch") < 0) {
		rc = kb_git_fail(strcmp(verb, "clone") == 0 ? _("cannot clone %s") : _("cannot fetch %s"), s->url);
	} else {
		const git_indexer_progress *st = git_remote_stats(remote);
		say(o, _("%s: %u objects received (%.1f KiB) in %.1f s"), s->url, st->received_objects,
		    (double)st->received_bytes / 1024.0, kb_now() - t0);
	}
	git_remote_free(remote);
	return rc;
}

/* a new bare clone in s->cache/repo.git, made beside it and renamed into place */
static int clone(git_repository **out, const struct kb_packsrc *s, const struct kb_packsrc_opts *o)
{
	char *final = kb_path_join(s->cache, "repo.git");
	char *tmp = kb_asprintf("%s/repo.git.tmp-%ld", s->cache, (long)getpid());
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	int rc = kb_rm_rf(tmp);
	say(o, _("cloning the pack %s into %s"), s->url, s->cache);
	if (!rc && git_repository_init(&repo, tmp, 1) < 0)
		rc = kb_git_fail(_("cannot make a repository in %s"), tmp);
	if (!rc && (git_remote_create_with_fetchspec(&remote, repo, "origin", s->url,
						     "+refs/heads/*:refs/remotes/origin/*") < 0 ||
		    git_remote_add_fetch(repo, "origin", "+refs/tags/*:refs/tags/*") < 0 ||
		    git_remote_add_fetch(repo, "origin", "+HEAD:refs/remotes/origin/HEAD") < 0))
		rc = kb_git_fail(_("cannot clone %s"), s->url);
	git_remote_free(remote);
	if (!rc)
		rc = fetch(repo, s, o, "clone");
	git_repository_free(repo);
	repo = NULL;
	if (!rc && rename(tmp, final) < 0)
		rc = kb_error_set(KB_EIO, "cannot rename %s to %s: %s", tmp, final, strerror(errno));
	if (rc)
		kb_rm_rf(tmp);
	else if (git_repository_open_bare(&repo, final) < 0)
		rc = kb_git_fail(_("cannot open %s"), final);
	*out = repo;
	free(tmp);
	free(final);
	return rc;
}

/* ---- resolving the ref ------------------------------------------------------------------- */

static bool all_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/* the commit REF names, or GIT_ENOTFOUND; *kind says what it was */
static int lookup_ref(git_commit **out, const char **kind, git_repository *repo, const char *ref)
{
	git_object *obj = NULL;
	int e = GIT_ENOTFOUND;
	if (!ref) {
		e = git_revparse_single(&obj, repo, "refs/remotes/origin/HEAD");
		*kind = "default branch";
	} else {
		char *name = kb_asprintf("refs/tags/%s", ref);
		e = git_revparse_single(&obj, repo, name);
		*kind = "tag";
		free(name);
		if (e == GIT_ENOTFOUND) {
			name = kb_asprintf("refs/remotes/origin/%s", ref);
			e = git_revparse_single(&obj, repo, name);
			*kind = "branch";
			free(name);
		}
		if (e == GIT_ENOTFOUND && strlen(ref) >= 4 && strlen(ref) <= GIT_OID_HEXSZ && all_hex(ref)) {
			git_oid id;
			if (git_oid_fromstrn(&id, ref, strlen(ref)) == 0)
				e = git_object_lookup_prefix(&obj, repo, &id, strlen(ref), GIT_OBJECT_ANY);
			*kind = "commit";
		}
		if (e == GIT_EAMBIGUOUS)
			e = GIT_ENOTFOUND;
	}
	if (e < 0)
		return e;
	git_object *peeled = NULL;
	e = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (e < 0)
		return GIT_ENOTFOUND;
	*out = (git_commit *)peeled;
	return 0;
}

/* "tags: v1, v2; branches: main" for a missing-ref message */
static char *list_refs(git_repository *repo)
{
	struct kb_buf tags = KB_BUF_INIT, branches = KB_BUF_INIT;
	git_reference_iterator *it = NULL;
	git_reference *ref;
	if (git_reference_iterator_new(&it, repo) == 0) {
		while (git_reference_next(&ref, it) == 0) {
			const char *n = git_reference_name(ref);
			if (kb_str_starts(n, "refs/tags/"))
				kb_buf_printf(&tags, "%s%s", tags.len ? ", " : "", n + 10);
			else if (kb_str_starts(n, "refs/remotes/origin/") && strcmp(n + 20, "HEAD") != 0)
				kb_buf_printf(&branches, "%s%s", branches.len ? ", " : "", n + 20);
			git_reference_free(ref);
		}
		git_reference_iterator_free(it);
	}
	char *out = kb_asprintf(_("tags: %s; branches: %s"), tags.len ? tags.data : _("none"),
				branches.len ? branches.data : _("none"));
	kb_buf_free(&tags);
	kb_buf_free(&branches);
	return out;
}

/* s->cache/trees/<commit>: made once, in a temporary folder renamed into place */
static int make_tree(struct kb_packsrc *s, git_repository *repo, git_commit *commit)
{
	char *trees = kb_path_join(s->cache, "trees");
	char *dir = kb_path_join(trees, s->commit);
	int rc = 0;
	if (!kb_is_dir(dir)) {
		char *tmp = kb_asprintf("%s/.tmp-%ld-%s", trees, (long)getpid(), s->commit);
		git_tree *tree = NULL;
		rc = kb_mkdir_p(trees, 0755);
		if (!rc)
			rc = kb_rm_rf(tmp);
		if (!rc)
			rc = kb_mkdir_p(tmp, 0755);
		if (!rc && git_commit_tree(&tree, commit) < 0)
			rc = kb_git_fail(_("cannot read the tree of commit %s"), s->commit);
		if (!rc) {
			git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
			co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
			co.target_directory = tmp;   /* absolute: libgit2 needs it so */
			if (git_checkout_tree(repo, (git_object *)tree, &co) < 0)
				rc = kb_git_fail(_("cannot check out commit %s into %s"), s->commit, tmp);
		}
		git_tree_free(tree);
		if (!rc && rename(tmp, dir) < 0 && !kb_is_dir(dir))
			rc = kb_error_set(KB_EIO, "cannot rename %s to %s: %s", tmp, dir, strerror(errno));
		kb_rm_rf(tmp);
		free(tmp);
	}
	free(trees);
	if (rc)
		free(dir);
	else
		s->dir = dir;
	return rc;
}

static int lock_entry(const struct kb_packsrc *s, const struct kb_packsrc_opts *o)
{
	int rc = kb_mkdir_p(s->cache, 0755);
	if (rc)
		return rc;
	char *path = kb_path_join(s->cache, "lock");
	int fd = kb_lock_take(path, NULL);
	if (fd == KB_ELOCKED) {
		say(o, _("waiting for another kbridge fetching %s"), s->url);
		fd = kb_lock_wait(path);
		if (fd == KB_EINTR)
			kb_error_set(KB_EINTR, "interrupted while waiting for the pack cache %s", s->cache);
	}
	free(path);
	return fd;
}

int kb_packsrc_resolve(struct kb_packsrc *s, const char *source, const struct kb_packsrc_opts *o)
{
	int rc = kb_packsrc_parse(s, source);
	if (rc || s->kind == KB_PACKSRC_FOLDER) {
		if (!rc)
			s->dir = realpath(source, NULL);
		return rc;
	}
	int lock = lock_entry(s, o);
	if (lock < 0)
		return lock;
	char *repo_path = kb_path_join(s->cache, "repo.git");
	git_repository *repo = NULL;
	git_commit *commit = NULL;
	const char *kind = "";
	if (kb_is_dir(repo_path) && git_repository_open_bare(&repo, repo_path) < 0) {
		/* a broken cache is cloned again */
		say(o, _("the cached clone %s cannot be opened (%s): cloning again"), repo_path,
		    git_error_last() ? git_error_last()->message : "?");
		rc = kb_rm_rf(repo_path);
	}
	if (!rc && !repo) {
		rc = clone(&repo, s, o);
		s->fetched = rc == 0;
		char *src_file = kb_path_join(s->cache, "source");
		if (!rc)
			rc = kb_write_file_atomic(src_file, s->url, strlen(s->url), 0644);
		else
			kb_rm_rf(s->cache);   /* nothing worth keeping: no half entry in the cache */
		free(src_file);
	} else if (!rc && o && o->update) {
		say(o, _("fetching %s"), s->url);
		rc = fetch(repo, s, o, "fetch");
		s->fetched = rc == 0;
	}
	if (!rc && o && o->fetch_only)
		goto out;
	int e = rc ? 0 : lookup_ref(&commit, &kind, repo, s->ref);
	if (!rc && e == GIT_ENOTFOUND && !s->fetched) {
		/* a tag or commit published since the last fetch */
		say(o, _("%s is not in the cached clone: fetching %s"), s->ref ? s->ref : _("the default branch"), s->url);
		rc = fetch(repo, s, o, "fetch");
		s->fetched = rc == 0;
		if (!rc)
			e = lookup_ref(&commit, &kind, repo, s->ref);
	}
	if (!rc && e == GIT_ENOTFOUND) {
		char *refs = list_refs(repo);
		if (s->ref)
			rc = kb_error_set(KB_ENOTFOUND, "%s has no tag, branch or commit '%s' (%s)", s->url, s->ref, refs);
		else
			rc = kb_error_set(KB_ENOTFOUND, "%s has no default branch (is it empty? %s); pin a ref with "
					  "#REF", s->url, refs);
		free(refs);
	} else if (!rc && e < 0) {
		rc = kb_git_fail(_("cannot resolve '%s' in %s"), s->ref ? s->ref : "HEAD", s->url);
	}
	if (!rc) {
		git_oid_tostr(s->commit, sizeof s->commit, git_commit_id(commit));
		s->ref_kind = kb_strdup(kind);
		git_tree *tree = NULL;
		git_tree_entry *ent = NULL;
		if (git_commit_tree(&tree, commit) < 0)
			rc = kb_git_fail(_("cannot read the tree of commit %s"), s->commit);
		else if (git_tree_entry_bypath(&ent, tree, "pack.lua") < 0)
			rc = kb_error_set(KB_ENOTFOUND, "%s at %s (commit %.12s) has no pack.lua at the top of the "
					  "repository: is it a lesson pack?", s->url, s->ref ? s->ref : "its default branch",
					  s->commit);
		git_tree_entry_free(ent);
		git_tree_free(tree);
	}
	if (!rc)
		rc = make_tree(s, repo, commit);
out:
	git_commit_free(commit);
	git_repository_free(repo);
	free(repo_path);
	close(lock);
	return rc;
}

char *kb_packsrc_describe(const struct kb_packsrc *s)
{
	if (s->kind != KB_PACKSRC_GIT || !s->commit[0])
		return NULL;
	if (!s->ref)
		return kb_asprintf(_("%s (default branch, commit %.12s)"), s->url, s->commit);
	if (strcmp(s->ref_kind, "commit") == 0)
		return kb_asprintf(_("%s#%s (commit %.12s)"), s->url, s->ref, s->commit);
	return kb_asprintf(strcmp(s->ref_kind, "tag") == 0 ? _("%s#%s (tag %s, commit %.12s)") : _("%s#%s (branch %s, commit %.12s)"),
			   s->url, s->ref, s->ref, s->commit);
}

/* packsrc.h - where a lesson pack comes from: a folder, or a git repository cloned into a
 * cache and checked out at a pinned commit.
 *
 * A pack source is what `--pack` (and $KBRIDGE_PACK) is given:
 *
 *   /path/to/pack                  a folder holding pack.lua: loaded as it is, uncommitted
 *                                  edits included
 *   /path/to/repo[.git]            a git repository (bare or not) with no pack.lua in the
 *                                  folder itself: cloned, its default branch checked out
 *   https://host/pack.git          a URL (https, http, ssh, git or file) or user@host:path
 *   SOURCE#REF                     any git source pinned to a tag, a branch or a commit id
 *                                  (full or abbreviated); a path with '#' is a git source
 *
 * A git source is fetched into $XDG_CACHE_HOME/kbridge/packs/<name>-<hash of the URL>/
 * (else ~/.cache/kbridge/packs):
 *   repo.git/          a bare clone: remote origin = the URL, every branch as
 *                      refs/remotes/origin/NAME, every tag, the remote's HEAD as
 *                      refs/remotes/origin/HEAD
 *   trees/<commit>/    the files of one commit (checked out detached: never a branch, and
 *                      never changed once made, so two kbridges on two refs of one pack
 *                      do not disturb each other)
 *   source             the URL, for `kbridge pack update` with no argument
 *   lock               held (flock) while the entry is fetched or a tree is made
 * The network is used only to clone (the first use), when the ref asked for is not in the
 * cache (a tag or commit published since), or when asked (update). A branch or the
 * default branch stays at the commit last fetched until `kbridge pack update`.
 *
 * The pack is pack.lua at the top of the repository. */
#ifndef KB_PACKSRC_H
#define KB_PACKSRC_H

#include <stdbool.h>

enum kb_packsrc_kind { KB_PACKSRC_FOLDER, KB_PACKSRC_GIT };

struct kb_packsrc {
	enum kb_packsrc_kind kind;
	char *source;      /* as given */
	char *url;         /* git: what is cloned: the URL (file:///abs/path for a local
			      repository given by its path); NULL for a folder */
	char *ref;         /* git: the text after '#', or NULL for the default branch */
	char *name;        /* git: the safe name of the cache entry ("pack" for .../pack.git) */
	char *cache;       /* git: the cache entry folder (<root>/<name>-<16 hex>) */
	char *dir;         /* after resolve: the folder to load (the folder itself, or
			      cache/trees/<commit>) */
	char commit[41];   /* git, after resolve: the commit checked out (hex) */
	char *ref_kind;    /* git, after resolve: "tag", "branch", "commit" or "default branch" */
	bool fetched;      /* git, after resolve: this resolve fetched from the remote */
	bool libgit2_held; /* parse called git_libgit2_init(); free calls its shutdown */
};

struct kb_packsrc_opts {
	bool update;       /* fetch even when the cache holds the ref */
	bool fetch_only;   /* clone or fetch, then stop: no ref resolved, no tree made */
	/* progress and notes ("cloning ... into ..."); NULL: none */
	void (*log)(void *ctx, const char *line);
	void *ctx;
};

/* Classify `source` without touching the network or the cache: fills kind, source, url,
 * ref, name and cache (when git). Looks at the filesystem only to tell a folder pack, a
 * local repository and a missing path apart. Returns 0, or KB_EINVAL ("bad pack source
 * 'x': ...": an unknown URL scheme, a URL without host or path, an empty ref) or
 * KB_ENOTFOUND (a path that does not exist, a folder that is neither a pack nor a git
 * repository). *s is freed with kb_packsrc_free() either way. */
int kb_packsrc_parse(struct kb_packsrc *s, const char *source);

/* Parse, then for a git source: clone or fetch as the rules above say, resolve the ref
 * to a commit, make its tree and check that it holds pack.lua. Fills dir (and commit,
 * ref_kind, fetched). Returns 0, or what parse returns, KB_EGIT ("cannot clone URL:
 * <libgit2's message>"), KB_ENOTFOUND ("URL has no tag, branch or commit 'v9' (tags: v1;
 * branches: main)", "... has no pack.lua at the top of the repository"), KB_EIO,
 * KB_EINTR. Blocks while another kbridge holds the entry's lock. */
int kb_packsrc_resolve(struct kb_packsrc *s, const char *source, const struct kb_packsrc_opts *o);

void kb_packsrc_free(struct kb_packsrc *s);

/* One line saying where a resolved git pack comes from: "URL#v1 (tag v1, commit
 * 1a2b3c4d5e6f)". NULL for a folder. Caller frees. */
char *kb_packsrc_describe(const struct kb_packsrc *s);

/* The cache folder of git packs: $XDG_CACHE_HOME/kbridge/packs, else
 * ~/.cache/kbridge/packs. Caller frees. */
char *kb_packsrc_cache_root(void);

#endif

/* cli_pack.c - `kbridge pack new DIR` (scaffold a pack with one working lesson),
 * `kbridge pack validate PACK` (prove a pack sound: every check fails on its starter and
 * passes on its solution, with real builds and boots) and `kbridge pack update` (fetch
 * packs that come from git again). */
#define _GNU_SOURCE
#include "engine/check.h"
#include "cli/cli.h"
#include "cli/cli_report.h"
#include "cli/cli_pack_i18n.h"
#include "engine/lesson.h"
#include "kernel/kernel.h"
#include "store/packsrc.h"
#include "sys/runner.h"
#include "base/util.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

static const char *const pack_help = N_(
	"usage: kbridge pack new DIR\n"
	"       kbridge pack validate [--no-run] [--keep] [--timeout S] [-j N] [--lang TAG] PACK\n"
	"       kbridge pack pot PACK\n"
	"       kbridge pack update [SOURCE...]\n"
	"       kbridge pack export [--starter] PACK LESSON DIR\n"
	"\n"
	"new       make a lesson pack in DIR (which must not exist or be empty) with one\n"
	"          example lesson: a page, a quiz and a Rust module task whose starter\n"
	"          fails its check and whose solution passes. docs/lesson-packs.md explains\n"
	"          the format; docs/lesson-api.md the kb API checks are written in.\n"
	"validate  prove the pack sound, printing one line per finding:\n"
	"            pack.lua and every lesson load (syntax, fields, types, ids unique);\n"
	"            every page and task file exists; every quiz has a right answer;\n"
	"            every task's check FAILS on its starter and PASSES on its solution,\n"
	"            each in a fresh temporary workspace (real Kbuild builds and QEMU boots).\n"
	"          Each task's two runs (starter, solution) go side by side (-j), each in a\n"
	"          workspace of its own, the longest first (the times of the last validate,\n"
	"          in KBRIDGE_HOME/validate.times); the findings are printed in the pack's\n"
	"          order all the same.\n"
	"          Then, per language the pack is translated into, a count of its strings\n"
	"          translated, stale and untranslated; with --lang TAG (zh-CN) each string\n"
	"          left, with its file:line, and validate fails while any is left.\n"
	"          It ends with 'N passed, N failed'.\n"
	"pot       write the PO templates (po/*.pot) a translator starts from.\n"
	"update    fetch packs that come from git again: each SOURCE (and say which commit\n"
	"          it now stands at), or every pack in the cache.\n"
	"export    write the files of every task of LESSON as its solution (the TODO markers\n"
	"          dropped), or with --starter as the learner first gets them, into DIR at\n"
	"          their tree paths: to try another solution on it with `kbridge check\n"
	"          LESSON --pack PACK --workspace DIR`, or to keep alternative and wrong\n"
	"          solutions as patches against it.\n"
	"\n"
	"PACK (here and in --pack of every command) is a folder holding pack.lua, or a git\n"
	"repository whose top holds pack.lua:\n"
	"  https://host/pack.git, ssh://host/pack.git, git://..., file:///path, user@host:path\n"
	"  /path/to/repo      a local repository, bare or not (a folder holding pack.lua is\n"
	"                     loaded as a folder, uncommitted edits included)\n"
	"  SOURCE#REF         pinned to a tag, a branch or a commit id (#v1.2, #main, #1a2b3c4)\n"
	"A git pack is cloned once into $XDG_CACHE_HOME/kbridge/packs (else ~/.cache/...) and\n"
	"the commit checked out there. It is fetched again only when the ref asked for is not in\n"
	"the cache, or by `kbridge pack update`: a branch stays where it was last fetched.\n"
	"Every pack's kernel (pack.lua's kernel = \"X.Y\") must match the course kernel.\n"
	"\n"
	"Options (validate):\n"
	"  --no-run      skip running the checks (no kernel needed)\n"
	"  --keep        keep the temporary workspaces and say where they are\n"
	"  --timeout S   seconds allowed to each boot (default 60)\n"
	"  -j, --jobs N  task runs at once (default: the number of CPUs; 1: one by one)\n"
	"  --lang TAG    list every string not translated into TAG, or stale (a global option)\n"
	"  -h, --help    this text\n"
	"\n"
	"Exit status: 0 when the pack was made / every finding passed; 1 otherwise; 2 for bad\n"
	"arguments.\n");

/* ---- pack new ------------------------------------------------------------------------ */

static const char scaffold_pack[] =
	"-- pack.lua: the manifest of a kbridge lesson pack (docs/lesson-packs.md).\n"
	"pack {\n"
	"  name = \"%s\",\n"
	"  title = \"My kbridge lessons\",\n"
	"  version = \"0.1\",\n"
	"  kernel = \"%s\",            -- the course kernel these lessons are written for\n"
	"  lessons = { \"hello\" },     -- lesson folders, in the order learners take them\n"
	"}\n";

static const char scaffold_lesson[] =
	"-- hello/lesson.lua: one lesson (docs/lesson-packs.md); checks use the kb API\n"
	"-- (docs/lesson-api.md). Variables and helpers are 'local': other globals are refused.\n"
	"lesson {\n"
	"  id = \"hello\",\n"
	"  title = \"Hello from Rust\",\n"
	"  summary = \"Write a Rust kernel module that greets the kernel log.\",\n"
	"  history = {\n"
	"    year = 2022,\n"
	"    milestone = \"Linux 6.1 merges the first Rust support\",\n"
	"    source = \"Linux 6.1 release notes\",\n"
	"  },\n"
	"  steps = {\n"
	"    page \"intro.md\",\n"
	"\n"
	"    quiz {\n"
	"      question = \"Which macro declares a Rust kernel module?\",\n"
	"      choices = { \"module!\", \"MODULE_LICENSE\", \"#[kernel_module]\" },\n"
	"      answer = 1,\n"
	"      explain = \"module! names the type that implements kernel::Module, and the\\n\" ..\n"
	"                \"module's name, author, description and license.\",\n"
	"    },\n"
	"\n"
	"    task {\n"
	"      id = \"greet\",\n"
	"      title = \"Greet the kernel log\",\n"
	"      goal = \"Make hello_rust print 'Hello from Rust' to the kernel log when it is loaded.\",\n"
	"      files = {\n"
	"        \"samples/kbridge/hello/hello_rust.rs\",\n"
	"        \"samples/kbridge/hello/Kbuild\",\n"
	"      },\n"
	"      hints = {\n"
	"        \"The module's init function runs when insmod loads it.\",\n"
	"        \"pr_info! works like C's pr_info: pr_info!(\\\"text\\\\n\\\").\",\n"
	"      },\n"
	"      check = function(kb)\n"
	"        local b = kb.build(\"samples/kbridge/hello\")\n"
	"        if not kb.expect_build(b) then return end\n"
	"        local r = kb.boot { modules = b }\n"
	"        kb.expect_boot(r)\n"
	"        kb.expect_no_fault(r)\n"
	"        -- A fixed text is the weakest check: a learner could print it from anywhere.\n"
	"        -- Real tasks judge behaviour on inputs the check draws with math.random\n"
	"        -- (kb.boot's params, bytes written to a device): see \"Checks a learner cannot\n"
	"        -- game\" in docs/lesson-packs.md. A Rust module of Linux 6.12 takes no module\n"
	"        -- parameters: give it a C half that does (docs/lesson-api.md, \"A module of C\n"
	"        -- and Rust\").\n"
	"        kb.expect_log(r, \"Hello from Rust\", {\n"
	"          where = \"samples/kbridge/hello/hello_rust.rs: the init function\",\n"
	"          hint = \"print with pr_info! before returning Ok\",\n"
	"        })\n"
	"      end,\n"
	"    },\n"
	"  },\n"
	"}\n";

static const char scaffold_page[] =
	"# Hello from Rust\n"
	"\n"
	"Linux 6.1 was the first release that could build kernel code written in Rust. A\n"
	"Rust module is a type that implements `kernel::Module`, declared with the\n"
	"`module!` macro; its `init` runs when the module is loaded.\n"
	"\n"
	"Your task: make the module print **Hello from Rust** to the kernel log.\n";

static const char scaffold_rs[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"\n"
	"//! hello_rust: the first Rust module of the course.\n"
	"\n"
	"use kernel::prelude::*;\n"
	"\n"
	"module! {\n"
	"    type: HelloRust,\n"
	"    name: \"hello_rust\",\n"
	"    author: \"kbridge\",\n"
	"    description: \"Greets the kernel log from Rust\",\n"
	"    license: \"GPL\",\n"
	"}\n"
	"\n"
	"struct HelloRust;\n"
	"\n"
	"impl kernel::Module for HelloRust {\n"
	"    fn init(_module: &'static ThisModule) -> Result<Self> {\n"
	"        // TODO-BEGIN: print \"Hello from Rust\" to the kernel log with pr_info!\n"
	"        pr_info!(\"Hello from Rust\\n\");\n"
	"        // TODO-END\n"
	"        Ok(HelloRust)\n"
	"    }\n"
	"}\n";

static const char scaffold_kbuild[] =
	"# SPDX-License-Identifier: GPL-2.0\n"
	"obj-m := hello_rust.o\n";

static int write_new(const char *dir, const char *rel, const char *text)
{
	char *path = kb_path_join(dir, rel);
	char *parent = kb_strdup(path);
	int rc = kb_mkdir_p(dirname(parent), 0755);
	if (!rc)
		rc = kb_write_file_atomic(path, text, strlen(text), 0644);
	free(parent);
	free(path);
	return rc;
}

static int pack_new(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "kbridge pack new: %s\n\n%s", _("give one folder"), _(pack_help));
		return 2;
	}
	const char *dir = argv[1];
	if (kb_path_exists(dir) && !(kb_is_dir(dir) && kb_dir_is_empty(dir))) {
		fputs("kbridge pack new: ", stderr);
		fprintf(stderr, _("%s already exists and is not empty"), dir);
		fputc('\n', stderr);
		return 1;
	}
	char *copy = kb_strdup(dir);
	char *base = basename(copy);
	/* the pack's name: its folder's name, as an id */
	char *name = kb_strdup(base);
	for (char *p = name; *p; p++)
		*p = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '-');
	char *manifest = kb_asprintf(scaffold_pack, name, kb_course_kernel());
	int rc = kb_mkdir_p(dir, 0755);
	if (!rc)
		rc = write_new(dir, "pack.lua", manifest);
	if (!rc)
		rc = write_new(dir, "hello/lesson.lua", scaffold_lesson);
	if (!rc)
		rc = write_new(dir, "hello/intro.md", scaffold_page);
	if (!rc)
		rc = write_new(dir, "hello/solution/samples/kbridge/hello/hello_rust.rs", scaffold_rs);
	if (!rc)
		rc = write_new(dir, "hello/solution/samples/kbridge/hello/Kbuild", scaffold_kbuild);
	if (!rc)
		rc = cli_pack_new_translation(dir);
	free(manifest);
	free(name);
	free(copy);
	if (rc < 0) {
		fprintf(stderr, "kbridge pack new: %s\n", kb_error_last());
		return 1;
	}
	/* the files made, each with what it is (a description may run over lines) */
	static const struct { const char *file, *what; } made[] = {
		{"pack.lua", N_("the manifest")},
		{"hello/lesson.lua", N_("a page, a quiz and a task")},
		{"hello/intro.md", N_("the page")},
		{"hello/solution/samples/kbridge/hello/*", N_("the task's solution; its TODO\nmarkers make the starter")},
		{"hello/po/zh-CN.po, hello/intro.zh-CN.md",
		 N_("the lesson in Simplified Chinese\n(kbridge --lang zh-CN shows it)")},
	};
	printf(_("Made the lesson pack %s:"), dir);
	putchar('\n');
	for (size_t i = 0; i < sizeof made / sizeof *made; i++) {
		const char *what = _(made[i].what);
		printf("  %-48s", made[i].file);
		for (const char *l = what; *l;) {
			size_t n = strcspn(l, "\n");
			printf("%*s%.*s\n", l == what ? 0 : 50, "", (int)n, l);
			l += n + (l[n] == '\n');
		}
	}
	printf(_("Next: kbridge pack validate %s"), dir);
	putchar('\n');
	return 0;
}

/* ---- pack validate --------------------------------------------------------------------- */

struct findings {
	int passed, failed;
	FILE *out;   /* where the findings are printed: stdout, or a task's own buffer */
};

static void finding(struct findings *f, bool ok, const char *detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finding(struct findings *f, bool ok, const char *detail, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	FILE *out = f->out ? f->out : stdout;
	fprintf(out, "%s ", ok ? "ok  " : "FAIL");
	vfprintf(out, fmt, ap);
	va_end(ap);
	putc('\n', out);
	if (!ok && detail && *detail) {
		for (const char *l = detail; *l;) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);
			fprintf(out, "       %.*s\n", (int)n, l);
			l += n + (nl ? 1 : 0);
		}
	}
	fflush(out);
	if (ok)
		f->passed++;
	else
		f->failed++;
}

/* validate's last line: "N passed, N failed" */
static void print_totals(const struct findings *f)
{
	/* TRANSLATORS: the last line of `kbridge pack validate` */
	printf(_("%d passed, %d failed"), f->passed, f->failed);
	putchar('\n');
	fflush(stdout);
}

/* why a check result is not what was wanted, for the finding's detail */
static char *describe(const struct kb_check_result *r)
{
	struct kb_buf b = KB_BUF_INIT;
	if (r->verdict == KB_VERDICT_ERROR) {
		kb_buf_printf(&b, _("the check raised an error: %s"), r->error);
		kb_buf_adds(&b, "\n");
	} else {
		/* the marks padded to the wider one, by columns */
		const char *met = _("[met]"), *unmet = _("[NOT MET]");
		int wm = cli_width(met), wu = cli_width(unmet), w = wm > wu ? wm : wu;
		for (size_t i = 0; i < r->n_exp; i++) {
			const struct kb_expectation *e = &r->exp[i];
			const char *mark = e->met ? met : unmet;
			kb_buf_printf(&b, "%s%*s %s\n", mark, w - cli_width(mark), "", e->expected);
			if (!e->met && e->seen) {
				char *first = kb_strndup(e->seen, strcspn(e->seen, "\n"));
				kb_buf_printf(&b, "%*s%s%s%s%s\n", w + 3, "", _("seen:"), cli_after_label(_("seen:")), first,
					      strchr(e->seen, '\n') ? " ..." : "");
				free(first);
			}
		}
	}
	return kb_buf_detach(&b);
}

/* The tree `kbridge start` makes, as task t finds it: every file of the lesson as its
 * starter, the tasks before t at their solution, and t's own files as `which`. */
static int write_task_tree(const struct kb_lesson *l, const struct kb_task *t, const char *ws,
			   enum kb_render which)
{
	int rc = 0;
	for (size_t s = 0; s < l->n_steps && !rc; s++)
		if (l->steps[s].kind == KB_TASK)
			rc = kb_task_write_files(l, &l->steps[s].task, ws, KB_RENDER_STARTER);
	for (size_t s = 0; s < l->n_steps && !rc && &l->steps[s].task != t; s++)
		if (l->steps[s].kind == KB_TASK)
			rc = kb_task_write_files(l, &l->steps[s].task, ws, KB_RENDER_SOLUTION);
	if (!rc)
		rc = kb_task_write_files(l, t, ws, which);
	return rc;
}

/* run the check of t in a fresh workspace: the lesson's tree with t at its starter or
 * its solution */
static int run_in_fresh(struct kb_check_result *r, const struct kb_lesson *l, const struct kb_task *t,
			enum kb_render which, const char *tmp, double timeout, bool keep)
{
	char *ws = kb_asprintf("%s/%s-%s-%s/linux", tmp, l->id, t->id, which == KB_RENDER_STARTER ? "starter" : "solution");
	int rc = kb_mkdir_p(ws, 0755);
	if (!rc)
		rc = write_task_tree(l, t, ws, which);
	if (rc < 0) {
		memset(r, 0, sizeof *r);
		r->verdict = KB_VERDICT_ERROR;
		r->error = kb_strdup(kb_error_last());
		free(ws);
		return rc;
	}
	struct kb_check_opts co = {.workspace = ws, .boot_timeout = timeout};
	rc = kb_check_run(r, l, t, &co);
	if (!keep) {
		char *parent = kb_strdup(ws);
		kb_rm_rf(dirname(parent));
		free(parent);
	}
	free(ws);
	return rc;
}

/* The expectations a starter missed, one a line under its finding: what an author reads
 * to see that it failed for the reason the task is about */
static void print_missed(FILE *out, const struct kb_check_result *r)
{
	for (size_t i = 0; i < r->n_exp; i++)
		if (!r->exp[i].met)
			fprintf(out, "       %s%s%.*s\n", _("missed:"), cli_after_label(_("missed:")),
				(int)strcspn(r->exp[i].expected, "\n"),
				r->exp[i].expected);
	fflush(out);
}

/* A quiz has a right answer; the finding names the right choices (1-based). */
static void validate_quiz(struct findings *f, const struct kb_lesson *l, const struct kb_quiz *q)
{
	char right[128] = "";
	for (size_t a = 0, n = 0; a < q->n_answers && n + 8 < sizeof right; a++)
		n += (size_t)snprintf(right + n, sizeof right - n, "%s%d", a ? ", " : "", q->answers[a] + 1);
	finding(f, q->n_answers > 0, NULL,
		kb_ngettext("%s: quiz %s has a right answer (choice %s of %zu)",
			    "%s: quiz %s has a right answer (choices %s of %zu)", q->n_answers),
		l->id, q->id, right, q->n_choices);
}

/* A task's files: a starter the learner does not start from the solution, and hints. */
static void validate_task_files(struct findings *f, const struct kb_lesson *l, const struct kb_task *t)
{
	size_t hand = 0;
	bool same = true;
	for (size_t k = 0; k < t->n_files; k++) {
		hand += t->files[k].starter != NULL;
		if (kb_task_file_is_edited(l, &t->files[k]))
			same = false;
	}
	char *from = hand == 0 ? kb_strdup(_("made from TODO markers"))
		     : hand == t->n_files ? kb_strdup(_("from starter/"))
		     : kb_asprintf(_("%zu file(s) from starter/, the others from TODO markers"), hand);
	finding(f, !same, _("no file has TODO markers or a starter/ version: the learner would start from the solution"),
		_("%s/%s: %zu file(s), starter %s"), l->id, t->id, t->n_files, from);
	free(from);
	finding(f, t->n_hints > 0, _("give learners at least one hint (hints = { ... })"),
		_("%s/%s: has %zu hint(s)"), l->id, t->id, t->n_hints);
}

/* A task's check, each in a fresh tree as `start` makes it: it fails on the starter (for
 * the right reason, printing what it missed; a starter that does not build only when the
 * task says that is the point) and passes on the solution. The two runs are independent:
 * side by side, each is a job of its own. */
enum task_run { RUN_STARTER, RUN_SOLUTION };

static void validate_task_run(struct findings *f, const struct kb_lesson *l, const struct kb_task *t,
			      enum task_run which, const char *tmp, double timeout, bool keep)
{
	struct kb_check_result r;
	if (which == RUN_SOLUTION) {
		run_in_fresh(&r, l, t, KB_RENDER_SOLUTION, tmp, timeout, keep);
		char *d = describe(&r);
		finding(f, r.verdict == KB_VERDICT_PASS, d, _("%s/%s: the check passes on the solution (%zu "
			"expectations met, %.1f s)"), l->id, t->id, r.n_exp - kb_check_unmet(&r), r.elapsed);
		free(d);
		kb_check_result_free(&r);
		return;
	}
	run_in_fresh(&r, l, t, KB_RENDER_STARTER, tmp, timeout, keep);
	char *d = describe(&r);
	finding(f, r.verdict == KB_VERDICT_FAIL, d, _("%s/%s: the check fails on the starter (%zu of %zu "
		"expectations unmet, %.1f s)"), l->id, t->id, kb_check_unmet(&r), r.n_exp, r.elapsed);
	if (r.verdict == KB_VERDICT_FAIL)
		print_missed(f->out ? f->out : stdout, &r);
	free(d);
	/* a starter that does not compile fails every check, whatever the task is
	   about: it proves nothing unless the compiler's error is the point */
	if (r.verdict == KB_VERDICT_FAIL)
		finding(f, r.n_failed_builds == 0 || t->starter_build_fails,
			_("the starter's build fails, so its check never reaches what the task is about; "
			  "make the starter compile, or say the error is the point with "
			  "starter_build_fails = true in the task"),
			"%s/%s: %s", l->id, t->id,
			r.n_failed_builds == 0 ? _("the starter builds")
			: t->starter_build_fails ? _("the starter does not build (the task says that is the point)")
			: _("the starter does not build"));
	kb_check_result_free(&r);
}

/* ---- tasks side by side ------------------------------------------------------------------ */

/* What validate prints, in the pack's order, as pieces: the findings the walk over the pack
 * makes itself (done at once), or the findings of one run of a task's check (its starter,
 * with the task's files, or its solution), made by a process of its own into a file while
 * other runs go on beside it. A piece is printed once every piece before it is done.
 *
 * The runs start once the walk is done, the longest first (the time each took when it was
 * last validated, kept in KBRIDGE_HOME/validate.times; a run never timed counts as the
 * longest): as with CTest's cost data, the last run to end is a short one, so the cores
 * are not left to one run at the end. */
struct piece {
	char *text;      /* the walk's findings; for a run, a FAIL when its process died */
	size_t len;
	char *name;      /* a run's "lesson/task on the starter" */
	char *file;      /* a run's findings, written by its process */
	pid_t pid;       /* a run's process while it goes */
	size_t job;      /* a run's counts in side.counts */
	const struct kb_lesson *l;   /* a run's task, or NULL for the walk's findings */
	const struct kb_task *t;
	enum task_run run;
	double cost;     /* seconds it took last time, < 0 never timed */
	bool started, done;
};

/* a run's process's counts, in memory shared with it */
struct job_counts {
	int passed, failed;
	int written;     /* the process wrote its findings and counts */
	double seconds;  /* how long the run took */
};

struct side {
	struct piece *p;
	size_t n, cap, printed;
	size_t running, jobs;
	struct job_counts *counts;
	size_t n_counts, used_counts;
	const char *tmp;
	double timeout;
	bool keep;
	/* the piece the walk writes into now */
	FILE *cur;
	char *cur_text;
	size_t cur_len;
};

static struct piece *side_add(struct side *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 32;
		s->p = kb_realloc(s->p, s->cap * sizeof *s->p);
	}
	struct piece *p = &s->p[s->n++];
	memset(p, 0, sizeof *p);
	return p;
}

/* print every piece whose turn has come */
static void side_flush(struct side *s)
{
	for (; s->printed < s->n && s->p[s->printed].done; s->printed++) {
		struct piece *p = &s->p[s->printed];
		if (p->file) {
			char *text = NULL;
			size_t len = 0;
			if (kb_read_file(&text, &len, p->file) == 0)
				fwrite(text, 1, len, stdout);
			free(text);
			unlink(p->file);
		}
		if (p->text)
			fwrite(p->text, 1, p->len, stdout);
		free(p->text);
		free(p->file);
		free(p->name);
		p->text = p->file = p->name = NULL;
	}
	fflush(stdout);
}

/* the walk starts a new piece of its own (f->out writes into it) */
static void side_open(struct side *s, struct findings *f)
{
	s->cur_text = NULL;
	s->cur_len = 0;
	s->cur = open_memstream(&s->cur_text, &s->cur_len);
	f->out = s->cur ? s->cur : stdout;
}

/* the walk's piece is done */
static void side_close(struct side *s, struct findings *f)
{
	f->out = stdout;
	if (!s->cur)
		return;
	fclose(s->cur);
	s->cur = NULL;
	struct piece *p = side_add(s);
	p->text = s->cur_text;
	p->len = s->cur_len;
	p->done = true;
	side_flush(s);
}

/* wait for one run's process to end and take its counts */
static void side_reap(struct side *s, struct findings *f)
{
	int status;
	pid_t pid = waitpid(-1, &status, 0);
	if (pid < 0 && errno == EINTR)
		return;   /* a signal: the processes get it too, and end */
	for (size_t i = s->printed; i < s->n; i++) {
		struct piece *p = &s->p[i];
		if (!p->pid || (pid > 0 && p->pid != pid))
			continue;
		/* pid < 0: no process is left to wait for, so none of the running ones reported */
		p->pid = 0;
		p->done = true;
		s->running--;
		struct job_counts *c = &s->counts[p->job];
		if (pid > 0 && c->written) {
			f->passed += c->passed;
			f->failed += c->failed;
			p->cost = c->seconds;
		} else {
			f->failed++;
			bool sig = pid > 0 && WIFSIGNALED(status);
			char *why = kb_asprintf(sig ? _("%s: the process that validated it ended without its findings "
							"(signal %d)")
						    : _("%s: the process that validated it ended without its findings "
							"(status %d)"),
						p->name, sig ? WTERMSIG(status) : pid > 0 ? WEXITSTATUS(status) : -1);
			p->text = kb_asprintf("FAIL %s\n", why);
			free(why);
			p->len = strlen(p->text);
		}
		if (pid > 0)
			break;
	}
	side_flush(s);
}

/* one run: the starter's (with the task's files) or the solution's */
static void run_part(struct findings *f, const struct side *s, const struct piece *p)
{
	if (p->run == RUN_STARTER)
		validate_task_files(f, p->l, p->t);
	validate_task_run(f, p->l, p->t, p->run, s->tmp, s->timeout, s->keep);
}

/* the walk met task t: its two runs take their places in the pack's order */
static void side_task(struct side *s, struct findings *f, const struct kb_lesson *l, const struct kb_task *t)
{
	side_close(s, f);
	for (int run = RUN_STARTER; run <= RUN_SOLUTION; run++) {
		struct piece *p = side_add(s);
		p->l = l;
		p->t = t;
		p->run = (enum task_run)run;
		p->cost = -1;
		p->name = kb_asprintf(run == RUN_STARTER ? _("%s/%s on the starter") : _("%s/%s on the solution"),
				      l->id, t->id);
	}
	side_open(s, f);
}

/* Start run p in a process of its own; its findings go to a file in s->tmp and its counts
 * to s->counts. Without a process, it runs here. */
static void side_start(struct side *s, struct findings *f, struct piece *p)
{
	p->started = true;
	p->file = kb_asprintf("%s/findings-%zu", s->tmp, (size_t)(p - s->p));
	p->job = s->used_counts++;
	struct job_counts *c = &s->counts[p->job];
	fflush(stdout);
	pid_t pid = p->job < s->n_counts ? fork() : -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);   /* validate stopped: so does its run */
		double t0 = kb_now();
		FILE *out = fopen(p->file, "w");
		struct findings jf = {.out = out ? out : stderr};
		run_part(&jf, s, p);
		bool ok = out && fclose(out) == 0;
		c->passed = jf.passed;
		c->failed = jf.failed;
		c->seconds = kb_now() - t0;
		c->written = ok;
		_exit(0);
	}
	if (pid > 0) {
		p->pid = pid;
		s->running++;
		return;
	}
	free(p->file);
	p->file = NULL;
	FILE *m = open_memstream(&p->text, &p->len);
	struct findings jf = {.out = m ? m : stdout};
	run_part(&jf, s, p);
	if (m)
		fclose(m);
	f->passed += jf.passed;
	f->failed += jf.failed;
	p->done = true;
	side_flush(s);
}

/* the key of run p in validate.times: "<pack folder>\t<lesson>/<task>\t<starter|solution>" */
static char *cost_key(const char *pack_dir, const struct piece *p)
{
	return kb_asprintf("%s\t%s/%s\t%s", pack_dir, p->l->id, p->t->id,
			   p->run == RUN_STARTER ? "starter" : "solution");
}

/* validate.times: a line "<seconds>\t<key>" a run, as the last validate timed it */
static char *costs_path(void)
{
	struct kb_home h;
	char *path = NULL;
	if (kb_home_init(&h) == 0 || h.root)
		path = kb_path_join(h.root, "validate.times");
	kb_home_free(&h);
	return path;
}

/* Is line (n bytes, no newline) of validate.times the line of key? Its key is what
 * follows its first tab. */
static bool times_line_is(const char *line, size_t n, const char *key)
{
	const char *tab = memchr(line, '\t', n);
	size_t kl = strlen(key);
	return tab && (size_t)(line + n - tab - 1) == kl && memcmp(tab + 1, key, kl) == 0;
}

/* each run's cost from validate.times (runs it does not name stay never timed) */
static void costs_read(struct side *s, const char *pack_dir)
{
	char *path = costs_path(), *text = NULL;
	size_t len;
	if (!path || kb_read_file(&text, &len, path) != 0) {
		free(path);
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		struct piece *p = &s->p[i];
		if (!p->l)
			continue;
		char *key = cost_key(pack_dir, p);
		for (const char *line = text; *line;) {
			size_t n = strcspn(line, "\n");
			if (times_line_is(line, n, key))
				p->cost = strtod(line, NULL);
			line += n + (line[n] ? 1 : 0);
		}
		free(key);
	}
	free(text);
	free(path);
}

/* write the runs' times into validate.times, keeping the lines of other runs whose pack
 * folder is still there; a home that cannot be written (a shared lab's) keeps what it had */
static void costs_write(const struct side *s, const char *pack_dir)
{
	char *path = costs_path(), *old = NULL;
	size_t len;
	if (!path)
		return;
	struct kb_buf out = KB_BUF_INIT;
	struct kb_strv keys = KB_STRV_INIT;
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].l && s->p[i].done && s->p[i].cost >= 0) {
			char *key = cost_key(pack_dir, &s->p[i]);
			kb_strv_push(&keys, key);
			kb_buf_printf(&out, "%.2f\t%s\n", s->p[i].cost, key);
			free(key);
		}
	if (kb_read_file(&old, &len, path) == 0) {
		for (const char *line = old; *line;) {
			size_t n = strcspn(line, "\n");
			const char *tab = memchr(line, '\t', n);
			bool replaced = false;
			for (size_t k = 0; k < keys.n && !replaced; k++)
				replaced = times_line_is(line, n, keys.v[k]);
			/* a line of a pack folder that is gone (a validated copy in /tmp) goes too */
			char *dir = tab ? kb_strndup(tab + 1, strcspn(tab + 1, "\t\n")) : NULL;
			if (!replaced && dir && kb_is_dir(dir))
				kb_buf_printf(&out, "%.*s\n", (int)n, line);
			free(dir);
			line += n + (line[n] ? 1 : 0);
		}
	}
	if (keys.n)
		kb_write_file_atomic(path, out.data, out.len, 0644);
	kb_error_clear();
	free(old);
	kb_strv_free(&keys);
	kb_buf_free(&out);
	free(path);
}

/* Start the runs, the longest first, as cores free up; then wait for all of them and
 * print every piece */
static void side_finish(struct side *s, struct findings *f, const char *pack_dir)
{
	side_close(s, f);
	costs_read(s, pack_dir);
	while (!kb_interrupted) {
		struct piece *next = NULL;
		for (size_t i = 0; i < s->n; i++) {
			struct piece *p = &s->p[i];
			if (!p->l || p->started)
				continue;
			if (!next || (s->jobs > 1 && next->cost >= 0 && (p->cost < 0 || p->cost > next->cost)))
				next = p;   /* one at a time: in the pack's order */
		}
		if (!next)
			break;
		while (s->running >= s->jobs && !kb_interrupted)
			side_reap(s, f);
		if (!kb_interrupted)
			side_start(s, f, next);
	}
	while (s->running)
		side_reap(s, f);
	for (size_t i = s->printed; i < s->n; i++)
		s->p[i].done = true;   /* interrupted: the runs never started print nothing */
	side_flush(s);
	if (!kb_interrupted)
		costs_write(s, pack_dir);
	free(s->p);
	if (s->counts)
		munmap(s->counts, s->n_counts * sizeof *s->counts);
}

/* -j N: 1 and up; 0 when N is not a number of jobs */
static long jobs_arg(const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);
	return *arg && !*end && n >= 1 && n <= 1024 ? n : 0;
}

static int pack_validate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"no-run", no_argument, NULL, 'n'},
		{"keep", no_argument, NULL, 'k'},
		{"timeout", required_argument, NULL, 't'},
		{"jobs", required_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	bool run = true, keep = false;
	double timeout = 60;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t jobs = cpus > 0 ? (size_t)cpus : 1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "nkt:j:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': run = false; break;
		case 'k': keep = true; break;
		case 't': timeout = atof(optarg); break;
		case 'j':
			if (!(jobs = (size_t)jobs_arg(optarg))) {
				fputs("kbridge pack validate: ", stderr);
				fprintf(stderr, _("-j takes a number of tasks at once, 1 or more (not '%s')"), optarg);
				fputc('\n', stderr);
				return 2;
			}
			break;
		default:
			fputs(_(pack_help), stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || timeout <= 0) {
		fprintf(stderr, "kbridge pack validate: %s\n\n%s", _("give one pack (a folder or a git source)"),
			_(pack_help));
		return 2;
	}
	/* tasks side by side already keep the cores busy: a guest booting during each build
	   only adds to the contention (measured on 2 CPUs: 49.6 s -> 45.7 s) */
	if (jobs > 1 && !getenv("KBRIDGE_BOOT_OVERLAP"))
		setenv("KBRIDGE_BOOT_OVERLAP", "0", 1);
	const char *dir = argv[optind];
	struct findings f = {.out = stdout};
	struct kb_pack pack;
	char *origin = NULL;
	int rc = kb_pack_open(&pack, &origin, dir);
	if (origin) {
		fputs("     ", stdout);
		printf(_("the pack comes from %s"), origin);
		putchar('\n');
	}
	free(origin);
	if (rc)
		finding(&f, false, kb_error_last(), "%s", _("pack.lua loads"));
	else
		finding(&f, true, NULL, _("pack.lua loads (%s)"), pack.name);
	if (rc < 0) {
		kb_pack_free(&pack);
		print_totals(&f);
		return 1;
	}
	fputs("     ", stdout);
	printf(kb_ngettext("%zu lesson loaded in %.1f ms", "%zu lessons loaded in %.1f ms", pack.n_lessons),
	       pack.n_lessons, pack.load_ms);
	putchar('\n');
	char *tmp = NULL;
	if (run) {
		tmp = kb_mkdtemp("kbridge-validate");
		if (!tmp) {
			fprintf(stderr, "kbridge pack validate: %s\n", kb_error_last());
			kb_pack_free(&pack);
			return 1;
		}
	}
	/* the runs of the tasks' checks in processes of their own, side by side when more than
	   one may run at once */
	struct side side = {.jobs = jobs, .tmp = tmp, .timeout = timeout, .keep = keep};
	bool beside = false;
	if (run) {
		for (size_t i = 0; i < pack.n_lessons; i++)
			for (size_t st = 0; !pack.lessons[i].error && st < pack.lessons[i].n_steps; st++)
				side.n_counts += 2 * (pack.lessons[i].steps[st].kind == KB_TASK);
		void *m = side.n_counts ? mmap(NULL, side.n_counts * sizeof *side.counts, PROT_READ | PROT_WRITE,
					       MAP_SHARED | MAP_ANONYMOUS, -1, 0) : MAP_FAILED;
		if (m != MAP_FAILED) {
			side.counts = m;
			beside = true;
			side_open(&side, &f);
		}
	}
	for (size_t i = 0; i < pack.n_lessons && !kb_interrupted; i++) {
		struct kb_lesson *l = &pack.lessons[i];
		finding(&f, !l->error, l->error, _("%s: lesson.lua loads"), l->id);
		if (l->error)
			continue;
		for (size_t s = 0; s < l->n_steps && !kb_interrupted; s++) {
			struct kb_lesson_step *st = &l->steps[s];
			if (st->kind == KB_PAGE) {
				struct stat sb;
				bool ok = stat(st->page.path, &sb) == 0 && sb.st_size > 0;
				finding(&f, ok, _("the file is missing or empty"), _("%s: page %s has text"), l->id,
					st->page.file);
			} else if (st->kind == KB_QUIZ) {
				validate_quiz(&f, l, &st->quiz);
			} else if (beside) {
				side_task(&side, &f, l, &st->task);
			} else {
				validate_task_files(&f, l, &st->task);
				for (int part = RUN_STARTER; run && part <= RUN_SOLUTION && !kb_interrupted; part++)
					validate_task_run(&f, l, &st->task, (enum task_run)part, tmp, timeout, keep);
			}
		}
	}
	if (beside)
		side_finish(&side, &f, pack.dir);
	if (tmp) {
		if (keep) {
			fputs("     ", stdout);
			printf(_("the workspaces are kept in %s"), tmp);
			putchar('\n');
		} else {
			kb_rm_rf(tmp);
		}
		free(tmp);
	}
	if (kb_interrupted)
		printf("     %s\n", _("interrupted"));
	else
		cli_pack_translations(pack.dir, &f.passed, &f.failed);
	kb_pack_free(&pack);
	print_totals(&f);
	return f.failed || kb_interrupted ? 1 : 0;
}

/* ---- pack update ----------------------------------------------------------------------- */

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "kbridge: %s\n", line);
}

static int update_one(const char *source, bool fetch_only)
{
	struct kb_packsrc s;
	struct kb_packsrc_opts o = {.update = true, .fetch_only = fetch_only, .log = log_line};
	int rc = kb_packsrc_parse(&s, source);
	if (!rc && s.kind == KB_PACKSRC_FOLDER)
		rc = kb_error_set(KB_EINVAL, "%s is a folder: only a pack from git is fetched", source);
	kb_packsrc_free(&s);
	if (!rc)
		rc = kb_packsrc_resolve(&s, source, &o);
	if (rc) {
		fprintf(stderr, "kbridge pack update: %s\n", kb_error_last());
	} else if (fetch_only) {
		printf(_("%s: fetched into %s"), s.url, s.cache);
		putchar('\n');
	} else {
		char *d = kb_packsrc_describe(&s);
		printf("%s\n  ", d);
		printf(_("in %s"), s.dir);
		putchar('\n');
		free(d);
	}
	kb_packsrc_free(&s);
	return rc;
}

static int pack_update(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-') {
			fputs("kbridge pack update: ", stderr);
			fprintf(stderr, _("unknown option '%s'"), argv[i]);
			fprintf(stderr, "\n\n%s", _(pack_help));
			return 2;
		}
	}
	if (argc > 1) {
		for (int i = 1; i < argc && !kb_interrupted; i++)
			failed += update_one(argv[i], false) < 0;
		return failed ? 1 : 0;
	}
	/* every pack in the cache, by the URL its entry was cloned from */
	char *root = kb_packsrc_cache_root();
	DIR *d = opendir(root);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)) && !kb_interrupted) {
		if (e->d_name[0] == '.')
			continue;
		char *path = kb_asprintf("%s/%s/source", root, e->d_name);
		char *url = NULL;
		if (kb_read_file(&url, NULL, path) == 0 && *url) {
			n++;
			failed += update_one(url, true) < 0;
		}
		free(url);
		free(path);
	}
	if (d)
		closedir(d);
	if (n == 0) {
		printf(_("no pack from git in %s yet"), root);
		putchar('\n');
	}
	free(root);
	return failed ? 1 : 0;
}

static int pack_export(int argc, char **argv)
{
	bool starter = false;
	const char *args[3];
	int n = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--starter")) {
			starter = true;
		} else if (argv[i][0] == '-' || n == 3) {
			fputs("kbridge pack export: ", stderr);
			fprintf(stderr, _("unexpected '%s'"), argv[i]);
			fprintf(stderr, "\n\n%s", _(pack_help));
			return 2;
		} else {
			args[n++] = argv[i];
		}
	}
	if (n != 3) {
		fprintf(stderr, "kbridge pack export: %s\n\n%s", _("takes PACK LESSON DIR"), _(pack_help));
		return 2;
	}
	struct kb_pack pack;
	if (kb_pack_open(&pack, NULL, args[0]) < 0) {
		fprintf(stderr, "kbridge pack export: %s\n", kb_error_last());
		return 1;
	}
	int rc = 0;
	struct kb_lesson *l = kb_pack_find_lesson(&pack, args[1]);
	if (!l) {
		rc = kb_error_set(KB_ENOTFOUND, "no lesson '%s' in the pack %s", args[1], pack.name ? pack.name : args[0]);
	} else if (l->error) {
		rc = kb_error_set(KB_ELESSON, "%s", l->error);
	} else {
		rc = kb_mkdir_p(args[2], 0755);
		for (size_t s = 0; !rc && s < l->n_steps; s++)
			if (l->steps[s].kind == KB_TASK)
				rc = kb_task_write_files(l, &l->steps[s].task, args[2],
							 starter ? KB_RENDER_STARTER : KB_RENDER_SOLUTION);
	}
	if (rc)
		fprintf(stderr, "kbridge pack export: %s\n", kb_error_last());
	kb_pack_free(&pack);
	return rc ? 1 : 0;
}

int cli_pack(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		cli_usage(_(pack_help));
		return argc < 2 ? 2 : 0;
	}
	if (cli_wants_help(argc - 1, argv + 1)) {
		cli_usage(_(pack_help));
		return 0;
	}
	if (strcmp(argv[1], "new") == 0)
		return pack_new(argc - 1, argv + 1);
	if (strcmp(argv[1], "validate") == 0)
		return pack_validate(argc - 1, argv + 1);
	if (strcmp(argv[1], "update") == 0)
		return pack_update(argc - 1, argv + 1);
	if (strcmp(argv[1], "pot") == 0)
		return cli_pack_pot(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return pack_export(argc - 1, argv + 1);
	fputs("kbridge pack: ", stderr);
	fprintf(stderr, _("unknown subcommand '%s' (new, validate, pot, update or export)"), argv[1]);
	fputc('\n', stderr);
	return 2;
}

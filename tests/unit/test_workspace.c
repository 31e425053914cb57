/* Unit tests of the workspace (a real libgit2 repository made from a small fixture tree)
 * and of progress saving. The real 86,691-file tree is exercised in
 * tests/integration/test_workspace.sh and scripts/bench-workspace. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "engine/course.h"
#include "kernel/kernel.h"
#include "store/progress.h"
#include "base/util.h"
#include "store/workspace.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];
static char bundled[300], root[300];

static void write_text(const char *dir, const char *rel, const char *text)
{
	char *full = kb_path_join(dir, rel);
	char *d = kb_strdup(full);
	*strrchr(d, '/') = '\0';
	assert_int_equal(kb_mkdir_p(d, 0755), 0);
	assert_int_equal(kb_write_file_atomic(full, text, strlen(text), 0644), 0);
	free(d);
	free(full);
}

static char *read_text(const char *dir, const char *rel)
{
	char *full = kb_path_join(dir, rel), *text = NULL;
	size_t len;
	if (kb_read_file(&text, &len, full) < 0)
		text = NULL;
	free(full);
	return text;
}

/* the output of a git command run in the workspace's tree */
static char *git_out(const char *args)
{
	char *cmd = kb_asprintf("git -C %s/linux %s 2>&1", root, args);
	FILE *f = popen(cmd, "r");
	struct kb_buf b = KB_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		kb_buf_add(&b, chunk, n);
	pclose(f);
	free(cmd);
	return kb_buf_detach(&b);
}

static int setup(void **state)
{
	snprintf(tmp, sizeof tmp, "/tmp/kbtest-ws-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(bundled, sizeof bundled, "%s/bundled", tmp);
	snprintf(root, sizeof root, "%s/workspace", tmp);
	write_text(bundled, "Makefile", "VERSION = 6\nPATCHLEVEL = 12\n");
	write_text(bundled, "samples/rust/rust_minimal.rs", "// the kernel's sample\n");
	write_text(bundled, "drivers/other.c", "int other;\n");
	write_text(bundled, ".gitignore", "*.o\n#\n# Debian packaging\n#\n/*\n!/debian/\n");
	assert_int_equal(kb_import_tree(bundled, "Linux 6.12 (fixture)\n", 1700000000, NULL, NULL), 0);
	assert_int_equal(kb_ws_create(root, bundled, NULL, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	kb_rm_rf(tmp);
	return 0;
}

static const char starter[] = "// SPDX-License-Identifier: GPL-2.0\n// TODO: say hello\n";
static const char solution[] = "// SPDX-License-Identifier: GPL-2.0\npr_info!(\"hello\\n\");\n";

static void create_clones_with_hard_links_and_refuses_strangers(void **state)
{
	assert_true(kb_ws_is_workspace(root));
	char *f = read_text(root, "linux/samples/rust/rust_minimal.rs");
	assert_string_equal(f, "// the kernel's sample\n");
	free(f);
	/* the objects are shared with the bundled tree, not copied */
	char *cmd = kb_asprintf("find %s/linux/.git/objects -type f -links +1 | grep -q .", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	/* again: already a workspace */
	assert_int_equal(kb_ws_create(root, bundled, NULL, NULL), 1);
	/* a folder that is something else is left alone */
	char *other = kb_path_join(tmp, "mine");
	write_text(other, "notes.txt", "my notes\n");
	assert_int_equal(kb_ws_create(other, bundled, NULL, NULL), KB_EINVAL);
	assert_non_null(strstr(kb_error_last(), "is not a kbridge workspace"));
	char *notes = read_text(other, "notes.txt");
	assert_string_equal(notes, "my notes\n");
	free(notes);
	free(other);
}

static void lesson_start_edit_diff_reset_pass(void **state)
{
	struct kb_ws *ws;
	assert_int_equal(kb_ws_open(&ws, root, true), 0);
	struct kb_ws_file files[] = {{"samples/kbridge/hello/hello.rs", starter, strlen(starter)},
				     {"samples/kbridge/hello/Kbuild", "obj-m := hello.o\n", 17}};
	char *paths[] = {"samples/kbridge/hello/hello.rs", "samples/kbridge/hello/Kbuild"};

	/* start: written and committed */
	assert_int_equal(kb_ws_start_lesson(ws, "hello", files, 2), 0);
	assert_true(kb_ws_lesson_started(ws, "hello"));
	char *f = read_text(root, "linux/samples/kbridge/hello/hello.rs");
	assert_string_equal(f, starter);
	free(f);
	char *log = git_out("log --format=%s -1");
	assert_string_equal(log, "start hello\n");
	free(log);
	char *status = git_out("status --porcelain");
	assert_string_equal(status, "");
	free(status);

	/* the learner edits the lesson file and, separately, another file of the tree */
	write_text(root, "linux/samples/kbridge/hello/hello.rs", solution);
	write_text(root, "linux/drivers/other.c", "int other = 1; /* mine */\n");

	/* diff: only the lesson's paths */
	char *diff = NULL;
	assert_int_equal(kb_ws_diff(ws, "hello", paths, 2, false, &diff), 0);
	assert_non_null(strstr(diff, "+pr_info!(\"hello\\n\");"));
	assert_non_null(strstr(diff, "-// TODO: say hello"));
	assert_null(strstr(diff, "other.c"));
	free(diff);
	assert_int_equal(kb_ws_diff(ws, "hello", paths, 2, true, &diff), 0);
	assert_non_null(strstr(diff, "\033[32m+pr_info!"));
	free(diff);

	/* a second start does not overwrite the learner's work */
	assert_int_equal(kb_ws_start_lesson(ws, "hello", files, 2), 1);
	f = read_text(root, "linux/samples/kbridge/hello/hello.rs");
	assert_string_equal(f, solution);
	free(f);

	/* reset: the learner's version kept on the side ref, the start back, nothing else touched */
	char *saved = NULL;
	assert_int_equal(kb_ws_reset_lesson(ws, "hello", paths, 2, &saved), 0);
	assert_non_null(saved);
	f = read_text(root, "linux/samples/kbridge/hello/hello.rs");
	assert_string_equal(f, starter);
	free(f);
	f = read_text(root, "linux/drivers/other.c");
	assert_string_equal(f, "int other = 1; /* mine */\n");
	free(f);
	char *kept = git_out("show refs/kbridge/saved/hello:samples/kbridge/hello/hello.rs");
	assert_string_equal(kept, solution);
	free(kept);
	char *msg = git_out("log --format=%B -1 refs/kbridge/saved/hello");
	assert_non_null(strstr(msg, "saved before reset hello"));
	assert_non_null(strstr(msg, "refs/kbridge/saved/hello"));
	free(msg);
	char *id = git_out("rev-parse refs/kbridge/saved/hello");
	assert_true(kb_str_starts(id, saved));
	free(id);
	free(saved);
	/* the diff is empty again */
	assert_int_equal(kb_ws_diff(ws, "hello", paths, 2, false, &diff), 0);
	assert_string_equal(diff, "");
	free(diff);

	/* pass: the learner's files committed on main */
	write_text(root, "linux/samples/kbridge/hello/hello.rs", solution);
	assert_int_equal(kb_ws_commit(ws, "pass hello", paths, 2, true), 0);
	log = git_out("log --format=%s -3");
	assert_string_equal(log, "pass hello\nstart hello\nLinux 6.12 (fixture)\n");
	free(log);
	/* passing again with the same files adds nothing; a first pass always commits */
	assert_int_equal(kb_ws_commit(ws, "pass hello", paths, 2, false), 0);
	assert_int_equal(kb_ws_commit(ws, "pass again", paths, 2, true), 0);
	log = git_out("log --format=%s -3");
	assert_string_equal(log, "pass again\npass hello\nstart hello\n");
	free(log);
	status = git_out("status --porcelain");
	assert_string_equal(status, " M drivers/other.c\n");
	free(status);
	char *shown = git_out("show HEAD:samples/kbridge/hello/hello.rs");
	assert_string_equal(shown, solution);
	free(shown);

	/* the solution as a diff against the learner's version */
	const char *better = "// SPDX-License-Identifier: GPL-2.0\npr_info!(\"hello, world\\n\");\n";
	struct kb_ws_file sol[] = {{"samples/kbridge/hello/hello.rs", better, strlen(better)}};
	assert_int_equal(kb_ws_diff_to(ws, sol, 1, false, &diff), 0);
	assert_non_null(strstr(diff, "-pr_info!(\"hello\\n\");"));
	assert_non_null(strstr(diff, "+pr_info!(\"hello, world\\n\");"));
	free(diff);

	/* paths outside the tree are refused */
	char *bad[] = {"../../etc/passwd"};
	assert_int_equal(kb_ws_diff(ws, "hello", bad, 1, false, &diff), KB_EINVAL);
	assert_int_equal(kb_ws_reset_lesson(ws, "hello", bad, 1, NULL), KB_EINVAL);
	/* a lesson never started */
	assert_int_equal(kb_ws_diff(ws, "nope", paths, 1, false, &diff), KB_ENOTFOUND);
	kb_ws_close(ws);
}

static void second_instance_is_refused(void **state)
{
	struct kb_ws *a, *b;
	assert_int_equal(kb_ws_open(&a, root, true), 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* flock is per open file: another process must be refused */
		int rc = kb_ws_open(&b, root, true);
		_exit(rc == KB_ELOCKED && strstr(kb_error_last(), "in use by another kbridge") ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	kb_ws_close(a);
	assert_int_equal(kb_ws_open(&b, root, true), 0);  /* free again */
	kb_ws_close(b);
}

static void progress_round_trip_and_damage(void **state)
{
	char *path = kb_path_join(tmp, "progress.json");
	struct kb_progress p = {0};
	p.pack = kb_strdup("core");
	struct kb_lesson_progress *l = kb_progress_lesson(&p, "hello");
	l->passed = true;
	l->attempts = 3;
	l->hints = 2;
	l->seconds = 12.5;
	l->passed_at = 1795000000;
	assert_ptr_equal(kb_progress_lesson(&p, "hello"), l);
	assert_int_equal(kb_progress_save(&p, path), 0);
	kb_progress_free(&p);
	assert_int_equal(kb_progress_load(&p, path), 0);
	assert_string_equal(p.pack, "core");
	const struct kb_lesson_progress *r = kb_progress_find(&p, "hello");
	assert_non_null(r);
	assert_true(r->passed);
	assert_int_equal(r->attempts, 3);
	assert_int_equal(r->hints, 2);
	assert_true(r->seconds > 12.4 && r->seconds < 12.6);
	assert_int_equal(r->passed_at, 1795000000);
	assert_null(kb_progress_find(&p, "other"));
	kb_progress_free(&p);
	/* missing: empty */
	char *none = kb_path_join(tmp, "none.json");
	assert_int_equal(kb_progress_load(&p, none), 0);
	assert_int_equal(p.n, 0);
	free(none);
	/* damaged: an error naming the file, the file untouched */
	assert_int_equal(kb_write_file_atomic(path, "{\"version\": 1, \"less", 20, 0644), 0);
	assert_int_equal(kb_progress_load(&p, path), KB_EINVAL);
	assert_non_null(strstr(kb_error_last(), "progress.json is damaged"));
	kb_progress_free(&p);
	free(path);
}

/* 100 times: a child saves progress over and over (alternating two states); it is killed
 * with SIGKILL at a random moment; the file is then exactly one of the states. */
static void progress_survives_kill_9(void **state)
{
	char *path = kb_path_join(tmp, "killed.json");
	struct kb_progress a = {0}, b = {0};
	for (int i = 0; i < 200; i++) {
		char id[32];
		snprintf(id, sizeof id, "lesson-%03d", i);
		kb_progress_lesson(&a, id)->attempts = 1;
		kb_progress_lesson(&b, id)->attempts = 2;
	}
	char *ja = kb_progress_to_json(&a), *jb = kb_progress_to_json(&b);
	assert_int_equal(kb_progress_save(&a, path), 0);
	srand((unsigned)getpid());
	int saw_a = 0, saw_b = 0;
	for (int run = 0; run < 100; run++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (int i = 0;; i++)
				kb_progress_save(i % 2 ? &a : &b, path);
		}
		usleep((useconds_t)(rand() % 20000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		char *text = NULL;
		size_t len;
		assert_int_equal(kb_read_file(&text, &len, path), 0);
		bool is_a = strcmp(text, ja) == 0, is_b = strcmp(text, jb) == 0;
		if (!is_a && !is_b)
			fail_msg("run %d: progress file damaged (%zu bytes)", run, len);
		saw_a += is_a;
		saw_b += is_b;
		free(text);
		struct kb_progress p;
		assert_int_equal(kb_progress_load(&p, path), 0);
		assert_int_equal(p.n, 200);
		kb_progress_free(&p);
	}
	/* both states were seen: the kills did land mid-loop */
	assert_true(saw_a > 0 && saw_b > 0);
	char *cmd = kb_asprintf("rm -f %s.tmp.*", path);
	if (system(cmd) != 0)
		(void)0;
	free(cmd);
	free(ja);
	free(jb);
	kb_progress_free(&a);
	kb_progress_free(&b);
	free(path);
}

/* A lesson of two tasks is passed when both are, not when the first one is: it stays in
 * progress (and uncommitted) after one task's pass, and a task passed once stays passed. */
static void two_task_lesson_passes_when_both_tasks_do(void **state)
{
	struct kb_course c = {0};
	assert_int_equal(kb_ws_open(&c.ws, root, true), 0);
	c.progress_path = kb_path_join(root, "progress.json");
	struct kb_task_file cf = {.path = "samples/kbridge/hist/hist.c"}, rf = {.path = "samples/kbridge/hist_rs/count.rs"};
	struct kb_lesson_step steps[2] = {
		{.kind = KB_TASK, .task = {.id = "c-fix", .files = &cf, .n_files = 1}},
		{.kind = KB_TASK, .task = {.id = "rust-get", .files = &rf, .n_files = 1}},
	};
	struct kb_lesson l = {.id = "two", .title = "two tasks", .steps = steps, .n_steps = 2};
	write_text(root, "linux/samples/kbridge/hist/hist.c", "int hist;\n");
	write_text(root, "linux/samples/kbridge/hist_rs/count.rs", "// count\n");

	/* the first task passes: the lesson is in progress, nothing committed as a pass */
	assert_int_equal(kb_course_record_task_check(&c, &l, "c-fix", true), 0);
	const struct kb_lesson_progress *lp = kb_progress_find(&c.progress, "two");
	assert_false(lp->passed);
	assert_true(kb_progress_task_passed(lp, "c-fix"));
	assert_false(kb_progress_task_passed(lp, "rust-get"));
	char *log = git_out("log --format=%s -1");
	assert_null(strstr(log, "pass two"));
	free(log);
	/* the second task fails: still in progress, the first still passed */
	assert_int_equal(kb_course_record_task_check(&c, &l, "rust-get", false), 0);
	lp = kb_progress_find(&c.progress, "two");
	assert_false(lp->passed);
	assert_int_equal(lp->attempts, 2);
	/* the second task passes: the lesson is passed and committed */
	assert_int_equal(kb_course_record_task_check(&c, &l, "rust-get", true), 0);
	lp = kb_progress_find(&c.progress, "two");
	assert_true(lp->passed);
	log = git_out("log --format=%s -1");
	assert_string_equal(log, "pass two\n");
	free(log);
	/* and the saved progress says so */
	struct kb_progress saved = {0};
	assert_int_equal(kb_progress_load(&saved, c.progress_path), 0);
	assert_true(kb_progress_find(&saved, "two")->passed);
	assert_int_equal(kb_progress_find(&saved, "two")->n_tasks_passed, 2);
	kb_progress_free(&saved);
	kb_progress_free(&c.progress);
	free(c.progress_path);
	kb_ws_close(c.ws);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(create_clones_with_hard_links_and_refuses_strangers),
	cmocka_unit_test(lesson_start_edit_diff_reset_pass),
	cmocka_unit_test(second_instance_is_refused),
	cmocka_unit_test(progress_round_trip_and_damage),
	cmocka_unit_test(progress_survives_kill_9),
	cmocka_unit_test(two_task_lesson_passes_when_both_tasks_do),
};

int main(void)
{
	size_t total = sizeof tests / sizeof tests[0];
	int failed = cmocka_run_group_tests(tests, setup, teardown);
	printf("%zu passed, %d failed\n", total - (size_t)failed, failed);
	return failed ? 1 : 0;
}

/* test_lesson.c - the lesson model and loader, TODO markers, and the workspace boundary
 * kb.read and kb.build go through. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "engine/kb_api.h"
#include "engine/lesson.h"
#include "engine/pin.h"
#include "engine/result.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *render(const char *text, enum kb_render which)
{
	char *out = NULL;
	if (kb_todo_render(&out, text, which, "f.c") < 0)
		fail_msg("render failed: %s", kb_error_last());
	return out;
}

static void test_todo_c_and_rust(void **s)
{
	const char *src = "fn init() {\n    // TODO-BEGIN: print a greeting\n    pr_info!(\"hi\\n\");\n"
			  "    // TODO-END\n    Ok(())\n}\n";
	char *st = render(src, KB_RENDER_STARTER), *so = render(src, KB_RENDER_SOLUTION);
	assert_string_equal(st, "fn init() {\n    // TODO: print a greeting\n    Ok(())\n}\n");
	assert_string_equal(so, "fn init() {\n    pr_info!(\"hi\\n\");\n    Ok(())\n}\n");
	free(st);
	free(so);
}

static void test_todo_kbuild_kconfig(void **s)
{
	const char *kbuild = "# TODO-BEGIN: build hello.o as a module\nobj-m := hello.o\n# TODO-END\n";
	char *st = render(kbuild, KB_RENDER_STARTER);
	assert_string_equal(st, "# TODO: build hello.o as a module\n");
	free(st);
	const char *kconfig = "config HELLO\n\ttristate \"hello\"\n\t# TODO-BEGIN\n\tdepends on RUST\n\t# TODO-END\n";
	st = render(kconfig, KB_RENDER_STARTER);
	assert_string_equal(st, "config HELLO\n\ttristate \"hello\"\n\t# TODO\n");
	free(st);
}

static void test_todo_block_comment_and_starter_lines(void **s)
{
	const char *c = "int f(void)\n{\n\t/* TODO-BEGIN: return the answer */\n\treturn 42;\n\t// TODO-STARTER\n"
			"\t// return 0;\n\t/* TODO-END */\n}\n";
	char *st = render(c, KB_RENDER_STARTER), *so = render(c, KB_RENDER_SOLUTION);
	assert_string_equal(st, "int f(void)\n{\n\t/* TODO: return the answer */\n\treturn 0;\n}\n");
	assert_string_equal(so, "int f(void)\n{\n\treturn 42;\n}\n");
	free(st);
	free(so);
	/* not markers: a word inside code or text, "TODO-BEGINNING" */
	const char *plain = "x = \"// TODO-BEGIN\";\n// TODO-BEGINNING of time\n// TODO: fix\n";
	st = render(plain, KB_RENDER_STARTER);
	assert_string_equal(st, plain);
	free(st);
}

static void expect_render_error(const char *text, const char *msg)
{
	char *out = NULL;
	assert_int_equal(kb_todo_render(&out, text, KB_RENDER_STARTER, "f.c"), KB_ELESSON);
	assert_null(out);
	if (!strstr(kb_error_last(), msg))
		fail_msg("expected '%s', got '%s'", msg, kb_error_last());
}

static void test_todo_errors(void **s)
{
	expect_render_error("a\n// TODO-BEGIN\nb\n", "f.c:2: TODO-BEGIN without TODO-END");
	expect_render_error("a\n// TODO-END\n", "f.c:2: TODO-END without a TODO-BEGIN");
	expect_render_error("// TODO-BEGIN\n// TODO-BEGIN\n// TODO-END\n", "f.c:2: TODO-BEGIN inside the TODO block opened on line 1");
	expect_render_error("// TODO-STARTER\n", "f.c:1: TODO-STARTER outside");
	expect_render_error("// TODO-BEGIN\nx\n// TODO-STARTER\ny\n// TODO-END\n", "f.c:4: a TODO-STARTER line must be commented out with '//'");
}

/* ---- the workspace boundary ----------------------------------------------------------- */

static char *make_ws(void)
{
	char *dir = kb_strdup("/tmp/kbridge-test-ws-XXXXXX");
	assert_non_null(mkdtemp(dir));
	char *sub = kb_path_join(dir, "samples/kbridge");
	assert_int_equal(kb_mkdir_p(sub, 0755), 0);
	char *f = kb_path_join(sub, "a.rs");
	assert_int_equal(kb_write_file_atomic(f, "x", 1, 0644), 0);
	char *l = kb_path_join(sub, "link.rs"), *ld = kb_path_join(dir, "etc");
	assert_int_equal(symlink("/etc/passwd", l), 0);
	assert_int_equal(symlink("/etc", ld), 0);
	free(sub);
	free(f);
	free(l);
	free(ld);
	return dir;
}

static void expect_refused(const char *root, const char *rel, int want_dir, int code, const char *msg)
{
	int fd = kb_workspace_open(root, rel, want_dir);
	if (fd >= 0) {
		close(fd);
		fail_msg("'%s' was opened", rel);
	}
	assert_int_equal(fd, code);
	if (!strstr(kb_error_last(), msg))
		fail_msg("'%s': expected '%s', got '%s'", rel, msg, kb_error_last());
}

static void test_workspace_boundary(void **s)
{
	char *ws = make_ws();
	int fd = kb_workspace_open(ws, "samples/kbridge/a.rs", 0);
	assert_true(fd >= 0);
	close(fd);
	fd = kb_workspace_open(ws, "samples/./kbridge", 1);
	assert_true(fd >= 0);
	close(fd);
	expect_refused(ws, "../../etc/passwd", 0, KB_EINVAL, "'..' is not allowed");
	expect_refused(ws, "samples/../../x", 0, KB_EINVAL, "'..' is not allowed");
	expect_refused(ws, "/etc/passwd", 0, KB_EINVAL, "is absolute");
	expect_refused(ws, "samples/kbridge/link.rs", 0, KB_EINVAL, "'link.rs' is a symbolic link");
	expect_refused(ws, "etc/passwd", 0, KB_EINVAL, "'etc' is a symbolic link");
	expect_refused(ws, "etc", 1, KB_EINVAL, "'etc' is a symbolic link");
	expect_refused(ws, "samples/kbridge/none.rs", 0, KB_ENOTFOUND, "no such file");
	expect_refused(ws, "samples/kbridge", 0, KB_EINVAL, "is not a regular file");
	expect_refused(ws, "samples/kbridge/a.rs", 1, KB_ENOTFOUND, "is not a folder");
	expect_refused(ws, "", 0, KB_EINVAL, "empty path");
	kb_rm_rf(ws);
	free(ws);
}

/* ---- loading the fixture pack --------------------------------------------------------- */

static void test_load_history_pack(void **s)
{
	const char *dir = getenv("KB_FIXTURES") ? getenv("KB_FIXTURES") : "tests/fixtures";
	char *path = kb_path_join(dir, "packs/history");
	struct kb_pack p;
	assert_int_equal(kb_pack_load(&p, path), 0);
	assert_string_equal(p.name, "history");
	assert_string_equal(p.kernel, "6.12");
	assert_int_equal(p.n_lessons, 3);
	assert_int_equal(kb_pack_errors(&p), 0);
	const struct kb_lesson *l = kb_pack_find_lesson(&p, "c-calls-rust");
	assert_non_null(l);
	assert_int_equal(l->history.year, 2020);
	assert_int_equal(l->n_steps, 3);
	assert_int_equal(l->steps[0].kind, KB_PAGE);
	assert_int_equal(l->steps[1].kind, KB_QUIZ);
	assert_int_equal(l->steps[1].quiz.n_answers, 2);
	assert_int_equal(l->steps[1].quiz.answers[0], 0);
	assert_int_equal(l->steps[1].quiz.answers[1], 1);
	const struct kb_task *t = kb_lesson_find_task(l, "answer");
	assert_non_null(t);
	assert_int_equal(t->n_files, 3);
	assert_string_equal(t->files[2].path, "samples/kbridge/mixed/rpart.rs");
	assert_null(t->files[2].starter);
	assert_true(kb_str_ends(t->files[2].solution, "c-calls-rust/solution/samples/kbridge/mixed/rpart.rs"));
	assert_int_equal(t->n_hints, 2);
	assert_true(t->check_line > 0);
	/* the task title defaults to the goal's first line */
	assert_string_equal(t->title, t->goal);
	char *st;
	assert_int_equal(kb_task_file_render(&st, l, &t->files[2], KB_RENDER_STARTER), 0);
	assert_non_null(strstr(st, "    // TODO: return the sum of a and b\n    let _ = (a, b);\n    0\n"));
	free(st);
	assert_null(kb_pack_find_lesson(&p, "nosuch"));
	kb_pack_free(&p);
	free(path);
}

/* a task's limits = { seconds, builds, boots }: read, and refused out of range */
static void test_task_limits(void **s)
{
	const char *dir = getenv("KB_FIXTURES") ? getenv("KB_FIXTURES") : "tests/fixtures";
	char *path = kb_path_join(dir, "packs/hostile-limits");
	struct kb_pack p;
	assert_int_equal(kb_pack_load(&p, path), 0);
	assert_int_equal(kb_pack_errors(&p), 0);
	const struct kb_task *t = kb_lesson_find_task(kb_pack_find_lesson(&p, "pattern"), "t");
	assert_int_equal(t->limit_seconds, 3);
	assert_int_equal(t->limit_builds, 0);   /* the defaults */
	t = kb_lesson_find_task(kb_pack_find_lesson(&p, "boot-loop-pcall"), "t");
	assert_int_equal(t->limit_boots, 2);
	kb_pack_free(&p);
	free(path);

	char tmp[] = "/tmp/kbtest-limits-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	static const char *const bad[] = {"seconds = 1801", "boots = 0", "builds = 1.5", "minutes = 3", "seconds = '9'"};
	static const char *const said[] = {"task.limits.seconds must be a whole number from 1 to 1800",
					   "task.limits.boots must be a whole number from 1 to 32",
					   "task.limits.builds must be a whole number from 1 to 32",
					   "unknown field 'minutes'",
					   "task.limits.seconds must be a whole number from 1 to 1800"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *ldir = kb_asprintf("%s/l/solution/kbridge", tmp);
		assert_int_equal(kb_mkdir_p(ldir, 0755), 0);
		char *note = kb_path_join(ldir, "note.txt");
		assert_int_equal(kb_write_file_atomic(note, "a\n", 2, 0644), 0);
		char *text = kb_asprintf("lesson { id = 'l', title = 'l', history = { year = 2026, milestone = 'm', "
					 "source = 's' }, steps = { task { id = 't', goal = 'g', files = { "
					 "'kbridge/note.txt' }, limits = { %s }, check = function(kb) end } } }\n",
					 bad[i]);
		char *file = kb_asprintf("%s/l/lesson.lua", tmp);
		assert_int_equal(kb_write_file_atomic(file, text, strlen(text), 0644), 0);
		struct kb_lesson l;
		kb_lesson_load(&l, tmp, "l");
		assert_non_null(l.error);
		if (!strstr(l.error, said[i]))
			fail_msg("limits = { %s }: '%s' does not say '%s'", bad[i], l.error, said[i]);
		kb_lesson_free(&l);
		free(file);
		free(text);
		free(note);
		free(ldir);
	}
	kb_rm_rf(tmp);
}

/* a task's cpus: 1 unless given, read when 1 to 8, refused otherwise with the lesson's
 * file and line; the core course's locks and finale ask for 2 */
static void test_task_cpus(void **s)
{
	char tmp[] = "/tmp/kbtest-cpus-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	static const char *const given[] = {"", "cpus = 2,", "cpus = 8,", "cpus = 0,", "cpus = 9,", "cpus = 1.5,",
					    "cpus = 'two',"};
	static const int want[] = {1, 2, 8, -1, -1, -1, -1};
	char *ldir = kb_asprintf("%s/l/solution/kbridge", tmp);
	assert_int_equal(kb_mkdir_p(ldir, 0755), 0);
	char *note = kb_path_join(ldir, "note.txt");
	assert_int_equal(kb_write_file_atomic(note, "a\n", 2, 0644), 0);
	char *file = kb_asprintf("%s/l/lesson.lua", tmp);
	for (size_t i = 0; i < sizeof given / sizeof *given; i++) {
		char *text = kb_asprintf("lesson { id = 'l', title = 'l', history = { year = 2026, milestone = 'm', "
					 "source = 's' }, steps = {\n task { id = 't', goal = 'g', files = { "
					 "'kbridge/note.txt' }, %s check = function(kb) end } } }\n", given[i]);
		assert_int_equal(kb_write_file_atomic(file, text, strlen(text), 0644), 0);
		struct kb_lesson l;
		kb_lesson_load(&l, tmp, "l");
		if (want[i] > 0) {
			if (l.error)
				fail_msg("'%s': %s", given[i], l.error);
			assert_int_equal(kb_lesson_find_task(&l, "t")->cpus, want[i]);
		} else {
			assert_non_null(l.error);
			if (!strstr(l.error, "lesson.lua:2:") || !strstr(l.error, "task.cpus must be a whole number from 1 to 8"))
				fail_msg("'%s': '%s' does not name lesson.lua:2 and the rule", given[i], l.error);
		}
		kb_lesson_free(&l);
		free(text);
	}
	free(file);
	free(note);
	free(ldir);
	kb_rm_rf(tmp);

	struct kb_pack p;
	assert_int_equal(kb_pack_load(&p, "lessons/core"), 0);
	assert_int_equal(kb_lesson_find_task(kb_pack_find_lesson(&p, "locks"), "tally")->cpus, 2);
	assert_int_equal(kb_lesson_find_task(kb_pack_find_lesson(&p, "finale"), "ledger")->cpus, 2);
	assert_int_equal(kb_lesson_find_task(kb_pack_find_lesson(&p, "orientation"), "greet")->cpus, 1);
	kb_pack_free(&p);
}

/* files given to read are pinned: kb_pin_stage stages the lesson's copy of one the
 * workspace changed, keeps the learner's, and leaves a file named in learner = { } alone;
 * starter_build_fails is read */
static void test_pinned_files(void **s)
{
	char tmp[] = "/tmp/kbtest-pin-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char *ldir = kb_asprintf("%s/l/solution/kbridge/m", tmp);
	assert_int_equal(kb_mkdir_p(ldir, 0755), 0);
	static const char *const names[] = {"glue.c", "Kbuild", "core.rs"};
	static const char *const texts[] = {"int glue;\n", "obj-m := m.o\n",
					    "// TODO-BEGIN: x\nfn x() {}\n// TODO-END\n"};
	for (int i = 0; i < 3; i++) {
		char *f = kb_path_join(ldir, names[i]);
		assert_int_equal(kb_write_file_atomic(f, texts[i], strlen(texts[i]), 0644), 0);
		free(f);
	}
	const char *lua = "lesson { id = 'l', title = 'l', history = { year = 2026, milestone = 'm', source = 's' }, "
			  "steps = { task { id = 't', goal = 'g', files = { 'kbridge/m/core.rs', 'kbridge/m/glue.c', "
			  "'kbridge/m/Kbuild' }, learner = { 'kbridge/m/Kbuild' }, starter_build_fails = true, "
			  "check = function(kb) end } } }\n";
	char *file = kb_asprintf("%s/l/lesson.lua", tmp);
	assert_int_equal(kb_write_file_atomic(file, lua, strlen(lua), 0644), 0);
	struct kb_lesson l;
	assert_int_equal(kb_lesson_load(&l, tmp, "l"), 0);
	const struct kb_task *t = kb_lesson_find_task(&l, "t");
	assert_true(t->starter_build_fails);
	assert_false(kb_task_file_is_pinned(&l, &t->files[0]));   /* core.rs: the learner edits it */
	assert_true(kb_task_file_is_pinned(&l, &t->files[1]));    /* glue.c: given to read */
	assert_false(kb_task_file_is_pinned(&l, &t->files[2]));   /* Kbuild: learner = { ... } */

	/* a workspace as the lesson has it: checked as it is */
	char *ws = kb_asprintf("%s/ws", tmp);
	assert_int_equal(kb_task_write_files(&l, t, ws, KB_RENDER_STARTER), 0);
	struct kb_pin pin;
	assert_int_equal(kb_pin_stage(&pin, &l, t, ws), 0);
	assert_null(pin.stage);
	assert_int_equal(pin.differed.n, 0);
	kb_pin_free(&pin);

	/* glue.c and Kbuild changed: glue.c is staged as the lesson has it, Kbuild as the learner has it */
	char *glue = kb_asprintf("%s/kbridge/m/glue.c", ws), *kbuild = kb_asprintf("%s/kbridge/m/Kbuild", ws);
	assert_int_equal(kb_write_file_atomic(glue, "int cheat;\n", 11, 0644), 0);
	assert_int_equal(kb_write_file_atomic(kbuild, "obj-m := m.o\n# mine\n", 20, 0644), 0);
	assert_int_equal(kb_pin_stage(&pin, &l, t, ws), 0);
	assert_non_null(pin.stage);
	assert_int_equal(pin.differed.n, 1);
	assert_string_equal(pin.differed.v[0], "kbridge/m/glue.c");
	char *got = NULL;
	assert_int_equal(kb_read_file_beneath(&got, NULL, pin.stage, "kbridge/m/glue.c"), 0);
	assert_string_equal(got, "int glue;\n");
	free(got);
	assert_int_equal(kb_read_file_beneath(&got, NULL, pin.stage, "kbridge/m/Kbuild"), 0);
	assert_string_equal(got, "obj-m := m.o\n# mine\n");
	free(got);
	assert_int_equal(kb_read_file(&got, NULL, glue), 0);
	assert_string_equal(got, "int cheat;\n");   /* the learner's copy is kept */
	free(got);

	/* the result names the file and speaks of the workspace, not the staging copy */
	struct kb_check_result res;
	memset(&res, 0, sizeof res);
	char *seen = kb_asprintf("error in %s/kbridge/m/core.rs", pin.stage);
	kb_check_expect(&res, false, "builds", seen, NULL, NULL, 1);
	res.output = kb_strdup("");
	kb_pin_report(&pin, &res);
	assert_non_null(strstr(res.output, "kbridge/m/glue.c is given to read and your copy differs from the lesson's"));
	assert_null(strstr(res.exp[0].seen, pin.stage));
	assert_non_null(strstr(res.exp[0].seen, "/ws/kbridge/m/core.rs"));
	char *stage = kb_strdup(pin.stage);
	kb_pin_free(&pin);
	assert_false(kb_path_exists(stage));   /* the staging copy is removed */
	kb_check_result_free(&res);
	free(seen);
	free(stage);
	free(glue);
	free(kbuild);
	free(ws);
	kb_lesson_free(&l);
	free(file);
	free(ldir);
	kb_rm_rf(tmp);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_todo_c_and_rust),
	cmocka_unit_test(test_todo_kbuild_kconfig),
	cmocka_unit_test(test_todo_block_comment_and_starter_lines),
	cmocka_unit_test(test_todo_errors),
	cmocka_unit_test(test_workspace_boundary),
	cmocka_unit_test(test_load_history_pack),
	cmocka_unit_test(test_task_limits),
	cmocka_unit_test(test_task_cpus),
	cmocka_unit_test(test_pinned_files),
};

KB_TEST_MAIN(tests)

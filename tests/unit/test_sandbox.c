/* test_sandbox.c - the Lua sandbox holds: each hostile snippet is stopped with a clear
 * message naming file and line, and the sandbox (and kbridge) stays usable after it. */
#define _GNU_SOURCE
#include "kbtest.h"
#include "sys/runner.h"
#include "engine/sandbox.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>

/* Run `code` as "t/lesson.lua" in a fresh sandbox with small limits; return the error
 * message (caller frees) or NULL when it ran. Afterwards the same sandbox must still run
 * a good file: the sandbox survives. */
static char *run_with(const char *code, size_t memory)
{
	struct kb_sandbox *sb;
	struct kb_sandbox_limits lim = {.memory = memory, .instructions = 5000000};
	assert_int_equal(kb_sandbox_new(&sb, &lim), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	struct kb_value v;
	int rc = kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v);
	char *err = rc < 0 ? kb_strdup(kb_error_last()) : NULL;
	kb_value_free(&v);
	/* still alive: a good chunk runs in the same state */
	const char *good = "local x = 0\nfor i = 1, 10 do x = x + i end\nlesson { id = 'ok', n = x }\n";
	assert_int_equal(kb_sandbox_run_string(sb, good, strlen(good), "t/good.lua", "lesson", &v), 0);
	assert_int_equal(kb_value_get(&v, "n")->integer, 55);
	kb_value_free(&v);
	kb_sandbox_free(sb);
	return err;
}

static char *run(const char *code)
{
	return run_with(code, 16u << 20);
}

static void expect_error_mem(const char *code, size_t memory, const char *where, const char *text)
{
	char *err = run_with(code, memory);
	if (!err)
		fail_msg("expected an error containing '%s' from:\n%s", text, code);
	if (!strstr(err, where) || !strstr(err, text))
		fail_msg("expected '%s' ... '%s' in the error, got: %s", where, text, err);
	free(err);
}

static void expect_error(const char *code, const char *where, const char *text)
{
	char *err = run(code);
	if (!err)
		fail_msg("expected an error containing '%s' from:\n%s", text, code);
	if (!strstr(err, where) || !strstr(err, text))
		fail_msg("expected '%s' ... '%s' in the error, got: %s", where, text, err);
	free(err);
}

static void test_io(void **s) { expect_error("local f = io.open('/etc/passwd')\n", "t/lesson.lua:1:", "'io' is not available"); }
static void test_os(void **s) { expect_error("\nos.execute('touch /tmp/pwned')\n", "t/lesson.lua:2:", "'os' is not available"); }
static void test_require(void **s) { expect_error("require('socket')\n", "t/lesson.lua:1:", "'require' is not available"); }
static void test_load(void **s) { expect_error("local f = load('return 1')\n", "t/lesson.lua:1:", "'load' is not available"); }
static void test_loadfile(void **s) { expect_error("loadfile('/etc/passwd')\n", "t/lesson.lua:1:", "'loadfile' is not available"); }
static void test_dofile(void **s) { expect_error("dofile('/etc/passwd')\n", "t/lesson.lua:1:", "'dofile' is not available"); }
static void test_debug(void **s) { expect_error("debug.sethook()\n", "t/lesson.lua:1:", "'debug' is not available"); }
static void test_package(void **s) { expect_error("package.loadlib('x', 'y')\n", "t/lesson.lua:1:", "'package' is not available"); }
static void test_string_dump(void **s) { expect_error("local d = string.dump(print)\n", "t/lesson.lua:1:", "string.dump is not available"); }
static void test_string_dump_method(void **s)
{
	/* ("").dump reaches the same locked table */
	expect_error("local d = (''):dump()\n", "t/lesson.lua:1:", "string.dump is not available");
}
static void test_collectgarbage(void **s) { expect_error("collectgarbage('stop')\n", "t/lesson.lua:1:", "'collectgarbage' is not available"); }
static void test_getfield_g(void **s) { expect_error("local g = _G.os\n", "t/lesson.lua:1:", "'_G' is not available"); }

static void test_new_global(void **s)
{
	expect_error("helper = 1\n", "t/lesson.lua:1:", "undeclared global 'helper'");
}

static void test_endless_loop(void **s)
{
	expect_error("local n = 0\nwhile true do n = n + 1 end\n", "t/lesson.lua:2:", "ran too long");
}

static void test_endless_loop_pcall(void **s)
{
	/* a lesson cannot swallow the budget error with pcall */
	expect_error("while true do pcall(function() while true do end end) end\n", "t/lesson.lua:1:", "ran too long");
}

static void test_memory_bomb(void **s)
{
	expect_error("local t = {}\nlocal i = 0\nwhile true do i = i + 1; t[i] = ('x'):rep(1000) .. i end\n",
		     "t/lesson.lua:", "too much memory");
}

static void test_memory_one_big(void **s)
{
	/* one huge allocation: refused at once, blamed on the file */
	expect_error("local s = ('x'):rep(1 << 30)\n", "t/lesson.lua:", "too much memory");
}

static void test_memory_pcall(void **s)
{
	expect_error("local t = {}\nwhile true do pcall(function() t[#t + 1] = ('y'):rep(1 << 16) .. #t end) end\n",
		     "t/lesson.lua:", "too much memory");
}

static void test_interrupt(void **s)
{
	/* Ctrl-C reaches lesson code: the hook raises "interrupted" */
	struct kb_sandbox *sb;
	assert_int_equal(kb_sandbox_new(&sb, NULL), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	const char *code = "local n = 0\nwhile true do n = n + 1 end\n";
	struct kb_value v;
	kb_interrupted = 1;
	int rc = kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v);
	kb_interrupted = 0;
	assert_int_equal(rc, KB_ELESSON);
	assert_non_null(strstr(kb_error_last(), "t/lesson.lua:2: interrupted"));
	kb_value_free(&v);
	kb_sandbox_free(sb);
}

static void test_deep_recursion(void **s)
{
	/* with the default memory cap, Lua's own stack limit stops it first */
	expect_error_mem("local function f(n) return 1 + f(n + 1) end\nf(1)\n", KB_SANDBOX_MEMORY,
			 "t/lesson.lua:1:", "stack overflow");
	/* with a small cap, the memory cap does */
	expect_error("local function f(n) return 1 + f(n + 1) end\nf(1)\n", "t/lesson.lua:1:", "too much memory");
}

static void test_c_stack(void **s)
{
	/* recursion through a metamethod uses the C stack: Lua's C-call limit stops it */
	expect_error("local t = setmetatable({}, {__index = function(t, k) return t[k .. 'x'] end})\nlocal v = t.a\n",
		     "t/lesson.lua:", "stack overflow");
}

static void test_error_table(void **s) { expect_error("\n\nerror({code = 1})\n", "t/lesson.lua:3:", "a table value"); }
static void test_error_nil(void **s) { expect_error("error(nil)\n", "t/lesson.lua:1:", "with nil"); }
static void test_error_level0(void **s) { expect_error("\nerror('plain', 0)\n", "t/lesson.lua:2:", "plain"); }

static void test_setmetatable_env(void **s)
{
	expect_error("setmetatable(_ENV, {__index = function() return nil end})\n", "t/lesson.lua:1:",
		     "protected metatable");
}

static void test_getmetatable_env(void **s)
{
	/* the environment's metatable cannot be reached to loosen it */
	expect_error("local mt = getmetatable(_ENV)\nmt.__index = nil\n", "t/lesson.lua:2:", "index a string value");
}

static void test_gc_metamethod(void **s)
{
	expect_error("setmetatable({}, {__gc = function() while true do end end})\n", "t/lesson.lua:1:", "__gc");
}

static void test_bytecode(void **s)
{
	expect_error("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", "t/lesson.lua", "bytecode");
}

static void test_syntax(void **s) { expect_error("lesson {\n id = 'x'\n title = 'y'\n}\n", "t/lesson.lua:3:", "expected"); }

static void test_no_root(void **s) { expect_error("local x = 1\n", "t/lesson.lua:1:", "never calls lesson"); }

static void test_root_twice(void **s)
{
	expect_error("lesson { id = 'a' }\nlesson { id = 'b' }\n", "t/lesson.lua:2:", "called twice (first on line 1)");
}

static void test_self_table(void **s)
{
	expect_error("local t = {}\nt.t = t\nlesson { t = t }\n", "t/lesson.lua:3", "nested more than");
}

static void test_snapshot(void **s)
{
	struct kb_sandbox *sb;
	assert_int_equal(kb_sandbox_new(&sb, NULL), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	kb_sandbox_add_builder(sb, "task", false);
	kb_sandbox_add_builder(sb, "page", false);
	const char *code = "lesson {\n  id = 'x', year = 2021, ratio = 0.5,\n  steps = {\n    page 'intro.md',\n"
			   "    task {\n      check = function(kb)\n        return true\n      end,\n    },\n  },\n}\n";
	struct kb_value v;
	assert_int_equal(kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v), 0);
	assert_int_equal(v.line, 1);
	assert_string_equal(v.kind, "lesson");
	assert_string_equal(kb_value_get(&v, "id")->str, "x");
	assert_true(kb_value_get(&v, "year")->is_integer);
	assert_false(kb_value_get(&v, "ratio")->is_integer);
	const struct kb_value *steps = kb_value_get(&v, "steps");
	assert_int_equal(steps->n_items, 2);
	assert_string_equal(steps->items[0].kind, "page");
	assert_int_equal(steps->items[0].line, 4);
	assert_string_equal(steps->items[0].items[0].str, "intro.md");
	assert_int_equal(steps->items[1].line, 5);
	const struct kb_value *check = kb_value_get(&steps->items[1], "check");
	assert_int_equal(check->type, KB_V_FUNCTION);
	assert_int_equal(check->line, 6);
	assert_null(kb_value_get(&v, "missing"));
	kb_value_free(&v);
	kb_sandbox_free(sb);
}

static void test_print_captured(void **s)
{
	struct kb_sandbox *sb;
	assert_int_equal(kb_sandbox_new(&sb, NULL), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	const char *code = "print('hello', 42)\nlesson {}\n";
	struct kb_value v;
	assert_int_equal(kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v), 0);
	char *out = kb_sandbox_take_output(sb);
	assert_string_equal(out, "hello\t42\n");
	free(out);
	kb_value_free(&v);
	kb_sandbox_free(sb);
}

static void test_safe_libraries_work(void **s)
{
	assert_null(run("local a = string.format('%d', 3) .. table.concat({1, 2}, ',') .. math.floor(2.5)\n"
			"assert(utf8.len('é') == 1)\nassert(select('#', 1, 2) == 2)\n"
			"assert(pcall(error, 'x') == false)\nlesson { a = a }\n"));
}

/* The numbers a lesson draws after kb_sandbox_seed(sb, seed), as the lesson's table's
 * field "draws": three integers. */
static void draws_after_seed(unsigned long long seed, long long out[3])
{
	struct kb_sandbox *sb;
	assert_int_equal(kb_sandbox_new(&sb, NULL), 0);
	kb_sandbox_add_builder(sb, "lesson", true);
	kb_sandbox_seed(sb, seed);
	const char *code = "lesson { a = math.random(1, 1000000), b = math.random(1, 1000000), "
			   "c = math.random(1, 1000000) }\n";
	struct kb_value v;
	assert_int_equal(kb_sandbox_run_string(sb, code, strlen(code), "t/lesson.lua", "lesson", &v), 0);
	out[0] = kb_value_get(&v, "a")->integer;
	out[1] = kb_value_get(&v, "b")->integer;
	out[2] = kb_value_get(&v, "c")->integer;
	kb_value_free(&v);
	kb_sandbox_free(sb);
}

/* kbridge check --seed N: the same seed draws the same numbers, another seed others */
static void test_seed_replays(void **s)
{
	long long a[3], b[3], c[3];
	draws_after_seed(123456789, a);
	draws_after_seed(123456789, b);
	draws_after_seed(987654321, c);
	assert_memory_equal(a, b, sizeof a);
	assert_true(a[0] != c[0] || a[1] != c[1] || a[2] != c[2]);
}

/* a lesson cannot reseed math.random behind the check's back */
static void test_no_randomseed(void **s)
{
	expect_error("math.randomseed(1)\n", "t/lesson.lua:1:", "math.randomseed is not available");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_io),
	cmocka_unit_test(test_os),
	cmocka_unit_test(test_require),
	cmocka_unit_test(test_load),
	cmocka_unit_test(test_loadfile),
	cmocka_unit_test(test_dofile),
	cmocka_unit_test(test_debug),
	cmocka_unit_test(test_package),
	cmocka_unit_test(test_string_dump),
	cmocka_unit_test(test_string_dump_method),
	cmocka_unit_test(test_seed_replays),
	cmocka_unit_test(test_no_randomseed),
	cmocka_unit_test(test_collectgarbage),
	cmocka_unit_test(test_getfield_g),
	cmocka_unit_test(test_new_global),
	cmocka_unit_test(test_endless_loop),
	cmocka_unit_test(test_endless_loop_pcall),
	cmocka_unit_test(test_memory_bomb),
	cmocka_unit_test(test_memory_one_big),
	cmocka_unit_test(test_memory_pcall),
	cmocka_unit_test(test_interrupt),
	cmocka_unit_test(test_deep_recursion),
	cmocka_unit_test(test_c_stack),
	cmocka_unit_test(test_error_table),
	cmocka_unit_test(test_error_nil),
	cmocka_unit_test(test_error_level0),
	cmocka_unit_test(test_setmetatable_env),
	cmocka_unit_test(test_getmetatable_env),
	cmocka_unit_test(test_gc_metamethod),
	cmocka_unit_test(test_bytecode),
	cmocka_unit_test(test_syntax),
	cmocka_unit_test(test_no_root),
	cmocka_unit_test(test_root_twice),
	cmocka_unit_test(test_self_table),
	cmocka_unit_test(test_snapshot),
	cmocka_unit_test(test_print_captured),
	cmocka_unit_test(test_safe_libraries_work),
};

KB_TEST_MAIN(tests)

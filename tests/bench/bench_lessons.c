/* bench_lessons.c - figures for the lesson engine (scripts/bench-lessons.sh builds and
 * runs it): loading a pack, and what the sandbox costs a check's Lua.
 *   bench_lessons PACK_DIR     median load time of the pack (manifest + every lesson)
 *   and the same Lua work (matching lines of a kernel log, building tables) run in a
 *   kbridge sandbox (count hook, capped allocator, locked _ENV) and in a bare Lua state. */
#define _GNU_SOURCE
#include "engine/lesson.h"
#include "engine/sandbox.h"
#include "base/util.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 15

/* a check's Lua side, heavier than most: scan a 400-line kernel log 200 times */
static const char work[] =
	"local lines = {}\n"
	"for i = 1, 400 do lines[i] = string.format('[%%12.6f] kb_add: line %%d of the log', i / 1000, i) end\n"
	"local log = table.concat(lines, '\\n') .. '\\nHello from Rust\\n'\n"
	"local found = 0\n"
	"for round = 1, 200 do\n"
	"  for line in log:gmatch('[^\\n]+') do\n"
	"    if line:find('Hello from Rust', 1, true) then found = found + 1 end\n"
	"  end\n"
	"  local t = {}\n"
	"  for i = 1, 100 do t[#t + 1] = { name = 'case' .. i, ok = i %% 7 ~= 0 } end\n"
	"end\n"
	"%s\n";

static double run_sandboxed(void)
{
	struct kb_sandbox *sb;
	struct kb_sandbox_limits lim = {KB_SANDBOX_MEMORY, KB_SANDBOX_CHECK_INSTRUCTIONS};
	if (kb_sandbox_new(&sb, &lim) < 0)
		kb_die("%s", kb_error_last());
	kb_sandbox_add_builder(sb, "lesson", true);
	char *code = kb_asprintf(work, "lesson { found = found }");
	struct kb_value v;
	double t0 = kb_now();
	if (kb_sandbox_run_string(sb, code, strlen(code), "bench.lua", "lesson", &v) < 0)
		kb_die("sandboxed run: %s", kb_error_last());
	double t = kb_now() - t0;
	if (kb_value_get(&v, "found")->integer != 200)
		kb_die("sandboxed run found %lld", kb_value_get(&v, "found")->integer);
	kb_value_free(&v);
	kb_sandbox_free(sb);
	free(code);
	return t;
}

static double run_bare(void)
{
	lua_State *L = luaL_newstate();
	luaL_openlibs(L);
	char *code = kb_asprintf(work, "assert(found == 200)");
	double t0 = kb_now();
	if (luaL_loadbuffer(L, code, strlen(code), "bench.lua") || lua_pcall(L, 0, 0, 0))
		kb_die("bare run: %s", lua_tostring(L, -1));
	double t = kb_now() - t0;
	lua_close(L);
	free(code);
	return t;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		kb_die("usage: bench_lessons PACK_DIR");
	double load[RUNS], sand[RUNS], bare[RUNS];
	size_t n_lessons = 0;
	for (int i = 0; i < RUNS; i++) {
		struct kb_pack p;
		double t0 = kb_now();
		if (kb_pack_load(&p, argv[1]) < 0 || kb_pack_errors(&p))
			kb_die("cannot load %s: %s", argv[1], p.n_lessons ? p.lessons[0].error : kb_error_last());
		load[i] = (kb_now() - t0) * 1000;
		n_lessons = p.n_lessons;
		kb_pack_free(&p);
	}
	for (int i = 0; i < RUNS; i++) {
		sand[i] = run_sandboxed() * 1000;
		bare[i] = run_bare() * 1000;
	}
	double ms = kb_median(load, RUNS), s = kb_median(sand, RUNS), b = kb_median(bare, RUNS);
	printf("pack load: %zu lessons in %.2f ms (median of %d; goal <= 20 ms)\n", n_lessons, ms, RUNS);
	printf("lua work, sandboxed: %.2f ms   bare Lua state: %.2f ms   difference: %+.2f ms (%+.1f %%)\n",
	       s, b, s - b, b > 0 ? (s - b) / b * 100 : 0);
	return 0;
}

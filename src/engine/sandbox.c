/* sandbox.c - the Lua state lessons run in: allocator with a cap, count hook with a
 * budget, allow-listed environment, text-only loading, one protected call wrapper.
 * See sandbox.h for what a lesson can and cannot reach. */
#define _GNU_SOURCE
#include "engine/sandbox.h"
#include "base/util.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOOK_EVERY 1000                     /* instructions between two count hooks */
#define MEM_SLACK ((size_t)4 << 20)         /* room past the cap to raise the error */
#define OUTPUT_CAP (64 * 1024)       /* all of a check's print() */
#define PRINT_CAP (4 * 1024)          /* one print() call */
#define FILE_CAP ((size_t)1 << 20)
#define SNAP_DEPTH 24
#define SNAP_NODES 200000

/* registry keys */
static const char REG_ENV = 'e';      /* the lesson environment */
static const char REG_LINES = 'l';    /* weak table: builder table -> line */
static const char REG_KINDS = 'k';    /* weak table: builder table -> kind name */
static const char REG_ROOT = 'r';     /* the root builder's table */
static const char REG_RANDOMSEED = 's';  /* math.randomseed, kept from lessons for kb_sandbox_seed() */

struct kb_sandbox {
	lua_State *L;
	size_t used, limit;
	long long instr_limit, count;
	volatile bool instr_tripped, mem_tripped;
	bool in_call;
	struct kb_buf out;
	size_t out_dropped;    /* bytes of print() beyond OUTPUT_CAP since the last take */
	char *traceback;
	int root_line;
};

/* ---- memory ------------------------------------------------------------------------ */

static void trip(struct kb_sandbox *sb);

static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct kb_sandbox *sb = ud;
	if (!ptr)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		sb->used -= osize;
		return NULL;
	}
	if (sb->limit && nsize > osize) {
		size_t after = sb->used - osize + nsize;
		if (after > sb->limit) {
			if (!sb->mem_tripped && sb->in_call) {
				sb->mem_tripped = true;
				trip(sb);
			}
			/* let the error machinery allocate its message; refuse what is beyond */
			if (!sb->in_call || after > sb->limit + MEM_SLACK)
				return NULL;
		}
	}
	void *p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	sb->used = sb->used - osize + nsize;
	return p;
}

/* ---- the instruction budget -------------------------------------------------------- */

static struct kb_sandbox *sandbox_of(lua_State *L)
{
	return *(struct kb_sandbox **)lua_getextraspace(L);
}

/* The two limits' messages, without their position: the hook raises them after
   "file:line: ", and kb_sandbox_pcall() knows the hook's own raise by this text. */
#define MSG_TOO_LONG N_("the lesson ran too long (more than %d million Lua instructions in one call): is there an endless loop?")
#define MSG_TOO_MUCH N_("the lesson used too much memory (more than %d MiB)")

static void sb_hook(lua_State *L, lua_Debug *ar)
{
	struct kb_sandbox *sb = sandbox_of(L);
	if (kb_interrupted) {
		/* Ctrl-C (or SIGTERM) stops lesson code too */
		trip(sb);
		lua_getinfo(L, "Sl", ar);
		lua_pushfstring(L, "%s:%d: interrupted", ar->short_src, ar->currentline);
		lua_error(L);
	}
	if (!sb->instr_tripped && !sb->mem_tripped) {
		sb->count += HOOK_EVERY;
		if (!sb->instr_limit || sb->count <= sb->instr_limit)
			return;
		trip(sb);
		sb->instr_tripped = true;
	}
	/* tripped: raise on every instruction until control is back in C, so a pcall
	   inside the lesson cannot swallow it */
	lua_getinfo(L, "Sl", ar);
	lua_pushfstring(L, "%s:%d: ", ar->short_src, ar->currentline);
	if (sb->instr_tripped)
		lua_pushfstring(L, _(MSG_TOO_LONG), (int)(sb->instr_limit / 1000000));
	else
		lua_pushfstring(L, _(MSG_TOO_MUCH), (int)(sb->limit >> 20));
	lua_concat(L, 2);
	lua_error(L);
}

static void trip(struct kb_sandbox *sb)
{
	/* lua_sethook may be called at any moment (it is signal-safe) */
	lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, 1);
}

static void arm_hook(struct kb_sandbox *sb)
{
	sb->count = 0;
	sb->instr_tripped = false;
	sb->mem_tripped = false;
	/* the hook also carries the memory trip, so it stays on even without a budget */
	lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, HOOK_EVERY);
}

/* ---- the environment --------------------------------------------------------------- */

static int env_index(lua_State *L)
{
	const char *k = lua_tostring(L, 2);
	if (k)
		return luaL_error(L, _("'%s' is not available in a lesson (unknown global; declare your own "
				    "variables with 'local')"), k);
	return luaL_error(L, _("unknown global (a %s key) read in a lesson"), luaL_typename(L, 2));
}

static int env_newindex(lua_State *L)
{
	const char *k = lua_tostring(L, 2);
	if (k)
		return luaL_error(L, _("assignment to undeclared global '%s' (lessons declare their variables "
				    "and functions with 'local')"), k);
	return luaL_error(L, "%s", _("assignment to an undeclared global in a lesson"));
}

static int lib_index(lua_State *L)
{
	const char *lib = lua_tostring(L, lua_upvalueindex(1));
	const char *k = lua_tostring(L, 2);
	return luaL_error(L, _("%s.%s is not available in a lesson"), lib, k ? k : "?");
}

/* print(): its arguments joined by tabs, each call cut at PRINT_CAP (head and tail kept,
   with a note of what was left out), and all of a check's at OUTPUT_CAP (counted, and told
   by kb_sandbox_take_output). The line is copied whole first: it is no larger than the Lua
   strings it is made of, which the memory limit bounds. */
static int sb_print(lua_State *L)
{
	struct kb_sandbox *sb = sandbox_of(L);
	int n = lua_gettop(L);
	struct kb_buf line = KB_BUF_INIT;
	for (int i = 1; i <= n; i++) {
		size_t len;
		const char *s = luaL_tolstring(L, i, &len);
		if (i > 1)
			kb_buf_add(&line, "\t", 1);
		kb_buf_add(&line, s, len);
		lua_pop(L, 1);
	}
	kb_buf_add(&line, "\n", 1);
	char *text = kb_str_cut(line.data, line.len, PRINT_CAP, _("one print"));
	kb_buf_free(&line);
	size_t tlen = strlen(text);
	size_t room = sb->out.len < OUTPUT_CAP ? OUTPUT_CAP - sb->out.len : 0;
	kb_buf_add(&sb->out, text, tlen < room ? tlen : room);
	if (tlen > room)
		sb->out_dropped += tlen - room;
	free(text);
	return 0;
}

/* setmetatable without __gc: finalizers run with hooks off, so a loop in one could
   never be stopped */
static int sb_setmetatable(lua_State *L)
{
	if (lua_type(L, 2) == LUA_TTABLE) {
		lua_getfield(L, 2, "__gc");
		bool has_gc = !lua_isnil(L, -1);
		lua_pop(L, 1);
		if (has_gc)
			return luaL_error(L, "%s", _("__gc metamethods are not available in a lesson"));
	}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

static void lock_lib(lua_State *L, const char *name)
{
	/* the library table is on top */
	lua_createtable(L, 0, 2);
	lua_pushstring(L, name);
	lua_pushcclosure(L, lib_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushstring(L, "locked");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
}

static int sb_init(lua_State *L)
{
	static const char *const base_allowed[] = {
		"assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
		"rawset", "select", "getmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION",
		NULL,
	};
	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	int g = lua_gettop(L);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);
	int utf8 = lua_gettop(L), math = utf8 - 1, table = utf8 - 2, string = utf8 - 3;

	/* nothing unsafe stays reachable, not even from the real globals */
	static const char *const base_removed[] = {"load", "loadfile", "dofile", "collectgarbage", "require", NULL};
	for (const char *const *n = base_removed; *n; n++) {
		lua_pushnil(L);
		lua_setfield(L, g, *n);
	}
	lua_pushnil(L);
	lua_setfield(L, string, "dump");   /* also gone from ("").dump: same table */
	/* kbridge seeds math.random for each check (kb_sandbox_seed), so that a check can be
	   replayed with its seed: a lesson may not reseed it */
	lua_getfield(L, math, "randomseed");
	lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_RANDOMSEED);
	lua_pushnil(L);
	lua_setfield(L, math, "randomseed");

	lua_createtable(L, 0, 32);
	int env = lua_gettop(L);
	for (const char *const *n = base_allowed; *n; n++) {
		lua_getfield(L, g, *n);
		lua_setfield(L, env, *n);
	}
	lua_pushcfunction(L, sb_print);
	lua_setfield(L, env, "print");
	lua_getfield(L, g, "setmetatable");
	lua_pushcclosure(L, sb_setmetatable, 1);
	lua_setfield(L, env, "setmetatable");
	const struct { int idx; const char *name; } libs[] = {
		{string, "string"}, {table, "table"}, {math, "math"}, {utf8, "utf8"},
	};
	for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
		lua_pushvalue(L, libs[i].idx);
		lock_lib(L, libs[i].name);
		lua_setfield(L, env, libs[i].name);
	}
	lua_createtable(L, 0, 3);
	lua_pushcfunction(L, env_index);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, env_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushstring(L, "the lesson environment is locked");
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, env);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_ENV);

	for (int i = 0; i < 2; i++) {
		lua_createtable(L, 0, 8);
		lua_createtable(L, 0, 1);
		lua_pushstring(L, "k");
		lua_setfield(L, -2, "__mode");
		lua_setmetatable(L, -2);
		lua_rawsetp(L, LUA_REGISTRYINDEX, i ? &REG_KINDS : &REG_LINES);
	}
	return 0;
}

/* ---- errors -------------------------------------------------------------------------- */

/* "name:12:" at the start of a message? */
static bool has_position(const char *s)
{
	const char *c = strchr(s, ':');
	if (!c || c == s || memchr(s, '\n', (size_t)(c - s)))
		return false;
	const char *d = c + 1;
	if (*d < '0' || *d > '9')
		return false;
	while (*d >= '0' && *d <= '9')
		d++;
	return *d == ':';
}

/* The traceback handler: any error value becomes "file:line: message" + traceback. */
static int sb_msgh(lua_State *L)
{
	const char *msg;
	if (lua_type(L, 1) == LUA_TSTRING)
		msg = lua_tostring(L, 1);
	else if (lua_type(L, 1) == LUA_TNIL)
		msg = _("error() was called with nil (no message)");
	else
		/* never call __tostring here: it is lesson code and the error may be the budget */
		msg = lua_pushfstring(L, _("error() was called with a %s value, not a message"), luaL_typename(L, 1));
	if (!has_position(msg)) {
		lua_Debug ar;
		for (int level = 1; lua_getstack(L, level, &ar); level++) {
			lua_getinfo(L, "Sl", &ar);
			if (ar.currentline > 0) {
				msg = lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, msg);
				break;
			}
		}
	}
	luaL_traceback(L, L, msg, 1);
	return 1;
}

void kb_sandbox_set_limits(struct kb_sandbox *sb, const struct kb_sandbox_limits *lim)
{
	sb->limit = lim ? lim->memory : KB_SANDBOX_MEMORY;
	sb->instr_limit = lim ? lim->instructions : KB_SANDBOX_LOAD_INSTRUCTIONS;
}

int kb_sandbox_pcall(struct kb_sandbox *sb, int nargs, int nresults, const char *fallback_where)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs;
	char where[256];
	if (fallback_where) {
		snprintf(where, sizeof where, "%s", fallback_where);
	} else {
		lua_Debug ar;
		lua_pushvalue(L, base);
		lua_getinfo(L, ">S", &ar);
		if (ar.linedefined > 0)
			snprintf(where, sizeof where, "%s:%d", ar.short_src, ar.linedefined);
		else
			snprintf(where, sizeof where, "%s", ar.short_src);
	}
	lua_pushcfunction(L, sb_msgh);
	lua_insert(L, base);
	free(sb->traceback);
	sb->traceback = NULL;
	arm_hook(sb);
	sb->in_call = true;
	int st = lua_pcall(L, nargs, nresults, base);
	sb->in_call = false;
	bool instr = sb->instr_tripped, mem = sb->mem_tripped;
	arm_hook(sb);
	lua_remove(L, base);
	if (st == LUA_OK)
		return 0;

	const char *raw = lua_tostring(L, -1);
	char *too_much = kb_asprintf(_(MSG_TOO_MUCH), (int)(sb->limit >> 20));
	char *too_long = kb_asprintf(_(MSG_TOO_LONG), (int)(sb->instr_limit / 1000000));
	char *msg;
	if (st == LUA_ERRMEM || (mem && st == LUA_ERRERR) || (mem && (!raw || !strstr(raw, too_much))))
		msg = kb_asprintf("%s: %s", where, too_much);
	else if (instr && (st == LUA_ERRERR || !raw || !strstr(raw, too_long)))
		msg = kb_asprintf("%s: %s", where, too_long);
	else if (st == LUA_ERRERR)
		msg = kb_asprintf(_("%s: error while handling an error (a stack overflow in the lesson?)"), where);
	else
		msg = kb_strdup(raw ? raw : _("unknown error"));
	free(too_much);
	free(too_long);
	char *tb = strstr(msg, "\nstack traceback:\n");
	if (tb) {
		sb->traceback = kb_strdup(tb + 1);
		*tb = '\0';
	}
	lua_pop(L, 1);
	lua_gc(L, LUA_GCCOLLECT);
	int rc = kb_error_set(KB_ELESSON, "%s", msg);
	free(msg);
	return rc;
}

const char *kb_sandbox_traceback(const struct kb_sandbox *sb)
{
	return sb->traceback ? sb->traceback : "";
}

char *kb_sandbox_take_output(struct kb_sandbox *sb)
{
	if (sb->out_dropped) {
		if (sb->out.len && sb->out.data[sb->out.len - 1] != '\n')
			kb_buf_add(&sb->out, "\n", 1);
		kb_buf_printf(&sb->out, _("[... %zu more bytes of print left out (a check's print is capped at %d "
					"KiB) ...]\n"), sb->out_dropped, OUTPUT_CAP / 1024);
		sb->out_dropped = 0;
	}
	return kb_buf_detach(&sb->out);
}

/* ---- life ---------------------------------------------------------------------------- */

int kb_sandbox_new(struct kb_sandbox **out, const struct kb_sandbox_limits *lim)
{
	*out = NULL;
	struct kb_sandbox *sb = kb_calloc(1, sizeof *sb);
	kb_sandbox_set_limits(sb, lim);
	sb->L = lua_newstate(sb_alloc, sb);
	if (!sb->L) {
		free(sb);
		return kb_error_set(KB_ENOMEM, "cannot create a Lua state");
	}
	*(struct kb_sandbox **)lua_getextraspace(sb->L) = sb;
	lua_pushcfunction(sb->L, sb_init);
	if (kb_sandbox_pcall(sb, 0, 0, "sandbox") < 0) {
		char *why = kb_strdup(kb_error_last());
		int rc = kb_error_set(KB_ENOMEM, "cannot set up the Lua sandbox: %s", why);
		free(why);
		kb_sandbox_free(sb);
		return rc;
	}
	*out = sb;
	return 0;
}

void kb_sandbox_free(struct kb_sandbox *sb)
{
	if (!sb)
		return;
	if (sb->L) {
		lua_sethook(sb->L, NULL, 0, 0);
		lua_close(sb->L);
	}
	kb_buf_free(&sb->out);
	free(sb->traceback);
	free(sb);
}

struct lua_State *kb_sandbox_lua(struct kb_sandbox *sb)
{
	return sb->L;
}

size_t kb_sandbox_memory(const struct kb_sandbox *sb)
{
	return sb->used;
}

void kb_sandbox_set_global(struct kb_sandbox *sb, const char *name)
{
	lua_State *L = sb->L;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_ENV);
	lua_insert(L, -2);
	lua_pushstring(L, name);
	lua_insert(L, -2);
	lua_rawset(L, -3);   /* a new key: __newindex would refuse it */
	lua_pop(L, 1);
}

void kb_sandbox_push_ref(struct kb_sandbox *sb, int ref)
{
	lua_rawgeti(sb->L, LUA_REGISTRYINDEX, ref);
}

/* ---- builders ------------------------------------------------------------------------ */

static int sb_builder(lua_State *L)
{
	const char *name = lua_tostring(L, lua_upvalueindex(1));
	bool root = lua_toboolean(L, lua_upvalueindex(2));
	if (lua_gettop(L) != 1)
		return luaL_error(L, _("%s { ... } takes one argument (got %d)"), name, lua_gettop(L));
	if (root && lua_type(L, 1) != LUA_TTABLE)
		return luaL_error(L, _("%s { ... } takes a table (got a %s)"), name, luaL_typename(L, 1));
	if (lua_type(L, 1) != LUA_TTABLE) {
		lua_createtable(L, 1, 0);
		lua_pushvalue(L, 1);
		lua_rawseti(L, -2, 1);
		lua_replace(L, 1);
	}
	lua_Debug ar;
	int line = 0;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
		line = ar.currentline;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_LINES);
	lua_pushvalue(L, 1);
	lua_pushinteger(L, line);
	lua_rawset(L, -3);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_KINDS);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_rawset(L, -3);
	lua_pop(L, 2);
	if (root) {
		struct kb_sandbox *sb = sandbox_of(L);
		if (lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_ROOT) != LUA_TNIL)
			return luaL_error(L, _("%s { ... } is called twice (first on line %d)"), name, sb->root_line);
		lua_pop(L, 1);
		lua_pushvalue(L, 1);
		lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_ROOT);
		sb->root_line = line;
	}
	lua_settop(L, 1);
	return 1;
}

int kb_sandbox_add_builder(struct kb_sandbox *sb, const char *name, bool root)
{
	lua_State *L = sb->L;
	lua_pushstring(L, name);
	lua_pushboolean(L, root);
	lua_pushcclosure(L, sb_builder, 2);
	kb_sandbox_set_global(sb, name);
	return 0;
}

/* ---- snapshots ----------------------------------------------------------------------- */

/* builder kinds are interned here so kb_value.kind can be a static string */
static const char *intern_kind(const char *k)
{
	static const char *const known[] = {"pack", "lesson", "page", "quiz", "task", NULL};
	for (const char *const *p = known; *p; p++)
		if (strcmp(*p, k) == 0)
			return *p;
	return "builder";
}

struct snap {
	struct kb_sandbox *sb;
	size_t nodes;
	int lines, kinds;   /* stack indexes of the weak tables */
};

static int cmp_field(const void *a, const void *b)
{
	return strcmp(((const struct kb_field *)a)->key, ((const struct kb_field *)b)->key);
}

static void snap_value(lua_State *L, struct snap *s, int idx, struct kb_value *v, int depth)
{
	idx = lua_absindex(L, idx);
	memset(v, 0, sizeof *v);
	luaL_checkstack(L, 8, "snapshot");
	if (++s->nodes > SNAP_NODES)
		luaL_error(L, _("the table is too large (more than %d values)"), SNAP_NODES);
	v->type_name = lua_typename(L, lua_type(L, idx));
	switch (lua_type(L, idx)) {
	case LUA_TNIL:
		v->type = KB_V_NIL;
		return;
	case LUA_TBOOLEAN:
		v->type = KB_V_BOOL;
		v->boolean = lua_toboolean(L, idx);
		return;
	case LUA_TNUMBER:
		v->type = KB_V_NUMBER;
		v->is_integer = lua_isinteger(L, idx);
		v->number = lua_tonumber(L, idx);
		v->integer = v->is_integer ? (long long)lua_tointeger(L, idx) : (long long)v->number;
		return;
	case LUA_TSTRING: {
		size_t len;
		const char *str = lua_tolstring(L, idx, &len);
		v->type = KB_V_STRING;
		v->str = kb_malloc(len + 1);
		memcpy(v->str, str, len);
		v->str[len] = '\0';
		v->len = len;
		return;
	}
	case LUA_TFUNCTION: {
		lua_Debug ar;
		v->type = KB_V_FUNCTION;
		lua_pushvalue(L, idx);
		lua_getinfo(L, ">S", &ar);
		v->line = ar.linedefined;
		lua_pushvalue(L, idx);
		v->ref = luaL_ref(L, LUA_REGISTRYINDEX);
		return;
	}
	case LUA_TTABLE:
		break;
	default:
		v->type = KB_V_OTHER;
		return;
	}
	if (depth > SNAP_DEPTH)
		luaL_error(L, _("tables nested more than %d deep (does a table contain itself?)"), SNAP_DEPTH);
	v->type = KB_V_TABLE;
	lua_pushvalue(L, idx);
	if (lua_rawget(L, s->lines) == LUA_TNUMBER)
		v->line = (int)lua_tointeger(L, -1);
	lua_pop(L, 1);
	lua_pushvalue(L, idx);
	if (lua_rawget(L, s->kinds) == LUA_TSTRING)
		v->kind = intern_kind(lua_tostring(L, -1));
	lua_pop(L, 1);

	size_t n = (size_t)lua_rawlen(L, idx);
	if (n > SNAP_NODES)
		luaL_error(L, _("the table is too large (more than %d values)"), SNAP_NODES);
	/* count string keys first so the arrays are allocated once */
	size_t nf = 0;
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		lua_pop(L, 1);
		if (lua_type(L, -1) == LUA_TSTRING)
			nf++;
		else if (!(lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1 && (size_t)lua_tointeger(L, -1) <= n))
			v->n_other_keys++;
	}
	v->items = kb_calloc(n ? n : 1, sizeof *v->items);
	v->fields = kb_calloc(nf ? nf : 1, sizeof *v->fields);
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		v->n_items = i + 1;
		snap_value(L, s, -1, &v->items[i], depth + 1);
		lua_pop(L, 1);
	}
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		if (lua_type(L, -2) == LUA_TSTRING && v->n_fields < nf) {
			struct kb_field *f = &v->fields[v->n_fields++];
			f->key = kb_strdup(lua_tostring(L, -2));
			snap_value(L, s, -1, &f->value, depth + 1);
		}
		lua_pop(L, 1);
	}
	qsort(v->fields, v->n_fields, sizeof *v->fields, cmp_field);
}

static int snap_entry(lua_State *L)
{
	struct snap *s = lua_touserdata(L, 1);
	struct kb_value *v = lua_touserdata(L, 2);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_LINES);
	s->lines = lua_gettop(L);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_KINDS);
	s->kinds = lua_gettop(L);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_ROOT);
	snap_value(L, s, -1, v, 0);
	return 0;
}

void kb_value_free(struct kb_value *v)
{
	if (!v)
		return;
	free(v->str);
	for (size_t i = 0; i < v->n_items; i++)
		kb_value_free(&v->items[i]);
	free(v->items);
	for (size_t i = 0; i < v->n_fields; i++) {
		free(v->fields[i].key);
		kb_value_free(&v->fields[i].value);
	}
	free(v->fields);
	memset(v, 0, sizeof *v);
}

const struct kb_value *kb_value_get(const struct kb_value *t, const char *key)
{
	if (!t || t->type != KB_V_TABLE)
		return NULL;
	size_t lo = 0, hi = t->n_fields;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(t->fields[mid].key, key);
		if (c == 0)
			return t->fields[mid].value.type == KB_V_NIL ? NULL : &t->fields[mid].value;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- running a file ------------------------------------------------------------------ */

/* Compile `text` as a Lua text chunk (bytecode refused) named `chunkname` in the lesson's
 * environment, under the memory cap and the budget, and call it, leaving `nresults`
 * values on the stack. Returns 0, or KB_ELESSON (kb_error_last(): "file:line: ...")
 * with the stack back at its height before the call. */
static int run_chunk(struct kb_sandbox *sb, const char *text, size_t len, const char *chunkname, int nresults)
{
	lua_State *L = sb->L;
	int top = lua_gettop(L);
	char *name = kb_asprintf("@%s", chunkname);
	sb->in_call = true;   /* the memory cap holds while compiling too */
	arm_hook(sb);
	int st = luaL_loadbufferx(L, text, len, name, "t");
	sb->in_call = false;
	free(name);
	if (st != LUA_OK) {
		const char *m = lua_tostring(L, -1);
		int rc;
		if (st == LUA_ERRMEM)
			rc = kb_error_set(KB_ELESSON, "%s: the lesson used too much memory while loading", chunkname);
		else if (m && strstr(m, "binary chunk"))
			rc = kb_error_set(KB_ELESSON, "%s: precompiled Lua (bytecode) is refused: a lesson is Lua text",
					  chunkname);
		else
			rc = kb_error_set(KB_ELESSON, "%s", m ? m : "cannot load");
		lua_settop(L, top);
		return rc;
	}
	lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_ENV);
	if (!lua_setupvalue(L, -2, 1))
		lua_pop(L, 1);
	char where[300];
	snprintf(where, sizeof where, "%s:1", chunkname);
	int rc = kb_sandbox_pcall(sb, 0, nresults, where);
	if (rc < 0)
		lua_settop(L, top);
	return rc;
}

int kb_sandbox_run_string(struct kb_sandbox *sb, const char *text, size_t len, const char *chunkname,
			  const char *root_name, struct kb_value *root)
{
	lua_State *L = sb->L;
	memset(root, 0, sizeof *root);
	root->type_name = "nil";
	int top = lua_gettop(L);
	lua_pushnil(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &REG_ROOT);

	int rc = run_chunk(sb, text, len, chunkname, 0);
	if (rc < 0)
		return rc;
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_ROOT) == LUA_TNIL) {
		lua_settop(L, top);
		return kb_error_set(KB_ELESSON, "%s:1: the file never calls %s { ... }", chunkname, root_name);
	}
	lua_pop(L, 1);
	struct snap s = {.sb = sb};
	lua_pushcfunction(L, snap_entry);
	lua_pushlightuserdata(L, &s);
	lua_pushlightuserdata(L, root);
	char where[300];
	snprintf(where, sizeof where, "%s:%d", chunkname, sb->root_line);
	rc = kb_sandbox_pcall(sb, 2, 0, where);
	lua_settop(L, top);
	if (rc < 0) {
		char *m = kb_strdup(kb_error_last());
		kb_value_free(root);
		root->type_name = "nil";
		/* a message from C has no position: name the root call */
		rc = has_position(m) ? kb_error_set(KB_ELESSON, "%s", m)
				     : kb_error_set(KB_ELESSON, "%s: %s", where, m);
		free(m);
	}
	return rc;
}

/* Read a pack's Lua file, at most FILE_CAP bytes: a regular file, never a symbolic link
 * (opened with O_NOFOLLOW; the pack's folders are checked by its loader). Returns 0 with
 * *text (caller frees), or what kb_read_file_beneath() returns, or KB_ELESSON for a file
 * too large. */
static int read_lua_file(char **text, size_t *len, const char *path, const char *chunkname)
{
	char *dir = kb_strdup(path);
	char *slash = strrchr(dir, '/');
	int rc;
	if (slash && slash[1]) {
		*slash = '\0';
		rc = kb_read_file_beneath(text, len, slash == dir ? "/" : dir, slash + 1);
	} else {
		rc = kb_read_file_beneath(text, len, ".", path);
	}
	free(dir);
	if (rc == KB_EINVAL)
		rc = kb_error_set(KB_ELESSON, "%s: %s", chunkname, kb_error_last());
	if (rc < 0)
		return rc;
	if (*len > FILE_CAP) {
		free(*text);
		*text = NULL;
		return kb_error_set(KB_ELESSON, "%s: the file is too large (%zu bytes; a pack's Lua file may hold 1 MiB)",
				    chunkname, *len);
	}
	return 0;
}

int kb_sandbox_run_file(struct kb_sandbox *sb, const char *path, const char *chunkname,
			const char *root_name, struct kb_value *root)
{
	memset(root, 0, sizeof *root);
	root->type_name = "nil";
	char *text;
	size_t len;
	int rc = read_lua_file(&text, &len, path, chunkname);
	if (rc < 0)
		return rc;
	rc = kb_sandbox_run_string(sb, text, len, chunkname, root_name, root);
	free(text);
	return rc;
}

int kb_sandbox_run_helpers(struct kb_sandbox *sb, const char *path, const char *chunkname, const char *global)
{
	char *text;
	size_t len;
	int rc = read_lua_file(&text, &len, path, chunkname);
	if (rc < 0)
		return rc;
	lua_State *L = sb->L;
	int top = lua_gettop(L);
	rc = run_chunk(sb, text, len, chunkname, 1);
	free(text);
	if (rc < 0)
		return rc;
	if (lua_type(L, -1) != LUA_TTABLE) {
		rc = kb_error_set(KB_ELESSON, "%s: must end with 'return { ... }' (a table of helpers), not a %s",
				  chunkname, luaL_typename(L, -1));
		lua_settop(L, top);
		return rc;
	}
	kb_sandbox_set_global(sb, global);
	lua_settop(L, top);
	return 0;
}

void kb_sandbox_seed(struct kb_sandbox *sb, unsigned long long seed)
{
	lua_State *L = sb->L;
	if (lua_rawgetp(L, LUA_REGISTRYINDEX, &REG_RANDOMSEED) != LUA_TFUNCTION) {
		lua_pop(L, 1);
		return;
	}
	lua_pushinteger(L, (lua_Integer)seed);
	lua_call(L, 1, 0);
}

/* sandbox.h - the Lua sandbox lessons run in: a security boundary.
 *
 * One sandbox is one Lua 5.4 state holding one lesson (or one pack manifest). What a
 * lesson can reach:
 *   - only safe libraries: base without load/loadfile/dofile/collectgarbage/require,
 *     string without string.dump, table, math, utf8; no io, os, debug, package;
 *   - its own environment table (_ENV): reading or writing a global that is not on the
 *     allow-list is an error ("'io' is not available in a lesson"), and the
 *     environment's metatable is locked;
 *   - text chunks only (bytecode is refused);
 *   - a budget of VM instructions per call and a cap on memory: past either, the call
 *     is stopped with an error that pcall inside the lesson cannot swallow (the count
 *     hook keeps firing on every instruction until control is back in C);
 *   - every call into Lua goes through kb_sandbox_pcall(): a traceback handler turns
 *     any error value (a string, a table, nil) into "file:line: message", and nothing
 *     the lesson does can crash kbridge.
 *
 * Only sandbox.c and kb_api.c include the Lua headers; the rest of kbridge sees the
 * lesson through kb_value snapshots (plain C data) and function references.
 */
#ifndef KB_SANDBOX_H
#define KB_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

struct lua_State;
struct kb_sandbox;

struct kb_sandbox_limits {
	size_t memory;            /* bytes the Lua state may hold; 0: no cap */
	long long instructions;   /* VM instructions per protected call; 0: no budget */
};
/* Defaults: 64 MiB; 20 million instructions to load a file, 200 million for a check
 * (a check spends its time in builds and boots, in C, which the budget does not count). */
#define KB_SANDBOX_MEMORY ((size_t)64 << 20)
#define KB_SANDBOX_LOAD_INSTRUCTIONS 20000000LL
#define KB_SANDBOX_CHECK_INSTRUCTIONS 200000000LL

/* Make a sandbox. limits may be NULL (the defaults above, load budget). Returns 0,
 * KB_ENOMEM. *out is freed with kb_sandbox_free(). */
int kb_sandbox_new(struct kb_sandbox **out, const struct kb_sandbox_limits *limits);
void kb_sandbox_free(struct kb_sandbox *sb);

/* Change the limits for the following calls. */
void kb_sandbox_set_limits(struct kb_sandbox *sb, const struct kb_sandbox_limits *limits);

/* The Lua state, for kb_api.c only. */
struct lua_State *kb_sandbox_lua(struct kb_sandbox *sb);

/* Bytes the state holds now. */
size_t kb_sandbox_memory(const struct kb_sandbox *sb);

/* Pop the value on top of the Lua stack into the lesson environment as global `name`
 * (the allow-list grows by one). For kb_api.c. */
void kb_sandbox_set_global(struct kb_sandbox *sb, const char *name);

/* Call the function under nargs arguments on the Lua stack, protected: a fresh
 * instruction budget, the traceback handler, and every error turned into one message.
 * Leaves nresults values on success (LUA_MULTRET allowed). Returns 0, or KB_ELESSON with
 * kb_error_last() = "file:line: message" (the traceback is kb_sandbox_traceback()).
 * `fallback_where` names the place to blame when Lua cannot tell ("hello/lesson.lua:20");
 * NULL: the called function's definition. */
int kb_sandbox_pcall(struct kb_sandbox *sb, int nargs, int nresults, const char *fallback_where);

/* The traceback of the last error ("stack traceback:\n..."), or "" . Owned by sb. */
const char *kb_sandbox_traceback(const struct kb_sandbox *sb);

/* What the lesson printed with print() since the last call: each print() cut at 4 KiB
 * (its head and tail kept around "[... N bytes left out (one print is cut at 4096
 * bytes) ...]"), all of them at 64 KiB, then a last line "[... N more bytes of print left
 * out ...]" when more came. Caller frees; never NULL. */
char *kb_sandbox_take_output(struct kb_sandbox *sb);

/* ---- snapshots of Lua values ------------------------------------------------------ */

enum kb_vtype {
	KB_V_NIL,
	KB_V_BOOL,
	KB_V_NUMBER,
	KB_V_STRING,
	KB_V_TABLE,
	KB_V_FUNCTION,
	KB_V_OTHER,      /* userdata, thread: type_name says which */
};

struct kb_field;

/* A plain-C copy of a Lua value. Tables keep their sequence (items, 1..n) and their
 * string keys (fields, sorted by key); other keys are only counted. */
struct kb_value {
	enum kb_vtype type;
	int line;               /* tables made by a builder (task { ... }): the line of the call;
				   functions: the line they are defined on; else 0 */
	const char *kind;       /* the builder that made the table ("task"), or NULL. Static */
	const char *type_name;  /* "nil", "boolean", "number", "string", "table", ... Static */
	bool boolean;
	double number;
	bool is_integer;
	long long integer;
	char *str;              /* KB_V_STRING: the bytes, NUL-terminated (may hold NULs) */
	size_t len;
	int ref;                /* KB_V_FUNCTION: a reference in the sandbox's registry, called
				   with kb_sandbox_push_ref(); 0 otherwise */
	struct kb_value *items; /* KB_V_TABLE: t[1..n_items] */
	size_t n_items;
	struct kb_field *fields;
	size_t n_fields;
	size_t n_other_keys;    /* keys that are neither strings nor 1..n */
};

struct kb_field {
	char *key;
	struct kb_value value;
};

void kb_value_free(struct kb_value *v);
/* t.key for a table snapshot, or NULL when absent (or t is not a table). */
const struct kb_value *kb_value_get(const struct kb_value *t, const char *key);

/* Push the function a KB_V_FUNCTION snapshot refers to. For kb_api.c. */
void kb_sandbox_push_ref(struct kb_sandbox *sb, int ref);

/* ---- running a file --------------------------------------------------------------- */

/* Declare a builder: a global function `name` that takes one table (or one value,
 * which it wraps as { value }), records the line it was called on and its kind, and
 * returns the table. The root builder (lesson, pack) must be called exactly once per
 * file; its table is what kb_sandbox_run_file() hands back. */
int kb_sandbox_add_builder(struct kb_sandbox *sb, const char *name, bool root);

/* Load `path` as Lua text (mode "t": bytecode refused; at most 1 MiB) named `chunkname`
 * in messages (e.g. "hello/lesson.lua"), run it in the lesson environment with the load
 * budget, and snapshot the table given to the root builder `root_name` into *root.
 * Returns 0, or KB_ELESSON / KB_ENOTFOUND / KB_EIO with kb_error_last() =
 * "hello/lesson.lua:12: message". *root is KB_V_NIL on error; free it with
 * kb_value_free(). */
int kb_sandbox_run_file(struct kb_sandbox *sb, const char *path, const char *chunkname,
			const char *root_name, struct kb_value *root);
/* Run the pack's shared helpers file `path` (Lua text, named `chunkname` in messages) in
 * the lesson environment with the load budget; it must return a table, which becomes
 * the global `global` of the lessons that follow in this sandbox. Returns 0 or
 * KB_ELESSON with "helpers.lua:LINE: message". */
int kb_sandbox_run_helpers(struct kb_sandbox *sb, const char *path, const char *chunkname, const char *global);
/* The same for text in memory. */
int kb_sandbox_run_string(struct kb_sandbox *sb, const char *text, size_t len, const char *chunkname,
			  const char *root_name, struct kb_value *root);

/* Seed the lesson's math.random with `seed` (Lua 5.4's xoshiro256**: the same seed gives
 * the same numbers). A check is seeded before it runs, so that `kbridge check --seed N`
 * replays the inputs it drew; lessons cannot call math.randomseed themselves. */
void kb_sandbox_seed(struct kb_sandbox *sb, unsigned long long seed);

#endif

/* test_oops.c - an oops decoded to source lines: the ELF symbol lookup and addr2line on
 * a real object compiled here with debug information (cc -g -c), named like a module. */
#define _GNU_SOURCE
#include "kbtest.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/oops.h"
#include "base/util.h"

static char dir[] = "/tmp/kb-oops-XXXXXX";
static char ko[512];

/* a two-function "module": kbo_read calls kbo_deref, which faults at line 6 */
static const char source[] =
	"struct kbo_item { int value; };\n"                       /* 1 */
	"int kbo_deref(struct kbo_item *item);\n"                 /* 2 */
	"int kbo_read(struct kbo_item *item);\n"                  /* 3 */
	"__attribute__((noinline)) int kbo_deref(struct kbo_item *item)\n" /* 4 */
	"{\n"                                                     /* 5 */
	"\treturn item->value * 3;\n"                             /* 6 */
	"}\n"                                                     /* 7 */
	"int kbo_read(struct kbo_item *item)\n"                   /* 8 */
	"{\n"                                                     /* 9 */
	"\tint v = kbo_deref(item);\n"                            /* 10 */
	"\treturn v + 1;\n"                                       /* 11 */
	"}\n"                                                     /* 12 */
	"#include KBO_LIB\n"                                      /* 13 */
	"__attribute__((noinline)) int kbo_lib_user(struct kbo_item *item)\n" /* 14 */
	"{\n"                                                     /* 15 */
	"\treturn kbo_lib_get(item) + 2;\n"                       /* 16 */
	"}\n";

/* library code outside the learner's tree (as core's slice indexing is for Rust),
 * inlined into kbo_lib_user: the fault's first line is here, line 3 */
static const char library[] =
	"static inline __attribute__((always_inline)) int kbo_lib_get(struct kbo_item *item)\n"
	"{\n"
	"\treturn item->value * 5;\n"
	"}\n";
static char lib[64];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	char *c = kb_asprintf("%s/kbo-mod.c", dir);
	FILE *f = fopen(c, "w");
	if (!f)
		return -1;
	fputs(source, f);
	fclose(f);
	snprintf(lib, sizeof(lib), "/tmp/kb-oops-lib-%ld.h", (long)getpid());
	f = fopen(lib, "w");
	if (!f)
		return -1;
	fputs(library, f);
	fclose(f);
	snprintf(ko, sizeof(ko), "%s/kbo-mod.ko", dir);
	char *cmd = kb_asprintf("cc -g -O1 -DKBO_LIB='\"%s\"' -c -o %s %s", lib, ko, c);
	int rc = system(cmd);
	free(cmd);
	free(c);
	return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	unlink(lib);
	char *cmd = kb_asprintf("rm -rf %s", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void test_elf_symbol(void **state)
{
	(void)state;
	char *section = NULL;
	unsigned long value = 99;
	assert_int_equal(kb_elf_symbol(ko, "kbo_read", &section, &value), 0);
	assert_string_equal(section, ".text");
	free(section);
	assert_int_equal(kb_elf_symbol(ko, "kbo_missing", &section, &value), KB_ENOTFOUND);
	assert_int_equal(kb_elf_symbol("/etc/hostname", "kbo_read", &section, &value), KB_EINVAL);
}

/* The offset inside kbo_deref of the instruction on line 6, and inside kbo_read of the
 * instruction after the call on line 10, found by asking addr2line for every offset. */
static long offset_of_line(const char *func, int line, bool after)
{
	char *section = NULL;
	unsigned long value = 0;
	if (kb_elf_symbol(ko, func, &section, &value) < 0)
		return -1;
	free(section);
	for (long off = 0; off < 64; off++) {
		char *cmd = kb_asprintf("addr2line -e %s 0x%lx", ko, value + (unsigned long)off);
		FILE *p = popen(cmd, "r");
		free(cmd);
		char buf[512] = "";
		if (!p || !fgets(buf, sizeof(buf), p)) {
			if (p)
				pclose(p);
			continue;
		}
		pclose(p);
		char *colon = strrchr(buf, ':');
		int l = colon ? atoi(colon + 1) : 0;
		if (l == line && !after)
			return off;
		if (after && l == line)
			for (long o2 = off + 1; o2 < 64; o2++) {
				char *c2 = kb_asprintf("addr2line -e %s 0x%lx", ko, value + (unsigned long)o2);
				FILE *q = popen(c2, "r");
				free(c2);
				char b2[512] = "";
				if (q && fgets(b2, sizeof(b2), q)) {
					char *c = strrchr(b2, ':');
					if (c && atoi(c + 1) != line) {
						pclose(q);
						return o2;
					}
				}
				if (q)
					pclose(q);
			}
	}
	return -1;
}

static void test_decode_frames(void **state)
{
	(void)state;
	long rip = offset_of_line("kbo_deref", 6, false), ret = offset_of_line("kbo_read", 10, true);
	assert_true(rip >= 0);
	assert_true(ret > 0);
	char *oops = kb_asprintf(
		"[    1.2] BUG: kernel NULL pointer dereference, address: 0000000000000000\n"
		"[    1.2] RIP: 0010:kbo_deref+0x%lx/0x20 [kbo_mod]\n"
		"[    1.2] RAX: 0000000000000000 RBX: 0000000000000001\n"
		"[    1.2] Call Trace:\n"
		"[    1.2]  <TASK>\n"
		"[    1.2]  kbo_read+0x%lx/0x30 [kbo_mod]\n"
		"[    1.2]  do_one_initcall+0x44/0x200\n"
		"[    1.2]  </TASK>\n", rip, ret);
	const char *kos[] = {ko, NULL};
	struct kb_oops_decoded d;
	assert_int_equal(kb_oops_decode(&d, oops, kos, dir), 2);
	assert_true(d.frames[0].rip);
	assert_string_equal(d.frames[0].func, "kbo_deref");
	assert_string_equal(d.frames[0].file, "kbo-mod.c");   /* relative to root */
	assert_int_equal(d.frames[0].line, 6);
	assert_string_equal(d.frames[0].module, "kbo_mod");
	assert_false(d.frames[1].rip);
	assert_string_equal(d.frames[1].func, "kbo_read");
	assert_int_equal(d.frames[1].line, 10);   /* the call, not the line after it */
	assert_string_equal(d.first_at, "kbo-mod.c:6");
	assert_non_null(strstr(d.text, "    at kbo-mod.c:6 (kbo_deref)"));
	assert_non_null(strstr(d.text, "RAX: 0000"));
	assert_null(strstr(d.brief, "RAX:"));   /* the register dump is left out of the brief */
	assert_non_null(strstr(d.brief, "BUG: kernel NULL pointer dereference"));
	assert_non_null(strstr(d.brief, "do_one_initcall"));
	kb_oops_decoded_free(&d);
	free(oops);
}

/* A fault in library code inlined into the learner's function: the frame names the
 * library line, and where to look is the learner's line it was inlined into. */
static void test_look_at_own_code(void **state)
{
	(void)state;
	char *section = NULL;
	unsigned long value = 0;
	assert_int_equal(kb_elf_symbol(ko, "kbo_lib_user", &section, &value), 0);
	free(section);
	long off = -1;
	for (long o = 0; o < 64 && off < 0; o++) {
		char *cmd = kb_asprintf("addr2line -e %s 0x%lx", ko, value + (unsigned long)o);
		FILE *p = popen(cmd, "r");
		free(cmd);
		char buf[512] = "";
		if (p && fgets(buf, sizeof buf, p) && strstr(buf, lib) && strstr(buf, ":3"))
			off = o;
		if (p)
			pclose(p);
	}
	assert_true(off >= 0);
	char *oops = kb_asprintf("RIP: 0010:kbo_lib_user+0x%lx/0x20 [kbo_mod]\n", off);
	const char *kos[] = {ko, NULL};
	struct kb_oops_decoded d;
	assert_int_equal(kb_oops_decode(&d, oops, kos, dir), 1);
	assert_string_equal(d.frames[0].file, lib);        /* the innermost place: the library */
	assert_int_equal(d.frames[0].line, 3);
	assert_string_equal(d.first_at, "kbo-mod.c:16");    /* but look at the learner's line */
	assert_non_null(strstr(d.text, "inlined into kbo-mod.c:16 (kbo_lib_user)"));
	kb_oops_decoded_free(&d);
	free(oops);
}

static void test_nothing_to_decode(void **state)
{
	(void)state;
	const char *kos[] = {ko, NULL};
	struct kb_oops_decoded d;
	/* a frame of another module, a frame of the kernel proper, no text at all */
	assert_int_equal(kb_oops_decode(&d, " other_fn+0x1/0x2 [other]\n do_exit+0x1/0x2\n", kos, dir), 0);
	assert_null(d.first_at);
	assert_non_null(strstr(d.text, "other_fn+0x1/0x2 [other]"));
	kb_oops_decoded_free(&d);
	assert_int_equal(kb_oops_decode(&d, NULL, NULL, NULL), 0);
	kb_oops_decoded_free(&d);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_elf_symbol),
	cmocka_unit_test(test_decode_frames),
	cmocka_unit_test(test_look_at_own_code),
	cmocka_unit_test(test_nothing_to_decode),
};

KB_TEST_MAIN_GROUP(tests, setup, teardown)

/* test_kconfig.c - conf --helpnewconfig's output read into entries: type, prompt,
 * dependencies without the course kernel's values, help text or none. */
#include "kbtest.h"
#include "kernel/kconfig.h"

#include <string.h>

static const char out[] =
	"-----\n"
	"\n"
	"CONFIG_SAMPLE_KBRIDGE_GREETER:\n"
	"\n"
	"A small Rust module.\n"
	"Symbol: in a help text is not conf's line.\n"
	"\n"
	"Symbol: SAMPLE_KBRIDGE_GREETER [=n]\n"
	"Type  : tristate\n"
	"Defined at samples/kbridge/greeter/Kconfig:8\n"
	"  Prompt: Greeter: a Rust sample wired into Kbuild\n"
	"  Depends on: SAMPLES [=y] && RUST [=y]\n"
	"  Location:\n"
	"    -> Greeter: a Rust sample wired into Kbuild (SAMPLE_KBRIDGE_GREETER [=n])\n"
	"\n"
	"\n"
	"\n"
	"-----\n"
	"-----\n"
	"\n"
	"There is no help available for this option.\n"
	"Symbol: B [=n]\n"
	"Type  : bool\n"
	"Defined at k2:7\n"
	"  Prompt: b\n"
	"  Location:\n"
	"    -> b (B [=n])\n"
	"\n"
	"\n"
	"\n"
	"-----\n";

static void test_helpnewconfig_parsed(void **state)
{
	(void)state;
	struct kb_kconfig k = {0};
	kb_kconfig_parse(&k, out);
	assert_int_equal(k.n, 2);
	const struct kb_kconfig_symbol *g = &k.symbols[0], *b = &k.symbols[1];
	assert_string_equal(g->name, "SAMPLE_KBRIDGE_GREETER");
	assert_string_equal(g->type, "tristate");
	assert_string_equal(g->prompt, "Greeter: a Rust sample wired into Kbuild");
	assert_string_equal(g->depends, "SAMPLES && RUST");
	assert_string_equal(g->defined_at, "samples/kbridge/greeter/Kconfig:8");
	assert_string_equal(g->help, "A small Rust module.\nSymbol: in a help text is not conf's line.");
	assert_string_equal(b->name, "B");
	assert_string_equal(b->type, "bool");
	assert_null(b->depends);
	assert_null(b->help);
	kb_kconfig_free(&k);
	assert_int_equal(k.n, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_helpnewconfig_parsed),
};

KB_TEST_MAIN(tests)

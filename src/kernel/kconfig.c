/* kconfig.c - a Kconfig file as the kernel's own parser reads it. See kconfig.h. */
#define _GNU_SOURCE
#include "kernel/kconfig.h"
#include "sys/runner.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The text after `key` on the line that starts with it, up to the line's end; or NULL. */
static char *field(const char *block, const char *key)
{
	for (const char *p = block; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p), kl = strlen(key);
		if (n >= kl && strncmp(p, key, kl) == 0)
			return kb_strndup(p + kl, n - kl);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* "SAMPLES [=y] && RUST [=y]" -> "SAMPLES && RUST": the values are the course kernel's */
static char *without_values(const char *s)
{
	struct kb_buf b = KB_BUF_INIT;
	while (*s) {
		if (s[0] == ' ' && s[1] == '[' && s[2] == '=') {
			const char *e = strchr(s, ']');
			if (e) {
				s = e + 1;
				continue;
			}
		}
		kb_buf_add(&b, s, 1);
		s++;
	}
	return kb_buf_detach(&b);
}

static void parse_block(struct kb_kconfig *k, const char *block)
{
	const char *sym = strstr(block, "Symbol: ");
	/* the last "Symbol: " line is conf's; a help text could hold the words too */
	for (const char *next; sym && (next = strstr(sym + 1, "\nSymbol: ")); sym = next + 1)
		;
	if (!sym)
		return;
	struct kb_kconfig_symbol s = {0};
	const char *ne = sym + 8;
	size_t nl = strcspn(ne, " \n");
	s.name = kb_strndup(ne, nl);
	s.type = field(sym, "Type  : ");
	s.defined_at = field(sym, "Defined at ");
	s.prompt = field(sym, "  Prompt: ");
	char *dep = field(sym, "  Depends on: ");
	if (dep) {
		s.depends = without_values(dep);
		free(dep);
	}
	/* the help text: after "CONFIG_NAME:" and a blank line, up to conf's "Symbol:" line */
	char *head = kb_asprintf("CONFIG_%s:\n", s.name);
	const char *h = strstr(block, head);
	if (h && h < sym) {
		h += strlen(head);
		while (*h == '\n')
			h++;
		const char *e = sym;
		while (e > h && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		if (e > h)
			s.help = kb_strndup(h, (size_t)(e - h));
	}
	free(head);
	k->symbols = kb_realloc(k->symbols, (k->n + 1) * sizeof *k->symbols);
	k->symbols[k->n++] = s;
}

void kb_kconfig_parse(struct kb_kconfig *k, const char *text)
{
	/* each symbol is a block between two "-----" lines */
	const char *p = text;
	while ((p = strstr(p, "-----\n"))) {
		p += 6;
		const char *e = strstr(p, "\n-----\n");
		if (!e)
			break;
		char *block = kb_strndup(p, (size_t)(e - p) + 1);
		parse_block(k, block);
		free(block);
		p = e + 1;
	}
}

/* The top-level Kconfig: the course kernel's symbols with their values, then the file. */
static char *wrapper(const char *build_dir, const char *rel)
{
	struct kb_buf b = KB_BUF_INIT;
	kb_buf_adds(&b, "mainmenu \"kbridge\"\n\nconfig MODULES\n\tbool\n\tdefault y\n\tmodules\n\n");
	char *cfg_path = kb_path_join(build_dir, ".config"), *cfg = NULL;
	size_t len;
	if (kb_read_file(&cfg, &len, cfg_path) == 0) {
		for (char *save = NULL, *l = strtok_r(cfg, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *eq = strchr(l, '=');
			if (!kb_str_starts(l, "CONFIG_") || !eq || strcmp(l, "CONFIG_MODULES=y") == 0)
				continue;
			if (strcmp(eq, "=y") != 0 && strcmp(eq, "=m") != 0)
				continue;
			kb_buf_printf(&b, "config %.*s\n\tdef_tristate %s\n", (int)(eq - l - 7), l + 7, eq + 1);
		}
	} else {
		kb_error_clear();
	}
	free(cfg);
	free(cfg_path);
	kb_buf_printf(&b, "\nsource \"%s\"\n", rel);
	return kb_buf_detach(&b);
}

int kb_kconfig_read(struct kb_kconfig *k, const char *build_dir, const char *tree, const char *rel, double timeout)
{
	memset(k, 0, sizeof *k);
	char *dir = kb_mkdtemp("kb-kconfig");
	if (!dir)
		return KB_EIO;
	char *top = kb_path_join(dir, "Kconfig.kbridge"), *text = wrapper(build_dir, rel);
	int rc = kb_write_file_atomic(top, text, strlen(text), 0644);
	free(text);
	if (rc == 0) {
		char *conf = kb_path_join(build_dir, "scripts/kconfig/conf");
		char *srctree = kb_asprintf("srctree=%s", tree);
		/* a Kconfig's $(shell,...) runs in the build sandbox, as Kbuild does */
		struct kb_strv argv = KB_STRV_INIT;
		char *home = realpath(build_dir, NULL), *slash = home ? strrchr(home, '/') : NULL;
		if (slash && slash != home)
			*slash = '\0';   /* the kernel home: readable even under /tmp */
		const char *writable[] = {dir, NULL}, *readable[] = {home ? home : build_dir, tree, NULL};
		rc = runner_confine(&argv, readable, writable);
		kb_strv_push(&argv, conf);
		kb_strv_push(&argv, "--helpnewconfig");
		kb_strv_push(&argv, top);
		char *env[] = {srctree, "KCONFIG_CONFIG=/dev/null", NULL};
		struct kb_exec_opts eo = {
			.argv = kb_strv_argv(&argv), .env = env, .cwd = dir, .timeout = timeout > 0 ? timeout : 30,
			.stdin_fd = KB_STDIN_NULL, .output_cap = 1 << 20,
		};
		struct kb_exec_result er;
		if (rc >= 0)
			rc = runner_exec(&er, &eo);
		if (rc == 0) {
			k->exit_code = er.exit_code;
			k->ok = er.exit_code == 0 && !er.timed_out;
			k->log = er.output ? kb_strdup(er.output) : kb_strdup("");
			if (k->ok)
				kb_kconfig_parse(k, k->log);
		}
		if (rc >= 0)
			runner_exec_result_free(&er);
		kb_strv_free(&argv);
		free(srctree);
		free(conf);
		free(home);
	}
	free(top);
	kb_rm_rf(dir);
	free(dir);
	return rc;
}

void kb_kconfig_free(struct kb_kconfig *k)
{
	for (size_t i = 0; i < k->n; i++) {
		struct kb_kconfig_symbol *s = &k->symbols[i];
		free(s->name);
		free(s->type);
		free(s->prompt);
		free(s->depends);
		free(s->help);
		free(s->defined_at);
	}
	free(k->symbols);
	free(k->log);
	memset(k, 0, sizeof *k);
}

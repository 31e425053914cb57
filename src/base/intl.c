/* intl.c - the program's text through GNU gettext (base/intl.h). */
#define _GNU_SOURCE
#include "base/intl.h"

#include <libgen.h>
#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KB_DOMAIN "kbridge"
#ifndef KB_LOCALEDIR
#define KB_LOCALEDIR "/usr/local/share/locale"
#endif

static bool on;          /* a language other than English was chosen and its catalog bound */
static char dir[PATH_MAX];   /* where the catalogs were looked for; "" before */

const char *kb_gettext(const char *english)
{
	return on && english && *english ? dgettext(KB_DOMAIN, english) : english;
}

const char *kb_pgettext(const char *ctx, const char *english)
{
	if (!on || !english || !*english)
		return english;
	/* gettext's key for a message with a context: CTX, EOT, then the message */
	char key[1024];
	int n = snprintf(key, sizeof key, "%s\004%s", ctx, english);
	if (n < 0 || (size_t)n >= sizeof key)
		return english;
	const char *t = dgettext(KB_DOMAIN, key);
	return t == key ? english : t;
}

const char *kb_ngettext(const char *one, const char *many, unsigned long n)
{
	if (on)
		return dngettext(KB_DOMAIN, one, many, n);
	return n == 1 ? one : many;
}

const char *kb_intl_dir(void)
{
	return dir[0] ? dir : NULL;
}

/* Into `out` (PATH_MAX bytes): obj/locale beside the binary when it holds the catalog of
 * `gettext_lang`, else ../share/locale, else the compiled-in folder. (Plain libc here:
 * base/util includes this file's header, so this file may not include util's.) */
static void find_dir(char *out, const char *gettext_lang)
{
	const char *env = getenv("KBRIDGE_LOCALEDIR");
	if (env && *env) {
		snprintf(out, PATH_MAX, "%s", env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		const char *bin = dirname(exe);
		const char *tries[] = { "%s/obj/locale", "%s/../share/locale" };
		for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
			char mo[PATH_MAX + 64];
			snprintf(out, PATH_MAX, tries[i], bin);
			snprintf(mo, sizeof mo, "%s/%s/LC_MESSAGES/" KB_DOMAIN ".mo", out, gettext_lang);
			if (access(mo, R_OK) == 0)
				return;
		}
	}
	snprintf(out, PATH_MAX, "%s", KB_LOCALEDIR);
}

static bool c_locale(const char *name)
{
	return !name || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0;
}

void kb_intl_use(const char *lang)
{
	if (!setlocale(LC_ALL, ""))
		setlocale(LC_ALL, "C.UTF-8");
	setlocale(LC_NUMERIC, "C");
	on = false;
	if (!lang)
		return;
	char gl[64];   /* "zh-CN" -> "zh_CN", gettext's spelling */
	snprintf(gl, sizeof gl, "%s", lang);
	for (char *p = gl; *p; p++)
		if (*p == '-')
			*p = '_';
	if (c_locale(setlocale(LC_MESSAGES, NULL)) || c_locale(setlocale(LC_CTYPE, NULL))) {
		/* gettext ignores LANGUAGE in the C locale, and the text is UTF-8 */
		setlocale(LC_CTYPE, "C.UTF-8");
		setlocale(LC_MESSAGES, "C.UTF-8");
	}
	setenv("LANGUAGE", gl, 1);
	find_dir(dir, gl);
	bindtextdomain(KB_DOMAIN, dir);
	bind_textdomain_codeset(KB_DOMAIN, "UTF-8");
	on = true;
}

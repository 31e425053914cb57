/* intl.c - the program's text through GNU gettext (base/intl.h). */
#define _GNU_SOURCE
#include "base/intl.h"
#include "base/util.h"

#include <libgen.h>
#include <libintl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KB_DOMAIN "kbridge"
#ifndef KB_LOCALEDIR
#define KB_LOCALEDIR "/usr/local/share/locale"
#endif

static bool on;          /* a language other than English was chosen and its catalog bound */
static char *dir;        /* where the catalogs were looked for */

const char *kb_gettext(const char *english)
{
	return on && english && *english ? dgettext(KB_DOMAIN, english) : english;
}

const char *kb_ngettext(const char *one, const char *many, unsigned long n)
{
	if (on)
		return dngettext(KB_DOMAIN, one, many, n);
	return n == 1 ? one : many;
}

const char *kb_intl_dir(void)
{
	return dir;
}

/* obj/locale beside the binary when it holds the catalog of `gettext_lang`, else
 * ../share/locale, else the compiled-in folder. Caller frees. */
static char *find_dir(const char *gettext_lang)
{
	const char *env = getenv("KBRIDGE_LOCALEDIR");
	if (env && *env)
		return kb_strdup(env);
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *bin = kb_strdup(dirname(exe));
		const char *tries[] = { "%s/obj/locale", "%s/../share/locale" };
		for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
			char *d = kb_asprintf(tries[i], bin);
			char *mo = kb_asprintf("%s/%s/LC_MESSAGES/" KB_DOMAIN ".mo", d, gettext_lang);
			bool ok = access(mo, R_OK) == 0;
			free(mo);
			if (ok) {
				free(bin);
				return d;
			}
			free(d);
		}
		free(bin);
	}
	return kb_strdup(KB_LOCALEDIR);
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
	char *gl = kb_strdup(lang);   /* "zh-CN" -> "zh_CN", gettext's spelling */
	for (char *p = gl; *p; p++)
		if (*p == '-')
			*p = '_';
	if (c_locale(setlocale(LC_MESSAGES, NULL)) || c_locale(setlocale(LC_CTYPE, NULL))) {
		/* gettext ignores LANGUAGE in the C locale, and the text is UTF-8 */
		setlocale(LC_CTYPE, "C.UTF-8");
		setlocale(LC_MESSAGES, "C.UTF-8");
	}
	setenv("LANGUAGE", gl, 1);
	free(dir);
	dir = find_dir(gl);
	free(gl);
	bindtextdomain(KB_DOMAIN, dir);
	bind_textdomain_codeset(KB_DOMAIN, "UTF-8");
	on = true;
}

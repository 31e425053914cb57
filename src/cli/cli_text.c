/* cli_text.c - the commands' columns by display width: a Chinese character takes two
 * columns of a terminal and three bytes, so printf's "%-12s" misaligns translated text.
 * And lesson text (titles, goals, hints: Markdown) as plain text for a terminal. */
#include "cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The columns one code point takes: 0 for combining marks and zero-width spaces, 2 for
 * East Asian wide and fullwidth forms (CJK, kana, hangul, fullwidth punctuation), else 1.
 * A table of its own rather than wcwidth(3), which answers -1 in the C locale. */
static int cp_width(uint32_t c)
{
	if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x200b && c <= 0x200f) || c == 0xfeff)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff) ||
	    (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	    (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

void cli_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kbridge %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_width(const char *s)
{
	int w = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		uint32_t c = *p;
		int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		if (more)
			c &= 0x3f >> more;
		p++;
		for (; more && (*p & 0xc0) == 0x80; more--, p++)
			c = c << 6 | (*p & 0x3f);
		w += cp_width(c);
	}
	return w;
}

void cli_pad(FILE *out, const char *s, int width)
{
	fputs(s, out);
	for (int w = cli_width(s); w < width; w++)
		fputc(' ', out);
}

void cli_pad_right(FILE *out, const char *s, int width)
{
	for (int w = cli_width(s); w < width; w++)
		fputc(' ', out);
	fputs(s, out);
}

char *cli_plain(const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	char *out = malloc(len + 1);
	if (!out)
		abort();
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		if (s[i] != '`') {
			out[o++] = s[i++];
			continue;
		}
		/* a run of n backticks opens a span closed by the next run of exactly n */
		size_t n = 0;
		while (i + n < len && s[i + n] == '`')
			n++;
		size_t close = 0;
		for (size_t j = i + n; j < len && !close;) {
			size_t m = 0;
			while (j + m < len && s[j + m] == '`')
				m++;
			if (m == n)
				close = j;
			j += m ? m : 1;
		}
		if (!close) {
			/* no closing run: the backticks are plain text */
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		size_t a = i + n, b = close;
		/* "`` `x` ``": one space inside each end is padding, when both ends have it */
		if (b - a >= 2 && s[a] == ' ' && s[b - 1] == ' ')
			a++, b--;
		memcpy(out + o, s + a, b - a);
		o += b - a;
		i = close + n;
	}
	out[o] = '\0';
	return out;
}

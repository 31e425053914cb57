/* meter.c - see meter.h. */
#define _GNU_SOURCE
#include "base/meter.h"
#include "base/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void kb_meter_init(struct kb_meter *m, FILE *out)
{
	memset(m, 0, sizeof *m);
	m->out = out;
	m->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
	m->color = m->tty && !getenv("NO_COLOR");
}

void kb_meter_start(struct kb_meter *m, const char *label)
{
	kb_meter_end(m);
	snprintf(m->label, sizeof m->label, "%s", label);
	m->started = kb_now();
	m->last_draw = 0;
	m->last_decile = -1;
}

static int term_width(FILE *out)
{
	struct winsize ws;
	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

/* The columns code point c takes: 2 for the wide East Asian ones (a translated detail),
   else 1. A table of its own: wcwidth(3) answers -1 in the C locale. */
static int cp_cols(unsigned c)
{
	return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) || (c >= 0xAC00 && c <= 0xD7A3) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	       (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD) ? 2 : 1;
}

/* The bytes of s's head that fit in `room` columns, never cutting a UTF-8 character. */
static size_t fit_cols(const char *s, int room)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	int used = 0;
	while (p[i]) {
		unsigned c = p[i];
		size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		c = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return i;   /* a broken sequence: stop before it */
			c = c << 6 | (p[i + k] & 0x3F);
		}
		int w = cp_cols(c);
		if (used + w > room)
			break;
		used += w;
		i += n;
	}
	return i;
}

void kb_meter_update(struct kb_meter *m, double fraction, const char *detail)
{
	double now = kb_now();
	double elapsed = now - m->started;
	if (!m->tty) {
		if (fraction < 0)
			return;
		int decile = (int)(fraction * 10 + 1e-9);
		if (decile > 10)
			decile = 10;
		if (decile == m->last_decile)
			return;
		m->last_decile = decile;
		fprintf(m->out, "%s: %3d%% (%.0f s)%s%s\n", m->label, decile * 10, elapsed,
			detail && *detail ? " " : "", detail ? detail : "");
		fflush(m->out);
		return;
	}
	if (now - m->last_draw < 0.1 && fraction < 1)
		return;
	m->last_draw = now;
	int width = term_width(m->out);
	const int bar = 24;
	char cells[bar * 3 + 1];
	size_t pos = 0;
	if (fraction >= 0) {
		int full = (int)(fraction * bar + 0.5);
		for (int i = 0; i < bar; i++) {
			const char *c = i < full ? "\u2588" : "\u2591";
			size_t n = strlen(c);
			memcpy(cells + pos, c, n);
			pos += n;
		}
	} else {
		static const char *const frames[] = {"|", "/", "-", "\\"};
		const char *f = frames[m->spin++ % 4];
		memcpy(cells, f, 1);
		pos = 1;
	}
	cells[pos] = '\0';
	char pct[16] = "";
	if (fraction >= 0)
		snprintf(pct, sizeof pct, "%3d%%", (int)(fraction * 100));
	char head[160];
	int hn = snprintf(head, sizeof head, "%-10s %s %s %4.0fs ", m->label, cells, pct, elapsed);
	/* the visible width of head: the bar cells are one column each */
	int visible = hn - (int)pos + (fraction >= 0 ? bar : 1);
	int room = width - visible - 1;
	char tail[1024] = "";   /* 255 columns of UTF-8 */
	if (detail && room > 3)
		snprintf(tail, sizeof tail, "%.*s", (int)fit_cols(detail, room < 255 ? room : 255), detail);
	fprintf(m->out, "\r%s%s%s%s\033[K", m->color ? "\033[36m" : "", head, m->color ? "\033[0m" : "", tail);
	fflush(m->out);
	m->drawn = true;
}

void kb_meter_end(struct kb_meter *m)
{
	if (m->tty && m->drawn) {
		fputc('\n', m->out);
		fflush(m->out);
	}
	m->drawn = false;
}

void kb_meter_say(struct kb_meter *m, const char *line)
{
	if (m->tty && m->drawn)
		fputs("\r\033[K", m->out);
	fprintf(m->out, "%s\n", line);
	fflush(m->out);
	m->drawn = false;
}

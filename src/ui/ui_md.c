/* ui_md.c - styled documents, Markdown rendered with md4c, source code styling and the
 * drawing helpers every screen uses. */
#define _GNU_SOURCE
#include "ui/ui.h"
#include "base/util.h"

#include <md4c.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---- documents ------------------------------------------------------------------------ */

void ui_doc_add_styled(struct ui_doc *d, const char *text, const unsigned char *style, size_t len)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->lines = kb_realloc(d->lines, d->cap * sizeof *d->lines);
	}
	struct ui_line *l = &d->lines[d->n++];
	l->text = kb_strndup(text, len);
	l->style = kb_malloc(len + 1);
	memcpy(l->style, style, len);
	l->len = len;
}

void ui_doc_add(struct ui_doc *d, const char *text, enum ui_style s)
{
	size_t len = strlen(text);
	unsigned char *st = kb_malloc(len + 1);
	memset(st, s, len);
	ui_doc_add_styled(d, text, st, len);
	free(st);
}

void ui_doc_free(struct ui_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->lines[i].text);
		free(d->lines[i].style);
	}
	free(d->lines);
	memset(d, 0, sizeof *d);
}

/* the length of one UTF-8 character starting at s (1 for a broken byte) */
static size_t u8len(const char *s, size_t max)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	return n > max ? max : n;
}

static int u8width(const char *s, size_t n)
{
	if (n == 1)
		return (unsigned char)*s < 0x20 ? 0 : 1;
	mbstate_t ms;
	memset(&ms, 0, sizeof ms);
	wchar_t wc;
	size_t r = mbrtowc(&wc, s, n, &ms);
	if (r == (size_t)-1 || r == (size_t)-2)
		return 1;
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int ui_text_width(const char *s, size_t len)
{
	int w = 0;
	for (size_t i = 0; i < len;) {
		size_t n = u8len(s + i, len - i);
		w += u8width(s + i, n);
		i += n;
	}
	return w;
}

/* The code point of the UTF-8 character at s (n bytes, from u8len); 0xfffd when broken. */
static unsigned u8cp(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 1)
		return u[0] < 0x80 ? u[0] : 0xfffd;
	unsigned c = u[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		c = (c << 6) | (u[i] & 0x3f);
	return c;
}

/* Characters a line may break before or after without a space: CJK ideographs, kana,
 * Hangul, CJK and fullwidth punctuation. */
static bool cjk(unsigned c)
{
	return (c >= 0x1100 && c <= 0x11ff) || (c >= 0x2e80 && c <= 0x2fff) || (c >= 0x3000 && c <= 0x33ff) ||
	       (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	       (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f) ||
	       (c >= 0xff00 && c <= 0xffef) || (c >= 0x20000 && c <= 0x3ffff);
}

/* Characters that never start a line (closing punctuation: ，。：；、）」...) and that never
 * end one (opening: （「...). */
static bool no_start(unsigned c)
{
	static const unsigned v[] = {
		0xff0c, 0x3002, 0xff1a, 0xff1b, 0x3001, 0xff09, 0x300d, 0x300f, 0x3011, 0x300b, 0x3009, 0xff01,
		0xff1f, 0x2019, 0x201d, 0xff0e, 0x30fc, 0x2026, 0xff5d, 0xff3d, 0x3015, 0x3017, 0xff05, 0x00b7,
		0x30fb, 0x3005, 0x309d, 0x309e, 0x30fd, 0x30fe, ',', '.', ';', ':', '!', '?', ')', ']', '}', '%', 0};
	for (const unsigned *p = v; *p; p++)
		if (*p == c)
			return true;
	return false;
}

static bool no_end(unsigned c)
{
	static const unsigned v[] = {0xff08, 0x300c, 0x300e, 0x3010, 0x300a, 0x3008, 0x2018, 0x201c, 0xff3b,
				     0xff5b, 0x3014, 0x3016, '(', '[', '{', 0};
	for (const unsigned *p = v; *p; p++)
		if (*p == c)
			return true;
	return false;
}

bool ui_break_between(unsigned before, unsigned after)
{
	if (before == ' ' || after == ' ' || before == '\n' || after == '\n')
		return false;   /* spaces are break opportunities of their own */
	return (cjk(before) || cjk(after)) && !no_start(after) && !no_end(before);
}

/* Word-wrap styled bytes into lines of at most width columns. first/next: the prefix of
 * the first and the following lines (style pst). */
static void wrap_styled(struct ui_doc *d, const char *text, const unsigned char *style, size_t len, int width,
			const char *first, const char *next, enum ui_style pst)
{
	struct kb_buf lt = KB_BUF_INIT, ls = KB_BUF_INIT;
	const char *prefix = first;
	size_t i = 0;
	bool any = false;
	while (i < len || !any) {
		any = true;
		kb_buf_adds(&lt, prefix);
		for (size_t k = 0; k < strlen(prefix); k++) {
			unsigned char c = pst;
			kb_buf_add(&ls, &c, 1);
		}
		int col = ui_text_width(prefix, strlen(prefix));
		int room = width - col;
		if (room < 10)
			room = 10;
		/* take words while they fit */
		size_t start = i, last_break = (size_t)-1;
		int used = 0;
		size_t j = i;
		bool hard = false;
		unsigned prev = 0;   /* the character before j on this line (0: none) */
		while (j < len) {
			if (text[j] == '\n') {
				hard = true;
				break;
			}
			size_t n = u8len(text + j, len - j);
			int w = u8width(text + j, n);
			unsigned cp = u8cp(text + j, n);
			if (text[j] == ' ' || (prev && ui_break_between(prev, cp)))
				last_break = j;
			prev = cp;
			if (used + w > room) {
				break;
			}
			used += w;
			j += n;
		}
		size_t end;
		if (j >= len || hard)
			end = j;
		else if (last_break != (size_t)-1 && last_break > start)
			end = last_break;
		else
			end = j;   /* one word longer than the line: cut it */
		kb_buf_add(&lt, text + start, end - start);
		kb_buf_add(&ls, style + start, end - start);
		/* drop trailing spaces */
		while (lt.len > strlen(prefix) && lt.data[lt.len - 1] == ' ') {
			lt.len--;
			ls.len--;
		}
		ui_doc_add_styled(d, lt.data ? lt.data : "", (unsigned char *)(ls.data ? ls.data : ""), lt.len);
		lt.len = ls.len = 0;
		i = end;
		if (i < len && (text[i] == ' ' || text[i] == '\n'))
			i++;
		while (!hard && i < len && text[i] == ' ')
			i++;
		prefix = next;
	}
	kb_buf_free(&lt);
	kb_buf_free(&ls);
}

void ui_doc_wrap(struct ui_doc *d, const char *text, enum ui_style s, int width, const char *indent)
{
	size_t len = strlen(text);
	unsigned char *st = kb_malloc(len + 1);
	memset(st, s, len);
	wrap_styled(d, text, st, len, width, indent, indent, UI_NORMAL);
	free(st);
}

/* Is there a break between the characters before and at p[i] (a space, or where Chinese
 * text may break)? prev: the code point before. */
static bool break_at(const char *p, size_t i, unsigned prev, unsigned *cp, size_t *len)
{
	*len = p[i] ? u8len(p + i, strlen(p + i)) : 1;
	*cp = p[i] ? u8cp(p + i, *len) : 0;
	return i > 0 && (p[i] == ' ' || prev == ' ' || (*cp && ui_break_between(prev, *cp)));
}

/* How many bytes of p (at most n, which fit the line) to put on it: up to the last break
 * before n when the word cut at n fits whole on the next line (next columns), so that a
 * Latin word or a number is not split; else all n (a path longer than a line is cut where
 * the line ends: it would be anyway). */
static size_t fit_words(const char *p, size_t n, int next)
{
	if (!p[n])
		return n;
	size_t best = 0, len;
	unsigned prev = 0, cp;
	for (size_t i = 0; i <= n; i += len) {
		if (break_at(p, i, prev, &cp, &len))
			best = i;
		prev = cp;
	}
	if (!best || best == n)
		return n;
	/* the word that would be cut: from the break to the next one after n */
	size_t start = best, end = n;
	while (p[start] == ' ')
		start++;
	prev = 0;
	for (size_t i = n; p[i]; i += len) {
		if (break_at(p, i, i > n ? prev : 'x', &cp, &len) && i > n)
			break;
		prev = cp;
		end = i + len;
	}
	return ui_text_width(p + start, end - start) <= next ? best : n;
}

/* see ui.h */
void ui_doc_add_long(struct ui_doc *d, const char *text, enum ui_style s, int w, const char *cont)
{
	int cw = ui_text_width(cont, strlen(cont));
	size_t len = strlen(text);
	if (w < cw + 10 || ui_text_width(text, len) <= w) {
		ui_doc_add(d, text, s);
		return;
	}
	const char *p = text;
	bool first = true;
	while (*p) {
		int room = first ? w : w - cw;
		/* as many whole UTF-8 characters as fit in room columns */
		size_t n = 0;
		while (p[n]) {
			size_t c = 1;
			while (p[n + c] && ((unsigned char)p[n + c] & 0xC0) == 0x80)
				c++;
			if (ui_text_width(p, n + c) > room)
				break;
			n += c;
		}
		if (n == 0)
			n = 1;
		n = fit_words(p, n, w - cw);
		size_t shown = n;
		while (shown > 0 && p[shown - 1] == ' ')
			shown--;
		char *part = first ? kb_strndup(p, shown) : kb_asprintf("%s%.*s", cont, (int)shown, p);
		ui_doc_add(d, part, s);
		free(part);
		p += n;
		while (*p == ' ')
			p++;
		first = false;
	}
}

/* ---- source code ---------------------------------------------------------------------- */

static const char *const rust_kw[] = {
	"as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
	"false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
	"ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
	"use", "where", "while", "Ok", "Err", "Some", "None", "Result", "Option", NULL};
static const char *const c_kw[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
	"extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
	"return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
	"unsigned", "void", "volatile", "while", "bool", "true", "false", "NULL", "size_t", "u8", "u16",
	"u32", "u64", "s8", "s16", "s32", "s64", "__init", "__exit", NULL};

static bool is_kw(const char *const *kws, const char *s, size_t n)
{
	for (; kws && *kws; kws++)
		if (strlen(*kws) == n && memcmp(*kws, s, n) == 0)
			return true;
	return false;
}

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void ui_code_style(const char *lang, const char *text, size_t len, unsigned char *style, bool *in_comment)
{
	bool rust = lang && (strcmp(lang, "rust") == 0 || strcmp(lang, "rs") == 0);
	bool c = lang && (strcmp(lang, "c") == 0 || strcmp(lang, "h") == 0 || strcmp(lang, "cpp") == 0);
	bool hash_comments = lang && (strcmp(lang, "sh") == 0 || strcmp(lang, "make") == 0 ||
				      strcmp(lang, "kbuild") == 0 || strcmp(lang, "shell") == 0 ||
				      strcmp(lang, "kconfig") == 0 || strcmp(lang, "makefile") == 0);
	const char *const *kws = rust ? rust_kw : c ? c_kw : NULL;
	size_t i = 0;
	memset(style, UI_NORMAL, len);
	if (c) {
		size_t k = 0;
		while (k < len && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k < len && text[k] == '#' && !*in_comment) {
			memset(style, UI_MACRO, len);
			return;
		}
	}
	while (i < len) {
		if (*in_comment) {
			style[i] = UI_COMMENT;
			if (text[i] == '*' && i + 1 < len && text[i + 1] == '/') {
				style[i + 1] = UI_COMMENT;
				i += 2;
				*in_comment = false;
				continue;
			}
			i++;
			continue;
		}
		char ch = text[i];
		if ((rust || c) && ch == '/' && i + 1 < len && text[i + 1] == '/') {
			memset(style + i, UI_COMMENT, len - i);
			return;
		}
		if (hash_comments && ch == '#') {
			memset(style + i, UI_COMMENT, len - i);
			return;
		}
		if ((rust || c) && ch == '/' && i + 1 < len && text[i + 1] == '*') {
			*in_comment = true;
			style[i] = style[i + 1] = UI_COMMENT;
			i += 2;
			continue;
		}
		if (ch == '"' || (ch == '\'' && (c || (i + 2 < len && (text[i + 2] == '\'' || text[i + 1] == '\\'))))) {
			size_t j = i + 1;
			while (j < len && text[j] != ch) {
				if (text[j] == '\\')
					j++;
				j++;
			}
			if (j < len)
				j++;
			if (j > len)
				j = len;
			memset(style + i, UI_STRING, j - i);
			i = j;
			continue;
		}
		if (ch >= '0' && ch <= '9' && (i == 0 || !ident_char(text[i - 1]))) {
			size_t j = i;
			while (j < len && (ident_char(text[j]) || text[j] == '.'))
				j++;
			memset(style + i, UI_NUMBER, j - i);
			i = j;
			continue;
		}
		if (ident_char(ch)) {
			size_t j = i;
			while (j < len && ident_char(text[j]))
				j++;
			if (is_kw(kws, text + i, j - i))
				memset(style + i, UI_KEYWORD, j - i);
			else if (rust && j < len && text[j] == '!')
				memset(style + i, UI_MACRO, j - i + 1), j++;
			i = j;
			continue;
		}
		if (rust && ch == '#' && i + 1 < len && (text[i + 1] == '[' || text[i + 1] == '!')) {
			size_t j = i;
			while (j < len && text[j] != ']')
				j++;
			if (j < len)
				j++;
			memset(style + i, UI_MACRO, j - i);
			i = j;
			continue;
		}
		i++;
	}
}

/* ---- Markdown --------------------------------------------------------------------------- */

struct md_list {
	bool ordered;
	unsigned next;
};

struct md_cell {
	char *text;
	bool head;
};

struct md {
	struct ui_doc *d;
	int width;
	struct kb_buf text, style;     /* the paragraph being built */
	bool softbr;                   /* a soft line break before the next text */
	unsigned char span[16];        /* span style stack */
	int n_span;
	enum ui_style block_style;     /* headings */
	int quote;                     /* block quote depth */
	struct md_list lists[8];
	int n_lists;
	char bullet[16];               /* pending bullet for the first line of a list item */
	bool in_code;
	char lang[16];
	struct kb_buf code;
	char *href;                    /* inside a link */
	size_t link_start;
	/* tables */
	bool in_table;
	struct md_cell *cells;
	size_t n_cells, cap_cells;
	int *row_len;                  /* cells per row */
	size_t n_rows;
	bool cell_head;
	struct kb_buf cell;
	bool in_cell;
	bool blank_pending;            /* a blank line goes before the next block */
};

static enum ui_style cur_style(struct md *m)
{
	return m->n_span ? m->span[m->n_span - 1] : m->block_style;
}

static void prefixes(struct md *m, char *first, char *next, size_t cap)
{
	struct kb_buf b = KB_BUF_INIT;
	for (int i = 0; i < m->quote; i++)
		kb_buf_adds(&b, "\u2502 ");
	int depth = m->n_lists;
	for (int i = 0; i + 1 < depth; i++)
		kb_buf_adds(&b, "   ");
	snprintf(next, cap, "%s%s", b.data ? b.data : "", depth ? "   " : "");
	snprintf(first, cap, "%s%s", b.data ? b.data : "", depth ? (*m->bullet ? m->bullet : "   ") : "");
	kb_buf_free(&b);
}

static void blank(struct md *m)
{
	if (m->d->n && m->d->lines[m->d->n - 1].len)
		ui_doc_add(m->d, "", UI_NORMAL);
}

static void flush(struct md *m)
{
	if (!m->text.len)
		return;
	if (m->blank_pending) {
		blank(m);
		m->blank_pending = false;
	}
	char first[128], next[128];
	prefixes(m, first, next, sizeof first);
	wrap_styled(m->d, m->text.data, (unsigned char *)m->style.data, m->text.len, m->width, first, next,
		    m->quote ? UI_QUOTE : UI_NORMAL);
	if (m->block_style == UI_H1) {
		int w = ui_text_width(m->text.data, m->text.len);
		struct kb_buf u = KB_BUF_INIT;
		for (int i = 0; i < w && i < m->width; i++)
			kb_buf_adds(&u, "\u2500");
		ui_doc_add(m->d, u.data ? u.data : "", UI_H2);
		kb_buf_free(&u);
	}
	*m->bullet = '\0';
	m->text.len = m->style.len = 0;
}

/* CJK and fullwidth punctuation (，。：；、（）「」...), which carries its own spacing */
static bool cjk_punct(unsigned c)
{
	return (c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	       (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65);
}

/* the code point of the last character of b, or 0 */
static unsigned last_char(const struct kb_buf *b)
{
	if (!b->len)
		return 0;
	size_t i = b->len - 1;
	while (i > 0 && ((unsigned char)b->data[i] & 0xc0) == 0x80)
		i--;
	return u8cp(b->data + i, u8len(b->data + i, b->len - i));
}

static void add_text(struct md *m, const char *s, size_t n, enum ui_style st)
{
	if (m->softbr && n) {
		/* a line break in the source is a space between words (and between a Latin word
		   and a Chinese one), and nothing between two Chinese characters or beside
		   Chinese punctuation: a space there would show in the middle of a sentence */
		m->softbr = false;
		unsigned before = last_char(m->in_cell ? &m->cell : &m->text), after = u8cp(s, u8len(s, n));
		if (before && !(cjk(before) && cjk(after)) && !cjk_punct(before) && !cjk_punct(after))
			add_text(m, " ", 1, st);
	}
	if (m->in_cell) {
		kb_buf_add(&m->cell, s, n);
		return;
	}
	kb_buf_add(&m->text, s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)st;
		kb_buf_add(&m->style, &c, 1);
	}
}

static void emit_code(struct md *m)
{
	char first[128], next[128];
	prefixes(m, first, next, sizeof first);
	if (m->blank_pending || (m->d->n && m->d->lines[m->d->n - 1].len))
		blank(m);
	m->blank_pending = false;
	bool in_comment = false;
	const char *s = m->code.data ? m->code.data : "";
	size_t total = m->code.len;
	if (total && s[total - 1] == '\n')
		total--;
	for (size_t i = 0; i <= total;) {
		const char *nl = memchr(s + i, '\n', total - i);
		size_t n = nl ? (size_t)(nl - (s + i)) : total - i;
		struct kb_buf t = KB_BUF_INIT, st = KB_BUF_INIT;
		kb_buf_adds(&t, next);
		kb_buf_adds(&t, "  ");
		for (size_t k = 0; k < t.len; k++) {
			unsigned char c = UI_DIM;
			kb_buf_add(&st, &c, 1);
		}
		size_t pre = t.len;
		/* tabs as 4 spaces */
		for (size_t k = 0; k < n; k++) {
			if (s[i + k] == '\t')
				kb_buf_adds(&t, "    ");
			else
				kb_buf_add(&t, s + i + k, 1);
		}
		unsigned char *cs = kb_malloc(t.len - pre + 1);
		ui_code_style(m->lang, t.data + pre, t.len - pre, cs, &in_comment);
		kb_buf_add(&st, cs, t.len - pre);
		free(cs);
		ui_doc_add_styled(m->d, t.data, (unsigned char *)st.data, t.len);
		kb_buf_free(&t);
		kb_buf_free(&st);
		i += n + 1;
		if (!nl)
			break;
	}
	m->code.len = 0;
	m->blank_pending = true;
}

static void emit_table(struct md *m)
{
	size_t cols = 0;
	for (size_t r = 0; r < m->n_rows; r++)
		if ((size_t)m->row_len[r] > cols)
			cols = (size_t)m->row_len[r];
	if (!cols)
		return;
	int *w = kb_calloc(cols, sizeof *w);
	size_t k = 0;
	for (size_t r = 0; r < m->n_rows; r++)
		for (int c = 0; c < m->row_len[r]; c++, k++) {
			int cw = ui_text_width(m->cells[k].text, strlen(m->cells[k].text));
			if (cw > w[c])
				w[c] = cw;
		}
	/* shrink the widest column until the table fits */
	int total;
	for (;;) {
		total = 1;
		size_t widest = 0;
		for (size_t c = 0; c < cols; c++) {
			total += w[c] + 3;
			if (w[c] > w[widest])
				widest = c;
		}
		if (total <= m->width || w[widest] <= 4)
			break;
		w[widest]--;
	}
	char first[128], next[128];
	prefixes(m, first, next, sizeof first);
	if (m->blank_pending || (m->d->n && m->d->lines[m->d->n - 1].len))
		blank(m);
	k = 0;
	for (size_t r = 0; r < m->n_rows; r++) {
		struct kb_buf t = KB_BUF_INIT, st = KB_BUF_INIT;
		kb_buf_adds(&t, next);
		for (size_t i = 0; i < t.len; i++)
			kb_buf_add(&st, (unsigned char[]){UI_NORMAL}, 1);
		bool head = false;
		for (size_t c = 0; c < cols; c++) {
			const char *cell = "";
			if ((int)c < m->row_len[r]) {
				cell = m->cells[k + c].text;
				head = m->cells[k + c].head;
			}
			const char *sep = c ? " \u2502 " : "";
			kb_buf_adds(&t, sep);
			for (size_t i = 0; i < strlen(sep); i++)
				kb_buf_add(&st, (unsigned char[]){UI_DIM}, 1);
			/* the cell, cut to its width, then padded */
			size_t cl = strlen(cell), take = 0;
			int used = 0;
			while (take < cl) {
				size_t n = u8len(cell + take, cl - take);
				int cw = u8width(cell + take, n);
				if (used + cw > w[c])
					break;
				used += cw;
				take += n;
			}
			kb_buf_add(&t, cell, take);
			for (size_t i = 0; i < take; i++)
				kb_buf_add(&st, (unsigned char[]){head ? UI_STRONG : UI_NORMAL}, 1);
			for (int i = used; i < w[c]; i++) {
				kb_buf_adds(&t, " ");
				kb_buf_add(&st, (unsigned char[]){UI_NORMAL}, 1);
			}
		}
		while (t.len && t.data[t.len - 1] == ' ') {
			t.len--;
			st.len--;
		}
		ui_doc_add_styled(m->d, t.data, (unsigned char *)st.data, t.len);
		kb_buf_free(&t);
		kb_buf_free(&st);
		if (head) {
			struct kb_buf u = KB_BUF_INIT;
			kb_buf_adds(&u, next);
			for (size_t c = 0; c < cols; c++) {
				if (c)
					kb_buf_adds(&u, "\u2500\u253c\u2500");
				for (int i = 0; i < w[c]; i++)
					kb_buf_adds(&u, "\u2500");
			}
			ui_doc_add(m->d, u.data, UI_DIM);
			kb_buf_free(&u);
		}
		k += (size_t)m->row_len[r];
	}
	free(w);
	for (size_t i = 0; i < m->n_cells; i++)
		free(m->cells[i].text);
	m->n_cells = 0;
	m->n_rows = 0;
	m->blank_pending = true;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	switch (type) {
	case MD_BLOCK_H: {
		flush(m);
		unsigned level = ((MD_BLOCK_H_DETAIL *)detail)->level;
		m->block_style = level == 1 ? UI_H1 : UI_H2;
		if (m->d->n)
			m->blank_pending = true;
		if (level > 2)
			add_text(m, "\u25b8 ", 4, UI_H2);
		break;
	}
	case MD_BLOCK_P:
		flush(m);
		if (!(m->n_lists && m->bullet[0]))
			m->blank_pending = m->d->n > 0 && !(m->n_lists && !m->blank_pending && m->d->n &&
							   m->d->lines[m->d->n - 1].len == 0);
		break;
	case MD_BLOCK_QUOTE:
		flush(m);
		m->quote++;
		m->blank_pending = m->d->n > 0;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		flush(m);
		if (!m->n_lists)
			m->blank_pending = m->d->n > 0;
		if (m->n_lists < 8) {
			m->lists[m->n_lists].ordered = type == MD_BLOCK_OL;
			m->lists[m->n_lists].next = type == MD_BLOCK_OL ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
		}
		m->n_lists++;
		break;
	case MD_BLOCK_LI: {
		flush(m);
		if (m->n_lists > 0 && m->n_lists <= 8) {
			struct md_list *l = &m->lists[m->n_lists - 1];
			if (l->ordered)
				snprintf(m->bullet, sizeof m->bullet, "%u. ", l->next++);
			else
				snprintf(m->bullet, sizeof m->bullet, "%s", m->n_lists % 2 ? "\u2022  " : "\u25e6  ");
		}
		MD_BLOCK_LI_DETAIL *li = detail;
		if (li && li->is_task)
			add_text(m, li->task_mark == ' ' ? "[ ] " : "[x] ", 4, UI_STRONG);
		break;
	}
	case MD_BLOCK_HR:
		flush(m);
		blank(m);
		{
			struct kb_buf u = KB_BUF_INIT;
			for (int i = 0; i < m->width; i++)
				kb_buf_adds(&u, "\u2500");
			ui_doc_add(m->d, u.data, UI_DIM);
			kb_buf_free(&u);
		}
		break;
	case MD_BLOCK_CODE: {
		flush(m);
		m->in_code = true;
		MD_BLOCK_CODE_DETAIL *cd = detail;
		size_t n = cd->lang.size < sizeof m->lang - 1 ? cd->lang.size : sizeof m->lang - 1;
		for (size_t i = 0; i < n; i++)
			m->lang[i] = (char)((cd->lang.text[i] >= 'A' && cd->lang.text[i] <= 'Z') ? cd->lang.text[i] + 32 :
					    cd->lang.text[i]);
		m->lang[n] = '\0';
		break;
	}
	case MD_BLOCK_TABLE:
		flush(m);
		m->in_table = true;
		break;
	case MD_BLOCK_TR:
		m->row_len = kb_realloc(m->row_len, (m->n_rows + 1) * sizeof *m->row_len);
		m->row_len[m->n_rows++] = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		m->in_cell = true;
		m->cell_head = type == MD_BLOCK_TH;
		m->cell.len = 0;
		break;
	case MD_BLOCK_HTML:
		flush(m);
		m->span[m->n_span < 16 ? m->n_span++ : 15] = UI_DIM;
		break;
	default:
		break;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	switch (type) {
	case MD_BLOCK_H:
		flush(m);
		m->block_style = UI_NORMAL;
		m->blank_pending = false;
		break;
	case MD_BLOCK_P:
		flush(m);
		break;
	case MD_BLOCK_QUOTE:
		flush(m);
		m->quote--;
		m->blank_pending = true;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		flush(m);
		m->n_lists--;
		if (!m->n_lists)
			m->blank_pending = true;
		break;
	case MD_BLOCK_LI:
		flush(m);
		break;
	case MD_BLOCK_CODE:
		m->in_code = false;
		emit_code(m);
		break;
	case MD_BLOCK_TABLE:
		m->in_table = false;
		emit_table(m);
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		if (m->n_cells == m->cap_cells) {
			m->cap_cells = m->cap_cells ? m->cap_cells * 2 : 16;
			m->cells = kb_realloc(m->cells, m->cap_cells * sizeof *m->cells);
		}
		m->cells[m->n_cells].text = kb_strndup(m->cell.data ? m->cell.data : "", m->cell.len);
		m->cells[m->n_cells++].head = m->cell_head;
		m->row_len[m->n_rows - 1]++;
		m->in_cell = false;
		break;
	case MD_BLOCK_HTML:
		flush(m);
		if (m->n_span)
			m->n_span--;
		break;
	default:
		break;
	}
	return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	enum ui_style s = cur_style(m);
	switch (type) {
	case MD_SPAN_EM: s = s == UI_NORMAL ? UI_EMPH : s; break;
	case MD_SPAN_STRONG: s = s == UI_NORMAL || s == UI_EMPH ? UI_STRONG : s; break;
	case MD_SPAN_CODE: s = UI_CODE; break;
	case MD_SPAN_DEL: s = UI_DIM; break;
	case MD_SPAN_A: {
		s = UI_LINK;
		MD_SPAN_A_DETAIL *a = detail;
		free(m->href);
		m->href = kb_strndup(a->href.text, a->href.size);
		m->link_start = m->text.len;
		break;
	}
	case MD_SPAN_IMG:
		s = UI_DIM;
		add_text(m, "[image: ", 8, s);
		break;
	default:
		break;
	}
	if (m->n_span < 16)
		m->span[m->n_span++] = (unsigned char)s;
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
	struct md *m = ud;
	if (m->n_span)
		m->n_span--;
	if (type == MD_SPAN_A && m->href) {
		/* show where the link goes when its text does not say it */
		size_t n = m->text.len - m->link_start;
		if (!m->in_cell && (strlen(m->href) != n || memcmp(m->text.data + m->link_start, m->href, n) != 0)) {
			char *tail = kb_asprintf(" <%s>", m->href);
			add_text(m, tail, strlen(tail), UI_DIM);
			free(tail);
		}
		free(m->href);
		m->href = NULL;
	}
	if (type == MD_SPAN_IMG)
		add_text(m, "]", 1, UI_DIM);
	return 0;
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *ud)
{
	struct md *m = ud;
	if (m->in_code) {
		kb_buf_add(&m->code, text, size);
		return 0;
	}
	enum ui_style s = cur_style(m);
	switch (type) {
	case MD_TEXT_SOFTBR:
		m->softbr = true;   /* a space or nothing: add_text() decides by the characters around it */
		break;
	case MD_TEXT_BR:
		add_text(m, "\n", 1, s);
		break;
	case MD_TEXT_NULLCHAR:
		add_text(m, "\ufffd", 3, s);
		break;
	case MD_TEXT_ENTITY: {
		static const struct { const char *e, *t; } ents[] = {
			{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", " "},
			{"&apos;", "'"}, {"&mdash;", "\u2014"}, {"&ndash;", "\u2013"}, {"&hellip;", "\u2026"},
			{"&copy;", "\u00a9"}, {"&rarr;", "\u2192"},
		};
		for (size_t i = 0; i < sizeof ents / sizeof *ents; i++)
			if (strlen(ents[i].e) == size && memcmp(ents[i].e, text, size) == 0) {
				add_text(m, ents[i].t, strlen(ents[i].t), s);
				return 0;
			}
		if (size > 3 && text[1] == '#') {
			unsigned long cp = text[2] == 'x' || text[2] == 'X' ? strtoul(text + 3, NULL, 16) : strtoul(text + 2, NULL, 10);
			char out[8];
			mbstate_t ms;
			memset(&ms, 0, sizeof ms);
			size_t n = wcrtomb(out, (wchar_t)cp, &ms);
			if (n != (size_t)-1) {
				add_text(m, out, n, s);
				return 0;
			}
		}
		add_text(m, text, size, s);
		break;
	}
	default:
		add_text(m, text, size, s);
	}
	return 0;
}

int ui_md_render(struct ui_doc *d, const char *md_text, size_t len, int width)
{
	struct md m;
	memset(&m, 0, sizeof m);
	m.d = d;
	m.width = width > 20 ? width : 20;
	m.block_style = UI_NORMAL;
	MD_PARSER p = {
		.abi_version = 0,
		.flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML * 0,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text_cb,
	};
	int rc = md_parse(md_text, (MD_SIZE)len, &p, &m);
	flush(&m);
	while (d->n && d->lines[d->n - 1].len == 0) {
		d->n--;
		free(d->lines[d->n].text);
		free(d->lines[d->n].style);
	}
	kb_buf_free(&m.text);
	kb_buf_free(&m.style);
	kb_buf_free(&m.code);
	kb_buf_free(&m.cell);
	for (size_t i = 0; i < m.n_cells; i++)
		free(m.cells[i].text);
	free(m.cells);
	free(m.row_len);
	free(m.href);
	return rc ? kb_error_set(KB_EINVAL, "the Markdown parser refused the text") : 0;
}

/* ---- drawing ---------------------------------------------------------------------------- */

/* The mark drawn where text is cut at the screen's edge: '›' (one column in every
 * terminal, East Asian ones too), '>' without UTF-8. */
static const char *cut_mark(void)
{
	return MB_CUR_MAX > 1 ? "\u203a" : ">";
}

int ui_put_styled(int y, int x, int max, const char *text, const unsigned char *style, size_t len)
{
	int used = 0;
	size_t i = 0;
	if (max <= 0)
		return 0;
	/* text wider than max is cut with a mark in its last column (spaces at its end are
	   padding: cutting them loses nothing) */
	size_t shown = len;
	while (shown && text[shown - 1] == ' ')
		shown--;
	bool cut = ui_text_width(text, shown) > max;
	int room = cut ? max - 1 : max;
	move(y, x);
	while (i < len) {
		size_t j = i;
		int w = 0;
		/* a run of one style that fits */
		while (j < len && style[j] == style[i]) {
			size_t n = u8len(text + j, len - j);
			int cw = u8width(text + j, n);
			if (used + w + cw > room)
				break;
			w += cw;
			j += n;
		}
		if (j == i)
			break;
		attrset(ui_attr((enum ui_style)style[i]));
		addnstr(text + i, (int)(j - i));
		used += w;
		i = j;
		if (used >= room)
			break;
	}
	if (cut) {
		/* a wide character that did not fit leaves a column: the mark goes right after
		   what is shown */
		attrset(ui_attr((enum ui_style)style[i < len ? i : len - 1]));
		mvaddstr(y, x + used, cut_mark());
		used++;
	}
	attrset(A_NORMAL);
	return used;
}

char *ui_padded(const char *text, int width)
{
	int w = ui_text_width(text, strlen(text));
	return kb_asprintf("%s%*s", text, w < width ? width - w : 0, "");
}

int ui_put(int y, int x, int max, const char *text, enum ui_style s)
{
	size_t len = strlen(text);
	unsigned char *st = kb_malloc(len + 1);
	memset(st, s, len);
	int w = ui_put_styled(y, x, max, text, st, len);
	free(st);
	return w;
}

int ui_clamp_scroll(int scroll, size_t n, int height)
{
	int max = (int)n - height;
	if (max < 0)
		max = 0;
	if (scroll > max)
		scroll = max;
	if (scroll < 0)
		scroll = 0;
	return scroll;
}

int ui_draw_doc(const struct ui_doc *d, int top, int height, int scroll)
{
	scroll = ui_clamp_scroll(scroll, d->n, height);
	for (int r = 0; r < height && (size_t)(scroll + r) < d->n; r++) {
		const struct ui_line *l = &d->lines[scroll + r];
		ui_put_styled(top + r, 1, COLS - 2, l->text, l->style, l->len);
	}
	return scroll;
}

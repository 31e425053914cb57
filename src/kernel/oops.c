/* oops.c - an oops decoded to the source lines of the learner's modules (oops.h). */
#define _GNU_SOURCE
#include "kernel/oops.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/runner.h"
#include "base/util.h"

int kb_elf_symbol(const char *path, const char *name, char **section, unsigned long *value)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kb_error_set(KB_EIO, "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return kb_error_set(KB_EINVAL, "%s is not an ELF object", path);
	}
	size_t size = (size_t)st.st_size;
	unsigned char *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return kb_error_set(KB_EIO, "cannot map %s: %s", path, strerror(errno));
	int rc = kb_error_set(KB_EINVAL, "%s is not a 64-bit ELF object kbridge can read", path);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
	    (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum || eh->e_shstrndx >= eh->e_shnum)
		goto out;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	const Elf64_Shdr *shstr = &sh[eh->e_shstrndx];
	if (shstr->sh_offset > size || shstr->sh_size > size - shstr->sh_offset)
		goto out;
	rc = kb_error_set(KB_ENOTFOUND, "%s has no function symbol %s", path, name);
	for (size_t i = 0; i < eh->e_shnum && rc < 0; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *strs = &sh[sh[i].sh_link];
		if (sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset ||
		    strs->sh_offset > size || strs->sh_size > size - strs->sh_offset)
			continue;
		const Elf64_Sym *syms = (const Elf64_Sym *)(m + sh[i].sh_offset);
		size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
		const char *names = (const char *)m + strs->sh_offset;
		for (size_t k = 0; k < n; k++) {
			const Elf64_Sym *s = &syms[k];
			if (s->st_name >= strs->sh_size || s->st_shndx == SHN_UNDEF || s->st_shndx >= eh->e_shnum)
				continue;
			int type = ELF64_ST_TYPE(s->st_info);
			if (type != STT_FUNC && type != STT_NOTYPE)
				continue;
			const char *sn = names + s->st_name;
			if (strnlen(sn, strs->sh_size - s->st_name) == strs->sh_size - s->st_name || strcmp(sn, name))
				continue;
			size_t secname = sh[s->st_shndx].sh_name;
			if (secname >= shstr->sh_size)
				continue;
			*section = kb_strdup((const char *)m + shstr->sh_offset + secname);
			*value = s->st_value;
			rc = 0;
			break;
		}
	}
out:
	munmap(m, size);
	return rc;
}

static bool sym_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '$';
}

/* In one line of an oops: SYMBOL+0xOFF/0xLEN [MODULE]. Returns true and fills the
 * parts (sym and mod owned by the caller). */
static bool parse_frame(const char *line, size_t len, char **sym, unsigned long *off, char **mod)
{
	const char *end = line + len;
	for (const char *p = line; p + 3 < end; p++) {
		if (p[0] != '+' || p[1] != '0' || p[2] != 'x')
			continue;
		const char *s = p;
		while (s > line && sym_char(s[-1]))
			s--;
		if (s == p)
			continue;
		char *e;
		unsigned long o = strtoul(p + 3, &e, 16);
		if (e == p + 3 || e + 3 > end || e[0] != '/' || e[1] != '0' || e[2] != 'x')
			continue;
		strtoul(e + 3, &e, 16);
		while (e < end && *e == ' ')
			e++;
		if (e >= end || *e != '[')
			return false;   /* a frame of the kernel proper */
		const char *mb = e + 1, *me = memchr(mb, ']', (size_t)(end - mb));
		if (!me || me == mb)
			return false;
		*sym = kb_strndup(s, (size_t)(p - s));
		*mod = kb_strndup(mb, (size_t)(me - mb));
		*off = o;
		return true;
	}
	return false;
}

static const char *find_ko(const char *const *kos, const char *mod)
{
	for (size_t i = 0; kos && kos[i]; i++) {
		const char *base = strrchr(kos[i], '/');
		base = base ? base + 1 : kos[i];
		size_t n = strlen(mod);
		if (strlen(base) != n + 3 || strcmp(base + n, ".ko"))
			continue;
		bool same = true;
		for (size_t k = 0; k < n && same; k++) {
			char a = base[k] == '-' ? '_' : base[k], b = mod[k] == '-' ? '_' : mod[k];
			same = a == b;
		}
		if (same)
			return kos[i];
	}
	return NULL;
}

/* "FILE:LINE (discriminator N)" from addr2line: file relative to root, line. Returns
 * true when the file is under root (the learner's own code). */
static bool split_location(const char *loc, const char *root, char **file, int *line)
{
	char *l = kb_strdup(loc);
	char *sp = strstr(l, " (discriminator");
	if (sp)
		*sp = '\0';
	char *colon = strrchr(l, ':');
	*line = 0;
	if (colon) {
		*colon = '\0';
		*line = atoi(colon + 1);
	}
	size_t rl = root ? strlen(root) : 0;
	bool mine = rl && strncmp(l, root, rl) == 0 && l[rl] == '/';
	*file = kb_strdup(mine ? l + rl + 1 : l);
	free(l);
	return mine;
}

/* lines of an oops a learner does not need to find the cause: registers, code bytes */
static bool dump_line(const char *l, size_t len)
{
	static const char *const skip[] = {"RSP:", "RAX:", "RDX:", "RBP:", "R10:", "R13:", "FS:", "CS:",
					   "CR2:", "Code:", "Modules linked in:", "Hardware name:", "DR0:",
					   "DR3:", "PKRU:", "Tainted:", NULL};
	while (len && (*l == ' ' || *l == '\t')) {
		l++;
		len--;
	}
	size_t stamp = kb_log_stamp_len(l, len);
	l += stamp;
	len -= stamp;
	while (len && *l == ' ') {
		l++;
		len--;
	}
	for (const char *const *s = skip; *s; s++)
		if (len >= strlen(*s) && memcmp(l, *s, strlen(*s)) == 0)
			return true;
	return false;
}

size_t kb_oops_decode(struct kb_oops_decoded *out, const char *excerpt, const char *const *kos,
		      const char *root)
{
	memset(out, 0, sizeof(*out));
	struct kb_buf text = KB_BUF_INIT, brief = KB_BUF_INIT;
	size_t cap = 0;
	for (const char *l = excerpt ? excerpt : ""; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		size_t before = text.len;
		kb_buf_add(&text, l, len);
		kb_buf_adds(&text, "\n");
		char *sym = NULL, *mod = NULL, *section = NULL;
		unsigned long off = 0, value = 0;
		const char *ko;
		if (parse_frame(l, len, &sym, &off, &mod) && (ko = find_ko(kos, mod)) &&
		    kb_elf_symbol(ko, sym, &section, &value) == 0) {
			bool rip = memmem(l, len, "RIP:", 4) != NULL;
			/* a return address points after the call: the call's line is one byte back */
			unsigned long addr = value + off - (!rip && off > 0 ? 1 : 0);
			char addrs[32];
			snprintf(addrs, sizeof(addrs), "0x%lx", addr);
			char *argv[] = {"addr2line", "-f", "-C", "-i", "-j", section, "-e", (char *)ko, addrs, NULL};
			struct kb_exec_opts eo = {.argv = argv, .timeout = 10, .stdin_fd = KB_STDIN_NULL};
			struct kb_exec_result er;
			if (runner_exec(&er, &eo) == 0 && er.exit_code == 0 && er.output) {
				/* pairs of lines: function, FILE:LINE; the innermost (inlined) first */
				char *save = NULL, *func = strtok_r(er.output, "\n", &save);
				bool first = true;
				while (func) {
					char *loc = strtok_r(NULL, "\n", &save);
					if (!loc || loc[0] == '?')
						break;
					char *file;
					int line;
					/* where to look: the first place in the learner's own files, not
					   the library code (core's slice indexing) a panic starts in */
					if (split_location(loc, root, &file, &line) && !out->first_at_buf)
						out->first_at_buf = kb_asprintf("%s:%d", file, line);
					kb_buf_printf(&text, "    %s %s:%d (%s)\n", first ? "at" : "inlined into",
						      file, line, func);
					if (first) {
						if (out->n_frames == cap) {
							cap = cap ? cap * 2 : 8;
							out->frames = kb_realloc(out->frames, cap * sizeof(*out->frames));
						}
						out->frames[out->n_frames++] = (struct kb_frame){
							.func = kb_strdup(func), .module = kb_strdup(mod),
							.file = file, .line = line, .rip = rip};
					} else {
						free(file);
					}
					first = false;
					func = strtok_r(NULL, "\n", &save);
				}
			}
			runner_exec_result_free(&er);
		}
		free(sym);
		free(mod);
		free(section);
		if (!dump_line(l, len))
			kb_buf_add(&brief, text.data + before, text.len - before);
		l += len + (nl ? 1 : 0);
	}
	out->text = kb_buf_detach(&text);
	out->brief = kb_buf_detach(&brief);
	if (out->n_frames && !out->first_at_buf)
		out->first_at_buf = kb_asprintf("%s:%d", out->frames[0].file, out->frames[0].line);
	out->first_at = out->first_at_buf;
	return out->n_frames;
}

void kb_oops_decoded_free(struct kb_oops_decoded *d)
{
	for (size_t i = 0; i < d->n_frames; i++) {
		free(d->frames[i].func);
		free(d->frames[i].module);
		free(d->frames[i].file);
	}
	free(d->frames);
	free(d->text);
	free(d->brief);
	free(d->first_at_buf);
	memset(d, 0, sizeof(*d));
}

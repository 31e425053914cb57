/* oops.h - an oops decoded to the source lines of the learner's modules.
 *
 * An oops names code as SYMBOL+0xOFFSET/0xLENGTH [MODULE] (the RIP line and every
 * call-trace line). For frames in a module kbridge built (with debug information, see
 * runner_build.c), the symbol is looked up in the .ko's ELF symbol table, which gives
 * its section and value; GNU addr2line then turns section + value + offset into
 * file:line, following inlined calls. This is what the kernel's own
 * scripts/decode_stacktrace.sh does, without needing vmlinux: frames in the kernel
 * proper stay as they are.
 */
#ifndef KB_OOPS_H
#define KB_OOPS_H

#include <stddef.h>

struct kb_frame {
	char *func;      /* as addr2line names it, demangled (Rust v0 included) */
	char *module;    /* the module's name, as the oops prints it */
	char *file;      /* a path relative to root when under it, else as in the debug info */
	int line;        /* 0 when unknown */
	int rip;         /* 1 for the faulting instruction (the RIP line) */
};

struct kb_oops_decoded {
	char *text;              /* the excerpt, each decoded line followed by
				    "    at FILE:LINE (FUNC)"; owned */
	char *brief;             /* the same without the register dump, the code bytes and
				    the module list: what a learner reads first; owned */
	struct kb_frame *frames; /* the decoded frames in the order of the excerpt; owned */
	size_t n_frames;
	const char *first_at;    /* "FILE:LINE": the first place (inlined calls included) in a
				    file under root, else the first frame's; NULL when nothing
				    was decoded. Points into first_at_buf */
	char *first_at_buf;
};

/* Decode `excerpt` (an oops or panic text as kb_detect_fault() returns it) against the
 * modules `kos` (NULL-terminated absolute .ko paths; a frame's module is matched to
 * NAME.ko, '-' and '_' alike). File names under `root` (may be NULL) are made relative
 * to it. Returns the number of frames decoded (0 when none could be: no module frame,
 * no debug information, no addr2line); `out` is filled in every case and must be freed
 * with kb_oops_decoded_free(). Never fails otherwise. */
size_t kb_oops_decode(struct kb_oops_decoded *out, const char *excerpt, const char *const *kos,
		      const char *root);
void kb_oops_decoded_free(struct kb_oops_decoded *d);

/* The section name and value of the function symbol `name` in the ELF relocatable
 * object (a .ko) at `path`. Returns 0, KB_EIO (cannot read it), KB_EINVAL (not a 64-bit
 * ELF object) or KB_ENOTFOUND (no such function symbol), with kb_error_last() saying
 * which. *section is owned by the caller. Exposed for tests. */
int kb_elf_symbol(const char *path, const char *name, char **section, unsigned long *value);

#endif

/* cli_doctor.c - `kbridge doctor`: every tool the course needs, found or missing, with
 * the command that fixes each. */
#define _GNU_SOURCE
#include "cli/cli.h"
#include "kernel/kernel.h"
#include "sys/runner.h"
#include "base/util.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char doctor_help[] = N_(
	"usage: kbridge doctor\n"
	"\n"
	"Check every tool and file the course needs: Debian's rustc and its rust-src, bindgen\n"
	"(and whether kbridge's compatibility wrapper is in use), clang/lld/llvm, make and the\n"
	"kernel build tools, QEMU, static busybox, the kernel source, the reference build and\n"
	"the initramfs. Prints each as ok or MISSING with the command that fixes it.\n"
	"Exit status: 0 when nothing required is missing, 1 otherwise.\n");

struct doctor {
	int missing;
	int warnings;
	bool color;
};

static void row(struct doctor *d, bool ok, bool required, const char *what, const char *found, const char *fix)
{
	/* TRANSLATORS: kbridge doctor's verdict on a tool, a column 7 wide: "ok" (not
	   translated), "MISSING" (required) or "warning" */
	const char *tag = ok ? "ok" : required ? _("MISSING") : _("warning");
	const char *col = !d->color ? "" : ok ? "\033[32m" : required ? "\033[31m" : "\033[33m";
	printf("  %s", col);
	cli_pad(stdout, tag, 7);
	printf("%s ", d->color ? "\033[0m" : "");
	cli_pad(stdout, what, 22);
	printf(" %s\n", found ? found : "");
	if (!ok) {
		printf("          %-22s ", "");
		printf(_("fix: %s\n"), fix);
		if (required)
			d->missing++;
		else
			d->warnings++;
	}
}

static char *first_version(char *const *argv)
{
	char *line = runner_capture_line(argv);
	return line;
}

static const char *sudo(void)
{
	return getuid() == 0 ? "" : "sudo ";
}

static void check_tool(struct doctor *d, const char *what, const char *path, const char *package,
		       const char *min, bool required)
{
	char fix[256];
	snprintf(fix, sizeof fix, "%sapt-get install %s", sudo(), package);
	if (!kb_is_executable(path)) {
		char found[256];
		snprintf(found, sizeof found, _("%s not found"), path);
		row(d, false, required, what, found, fix);
		return;
	}
	char *v = first_version((char *[]){(char *)path, "--version", NULL});
	char found[512];
	snprintf(found, sizeof found, "%s (%s)", v ? v : _("version unknown"), path);
	bool ok = true;
	if (min && v) {
		const char *p = v;
		while (*p && !(*p >= '0' && *p <= '9'))
			p++;
		ok = kb_version_cmp(p, min) >= 0;
		if (!ok)
			snprintf(found, sizeof found, _("%s (%s) is older than %s"), v, path, min);
	}
	row(d, ok, required, what, found, fix);
	free(v);
}

/* How the binary at `path` is linked: a static one has no PT_INTERP program header. */
enum linkage { LINKAGE_UNKNOWN, LINKAGE_STATIC, LINKAGE_DYNAMIC };

static enum linkage elf_linkage(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return LINKAGE_UNKNOWN;
	Elf64_Ehdr eh;
	enum linkage result = LINKAGE_UNKNOWN;
	if (fread(&eh, sizeof eh, 1, f) == 1 && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64) {
		result = LINKAGE_STATIC;
		for (int i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (fseek(f, (long)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize), SEEK_SET) != 0 ||
			    fread(&ph, sizeof ph, 1, f) != 1)
				break;
			if (ph.p_type == PT_INTERP)
				result = LINKAGE_DYNAMIC;
		}
	}
	fclose(f);
	return result;
}

int cli_doctor(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		cli_usage(doctor_help);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, _("kbridge doctor: unexpected argument '%s'\n"), argv[1]);
		return 2;
	}
	struct doctor d = {.color = isatty(1) && !getenv("NO_COLOR")};
	struct kb_home h;
	int hrc = kb_home_init(&h);
	char fix[512];

	printf("Rust\n");
	check_tool(&d, "rustc", "/usr/bin/rustc", "rustc-web", "1.78", true);
	char *rustup = kb_which("rustc");
	if (rustup && strcmp(rustup, "/usr/bin/rustc") != 0) {
		char note[512];
		snprintf(note, sizeof note, _("%s comes first on PATH; kbridge always builds with /usr/bin/rustc"), rustup);
		row(&d, true, false, _("rustc on PATH"), note, "");
	}
	free(rustup);
	snprintf(fix, sizeof fix, "%sapt-get install rust-web-src", sudo());
	row(&d, kb_path_exists("/usr/lib/rustlib/src/rust/library/core/src/lib.rs"), true, "rust-src (core)",
	    "/usr/lib/rustlib/src/rust/library", fix);
	check_tool(&d, "bindgen", "/usr/bin/bindgen", "bindgen", NULL, true);
	struct kb_toolchain tc;
	kb_toolchain_init(&tc, hrc == 0 ? &h : NULL);
	if (tc.bindgen_version) {
		char note[256];
		snprintf(note, sizeof note, tc.bindgen_wrapped ?
			 _("%s < %s: kbridge's wrapper scripts/bindgen-compat is in use") :
			 _("%s >= %s: used directly, no wrapper"), tc.bindgen_version, tc.bindgen_min);
		row(&d, true, false, _("bindgen wrapper"), note, "");
	}
	kb_toolchain_free(&tc);
	check_tool(&d, "clippy-driver", "/usr/bin/clippy-driver", "rust-web-clippy", NULL, false);

	printf("%s\n", _("C and the kernel build"));
	check_tool(&d, "clang", "/usr/bin/clang", "clang", "13.0.1", true);
	check_tool(&d, "ld.lld", "/usr/bin/ld.lld", "lld", NULL, true);
	check_tool(&d, "llvm-ar", "/usr/bin/llvm-ar", "llvm", NULL, true);
	check_tool(&d, "make", "/usr/bin/make", "make", NULL, true);
	check_tool(&d, "flex", "/usr/bin/flex", "flex", NULL, true);
	check_tool(&d, "bison", "/usr/bin/bison", "bison", NULL, true);
	check_tool(&d, "bc", "/usr/bin/bc", "bc", NULL, true);
	snprintf(fix, sizeof fix, "%sapt-get install libelf-dev", sudo());
	row(&d, kb_path_exists("/usr/include/gelf.h"), true, _("libelf headers"), "/usr/include/gelf.h", fix);
	snprintf(fix, sizeof fix, "%sapt-get install libssl-dev", sudo());
	row(&d, kb_path_exists("/usr/include/openssl/ssl.h"), true, _("openssl headers"), "/usr/include/openssl", fix);

	/* a pack's Kbuild runs in bubblewrap: required, unless running unconfined was asked */
	const char *why;
	enum kb_confine cs = runner_confine_status(&why);
	row(&d, cs == KB_CONFINE_ON, cs == KB_CONFINE_UNAVAILABLE, _("build sandbox"),
	    cs == KB_CONFINE_UNAVAILABLE ? _("unavailable") : why,
	    cs == KB_CONFINE_UNAVAILABLE ? why : _("unset KBRIDGE_NO_SANDBOX to confine builds"));

	printf("%s\n", _("Booting"));
	check_tool(&d, "qemu", "/usr/bin/qemu-system-x86_64", "qemu-system-x86", NULL, true);
	snprintf(fix, sizeof fix, _("%sapt-get install qemu-system-data (QEMU boots without it, slower)"), sudo());
	row(&d, kb_path_exists("/usr/share/qemu/qboot.rom"), false, _("qboot firmware"), "/usr/share/qemu/qboot.rom", fix);
	enum linkage st = elf_linkage("/bin/busybox");
	snprintf(fix, sizeof fix, "%sapt-get install busybox-static", sudo());
	row(&d, st == LINKAGE_STATIC, true, _("busybox (static)"),
	    st == LINKAGE_STATIC ? "/bin/busybox" : st == LINKAGE_DYNAMIC ? _("/bin/busybox is dynamically linked") :
	    _("/bin/busybox not found"), fix);

	printf("%s\n", _("Course kernel"));
	snprintf(fix, sizeof fix, "%sapt-get install %s", sudo(), KB_KERNEL_PACKAGE);
	row(&d, kb_path_exists(KB_KERNEL_TARBALL), true, _("kernel source"), KB_KERNEL_TARBALL, fix);
	if (hrc == 0) {
		struct kb_setup_status ss;
		kb_setup_status(&ss, &h);
		for (int s = 0; s < KB_STEP_COUNT; s++) {
			char found[512];
			snprintf(found, sizeof found, "%s (%s)",
				 ss.state[s] == KB_STEP_DONE ? _("ready") :
				 ss.state[s] == KB_STEP_STALE ? _("out of date") : _("not done"),
				 s == KB_STEP_BUILD ? h.build : s == KB_STEP_INITRAMFS ? h.initramfs :
				 s == KB_STEP_PROBES ? h.tools : h.src);
			/* the recorded probes only make module builds faster: a warning */
			row(&d, ss.state[s] == KB_STEP_DONE, s != KB_STEP_PROBES, kb_step_title((enum kb_step)s), found,
			    s == KB_STEP_PROBES ? _("kbridge setup (module builds ask clang its probes each time until then)") :
			    "kbridge setup");
		}
	} else {
		row(&d, false, true, _("kbridge data folder"), kb_error_last(), _("set KBRIDGE_DATADIR to the kbridge source folder"));
	}
	kb_home_free(&h);

	if (d.missing)
		printf(kb_ngettext("\n%d missing. Fix it with the command above (or run 'make deps' in kbridge's folder).\n",
				   "\n%d missing. Fix them with the commands above (or run 'make deps' in kbridge's folder).\n",
				   (unsigned long)d.missing), d.missing);
	else
		fputs(_("\nEverything the course needs is here.\n"), stdout);
	return d.missing ? 1 : 0;
}

#!/usr/bin/env python3
"""kernel-config-doc.py - the course kernel's configuration as Markdown tables, for
docs/lesson-api.md, made from assets/kernel.config so the two cannot drift apart.

  scripts/kernel-config-doc.py                  print the tables
  scripts/kernel-config-doc.py --write DOC      put them into DOC between the markers
  scripts/kernel-config-doc.py --check DOC [BUILD_CONFIG]
                                                exit 1, saying what differs, when DOC's
                                                tables are not what kernel.config gives,
                                                or (with BUILD_CONFIG, the course
                                                kernel's build/.config) when a value the
                                                second table states is not the built one

The first table lists every line of assets/kernel.config, grouped under the comment
above it. The second states options that kernel.config does not set but lessons
depend on (Rust overflow checks, no KASAN, ...): their values come from tinyconfig and
Kconfig's defaults, so --check compares them with a real build/.config.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "assets", "kernel.config")
BEGIN = "<!-- kernel-config: made by scripts/kernel-config-doc.py from assets/kernel.config; do not edit -->"
END = "<!-- kernel-config: end -->"

# the lines before kernel.config's first comment have none of their own
FIRST_GROUP = "a small bootable x86_64 kernel: serial console, initramfs, /proc and /sys, loadable and unloadable modules"

# options kernel.config leaves to tinyconfig and Kconfig's defaults: (option, value as in
# build/.config, or None for "not set or not offered", what it means for a check)
DERIVED = [
    ("RUST_OVERFLOW_CHECKS", "y", "Rust integer overflow panics (a Rust panic ends in an oops), as in debug builds"),
    ("RUST_DEBUG_ASSERTIONS", None, "no `debug_assert!` in the kernel's Rust code"),
    ("KASAN", None, "no KASAN: a C use-after-free or out-of-bounds heap access is not reported (UBSAN bounds is, above)"),
    ("KFENCE", None, "no KFENCE either"),
    ("PROVE_LOCKING", None, "no lockdep: a lock-order bug is not reported; a lost update under two CPUs is what a check sees"),
    ("DEBUG_SPINLOCK", None, "no spinlock debugging"),
    ("DEBUG_INFO_NONE", "y", "the kernel has no debug info; `kb.build` builds modules with it (`debug = true`), so `kb.decode` names lines in them"),
    ("PREEMPT_NONE", "y", "no preemption: a kthread runs until it sleeps or yields"),
    ("HZ", "250", "250 timer ticks a second"),
    ("MODVERSIONS", None, "no symbol versions: a module built against the course kernel loads as it is"),
    ("MODULE_SIG", None, "modules are not signed"),
    ("NET", None, "no networking"),
    ("BLOCK", None, "no block layer, no disks: the guest runs from its initramfs"),
    ("DEBUG_FS", None, "no debugfs"),
]


def groups(path):
    """[(why, [(option, value)])] in file order; value "off" for 'is not set'."""
    out = []
    comment = []
    cur = None
    with open(path) as f:
        lines = f.read().splitlines()
    # the file's header: the comment lines up to the first option
    start = 0
    while start < len(lines) and lines[start].startswith("#") and not re.match(r"# CONFIG_\w+ is not set", lines[start]):
        start += 1
    for line in lines[start:]:
        m = re.match(r"CONFIG_(\w+)=(.*)$", line)
        off = re.match(r"# CONFIG_(\w+) is not set$", line)
        if m or off:
            opt, val = (m.group(1), m.group(2)) if m else (off.group(1), "off")
            if comment or cur is None:
                why = " ".join(c.lstrip("#").strip() for c in comment) or FIRST_GROUP
                cur = (why, [])
                out.append(cur)
                comment = []
            cur[1].append((opt, val))
        elif line.startswith("#"):
            comment.append(line)
        elif line.strip():
            sys.exit("%s: cannot read the line %r" % (path, line))
    return out


def md_escape(s):
    return s.replace("|", "\\|")


def tables(path=CONFIG):
    rows = ["| options (`CONFIG_` left out) | why |", "|---|---|"]
    for why, opts in groups(path):
        cells = ", ".join("`%s=%s`" % (o, v) if v != "off" else "`%s` off" % o for o, v in opts)
        rows.append("| %s | %s |" % (cells, md_escape(why)))
    rows += ["", "Not set by `kernel.config`, from tinyconfig and Kconfig's defaults (the test compares",
             "them with the course kernel's `build/.config`):", "",
             "| option | value | what it means for a check |", "|---|---|---|"]
    for opt, val, what in DERIVED:
        rows.append("| `%s` | %s | %s |" % (opt, "`%s`" % val if val else "off", md_escape(what)))
    return "\n".join(rows) + "\n"


def doc_section(doc):
    text = open(doc).read()
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        sys.exit("%s: needs the two marker lines once each:\n%s\n%s" % (doc, BEGIN, END))
    head, rest = text.split(BEGIN + "\n", 1)
    body, tail = rest.split(END, 1)
    return head, body, tail


def built_values(build_config):
    vals = {}
    for line in open(build_config).read().splitlines():
        m = re.match(r"CONFIG_(\w+)=(.*)$", line)
        if m:
            vals[m.group(1)] = m.group(2).strip('"')
    return vals


def main(argv):
    if len(argv) == 1:
        sys.stdout.write(tables())
        return 0
    if argv[1] == "--write" and len(argv) == 3:
        head, _, tail = doc_section(argv[2])
        with open(argv[2], "w") as f:
            f.write(head + BEGIN + "\n" + tables() + END + tail)
        return 0
    if argv[1] == "--check" and len(argv) in (3, 4):
        bad = 0
        _, body, _ = doc_section(argv[2])
        want = tables()
        if body != want:
            bad += 1
            print("%s: the kernel configuration tables are not what assets/kernel.config gives "
                  "(run: scripts/kernel-config-doc.py --write %s)" % (argv[2], argv[2]))
            for a, b in zip(body.splitlines() + [""] * 99, want.splitlines()):
                if a != b:
                    print("  doc:  %s\n  want: %s" % (a, b))
                    break
        if len(argv) == 4:
            vals = built_values(argv[3])
            for opt, val, _ in DERIVED:
                if vals.get(opt) != val:
                    bad += 1
                    print("%s: CONFIG_%s is %s, the doc says %s" % (argv[3], opt, vals.get(opt, "off"), val or "off"))
            for _, opts in groups(CONFIG):
                for opt, val in opts:
                    got = vals.get(opt, "off")
                    if got != val:
                        bad += 1
                        print("%s: CONFIG_%s is %s, kernel.config asks %s" % (argv[3], opt, got, val))
        return 1 if bad else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

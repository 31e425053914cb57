#!/usr/bin/env python3
"""check-layers.py - prove that src/ is layered: every #include "..." names a layer
folder ("base/util.h"), points to the same layer or one below it, and no two modules
include each other, directly or around a loop.

    scripts/check-layers.py [SRC]        (default: src/ beside this script)

The layers, lowest first, are the folders of src/ (src/README.md says what each owns):
a module is a .c file and its .h (engine/check.c + engine/check.h). Prints a line per
rule, every offending include under it, and ends with "N passed, N failed"; exits 1 when
a rule is broken.
"""
import os
import re
import sys

LAYERS = ["base", "sys", "kernel", "store", "engine", "ui", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def modules(src):
    """{module: {included module, ...}} and a list of (file, line, text, problem)."""
    graph, bad_name, upward = {}, [], []
    for layer in sorted(os.listdir(src)):
        folder = os.path.join(src, layer)
        if not os.path.isdir(folder):
            continue
        if layer not in LAYERS:
            bad_name.append((folder, 0, layer, "a folder that is no layer (%s)" % ", ".join(LAYERS)))
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(folder, name)
            mod = layer + "/" + name.rsplit(".", 1)[0]
            deps = graph.setdefault(mod, set())
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                where = "%s:%d" % (os.path.relpath(path, os.path.dirname(src)), line)
                parts = inc.split("/")
                if len(parts) != 2 or parts[0] not in LAYERS:
                    bad_name.append((where, line, inc, "names no layer folder"))
                    continue
                if not os.path.exists(os.path.join(src, inc)):
                    bad_name.append((where, line, inc, "no such header"))
                    continue
                if LAYERS.index(parts[0]) > LAYERS.index(layer):
                    upward.append((where, line, inc, "%s includes from %s, a layer above it" % (layer, parts[0])))
                target = parts[0] + "/" + parts[1].rsplit(".", 1)[0]
                if target != mod:
                    deps.add(target)
    return graph, bad_name, upward


def cycles(graph):
    """Every loop of module includes, each as a list of modules (first == last)."""
    found, state, stack = [], {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(graph.get(m, ())):
            if state.get(d) == 1:
                found.append(stack[stack.index(d):] + [d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return found


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    src = os.path.normpath(src)
    graph, bad_name, upward = modules(src)
    loops = cycles(graph)
    rules = [
        ("every include names a layer folder and an existing header", ["%s: \"%s\" %s" % (w, i, why) for w, _, i, why in bad_name]),
        ("every include points to its own layer or one below", ["%s: \"%s\": %s" % (w, i, why) for w, _, i, why in upward]),
        ("no include cycle between modules", [" -> ".join(c) for c in loops]),
    ]
    passed = failed = 0
    for title, problems in rules:
        if problems:
            failed += 1
            print("not ok - %s" % title)
            for p in problems:
                print("    %s" % p)
        else:
            passed += 1
            print("ok - %s" % title)
    print("# %d modules in %d layers" % (len(graph), len({m.split('/')[0] for m in graph})))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

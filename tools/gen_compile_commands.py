#!/usr/bin/env python3
"""Write compile_commands.json for clangd and other editors.

Usage: gen_compile_commands.py CC CFLAGS "SRC..." [CC CFLAGS "SRC..."]...

Each triple is a compiler, its flags and the sources it builds: the kernel's
with the cross compiler, the host test programs' with the host compiler, the
fuzz targets' and the ThreadSanitizer test's with clang (tests/host/host.mk),
so that every C file in the tree opens with the flags it is really built
with.  A file named in two groups keeps the first (the portable allocators
are kernel code first).
"""
import json
import os
import shlex
import sys


def entries(root, cc, cflags, srcs, seen):
    for src in srcs:
        if src in seen:
            continue
        seen.add(src)
        yield {
            "directory": root,
            "file": os.path.join(root, src),
            "arguments": shlex.split(cc) + shlex.split(cflags) +
            ["-c", src, "-o", "build/" + src[:-2] + ".o"],
        }


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit(__doc__.split("\n\n")[1])
    root, seen, out = os.getcwd(), set(), []
    for i in range(0, len(args), 3):
        out += entries(root, args[i], args[i + 1], args[i + 2].split(), seen)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()

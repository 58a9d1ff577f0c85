#!/usr/bin/env python3
"""`make help`: the Makefile's "##" lines, then the kernel's boot options.

Usage: make_help.py Makefile kernel/bootopts.c [VAR=value]...

The targets are described where they are defined, in lines that start with
"##" ($(VAR) in them is replaced by the values given); the boot options come
from the OPT(...) table in kernel/bootopts.c, the one list the kernel checks
its command line against.  Nothing is written twice.
"""
import re
import sys


def main():
    makefile, bootopts, *assigns = sys.argv[1:]
    values = dict(a.split("=", 1) for a in assigns)
    with open(makefile) as f:
        for line in f:
            if line.startswith("##"):
                text = line[2:].rstrip("\n")
                text = re.sub(r"\$\((\w+)\)", lambda m: values.get(m.group(1), m.group(0)), text)
                print(text[1:] if text.startswith(" ") else text)
    print("Boot options (make run CMDLINE='ktest=buddy ktap', or words after the")
    print("kernel's path in GRUB; an unknown word gets a warning at boot)")
    with open(bootopts) as f:
        for m in re.finditer(r'OPT\("(\w+)", (?:NULL|"([^"]*)"), "([^"]*)"\)', f.read()):
            print("  %-40s %s" % (m.group(1) + (m.group(2) or ""), m.group(3)))


if __name__ == "__main__":
    main()

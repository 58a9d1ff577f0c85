#!/usr/bin/env python3
"""Write compile_commands.json for editors: gen_compile_commands.py CC CFLAGS SRC..."""
import json
import os
import shlex
import sys

cc, cflags, srcs = sys.argv[1], sys.argv[2], sys.argv[3:]
root = os.getcwd()
entries = [{
    "directory": root,
    "file": os.path.join(root, src),
    "arguments": [cc] + shlex.split(cflags) + ["-c", src, "-o", "build/" + src[:-2] + ".o"],
} for src in srcs]
json.dump(entries, sys.stdout, indent=1)
print()

#!/bin/sh
# Turns the plain "#define NAME value" lines of a C header into NASM
# (%define) or linker-script (NAME = value;) form, so that boot/entry.asm and
# linker.ld share the header's numbers instead of retyping them.
#   gen_asm_include.sh nasm|ld HEADER > OUT
set -e
case $1 in
nasm) sed -n 's/^#define \([A-Z_][A-Z0-9_]*\)[ 	]\{1,\}\([^ 	/][^/]*\).*$/%define \1 \2/p' "$2" ;;
ld) sed -n 's/^#define \([A-Z_][A-Z0-9_]*\)[ 	]\{1,\}\([^ 	/][^/]*\).*$/\1 = \2;/p' "$2" ;;
*) echo "usage: $0 nasm|ld HEADER" >&2; exit 2 ;;
esac

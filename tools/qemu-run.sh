#!/bin/sh
# Runs QEMU (the arguments) and turns its exit status into make's: the
# kernel leaves through the isa-debug-exit device, which makes QEMU exit
# with (value << 1) | 1, so a kernel that passed ends QEMU with status 33
# and one that failed with 35 (arch/x86/qemu_exit.h).  Without this, make
# would print "Error 33" after every successful `make run CMDLINE=ktest`.
#   tools/qemu-run.sh qemu-system-i386 ARGS...
header=$(dirname "$0")/../arch/x86/qemu_exit.h
value() { sed -n "s/^#define $1 \(0x[0-9a-fA-F]*\|[0-9]*\).*/\1/p" "$header"; }
pass=$(( ($(value QEMU_EXIT_PASS) << 1) | 1 ))
fail=$(( ($(value QEMU_EXIT_FAIL) << 1) | 1 ))
"$@"
status=$?
if [ "$status" -eq "$pass" ]; then
	exit 0
elif [ "$status" -eq "$fail" ]; then
	echo "QEMU: the kernel reported a failure (exit status $status)" >&2
	exit 1
fi
exit "$status"

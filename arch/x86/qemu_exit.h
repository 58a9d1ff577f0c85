/*
 * Leaving the emulator with the test verdict.
 *
 * QEMU's isa-debug-exit device: a write of V to its port makes QEMU exit with
 * status (V << 1) | 1.  The host runner reads these values from this file.
 * Neither status can be confused with a triple fault under -no-reboot (0) or
 * a QEMU start-up error (1).
 *
 * Bochs has no such device (the write is ignored there); it leaves the
 * simulation when the string "Shutdown" is written, byte by byte, to its
 * shutdown port.  Its exit status says nothing about the verdict, so under
 * Bochs the runner judges by the closing "N passed, M failed" line alone.
 */
#ifndef ARCH_X86_QEMU_EXIT_H
#define ARCH_X86_QEMU_EXIT_H

#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_PASS 0x10 /* QEMU exits with status 33 */
#define QEMU_EXIT_FAIL 0x11 /* QEMU exits with status 35 */
#define BOCHS_SHUTDOWN_PORT 0x8900
#define BOCHS_SHUTDOWN_STRING "Shutdown"

#ifndef __ASSEMBLER__
#include "lib/compiler.h"
/*
 * Leave QEMU with `code`, or Bochs; on a machine with neither device (real
 * hardware) halt forever.
 */
__noreturn void qemu_exit(unsigned code);
#endif

#endif

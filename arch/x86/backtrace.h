/* Frame-pointer backtraces (the kernel keeps frame pointers), and the
 * machine's side of panic. */
#ifndef ARCH_X86_BACKTRACE_H
#define ARCH_X86_BACKTRACE_H

#include "lib/compiler.h"

/*
 * Prints the frame-pointer chain starting at ebp, one function a line,
 * at most max_frames.  Frames are read with probe_read, so a corrupt chain
 * ends the walk instead of faulting.  Returns the number of frames printed.
 */
int backtrace_print(uintptr_t ebp, uintptr_t eip, int max_frames);
/* Collects return addresses into pcs instead; returns how many. */
int backtrace_collect(uintptr_t ebp, uintptr_t *pcs, int max);

/* Installs what panic does on this machine: interrupts off, this
 * backtrace, and leaving QEMU with the failing status. */
void panic_machine_init(void);

#endif

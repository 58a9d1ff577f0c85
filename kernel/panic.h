/* Fatal errors and backtraces. */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "kernel/compiler.h"

/* Prints the message and a backtrace, then stops (QEMU exits, failing). */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* The same, with the backtrace starting at a given frame (from a trap). */
__noreturn void panic_from_frame(uintptr_t ebp, uintptr_t eip,
				 const char *fmt, ...) __printf(3, 4);

/*
 * Prints the frame-pointer chain starting at ebp, one function a line,
 * at most max_frames.  Frames are read with probe_read, so a corrupt chain
 * ends the walk instead of faulting.  Returns the number of frames printed.
 */
int backtrace_print(uintptr_t ebp, uintptr_t eip, int max_frames);
/* Collects return addresses into pcs instead; returns how many. */
int backtrace_collect(uintptr_t ebp, uintptr_t *pcs, int max);

/* Called once, first, on panic (the test harness prints "Bail out!"). */
void panic_set_hook(void (*hook)(const char *msg));

/* Cheap invariant check, always on. */
#define ASSERT(cond)                                                        \
	do {                                                                \
		if (unlikely(!(cond)))                                      \
			panic("assertion failed: %s at %s:%d", #cond,       \
			      __FILE__, __LINE__);                          \
	} while (0)

#endif

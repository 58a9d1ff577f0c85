/*
 * Fatal errors and the always-on invariant check.  panic lives in the base
 * library so that every layer can stop the machine; what stopping means
 * (interrupts off, a backtrace, leaving the emulator) belongs to the
 * machine, which installs it with panic_set_machine.
 */
#ifndef LIB_PANIC_H
#define LIB_PANIC_H

#include "lib/compiler.h"

/* Prints the message and a backtrace, then stops (QEMU exits, failing). */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);
/* The same, with the backtrace starting at a given frame (from a trap). */
__noreturn void panic_from_frame(uintptr_t fp, uintptr_t pc,
				 const char *fmt, ...) __printf(3, 4);

/*
 * What the machine does for a panic (arch/x86/backtrace.c installs it
 * first thing at boot).  quiesce: interrupts off, nothing else running;
 * backtrace: print the call chain from frame fp at pc; halt: stop for good
 * (leave the emulator with the failing status).  Before it is installed a
 * panic prints its message and spins.
 */
struct panic_machine {
	void (*quiesce)(void);
	void (*backtrace)(uintptr_t fp, uintptr_t pc);
	__noreturn void (*halt)(void);
};
void panic_set_machine(const struct panic_machine *m);

/* Called once, first, on panic (the test harness prints "Bail out!"). */
void panic_set_hook(void (*hook)(const char *msg));

/* Cheap invariant check, always on: for a module's own invariants, never
 * for a caller's input (that gets a report and a refusal). */
#define ASSERT(cond)                                                        \
	do {                                                                \
		if (unlikely(!(cond)))                                      \
			panic("assertion failed: %s at %s:%d", #cond,       \
			      __FILE__, __LINE__);                          \
	} while (0)

#endif

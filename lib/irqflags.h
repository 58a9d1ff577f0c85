/*
 * The interrupt flag: the one piece of the CPU that the base library reaches
 * inline, because an irq-saving lock masks interrupts on its fast path and
 * lock debugging asks whether they are masked.  Everything else about the
 * CPU lives in arch/x86/cpu.h, which includes this.  On the host (test
 * programs) there are no interrupts to mask: the functions do nothing.
 */
#ifndef LIB_IRQFLAGS_H
#define LIB_IRQFLAGS_H

#include "lib/compiler.h"

#define EFLAGS_IF 0x00000200 /* interrupts enabled */

typedef uint32_t irqflags_t;

#if defined(__i386__) && !defined(STRATA_HOST)
static inline uint32_t read_eflags(void)
{
	uint32_t v;
	__asm__ volatile("pushfl; popl %0" : "=r"(v));
	return v;
}

/* Save the interrupt flag and disable interrupts; undo with irq_restore. */
static inline irqflags_t irq_save(void)
{
	irqflags_t flags = read_eflags();
	__asm__ volatile("cli" : : : "memory");
	return flags;
}

/* Puts the whole of EFLAGS back as irq_save found it (popf: two
 * instructions, no branch; the arithmetic flags are the compiler's). */
static inline void irq_restore(irqflags_t flags)
{
	__asm__ volatile("pushl %0; popfl" : : "g"(flags) : "memory", "cc");
}

static inline bool irqs_disabled(void)
{
	return !(read_eflags() & EFLAGS_IF);
}
#else
static inline irqflags_t irq_save(void)
{
	return 0;
}

static inline void irq_restore(irqflags_t flags)
{
	(void)flags;
}

static inline bool irqs_disabled(void)
{
	return false;
}
#endif

#endif

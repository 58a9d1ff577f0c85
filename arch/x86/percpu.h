/*
 * Per-CPU variables, reached through %fs as on Linux/i386.
 *
 * DEFINE_PER_CPU puts a variable in the section .bss.percpu, which the
 * linker lays out between __percpu_start and __percpu_end.  That section is
 * CPU 0's area; every other CPU gets a zeroed copy of it (percpu_setup_cpu),
 * and its GDT holds a data segment GDT_PERCPU whose base is the copy's
 * distance from the section: percpu_offset[cpu], 0 for CPU 0.  Every CPU
 * keeps that selector in %fs (the trap entry reloads it), so
 * "movl %fs:var" reads this CPU's var in one instruction, whichever CPU
 * runs it, and this_cpu_ptr(&var) is one load and an add.
 *
 * Rules.  A per-CPU variable starts as zero on every CPU.  Its plain name
 * is CPU 0's copy: use this_cpu_* for the running CPU's and per_cpu_ptr
 * for another's.  A CPU changes its own copy with interrupts off when an
 * interrupt handler uses it too; another CPU's copy only through atomics
 * or while that CPU is known to be idle (style.md, Concurrency).
 */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include "lib/cpumask.h"

#define DEFINE_PER_CPU(type, name) \
	__section(".bss.percpu") __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name

extern char __percpu_start[], __percpu_end[];
/* Where each CPU's area lies, as a distance from CPU 0's. */
extern uintptr_t percpu_offset[NR_CPUS];
/* This CPU's own entry of percpu_offset, and its number. */
DECLARE_PER_CPU(uintptr_t, this_cpu_off);
DECLARE_PER_CPU(unsigned, cpu_number);

/* The running CPU's copy of a 32-bit per-CPU variable. */
#define this_cpu_read(var)                                                  \
	({                                                                  \
		__typeof__(var) v_;                                         \
		STATIC_ASSERT(sizeof(var) == 4, "this_cpu_read: 32 bits");  \
		__asm__ volatile("movl %%fs:%1, %0" : "=r"(v_) : "m"(var)); \
		v_;                                                         \
	})

#define this_cpu_write(var, val)                                            \
	do {                                                                \
		__typeof__(var) v_ = (val);                                 \
		STATIC_ASSERT(sizeof(var) == 4, "this_cpu_write: 32 bits"); \
		__asm__ volatile("movl %1, %%fs:%0"                         \
				 : "=m"(var)                                \
				 : "r"(v_)                                  \
				 : "memory");                               \
	} while (0)

/* The running CPU's copy of a per-CPU variable, given CPU 0's address. */
#define this_cpu_ptr(ptr) \
	((__typeof__(ptr))((uintptr_t)(ptr) + this_cpu_read(this_cpu_off)))

/* CPU cpu's copy. */
#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((uintptr_t)(ptr) + percpu_offset[(cpu)]))

/* The number of the running CPU: 0 is the boot CPU. */
static inline unsigned smp_processor_id(void)
{
	return this_cpu_read(cpu_number);
}

/* Bytes of one CPU's area. */
static inline size_t percpu_area_size(void)
{
	return (size_t)(__percpu_end - __percpu_start);
}

/*
 * Makes `area` (percpu_area_size() bytes, zeroed, page-aligned, in the
 * kernel half) CPU cpu's per-CPU area: records its offset and fills in
 * the CPU's number.  On the boot CPU, before cpu is started.
 */
void percpu_setup_cpu(unsigned cpu, void *area);

#endif

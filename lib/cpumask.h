/*
 * Sets of CPUs, one bit per CPU number (0 is the boot CPU).  A mask shared
 * between CPUs is changed with the atomic set and clear; the other
 * operations read a snapshot.
 */
#ifndef LIB_CPUMASK_H
#define LIB_CPUMASK_H

#include "lib/atomic.h"

/* CPUs the kernel can run; more found in the firmware tables are left
 * halted.  A mask is one 32-bit word. */
#define NR_CPUS 16
STATIC_ASSERT(NR_CPUS <= 32, "a cpumask is one 32-bit word");

typedef struct {
	uint32_t bits;
} cpumask_t;

#define CPUMASK_NONE ((cpumask_t){ 0 })

static inline cpumask_t cpumask_of(unsigned cpu)
{
	return (cpumask_t){ 1u << cpu };
}

static inline bool cpumask_test(const cpumask_t *m, unsigned cpu)
{
	return (READ_ONCE(m->bits) >> cpu) & 1;
}

/* Atomic: other CPUs may change other bits of the same mask. */
static inline void cpumask_set(cpumask_t *m, unsigned cpu)
{
	atomic_or32(&m->bits, 1u << cpu);
}

static inline void cpumask_clear(cpumask_t *m, unsigned cpu)
{
	atomic_andnot32(&m->bits, 1u << cpu);
}

static inline cpumask_t cpumask_read(const cpumask_t *m)
{
	return (cpumask_t){ READ_ONCE(m->bits) };
}

static inline bool cpumask_empty(cpumask_t m)
{
	return m.bits == 0;
}

static inline unsigned cpumask_weight(cpumask_t m)
{
	unsigned n = 0;

	for (uint32_t b = m.bits; b; b &= b - 1) /* no libgcc popcount */
		n++;
	return n;
}

static inline cpumask_t cpumask_without(cpumask_t m, unsigned cpu)
{
	return (cpumask_t){ m.bits & ~(1u << cpu) };
}

/* The lowest CPU in m at or above cpu, or NR_CPUS when there is none. */
static inline unsigned cpumask_next(cpumask_t m, unsigned cpu)
{
	uint32_t rest = cpu < 32 ? m.bits >> cpu << cpu : 0;

	return rest ? (unsigned)__builtin_ctz(rest) : NR_CPUS;
}

/* Each CPU of a snapshot of the mask, in increasing order. */
#define for_each_cpu(cpu, mask)                                             \
	for ((cpu) = cpumask_next((mask), 0); (cpu) < NR_CPUS;              \
	     (cpu) = cpumask_next((mask), (cpu) + 1))

#endif

/* Self-test helpers for several CPUs (see smp_util.h). */
#include "tests/smp_util.h"
#include "arch/x86/smp.h"
#include "arch/x86/tlb.h"
#include "lib/atomic.h"

/* Turns of a wait loop before a test gives up: long enough for any CPU
 * that is running at all, under any emulator, to have answered. */
#define WAIT_TURNS 20000000u

unsigned smp_test_ap(void)
{
	cpumask_t online = cpumask_read(&cpu_online_mask);
	unsigned cpu = cpumask_next(online, 1);

	return cpu < NR_CPUS ? cpu : 0;
}

bool smp_test_wait_flag(const volatile uint32_t *flag)
{
	for (uint32_t i = 0; i < WAIT_TURNS; i++) {
		if (*flag)
			return true;
		cpu_relax();
	}
	return *flag != 0;
}

bool smp_test_wait_count(unsigned long (*count)(void), unsigned long target)
{
	for (uint32_t i = 0; i < WAIT_TURNS; i++) {
		if (count() >= target)
			return true;
		cpu_relax();
	}
	return count() >= target;
}

bool smp_test_wait_idle(unsigned cpu)
{
	for (uint32_t i = 0; i < WAIT_TURNS; i++) {
		if (tlb_cpu_idle(cpu))
			return true;
		cpu_relax();
	}
	return tlb_cpu_idle(cpu);
}

static unsigned long flags_set(const uint32_t *flag0, size_t stride)
{
	unsigned long n = 0;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		n += __atomic_load_n((const uint32_t *)((const char *)flag0 + cpu * stride),
				     __ATOMIC_ACQUIRE) != 0;
	return n;
}

bool smp_test_wait_flags(const uint32_t *flag0, size_t stride, unsigned n)
{
	for (uint32_t i = 0; i < WAIT_TURNS; i++) {
		if (flags_set(flag0, stride) >= n)
			return true;
		cpu_relax();
	}
	return flags_set(flag0, stride) >= n;
}

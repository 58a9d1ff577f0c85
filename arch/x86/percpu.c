/* Per-CPU areas (see percpu.h). */
#include "arch/x86/percpu.h"

uintptr_t percpu_offset[NR_CPUS];
DEFINE_PER_CPU(uintptr_t, this_cpu_off);
DEFINE_PER_CPU(unsigned, cpu_number);

void percpu_setup_cpu(unsigned cpu, void *area)
{
	uintptr_t off = (uintptr_t)area - (uintptr_t)__percpu_start;

	percpu_offset[cpu] = off;
	*per_cpu_ptr(&this_cpu_off, cpu) = off;
	*per_cpu_ptr(&cpu_number, cpu) = cpu;
}

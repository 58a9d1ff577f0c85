/*
 * The CPUs the kernel runs on: their numbers and local APIC ids, which of
 * them are online, and starting the others (arch/x86/smpboot.c).
 *
 * CPU numbers are the kernel's own: 0 is the boot CPU (the BSP), the
 * application processors (APs) follow in the order the firmware's table
 * lists them.  A CPU's local APIC id is what IPIs are addressed to.
 */
#ifndef ARCH_X86_SMP_H
#define ARCH_X86_SMP_H

#include "arch/x86/cpu_tables.h"
#include "arch/x86/percpu.h"

/* CPUs the kernel knows of (online or not), and their APIC ids. */
extern unsigned smp_nr_cpus;
extern uint8_t smp_apic_id[NR_CPUS];
/* CPUs running the kernel; a CPU sets its own bit when it is ready. */
extern cpumask_t cpu_online_mask;

/* The boot CPU's initial local APIC id (CPUID leaf 1), 0 without CPUID. */
unsigned smp_boot_apic_id(void);

/*
 * Numbers the CPUs of the tables: the boot CPU becomes CPU 0 (added if the
 * tables missed it), the others follow in table order.  Marks CPU 0
 * online.  Boot CPU, once.
 */
void smp_set_cpus(const struct cpu_tables *t);

static inline unsigned smp_num_online(void)
{
	return cpumask_weight(cpumask_read(&cpu_online_mask));
}

/* Whether any CPU but one is online (cheap: on every unmap). */
static inline bool smp_others_online(void)
{
	uint32_t b = READ_ONCE(cpu_online_mask.bits);

	return (b & (b - 1)) != 0;
}

#endif

/* The CPUs' numbers and APIC ids (see smp.h). */
#include "arch/x86/smp.h"
#include "arch/x86/cpu.h"

unsigned smp_nr_cpus = 1;
uint8_t smp_apic_id[NR_CPUS];
cpumask_t cpu_online_mask;

unsigned smp_boot_apic_id(void)
{
	uint32_t a, b, c, d;

	if (!(cpu_features_edx() & CPUID_EDX_APIC))
		return 0;
	cpuid(1, &a, &b, &c, &d);
	return b >> 24; /* EBX[31:24]: the initial APIC id */
}

void smp_set_cpus(const struct cpu_tables *t)
{
	unsigned boot = smp_boot_apic_id();

	smp_apic_id[0] = (uint8_t)boot;
	smp_nr_cpus = 1;
	for (unsigned i = 0; i < t->ct_nr && smp_nr_cpus < NR_CPUS; i++)
		if (t->ct_apic_id[i] != boot)
			smp_apic_id[smp_nr_cpus++] = t->ct_apic_id[i];
	cpumask_set(&cpu_online_mask, 0);
}

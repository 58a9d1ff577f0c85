/*
 * Bringing up the other CPUs (kernel/smp.c): find them in the firmware's
 * tables, report them, and (later) start them.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

/* Finds the CPUs (ACPI MADT, or the MP table; boot option acpi=off skips
 * the MADT), prints what it found, checks the PAT.  Once, at boot, after
 * vmalloc_init. */
void smp_init(void);

#endif

/*
 * Bringing up the other CPUs and giving them work (kernel/smp.c).
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include "arch/x86/smp_call.h"

/*
 * Finds the CPUs (ACPI MADT, or the MP table; boot option acpi=off skips
 * the MADT), prints what it found, checks the PAT, and starts every other
 * CPU (unless the boot option nosmp), each printing "CPU n online" and
 * then idling.  Once, at boot, after vmalloc_init.
 */
void smp_init(void);

/*
 * Hands the idle AP cpu the job fn(arg), through a cross-CPU call, after
 * waiting for its previous job to end.  The AP runs it in its idle loop
 * with interrupts on; smp_run_wait waits for the end.  A job may use
 * the allocators like any kernel code.  Returns 0, or
 * ERR_INVALID_ARGS when cpu is not an online AP.  Boot CPU or another AP.
 */
int smp_run_on(unsigned cpu, smp_call_fn fn, void *arg);
void smp_run_wait(unsigned cpu);
/* Whether cpu's job (if any) has ended. */
bool smp_run_done(unsigned cpu);

/* The lowest address of an AP's kernel stack (NULL for CPU 0, whose boot
 * stack is in the kernel image), for the shell's cpus. */
void *smp_cpu_stack(unsigned cpu);
#define SMP_STACK_SIZE 8192

/* One line per CPU: APIC id, online, per-CPU area, stack, calls and
 * shootdowns answered, shootdowns sent, job. */
void smp_print_cpus(void);

#endif

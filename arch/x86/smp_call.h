/*
 * Cross-CPU calls: run a function on other CPUs and wait until they have
 * (arch/x86/smp_call.c has the protocol).  The one way work reaches
 * another CPU: kernel/smp.c hands an idle AP a job through one.
 */
#ifndef ARCH_X86_SMP_CALL_H
#define ARCH_X86_SMP_CALL_H

#include "lib/cpumask.h"

typedef void (*smp_call_fn)(void *arg);

/*
 * Runs fn(arg) on every online CPU of mask -- on the calling CPU directly,
 * on the others in their interrupt handler -- with interrupts off, and
 * returns once all of them have returned.  fn must be short and must take
 * no lock that its CPU might hold where it is interrupted: only locks
 * always taken with interrupts off.  The caller must not hold a lock a
 * target may be spinning on with interrupts off (lib/lock_order.h).  Any
 * context but an interrupt handler; one call is in flight at a time, and
 * a CPU waiting to send one answers the calls sent to it meanwhile.
 */
void smp_call_many(cpumask_t mask, smp_call_fn fn, void *arg);
/* The same for one CPU; ERR_INVALID_ARGS when it is not online. */
int smp_call_on(unsigned cpu, smp_call_fn fn, void *arg);
/* The same on every online CPU, this one included. */
void smp_call_all(smp_call_fn fn, void *arg);

/* Runs this CPU's pending call, if any (the IPI handler, and waits). */
void smp_call_poll(void);
/* Registers the IPI handler; once, after lapic_set_base. */
void smp_call_init(void);

/* Calls this CPU answered since boot (for the shell's cpus). */
unsigned long smp_calls_received(unsigned cpu);

#endif

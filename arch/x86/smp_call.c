/*
 * Cross-CPU calls: the protocol.
 *
 * Every CPU has a mailbox in its per-CPU area: a function, its argument,
 * and a pending flag.  One call is in flight at a time (call_lock).
 *
 *   sender                               target
 *   take call_lock (answering its own
 *     mailbox while it waits)
 *   fill each target's mailbox,
 *     then set its pending flag
 *   send IPI T_IPI_CALL to each          interrupt: smp_call_poll sees
 *                                          pending, runs fn(arg) with
 *                                          interrupts off, then clears
 *                                          pending (the acknowledgement)
 *   wait until every pending flag is       EOI
 *     clear, then release call_lock
 *
 * The flag is written last by the sender and first read by the target, and
 * cleared by the target only after fn returned, so the sender never sees
 * an acknowledgement before the work is done, and the mailbox is never
 * refilled while in use.  A CPU with interrupts off answers only where it
 * polls: while it waits to send a call of its own, or waits for one to
 * finish.  That is why a sender must not hold a lock its targets may spin
 * on with interrupts off (TLB shootdowns have their own, stronger, path:
 * arch/x86/tlb.c; both waits here answer them too).
 */
#include "arch/x86/smp_call.h"
#include "arch/x86/smp.h"
#include "arch/x86/apic.h"
#include "arch/x86/vectors.h"
#include "arch/x86/trap.h"
#include "arch/x86/tlb.h"
#include "lib/lockstat.h"
#include "lib/errno.h"

struct call_mailbox {
	smp_call_fn cm_fn;
	void *cm_arg;
	uint32_t cm_pending; /* set by the sender, cleared by this CPU */
	unsigned long cm_received;
};

static DEFINE_PER_CPU(struct call_mailbox, mailbox);
static struct spinlock call_lock = SPINLOCK_INIT("cross-call", LOCK_ORDER_CALL);
LOCK_REGISTER(call_lock);

void smp_call_poll(void)
{
	struct call_mailbox *m = this_cpu_ptr(&mailbox);

	if (!READ_ONCE(m->cm_pending))
		return;
	tlb_idle_exit(); /* fn may touch anything */
	m->cm_fn(m->cm_arg);
	m->cm_received++;
	__atomic_store_n(&m->cm_pending, 0, __ATOMIC_RELEASE);
}

static bool call_interrupt(struct trap_frame *tf)
{
	(void)tf;
	smp_call_poll();
	lapic_eoi();
	return true;
}

void smp_call_init(void)
{
	trap_register(T_IPI_CALL, call_interrupt);
}

static void post(unsigned cpu, smp_call_fn fn, void *arg)
{
	struct call_mailbox *m = per_cpu_ptr(&mailbox, cpu);

	m->cm_fn = fn;
	m->cm_arg = arg;
	__atomic_store_n(&m->cm_pending, 1, __ATOMIC_RELEASE);
	lapic_send_ipi(smp_apic_id[cpu], T_IPI_CALL);
}

static void wait_done(unsigned cpu)
{
	while (__atomic_load_n(&per_cpu_ptr(&mailbox, cpu)->cm_pending, __ATOMIC_ACQUIRE)) {
		tlb_poll(); /* the target may be waiting for our acknowledgement */
		cpu_relax();
	}
}

void smp_call_many(cpumask_t mask, smp_call_fn fn, void *arg)
{
	unsigned me, cpu;
	cpumask_t others;
	irqflags_t flags = irq_save();

	me = smp_processor_id();
	mask.bits &= cpumask_read(&cpu_online_mask).bits;
	others = cpumask_without(mask, me);
	if (!cpumask_empty(others)) {
		while (!spin_trylock(&call_lock)) {
			smp_call_poll(); /* the current sender may be waiting for us */
			tlb_poll();
			cpu_relax();
		}
		for_each_cpu(cpu, others)
			post(cpu, fn, arg);
		for_each_cpu(cpu, others)
			wait_done(cpu);
		spin_unlock(&call_lock);
	}
	if (cpumask_test(&mask, me))
		fn(arg);
	irq_restore(flags);
}

int smp_call_on(unsigned cpu, smp_call_fn fn, void *arg)
{
	if (cpu >= NR_CPUS || !cpumask_test(&cpu_online_mask, cpu))
		return ERR_INVALID_ARGS;
	smp_call_many(cpumask_of(cpu), fn, arg);
	return 0;
}

void smp_call_all(smp_call_fn fn, void *arg)
{
	smp_call_many(cpumask_read(&cpu_online_mask), fn, arg);
}

unsigned long smp_calls_received(unsigned cpu)
{
	return READ_ONCE(per_cpu_ptr(&mailbox, cpu)->cm_received);
}

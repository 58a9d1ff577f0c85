/*
 * TLB shootdown: the protocol.
 *
 * Each CPU caches translations in its own TLB, and nothing in the hardware
 * tells it when another CPU changes an entry.  So a CPU that changes or
 * removes a mapping another CPU may have cached -- anything in the shared
 * kernel half, or a user entry of a space loaded on other CPUs -- does
 * this before the old frame (or page table) may be used for anything else:
 *
 *   initiator                              each target
 *   1. write the entries; invlpg locally
 *   2. take shootdown_lock (one shootdown
 *      in flight; while waiting for it,
 *      answer the one in flight)
 *   3. write the request (range, or
 *      "everything"), then the mask of
 *      targets that owe an answer
 *   4. send IPI T_IPI_TLB to each target   interrupt (or, with interrupts
 *                                            off, the next turn of a wait
 *                                            loop): tlb_poll sees its bit,
 *                                            invalidates the range (invlpg
 *                                            each page) or everything (CR4.PGE
 *                                            toggled: globals too), then
 *                                            clears its bit: the ack
 *   5. wait until the mask is empty
 *   6. release shootdown_lock; only now
 *      may the caller free the frames and
 *      tables the old entries led to
 *
 * Between 1 and 5 a target may still use the old translation: it reads
 * the old frame, which is still the old frame's owner's (nothing was
 * freed).  It cannot create a new translation from the entry: that was
 * cleared in 1, before the request was published (every step is a locked
 * instruction or an ordered store, x86 keeps stores in order).  A CPU that
 * loads an address space after step 3 gets the new entries from the walk.
 * The wait in 5 cannot deadlock: a target spinning with interrupts off for
 * a lock the initiator holds answers from spin_wait's relax hook, and one
 * waiting for a cross-CPU call answers from that wait.
 *
 * Idle CPUs are not interrupted (lazy TLB).  An AP between jobs touches
 * only mappings that never change (tlb.h), so in 3 the initiator leaves
 * out every target whose bit is set in `idle`, setting its bit in `stale`
 * instead; such a CPU flushes everything in tlb_idle_exit before it runs
 * anything.  The race with a CPU leaving idle is settled by two locked
 * operations each way: the initiator sets stale, then reads idle; the CPU
 * clears idle, then reads stale.  Either the initiator still sees the CPU
 * idle, and then the CPU sees stale and flushes, or it does not, and then
 * it sends the IPI as to any busy CPU.
 */
#include "arch/x86/tlb.h"
#include "arch/x86/smp.h"
#include "arch/x86/apic.h"
#include "arch/x86/vectors.h"
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/mmu.h"
#include "lib/lockstat.h"

bool tlb_shootdown_enabled = true;

static struct spinlock shootdown_lock = SPINLOCK_INIT("shootdown", LOCK_ORDER_SHOOTDOWN);
LOCK_REGISTER(shootdown_lock);
/* The shootdown in flight (written under shootdown_lock before `owing`). */
static vaddr_t request_va;
static size_t request_pages; /* 0: everything */
static cpumask_t owing; /* targets that have not acknowledged yet */
static cpumask_t idle; /* CPUs in their idle loop: not interrupted */
static cpumask_t stale; /* idle CPUs that owe themselves a whole flush */
static DEFINE_PER_CPU(struct tlb_stats, stats);

cpumask_t tlb_other_cpus(void)
{
	return cpumask_without(cpumask_read(&cpu_online_mask), smp_processor_id());
}

static void flush_everything(void)
{
	uint32_t cr4 = read_cr4();

	if (cr4 & CR4_PGE) { /* clearing PGE drops the global entries too */
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	} else {
		write_cr3(read_cr3());
	}
}

void tlb_poll(void)
{
	unsigned me = smp_processor_id();
	struct tlb_stats *s;

	if (!(__atomic_load_n(&owing.bits, __ATOMIC_ACQUIRE) & (1u << me)))
		return;
	s = this_cpu_ptr(&stats);
	if (request_pages == 0) {
		flush_everything();
		s->ts_full++;
	} else {
		for (size_t i = 0; i < request_pages; i++)
			invlpg(request_va + i * PAGE_SIZE);
		s->ts_pages += request_pages;
	}
	s->ts_received++;
	cpumask_clear(&owing, me); /* the acknowledgement (a locked and) */
}

void tlb_idle_enter(void)
{
	cpumask_set(&idle, smp_processor_id());
}

void tlb_idle_exit(void)
{
	unsigned me = smp_processor_id();

	if (!cpumask_test(&idle, me))
		return;
	cpumask_clear(&idle, me); /* before reading stale: see above */
	if (!cpumask_test(&stale, me))
		return;
	cpumask_clear(&stale, me);
	flush_everything();
	this_cpu_ptr(&stats)->ts_lazy++;
}

bool tlb_cpu_idle(unsigned cpu)
{
	return cpumask_test(&idle, cpu);
}

/* The targets that need an IPI: the others are idle and now stale. */
static cpumask_t busy_targets(cpumask_t targets)
{
	cpumask_t busy = CPUMASK_NONE;
	unsigned cpu;

	for_each_cpu(cpu, targets) {
		if (cpumask_test(&idle, cpu)) {
			cpumask_set(&stale, cpu);
			if (cpumask_test(&idle, cpu))
				continue; /* it will see stale when it wakes */
		}
		busy.bits |= 1u << cpu;
	}
	return busy;
}

static bool tlb_interrupt(struct trap_frame *tf)
{
	(void)tf;
	tlb_poll();
	lapic_eoi();
	return true;
}

void tlb_init(void)
{
	trap_register(T_IPI_TLB, tlb_interrupt);
}

void tlb_shootdown(cpumask_t targets, vaddr_t va, size_t pages)
{
	irqflags_t flags;
	unsigned cpu;

	targets.bits &= tlb_other_cpus().bits;
	if (cpumask_empty(targets) || !tlb_shootdown_enabled || !pages)
		return;
	flags = irq_save();
	while (!spin_trylock(&shootdown_lock)) {
		tlb_poll(); /* we may be a target of the one in flight */
		cpu_relax();
	}
	targets = busy_targets(targets);
	if (cpumask_empty(targets))
		goto out;
	request_va = va;
	request_pages = pages > TLB_FULL_FLUSH_PAGES ? 0 : pages;
	__atomic_store_n(&owing.bits, targets.bits, __ATOMIC_SEQ_CST);
	for_each_cpu(cpu, targets)
		lapic_send_ipi(smp_apic_id[cpu], T_IPI_TLB);
	while (__atomic_load_n(&owing.bits, __ATOMIC_ACQUIRE))
		cpu_relax();
	this_cpu_ptr(&stats)->ts_sent++;
out:
	spin_unlock(&shootdown_lock);
	irq_restore(flags);
}

void tlb_get_stats(unsigned cpu, struct tlb_stats *s)
{
	*s = *per_cpu_ptr(&stats, cpu);
}

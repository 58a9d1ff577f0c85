/*
 * TLB shootdown: making other CPUs forget translations that changed
 * (arch/x86/tlb.c has the protocol).
 */
#ifndef ARCH_X86_TLB_H
#define ARCH_X86_TLB_H

#include "lib/cpumask.h"
#include "lib/types.h"

/* A range of more pages than this is flushed whole: one CR4 toggle
 * instead of that many invlpg. */
#define TLB_FULL_FLUSH_PAGES 32

/* Test-only switch (boot option no_shootdown): when false, no shootdown is
 * sent, so that a test can show what goes wrong without them. */
extern bool tlb_shootdown_enabled;

/*
 * Makes every online CPU of targets but this one drop its translations of
 * [va, va + pages pages) -- all of its translations when pages is above
 * TLB_FULL_FLUSH_PAGES -- and returns once each has acknowledged.  The
 * caller has already changed the entries and invalidated its own TLB;
 * after the return no other CPU can use an old translation, so the frames
 * and page tables they led to may be reused.  One IPI per target per call.
 * Any context but an interrupt handler, with any lock held: a target that
 * waits for a lock with interrupts off answers from its wait loop.
 */
void tlb_shootdown(cpumask_t targets, vaddr_t va, size_t pages);

/* Every online CPU but this one: the targets of a kernel-half change. */
cpumask_t tlb_other_cpus(void);

/* Answers this CPU's pending shootdown, if any.  Called by the IPI handler
 * and by every wait loop that may run with interrupts off. */
void tlb_poll(void);

/*
 * Lazy TLB for idle CPUs.  An idle AP (in its hlt loop, between jobs)
 * touches only mappings that never change -- the kernel image, its per-CPU
 * area, its stack, the local APIC -- so a shootdown need not wake it: it
 * is marked stale instead, and flushes everything before it touches
 * anything else.  tlb_idle_enter: interrupts off, before halting;
 * tlb_idle_exit: interrupts off, before running a job or a call.
 */
void tlb_idle_enter(void);
void tlb_idle_exit(void);
/* Whether cpu is idle in that sense now (a snapshot, for the tests). */
bool tlb_cpu_idle(unsigned cpu);
/* Registers the IPI handler; once, after lapic_set_base. */
void tlb_init(void);

struct tlb_stats {
	unsigned long ts_sent; /* shootdowns this CPU sent */
	unsigned long ts_received; /* shootdowns this CPU answered */
	unsigned long ts_pages; /* pages it invalidated for them */
	unsigned long ts_full; /* whole flushes among them */
	unsigned long ts_lazy; /* whole flushes on waking, for skipped ones */
};
/* CPU cpu's counters since boot (a snapshot). */
void tlb_get_stats(unsigned cpu, struct tlb_stats *s);

#endif

/*
 * Suite spinlock: the ticket lock, its statistics and lock debugging on
 * one CPU (tests/test_smp_locks.c provokes the reports that need two).
 * ktest turns lock debugging on, so these run with it.
 */
#include "tests/ktest.h"
#include "lib/spinlock.h"
#include "lib/cpumask.h"
#include "lib/string.h"
#include "mm/report.h"
#include "mm/buddy.h"
#include "mm/platform.h"
#include "arch/x86/smp.h"

KTEST(spinlock, "a ticket lock: taken, busy for trylock, free again; statistics count")
{
	struct spinlock l = SPINLOCK_INIT("test", LOCK_ORDER_NONE);

	EXPECT_FALSE(spin_is_locked(&l));
	spin_lock(&l);
	EXPECT_TRUE(spin_is_locked(&l));
	EXPECT_TRUE(spin_held(&l));
	EXPECT_FALSE(spin_trylock(&l)); /* a failed trylock is no misuse */
	spin_unlock(&l);
	EXPECT_FALSE(spin_is_locked(&l));
	EXPECT_FALSE(spin_held(&l));
	EXPECT_TRUE(spin_trylock(&l));
	spin_unlock(&l);
	EXPECT_EQ(2, l.sl_stats.ls_acquired);
	EXPECT_EQ(0, l.sl_stats.ls_contended);
	/* Two tickets served: both counters moved on by two. */
	EXPECT_EQ(2, l.sl_next);
	EXPECT_EQ(2, l.sl_serving);
}

KTEST(spinlock, "the tickets wrap at 2^16 and the lock still works")
{
	struct spinlock l = SPINLOCK_INIT("test", LOCK_ORDER_NONE);

	l.sl_next = l.sl_serving = 0xFFFF;
	spin_lock(&l);
	EXPECT_EQ(0, l.sl_next);
	spin_unlock(&l);
	EXPECT_EQ(0, l.sl_serving);
	EXPECT_FALSE(spin_is_locked(&l));
	EXPECT_TRUE(spin_trylock(&l));
	spin_unlock(&l);
}

KTEST(spinlock, "spin_lock_irqsave masks interrupts inside and restores the flag")
{
	struct spinlock l = SPINLOCK_INIT("test", LOCK_ORDER_NONE);
	bool before = irqs_disabled();
	irqflags_t flags = spin_lock_irqsave(&l);

	EXPECT_TRUE(irqs_disabled());
	spin_unlock_irqrestore(&l, flags);
	EXPECT_EQ(before, irqs_disabled());
}

KTEST(spinlock, "recursive acquisition is reported, refused, and the lock stays usable")
{
	struct spinlock l = SPINLOCK_INIT("test-recursive", LOCK_ORDER_NONE);
	unsigned long was = spin_report_count(SPIN_REPORT_RECURSION);

	ASSERT_TRUE(spin_debug_on);
	report_expect(1);
	spin_lock(&l);
	spin_lock(&l); /* would wait for itself for ever without debugging */
	EXPECT_EQ(was + 1, spin_report_count(SPIN_REPORT_RECURSION));
	EXPECT_NOT_NULL(strstr(report_last(), "test-recursive taken again by CPU"));
	spin_unlock(&l); /* absorbed: the inner, refused acquisition */
	EXPECT_TRUE(spin_is_locked(&l));
	spin_unlock(&l);
	EXPECT_FALSE(spin_is_locked(&l));
	EXPECT_EQ(1, l.sl_stats.ls_acquired);
}

KTEST(spinlock, "releasing a lock nobody holds is reported and refused")
{
	struct spinlock l = SPINLOCK_INIT("test-unheld", LOCK_ORDER_NONE);
	unsigned long was = spin_report_count(SPIN_REPORT_NOT_OWNER);

	report_expect(1);
	spin_unlock(&l);
	EXPECT_EQ(was + 1, spin_report_count(SPIN_REPORT_NOT_OWNER));
	EXPECT_NOT_NULL(strstr(report_last(), "held by nobody"));
	/* Refused: a release would have served a ticket nobody took. */
	EXPECT_EQ(0, l.sl_serving);
	EXPECT_TRUE(spin_trylock(&l));
	spin_unlock(&l);
}

KTEST(spinlock, "taking locks against the documented order is reported; in order it is not")
{
	struct spinlock outer = SPINLOCK_INIT("test-vmalloc", LOCK_ORDER_VMALLOC);
	struct spinlock inner = SPINLOCK_INIT("test-as", LOCK_ORDER_AS);
	struct spinlock peer = SPINLOCK_INIT("test-as-2", LOCK_ORDER_AS);
	unsigned long was = spin_report_count(SPIN_REPORT_ORDER);

	spin_lock(&outer);
	spin_lock(&inner);
	spin_unlock(&inner);
	spin_unlock(&outer);
	EXPECT_EQ(was, spin_report_count(SPIN_REPORT_ORDER));

	report_expect(2);
	spin_lock(&inner);
	spin_lock(&outer); /* 20 inside 30 */
	EXPECT_NOT_NULL(strstr(report_last(), "test-vmalloc (order 20)"));
	EXPECT_NOT_NULL(strstr(report_last(), "while holding test-as (order 30)"));
	spin_lock(&peer); /* two locks of one rank are never held at once */
	spin_unlock(&peer);
	spin_unlock(&outer); /* out of order: allowed */
	spin_unlock(&inner);
	EXPECT_EQ(was + 2, spin_report_count(SPIN_REPORT_ORDER));
	EXPECT_FALSE(spin_is_locked(&inner) || spin_is_locked(&outer));
}

KTEST(spinlock, "atomics: add, exchange, compare-exchange, decrement to zero")
{
	atomic_t a = ATOMIC_INIT(5);
	uint32_t w = 0x0F;

	EXPECT_EQ(8, atomic_add_return(&a, 3));
	EXPECT_EQ(8, atomic_xchg(&a, 1));
	EXPECT_EQ(1, atomic_cmpxchg(&a, 7, 9)); /* not 7: unchanged */
	EXPECT_EQ(1, atomic_cmpxchg(&a, 1, 9));
	EXPECT_EQ(9, atomic_read(&a));
	atomic_set(&a, 1);
	EXPECT_TRUE(atomic_dec_and_test(&a));
	atomic_or32(&w, 0x30);
	atomic_andnot32(&w, 0x03);
	EXPECT_EQ(0x3C, w);
	EXPECT_EQ(0x3C, atomic_fetch_andnot32(&w, 0x3C));
	EXPECT_EQ(0, w);
}

KTEST(spinlock, "cpumask: set, clear, weight, and iteration in order")
{
	cpumask_t m = CPUMASK_NONE;
	unsigned cpu, seen = 0, last = 0;

	EXPECT_TRUE(cpumask_empty(m));
	cpumask_set(&m, 3);
	cpumask_set(&m, 0);
	cpumask_set(&m, NR_CPUS - 1);
	EXPECT_EQ(3, cpumask_weight(m));
	EXPECT_TRUE(cpumask_test(&m, 3));
	EXPECT_FALSE(cpumask_test(&m, 2));
	for_each_cpu(cpu, m) {
		EXPECT_TRUE(seen == 0 || cpu > last);
		last = cpu;
		seen++;
	}
	EXPECT_EQ(3, seen);
	EXPECT_EQ(NR_CPUS - 1, last);
	cpumask_clear(&m, 3);
	EXPECT_EQ(2, cpumask_weight(cpumask_without(m, 5)));
	EXPECT_EQ(1, cpumask_weight(cpumask_without(m, 0)));
	EXPECT_EQ(NR_CPUS, cpumask_next(cpumask_of(2), 3));
}

KTEST(spinlock, "one CPU, lock debugging off: the allocators' locks take no ticket; debugging on, or a second CPU, and every lock takes its ticket again")
{
	bool one = smp_num_online() == 1;
	uint32_t word[MAX_NR_ZONES];
	struct page *p;
	int z;

	EXPECT_FALSE(mm_locks_one_cpu()); /* debugging is on in every test */
	spin_debug_enable(false);
	EXPECT_EQ(one, mm_locks_one_cpu());
	for (z = 0; z < MAX_NR_ZONES; z++)
		word[z] = READ_ONCE(zones[z].lock.sl_word);
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, PCP_ORDERS); /* under a zone lock */
	z = p ? (int)page_zone_id(p) : ZONE_NORMAL;
	if (p)
		__free_pages(p, PCP_ORDERS);
	if (one) /* no ticket taken, none served */
		EXPECT_EQ(word[z], READ_ONCE(zones[z].lock.sl_word));
	else if (p)
		EXPECT_NE(word[z], READ_ONCE(zones[z].lock.sl_word));
	spin_debug_enable(true);
	EXPECT_FALSE(mm_locks_one_cpu());
	for (z = 0; z < MAX_NR_ZONES; z++)
		word[z] = READ_ONCE(zones[z].lock.sl_word);
	p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, PCP_ORDERS);
	if (p) { /* two tickets of its zone taken and served: the alloc's, the free's */
		struct spinlock *zl = &zones[page_zone_id(p)].lock;
		z = (int)page_zone_id(p);
		__free_pages(p, PCP_ORDERS);
		EXPECT_EQ((uint16_t)((word[z] >> 16) + 2), zl->sl_next);
		EXPECT_EQ((uint16_t)(word[z] + 2), zl->sl_serving);
	}
	EXPECT_EQ(0, buddy_check());
}

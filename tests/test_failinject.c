/*
 * Suite failinject: deterministic fault injection (mm/failinject.h).  The
 * nth allocation fails, whichever allocator makes it; a kind filter counts
 * only its kind; a seeded probability fails the same allocations twice.
 */
#include "tests/ktest.h"
#include "mm/failinject.h"
#include "mm/kmalloc.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "tests/slab_test.h"

static void arm(unsigned long nth, unsigned kinds)
{
	struct mm_failinject cfg = { .nth = nth, .kinds = kinds, .quiet = true };

	mm_failinject_set(&cfg);
}

KTEST(failinject, "the nth allocation fails, nested ones counted: a kmalloc fails at each of its allocations")
{
	unsigned long k, count;
	void *p;

	arm(0, 0); /* count only */
	p = kmalloc(3000, GFP_KERNEL);
	count = mm_failinject_count();
	mm_failinject_off();
	EXPECT_NOT_NULL(p);
	kfree(p);
	EXPECT_TRUE(count >= 2); /* the kmalloc, its slab allocation (and pages) */
	for (k = 1; k <= count; k++) {
		kmem_shrink_all(); /* the same state for every run */
		arm(k, 0);
		p = kmalloc(3000, GFP_KERNEL);
		EXPECT_EQ(1, mm_failinject_injected());
		mm_failinject_off();
		EXPECT_NULL(p);
		kfree(p);
	}
	kmem_shrink_all();
	arm(count + 1, 0);
	p = kmalloc(3000, GFP_KERNEL);
	EXPECT_EQ(0, mm_failinject_injected());
	mm_failinject_off();
	EXPECT_NOT_NULL(p);
	kfree(p);
}

KTEST(failinject, "a kind filter counts only its kind; the fast paths count every allocation while armed")
{
	struct page *pg;
	void *p;

	arm(1, 1u << MM_ALLOC_SLAB);
	pg = alloc_page(GFP_KERNEL); /* not a slab allocation: not counted */
	EXPECT_EQ(0, mm_failinject_count());
	p = kmalloc(64, GFP_KERNEL); /* its slab allocation is the first */
	EXPECT_EQ(1, mm_failinject_injected());
	mm_failinject_off();
	EXPECT_NOT_NULL(pg);
	EXPECT_NULL(p);
	__free_page(pg);
	arm(1, 1u << MM_ALLOC_PAGES);
	pg = alloc_page(GFP_KERNEL); /* the hot list's fast path steps aside */
	mm_failinject_off();
	EXPECT_NULL(pg);
}

static unsigned fails_with_seed(uint32_t seed)
{
	struct mm_failinject cfg = { .prob_ppm = 500000, .seed = seed, .quiet = true };
	static void *p[200];
	unsigned fails = 0;

	kmem_shrink_all(); /* the same state for both runs */
	mm_failinject_set(&cfg);
	for (int i = 0; i < 200; i++)
		fails += !(p[i] = kmalloc(32, GFP_KERNEL | __GFP_NOWARN));
	mm_failinject_off();
	for (int i = 0; i < 200; i++)
		kfree(p[i]);
	return fails;
}

KTEST(failinject, "a seeded probability: about that share fails, the same ones for the same seed")
{
	unsigned a = fails_with_seed(7), b = fails_with_seed(7);

	EXPECT_EQ(a, b);
	EXPECT_TRUE(a > 50 && a < 200); /* each kmalloc is at least two tries at 1/2 */
}

KTEST(failinject, "a NULL configuration, kinds that do not exist, a probability above one and a NULL hook are refused")
{
	struct mm_failinject kinds = { .kinds = 1u << MM_ALLOC_KINDS, .quiet = true };
	struct mm_failinject prob = { .prob_ppm = 1000001, .quiet = true };
	bool armed = mm_failinject_armed; /* the sweep may have armed it */
	unsigned long counted = mm_failinject_count();

	EXPECT_REPORTS(REPORT_INVALID_ARG, 5,
		       mm_failinject_set(NULL);
		       mm_failinject_set(&kinds);
		       mm_failinject_set(&prob);
		       mm_failinject_on_arm(NULL);
		       EXPECT_FALSE(mm_failinject_last(NULL, NULL)));
	EXPECT_EQ(armed, mm_failinject_armed);
	EXPECT_EQ(counted, mm_failinject_count());
}

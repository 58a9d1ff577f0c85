/*
 * Suite paging, part 3: vmalloc over scattered frames with guard pages, and
 * kmap of HIGHMEM frames.
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "mm/vmalloc.h"
#include "mm/highmem.h"
#include "tests/slab_test.h"
#include "mm/vmm.h"
#include "mm/paging.h"
#include "arch/x86/layout.h"
#include "mm/pgtable.h"
#include "mm/platform.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "arch/x86/trap.h"
#include "lib/errno.h"

#define SCATTER_PAGES 64

/* Frees every other page of 2n, so that the next n order-0 allocations
 * get frames that are not neighbours -- with the per-CPU lists off (the
 * caller's doing), where the buddy hands out its lone free frames first.
 * (A CPU's list would keep only its mark of them, on a small zone a 64th
 * of it, and then carve a fresh block.)  keep[] gets the n pages kept
 * (NULL where an allocation failed). */
static void scatter_free_frames(struct page **keep, unsigned n)
{
	static struct page *odd[SCATTER_PAGES];

	/* all first, then the odd ones back: freeing each at once would
	 * only have the next allocation take it again */
	for (unsigned i = 0; i < n; i++) {
		keep[i] = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
		odd[i] = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
	}
	for (unsigned i = 0; i < n; i++)
		if (odd[i])
			__free_page(odd[i]);
}

KTEST(paging, "vmalloc maps scattered frames contiguously; its guard pages fault")
{
	static struct page *keep[SCATTER_PAGES];
	unsigned long free0 = frames_free_settled();
	unsigned areas0 = vmalloc_nr_areas(); /* other CPUs' stacks, the APIC */
	unsigned breaks = 0;
	uint32_t *a, *b, v;
	paddr_t pa, prev = 0;

	buddy_set_pcp(false);
	scatter_free_frames(keep, SCATTER_PAGES);
	a = vmalloc(SCATTER_PAGES * PAGE_SIZE);
	b = vmalloc(PAGE_SIZE);
	buddy_set_pcp(true);
	if (!EXPECT_TRUE(a && b))
		goto out;
	EXPECT_GE((vaddr_t)a, VMALLOC_START);
	for (unsigned i = 0; i < SCATTER_PAGES; i++) {
		uint32_t *p = a + i * (PAGE_SIZE / 4);
		if (!EXPECT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)p, &pa, NULL)))
			goto out;
		if (i && pa != prev + PAGE_SIZE)
			breaks++;
		prev = pa;
		p[0] = 0xC0DE0000 + i;
		p[PAGE_SIZE / 4 - 1] = i;
	}
	EXPECT_GT(breaks, 0);
	for (unsigned i = 0; i < SCATTER_PAGES; i++)
		EXPECT_EQ(0xC0DE0000 + i, a[i * (PAGE_SIZE / 4)]);
	/* The page after each area is an unmapped guard. */
	EXPECT_EQ(ERR_FAULT, probe_read(a + SCATTER_PAGES * (PAGE_SIZE / 4), &v));
	EXPECT_EQ(0, last_fixed_fault.error & PF_ERR_PRESENT);
	EXPECT_EQ(ERR_FAULT, probe_write(b + PAGE_SIZE / 4, 1));
	EXPECT_EQ((vaddr_t)a + (SCATTER_PAGES + 1) * PAGE_SIZE, (vaddr_t)b);
out:
	vfree(a);
	vfree(b);
	EXPECT_EQ(ERR_FAULT, probe_read(a, &v));
	for (unsigned i = 0; i < SCATTER_PAGES; i++)
		if (keep[i])
			__free_page(keep[i]);
	EXPECT_EQ(areas0, vmalloc_nr_areas());
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(paging, "vzalloc returns zeroed memory; vfree refuses foreign and interior pointers")
{
	unsigned long free0 = frames_free_settled();
	unsigned long bad0 = report_count(REPORT_NOT_ALLOCATED);
	unsigned long interior0 = report_count(REPORT_INTERIOR_POINTER);
	uint8_t *p = vmalloc(3 * PAGE_SIZE);
	uint32_t *z;
	unsigned nonzero = 0;

	ASSERT_NOT_NULL(p);
	for (unsigned i = 0; i < 3 * PAGE_SIZE; i++)
		p[i] = 0xFF;
	vfree(p);
	z = vzalloc(3 * PAGE_SIZE);
	ASSERT_NOT_NULL(z);
	for (unsigned i = 0; i < 3 * PAGE_SIZE / 4; i++)
		nonzero += z[i] != 0;
	EXPECT_EQ(0, nonzero);
	report_expect(2);
	vfree((uint8_t *)z + PAGE_SIZE);
	vfree((void *)(VMALLOC_END - PAGE_SIZE));
	EXPECT_EQ(interior0 + 1, report_count(REPORT_INTERIOR_POINTER));
	EXPECT_EQ(bad0 + 1, report_count(REPORT_NOT_ALLOCATED));
	vfree(z);
	vfree(NULL);
	report_expect(2); /* a size of 0 and one past the range */
	EXPECT_NULL(vmalloc(0));
	EXPECT_NULL(vmalloc(VMALLOC_END - VMALLOC_START + PAGE_SIZE));
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(paging, "vmalloc_to_page gives the frame under each page of an area, NULL at its guard page, and refuses an address outside the range")
{
	uint8_t *p = vmalloc(3 * PAGE_SIZE);
	unsigned long before = report_count(REPORT_OUT_OF_RANGE);

	ASSERT_NOT_NULL(p);
	for (unsigned i = 0; i < 3; i++) {
		paddr_t pa = 0;
		struct page *page = vmalloc_to_page(p + i * PAGE_SIZE + 123);

		EXPECT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)p + i * PAGE_SIZE, &pa, NULL));
		EXPECT_PTR_EQ(phys_to_page(pa), page);
	}
	EXPECT_NULL(vmalloc_to_page(p + 3 * PAGE_SIZE)); /* the guard page */
	report_expect(1);
	EXPECT_NULL(vmalloc_to_page((void *)0xC0100000));
	EXPECT_EQ(before + 1, report_count(REPORT_OUT_OF_RANGE));
	vfree(p);
}

KTEST(paging, "ptdump refuses a NULL or misaligned directory, and mm_unmap_frame a kmap slot not in use: reports, not faults")
{
	struct pgt_walk w;
	void *va;

	report_expect(4);
	ptdump_print_range(NULL, 0, PAGE_SIZE);
	ptdump_print_kernel((const pde_t *)((uintptr_t)kernel_as.as_pgdir + 4));
	ptdump_walk(kernel_as.as_pgdir, 0, PAGE_SIZE, false, NULL, NULL);
	pgt_walk(NULL, 0, &w);
	EXPECT_FALSE(w.w_present);
	/* the first kmap slot, which nothing holds: as if unmapped twice */
	ASSERT_EQ(0, kmap_slots_used());
	va = (void *)KMAP_BASE;
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, mm_unmap_frame(va));
	EXPECT_EQ(0, kmap_slots_used());
}

/* More live areas than the old fixed table (1024) held, and first fit:
 * the lowest gap that holds a request is the one it gets. */
#define MANY_AREAS 1100

KTEST(paging, "vmalloc keeps 1100 live areas in address order; a freed gap is reused first")
{
	static void *v[MANY_AREAS];
	unsigned long free0 = frames_free_settled();
	unsigned areas0 = vmalloc_nr_areas(), out_of_order = 0, got = 0;
	void *again, *big;
	bool ok;

	if (frames_machine_small())
		KTEST_SKIP(SMALL_MACHINE_REASON ": needs " STRINGIFY(MANY_AREAS)
			   " free frames (as many one-page areas)");
	while (got < MANY_AREAS && (v[got] = vmalloc(PAGE_SIZE)) != NULL) {
		out_of_order += got && v[got] <= v[got - 1];
		got++;
	}
	if (!EXPECT_EQ_WITH_MEMORY(MANY_AREAS, got)) {
		while (got)
			vfree(v[--got]);
		return;
	}
	EXPECT_EQ(0, out_of_order);
	EXPECT_EQ(areas0 + MANY_AREAS, vmalloc_nr_areas());
	/* one page and its guard: the gap left by v[500] and nothing lower */
	vfree(v[500]);
	again = vmalloc(PAGE_SIZE);
	ok = EXPECT_PTR_EQ(v[500], again);
	v[500] = again;
	if (!ok)
		goto out;
	/* two pages need three with the guard: not in that gap of two, but
	 * three pages fit the gap of four that v[500] and v[501] leave */
	vfree(v[500]);
	big = vmalloc(2 * PAGE_SIZE);
	ok = EXPECT_TRUE(big && big != v[500]);
	if (ok) {
		vfree(v[501]);
		v[501] = vmalloc(3 * PAGE_SIZE);
		EXPECT_PTR_EQ(v[500], v[501]);
	}
	v[500] = big;
out:
	for (unsigned i = 0; i < MANY_AREAS; i++)
		vfree(v[i]);
	EXPECT_EQ(areas0, vmalloc_nr_areas());
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(paging, "kmap gives HIGHMEM frames a temporary address; kunmap takes it away")
{
	unsigned long free0 = frames_free_settled();
	struct page *pg[4];
	uint32_t *va[4], v;
	unsigned n = 0, mapped = 0; /* pg[0..n) are ours, va[0..mapped) mapped */

	if (!zones[ZONE_HIGHMEM].managed_pages) {
		/* Proven, not assumed: the page array (all RAM) ends within
		 * the direct map.  RAM above it and no HIGHMEM is a bug. */
		ASSERT_LE(max_pfn, (pfn_t)(mm_direct_end() >> PAGE_SHIFT));
		KTEST_SKIP("no HIGHMEM at this memory size");
	}
	for (unsigned i = 0; i < 4; i++) {
		pg[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO); /* zeroed via kmap */
		if (!EXPECT_NOT_NULL(pg[i]))
			goto out;
		n++;
		if (!EXPECT_EQ(ZONE_HIGHMEM, page_zone_id(pg[i])))
			goto out;
		EXPECT_NULL(page_address(pg[i]));
		va[i] = kmap(pg[i]);
		if (!EXPECT_NOT_NULL(va[i]))
			goto out;
		mapped++;
		EXPECT_GE((vaddr_t)va[i], KMAP_BASE);
		EXPECT_LT((vaddr_t)va[i], FIXMAP_BASE);
		EXPECT_EQ(0, va[i][7]);
		va[i][7] = 0x4100 + i;
	}
	EXPECT_EQ(4, kmap_slots_used());
	for (unsigned i = 0; i < 4; i++)
		kunmap(va[i]);
	mapped = 0;
	EXPECT_EQ(0, kmap_slots_used());
	EXPECT_EQ(ERR_FAULT, probe_read(va[0], &v));
	/* Mapped again (in another order, so other slots): the data stayed. */
	for (unsigned i = 4; i-- > 0;) {
		uint32_t *p = kmap(pg[i]);
		if (!EXPECT_NOT_NULL(p))
			goto out;
		EXPECT_EQ(0x4100 + i, p[7]);
		kunmap(p);
	}
out:
	for (unsigned i = 0; i < mapped; i++)
		kunmap(va[i]);
	while (n)
		__free_page(pg[--n]);
	EXPECT_EQ(free0, frames_free_settled());
}

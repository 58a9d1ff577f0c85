/*
 * Suite buddy, continued: what the buddy allocator does with arguments no
 * call takes (mm/buddy_args.c): one REPORT_INVALID_ARG naming the caller,
 * and the call refused with every structure as it was.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/buddy.h"
#include "mm/report.h"

/* Gives back what a refused call handed out anyway (the old code did). */
static void give_back(struct page *p, unsigned order)
{
	if (p)
		__free_pages(p, order);
}

KTEST(buddy, "gfp bits no flag has are refused by alloc_pages and __get_free_pages")
{
	unsigned long free = buddy_free_pages();
	struct page *p0 = NULL, *p2 = NULL, *pz = NULL;
	uintptr_t va = 0;

	EXPECT_REPORTS(REPORT_INVALID_ARG, 4,
		       p0 = alloc_pages(0x100, 0);
		       p2 = alloc_pages(GFP_KERNEL | 0x80000000u, 2);
		       pz = alloc_pages(__GFP_ZERO | 0x10, 1);
		       va = __get_free_pages(0x40, 0));
	EXPECT_NULL(p0);
	EXPECT_NULL(p2);
	EXPECT_NULL(pz);
	EXPECT_EQ(0, va);
	give_back(p0, 0);
	give_back(p2, 2);
	give_back(pz, 1);
	free_pages(va, 0);
	EXPECT_EQ(free, buddy_free_pages());
}

/*
 * Suite buddy, the per-CPU lists' marks (mm/buddy.h): a CPU's list of
 * order k keeps at most PCP_HIGH >> k blocks, and on a small zone a 64th
 * of its frames (at least one block) -- so that on a small machine one
 * CPU's lists cannot hold every free frame, out of reach of a CPU that
 * allocates with interrupts off.
 */
#include "tests/ktest.h"
#include "mm/buddy.h"
#include "mm/platform.h"

#define CYCLE_PAGES (2 * PCP_HIGH)

/* The most frames this CPU's lists of z may keep, every order's mark. */
static unsigned long marks_frames(const struct zone *z)
{
	unsigned long share = MIN(z->managed_pages >> PCP_ZONE_SHIFT, (unsigned long)PCP_HIGH);
	unsigned long frames = 0;

	for (unsigned k = 0; k < PCP_ORDERS; k++)
		frames += (unsigned long)MAX(1u, (unsigned)share >> k) << k;
	return frames;
}

KTEST(buddy, "a CPU's lists keep no more than their marks: PCP_HIGH >> k, on a small zone a 64th of it")
{
	static struct page *pages[CYCLE_PAGES];
	struct page *first = alloc_page(GFP_KERNEL);
	const struct zone *z;
	unsigned n = 1;

	ASSERT_NOT_NULL(first);
	z = &zones[page_zone_id(first)];
	pages[0] = first;
	/* frames through this CPU's lists: taken off them, then pushed back,
	 * past the mark of order 0 */
	while (n < CYCLE_PAGES && (pages[n] = alloc_page(GFP_KERNEL | __GFP_NOWARN)) != NULL)
		n++;
	while (n)
		__free_page(pages[--n]);
	EXPECT_LE(buddy_pcp_frames(z, mm_cpu_id()), marks_frames(z));
}

/*
 * The buddy allocator's checks of what its callers pass, made off the fast
 * paths (see mm/buddy.c, "Misuse", for the frees): a bad order, gfp bits
 * no flag has, a zone that does not exist.  Each refused call is one
 * REPORT_INVALID_ARG naming the call and its caller.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/report.h"

void buddy_alloc_args_refused(gfp_t gfp, unsigned order, uintptr_t caller)
{
	if (gfp & ~__GFP_BITS)
		mm_report_call(REPORT_INVALID_ARG, gfp, "alloc_pages", caller,
			       "gfp %#x has bits no flag has (%#x)", gfp, gfp & ~__GFP_BITS);
	else if (!(gfp & __GFP_NOWARN))
		mm_report_call(REPORT_INVALID_ARG, order, "alloc_pages", caller,
			       "order %u: the largest block is order %u",
			       order, MAX_ORDER - 1);
}

bool buddy_range_args_ok(pfn_t start, pfn_t end, uintptr_t caller)
{
	const struct page *page, *last;

	if (start > end) {
		mm_report_call(REPORT_INVALID_ARG, start, "buddy_add_range", caller,
			       "frames [%#x, %#x): the start is past the end", start, end);
		return false;
	}
	page = mem_map + MIN(start, max_pfn);
	last = mem_map + MIN(end, max_pfn);

	/* eight frames a step while all eight are reserved (the boot adds
	 * every frame of the machine: this keeps buddy_init's cost low) */
	while (last - page >= 8 &&
	       (page[0].flags & page[1].flags & page[2].flags & page[3].flags &
		page[4].flags & page[5].flags & page[6].flags & page[7].flags & PG_RESERVED))
		page += 8;
	while (page < last && (page->flags & PG_RESERVED))
		page++;
	if (page == last)
		return true;
	mm_report_call(REPORT_INVALID_ARG, (uintptr_t)page_to_phys(page), "buddy_add_range",
		       caller, "frames [%#x, %#x): pfn %#x is the buddy's already (a range is added once)",
		       start, end, page_to_pfn(page));
	return false;
}

bool buddy_out_args_ok(const void *a, const void *b, const char *op, uintptr_t caller)
{
	if (a && b)
		return true;
	mm_report_call(REPORT_INVALID_ARG, 0, op, caller, "NULL where an answer goes");
	return false;
}

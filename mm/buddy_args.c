/*
 * The buddy allocator's checks of what its callers pass, made off the fast
 * paths (see mm/buddy.c, "Misuse"): a bad order, gfp bits no flag has, a
 * zone that does not exist -- each refused call one REPORT_INVALID_ARG
 * naming the call and its caller -- and what is wrong with a free the
 * fast check refused, which needs the free block that covers a frame.
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

/* The free block covering pfn, on the zone's lists or a CPU's, if any
 * (zone lock held). */
static bool __find_free_block(pfn_t pfn, pfn_t *head, unsigned *order)
{
	ZONE_LOCK_HELD(page_zone(pfn_to_page(pfn)));
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		pfn_t h = pfn & ~((1u << k) - 1);
		const struct page *p = pfn_to_page(h);
		if ((p->flags & (PG_BUDDY | PG_HOT)) && page_order(p) >= k &&
		    pfn < h + (1u << page_order(p))) {
			*head = h;
			*order = page_order(p);
			return true;
		}
	}
	return false;
}

bool buddy_find_free_block(pfn_t pfn, pfn_t *head, unsigned *order)
{
	struct zone *z;
	mm_irqflags_t flags;
	bool found;

	if (!pfn_valid(pfn) || !buddy_out_args_ok(head, order, "buddy_find_free_block",
						 MM_CALLER()))
		return false;
	z = page_zone(pfn_to_page(pfn));
	flags = mm_lock(&z->lock);
	found = __find_free_block(pfn, head, order);
	mm_unlock(&z->lock, flags);
	return found;
}

void __buddy_report_bad_free(struct page *page, unsigned order)
{
	pfn_t pfn = page_to_pfn(page), head;
	uintptr_t pa = (uintptr_t)page_to_phys(page);
	unsigned free_order;

	ZONE_LOCK_HELD(page_zone(page));

	if (pfn & ((1u << order) - 1))
		mm_report(REPORT_MISALIGNED, pa,
			  "pfn %#x freed with order %u is not a multiple of %u frames",
			  pfn, order, 1u << order);
	else if (page->flags & PG_RESERVED)
		mm_report(REPORT_RESERVED, pa,
			  "pfn %#x is reserved (%s), never managed by the buddy",
			  pfn, page_owner_name(page_owner(page)));
	else if (page->flags & PG_HOT)
		mm_report(REPORT_DOUBLE_FREE, pa,
			  "pfn %#x order %u: already free (on a CPU's list of order %u)",
			  pfn, order, page_order(page));
	else if (__find_free_block(pfn, &head, &free_order))
		mm_report(REPORT_DOUBLE_FREE, pa,
			  "pfn %#x order %u: already free, inside the free block at pfn %#x of order %u",
			  pfn, order, head, free_order);
	else if ((page->flags & PG_ALLOCATED) && page_owner(page) != OWNER_NONE)
		mm_report(REPORT_NOT_ALLOCATED, pa,
			  "pfn %#x belongs to the %s allocator: free it through that allocator",
			  pfn, page_owner_name(page_owner(page)));
	else if (page->flags & PG_ALLOCATED)
		mm_report(REPORT_WRONG_ORDER, pa,
			  "pfn %#x was allocated with order %u, freed with order %u",
			  pfn, page_order(page), order);
	else
		mm_report(REPORT_NOT_ALLOCATED, pa,
			  "pfn %#x order %u: not the head of an allocated block%s",
			  pfn, order,
			  (page->flags & PG_TAIL) ? " (a tail page)" : "");
}

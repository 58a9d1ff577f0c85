/*
 * The buddy allocator's slow paths, where the fast paths of mm/buddy.c
 * hand a call over: an allocation tried in every zone its flags allow,
 * again after this CPU's lists went back to the buddy, again after the
 * reclaimers gave frames back (mm/buddy_oom.c), then the out-of-memory
 * report; the zeroing of __GFP_ZERO; and a free the fast checks refused,
 * diagnosed or done under the zone lock.  The theory of operation is at
 * the top of mm/buddy.c.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/report.h"
#include "mm/failinject.h"

/* --- allocation --------------------------------------------------------- */

/* A block of order k < PCP_ORDERS from this CPU's list of zone z,
 * refilling it from the zone when empty; NULL if the zone has none (a
 * zone without a free block of order k or more, such as an empty HighMem
 * zone before Normal, is not locked: a look at its mask says so). */
static struct page *pcp_alloc(struct zone *z, unsigned k)
{
	mm_irqflags_t flags = mm_irq_save();
	struct pcp_list MM_LOCAL *l = &local_pcp(z)->p_list[k];
	struct page *page = pcp_pop(l);

	if (!page && READ_ONCE(z->free_mask) >> k) {
		mm_irqflags_t f = mm_lock(&z->lock);
		__buddy_pcp_refill(z, l, k);
		mm_unlock(&z->lock, f);
		page = pcp_pop(l);
	}
	mm_irq_restore(flags);
	return page;
}

static struct page *alloc_from_zones(gfp_t gfp, unsigned order)
{
	const signed char *zl = buddy_zonelists[gfp & (__GFP_DMA | __GFP_HIGHMEM)];

	for (; *zl >= 0; zl++) {
		struct zone *z = &zones[(int)*zl];
		struct page *page;
		if (order < PCP_ORDERS) {
			page = pcp_alloc(z, order);
		} else if (!(READ_ONCE(z->free_mask) >> order)) {
			page = NULL;
		} else {
			mm_irqflags_t flags = mm_lock(&z->lock);
			page = __buddy_rmqueue_split(z, order);
			mm_unlock(&z->lock, flags);
		}
		if (page)
			return page;
	}
	return NULL;
}

/* Zeroes a block; false if a frame could not be mapped (kmap window full). */
static bool zero_block(struct page *page, unsigned order)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		void *va = mm_map_frame(page_to_phys(page + i));
		if (!va)
			return false;
		memset(va, 0, MM_PAGE_SIZE);
		mm_unmap_frame(va);
	}
	return true;
}

/* Every zone the flags allow, then the same after this CPU's lists went
 * back to the buddy (their blocks may merge into the one asked for, or
 * be split for it); NULL if none serves. */
static struct page *alloc_pages_tried(gfp_t gfp, unsigned order)
{
	struct page *page;

	if (order >= MAX_ORDER)
		return NULL;
	page = alloc_from_zones(gfp, order);
	if (!page) {
		buddy_drain_local();
		page = alloc_from_zones(gfp, order);
	}
	return page;
}

/*
 * The slow path of every allocation: every zone, then reclaim and every
 * zone again, then the out-of-memory report; the zeroing.  The entry
 * points reach it by a tail call (a jump, with -mregparm=3), so that its
 * return address is their caller's, named in reports without the frame a
 * read of their own return address would cost them (on the host, built
 * without sibling calls, it may name the entry point instead).
 */
struct page *buddy_alloc_slow(gfp_t gfp, unsigned order)
{
	uintptr_t caller = MM_CALLER();
	struct page *page;

	if (unlikely(!buddy_alloc_args_ok(gfp, order, caller)))
		return NULL;
	if (mm_should_fail(MM_ALLOC_PAGES, caller))
		return NULL;
	page = alloc_pages_tried(gfp, order);

	if (!page && order < MAX_ORDER) {
		buddy_reclaim();
		page = alloc_pages_tried(gfp, order);
	}
	if (!page) {
		buddy_oom_report(gfp, order, caller, false);
		return NULL;
	}
	if ((gfp & __GFP_ZERO) && !zero_block(page, order)) {
		__free_pages(page, order);
		return NULL;
	}
	return page;
}

/* --- freeing ------------------------------------------------------------ */

void buddy_free_slow(struct page *page, unsigned order)
{
	mm_irqflags_t flags;
	struct zone *z;

	if (!page_in_array(page)) {
		mm_report(REPORT_OUT_OF_RANGE, (uintptr_t)page,
			  "struct page %p order %u is %s the page array (%u frames)",
			  (void *)page, order, page >= mem_map && page < mem_map + max_pfn ?
			  "not an element of" : "outside", max_pfn);
		return;
	}
	if (order >= MAX_ORDER) {
		mm_report(REPORT_OUT_OF_RANGE, (uintptr_t)page_to_phys(page),
			  "pfn %#x freed with order %u: the largest block is order %u",
			  page_to_pfn(page), order, MAX_ORDER - 1);
		return;
	}
	z = page_zone(page);
	flags = mm_lock(&z->lock);
	if ((page->flags & (STATE_ORDER | PG_OWNER_MASK)) !=
		    (PG_ALLOCATED | order_bits(order)) ||
	    (page_to_pfn(page) & ((1u << order) - 1))) {
		__buddy_report_bad_free(page, order);
	} else {
		z->free_pages += 1u << order;
		__buddy_free_one(z, page_to_pfn(page), order);
	}
	mm_unlock(&z->lock, flags);
}


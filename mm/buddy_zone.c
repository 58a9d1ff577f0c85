/*
 * Private zones (see buddy.h): one largest block taken from the buddy
 * allocator and managed as a zone of its own, so that the textbook split
 * and merge sequences can be shown -- and measured -- from a known state.
 * The same split and merge code as the real zones, no hot list, no locking.
 *
 * Misuse is refused with a report naming the caller: a zone that is not
 * open (never adopted, released, a real zone, NULL), a block that is not
 * one the call takes.  An open zone's name is the one pointer
 * private_open, so that the check on alloc and free is one comparison.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/report.h"

static const char private_open[] = "private";
static const char private_closed[] = "private (released)";

/* Open private zones, so that buddy_check can tell their blocks apart. */
#define PRIVATE_ZONES_MAX 8
static const struct zone *private_zones[PRIVATE_ZONES_MAX];
static unsigned nr_private_zones;

static void private_zone_track(const struct zone *z, bool open)
{
	for (int i = 0; i < PRIVATE_ZONES_MAX; i++) {
		if (private_zones[i] == (open ? NULL : z)) {
			private_zones[i] = open ? z : NULL;
			nr_private_zones += open ? 1 : -1u;
			return;
		}
	}
}

const struct zone *buddy_private_zone_at(pfn_t pfn)
{
	if (!nr_private_zones)
		return NULL;
	for (int i = 0; i < PRIVATE_ZONES_MAX; i++) {
		const struct zone *z = private_zones[i];
		if (z && pfn >= z->start_pfn && pfn < z->end_pfn)
			return z;
	}
	return NULL;
}

/* The quick test of a zone handle: open, so named by adopt. */
static __always_inline bool zone_is_open(const struct zone *z)
{
	return likely(z != NULL) && likely(z->name == private_open);
}

/* A zone that is not open: reported, naming op and its caller. */
static __noinline void zone_not_open(const struct zone *z, const char *op,
				     uintptr_t caller)
{
	mm_report_call(REPORT_BAD_HANDLE, (uintptr_t)z, op, caller,
		       "zone %p (%s) is not an open private zone", (const void *)z,
		       z ? z->name : "NULL");
}

bool buddy_zone_adopt(struct zone *z, struct page *head, unsigned order)
{
	uintptr_t caller = MM_CALLER();
	pfn_t pfn;

	/* A smaller block's buddy lives in the real zone, which could merge
	 * with it: only whole largest blocks can be adopted.  The kernel's
	 * own zones are never the caller's to reinitialise. */
	if (!z || buddy_kernel_zone(z) || z->name == private_open || order != MAX_ORDER - 1 ||
	    !page_in_array(head) ||
	    (head->flags & (STATE_ORDER | PG_OWNER_MASK)) != (PG_ALLOCATED | order_bits(order))) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)head, "buddy_zone_adopt", caller,
			       "zone %p, struct page %p, order %u: %s", (void *)z, (void *)head,
			       order, !z ? "a NULL zone" :
			       buddy_kernel_zone(z) ? "one of the kernel's zones" :
			       z->name == private_open ? "the zone is open already" :
			       "not a block of order MAX_ORDER - 1 from alloc_pages");
		return false;
	}
	pfn = page_to_pfn(head);
	z->id = page_zone_id(head);
	buddy_init_zone_span(z, pfn, pfn + (1u << order));
	z->name = private_open;
	z->managed_pages = z->free_pages = 1u << order;
	__buddy_free_one(z, pfn, order);
	private_zone_track(z, true);
	return true;
}

bool buddy_zone_release(struct zone *z, struct page *head, unsigned order)
{
	if (!zone_is_open(z)) {
		zone_not_open(z, "buddy_zone_release", MM_CALLER());
		return false;
	}
	if (order >= MAX_ORDER || head != pfn_to_page(z->start_pfn) ||
	    z->free_area[order].nr_free != 1 ||
	    (head->flags & STATE_ORDER) != (PG_BUDDY | order_bits(order)))
		return false;
	area_del(z, head, order);
	z->free_pages = 0;
	head->flags = (head->flags & ~STATE_ORDER) | PG_ALLOCATED | order_bits(order);
	z->name = private_closed;
	private_zone_track(z, false);
	return true;
}

struct page *buddy_zone_alloc(struct zone *z, unsigned order)
{
	if (unlikely(!zone_is_open(z))) {
		zone_not_open(z, "buddy_zone_alloc", MM_CALLER());
		return NULL;
	}
	return order < MAX_ORDER ? __buddy_rmqueue_split(z, order) : NULL;
}

/* Why page, order may not be freed to open zone z (buddy_zone_free's
 * quick test failed). */
static __noinline void zone_free_refused(const struct zone *z, const struct page *page,
					 unsigned order, uintptr_t caller)
{
	const char *why = "not allocated from the zone with that order";
	enum report_kind kind = REPORT_INVALID_ARG;

	if (!zone_is_open(z)) {
		zone_not_open(z, "buddy_zone_free", caller);
		return;
	}
	if (order >= MAX_ORDER)
		why = "no such order";
	else if (!page_in_array(page))
		why = "not an element of the page array";
	else if (page_to_pfn(page) - z->start_pfn >= z->span_pfns ||
		 (page_to_pfn(page) & ((1u << order) - 1)))
		why = "not a block of the zone, or misaligned for the order";
	else if (page->flags & PG_BUDDY)
		why = "already free", kind = REPORT_DOUBLE_FREE;
	mm_report_call(kind, (uintptr_t)page, "buddy_zone_free", caller,
		       "struct page %p order %u: %s", (const void *)page, order, why);
}

/*
 * The quick test: an open zone, an element of the page array in its span
 * (the frame number by division, and back), whose flags say "the head of
 * a block allocated with this order" (which implies it is aligned).
 */
void buddy_zone_free(struct zone *z, struct page *page, unsigned order)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;
	pfn_t pfn = (pfn_t)(off / sizeof(struct page));

	if (zone_is_open(z) && likely(order < MAX_ORDER) &&
	    likely(pfn - z->start_pfn < z->span_pfns) &&
	    likely(pfn * sizeof(struct page) == off) &&
	    likely((page->flags & STATE_ORDER) == (PG_ALLOCATED | order_bits(order)))) {
		z->free_pages += 1u << order;
		__buddy_free_one(z, pfn, order);
		return;
	}
	zone_free_refused(z, page, order, MM_CALLER());
}

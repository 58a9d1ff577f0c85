/*
 * Private zones (see buddy.h): one largest block taken from the buddy
 * allocator and managed as a zone of its own, so that the textbook split
 * and merge sequences can be shown -- and measured -- from a known state.
 * The same split and merge code as the real zones, no hot list, no locking.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"

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

bool buddy_zone_adopt(struct zone *z, struct page *head, unsigned order)
{
	pfn_t pfn = page_to_pfn(head);

	/* A smaller block's buddy lives in the real zone, which could merge
	 * with it: only whole largest blocks can be adopted. */
	if (order != MAX_ORDER - 1)
		return false;

	z->name = "private";
	z->id = page_zone_id(head);
	buddy_init_zone_span(z, pfn, pfn + (1u << order));
	z->managed_pages = z->free_pages = 1u << order;
	__buddy_free_one(z, pfn, order);
	private_zone_track(z, true);
	return true;
}

bool buddy_zone_release(struct zone *z, struct page *head, unsigned order)
{
	if (z->free_area[order].nr_free != 1 ||
	    (head->flags & STATE_ORDER) != (PG_BUDDY | order_bits(order)))
		return false;
	__area_del(z, head, order);
	z->free_pages = 0;
	head->flags = (head->flags & ~STATE_ORDER) | PG_ALLOCATED | order_bits(order);
	private_zone_track(z, false);
	return true;
}

struct page *buddy_zone_alloc(struct zone *z, unsigned order)
{
	return order < MAX_ORDER ? __buddy_rmqueue(z, order) : NULL;
}

void buddy_zone_free(struct zone *z, struct page *page, unsigned order)
{
	z->free_pages += 1u << order;
	__buddy_free_one(z, page_to_pfn(page), order);
}

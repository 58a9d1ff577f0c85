/*
 * What mm/buddy.c shares with its companions (buddy_slow.c, buddy_pcp.c,
 * buddy_zone.c and the rest): the split and merge primitives, called with
 * the zone's lock held (or on a private zone), the per-CPU lists' pop,
 * the slow paths and the checks made off the fast paths.
 */
#ifndef MM_BUDDY_INTERNAL_H
#define MM_BUDDY_INTERNAL_H

#include "mm/buddy.h"

#define STATE_ORDER (PG_STATE_MASK | PG_ORDER_MASK)

static inline uint32_t order_bits(unsigned order)
{
	return (uint32_t)order << PG_ORDER_SHIFT;
}

/* A block goes on, or comes off, the free list of order k (called with
 * the zone's lock held, by functions that take it or assert it); the
 * zone's mask of non-empty orders follows. */
static inline void area_add(struct zone *z, struct page *head, unsigned k)
{
	list_add(&head->lru, &z->free_area[k].list);
	z->free_area[k].nr_free++;
	z->free_mask |= 1u << k;
}

static inline void area_del(struct zone *z, struct page *head, unsigned k)
{
	if (--z->free_area[k].nr_free == 0)
		z->free_mask &= ~(1u << k);
	__list_unlink(&head->lru); /* the block's flags say it is off */
}

/*
 * The arguments of an allocation that did not take a fast path: true if
 * order < MAX_ORDER and gfp has no bit outside __GFP_BITS; otherwise one
 * REPORT_INVALID_ARG naming the caller (an order too large is not
 * reported under __GFP_NOWARN: a caller may try orders downwards) and
 * false (mm/buddy_args.c).
 */
void buddy_alloc_args_refused(gfp_t gfp, unsigned order, uintptr_t caller);
static __always_inline bool buddy_alloc_args_ok(gfp_t gfp, unsigned order,
						uintptr_t caller)
{
	if (likely(!(gfp & ~__GFP_BITS)) && likely(order < MAX_ORDER))
		return true;
	buddy_alloc_args_refused(gfp, order, caller);
	return false;
}

/* Where a query puts its answers: neither may be NULL (else one
 * REPORT_INVALID_ARG naming op and its caller, and false). */
bool buddy_out_args_ok(const void *a, const void *b, const char *op, uintptr_t caller);
/* Says what is wrong with freeing (page, order), which the fast check
 * refused: one named report (its zone's lock held). */
void __buddy_report_bad_free(struct page *page, unsigned order);

static inline struct zone *page_zone(const struct page *page)
{
	return &zones[page_zone_id(page)];
}

/* buddy_add_range's check: start <= end, and every frame of the range in
 * the page array still reserved (never handed to the buddy); otherwise one
 * REPORT_INVALID_ARG naming the caller and false (mm/buddy_args.c). */
bool buddy_range_args_ok(pfn_t start, pfn_t end, uintptr_t caller);

/* An allocation failed for good: counts it, and unless __GFP_NOWARN
 * prints the (rate-limited) out-of-memory report (mm/buddy_oom.c). */
void buddy_oom_report(gfp_t gfp, unsigned order, uintptr_t caller, bool injected);

/* Empties z and gives it the span [start, end). */
void buddy_init_zone_span(struct zone *z, pfn_t start, pfn_t end);
/* Puts the block at pfn on z's free lists, merging with free buddies
 * (lock held). */
void __buddy_free_one(struct zone *z, pfn_t pfn, unsigned order);

/* Whether z is one of the kernel's zones, the one that is none included
 * (not a private zone, nor a pointer into or between them). */
static inline bool buddy_kernel_zone(const struct zone *z)
{
	uintptr_t off = (uintptr_t)z - (uintptr_t)&zones[0];

	return off < sizeof(zones) && off % sizeof(zones[0]) == 0;
}

/* The zone's lock is held: a kernel zone's (a private zone's owner keeps
 * its calls apart, mm/buddy_zone.c).  Checked under lock debugging. */
#define ZONE_LOCK_HELD(z) MM_LOCK_HELD_IF(buddy_kernel_zone(z), &(z)->lock)

/* The end of the page array: mem_map + max_pfn (mm/buddy_init.c sets it). */
extern struct page *buddy_mem_map_end;

/* The running CPU's lists of zone `id` (a %fs-relative pointer in the
 * kernel, to a constant address: its loads and stores reach this CPU's
 * copy in one instruction each). */
static __always_inline struct pcp MM_LOCAL *local_pcp_of(unsigned id)
{
	return mm_local(&buddy_pcp[id]);
}

static __always_inline struct pcp MM_LOCAL *local_pcp(const struct zone *z)
{
	return local_pcp_of(z->id);
}

/* Takes the top block off a list (interrupts off), or NULL. */
static __always_inline struct page *pcp_pop(struct pcp_list MM_LOCAL *l)
{
	struct page *page = l->p_head;

	if (page) {
		l->p_head = (struct page *)page->lru.next;
		l->p_count--;
		page->flags ^= PG_HOT | PG_ALLOCATED;
	}
	return page;
}

/* Zones to try, best first, for each combination of DMA/HIGHMEM flags
 * (mm/buddy.c). */
extern const signed char buddy_zonelists[4][MAX_NR_ZONES + 1];

/* Takes a block of `order` by splitting a larger one (lock held); NULL if
 * the zone has none. */
struct page *__buddy_rmqueue_split(struct zone *z, unsigned order);
/* Refills this CPU's list l of order k from zone z (lock held, interrupts
 * off; mm/buddy_pcp.c). */
void __buddy_pcp_refill(struct zone *z, struct pcp_list MM_LOCAL *l, unsigned k);
/* This CPU's list l of order k grew past its mark (interrupts off): a batch
 * goes back to zone z (mm/buddy_pcp.c). */
void buddy_pcp_overflow(struct zone *z, struct pcp_list MM_LOCAL *l, unsigned k);

/*
 * The slow paths (mm/buddy_slow.c), which the entry points of mm/buddy.c
 * reach by a tail call.  buddy_alloc_slow: every allocation the fast path
 * did not serve -- the arguments checked, fault injection, every zone
 * the flags allow, this CPU's lists drained, reclaim, the out-of-memory
 * report, __GFP_ZERO's zeroing; the block, or NULL.  buddy_free_slow:
 * a free the fast checks refused, checked again with the zone's lock held
 * -- a page outside the page array, an order past the largest, a block
 * not allocated with that order or misaligned is reported and left alone;
 * a sound block merges into the zone's free lists (no per-CPU list).
 */
struct page *buddy_alloc_slow(gfp_t gfp, unsigned order);
void buddy_free_slow(struct page *page, unsigned order);

#endif

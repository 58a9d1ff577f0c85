/*
 * The binary buddy allocator.
 *
 * Theory of operation
 * -------------------
 * Physical memory is managed in blocks of 2^k frames, k = 0..MAX_ORDER-1
 * (4 KiB to 4 MiB).  A block of order k always starts at a frame number that
 * is a multiple of 2^k, so its "buddy" -- the other half of the block of
 * order k+1 it was split from -- starts at pfn ^ (1 << k): the two differ
 * in exactly one bit of the frame number.
 *
 * Each zone keeps one free list per order, threaded through the `lru` links
 * of the head page of each free block, so that a block can be taken off the
 * middle of its list in O(1) when its buddy is freed.  The head of a free
 * block carries PG_BUDDY and its order in page->flags; no other page of the
 * block carries any state.
 *
 *  - Allocation of order k takes the first block from the smallest non-empty
 *    list of order >= k and, while it is too large, splits it in halves,
 *    keeping the lower half and putting the upper half on the list one
 *    order down.  A request for one frame from an empty 4 MiB block so ends
 *    up with the lowest frame, and the free lists of orders 0..9 each gain
 *    one block.
 *  - Freeing a block of order k looks at its buddy: if the buddy is the head
 *    of a free block of the same order in the same zone, it is taken off its
 *    list and the two merge into a block of order k+1, and so on up to
 *    MAX_ORDER-1.  Otherwise the block goes on the list of order k.
 *
 * Zones: DMA (below 16 MiB, for ISA DMA), NORMAL (up to the end of the
 * direct map), HIGHMEM (the rest below 4 GiB, reached only through
 * temporary mappings).  A request goes to the highest zone its flags allow
 * and falls back downwards (HIGHMEM -> NORMAL -> DMA); GFP_DMA never leaves
 * DMA.  Zone boundaries are multiples of the largest block, so a block and
 * its buddy are always in the same zone (checked anyway).
 *
 * The hot list: most allocations are single frames that are freed soon
 * after.  Each zone keeps up to HOT_LIST_HIGH free order-0 pages in a
 * singly linked stack in front of the buddy (PG_HOT), as Linux's per-CPU
 * page lists do: alloc_page pops, __free_page pushes, a few instructions
 * each.  The stack is refilled from, and drained to, the buddy
 * HOT_LIST_BATCH pages at a time.  Hot pages count as free (zone->free_pages
 * counts the free lists, zone_free_pages() adds the hot list); every
 * function that reports on the free lists drains the hot lists first, so the
 * hot list is invisible to callers and statistics alike.
 *
 * Locking: one CPU, so disabling interrupts (mm_irq_save) is the lock; it is
 * held for the whole of each operation, including splits and merges.
 *
 * Misuse: __free_pages checks the head's state in one comparison (it must
 * be PG_ALLOCATED with the same order and no owner: a slab, a page table
 * or a large kmalloc block must go back through its own allocator, which
 * clears the owner before it frees the frames).  Anything else is diagnosed --
 * double free, free of a reserved or never-allocated frame, wrong order,
 * misaligned or out-of-range block -- reported by name through mm_report,
 * and the block is left alone.  buddy_check() sweeps every list and the
 * page array and verifies the invariants above.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/report.h"
#include "mm/failinject.h"


struct zone zones[MAX_NR_ZONES] = {
	[ZONE_DMA] = { .name = "DMA", .id = ZONE_DMA },
	[ZONE_NORMAL] = { .name = "Normal", .id = ZONE_NORMAL },
	[ZONE_HIGHMEM] = { .name = "HighMem", .id = ZONE_HIGHMEM },
};

static struct page *mem_map_end; /* mem_map + max_pfn */

static inline struct zone *page_zone(const struct page *page)
{
	return &zones[page_zone_id(page)];
}

/* --- set-up ----------------------------------------------------------- */

void buddy_init_zone_span(struct zone *z, pfn_t start, pfn_t end)
{
	z->start_pfn = start;
	z->end_pfn = end > start ? end : start;
	z->span_pfns = z->end_pfn - start;
	z->managed_pages = z->free_pages = 0;
	z->hot = NULL;
	z->hot_count = 0;
	z->free_mask = 0;
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		list_init(&z->free_area[k].list);
		z->free_area[k].nr_free = 0;
	}
}

/*
 * Only page->flags is initialised here: the other words mean something only
 * in the states that set them (a free list entry, a slab head...).
 */
void buddy_init_pages(struct page *map, pfn_t nr_pfns, pfn_t direct_end)
{
	pfn_t dma_end = MIN(nr_pfns, DMA_LIMIT_PFN);
	pfn_t normal_end = MAX(dma_end, MIN(nr_pfns, direct_end));

	mem_map = map;
	max_pfn = nr_pfns;
	mem_map_end = map + nr_pfns;
	buddy_init_zone_span(&zones[ZONE_DMA], 0, dma_end);
	buddy_init_zone_span(&zones[ZONE_NORMAL], dma_end, normal_end);
	buddy_init_zone_span(&zones[ZONE_HIGHMEM], normal_end, nr_pfns);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		uint32_t f = PG_RESERVED | ((uint32_t)z << PG_ZONE_SHIFT) |
			     ((uint32_t)OWNER_FIRMWARE << PG_OWNER_SHIFT);
		for (pfn_t p = zones[z].start_pfn; p < zones[z].end_pfn; p++)
			map[p].flags = f;
	}
}

/* Puts a block on its free list, merging with free buddies (lock held). */
static __noinline void __free_one_merge(struct zone *z, pfn_t pfn, unsigned order)
{
	struct page *page = pfn_to_page(pfn);
	/* what the buddy's flags hold if it is free with this order */
	uint32_t want = PG_BUDDY | order_bits(order) | (page->flags & PG_ZONE_MASK);

	/* If it merges downwards, this page ends up inside the block. */
	page->flags &= ~STATE_ORDER;
	while (order < MAX_ORDER - 1) {
		pfn_t buddy_pfn = pfn ^ (1u << order);
		struct page *buddy = pfn_to_page(buddy_pfn);

		/* inside the zone: one unsigned comparison */
		if (buddy_pfn - z->start_pfn >= z->span_pfns ||
		    (buddy->flags & (STATE_ORDER | PG_ZONE_MASK)) != want)
			break;
		__area_del(z, buddy, order);
		buddy->flags &= ~STATE_ORDER;
		pfn &= ~(1u << order);
		order++;
		want += order_bits(1);
	}
	page = pfn_to_page(pfn);
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_BUDDY | order_bits(order);
	__area_add(z, page, order);
}

/* The same, with the common case -- the buddy is not free -- written
 * out; a merge goes out of line. */
static __always_inline void __free_one(struct zone *z, struct page *page,
				       pfn_t pfn, unsigned order)
{
	pfn_t buddy_pfn = pfn ^ (1u << order);
	/* page's neighbour in the page array, computed from page itself */
	const struct page *buddy = page + ((long)buddy_pfn - (long)pfn);

	if (unlikely(order < MAX_ORDER - 1) &&
	    unlikely(buddy_pfn - z->start_pfn < z->span_pfns) &&
	    unlikely((buddy->flags & (STATE_ORDER | PG_ZONE_MASK)) ==
		     (PG_BUDDY | order_bits(order) | (page->flags & PG_ZONE_MASK)))) {
		__free_one_merge(z, pfn, order);
		return;
	}
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_BUDDY | order_bits(order);
	__area_add(z, page, order);
}

void __buddy_free_one(struct zone *z, pfn_t pfn, unsigned order)
{
	__free_one_merge(z, pfn, order);
}

/* The largest order of an aligned block at pfn that fits before end. */
static unsigned fit_order(pfn_t pfn, pfn_t end)
{
	unsigned order = 0;

	while (order < MAX_ORDER - 1 && !(pfn & (1u << order)) &&
	       pfn + (2u << order) <= end)
		order++;
	return order;
}

static void add_zone_range(struct zone *z, pfn_t start, pfn_t end)
{
	uint32_t f = (uint32_t)z->id << PG_ZONE_SHIFT;

	for (pfn_t p = start; p < end; p++)
		mem_map[p].flags = f;
	z->managed_pages += end - start;
	z->free_pages += end - start;
	while (start < end) {
		unsigned order = fit_order(start, end);
		__buddy_free_one(z, start, order);
		start += 1u << order;
	}
}

void buddy_add_range(pfn_t start, pfn_t end)
{
	mm_irqflags_t flags = mm_irq_save();

	end = MIN(end, max_pfn);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		pfn_t s = MAX(start, z->start_pfn), e = MIN(end, z->end_pfn);
		if (s < e)
			add_zone_range(z, s, e);
	}
	mm_irq_restore(flags);
}

/* --- allocation --------------------------------------------------------- */

/* Takes a block of `order` from z, splitting a larger one (lock held).
 * The zone's mask of non-empty orders finds the smallest list that can
 * serve it in one instruction. */
static __noinline struct page *__rmqueue_split(struct zone *z, unsigned order)
{
	unsigned avail = z->free_mask >> order, k;
	struct page *page;

	if (!avail)
		return NULL;
	k = order + (unsigned)__builtin_ctz(avail);
	page = list_first_entry(&z->free_area[k].list, struct page, lru);
	__area_del(z, page, k);
	while (k > order) {
		struct page *upper;
		k--;
		upper = page + (1u << k);
		upper->flags = (upper->flags & ~STATE_ORDER) | PG_BUDDY | order_bits(k);
		__area_add(z, upper, k);
	}
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_ALLOCATED | order_bits(order);
	z->free_pages -= 1u << order;
	return page;
}

/* The same, with the common case -- a block of exactly that order is
 * free -- written out. */
static __always_inline struct page *__rmqueue(struct zone *z, unsigned order)
{
	struct page *page;

	if (unlikely(!(z->free_mask & (1u << order))))
		return __rmqueue_split(z, order);
	page = list_first_entry(&z->free_area[order].list, struct page, lru);
	__area_del(z, page, order);
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_ALLOCATED | order_bits(order);
	z->free_pages -= 1u << order;
	return page;
}

struct page *__buddy_rmqueue(struct zone *z, unsigned order)
{
	return __rmqueue_split(z, order);
}

/* Moves up to n order-0 pages from the buddy onto the hot list. */
static void hot_refill(struct zone *z, unsigned n)
{
	while (n--) {
		struct page *page = __buddy_rmqueue(z, 0);
		if (!page)
			break;
		page->flags = (page->flags & ~PG_ALLOCATED) | PG_HOT;
		page->lru.next = (struct list_node *)z->hot;
		z->hot = page;
		z->hot_count++;
	}
}

/* Gives up to n hot pages back to the buddy. */
static __noinline void hot_drain(struct zone *z, unsigned n)
{
	while (n-- && z->hot) {
		struct page *page = z->hot;
		z->hot = (struct page *)page->lru.next;
		z->hot_count--;
		z->free_pages++;
		__buddy_free_one(z, page_to_pfn(page), 0);
	}
}

static inline struct page *hot_pop(struct zone *z)
{
	struct page *page = z->hot;

	if (page) {
		z->hot = (struct page *)page->lru.next;
		z->hot_count--;
		page->flags ^= PG_HOT | PG_ALLOCATED;
	}
	return page;
}

/* Zones to try, best first, for each combination of DMA/HIGHMEM flags. */
static const signed char zonelists[4][MAX_NR_ZONES + 1] = {
	[0] = { ZONE_NORMAL, ZONE_DMA, -1 },
	[__GFP_DMA] = { ZONE_DMA, -1 },
	[__GFP_HIGHMEM] = { ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA, -1 },
	[__GFP_DMA | __GFP_HIGHMEM] = { ZONE_DMA, -1 },
};

static struct page *alloc_from_zones(gfp_t gfp, unsigned order)
{
	const signed char *zl = zonelists[gfp & (__GFP_DMA | __GFP_HIGHMEM)];

	for (; *zl >= 0; zl++) {
		struct zone *z = &zones[(int)*zl];
		struct page *page;
		if (order == 0) {
			if (!z->hot)
				hot_refill(z, HOT_LIST_BATCH);
			page = hot_pop(z);
		} else {
			page = __buddy_rmqueue(z, order);
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

static struct page *alloc_pages_slow(gfp_t gfp, unsigned order)
{
	struct page *page;

	if (order >= MAX_ORDER)
		return NULL;
	page = alloc_from_zones(gfp, order);
	if (!page && order > 0) {
		/* Free single pages parked on the hot lists may merge into
		 * the block we need. */
		for (int i = 0; i < MAX_NR_ZONES; i++)
			hot_drain(&zones[i], ~0u);
		page = alloc_from_zones(gfp, order);
	}
	return page;
}

/* Every zone the flags allow, the hot lists drained; NULL if none serves. */
static struct page *alloc_pages_tried(gfp_t gfp, unsigned order)
{
	mm_irqflags_t flags = mm_irq_save();
	struct page *page = alloc_pages_slow(gfp, order);

	mm_irq_restore(flags);
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
static __noinline struct page *alloc_pages_locked(gfp_t gfp, unsigned order)
{
	uintptr_t caller = MM_CALLER();
	struct page *page;

	if (unlikely(!buddy_alloc_args_ok(gfp, order, caller)))
		return NULL;
	if (mm_should_fail(MM_ALLOC_PAGES, caller))
		return NULL;
	page = alloc_pages_tried(gfp, order);

	if (!page && order < MAX_ORDER && buddy_reclaim())
		page = alloc_pages_tried(gfp, order);
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

/* The common case: one frame, any lowmem zone, from the hot list. */
struct page *alloc_page_kernel(void)
{
	mm_irqflags_t flags;
	struct page *page;

	if (unlikely(mm_failinject_armed)) /* every allocation counted */
		return alloc_pages_locked(GFP_KERNEL, 0);
	flags = mm_irq_save();
	page = hot_pop(&zones[ZONE_NORMAL]);
	mm_irq_restore(flags);
	if (likely(page))
		return page;
	return alloc_pages_locked(GFP_KERNEL, 0);
}

/*
 * Any other request: a block of order 1.. with no zeroing -- the zones the
 * flags allow, best first, in one critical section -- and everything else
 * (order 0 with other flags, __GFP_ZERO, a zone out of blocks, a bad
 * order) through alloc_pages_locked.
 */
/* A block of order 1.. from zone z, or NULL, in one critical section. */
static __always_inline struct page *alloc_from_zone(struct zone *z, unsigned order)
{
	mm_irqflags_t flags;
	struct page *page;

	mm_irq_save_slot(&flags);
	page = __rmqueue(z, order);
	mm_irq_restore_slot(&flags);
	return page;
}

/*
 * Any other request.  A block of order 1.. without zeroing comes from the
 * best zone the flags allow; everything else (order 0 with other flags,
 * __GFP_ZERO, a zone out of blocks, a bad order) goes through
 * alloc_pages_locked, which tries every zone and drains the hot lists.
 */
struct page *alloc_pages_any(gfp_t gfp, unsigned order)
{
	if (likely(order == 0 && gfp == GFP_KERNEL))
		return alloc_page_kernel();
	/* no zeroing, and no bit outside __GFP_BITS (alloc_pages_locked
	 * refuses those): one test */
	if (likely(order - 1 < MAX_ORDER - 1) &&
	    likely(!(gfp & ~(__GFP_BITS & ~__GFP_ZERO))) && likely(!mm_failinject_armed)) {
		const signed char *zl = zonelists[gfp & (__GFP_DMA | __GFP_HIGHMEM)];
		struct page *page = alloc_from_zone(&zones[(int)zl[0]], order);
		if (likely(page))
			return page;
	}
	return alloc_pages_locked(gfp, order);
}

struct page *alloc_pages_kernel(unsigned order)
{
	if (likely(order - 1 < MAX_ORDER - 1) && likely(!mm_failinject_armed)) {
		struct page *page = alloc_from_zone(&zones[ZONE_NORMAL], order);
		if (likely(page))
			return page;
	}
	return order ? alloc_pages_locked(GFP_KERNEL, order) : alloc_page_kernel();
}

/* --- freeing ------------------------------------------------------------ */

/* The order of the free block covering pfn, if any (lock held). */
static bool __find_free_block(pfn_t pfn, pfn_t *head, unsigned *order)
{
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		pfn_t h = pfn & ~((1u << k) - 1);
		const struct page *p = pfn_to_page(h);
		if ((p->flags & PG_BUDDY) && page_order(p) >= k &&
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
	mm_irqflags_t flags = mm_irq_save();
	bool found = pfn_valid(pfn) && __find_free_block(pfn, head, order);

	mm_irq_restore(flags);
	return found;
}

/* Says what is wrong with freeing (page, order); the fast check failed. */
static void report_bad_free(struct page *page, unsigned order)
{
	pfn_t pfn = page_to_pfn(page), head;
	uintptr_t pa = (uintptr_t)page_to_phys(page);
	unsigned free_order;

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
			  "pfn %#x order %u: the frame is already free (on the hot list)",
			  pfn, order);
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

/* Everything but the order-0 fast path: checks, then the buddy. */
static __noinline void free_pages_slow(struct page *page, unsigned order)
{
	mm_irqflags_t flags;

	if (page < mem_map || page >= mem_map + max_pfn || order >= MAX_ORDER) {
		mm_report(REPORT_OUT_OF_RANGE, (uintptr_t)page,
			  "struct page %p order %u is outside the page array (%u frames)",
			  (void *)page, order, max_pfn);
		return;
	}
	flags = mm_irq_save();
	if ((page->flags & (STATE_ORDER | PG_OWNER_MASK)) !=
		    (PG_ALLOCATED | order_bits(order)) ||
	    (page_to_pfn(page) & ((1u << order) - 1))) {
		report_bad_free(page, order);
	} else {
		struct zone *z = page_zone(page);
		z->free_pages += 1u << order;
		__buddy_free_one(z, page_to_pfn(page), order);
	}
	mm_irq_restore(flags);
}

/* The common case: a single allocated frame goes on its zone's hot list.
 * One comparison of the flags proves it was allocated, with order 0; the
 * range check comes first so a stray pointer is never dereferenced. */
void free_page_hot(struct page *page)
{
	if (likely(page >= mem_map && page < mem_map_end)) {
		mm_irqflags_t flags = mm_irq_save();
		uint32_t f = page->flags;
		if (likely((f & (STATE_ORDER | PG_OWNER_MASK)) == PG_ALLOCATED)) {
			struct zone *z = page_zone(page);
			page->flags = (f ^ (PG_ALLOCATED | PG_HOT)) & ~PG_OWNER_MASK;
			page->lru.next = (struct list_node *)z->hot;
			z->hot = page;
			if (unlikely(++z->hot_count > HOT_LIST_HIGH))
				hot_drain(z, HOT_LIST_BATCH);
			mm_irq_restore(flags);
			return;
		}
		mm_irq_restore(flags);
	}
	free_pages_slow(page, 0);
}

/* A block of order 1..: the same one comparison as free_page_hot, and
 * the alignment, then the merge, in one critical section. */
void free_pages_any(struct page *page, unsigned order)
{
	if (likely(order == 0)) {
		free_page_hot(page);
		return;
	}
	if (likely(page >= mem_map && page < mem_map_end) && likely(order < MAX_ORDER)) {
		pfn_t pfn = page_to_pfn(page);
		mm_irqflags_t flags;

		mm_irq_save_slot(&flags);
		if (likely((page->flags & (STATE_ORDER | PG_OWNER_MASK)) ==
			   (PG_ALLOCATED | order_bits(order))) &&
		    likely(!(pfn & ((1u << order) - 1)))) {
			struct zone *z = page_zone(page);
			z->free_pages += 1u << order;
			__free_one(z, page, pfn, order);
			mm_irq_restore_slot(&flags);
			return;
		}
		mm_irq_restore_slot(&flags);
	}
	free_pages_slow(page, order);
}

uintptr_t __get_free_pages(gfp_t gfp, unsigned order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (uintptr_t)page_address(page) : 0;
}

uintptr_t get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}

void free_pages(uintptr_t addr, unsigned order)
{
	struct page *page;

	if (!addr)
		return;
	page = virt_to_page_checked((const void *)addr);
	if (!page || (addr & (MM_PAGE_SIZE - 1))) {
		mm_report(REPORT_OUT_OF_RANGE, addr,
			  "free_pages of an address that is not a direct-mapped frame");
		return;
	}
	__free_pages(page, order);
}

void buddy_drain_hot(void)
{
	mm_irqflags_t flags = mm_irq_save();

	for (int i = 0; i < MAX_NR_ZONES; i++)
		hot_drain(&zones[i], ~0u);
	mm_irq_restore(flags);
}

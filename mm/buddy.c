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
 * Per-CPU lists (Linux's per-CPU page lists, which it also keeps for
 * orders up to 3): most allocations are single frames or small blocks that
 * are freed soon after, often on the same CPU.  Each CPU keeps, for each
 * zone and each order k < PCP_ORDERS, a singly linked stack of free blocks
 * (PG_HOT with their order) in front of the buddy: alloc_pages pops,
 * __free_pages pushes, a few instructions each with interrupts masked on
 * that CPU and no lock.  A list is refilled by carving one block of order
 * PCP_REFILL_ORDER into PCP_BATCH >> k blocks, and drained by as many
 * (merging each) once it holds more than its mark, PCP_HIGH >> k.  Blocks on the
 * lists count as free (zone_free_pages adds every CPU's); every function
 * that reports on the free lists drains the lists first, so they are
 * invisible to callers and statistics alike.
 *
 * Locking.  The zone lock (mm_lock, with interrupts off: LOCK_ORDER_ZONE)
 * covers a zone's free lists, free_mask and free_pages: every split,
 * merge, refill and drain.  A CPU's lists are its own: it changes them
 * with interrupts masked, and another CPU reaches them only by running
 * code there (mm_on_each_cpu: buddy_drain_hot, buddy_check).  A request
 * that finds nothing drains this CPU's lists and tries again, then asks
 * the reclaimers (mm/buddy_oom.c), which drain every CPU's lists -- by a
 * cross-CPU call, so only where one may be made (interrupts on); from
 * elsewhere the frames on other CPUs' lists are out of its reach, at most
 * PCP_HIGH frames per order, zone and CPU.  On a small zone that would be
 * all of it (a 2.7 MiB machine has 117 frames), so there the marks and
 * the refills shrink to a 64th of the zone's frames per order, or one
 * block: the frames one CPU keeps stay a small share of the zone.
 *
 * Setting up (mm/buddy_init.c): the page array starts with every frame
 * reserved; the boot hands the usable ranges over in whole aligned blocks.
 * The per-CPU lists' refills and drains are in mm/buddy_pcp.c; the slow
 * paths the entry points hand over to -- every zone, reclaim, the
 * out-of-memory report, zeroing, the free the fast checks refused -- in
 * mm/buddy_slow.c.
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


/* One more than the zones: a pointer between two struct pages read as a
 * page can carry zone bits 3, and free_pages_any locks the page's zone
 * before it looks at the rest of its flags (which then fail). */
struct zone zones[MAX_NR_ZONES + 1] = {
	[ZONE_DMA] = { .lock = MM_LOCK_INIT("zone DMA", LOCK_ORDER_ZONE),
		       .name = "DMA", .id = ZONE_DMA },
	[ZONE_NORMAL] = { .lock = MM_LOCK_INIT("zone Normal", LOCK_ORDER_ZONE),
			  .name = "Normal", .id = ZONE_NORMAL },
	[ZONE_HIGHMEM] = { .lock = MM_LOCK_INIT("zone HighMem", LOCK_ORDER_ZONE),
			   .name = "HighMem", .id = ZONE_HIGHMEM },
	[MAX_NR_ZONES] = { .lock = MM_LOCK_INIT("zone none", LOCK_ORDER_ZONE),
			   .name = "none", .id = MAX_NR_ZONES },
};
MM_LOCK_REGISTER(zones[ZONE_DMA].lock);
MM_LOCK_REGISTER(zones[ZONE_NORMAL].lock);
MM_LOCK_REGISTER(zones[ZONE_HIGHMEM].lock);
MM_LOCK_REGISTER(zones[MAX_NR_ZONES].lock);

struct page *buddy_mem_map_end; /* mem_map + max_pfn */

/* Zones to try, best first, for each combination of DMA/HIGHMEM flags. */
const signed char buddy_zonelists[4][MAX_NR_ZONES + 1] = {
	[0] = { ZONE_NORMAL, ZONE_DMA, -1 },
	[__GFP_DMA] = { ZONE_DMA, -1 },
	[__GFP_HIGHMEM] = { ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA, -1 },
	[__GFP_DMA | __GFP_HIGHMEM] = { ZONE_DMA, -1 },
};

/* Puts a block on its free list, merging with free buddies (lock held). */
__noinline void __buddy_free_one(struct zone *z, pfn_t pfn, unsigned order)
{
	struct page *page = pfn_to_page(pfn);
	/* what the buddy's flags hold if it is free with this order */
	uint32_t want = PG_BUDDY | order_bits(order) | (page->flags & PG_ZONE_MASK);

	ZONE_LOCK_HELD(z);
	/* If it merges downwards, this page ends up inside the block. */
	page->flags &= ~STATE_ORDER;
	while (order < MAX_ORDER - 1) {
		pfn_t buddy_pfn = pfn ^ (1u << order);
		struct page *buddy = pfn_to_page(buddy_pfn);

		/* inside the zone: one unsigned comparison; a racy look at
		 * the buddy's flags (free_one) */
		if (buddy_pfn - z->start_pfn >= z->span_pfns ||
		    (READ_ONCE(buddy->flags) & (STATE_ORDER | PG_ZONE_MASK)) != want)
			break;
		area_del(z, buddy, order);
		buddy->flags &= ~STATE_ORDER;
		pfn &= ~(1u << order);
		order++;
		want += order_bits(1);
	}
	page = pfn_to_page(pfn);
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_BUDDY | order_bits(order);
	area_add(z, page, order);
}

/* The same, with the common case -- the buddy is not free -- written
 * out; a merge goes out of line.  Inlined where the lock is taken. */
static __always_inline void free_one(struct zone *z, struct page *page,
				     pfn_t pfn, unsigned order)
{
	pfn_t buddy_pfn = pfn ^ (1u << order);
	/* page's neighbour in the page array, computed from page itself */
	const struct page *buddy = page + ((long)buddy_pfn - (long)pfn);

	/* A buddy that is not free is someone's: its owner, or the CPU
	 * whose list holds it, may change its flags meanwhile, but never to
	 * or from PG_BUDDY, which only the zone's lock holder sets or
	 * clears.  So a racy look (READ_ONCE) decides. */
	if (unlikely(order < MAX_ORDER - 1) &&
	    unlikely(buddy_pfn - z->start_pfn < z->span_pfns) &&
	    unlikely((READ_ONCE(buddy->flags) & (STATE_ORDER | PG_ZONE_MASK)) ==
		     (PG_BUDDY | order_bits(order) | (page->flags & PG_ZONE_MASK)))) {
		__buddy_free_one(z, pfn, order);
		return;
	}
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_BUDDY | order_bits(order);
	area_add(z, page, order);
}

/* --- allocation --------------------------------------------------------- */

/* Takes a block of `order` from z, splitting a larger one (lock held).
 * The zone's mask of non-empty orders finds the smallest list that can
 * serve it in one instruction. */
__noinline struct page *__buddy_rmqueue_split(struct zone *z, unsigned order)
{
	unsigned avail = z->free_mask >> order, k;
	struct page *page;

	ZONE_LOCK_HELD(z);
	if (!avail)
		return NULL;
	k = order + (unsigned)__builtin_ctz(avail);
	page = list_first_entry(&z->free_area[k].list, struct page, lru);
	area_del(z, page, k);
	while (k > order) {
		struct page *upper;
		k--;
		upper = page + (1u << k);
		upper->flags = (upper->flags & ~STATE_ORDER) | PG_BUDDY | order_bits(k);
		area_add(z, upper, k);
	}
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_ALLOCATED | order_bits(order);
	z->free_pages -= 1u << order;
	return page;
}

/* The same, with the common case -- a block of exactly that order is
 * free -- written out.  Inlined where the lock is taken. */
static __always_inline struct page *rmqueue(struct zone *z, unsigned order)
{
	struct page *page;

	if (unlikely(!z->free_area[order].nr_free)) /* the count area_del decrements */
		return __buddy_rmqueue_split(z, order);
	page = list_first_entry(&z->free_area[order].list, struct page, lru);
	area_del(z, page, order);
	page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
		      PG_ALLOCATED | order_bits(order);
	z->free_pages -= 1u << order;
	return page;
}

/* --- per-CPU lists -------------------------------------------------------- */

/* The common case: one frame, any lowmem zone, from this CPU's list. */
struct page *alloc_page_kernel(void)
{
	mm_irqflags_t flags;
	struct page *page;

	if (unlikely(mm_failinject_armed)) /* every allocation counted */
		return buddy_alloc_slow(GFP_KERNEL, 0);
	flags = mm_irq_save();
	page = pcp_pop(&local_pcp_of(ZONE_NORMAL)->p_list[0]);
	mm_irq_restore(flags);
	if (likely(page))
		return page;
	return buddy_alloc_slow(GFP_KERNEL, 0);
}

/* A block of order 1.. from zone z, or NULL: below PCP_ORDERS off this
 * CPU's list, with interrupts masked; above, off the zone's lists under
 * its lock. */
static __always_inline struct page *alloc_from_zone(struct zone *z, unsigned order)
{
	mm_irqflags_t flags;
	struct page *page;

	if (order < PCP_ORDERS) {
		mm_irq_save_slot(&flags);
		page = pcp_pop(&local_pcp(z)->p_list[order]);
		mm_irq_restore_slot(&flags);
		return page;
	}
	flags = mm_lock(&z->lock);
	page = rmqueue(z, order);
	mm_unlock(&z->lock, flags);
	return page;
}

/*
 * Any other request.  A block of order 1.. without zeroing comes from the
 * best zone the flags allow; everything else (order 0 with other flags,
 * __GFP_ZERO, a zone out of blocks, a bad order) goes through
 * buddy_alloc_slow, which tries every zone and drains the per-CPU lists.
 */
struct page *alloc_pages_any(gfp_t gfp, unsigned order)
{
	if (likely(order == 0 && gfp == GFP_KERNEL))
		return alloc_page_kernel();
	/* no zeroing, and no bit outside __GFP_BITS (buddy_alloc_slow
	 * refuses those): one test */
	if (likely(order - 1 < MAX_ORDER - 1) &&
	    likely(!(gfp & ~(__GFP_BITS & ~__GFP_ZERO))) && likely(!mm_failinject_armed)) {
		const signed char *zl = buddy_zonelists[gfp & (__GFP_DMA | __GFP_HIGHMEM)];
		struct page *page = alloc_from_zone(&zones[(int)zl[0]], order);
		if (likely(page))
			return page;
	}
	return buddy_alloc_slow(gfp, order);
}

struct page *alloc_pages_kernel(unsigned order)
{
	if (likely(order - 1 < MAX_ORDER - 1) && likely(!mm_failinject_armed)) {
		struct page *page = alloc_from_zone(&zones[ZONE_NORMAL], order);
		if (likely(page))
			return page;
	}
	return order ? buddy_alloc_slow(GFP_KERNEL, order) : alloc_page_kernel();
}

/* --- freeing ------------------------------------------------------------ */

/*
 * The common case: a block of order k < PCP_ORDERS goes on this CPU's
 * list of its zone.  One comparison of the flags proves it was allocated,
 * with that order and no owner; the range check comes first so a stray
 * pointer is never dereferenced, the alignment check after (order 0 has
 * none).  False, with nothing done, when any of it fails.
 */
static __always_inline bool free_pcp(struct page *page, unsigned k)
{
	mm_irqflags_t flags;
	uint32_t f;

	if (unlikely(page < mem_map || page >= buddy_mem_map_end))
		return false;
	mm_irq_save_slot(&flags);
	f = page->flags;
	if (likely((f & (STATE_ORDER | PG_OWNER_MASK)) == (PG_ALLOCATED | order_bits(k))) &&
	    likely(!(page_to_pfn(page) & ((1u << k) - 1)))) {
		unsigned id = (f & PG_ZONE_MASK) >> PG_ZONE_SHIFT;
		struct pcp_list MM_LOCAL *l = &local_pcp_of(id)->p_list[k];
		page->flags = f ^ (PG_ALLOCATED | PG_HOT);
		page->lru.next = (struct list_node *)l->p_head;
		l->p_head = page;
		if (unlikely(++l->p_count > l->p_high))
			buddy_pcp_overflow(&zones[id], l, k);
		mm_irq_restore_slot(&flags);
		return true;
	}
	mm_irq_restore_slot(&flags);
	return false;
}

void free_page_hot(struct page *page)
{
	if (likely(free_pcp(page, 0)))
		return;
	buddy_free_slow(page, 0);
}

/* A block of order 1..: below PCP_ORDERS the same as free_page_hot;
 * above, the same checks, then the merge under the zone lock. */
void free_pages_any(struct page *page, unsigned order)
{
	if (likely(order < PCP_ORDERS)) {
		if (likely(free_pcp(page, order)))
			return;
	} else if (likely(page >= mem_map && page < buddy_mem_map_end) && likely(order < MAX_ORDER)) {
		pfn_t pfn = page_to_pfn(page);
		struct zone *z = page_zone(page);
		mm_irqflags_t flags = mm_lock(&z->lock);

		if (likely((page->flags & (STATE_ORDER | PG_OWNER_MASK)) ==
			   (PG_ALLOCATED | order_bits(order))) &&
		    likely(!(pfn & ((1u << order) - 1)))) {
			z->free_pages += 1u << order;
			free_one(z, page, pfn, order);
			mm_unlock(&z->lock, flags);
			return;
		}
		mm_unlock(&z->lock, flags);
	}
	buddy_free_slow(page, order);
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

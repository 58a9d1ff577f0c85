/*
 * The binary buddy allocator: physical frames in blocks of 2^order frames,
 * order 0..MAX_ORDER-1, per zone.  See mm/buddy.c for the theory of
 * operation.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include "mm/page.h"
#include "mm/gfp.h"

#define HOT_LIST_BATCH 16 /* pages moved at once between hot list and buddy */
#define HOT_LIST_HIGH 64 /* drain a batch when the hot list grows past this */

struct free_area {
	struct list_node list; /* heads of free blocks of this order */
	unsigned long nr_free; /* blocks on the list */
};

/*
 * A zone.  Aligned to 256 bytes so that the fast paths find a page's zone
 * from the zone bits of its flags with a shift, not a multiplication.
 */
struct zone {
	struct page *hot; /* hot list: order-0 pages, linked by lru.next */
	unsigned hot_count;
	unsigned free_mask; /* bit k set: free_area[k] has a block */
	const char *name;
	enum zone_id id;
	pfn_t start_pfn, end_pfn; /* the span [start, end); may contain holes */
	pfn_t span_pfns; /* end_pfn - start_pfn */
	unsigned long managed_pages; /* frames given to the buddy */
	unsigned long free_pages; /* free frames on the free lists (not hot) */
	struct free_area free_area[MAX_ORDER];
} __aligned(256);

/* Free frames of a zone, those on its hot list included. */
static inline unsigned long zone_free_pages(const struct zone *z)
{
	return z->free_pages + z->hot_count;
}

extern struct zone zones[MAX_NR_ZONES];

/* Zone boundaries (frame numbers): DMA below 16 MiB, NORMAL up to the end of
 * the direct map, HIGHMEM above. */
#define DMA_LIMIT_PFN ((pfn_t)(16u << (20 - MM_PAGE_SHIFT)))

/*
 * Set-up, in this order (mm/init.c does it for the kernel; host tests do it
 * for their synthetic machines):
 *   buddy_init_pages(map, nr_pfns, direct_end_pfn)
 *       takes the page array for frames [0, nr_pfns) and marks every frame
 *       RESERVED with its zone;
 *   buddy_add_range(start, end)    (any number of times, sorted or not)
 *       hands usable frames [start, end) to the buddy, in whole aligned
 *       blocks of the largest order that fits.
 */
void buddy_init_pages(struct page *map, pfn_t nr_pfns, pfn_t direct_end_pfn);
void buddy_add_range(pfn_t start, pfn_t end);

/*
 * Allocates 2^order physically contiguous frames, aligned to their size.
 * Returns the head page, or NULL (with every structure untouched) when no
 * zone the flags allow has such a block.  Refused with NULL and one
 * REPORT_INVALID_ARG naming the caller: gfp bits outside __GFP_BITS, and
 * order >= MAX_ORDER (that one without a report under __GFP_NOWARN, for
 * callers that try orders downwards).  Interrupt-safe; any context.
 */
struct page *alloc_pages_any(gfp_t gfp, unsigned order);
/* The same for one frame, GFP_KERNEL: the hot list, no argument to test. */
struct page *alloc_page_kernel(void);
/* The same for GFP_KERNEL and any order: no flags to test. */
struct page *alloc_pages_kernel(unsigned order);
/* Most callers ask with constant flags: GFP_KERNEL goes straight to
 * alloc_page_kernel or alloc_pages_kernel, the rest to alloc_pages_any. */
static __always_inline struct page *alloc_pages(gfp_t gfp, unsigned order)
{
	if (__builtin_constant_p(gfp) && gfp == GFP_KERNEL) {
		if (__builtin_constant_p(order) && order == 0)
			return alloc_page_kernel();
		return alloc_pages_kernel(order);
	}
	return alloc_pages_any(gfp, order);
}

static inline struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/*
 * Frees a block returned by alloc_pages with the same order.  Misuse (a
 * double free, a wrong order, a page never allocated, reserved, misaligned
 * or out of range) is reported through mm_report and the block is left
 * alone.
 */
void free_pages_any(struct page *page, unsigned order);
/* The same for order 0 (the hot list), no order to test. */
void free_page_hot(struct page *page);
static __always_inline void __free_pages(struct page *page, unsigned order)
{
	if (__builtin_constant_p(order) && order == 0)
		free_page_hot(page);
	else
		free_pages_any(page, order);
}

static inline void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/* Direct-mapped variants: return/take the block's virtual address.
 * __get_free_pages never returns HIGHMEM; 0 on failure. */
uintptr_t __get_free_pages(gfp_t gfp, unsigned order);
uintptr_t get_zeroed_page(gfp_t gfp);
void free_pages(uintptr_t addr, unsigned order);

/* --- introspection ------------------------------------------------------ */

/* Moves every hot-list page back into the buddy (merging it). */
void buddy_drain_hot(void);

unsigned long buddy_free_pages(void); /* all zones */
unsigned long buddy_managed_pages(void);
/* Free blocks of each order in a zone (hot lists drained first). */
void buddy_zone_info(enum zone_id zone, unsigned long nr_free[MAX_ORDER]);
/* Prints /proc/buddyinfo's table: free blocks per order per zone. */
void buddy_print_info(void);
/* The fragmentation index of every order, a row per zone. */
void buddy_print_fragmentation(void);
/* Prints each zone's span, managed and free pages. */
void buddy_print_zones(void);

/*
 * Fragmentation for a request of `order` (Linux's unusable free space
 * index): the share of free memory, in per mille, that lies in blocks
 * smaller than 2^order frames and so cannot serve it.  0: every free frame
 * could; 1000: none could (or nothing is free).
 */
unsigned buddy_fragmentation(enum zone_id zone, unsigned order);

/*
 * The invariant checker: every free list entry is a BUDDY head of that
 * order, aligned, inside its zone, not overlapping another block; counts
 * agree with the lists and the page array; the hot lists hold HOT pages.
 * Returns the number of problems found (each reported as REPORT_CORRUPTION).
 */
unsigned buddy_check(void);

/*
 * Private zones, for demonstrations and tests: a block of frames taken from
 * the buddy (alloc_pages) can be managed as a zone of its own, so that the
 * textbook split and merge sequences can be shown from a known state.
 * buddy_zone_adopt turns the allocated block [head, head + 2^order) into
 * the zone's only free block; buddy_zone_release hands it back, whole, to
 * the caller as an allocated block of that order again (false if the zone
 * is not entirely free).  Only blocks of order MAX_ORDER-1 can be adopted
 * (false otherwise): a smaller block's buddy could merge with it.  While a
 * private zone is open, buddy_check leaves its frames alone (at most 8 are
 * tracked).  No locking, no misuse checks: the caller owns it.
 */
bool buddy_zone_adopt(struct zone *z, struct page *head, unsigned order);
bool buddy_zone_release(struct zone *z, struct page *head, unsigned order);
struct page *buddy_zone_alloc(struct zone *z, unsigned order);
void buddy_zone_free(struct zone *z, struct page *page, unsigned order);
unsigned buddy_zone_fragmentation(const struct zone *z, unsigned order);
/* The open private zone holding pfn, or NULL. */
const struct zone *buddy_private_zone_at(pfn_t pfn);

/*
 * Reclaim before out of memory (mm/buddy_oom.c): the layer that keeps free
 * frames in caches of its own (the slab) gives them back when an
 * allocation would fail; report adds its lines to the out-of-memory
 * report.  Both run with interrupts on, from the allocating context.
 */
struct buddy_reclaimer {
	unsigned long (*reclaim)(void); /* frames given back */
	void (*report)(void);
};
void buddy_set_reclaim(const struct buddy_reclaimer *r);
/* Asks the reclaimer for its frames now; how many it gave back. */
unsigned long buddy_reclaim(void);
/* Allocations that failed, reported or not. */
unsigned long buddy_oom_failures(void);

/* Which free block contains pfn: its head and order, or false. */
bool buddy_find_free_block(pfn_t pfn, pfn_t *head, unsigned *order);

#endif

/*
 * The binary buddy allocator: physical frames in blocks of 2^order frames,
 * order 0..MAX_ORDER-1, per zone.  See mm/buddy.c for the theory of
 * operation.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include "mm/page.h"
#include "mm/gfp.h"

/*
 * Per-CPU page lists (mm/buddy.c, "Per-CPU lists"): each CPU keeps free
 * blocks of orders 0..PCP_ORDERS-1 of each zone in front of the buddy.  A
 * list of order k is refilled with PCP_BATCH >> k blocks at once (one
 * block of order PCP_REFILL_ORDER, carved) and drained by as many when it
 * grows past its mark, PCP_HIGH >> k.  On a zone of fewer than
 * PCP_HIGH << PCP_ZONE_SHIFT frames the mark is (managed frames >>
 * PCP_ZONE_SHIFT) >> k blocks, at least one, and a refill no more than
 * that: each list keeps a 64th of a small zone, or one block.
 */
#define PCP_ORDERS 4
#define PCP_BATCH 16u
#define PCP_HIGH 64u
#define PCP_REFILL_ORDER 4 /* log2(PCP_BATCH): a refill is one such block */
#define PCP_ZONE_SHIFT 6 /* a list of a small zone: 1/64 of its frames */

struct pcp_list {
	struct page *p_head; /* linked by lru.next; NULL: empty */
	unsigned p_count; /* blocks on the list */
	unsigned p_high; /* drain past this many (the mark, set on the
			  * first overflow; 0 while the lists are off) */
};

/* One CPU's lists of one zone (its copy of the per-CPU buddy_pcp). */
struct pcp {
	struct pcp_list p_list[PCP_ORDERS];
};

struct free_area {
	struct list_node list; /* heads of free blocks of this order */
	unsigned long nr_free; /* blocks on the list */
};

/*
 * A zone.  Aligned to 256 bytes so that the fast paths find a page's zone
 * from the zone bits of its flags with a shift, not a multiplication.
 */
struct zone {
	mm_lock_t lock; /* the free lists and counters below */
	unsigned free_mask; /* bit k set: free_area[k] has a block */
	const char *name;
	enum zone_id id;
	pfn_t start_pfn, end_pfn; /* the span [start, end); may contain holes */
	pfn_t span_pfns; /* end_pfn - start_pfn */
	unsigned long managed_pages; /* frames given to the buddy */
	unsigned long free_pages; /* free frames on the free lists (not the
				   * per-CPU lists) */
	struct free_area free_area[MAX_ORDER];
} __aligned(256);

/* Free frames of a zone, those on every CPU's lists included (a sum of
 * counters others may be changing: exact only when they are quiet).  A
 * NULL zone is a REPORT_BAD_HANDLE and 0. */
unsigned long zone_free_pages(const struct zone *z);
/* Frames of zone z on the lists of cpu (0 for a private zone: it has no
 * lists).  A NULL zone or a cpu past MM_MAX_CPUS is a report and 0. */
unsigned long buddy_pcp_frames(const struct zone *z, unsigned cpu);

/* Every CPU's lists: MAX_NR_ZONES struct pcp, the fixed start of the
 * per-CPU space (mm/platform.h: a constant address in the kernel). */
#define buddy_pcp ((struct pcp *)mm_percpu_space())
STATIC_ASSERT(MAX_NR_ZONES * sizeof(struct pcp) <= MM_PERCPU_FIXED,
	      "the buddy's per-CPU lists fit the per-CPU space's fixed part");

extern struct zone zones[MAX_NR_ZONES + 1]; /* and one that is none */

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
 *       blocks of the largest order that fits.  Frames past the page
 *       array are left out; a reversed range, or one with a frame the
 *       buddy has already (a range added twice), is refused with one
 *       REPORT_INVALID_ARG, nothing added.
 */
void buddy_init_pages(struct page *map, pfn_t nr_pfns, pfn_t direct_end_pfn);
void buddy_add_range(pfn_t start, pfn_t end);

/*
 * Allocates 2^order physically contiguous frames, aligned to their size.
 * Returns the head page, or NULL (with every structure untouched) when no
 * zone the flags allow has such a block.  Refused with NULL and one
 * REPORT_INVALID_ARG naming the caller: gfp bits outside __GFP_BITS, and
 * order >= MAX_ORDER (that one without a report under __GFP_NOWARN, for
 * callers that try orders downwards).  Interrupt-safe; callable from any
 * context, on any CPU.
 */
struct page *alloc_pages_any(gfp_t gfp, unsigned order);
/* The same for one frame, GFP_KERNEL: this CPU's list, no argument to test. */
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
/* The same for order 0 (this CPU's list), no order to test. */
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

/* Moves the blocks on every CPU's lists back into the buddy (merging
 * them): a cross-CPU call, or this CPU's alone where none may be made
 * (mm_on_each_cpu; false then, with other CPUs running). */
bool buddy_drain_hot(void);
/* This CPU's lists only: cheap, no cross-CPU call. */
void buddy_drain_local(void);
/* Switches the per-CPU lists off (every block straight to and from the
 * zones, under their locks) or back on, on every CPU: for the scaling
 * benchmarks, which show what the lists buy.  With interrupts on. */
void buddy_set_pcp(bool on);

unsigned long buddy_free_pages(void); /* all zones */
unsigned long buddy_managed_pages(void);
/* Free blocks of each order in a zone (the per-CPU lists drained first).
 * A zone that does not exist, or a NULL array, is one REPORT_INVALID_ARG
 * (the array, if any, zeroed). */
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
 * could; 1000: none could (or nothing is free, or order >= MAX_ORDER).  A
 * zone that does not exist is one REPORT_INVALID_ARG, and 1000.
 */
unsigned buddy_fragmentation(enum zone_id zone, unsigned order);

/*
 * The invariant checker: every free list entry is a BUDDY head of that
 * order, aligned, inside its zone, not overlapping another block; counts
 * agree with the lists and the page array; every CPU's lists hold HOT
 * blocks of their order (each CPU checks its own, by a cross-CPU call).
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
 * tracked).  No locking: the caller owns the zone.  Misuse is refused with
 * a report naming the caller: a zone that is not open (NULL, never adopted,
 * released, a real zone) is REPORT_BAD_HANDLE; adopting what is not an
 * allocated block of order MAX_ORDER-1 (or into an open zone), and freeing
 * what is not a block of the zone allocated with that order, are
 * REPORT_INVALID_ARG (a free block freed again: REPORT_DOUBLE_FREE).
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
 * report.  Both run from the allocating context (with interrupts on,
 * unless the caller had them off).
 */
struct buddy_reclaimer {
	unsigned long (*reclaim)(void); /* frames given back */
	void (*report)(void);
};
void buddy_set_reclaim(const struct buddy_reclaimer *r);
/* Asks the reclaimer for its frames now, then drains every CPU's page
 * lists (buddy_drain_hot); the frames the reclaimer gave back. */
unsigned long buddy_reclaim(void);
/* Allocations that failed, reported or not. */
unsigned long buddy_oom_failures(void);
/* Times the allocator ran short: an allocation found no free block it
 * could use and reclaimed (whether it then succeeded or failed). */
unsigned long buddy_reclaims(void);

/* Which free block contains pfn: its head and order, or false. */
bool buddy_find_free_block(pfn_t pfn, pfn_t *head, unsigned *order);

#endif

/*
 * struct page: one per physical frame, in the page array (mem_map) indexed
 * by frame number.  24 bytes on i386 (Linux's is 32): a flags word and five
 * words whose meaning depends on who owns the frame.
 *
 *   flags   state bits (below), the zone, the order of a block head, and
 *           the owner (which allocator or user holds the frame)
 *   lru     list links: a buddy free list (free block heads), a slab list
 *           (slab heads), the hot list (order-0 pages cached in front of
 *           the buddy)
 *   word 3..5
 *           slab head:  the next free object, its cache, objects in use and
 *                       the slab's colour offset
 *           tail page:  the head page of the block it belongs to, so that
 *                       virt_to_head_page() of any address in a multi-page
 *                       slab or large kmalloc block is O(1)
 *           otherwise:  `private`, free for the owner's use
 *
 * Exactly one of the state bits BUDDY, ALLOCATED, HOT, RESERVED is set on a
 * block head; pages inside a free or allocated block other than the head
 * carry none of them (ALLOCATED blocks may mark their tails with TAIL).
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include "lib/types.h"
#include "lib/list.h"
#include "mm/platform.h"

#define MAX_ORDER 11 /* orders 0..10: blocks of 1 to 1024 frames (4 MiB) */

enum zone_id { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, MAX_NR_ZONES };

/* State of a frame, bits 0..7. */
#define PG_BUDDY 0x0001u /* head of a free block on a buddy free list */
#define PG_ALLOCATED 0x0002u /* head of a block handed out by alloc_pages */
#define PG_HOT 0x0004u /* free block on a CPU's list (mm/buddy.c), with its order */
#define PG_RESERVED 0x0008u /* never managed: firmware, kernel image, page array */
#define PG_TAIL 0x0010u /* inside an allocated block; `head` is valid */
#define PG_STATE_MASK 0x001Fu
/* Bit 5: a slab taken out of service because its free list was found
 * corrupted (mm/slab.c, 9): its memory is deliberately not reused. */
#define PG_QUARANTINE 0x0020u

#define PG_ORDER_SHIFT 8 /* bits 8..11: order of a block head */
#define PG_ORDER_MASK (0xFu << PG_ORDER_SHIFT)
#define PG_ZONE_SHIFT 12 /* bits 12..13: enum zone_id */
#define PG_ZONE_MASK (0x3u << PG_ZONE_SHIFT)
/*
 * Bits 16..31 say who owns an allocated block: the kind (bits 16..19, enum
 * page_owner) and, for a slab, its cache's id (bits 20..31), so that one
 * masked comparison of the flags proves "the head of a slab of this cache".
 * Clearing the owner clears both.
 */
#define PG_OWNER_SHIFT 16
#define PG_OWNER_KIND_MASK (0xFu << PG_OWNER_SHIFT)
#define PG_OWNER_ID_SHIFT 20
#define PG_OWNER_ID_MASK (0xFFFu << PG_OWNER_ID_SHIFT)
#define PG_OWNER_MASK (PG_OWNER_KIND_MASK | PG_OWNER_ID_MASK)

/* Who holds an allocated frame: for whatis, the memory picture and checks. */
enum page_owner {
	OWNER_NONE, /* free, or allocated with alloc_pages by someone */
	OWNER_KERNEL_IMAGE, /* reserved: the kernel's text, data, bss */
	OWNER_BOOTMEM, /* reserved: taken before the buddy existed (page array) */
	OWNER_FIRMWARE, /* reserved: not RAM, or the first MiB */
	OWNER_SLAB, /* a slab of a kmem_cache */
	OWNER_KMALLOC, /* a large kmalloc block straight from the buddy */
	OWNER_PAGETABLE, /* a page directory or page table */
	OWNER_VMALLOC, /* backing a vmalloc area */
	OWNER_USER, /* mapped into an address space, owned by it */
	OWNER_STACK, /* a task's kernel stack */
	OWNER_FREELIST, /* a mm/freelist heap */
	OWNER_COUNT
};

struct kmem_cache;

struct page {
	uint32_t flags;
	struct list_node lru;
	union {
		struct { /* head page of a slab */
			void *s_freelist; /* first free object, NULL when full */
			struct kmem_cache *s_cache;
			uint16_t s_inuse; /* objects handed out */
			uint16_t s_colour; /* offset of the first object */
		};
		struct page *head; /* PG_TAIL pages */
		uintptr_t private_[3];
	};
};

#if UINTPTR_MAX == 0xFFFFFFFFu
STATIC_ASSERT(sizeof(struct page) <= 24, "struct page must stay within 24 bytes on i386");
#endif

/* The page array: mem_map[pfn] for every pfn below max_pfn. */
extern struct page *mem_map;
extern pfn_t max_pfn;

static inline pfn_t page_to_pfn(const struct page *page)
{
	return (pfn_t)(page - mem_map);
}

static inline struct page *pfn_to_page(pfn_t pfn)
{
	return &mem_map[pfn];
}

static inline bool pfn_valid(pfn_t pfn)
{
	return pfn < max_pfn;
}

static inline paddr_t page_to_phys(const struct page *page)
{
	return (paddr_t)page_to_pfn(page) << MM_PAGE_SHIFT;
}

static inline struct page *phys_to_page(paddr_t pa)
{
	return pfn_to_page((pfn_t)(pa >> MM_PAGE_SHIFT));
}

static inline unsigned page_order(const struct page *page)
{
	return (page->flags & PG_ORDER_MASK) >> PG_ORDER_SHIFT;
}

static inline enum zone_id page_zone_id(const struct page *page)
{
	return (enum zone_id)((page->flags & PG_ZONE_MASK) >> PG_ZONE_SHIFT);
}

static inline enum page_owner page_owner(const struct page *page)
{
	return (enum page_owner)((page->flags & PG_OWNER_KIND_MASK) >> PG_OWNER_SHIFT);
}

static inline void page_set_owner(struct page *page, enum page_owner owner)
{
	page->flags = (page->flags & ~PG_OWNER_MASK) |
		      ((uint32_t)owner << PG_OWNER_SHIFT);
}

const char *page_owner_name(enum page_owner owner);
/* One word for dumps: "slab", "pagetable", "kernel"... */
const char *page_owner_id(enum page_owner owner);

/* The direct-map address of a frame, or NULL for HIGHMEM frames. */
void *page_address(const struct page *page);
/* The same for a frame known to be direct-mapped (a slab's, say). */
static inline void *lowmem_page_address(const struct page *page)
{
	return mm_phys_to_virt(page_to_phys(page));
}
/* The page of a direct-mapped address (no check: see virt_to_page_checked). */
static inline struct page *virt_to_page(const void *addr)
{
	return phys_to_page(mm_virt_to_phys(addr));
}

/* Whether addr is in the direct map of a frame the page array describes.
 * Inline (with the translation, in the kernel): kfree and kmem_cache_free
 * look up every object they take back. */
static inline bool virt_addr_managed(const void *addr)
{
	paddr_t pa = mm_virt_to_phys(addr);

	return pa < mm_direct_end() && pfn_valid((pfn_t)(pa >> MM_PAGE_SHIFT));
}

/* The page of addr, or NULL if !virt_addr_managed(addr). */
static inline struct page *virt_to_page_checked(const void *addr)
{
	return virt_addr_managed(addr) ? virt_to_page(addr) : NULL;
}

/* The head page of the allocated block containing page. */
static inline struct page *compound_head(struct page *page)
{
	return (page->flags & PG_TAIL) ? page->head : page;
}

/*
 * Marks the pages after the head of an allocated block of 2^order frames as
 * tails pointing at head (slabs and large kmalloc blocks use this so that
 * any address inside finds its head); compound_clear undoes it.
 */
void compound_set(struct page *head, unsigned order);
void compound_clear(struct page *head, unsigned order);

#endif

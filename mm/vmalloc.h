/*
 * Virtually contiguous kernel memory from frames that need not be
 * contiguous (mm/vmalloc.c), in [VMALLOC_START, VMALLOC_END).
 */
#ifndef MM_VMALLOC_H
#define MM_VMALLOC_H

#include "lib/types.h"

/* Makes the cache of area descriptors; after kmem_init, before the first
 * vmalloc (which returns NULL until then). */
void vmalloc_init(void);

/*
 * Allocates size bytes (rounded up to whole pages), page-aligned, mapped
 * writable in the kernel half of every address space, from frames that may
 * be HIGHMEM.  An unmapped guard page follows every area.  Returns NULL
 * when no address range is free or memory runs out (nothing leaks), and
 * when size is 0 or larger than the whole vmalloc range -- those with a
 * REPORT_INVALID_ARG naming the caller.  A fault-injection site
 * (MM_ALLOC_VMALLOC).  Not for interrupt handlers.
 */
void *vmalloc(size_t size);
/* The same, zeroed. */
void *vzalloc(size_t size);
/*
 * Frees an area vmalloc or vzalloc returned; NULL is ignored.  Anything
 * else is reported, naming the caller, and left alone: an address outside
 * the vmalloc range (REPORT_OUT_OF_RANGE), inside an area or its guard
 * page (REPORT_INTERIOR_POINTER), the start of an area freed before and not
 * handed out again since (REPORT_DOUBLE_FREE), of an area ioremap mapped
 * (REPORT_BAD_HANDLE: iounmap releases it), or an address no area ever
 * started at (REPORT_NOT_ALLOCATED).  Not detected: a free of an area
 * whose range was handed out again (it frees the new area).
 */
void vfree(const void *addr);

/*
 * Reserves an area of size bytes (rounded up to pages, a guard page after)
 * for `caller` (vmallocinfo names it) and calls map(va, rounded size, ctx)
 * to map it; map returns 0 or an error, after which the area is given up.
 * Returns the area's address, or NULL as vmalloc does (map NULL is a
 * REPORT_INVALID_ARG too).  vmalloc_unmap_area releases it, not vfree.
 * For mm/ioremap.c.
 */
void *vmalloc_map_area(size_t size, int (*map)(vaddr_t va, size_t size, void *ctx),
		       void *ctx, uintptr_t caller);
/* Unmaps and releases an area vmalloc_map_area made, on behalf of caller
 * (for the reports, which are vfree's, with "use vfree" for a vmalloc
 * area); NULL is ignored. */
void vmalloc_unmap_area(const void *addr, uintptr_t caller);

/*
 * The frame mapped at addr, an address in a live vmalloc area (Linux's
 * vmalloc_to_page); NULL where nothing is mapped (a guard page, a range
 * no area holds).  An address outside the vmalloc range is a
 * REPORT_OUT_OF_RANGE, and NULL.  It reads the kernel's tables without a
 * lock: the caller owns the area, whose tables stay while it is mapped.
 */
struct page *vmalloc_to_page(const void *addr);

/* Live areas, for leak checks. */
unsigned vmalloc_nr_areas(void);

/* One live area: its pages start at `start`; its guard page follows them. */
struct vmalloc_area_info {
	vaddr_t start;
	size_t pages;
	uintptr_t caller; /* the code that called vmalloc or vzalloc */
};
/* The area whose pages or guard page hold va: true and *out filled (out
 * may be NULL). */
bool vmalloc_find(vaddr_t va, struct vmalloc_area_info *out);
/* Prints every live area, as Linux's /proc/vmallocinfo does. */
void vmalloc_print_info(void);

#endif

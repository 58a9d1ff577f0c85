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
 * be HIGHMEM.  An unmapped guard page follows every area.  Returns NULL when
 * size is 0, no address range is free, or memory runs out (nothing leaks).
 * Not for interrupt handlers.
 */
void *vmalloc(size_t size);
/* The same, zeroed. */
void *vzalloc(size_t size);
/* Frees an area vmalloc returned; NULL is ignored.  Any other address is
 * reported through mm_report and left alone. */
void vfree(const void *addr);

/*
 * Reserves an area of size bytes (rounded up to pages, a guard page after)
 * for `caller` (vmallocinfo names it) and calls map(va, rounded size, ctx)
 * to map it; map returns 0 or an
 * error, after which the area is given up.  Returns the area's address, or
 * NULL as vmalloc does.  vfree releases it.  For mm/ioremap.c.
 */
void *vmalloc_map_area(size_t size, int (*map)(vaddr_t va, size_t size, void *ctx),
		       void *ctx, uintptr_t caller);

/* Live areas, for leak checks. */
unsigned vmalloc_nr_areas(void);

/* One live area: its pages start at `start`; its guard page follows them. */
struct vmalloc_area_info {
	vaddr_t start;
	size_t pages;
	uintptr_t caller; /* the code that called vmalloc or vzalloc */
};
/* The area whose pages or guard page hold va: true and *out filled. */
bool vmalloc_find(vaddr_t va, struct vmalloc_area_info *out);
/* Prints every live area, as Linux's /proc/vmallocinfo does. */
void vmalloc_print_info(void);

#endif

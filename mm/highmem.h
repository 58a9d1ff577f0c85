/*
 * Temporary kernel mappings of any frame (mm/highmem.c).  Frames in the
 * direct map already have an address; HIGHMEM frames (above the direct map)
 * get one of the running CPU's KMAP_SLOTS / NR_CPUS pages in the window at
 * KMAP_BASE until kunmap.
 */
#ifndef MM_HIGHMEM_H
#define MM_HIGHMEM_H

#include "mm/page.h"

/* Called by paging_init: takes over mm_map_frame from the fixmap. */
void kmap_init(void);

/*
 * The kernel address of page's frame, writable: page_address() for low
 * memory, otherwise a kmap slot of this CPU.  NULL when every slot of this
 * CPU is taken (a leak: slots are meant to be held briefly).  The address
 * may be used on any CPU.  Not for interrupt handlers.
 */
void *kmap(struct page *page);
/* Releases what kmap returned (a direct-map address is accepted and
 * ignored), on any CPU, shooting the slot's translation down on the
 * others before it can be reused.  Unlike Linux's kunmap(page) it takes
 * the address. */
void kunmap(void *addr);
/* Slots in use, for the leak checks of the tests. */
unsigned kmap_slots_used(void);

#endif

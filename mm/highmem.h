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
 * CPU is taken (a leak: slots are meant to be held briefly), and, with a
 * REPORT_OUT_OF_RANGE naming the caller, when page is no struct page of
 * the page array (NULL among them).  The address may be used on any CPU.
 * A fault-injection site for HIGHMEM frames (MM_ALLOC_KMAP).  Not for
 * interrupt handlers.
 */
void *kmap(struct page *page);
/*
 * Releases what kmap returned (any address in the slot's page), on any
 * CPU, shooting the slot's translation down on the others before it can be
 * reused.  A direct-map address and NULL are accepted and ignored.  Unlike
 * Linux's kunmap(page) it takes the address.  Refused with a report naming
 * the caller: a slot not in use (REPORT_DOUBLE_FREE), any other address
 * (REPORT_NOT_ALLOCATED).  Not detected: a slot someone else holds.
 */
void kunmap(void *addr);
/* Slots in use, for the leak checks of the tests. */
unsigned kmap_slots_used(void);

#endif

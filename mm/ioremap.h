/*
 * Device registers in the kernel's address space (mm/ioremap.c).
 */
#ifndef MM_IOREMAP_H
#define MM_IOREMAP_H

#include "lib/types.h"

/*
 * Maps the physical range [pa, pa + size) -- device registers, such as the
 * local APIC's -- uncached (PCD|PWT, memory type UC) and writable into a
 * vmalloc area with its guard page.  pa need not be page-aligned: the
 * result points at pa itself.  Returns NULL when size is 0, the range
 * wraps or lies above 4 GiB, PCD|PWT would not mean UC (arch/x86/pat.h),
 * or there is no room.  Process context.
 */
void *ioremap(paddr_t pa, size_t size);
/* Unmaps what ioremap returned; NULL is ignored. */
void iounmap(void *addr);

#endif

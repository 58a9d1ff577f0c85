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
 * result points at pa itself.  Returns NULL when there is no room, when
 * PCD|PWT would not mean UC (arch/x86/pat.h), and -- with a
 * REPORT_INVALID_ARG naming the caller -- when size is 0, the range wraps
 * or lies above 4 GiB, or any of it is RAM the kernel uses (only what the
 * firmware reserved may be mapped).  Process context.
 */
void *ioremap(paddr_t pa, size_t size);
/* Unmaps what ioremap returned (any address in its first page); NULL is
 * ignored.  Anything else is reported as vfree reports it, naming the
 * caller (a vmalloc area: REPORT_BAD_HANDLE, use vfree), and left alone. */
void iounmap(void *addr);

#endif

/*
 * ioremap: device registers mapped uncached.  A device's registers must
 * never be cached: a read must reach the device each time (the local
 * APIC's delivery status changes under the CPU's feet) and a write must
 * leave at once.  The pages get PCD and PWT, which the PAT at its
 * power-on setting turns into UC (arch/x86/pat.h, checked at boot).  The
 * virtual range comes from vmalloc's area allocator, so the mapping has an
 * unmapped guard page after it and vfree (iounmap) takes it down; the
 * frames stay the device's (vmm_map does not own them).
 */
#include "mm/ioremap.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/memmap.h"
#include "arch/x86/pat.h"

static int map_device(vaddr_t va, size_t size, void *pa)
{
	return vmm_map(&kernel_as, va, *(paddr_t *)pa, size, VMM_WRITE | VMM_NOCACHE);
}

void *ioremap(paddr_t pa, size_t size)
{
	paddr_t base = ALIGN_DOWN(pa, (paddr_t)PAGE_SIZE);
	uint64_t span;
	char *va;

	if (!size || range_wraps_u64(pa, size) || !range_below_u64(pa, size, MEMMAP_LIMIT))
		return NULL;
	if (!pat_uncached_ok())
		return NULL;
	span = ALIGN_UP(pa + size, (paddr_t)PAGE_SIZE) - base;
	va = vmalloc_map_area((size_t)span, map_device, &base,
			      (uintptr_t)__builtin_return_address(0));
	return va ? va + (pa - base) : NULL;
}

void iounmap(void *addr)
{
	if (addr)
		vfree((void *)ALIGN_DOWN((uintptr_t)addr, PAGE_SIZE));
}

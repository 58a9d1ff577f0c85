/*
 * ioremap: device registers mapped uncached.  A device's registers must
 * never be cached: a read must reach the device each time (the local
 * APIC's delivery status changes under the CPU's feet) and a write must
 * leave at once.  The pages get PCD and PWT, which the PAT at its
 * power-on setting turns into UC (arch/x86/pat.h, checked at boot).  The
 * virtual range comes from vmalloc's area allocator, so the mapping has an
 * unmapped guard page after it and iounmap (vmalloc_unmap_area) takes it
 * down; the frames stay the device's (vmm_kernel_map does not own them).
 *
 * RAM is refused: a frame the kernel uses (the buddy's, the kernel image,
 * the page array) is mapped cacheable in the direct map, and a second,
 * uncached mapping of it would give the same bytes two memory types
 * (SDM 11.12.4 warns of what follows).  What the firmware reserved -- the
 * first MiB, holes, device ranges -- is what ioremap is for.
 */
#include "mm/ioremap.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/memmap.h"
#include "mm/page.h"
#include "mm/report.h"
#include "mm/platform.h"
#include "arch/x86/pat.h"

static int map_device(vaddr_t va, size_t size, void *pa)
{
	return vmm_kernel_map(va, *(paddr_t *)pa, size, VMM_WRITE | VMM_NOCACHE);
}

/* The first frame of [base, base + span) that is RAM the kernel uses, or
 * NULL. */
static struct page *ram_in(paddr_t base, uint64_t span)
{
	for (uint64_t off = 0; off < span; off += PAGE_SIZE) {
		pfn_t pfn = (pfn_t)((base + off) >> PAGE_SHIFT);
		if (pfn_valid(pfn) && page_owner(pfn_to_page(pfn)) != OWNER_FIRMWARE)
			return pfn_to_page(pfn);
	}
	return NULL;
}

/* Whether ioremap may map [pa, pa + size); false after one report. */
static bool range_ok(paddr_t pa, size_t size, uintptr_t caller)
{
	paddr_t base = ALIGN_DOWN(pa, (paddr_t)PAGE_SIZE);
	struct page *ram;

	if (!size || range_wraps_u64(pa, size) || !range_below_u64(pa, size, MEMMAP_LIMIT)) {
		mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)pa, caller,
				 "ioremap(pa %#llx, size %#zx): expected 1 byte or more below 4 GiB",
				 pa, size);
		return false;
	}
	ram = ram_in(base, ALIGN_UP(pa + size, (paddr_t)PAGE_SIZE) - base);
	if (ram) {
		mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)pa, caller,
				 "ioremap(pa %#llx, size %#zx): pfn %#x is RAM (%s); expected device memory",
				 pa, size, (unsigned)page_to_pfn(ram),
				 page_owner_name(page_owner(ram)));
		return false;
	}
	return true;
}

void *ioremap(paddr_t pa, size_t size)
{
	uintptr_t caller = MM_CALLER();
	paddr_t base = ALIGN_DOWN(pa, (paddr_t)PAGE_SIZE);
	uint64_t span;
	char *va;

	if (!range_ok(pa, size, caller) || !pat_uncached_ok())
		return NULL;
	span = ALIGN_UP(pa + size, (paddr_t)PAGE_SIZE) - base;
	va = vmalloc_map_area((size_t)span, map_device, &base, caller);
	return va ? va + (pa - base) : NULL;
}

void iounmap(void *addr)
{
	if (addr)
		vmalloc_unmap_area((void *)ALIGN_DOWN((uintptr_t)addr, PAGE_SIZE), MM_CALLER());
}

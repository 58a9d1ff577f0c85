/*
 * vmalloc: theory of operation.
 *
 * The address range [VMALLOC_START, VMALLOC_END) is handed out first-fit
 * from a table of areas kept sorted by address.  Each area takes its pages
 * plus one more, left unmapped, so that running off the end of one area
 * faults instead of landing in the next (the range below VMALLOC_START is
 * unmapped too).  The frames come from alloc_page one at a time, HIGHMEM
 * allowed, and are mapped through kernel_as with vmm_alloc, so the kernel
 * space owns them and vmm_unmap frees them: vfree needs no list of frames.
 * The page tables already exist (paging_init), so every address space sees
 * an area the moment it is mapped.
 *
 * The area table is static (VMALLOC_MAX_AREAS) until kmalloc exists; a full
 * table makes vmalloc return NULL.
 */
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/report.h"
#include "kernel/string.h"

#define VMALLOC_MAX_AREAS 1024

struct vm_area {
	vaddr_t va_start;
	size_t va_pages; /* mapped pages; the guard page follows */
};

static struct vm_area areas[VMALLOC_MAX_AREAS];
static unsigned nr_areas;

unsigned vmalloc_nr_areas(void)
{
	return nr_areas;
}

static vaddr_t area_end(const struct vm_area *a)
{
	return a->va_start + (a->va_pages + 1) * PAGE_SIZE;
}

/* First fit: the lowest gap that holds pages + a guard page.  Returns the
 * table slot the new area goes to, or -1; *va receives its address. */
static int find_gap(size_t pages, vaddr_t *va)
{
	uint64_t need = ((uint64_t)pages + 1) * PAGE_SIZE;
	vaddr_t start = VMALLOC_START;
	unsigned i;

	if (nr_areas == VMALLOC_MAX_AREAS)
		return -1;
	for (i = 0; i < nr_areas; i++) {
		if (start + need <= areas[i].va_start)
			break;
		start = area_end(&areas[i]);
	}
	if (start + need > VMALLOC_END)
		return -1;
	*va = start;
	return (int)i;
}

static void *__vmalloc(size_t size, gfp_t gfp)
{
	size_t pages = ALIGN_UP((uint64_t)size, PAGE_SIZE) / PAGE_SIZE;
	vaddr_t va;
	int slot;

	if (!size || size > VMALLOC_END - VMALLOC_START)
		return NULL;
	slot = find_gap(pages, &va);
	if (slot < 0)
		return NULL;
	if (vmm_alloc(&kernel_as, va, pages * PAGE_SIZE, VMM_WRITE, gfp))
		return NULL;
	memmove(&areas[slot + 1], &areas[slot],
		(nr_areas - (unsigned)slot) * sizeof(areas[0]));
	areas[slot] = (struct vm_area){ va, pages };
	nr_areas++;
	return (void *)va;
}

void *vmalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM);
}

void *vzalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO);
}

void vfree(const void *addr)
{
	vaddr_t va = (vaddr_t)addr;

	if (!addr)
		return;
	for (unsigned i = 0; i < nr_areas; i++) {
		struct vm_area *a = &areas[i];
		if (va == a->va_start) {
			vmm_unmap(&kernel_as, va, a->va_pages * PAGE_SIZE);
			memmove(a, a + 1, (nr_areas - i - 1) * sizeof(*a));
			nr_areas--;
			return;
		}
		if (va > a->va_start && va < area_end(a)) {
			mm_report(REPORT_INTERIOR_POINTER, va,
				  "vfree of an address inside the area at %#x (%u pages)",
				  (unsigned)a->va_start, (unsigned)a->va_pages);
			return;
		}
	}
	mm_report(REPORT_NOT_ALLOCATED, va, "vfree of an address vmalloc never returned");
}

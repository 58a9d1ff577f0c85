/*
 * whatis for virtual addresses: the kernel half, region by region (see
 * arch/x86/layout.h).  The direct map hands over to whatis_phys; the other
 * regions are answered from the kernel's page tables and the vmalloc area
 * list.  The sentences have twins in tools/gdb/strata_whatis.py.
 */
#include "kernel/whatis.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "mm/platform.h"
#include "arch/x86/layout.h"

extern const char __text_start[], __text_end[], __rodata_start[],
	__rodata_end[], __data_start[], __data_end[], __bss_start[],
	__bss_end[], __ksyms_start[], __ksyms_end[], __kernel_start[],
	__kernel_end[], boot_stack_guard[];

/* The frame va maps to in the kernel half (shared by every space). */
static bool kernel_frame(uintptr_t va, paddr_t *pa)
{
	struct pgt_walk w;

	pgt_walk(kernel_as.as_pgdir, (vaddr_t)va, &w);
	*pa = w.w_pa;
	return w.w_present;
}

static const char *image_section(uintptr_t va)
{
	static const struct {
		const char *start, *end, *name;
	} sections[] = {
		{ __text_start, __text_end, ".text" },
		{ __rodata_start, __rodata_end, ".rodata" },
		{ __data_start, __data_end, ".data" },
		{ __bss_start, __bss_end, ".bss" },
		{ __ksyms_start, __ksyms_end, ".ksyms (the symbol table)" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(sections); i++)
		if (va >= (uintptr_t)sections[i].start && va < (uintptr_t)sections[i].end)
			return sections[i].name;
	return "between its sections";
}

void whatis_image(uintptr_t va, char *buf, size_t size)
{
	paddr_t pa;
	uintptr_t guard = (uintptr_t)boot_stack_guard;

	if (va >= guard && va < guard + PAGE_SIZE)
		snprintf(buf, size, "kernel image: %s, the boot stack's guard page (never mapped)",
			 image_section(va));
	else if (!kernel_frame(va, &pa))
		snprintf(buf, size, "kernel image: %s, not mapped", image_section(va));
	else
		snprintf(buf, size, "kernel image: %s", image_section(va));
}

static void describe_vmalloc(uintptr_t va, char *buf, size_t size)
{
	struct vmalloc_area_info a;
	char by[MM_SYMBOL_LEN];
	unsigned page;
	paddr_t pa;

	if (!vmalloc_find((vaddr_t)va, &a)) {
		snprintf(buf, size, "vmalloc: no area here (free address space)");
		return;
	}
	mm_symbol(a.caller, by, sizeof(by));
	page = (unsigned)((va - a.start) / PAGE_SIZE);
	if (page == a.pages || !kernel_frame(va, &pa))
		snprintf(buf, size, "vmalloc: the guard page after the area at %#x (%u page(s), by %s), never mapped",
			 (unsigned)a.start, (unsigned)a.pages, by);
	else
		snprintf(buf, size, "vmalloc: page %u of the area at %#x (%u page(s), by %s), frame pfn %#x (%s)",
			 page, (unsigned)a.start, (unsigned)a.pages, by,
			 (unsigned)(pa >> PAGE_SHIFT),
			 zones[page_zone_id(phys_to_page(pa))].name);
}

/* A slot of the kmap window or of the fixmap: what it maps now. */
static void describe_slot(const char *region, uintptr_t va, uintptr_t base,
			  char *buf, size_t size)
{
	unsigned slot = (unsigned)((va - base) / PAGE_SIZE);
	paddr_t pa;

	if (kernel_frame(va, &pa))
		snprintf(buf, size, "%s: slot %u, maps pfn %#x", region, slot,
			 (unsigned)(pa >> PAGE_SHIFT));
	else
		snprintf(buf, size, "%s: slot %u, not in use", region, slot);
}

void whatis_virt(uintptr_t va, char *buf, size_t size)
{
	const uintptr_t kmap_end = KMAP_BASE + (uintptr_t)KMAP_SLOTS * PAGE_SIZE;

	if (va < PAGE_SIZE)
		snprintf(buf, size, "the NULL page: never mapped");
	else if (va < KERNEL_VBASE)
		snprintf(buf, size, "the user half: each address space maps its own");
	else if (va >= (uintptr_t)__kernel_start && va < (uintptr_t)__kernel_end)
		whatis_image(va, buf, size);
	else if (va - KERNEL_VBASE < mm_direct_end())
		whatis_phys(va - KERNEL_VBASE, buf, size);
	else if (va < VMALLOC_START)
		snprintf(buf, size, "not mapped: above the direct map, below the vmalloc area");
	else if (va < VMALLOC_END)
		describe_vmalloc(va, buf, size);
	else if (va < kmap_end)
		describe_slot("kmap", va, KMAP_BASE, buf, size);
	else if (va < FIXMAP_BASE)
		snprintf(buf, size, "not mapped: between the kmap window and the fixmap");
	else
		describe_slot("fixmap", va, FIXMAP_BASE, buf, size);
}

/* whatis (see whatis.h). */
#include "kernel/whatis.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/init.h"
#include "mm/slab.h"
#include "mm/platform.h"
#include "arch/x86/layout.h"

extern const char __text_start[], __text_end[], __rodata_start[],
	__rodata_end[], __data_start[], __data_end[], __bss_start[],
	__bss_end[], __kernel_start[], __kernel_end[];

/* The allocated block containing pfn: scan down for a head whose order
 * covers it (a block is at most 2^(MAX_ORDER-1) frames). */
static struct page *allocated_head(pfn_t pfn)
{
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		pfn_t h = pfn & ~((1u << k) - 1);
		struct page *p = pfn_to_page(h);
		if ((p->flags & PG_ALLOCATED) && pfn < h + (1u << page_order(p)))
			return p;
	}
	return NULL;
}

/* A slab: which cache, which object, and whether it is free. */
static void describe_slab(struct page *head, paddr_t pa, char *buf, size_t size)
{
	void *start;
	const void *va = page_address(head) ? mm_phys_to_virt(pa) : NULL;
	struct kmem_cache *c = va ? slab_find_object(va, &start) : NULL;

	if (!c) {
		snprintf(buf, size, "slab: cache %s, outside every object (colour, padding or metadata)",
			 head->s_cache ? kmem_cache_name(head->s_cache) : "?");
		return;
	}
	bool is_free = kmem_object_is_free(c, start);
	uintptr_t alloc_by, free_by;
	int n = snprintf(buf, size, "slab: %s object of cache %s (%u bytes) at %p, offset %u",
			 is_free ? "a free" : "an allocated", kmem_cache_name(c),
			 kmem_cache_size(c), start, (unsigned)((uintptr_t)va - (uintptr_t)start));

	/* a debug cache remembers who allocated and freed it */
	if (n > 0 && (size_t)n < size && kmem_object_callers(c, start, &alloc_by, &free_by)) {
		char by[MM_SYMBOL_LEN], freed[MM_SYMBOL_LEN];
		if (alloc_by)
			n += snprintf(buf + n, size - (size_t)n, ", allocated by %s",
				      mm_symbol(alloc_by, by, sizeof(by)));
		if (is_free && free_by && (size_t)n < size)
			snprintf(buf + n, size - (size_t)n, ", freed by %s",
				 mm_symbol(free_by, freed, sizeof(freed)));
	}
}

static void describe_allocated(struct page *head, paddr_t pa, char *buf,
			       size_t size)
{
	if (page_owner(head) == OWNER_SLAB) {
		describe_slab(head, pa, buf, size);
		return;
	}
	snprintf(buf, size, "%s: allocated block of order %u at pfn %#x (%s)",
		 page_owner_name(page_owner(head)), page_order(head),
		 page_to_pfn(head), zones[page_zone_id(head)].name);
}

void whatis_phys(paddr_t pa, char *buf, size_t size)
{
	pfn_t pfn = (pfn_t)(pa >> PAGE_SHIFT), head;
	unsigned order;
	struct page *p;
	const struct mem_region *r = memmap_find_reserved(&boot_memmap, pa);

	if (pa >= (paddr_t)max_pfn << PAGE_SHIFT || !pfn_valid(pfn)) {
		snprintf(buf, size, "%#llx is beyond the memory the kernel manages",
			 pa);
		return;
	}
	p = pfn_to_page(pfn);
	if (p->flags & PG_RESERVED) {
		snprintf(buf, size, "reserved: %s (%s)",
			 r ? r->name : "not RAM (a hole in the memory map)",
			 page_owner_name(page_owner(p)));
	} else if (p->flags & PG_HOT) {
		snprintf(buf, size, "free: a single frame on the %s hot list",
			 zones[page_zone_id(p)].name);
	} else if (buddy_find_free_block(pfn, &head, &order)) {
		snprintf(buf, size, "free: inside a buddy block of order %u at pfn %#x (%s)",
			 order, head, zones[page_zone_id(p)].name);
	} else if ((p = allocated_head(pfn))) {
		describe_allocated(p, pa, buf, size);
	} else {
		snprintf(buf, size, "pfn %#x: no owner found", pfn);
	}
}

static const char *image_section(uintptr_t va)
{
	if (va >= (uintptr_t)__text_start && va < (uintptr_t)__text_end)
		return "text";
	if (va >= (uintptr_t)__rodata_start && va < (uintptr_t)__rodata_end)
		return "rodata";
	if (va >= (uintptr_t)__data_start && va < (uintptr_t)__data_end)
		return "data";
	if (va >= (uintptr_t)__bss_start && va < (uintptr_t)__bss_end)
		return "bss";
	return NULL;
}

void whatis_virt(uintptr_t va, char *buf, size_t size)
{
	const char *section = image_section(va);

	if (section) {
		snprintf(buf, size, "kernel image: .%s", section);
		return;
	}
	if (va >= KERNEL_VBASE && va - KERNEL_VBASE < mm_direct_end()) {
		whatis_phys(va - KERNEL_VBASE, buf, size);
		return;
	}
	if (va < PAGE_SIZE) {
		snprintf(buf, size, "the NULL page: never mapped");
		return;
	}
	snprintf(buf, size, "%#lx is not in the kernel image or the direct map",
		 (unsigned long)va);
}

/*
 * whatis for physical addresses: the page array says who holds each frame
 * (see whatis.h; kernel/whatis_virt.c does the virtual regions).  Every
 * sentence here has a twin in tools/gdb/strata_whatis.py: change both.
 */
#include "kernel/whatis.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/init.h"
#include "mm/slab.h"
#include "mm/platform.h"
#include "arch/x86/layout.h"

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

/* Appends the callers a debug cache remembers for the object at start. */
static void add_callers(struct kmem_cache *c, void *start, bool is_free,
			char *buf, size_t size, int n)
{
	uintptr_t alloc_by, free_by;
	char by[MM_SYMBOL_LEN];

	if (n < 0 || (size_t)n >= size ||
	    !kmem_object_callers(c, start, &alloc_by, &free_by))
		return;
	if (alloc_by)
		n += snprintf(buf + n, size - (size_t)n, ", allocated by %s",
			      mm_symbol(alloc_by, by, sizeof(by)));
	if (is_free && free_by && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, ", freed by %s",
			 mm_symbol(free_by, by, sizeof(by)));
}

static bool keeps_callers(struct kmem_cache *c, void *start)
{
	uintptr_t alloc_by, free_by;

	return kmem_object_callers(c, start, &alloc_by, &free_by);
}

/*
 * Where in its slot va lies: inside the object (an offset), in the left red
 * zone before it (debug caches), or past its end (the right red zone and
 * debug record, or alignment padding).  Returns snprintf's count.
 */
static int describe_offset(struct kmem_cache *c, const void *va, void *start,
			   const char *state, char *buf, size_t size)
{
	long off = (long)((intptr_t)va - (intptr_t)start);
	unsigned objsize = kmem_cache_size(c);
	const char *name = kmem_cache_name(c);

	if (off < 0)
		return snprintf(buf, size, "slab: %ld bytes before %s object of cache %s (%u bytes) at %p, in its left red zone",
				-off, state, name, objsize, start);
	return snprintf(buf, size, "slab: %s object of cache %s (%u bytes) at %p, offset %ld%s",
			state, name, objsize, start, off,
			(unsigned long)off < objsize ? ""
			: keeps_callers(c, start) ? ": past its end, in its right red zone or debug record"
						  : ": past its end, in padding");
}

/* A slab: which cache, which object, and whether it is free. */
static void describe_slab(struct page *head, paddr_t pa, char *buf, size_t size)
{
	void *start;
	const void *va = page_address(head) ? mm_phys_to_virt(pa) : NULL;
	struct kmem_cache *c = va ? slab_find_object(va, &start) : NULL;
	bool is_free;

	if (!c) {
		snprintf(buf, size, "slab: cache %s, outside every object (colour, padding or metadata)",
			 head->s_cache ? kmem_cache_name(head->s_cache) : "?");
		return;
	}
	is_free = kmem_object_is_free(c, start);
	add_callers(c, start, is_free, buf, size,
		    describe_offset(c, va, start, is_free ? "a free" : "an allocated",
				    buf, size));
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

static void describe_reserved(const struct page *p, paddr_t pa, char *buf,
			      size_t size)
{
	const struct mem_region *r = memmap_find_reserved(&boot_memmap, pa);

	if (page_owner(p) == OWNER_KERNEL_IMAGE) {
		whatis_image(KERNEL_VBASE + (uintptr_t)pa, buf, size);
		return;
	}
	snprintf(buf, size, "reserved: %s%s",
		 r ? r->name : "not RAM (a hole in the memory map)",
		 page_owner(p) == OWNER_BOOTMEM ? ", taken from bootmem at boot" : "");
}

void whatis_phys(paddr_t pa, char *buf, size_t size)
{
	pfn_t pfn = (pfn_t)(pa >> PAGE_SHIFT), head;
	unsigned order;
	struct page *p;

	if (pa >= (paddr_t)max_pfn << PAGE_SHIFT || !pfn_valid(pfn)) {
		snprintf(buf, size, "beyond the page array: no RAM the kernel manages");
		return;
	}
	p = pfn_to_page(pfn);
	if (p->flags & PG_RESERVED)
		describe_reserved(p, pa, buf, size);
	else if (p->flags & PG_HOT)
		snprintf(buf, size, "free: a block of order %u on a CPU's %s list",
			 page_order(p), zones[page_zone_id(p)].name);
	else if (buddy_find_free_block(pfn, &head, &order))
		snprintf(buf, size, "free: inside a buddy block of order %u at pfn %#x (%s)",
			 order, head, zones[page_zone_id(p)].name);
	else if ((p = allocated_head(pfn)))
		describe_allocated(p, pa, buf, size);
	else
		snprintf(buf, size, "pfn %#x: no owner found", pfn);
}

void whatis(uint64_t addr, char *buf, size_t size)
{
	if (addr >= KERNEL_VBASE)
		whatis_virt((uintptr_t)addr, buf, size);
	else
		whatis_phys(addr, buf, size);
}

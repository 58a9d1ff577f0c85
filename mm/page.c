/* struct page helpers shared by every allocator (see page.h). */
#include "mm/page.h"

struct page *mem_map;
pfn_t max_pfn;

/* A short identifier (for dumps) and a name (for people) per owner. */
static const struct {
	const char *id, *name;
} owners[OWNER_COUNT] = {
	[OWNER_NONE] = { "allocated", "allocated" },
	[OWNER_KERNEL_IMAGE] = { "kernel", "kernel image" },
	[OWNER_BOOTMEM] = { "bootmem", "bootmem" },
	[OWNER_FIRMWARE] = { "reserved", "firmware/reserved" },
	[OWNER_SLAB] = { "slab", "slab" },
	[OWNER_KMALLOC] = { "kmalloc", "kmalloc (large)" },
	[OWNER_PAGETABLE] = { "pagetable", "page table" },
	[OWNER_VMALLOC] = { "vmalloc", "vmalloc" },
	[OWNER_USER] = { "user", "user page" },
	[OWNER_STACK] = { "stack", "kernel stack" },
	[OWNER_FREELIST] = { "freelist", "freelist heap" },
};

const char *page_owner_name(enum page_owner owner)
{
	return owner < OWNER_COUNT ? owners[owner].name : "?";
}

const char *page_owner_id(enum page_owner owner)
{
	return owner < OWNER_COUNT ? owners[owner].id : "unknown";
}

void *page_address(const struct page *page)
{
	paddr_t pa = page_to_phys(page);

	if (pa >= mm_direct_end())
		return NULL;
	return mm_phys_to_virt(pa);
}

void compound_set(struct page *head, unsigned order)
{
	for (unsigned long i = 1; i < (1ul << order); i++) {
		head[i].flags = (head[i].flags & ~PG_STATE_MASK) | PG_TAIL;
		head[i].head = head;
	}
}

void compound_clear(struct page *head, unsigned order)
{
	for (unsigned long i = 1; i < (1ul << order); i++)
		head[i].flags &= ~(PG_TAIL | PG_OWNER_MASK);
}

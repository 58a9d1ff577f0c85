/* struct page helpers shared by every allocator (see page.h). */
#include "mm/page.h"
#include "mm/report.h"

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

static __noinline void *page_address_refused(const struct page *page,
					     uintptr_t caller)
{
	mm_report_call(REPORT_OUT_OF_RANGE, (uintptr_t)page, "page_address", caller,
		       "struct page %p is not an element of the page array",
		       (const void *)page);
	return NULL;
}

void *page_address(const struct page *page)
{
	paddr_t pa;

	if (unlikely(!page_in_array(page)))
		return page_address_refused(page, MM_CALLER());
	pa = page_to_phys(page);
	if (pa >= mm_direct_end())
		return NULL;
	return mm_phys_to_virt(pa);
}

/* Whether head is the head of an allocated block of 2^order frames;
 * reported (naming op and its caller) if not. */
static bool compound_ok(const struct page *head, unsigned order, const char *op,
			uintptr_t caller)
{
	const uint32_t state = PG_STATE_MASK | PG_ORDER_MASK;

	if (!page_in_array(head) || order >= MAX_ORDER ||
	    (head->flags & state) != (PG_ALLOCATED | (uint32_t)order << PG_ORDER_SHIFT)) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)head, op, caller,
			       "struct page %p order %u: not the head of an allocated block of that order",
			       (const void *)head, order);
		return false;
	}
	return true;
}

void compound_set(struct page *head, unsigned order)
{
	if (!compound_ok(head, order, "compound_set", MM_CALLER()))
		return;
	for (unsigned long i = 1; i < (1ul << order); i++) {
		head[i].flags = (head[i].flags & ~PG_STATE_MASK) | PG_TAIL;
		head[i].head = head;
	}
}

void compound_clear(struct page *head, unsigned order)
{
	if (!compound_ok(head, order, "compound_clear", MM_CALLER()))
		return;
	for (unsigned long i = 1; i < (1ul << order); i++)
		head[i].flags &= ~(PG_TAIL | PG_OWNER_MASK);
}

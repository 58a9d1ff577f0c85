/*
 * The kernel's page source for mm/freelist heaps: whole buddy blocks of
 * GFP_KERNEL (direct-mapped) frames, each frame marked OWNER_FREELIST while
 * a heap holds it.  Kernel only: host tests bring their own sources.
 */
#include "mm/freelist.h"
#include "mm/buddy.h"

/* The smallest order whose block holds `pages` frames, or MAX_ORDER. */
static unsigned order_for(size_t pages)
{
	unsigned order = 0;

	while (order < MAX_ORDER && ((size_t)1 << order) < pages)
		order++;
	return order;
}

static void mark_owner(struct page *page, size_t pages,
		       enum page_owner owner)
{
	for (size_t i = 0; i < pages; i++)
		page_set_owner(page + i, owner);
}

static void *buddy_get_pages(void *ctx, size_t *pages)
{
	unsigned order = order_for(*pages);
	struct page *page;

	(void)ctx;
	if (order >= MAX_ORDER)
		return NULL;
	page = alloc_pages(GFP_KERNEL, order);
	if (!page)
		return NULL;
	*pages = (size_t)1 << order;
	mark_owner(page, *pages, OWNER_FREELIST);
	return page_address(page);
}

static void buddy_put_pages(void *ctx, void *addr, size_t pages)
{
	struct page *page = virt_to_page(addr);

	(void)ctx;
	mark_owner(page, pages, OWNER_NONE);
	__free_pages(page, order_for(pages));
}

const struct freelist_page_source freelist_buddy_source = {
	.get_pages = buddy_get_pages,
	.put_pages = buddy_put_pages,
	.ctx = NULL,
};

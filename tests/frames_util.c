/* Self-test helpers (see frames_util.h). */
#include "tests/frames_util.h"
#include "tests/ktest.h"
#include "mm/slab.h"
#include "lib/string.h"

unsigned long frames_take_all(gfp_t gfp, struct list_node *taken)
{
	unsigned long frames = 0;

	for (int k = MAX_ORDER - 1; k >= 0; k--) {
		struct page *p;
		while ((p = alloc_pages(gfp | __GFP_NOWARN, (unsigned)k))) {
			p->private_[0] = (uintptr_t)k;
			list_add(&p->lru, taken);
			frames += 1ul << k;
		}
	}
	return frames;
}

bool frames_none_left(gfp_t gfp)
{
	struct page *p = alloc_page(gfp | __GFP_NOWARN);

	if (p)
		__free_page(p);
	return !p;
}

void frames_give_back(struct list_node *taken)
{
	while (!list_empty(taken)) {
		struct page *p = list_first_entry(taken, struct page, lru);
		list_del(&p->lru);
		__free_pages(p, (unsigned)p->private_[0]);
	}
}

void frames_fill(struct page *p, unsigned order, uint8_t byte)
{
	for (unsigned long i = 0; i < (1ul << order); i++) {
		void *va = mm_map_frame(page_to_phys(p + i));
		memset(va, byte, MM_PAGE_SIZE);
		mm_unmap_frame(va);
	}
}

bool frames_all_zero(struct page *p, unsigned order)
{
	bool zero = true;

	for (unsigned long i = 0; i < (1ul << order) && zero; i++) {
		const uint32_t *w = mm_map_frame(page_to_phys(p + i));
		for (unsigned j = 0; j < MM_PAGE_SIZE / 4; j++)
			zero &= w[j] == 0;
		mm_unmap_frame((void *)w);
	}
	return zero;
}

bool frames_leave_dirty(struct page **pages, unsigned n, struct list_node *taken)
{
	unsigned got;
	bool all;

	for (got = 0; got < n; got++) {
		pages[got] = alloc_page(GFP_KERNEL);
		if (!pages[got])
			break;
		frames_fill(pages[got], 0, FRAMES_DIRTY);
	}
	all = got == n;
	if (all)
		frames_take_all(GFP_HIGHUSER, taken);
	while (got)
		__free_page(pages[--got]);
	return all && buddy_free_pages() == n;
}

unsigned long frames_free_settled(void)
{
	kmem_shrink_all();
	return buddy_free_pages();
}

STATIC_ASSERT(MM_PAGE_SIZE << (MAX_ORDER - 1) == 4u << 20,
	      "SMALL_NEEDS_4MIB_BLOCK: the largest block is 4 MiB");

/* 12 MiB managed: a 16 MiB machine has about 14, an 8 MiB one about 6. */
bool frames_machine_small(void)
{
	return buddy_managed_pages() < (12u << 20) / MM_PAGE_SIZE;
}

struct page *frames_highmem_page(void)
{
	struct page *pg;

	if (!zones[ZONE_HIGHMEM].managed_pages) {
		if (EXPECT_LE(max_pfn, (pfn_t)(mm_direct_end() >> PAGE_SHIFT)))
			ktest_skip("no HIGHMEM at this memory size");
		return NULL;
	}
	pg = alloc_page(GFP_HIGHUSER);
	if (!EXPECT_NOT_NULL(pg))
		return NULL;
	if (!EXPECT_NULL(page_address(pg))) {
		__free_page(pg);
		return NULL;
	}
	return pg;
}

/* Self-test helpers (see frames_util.h). */
#include "tests/frames_util.h"
#include "mm/slab.h"

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

void frames_give_back(struct list_node *taken)
{
	while (!list_empty(taken)) {
		struct page *p = list_first_entry(taken, struct page, lru);
		list_del(&p->lru);
		__free_pages(p, (unsigned)p->private_[0]);
	}
}

unsigned long frames_free_settled(void)
{
	kmem_shrink_all();
	return buddy_free_pages();
}

/* 12 MiB managed: a 16 MiB machine has about 14, an 8 MiB one about 6. */
bool frames_machine_small(void)
{
	return buddy_managed_pages() < (12u << 20) / MM_PAGE_SIZE;
}

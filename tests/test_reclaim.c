/*
 * Suite slab, continued: out of memory only when memory is really out.
 * Frames parked in a cache -- free objects in its array, an empty slab --
 * come back to the buddy before an allocation fails (mm/buddy_oom.c).
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "tests/frames_util.h"
#include "mm/slab.h"
#include "mm/buddy.h"

#define RECLAIM_OBJS 8192 /* 512-byte objects: 4 MiB */

/* Frees one order-10 block of `taken`: then it is all the buddy has. */
static struct page *give_back_one_big(struct list_node *taken)
{
	struct list_node *pos;

	list_for_each(pos, taken) {
		struct page *p = list_entry(pos, struct page, lru);
		if (p->private_[0] == MAX_ORDER - 1) {
			list_del(&p->lru);
			__free_pages(p, MAX_ORDER - 1);
			return p;
		}
	}
	return NULL;
}

/* Free blocks of `order` where GFP_KERNEL looks (not HighMem). */
static unsigned long free_blocks(unsigned order)
{
	unsigned long nr[MAX_ORDER], n = 0;

	for (int z = ZONE_DMA; z <= ZONE_NORMAL; z++) {
		buddy_zone_info((enum zone_id)z, nr);
		n += nr[order];
	}
	return n;
}

KTEST(slab, "out of memory only when it is: an allocation reclaims the frames parked in a cache first")
{
	static void *objs[RECLAIM_OBJS];
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct kmem_cache *c = NULL;
	struct page *big = NULL;
	struct slab_info si;
	unsigned n = 0;

	if (frames_machine_small())
		KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);
	frames_take_all(GFP_KERNEL, &taken);
	if (!EXPECT_NOT_NULL(give_back_one_big(&taken)))
		goto out;
	c = kmem_cache_create("test-reclaim", 512, 0, SLAB_NO_DEBUG, NULL);
	if (!EXPECT_NOT_NULL(c))
		goto out;
	/* fill the one free block with objects, then free them all */
	while (n < RECLAIM_OBJS && (objs[n] = kmem_cache_alloc(c, GFP_KERNEL | __GFP_NOWARN)))
		n++;
	EXPECT_TRUE(n > RECLAIM_OBJS / 2);
	while (n)
		kmem_cache_free(c, objs[--n]);
	kmem_cache_info(c, &si);
	EXPECT_TRUE(si.array_objs > 0 && si.slabs > 0); /* frames parked in the cache */
	EXPECT_EQ_WITH_MEMORY(0, free_blocks(MAX_ORDER - 1));
	big = alloc_pages(GFP_KERNEL, MAX_ORDER - 1);
	EXPECT_NOT_NULL(big);
	kmem_cache_info(c, &si);
	EXPECT_EQ(0, si.array_objs);
	EXPECT_EQ(0, si.slabs);
out:
	if (big)
		__free_pages(big, MAX_ORDER - 1);
	if (c)
		EXPECT_EQ(0, kmem_cache_destroy(c));
	frames_give_back(&taken);
}

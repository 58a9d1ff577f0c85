/*
 * Suite buddy: the binary buddy allocator.
 *
 * The textbook sequences run in a private zone made from one 4 MiB block
 * taken from the real allocator, so that the starting state is known
 * exactly: one free block of order 10 at pfn B.  Everything else runs on
 * the kernel's own zones.  After every test the hooks in mm_hooks.c check
 * for leaked frames, unexpected reports and broken invariants.
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "tests/slab_test.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "lib/string.h"

#define BOX_ORDER (MAX_ORDER - 1)

static struct zone box;
static struct page *box_block;
static pfn_t B; /* first frame of the box */

/* Takes a 4 MiB block from the kernel and makes it a private zone. */
static bool box_open(void)
{
	box_block = alloc_pages(GFP_KERNEL, BOX_ORDER);
	if (!box_block)
		return false;
	B = page_to_pfn(box_block);
	if (!buddy_zone_adopt(&box, box_block, BOX_ORDER)) {
		__free_pages(box_block, BOX_ORDER);
		return false;
	}
	return true;
}

/* Opens the box, or skips the test on a machine too small to have a free
 * 4 MiB block; on any other machine a missing block is a failure. */
#define OPEN_BOX()                                                          \
	do {                                                                \
		bool opened = box_open();                                   \
		if (!opened && frames_machine_small())                      \
			KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);                   \
		ASSERT_TRUE(opened);                                        \
	} while (0)

static bool box_close(void)
{
	bool whole = buddy_zone_release(&box, box_block, BOX_ORDER);

	if (whole)
		__free_pages(box_block, BOX_ORDER);
	return whole;
}

/* The pfn of the only block on the box's list of `order`, or -1. */
static long box_only_block(unsigned order)
{
	if (box.free_area[order].nr_free != 1)
		return -1;
	return page_to_pfn(list_first_entry(&box.free_area[order].list,
					    struct page, lru));
}

KTEST(buddy, "one frame from a 4 MiB block: the lowest frame, one block left on each order 0..9")
{
	OPEN_BOX();
	struct page *p = buddy_zone_alloc(&box, 0);
	EXPECT_EQ(B, page_to_pfn(p));
	for (unsigned k = 0; k < BOX_ORDER; k++)
		EXPECT_EQ(B + (1u << k), box_only_block(k)); /* the upper halves */
	EXPECT_EQ(0, box.free_area[BOX_ORDER].nr_free);
	EXPECT_EQ(0, buddy_check()); /* the open private zone is left alone */
	buddy_zone_free(&box, p, 0);
	EXPECT_EQ(B, box_only_block(BOX_ORDER)); /* merged all the way up */
	EXPECT_TRUE(box_close());
}

/* The first block of order >= min on `taken` (see frames_take_all). */
static struct page *taken_block(struct list_node *taken, unsigned min)
{
	struct list_node *pos;

	list_for_each(pos, taken) {
		struct page *p = list_entry(pos, struct page, lru);
		if (p->private_[0] >= min)
			return p;
	}
	return NULL;
}

KTEST(buddy, "on every machine, a split keeps the lower half: order 1 from a lone block of order k")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	unsigned long info[MAX_ORDER];
	struct page *block, *p;
	unsigned k;

	/* Everything taken but one block, whose buddy stays taken. */
	frames_take_all(GFP_KERNEL, &taken);
	block = taken_block(&taken, 2);
	if (!EXPECT_NOT_NULL(block))
		goto out;
	list_del(&block->lru);
	k = (unsigned)block->private_[0];
	__free_pages(block, k);
	p = alloc_pages(GFP_KERNEL, 1);
	EXPECT_PTR_EQ(block, p);
	buddy_zone_info((enum zone_id)page_zone_id(block), info);
	for (unsigned j = 0; j < MAX_ORDER; j++)
		EXPECT_EQ(j >= 1 && j < k, info[j]); /* the upper halves */
	if (p)
		__free_pages(p, 1);
	buddy_zone_info((enum zone_id)page_zone_id(block), info);
	EXPECT_EQ(1, info[k]); /* merged back whole */
out:
	frames_give_back(&taken);
}

KTEST(buddy, "requests of different orders are placed lowest address first")
{
	OPEN_BOX();
	/* Like the textbook's 7 KiB, 8 KiB... requests: each takes the
	 * leftmost block that fits, splitting only what it must. */
	struct page *a = buddy_zone_alloc(&box, 1); /* 8 KiB */
	struct page *b = buddy_zone_alloc(&box, 0); /* 4 KiB */
	struct page *c = buddy_zone_alloc(&box, 2); /* 16 KiB */
	struct page *d = buddy_zone_alloc(&box, 0);
	EXPECT_EQ(B + 0, page_to_pfn(a));
	EXPECT_EQ(B + 2, page_to_pfn(b));
	EXPECT_EQ(B + 4, page_to_pfn(c));
	EXPECT_EQ(B + 3, page_to_pfn(d)); /* the buddy of b */
	EXPECT_EQ(-1, box_only_block(0));
	buddy_zone_free(&box, b, 0);
	buddy_zone_free(&box, d, 0); /* b and d merge into order 1 at B+2 */
	EXPECT_EQ(B + 2, box_only_block(1));
	buddy_zone_free(&box, a, 1); /* merges with B+2 into order 2 at B */
	EXPECT_EQ(B, box_only_block(2));
	buddy_zone_free(&box, c, 2);
	EXPECT_EQ(B, box_only_block(BOX_ORDER));
	EXPECT_TRUE(box_close());
}

KTEST(buddy, "free merges with the buddy at pfn ^ (1 << order), and only with it")
{
	OPEN_BOX();
	struct page *p[4];
	for (int i = 0; i < 4; i++)
		p[i] = buddy_zone_alloc(&box, 0); /* B, B+1, B+2, B+3 */
	/* B+1 and B+2 are neighbours but not buddies: 1 ^ 1 = 0, 2 ^ 1 = 3. */
	buddy_zone_free(&box, p[1], 0);
	buddy_zone_free(&box, p[2], 0);
	EXPECT_EQ(2, box.free_area[0].nr_free);
	EXPECT_EQ(B + 1, page_to_pfn(p[0]) ^ 1);
	buddy_zone_free(&box, p[0], 0); /* B ^ 1 = B+1 is free: merge */
	EXPECT_EQ(1, box.free_area[0].nr_free);
	EXPECT_EQ(B + 2, box_only_block(0));
	EXPECT_EQ(B, box_only_block(1));
	buddy_zone_free(&box, p[3], 0); /* cascades up to order 10 */
	EXPECT_EQ(B, box_only_block(BOX_ORDER));
	EXPECT_TRUE(box_close());
}

KTEST(buddy, "private zones refuse a zone that is not open, a foreign block, a free block and a second adoption")
{
	static struct zone closed;
	struct page *a, *b, *foreign = alloc_pages(GFP_KERNEL, 0);

	if (!EXPECT_NOT_NULL(foreign))
		return;
	if (!box_open()) {
		__free_pages(foreign, 0);
		if (frames_machine_small())
			KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);
		ASSERT_TRUE(false);
	}
	a = buddy_zone_alloc(&box, 1);
	b = buddy_zone_alloc(&box, 0);
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 5,
		       EXPECT_NULL(buddy_zone_alloc(NULL, 0));
		       EXPECT_NULL(buddy_zone_alloc(&closed, 0));
		       EXPECT_NULL(buddy_zone_alloc(&zones[ZONE_NORMAL], 0));
		       buddy_zone_free(&closed, a, 1);
		       EXPECT_FALSE(buddy_zone_release(NULL, box_block, BOX_ORDER)));
	EXPECT_REPORTS(REPORT_INVALID_ARG, 6,
		       buddy_zone_free(&box, foreign, 0); /* the real zone's */
		       buddy_zone_free(&box, a, 0); /* allocated with order 1 */
		       buddy_zone_free(&box, a, MAX_ORDER);
		       buddy_zone_free(&box, (struct page *)((uintptr_t)b + 4), 0);
		       buddy_zone_free(&box, a + 1, 0); /* inside a's block */
		       EXPECT_FALSE(buddy_zone_adopt(&box, foreign, BOX_ORDER)));
	buddy_zone_free(&box, b, 0);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, buddy_zone_free(&box, b, 0));
	EXPECT_EQ((1u << BOX_ORDER) - 2, box.free_pages);
	buddy_zone_free(&box, a, 1);
	EXPECT_TRUE(box_close());
	__free_pages(foreign, 0);
}

KTEST(buddy, "buddy_zone_adopt refuses one of the kernel's zones and a block of another order, leaving the zone as it was")
{
	static struct zone z;
	struct zone *normal = &zones[ZONE_NORMAL];
	const char *name = normal->name;
	pfn_t start = normal->start_pfn, end = normal->end_pfn;
	unsigned long managed = normal->managed_pages;
	struct page *big = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER - 1);

	if (!big) {
		if (frames_machine_small())
			KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);
		ASSERT_NOT_NULL(big);
	}
	EXPECT_REPORTS(REPORT_INVALID_ARG, 3,
		       EXPECT_FALSE(buddy_zone_adopt(normal, big, MAX_ORDER - 1));
		       EXPECT_FALSE(buddy_zone_adopt(&zones[MAX_NR_ZONES], big, MAX_ORDER - 1));
		       EXPECT_FALSE(buddy_zone_adopt(&z, big, MAX_ORDER - 2)));
	EXPECT_PTR_EQ(name, normal->name);
	EXPECT_EQ(start, normal->start_pfn);
	EXPECT_EQ(end, normal->end_pfn);
	EXPECT_EQ(managed, normal->managed_pages);
	__free_pages(big, MAX_ORDER - 1);
	EXPECT_EQ(0, buddy_check());
}

KTEST(buddy, "a private zone has no per-CPU lists: zone_free_pages is its free count, buddy_pcp_frames 0")
{
	struct page *p;

	OPEN_BOX();
	EXPECT_EQ(0, buddy_pcp_frames(&box, 0));
	EXPECT_EQ(box.free_pages, zone_free_pages(&box));
	p = buddy_zone_alloc(&box, 0);
	EXPECT_NOT_NULL(p);
	EXPECT_EQ((1u << BOX_ORDER) - 1, zone_free_pages(&box));
	if (p)
		buddy_zone_free(&box, p, 0);
	EXPECT_TRUE(box_close());
}

KTEST(buddy, "fragmentation index: scattered single frames cannot serve order 1")
{
	static struct page *pages[1u << BOX_ORDER];
	unsigned n = 1u << BOX_ORDER;

	OPEN_BOX();
	EXPECT_EQ(0, buddy_zone_fragmentation(&box, BOX_ORDER));
	for (unsigned i = 0; i < n; i++)
		pages[i] = buddy_zone_alloc(&box, 0);
	EXPECT_NULL(buddy_zone_alloc(&box, 0));
	EXPECT_EQ(1000, buddy_zone_fragmentation(&box, 0)); /* nothing free */
	for (unsigned i = 0; i < n; i += 2)
		buddy_zone_free(&box, pages[i], 0);
	EXPECT_EQ(0, buddy_zone_fragmentation(&box, 0));
	EXPECT_EQ(1000, buddy_zone_fragmentation(&box, 1)); /* 512 free frames, no pair */
	EXPECT_NULL(buddy_zone_alloc(&box, 1));
	for (unsigned i = 1; i < n; i += 2)
		buddy_zone_free(&box, pages[i], 0);
	EXPECT_EQ(0, buddy_zone_fragmentation(&box, BOX_ORDER));
	EXPECT_TRUE(box_close());
}

KTEST(buddy, "every block is aligned to its size")
{
	if (frames_machine_small())
		KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		struct page *p = alloc_pages(GFP_KERNEL, k);
		ASSERT_NOT_NULL(p);
		EXPECT_EQ(0, page_to_pfn(p) & ((1u << k) - 1));
		__free_pages(p, k);
	}
}

KTEST(buddy, "allocate until NULL, free everything: the exact initial buddyinfo")
{
	unsigned long before[MAX_NR_ZONES][MAX_ORDER], after[MAX_ORDER];
	struct list_node taken = LIST_HEAD_INIT(taken);
	unsigned long free = buddy_free_pages(), got;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		buddy_zone_info((enum zone_id)z, before[z]);
	got = frames_take_all(GFP_KERNEL | __GFP_HIGHMEM, &taken);
	EXPECT_EQ(free, got);
	EXPECT_EQ(0, buddy_free_pages());
	EXPECT_TRUE(frames_none_left(GFP_KERNEL | __GFP_HIGHMEM));
	EXPECT_TRUE(frames_none_left(GFP_DMA));
	EXPECT_EQ(0, buddy_check()); /* out of memory broke nothing */
	frames_give_back(&taken);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		buddy_zone_info((enum zone_id)z, after);
		for (unsigned k = 0; k < MAX_ORDER; k++)
			EXPECT_EQ(before[z][k], after[k]);
	}
}

/* The largest order up to `max` that a free block of the zone can serve
 * (one of that order or larger); -1 if it has none at all. */
static int zone_largest_free(enum zone_id zone, unsigned max)
{
	unsigned long nr_free[MAX_ORDER];
	int order = -1;

	buddy_drain_hot(); /* a frame on a hot list is in no free area */
	buddy_zone_info(zone, nr_free);
	for (unsigned k = 0; k < MAX_ORDER; k++) /* a larger block serves max too */
		if (nr_free[k])
			order = (int)MIN(k, max);
	return order;
}

KTEST(buddy, "GFP_DMA memory lies below 16 MiB even when DMA is all that is left")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	/* A block of 8 frames, or the largest the DMA zone has when boot
	 * modules fill it (at 128 MiB with a 50 MiB module, one frame). */
	int order = zone_largest_free(ZONE_DMA, 3);
	struct page *p;

	if (order < 0)
		KTEST_SKIP(DMA_FULL_REASON);
	p = alloc_pages(GFP_DMA, (unsigned)order);
	ASSERT_NOT_NULL(p);
	EXPECT_LE(page_to_pfn(p) + (1u << order), DMA_LIMIT_PFN);
	EXPECT_EQ(ZONE_DMA, page_zone_id(p));
	__free_pages(p, (unsigned)order);
	/* Exhaust DMA: the next GFP_DMA request fails although other zones
	 * still have memory. */
	frames_take_all(GFP_DMA, &taken);
	EXPECT_TRUE(frames_none_left(GFP_DMA));
	p = alloc_page(GFP_KERNEL);
	if (zones[ZONE_NORMAL].managed_pages) {
		EXPECT_NOT_NULL(p);
		if (p)
			__free_page(p);
	}
	frames_give_back(&taken);
}

KTEST(buddy, "GFP_KERNEL never returns HIGHMEM; __GFP_HIGHMEM prefers it")
{
	struct page *p = alloc_page(GFP_KERNEL);

	ASSERT_NOT_NULL(p);
	EXPECT_NOT_NULL(page_address(p));
	EXPECT_NE(ZONE_HIGHMEM, page_zone_id(p));
	__free_page(p);
	p = alloc_pages(GFP_HIGHUSER, 2);
	ASSERT_NOT_NULL(p);
	if (zones[ZONE_HIGHMEM].managed_pages)
		EXPECT_EQ(ZONE_HIGHMEM, page_zone_id(p));
	else
		EXPECT_NE(ZONE_HIGHMEM, page_zone_id(p));
	__free_pages(p, 2);
}

KTEST(buddy, "__GFP_ZERO zeroes every frame, lowmem and highmem")
{
	static const gfp_t kinds[] = { GFP_KERNEL, GFP_HIGHUSER };

	for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
		for (unsigned order = 0; order <= 2; order += 2) {
			struct list_node taken = LIST_HEAD_INIT(taken);
			struct page *p = alloc_pages(kinds[i], order), *q;
			ASSERT_NOT_NULL(p);
			frames_fill(p, order, 0xAB);
			/* With everything else taken, the dirty block is the
			 * only one the zeroing request can get. */
			frames_take_all(kinds[i], &taken);
			__free_pages(p, order);
			q = alloc_pages(kinds[i] | __GFP_ZERO, order);
			frames_give_back(&taken);
			EXPECT_PTR_EQ(p, q);
			if (q) {
				EXPECT_TRUE(frames_all_zero(q, order));
				__free_pages(q, order);
			}
		}
	}
}

KTEST(buddy, "__get_free_pages and free_pages work by direct-map address")
{
	uintptr_t a = __get_free_pages(GFP_KERNEL, 1);
	uintptr_t z = get_zeroed_page(GFP_KERNEL);

	if (!EXPECT_NE(0, a) || !EXPECT_NE(0, z))
		goto out;
	EXPECT_EQ(0, a & (2 * MM_PAGE_SIZE - 1));
	EXPECT_EQ(0, *(volatile uint32_t *)(z + 100));
	EXPECT_PTR_EQ(virt_to_page((void *)a), virt_to_page_checked((void *)a));
out:
	free_pages(a, 1);
	free_pages(z, 0);
}

KTEST(buddy, "the hot list serves order 0 and is invisible to buddyinfo")
{
	unsigned long before[MAX_ORDER], after[MAX_ORDER];
	struct page *p, *again;

	buddy_zone_info(ZONE_NORMAL, before);
	p = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	__free_page(p);
	EXPECT_EQ(PG_HOT, p->flags & PG_STATE_MASK);
	again = alloc_page(GFP_KERNEL);
	ASSERT_NOT_NULL(again);
	EXPECT_PTR_EQ(p, again); /* LIFO: cache-warm */
	__free_page(again);
	buddy_zone_info(ZONE_NORMAL, after); /* drains first */
	for (unsigned k = 0; k < MAX_ORDER; k++)
		EXPECT_EQ(before[k], after[k]);
}

/* --- misuse ---------------------------------------------------------------- */

KTEST(buddy, "double free is reported, on the hot list and in a merged block")
{
	unsigned long n = report_count(REPORT_DOUBLE_FREE);
	struct page *p = alloc_page(GFP_KERNEL), *q = alloc_pages(GFP_KERNEL, 3);

	if (!EXPECT_NOT_NULL(p) || !EXPECT_NOT_NULL(q)) {
		if (p)
			__free_page(p);
		if (q)
			__free_pages(q, 3);
		return;
	}
	report_expect(3);
	__free_page(p);
	__free_page(p); /* on the hot list */
	__free_pages(q, 3);
	__free_pages(q, 3); /* merged into a larger free block */
	buddy_drain_hot();
	__free_page(p); /* now inside a buddy block */
	EXPECT_EQ(n + 3, report_count(REPORT_DOUBLE_FREE));
}

KTEST(buddy, "freeing with the wrong order is reported and changes nothing")
{
	unsigned long n = report_count(REPORT_WRONG_ORDER);
	unsigned long free = buddy_free_pages();
	struct page *p = alloc_pages(GFP_KERNEL, 2);

	ASSERT_NOT_NULL(p);
	report_expect(2);
	__free_pages(p, 1);
	__free_pages(p, 0);
	EXPECT_EQ(n + 2, report_count(REPORT_WRONG_ORDER));
	EXPECT_EQ(free - 4, buddy_free_pages());
	__free_pages(p, 2);
}

KTEST(buddy, "misaligned, reserved, never-allocated and out-of-range frees are each reported")
{
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	unsigned long mis = report_count(REPORT_MISALIGNED);
	unsigned long res = report_count(REPORT_RESERVED);
	unsigned long nal = report_count(REPORT_NOT_ALLOCATED);
	unsigned long oor = report_count(REPORT_OUT_OF_RANGE);

	ASSERT_NOT_NULL(p);
	report_expect(6);
	__free_pages(p + 2, 1); /* aligned, but inside p's block */
	__free_pages(p + 1, 1); /* odd pfn with order 1: misaligned */
	__free_pages(pfn_to_page(0), 0); /* page 0 is reserved */
	__free_pages(mem_map + max_pfn, 0); /* past the page array */
	__free_pages(p, MAX_ORDER); /* no such order */
	free_pages(0x1000, 0); /* not a direct-map address */
	EXPECT_EQ(mis + 1, report_count(REPORT_MISALIGNED));
	EXPECT_EQ(res + 1, report_count(REPORT_RESERVED));
	EXPECT_EQ(nal + 1, report_count(REPORT_NOT_ALLOCATED)); /* p + 2 */
	EXPECT_EQ(oor + 3, report_count(REPORT_OUT_OF_RANGE));
	__free_pages(p, 2);
}

KTEST(buddy, "frames of a slab are refused by __free_pages: they go back through the slab")
{
	unsigned long n = report_count(REPORT_NOT_ALLOCATED);
	void *obj = kmalloc(64, GFP_KERNEL);
	struct page *head;

	ASSERT_NOT_NULL(obj);
	head = compound_head(virt_to_page(obj));
	EXPECT_EQ(OWNER_SLAB, page_owner(head));
	report_expect(2);
	__free_pages(head, page_order(head));
	free_pages((uintptr_t)page_address(head), page_order(head));
	EXPECT_EQ(n + 2, report_count(REPORT_NOT_ALLOCATED));
	EXPECT_EQ(0, slab_check());
	kfree(obj);
}

KTEST(buddy, "an impossible order is one report and NULL (no report under __GFP_NOWARN), everything intact")
{
	unsigned long free = buddy_free_pages(), oom = buddy_oom_failures();

	EXPECT_REPORTS(REPORT_INVALID_ARG, 4,
		       EXPECT_NULL(alloc_pages(GFP_KERNEL, MAX_ORDER));
		       EXPECT_NULL(alloc_pages(GFP_KERNEL, 31));
		       EXPECT_NULL(alloc_pages(GFP_DMA | __GFP_ZERO, ~0u));
		       EXPECT_EQ(0, __get_free_pages(GFP_KERNEL, MAX_ORDER)));
	EXPECT_REPORTS(REPORT_INVALID_ARG, 0,
		       EXPECT_NULL(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER)));
	EXPECT_EQ(free, buddy_free_pages());
	EXPECT_EQ(oom, buddy_oom_failures()); /* not an out-of-memory failure */
}

/* --- random stress ------------------------------------------------------- */

#define STRESS_SLOTS 256
#define STRESS_OPS 100000

static uint32_t rng_state;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

struct slot {
	struct page *page;
	unsigned order;
	gfp_t gfp;
};

/* A stamp in the first word of each block: overlapping blocks would
 * overwrite each other's. */
static void stamp(struct page *p, uint32_t v)
{
	uint32_t *w = mm_map_frame(page_to_phys(p));
	*w = v;
	mm_unmap_frame(w);
}

static uint32_t read_stamp(struct page *p)
{
	uint32_t *w = mm_map_frame(page_to_phys(p)), v = *w;
	mm_unmap_frame(w);
	return v;
}

static void stress_alloc(struct slot *s, unsigned i)
{
	static const gfp_t kinds[] = { GFP_KERNEL, GFP_KERNEL, GFP_HIGHUSER, GFP_DMA };
	uint32_t r = rng();
	unsigned order = (r & 7) == 0 ? (r >> 3) % MAX_ORDER : (r >> 3) % 3;

	s->gfp = kinds[(r >> 8) & 3];
	s->order = order;
	s->page = alloc_pages(s->gfp | __GFP_NOWARN, order);
	if (!s->page)
		return;
	EXPECT_EQ(0, page_to_pfn(s->page) & ((1u << order) - 1));
	if (s->gfp == GFP_DMA)
		EXPECT_LE(page_to_pfn(s->page) + (1u << order), DMA_LIMIT_PFN);
	if (!(s->gfp & __GFP_HIGHMEM))
		EXPECT_NE(ZONE_HIGHMEM, page_zone_id(s->page));
	stamp(s->page, 0x5EED0000u + i);
}

KTEST(buddy, "100,000 seeded random operations keep every invariant")
{
	static struct slot slots[STRESS_SLOTS];
	unsigned long free = buddy_free_pages();

	rng_state = 0x2545F491;
	for (unsigned op = 1; op <= ktest_scale(STRESS_OPS); op++) {
		unsigned i = rng() % STRESS_SLOTS;
		struct slot *s = &slots[i];
		if (s->page) {
			if (read_stamp(s->page) != 0x5EED0000u + i)
				ASSERT_EQ(0x5EED0000u + i, read_stamp(s->page));
			__free_pages(s->page, s->order);
			s->page = NULL;
		} else {
			stress_alloc(s, i);
		}
		if (op % ktest_scale(10000) == 0)
			ASSERT_EQ(0, buddy_check());
		if (ktest_failures())
			break;
	}
	for (unsigned i = 0; i < STRESS_SLOTS; i++) {
		if (slots[i].page)
			__free_pages(slots[i].page, slots[i].order);
		slots[i].page = NULL;
	}
	EXPECT_EQ(free, buddy_free_pages());
}

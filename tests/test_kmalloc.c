/*
 * Suite kmalloc: size classes, large blocks from the buddy, kzalloc, ksize,
 * krealloc, kmalloc(0), misuse of kfree, the kmalloc(18) red zone, and the
 * fill-everything round trip back to the buddy's initial state.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/buddy.h"
#include "lib/string.h"

KTEST(kmalloc, "each size goes to the smallest class that holds it (96, four steps a power of two to 512, page fractions above)")
{
	static const struct { size_t size, cls; } cases[] = {
		{ 1, 8 }, { 8, 8 }, { 9, 16 }, { 18, 32 }, { 64, 64 },
		{ 65, 96 }, { 96, 96 }, { 97, 128 }, { 129, 160 }, { 161, 192 },
		{ 192, 192 }, { 193, 224 }, { 257, 320 }, { 513, 584 },
		{ 1000, 1024 }, { 1025, 1360 }, { 2049, 2728 }, { 2729, 4096 },
		{ 4096, 4096 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		void *p = kmalloc(cases[i].size, GFP_KERNEL);
		ASSERT_NOT_NULL(p);
		EXPECT_EQ(0, (uintptr_t)p % KMALLOC_MIN_ALIGN);
		EXPECT_EQ(cases[i].cls, ksize(p));
		EXPECT_EQ(cases[i].cls, kmalloc_class_size((unsigned)kmalloc_index(cases[i].size)));
		kfree(p);
	}
	EXPECT_EQ(-1, kmalloc_index(4097));
}

KTEST(kmalloc, "every class boundary: its size fits the class, one byte more the next one")
{
	unsigned prev = 0;

	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		unsigned size = kmalloc_class_size(i);
		EXPECT_TRUE(size > prev && size % KMALLOC_MIN_ALIGN == 0);
		EXPECT_EQ((int)i, kmalloc_index(prev + 1));
		EXPECT_EQ((int)i, kmalloc_index(size));
		EXPECT_EQ(size, kmem_cache_size(kmalloc_cache(i)));
		prev = size;
	}
	EXPECT_EQ(KMALLOC_MAX_CACHE_SIZE, prev);
}

KTEST(kmalloc, "large sizes come from the buddy with their order recorded")
{
	unsigned long free0 = buddy_free_pages();
	uint8_t *p = kmalloc(5000, GFP_KERNEL);
	struct page *page;

	ASSERT_NOT_NULL(p);
	page = virt_to_page(p);
	EXPECT_EQ(OWNER_KMALLOC, page_owner(page));
	EXPECT_EQ(1, page_order(page));
	EXPECT_PTR_EQ(page, compound_head(virt_to_page(p + 4096)));
	EXPECT_EQ(8192, ksize(p));
	EXPECT_EQ(free0 - 2, buddy_free_pages());
	p[8191] = 1;
	kfree(p);
	EXPECT_EQ(free0, buddy_free_pages());
	/* no block that large: refused, with a report each */
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       EXPECT_NULL(kmalloc((size_t)8 << 20, GFP_KERNEL));
		       EXPECT_NULL(kmalloc((size_t)-1, GFP_KERNEL)));
}

KTEST(kmalloc, "a large request of exactly 2^k pages takes order k; one byte more takes k + 1")
{
	for (unsigned k = 1; k <= 4; k++) {
		size_t exact = (size_t)PAGE_SIZE << k;
		unsigned long free0 = buddy_free_pages();
		void *p = kmalloc(exact, GFP_KERNEL), *q;

		ASSERT_NOT_NULL(p);
		EXPECT_EQ(exact, ksize(p));
		EXPECT_EQ(free0 - (1u << k), buddy_free_pages());
		q = kmalloc(exact + 1, GFP_KERNEL);
		if (EXPECT_NOT_NULL(q))
			EXPECT_EQ(2 * exact, ksize(q));
		kfree(q);
		kfree(p);
	}
}

KTEST(kmalloc, "kzalloc and __GFP_ZERO zero the whole usable size")
{
	static const size_t sizes[] = { 1, 18, 100, 192, 3000, 4096, 6000 };

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *p = kmalloc(sizes[i], GFP_KERNEL), *q;
		size_t n;
		ASSERT_NOT_NULL(p);
		memset(p, 0xee, ksize(p));
		kfree(p);
		q = (i & 1) ? kzalloc(sizes[i], GFP_KERNEL)
			    : kmalloc(sizes[i], GFP_KERNEL | __GFP_ZERO);
		ASSERT_NOT_NULL(q);
		n = ksize(q);
		for (size_t j = 0; j < n; j++)
			if (q[j]) {
				EXPECT_EQ(0, q[j]);
				break;
			}
		kfree(q);
	}
}

KTEST(kmalloc, "kmalloc(0) returns distinct non-NULL pointers that kfree accepts")
{
	void *a = kmalloc(0, GFP_KERNEL), *b = kmalloc(0, GFP_KERNEL);

	EXPECT_NOT_NULL(a);
	EXPECT_NOT_NULL(b);
	EXPECT_NE((uintptr_t)a, (uintptr_t)b);
	kfree(a);
	kfree(b);
	kfree(NULL);
}

KTEST(kmalloc, "krealloc keeps the contents, grows in place when it fits")
{
	uint8_t *p = krealloc(NULL, 20, GFP_KERNEL), *q;

	ASSERT_NOT_NULL(p);
	for (int i = 0; i < 20; i++)
		p[i] = (uint8_t)i;
	q = krealloc(p, 30, GFP_KERNEL); /* still the 32-byte class */
	if (!EXPECT_NOT_NULL(q))
		goto out;
	EXPECT_PTR_EQ(p, q);
	q[29] = 29; /* no red zone report: the object grew */
	p = krealloc(q, 1000, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	for (int i = 0; i < 20; i++)
		EXPECT_EQ(i, p[i]);
	q = krealloc(p, 10000, GFP_KERNEL); /* to a large block */
	if (!EXPECT_NOT_NULL(q))
		goto out;
	EXPECT_EQ(19, q[19]);
	p = krealloc(q, 16, GFP_KERNEL); /* shrinking stays in place */
	if (!EXPECT_NOT_NULL(p))
		goto out;
	EXPECT_PTR_EQ(q, p);
out:
	/* A failed krealloc left the block where it was: in q if p is the
	 * NULL it returned, else in p. */
	EXPECT_NULL(krealloc(p ? p : q, 0, GFP_KERNEL)); /* frees */
}

KTEST(kmalloc, "debug: krealloc copies the old size, not the new: nothing read past the old object")
{
	uint8_t *p, *q;
	size_t i;

	if (!slab_debug_enabled())
		KTEST_SKIP("slab debugging is off");
	p = kmalloc(20, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	memset(p, 0x11, 20);
	/* To another class: bytes 20..199 of the new object are its own
	 * (still the free poison); a copy of 200 bytes would have brought
	 * the old object's red zone and its neighbour's bytes. */
	q = krealloc(p, 200, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(q)) {
		kfree(p);
		return;
	}
	for (i = 0; i < 20 && q[i] == 0x11; i++)
		;
	EXPECT_EQ(20, i);
	for (i = 20; i < 200 && q[i] == SLAB_POISON_FREE; i++)
		;
	EXPECT_EQ(200, i);
	kfree(q);
}

KTEST(kmalloc, "debug: kmalloc(18) from the 32-byte class treats bytes 18..31 as red zone")
{
	uint8_t *p;

	if (!slab_debug_enabled())
		KTEST_SKIP("slab debugging is off");
	p = kmalloc(18, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	p[17] = 1; /* the last byte asked for: fine */
	EXPECT_REPORTS(REPORT_REDZONE, 0, kfree(p));
	p = kmalloc(18, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	p[18] = 1;
	EXPECT_REPORTS(REPORT_REDZONE, 1, kfree(p));
	p = kmalloc(18, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	p[31] = 1;
	EXPECT_REPORTS(REPORT_REDZONE, 1, kfree(p));
	p = kmalloc(18, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	EXPECT_EQ(32, ksize(p)); /* gives bytes 18..31 to the caller */
	p[31] = 1;
	EXPECT_REPORTS(REPORT_REDZONE, 0, kfree(p));
}

KTEST(kmalloc, "kfree of interior, foreign, non-kmalloc and twice-freed pointers is reported")
{
	struct kmem_cache *c = kmem_cache_create("test-notkmalloc", 32, 0, 0, NULL);
	uint8_t *small, *large;
	void *obj;
	static int in_image;

	ASSERT_NOT_NULL(c);
	small = kmalloc(100, GFP_KERNEL);
	large = kmalloc(20000, GFP_KERNEL);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(small) || !EXPECT_NOT_NULL(large) ||
	    !EXPECT_NOT_NULL(obj)) {
		kfree(small); /* the test frees them itself */
		kfree(large);
		goto out;
	}
	EXPECT_REPORTS(REPORT_INTERIOR_POINTER, 2, kfree(small + 4); kfree(large + 4096));
	EXPECT_REPORTS(REPORT_OUT_OF_RANGE, 2, kfree(&in_image); kfree((void *)0x1000));
	EXPECT_REPORTS(REPORT_WRONG_CACHE, 1, kfree(obj));
	kfree(large);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kfree(large));
	kfree(small);
	if (slab_debug_enabled())
		EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kfree(small));
out:
	kmem_cache_free(c, obj);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

/* --- the round trip --------------------------------------------------------- */

struct zone_state {
	unsigned long free_pages;
	unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
};

static void snapshot(struct zone_state *s)
{
	kmem_shrink_all();
	for (int z = 0; z < MAX_NR_ZONES; z++)
		buddy_zone_info((enum zone_id)z, s->nr_free[z]);
	s->free_pages = buddy_free_pages();
}

/* kmalloc(size) until NULL; the blocks are chained through their first word. */
static unsigned long fill(void **chain, size_t size)
{
	unsigned long n = 0;
	void **p;

	while ((p = kmalloc(size, GFP_KERNEL)) != NULL) {
		*p = *chain;
		*chain = p;
		n++;
	}
	return n;
}

KTEST(kmalloc, "filling memory until NULL, freeing all and shrinking restores the buddy")
{
	static const size_t sizes[] = { 4u << 20, 256u << 10, 16u << 10, 4096,
					1024, 192, 8 };
	static struct zone_state s0, s1;
	void *chain = NULL;
	unsigned long n = 0;

	snapshot(&s0);
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		n += fill(&chain, sizes[i]);
	EXPECT_GT(n, 0);
	EXPECT_NULL(kmalloc(8, GFP_KERNEL));
	while (chain) {
		void *next = *(void **)chain;
		kfree(chain);
		chain = next;
	}
	snapshot(&s1);
	EXPECT_EQ(s0.free_pages, s1.free_pages);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int k = 0; k < MAX_ORDER; k++)
			EXPECT_EQ(s0.nr_free[z][k], s1.nr_free[z][k]);
}

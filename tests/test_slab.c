/*
 * Suite slab: object caches -- placement, constructors, the three slab
 * lists, shrinking, colouring, and every misuse the debug mode promises to
 * catch.  The self-tests run with slab debugging on (kmem_init sees
 * `ktest`), so caches are debug caches unless a test says SLAB_NO_DEBUG.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "kernel/ksyms.h"
#include "lib/string.h"

#define MANY 200

/* The slab lists after the cache's array of free objects has gone back to
 * the slabs: what the list tests below look at. */
static struct kmem_cache *info_of(struct kmem_cache *c, struct slab_info *si)
{
	kmem_cache_drain(c);
	kmem_cache_info(c, si);
	return c;
}

KTEST(slab, "objects are distinct, aligned and inside a slab of their cache")
{
	struct kmem_cache *c = kmem_cache_create("test-40", 40, 16, 0, NULL);
	static void *objs[MANY];

	ASSERT_NOT_NULL(c);
	for (int i = 0; i < MANY; i++) {
		void *start = NULL;
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_OBJ(c, objs, i);
		EXPECT_EQ(0, (uintptr_t)objs[i] % 16);
		EXPECT_PTR_EQ(c, slab_find_object(objs[i], &start));
		EXPECT_PTR_EQ(objs[i], start);
		memset(objs[i], i, 40);
	}
	for (int i = 0; i < MANY; i++)
		for (int j = i + 1; j < MANY; j++)
			EXPECT_TRUE((uintptr_t)objs[j] + 40 <= (uintptr_t)objs[i] ||
				    (uintptr_t)objs[i] + 40 <= (uintptr_t)objs[j]);
	for (int i = 0; i < MANY; i++) {
		EXPECT_EQ(i & 0xff, ((uint8_t *)objs[i])[39]);
		kmem_cache_free(c, objs[i]);
	}
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "SLAB_HWCACHE_ALIGN puts every object on a 64-byte line")
{
	struct kmem_cache *c = kmem_cache_create("test-hw", 20, 0,
						 SLAB_HWCACHE_ALIGN, NULL);
	void *a, *b;

	ASSERT_NOT_NULL(c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(a) || !EXPECT_NOT_NULL(b))
		goto out;
	EXPECT_EQ(0, (uintptr_t)a % SLAB_CACHE_LINE);
	EXPECT_EQ(0, (uintptr_t)b % SLAB_CACHE_LINE);
out:
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "the slab order is the smallest that wastes at most 1/8")
{
	static const struct { unsigned size, pages, objs; } cases[] = {
		{ 64, 1, 64 }, { 96, 1, 42 }, { 700, 2, 11 }, { 1100, 2, 7 },
		{ 3000, 4, 5 }, { 4096, 1, 1 }, { 5000, 4, 3 },
	};
	struct slab_info si;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kmem_cache *c = kmem_cache_create("test-order", cases[i].size,
							 0, SLAB_NO_DEBUG, NULL);
		ASSERT_NOT_NULL(c);
		info_of(c, &si);
		EXPECT_EQ(cases[i].pages, si.pages_per_slab);
		EXPECT_EQ(cases[i].objs, si.objs_per_slab);
		EXPECT_LE(si.waste_permille, 125);
		EXPECT_EQ(0, kmem_cache_destroy(c));
	}
	/* Debug areas included, the bound still holds for the slot size. */
	struct kmem_cache *c = kmem_cache_create("test-dbg", 4096, 0, SLAB_DEBUG, NULL);
	ASSERT_NOT_NULL(c);
	info_of(c, &si);
	EXPECT_LE((si.pages_per_slab * 4096 - si.objs_per_slab * si.stride) * 8,
		  si.pages_per_slab * 4096);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

struct ctor_obj {
	uint32_t magic;
	uint32_t generation;
	uint8_t payload[24];
};

static unsigned ctor_calls;

static void ctor_obj_init(void *p)
{
	struct ctor_obj *o = p;

	o->magic = 0xC0FFEE;
	o->generation = 0;
	memset(o->payload, 0x5a, sizeof(o->payload));
	ctor_calls++;
}

static void ctor_case(unsigned flags)
{
	struct kmem_cache *c = kmem_cache_create("test-ctor", sizeof(struct ctor_obj),
						 0, flags, ctor_obj_init);
	struct ctor_obj *o, *again;
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	ctor_calls = 0;
	o = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(o))
		goto out;
	info_of(c, &si);
	EXPECT_EQ(si.objs_per_slab, ctor_calls); /* the whole slab, at once */
	EXPECT_EQ(0xC0FFEE, o->magic);
	EXPECT_EQ(0x5a, o->payload[23]);
	o->generation = 7; /* state the next user will find */
	kmem_cache_free(c, o);
	again = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(again))
		goto out;
	EXPECT_PTR_EQ(o, again);
	EXPECT_EQ(0xC0FFEE, again->magic);
	EXPECT_EQ(7, again->generation);
	EXPECT_EQ(0x5a, again->payload[0]);
	EXPECT_EQ(si.objs_per_slab, ctor_calls); /* not on allocation */
	kmem_cache_free(c, again);
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "constructor runs when the slab is made; state survives free and realloc")
{
	ctor_case(SLAB_NO_DEBUG);
	ctor_case(SLAB_DEBUG);
}

KTEST(slab, "__GFP_ZERO zeroes the whole object")
{
	struct kmem_cache *c = kmem_cache_create("test-zero", 100, 0, 0, NULL);
	uint8_t *p, *q;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	memset(p, 0xff, 100);
	kmem_cache_free(c, p);
	q = kmem_cache_alloc(c, GFP_KERNEL | __GFP_ZERO);
	if (!EXPECT_NOT_NULL(q))
		goto out;
	EXPECT_PTR_EQ(p, q);
	for (int i = 0; i < 100; i++)
		EXPECT_EQ(0, q[i]);
	kmem_cache_free(c, q);
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "slabs move between empty, partial and full lists")
{
	struct kmem_cache *c = kmem_cache_create("test-lists", 512, 0, SLAB_NO_DEBUG, NULL);
	void *objs[16];
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	info_of(c, &si);
	ASSERT_EQ(8, si.objs_per_slab);
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_OBJ(c, objs, 0);
	info_of(c, &si);
	EXPECT_EQ(1, si.partial_slabs);
	EXPECT_EQ(0, si.full_slabs);
	for (int i = 1; i < 8; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_OBJ(c, objs, i);
	}
	info_of(c, &si);
	EXPECT_EQ(0, si.partial_slabs);
	EXPECT_EQ(1, si.full_slabs);
	objs[8] = kmem_cache_alloc(c, GFP_KERNEL); /* a second slab */
	ASSERT_OBJ(c, objs, 8);
	info_of(c, &si);
	EXPECT_EQ(1, si.partial_slabs);
	EXPECT_EQ(1, si.full_slabs);
	kmem_cache_free(c, objs[3]); /* full -> partial */
	info_of(c, &si);
	EXPECT_EQ(2, si.partial_slabs);
	EXPECT_EQ(0, si.full_slabs);
	kmem_cache_free(c, objs[8]); /* partial -> empty */
	info_of(c, &si);
	EXPECT_EQ(1, si.partial_slabs);
	EXPECT_EQ(1, si.empty_slabs);
	/* Allocation prefers the partial slab over the empty one. */
	objs[9] = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(objs[9])) {
		objs[3] = NULL; /* freed above */
		slab_test_release(c, objs, 8);
		return;
	}
	EXPECT_PTR_EQ(objs[3], objs[9]);
	info_of(c, &si);
	EXPECT_EQ(1, si.full_slabs);
	EXPECT_EQ(1, si.empty_slabs);
	for (int i = 0; i < 8; i++)
		kmem_cache_free(c, objs[i]);
	info_of(c, &si);
	EXPECT_EQ(MIN(2, SLAB_EMPTY_MAX), si.empty_slabs);
	EXPECT_EQ(0, si.active_objs);
	EXPECT_EQ(0, kmem_cache_check(c));
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "shrink gives empty slabs back: buddy free count rises by their frames")
{
	struct kmem_cache *c = kmem_cache_create("test-shrink", 3000, 0, SLAB_NO_DEBUG, NULL);
	void *objs[10];
	struct slab_info si;
	unsigned long free0;

	ASSERT_NOT_NULL(c);
	for (int i = 0; i < 10; i++) { /* 5 per slab of 4 frames: 2 slabs */
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_OBJ(c, objs, i);
	}
	for (int i = 0; i < 10; i++)
		kmem_cache_free(c, objs[i]);
	info_of(c, &si);
	EXPECT_EQ(MIN(2, SLAB_EMPTY_MAX), si.empty_slabs);
	free0 = buddy_free_pages();
	EXPECT_EQ(4 * MIN(2, SLAB_EMPTY_MAX), kmem_cache_shrink(c));
	EXPECT_EQ(free0 + 4 * MIN(2, SLAB_EMPTY_MAX), buddy_free_pages());
	info_of(c, &si);
	EXPECT_EQ(0, si.slabs);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "a cache keeps at most SLAB_EMPTY_MAX empty slabs")
{
	struct kmem_cache *c = kmem_cache_create("test-bound", 4096, 0, SLAB_NO_DEBUG, NULL);
	void *objs[6];
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	for (int i = 0; i < 6; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_OBJ(c, objs, i);
	}
	for (int i = 0; i < 6; i++)
		kmem_cache_free(c, objs[i]);
	info_of(c, &si);
	EXPECT_EQ(SLAB_EMPTY_MAX, si.empty_slabs);
	EXPECT_EQ(SLAB_EMPTY_MAX, si.slabs);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "colouring: successive slabs start their objects at different lines")
{
	/* 300-byte objects: 13 a page, 196 bytes left: colours 0, 64, 128, 192 */
	struct kmem_cache *c = kmem_cache_create("test-colour", 300, 0, SLAB_NO_DEBUG, NULL);
	static void *objs[13 * 4];
	unsigned seen = 0;

	ASSERT_NOT_NULL(c);
	for (int i = 0; i < 13 * 4; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_OBJ(c, objs, i);
	}
	for (int i = 0; i < 13 * 4; i++) {
		uintptr_t off = (uintptr_t)objs[i] & (MM_PAGE_SIZE - 1);
		if (off < 300)
			seen |= 1u << (off / 64);
	}
	EXPECT_EQ(0xF, seen); /* first objects at 0, 64, 128 and 192 */
	for (int i = 0; i < 13 * 4; i++)
		kmem_cache_free(c, objs[i]);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "debug: the allocating caller is remembered")
{
	struct kmem_cache *c = kmem_cache_create("test-caller", 32, 0, SLAB_DEBUG, NULL);
	void *p;
	uintptr_t alloc_by = 0, free_by = 0;
	uint32_t off;
	const char *fn;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	EXPECT_TRUE(kmem_object_callers(c, p, &alloc_by, &free_by));
	fn = ksym_lookup(alloc_by, &off);
	EXPECT_EQ(0, strncmp(fn ? fn : "", "ktest_fn_", 9));
	kmem_cache_free(c, p);
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

/*
 * Suite slab: how much the per-CPU arrays and the depot keep (mm/slab.c,
 * 6): arrays of about 8 KiB of objects; a depot of up to 256 KiB of
 * objects of up to 512 bytes, and of one magazine of larger ones; a limit
 * a caller sets (kmem_cache_set_array_limit).
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/slab_internal.h"

#define BURST (5 * SLAB_MAG_LIMIT_MAX)

/* Objects cached in front of c's slabs: in the arrays and in the depot. */
static unsigned long cached(struct kmem_cache *c)
{
	struct slab_info si;

	kmem_cache_info(c, &si);
	return si.array_objs + si.depot_objs;
}

/* n objects of c allocated, the arrays drained (a refill fetches more
 * than it hands out), and the n freed in order; false (having given back
 * what it got) when out of memory. */
static bool churn(struct kmem_cache *c, unsigned n)
{
	static void *objs[BURST];
	unsigned i;

	for (i = 0; i < n && i < BURST; i++)
		if (!(objs[i] = kmem_cache_alloc(c, GFP_KERNEL)))
			break;
	kmem_cache_drain(c);
	for (unsigned j = 0; j < i; j++)
		kmem_cache_free(c, objs[j]);
	return EXPECT_EQ_WITH_MEMORY(n, i);
}

KTEST(slab, "a burst of frees: the depot keeps up to 256 KiB of objects up to 512 bytes, one magazine of larger ones")
{
	static const struct { unsigned size, limit; } want[] = {
		{ 64, 32 }, { 256, 32 }, { 512, 16 }, { 520, 15 }, { 1024, 8 }, { 4096, 2 },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		struct kmem_cache *c = kmem_cache_create("test-arrays", want[i].size, 0,
							 SLAB_NO_DEBUG, NULL);
		unsigned limit = want[i].limit;
		struct slab_info si;

		ASSERT_NOT_NULL(c);
		kmem_cache_info(c, &si);
		EXPECT_EQ(limit, si.array_limit);
		/* five arrays' worth freed: two stay in this CPU's arrays,
		 * the depot takes the others -- or one, the rest going back
		 * to the slabs */
		if (churn(c, 5 * limit))
			EXPECT_EQ_WITH_MEMORY((want[i].size > SLAB_LARGE_OBJECT ? 3 : 5) * limit,
					      cached(c)); /* the depot's magazines */
		EXPECT_EQ(0, kmem_cache_check(c));
		EXPECT_EQ(0, kmem_cache_destroy(c));
	}
}

KTEST(slab, "kmem_cache_set_array_limit: a lower limit drains every array and the depot, a higher one holds more")
{
	struct kmem_cache *c = kmem_cache_create("test-tune", 64, 0, SLAB_NO_DEBUG, NULL);
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	churn(c, 3 * 32);
	EXPECT_EQ_WITH_MEMORY(3 * 32, cached(c));
	EXPECT_EQ(0, kmem_cache_set_array_limit(c, 1));
	kmem_cache_info(c, &si);
	EXPECT_EQ(1, si.array_limit);
	EXPECT_EQ(0, si.array_objs + si.depot_objs);
	EXPECT_EQ(0, si.active_objs);
	EXPECT_EQ(0, kmem_cache_check(c));
	churn(c, 5);
	EXPECT_EQ_WITH_MEMORY(5, cached(c)); /* two arrays of one, three magazines of one */
	EXPECT_EQ(0, kmem_cache_check(c));
	EXPECT_EQ(0, kmem_cache_set_array_limit(c, 32));
	churn(c, 2 * 32);
	EXPECT_EQ_WITH_MEMORY(2 * 32, cached(c));
	EXPECT_EQ(0, kmem_cache_check(c));
	EXPECT_EQ(0, kmem_cache_destroy(c));

	/* more than about 8 KiB of objects, if the caller says so */
	c = kmem_cache_create("test-tune", 4096, 0, SLAB_NO_DEBUG, NULL);
	ASSERT_NOT_NULL(c);
	EXPECT_EQ(0, kmem_cache_set_array_limit(c, 16));
	if (churn(c, 3 * 16))
		EXPECT_EQ_WITH_MEMORY(3 * 16, cached(c));
	EXPECT_EQ(0, kmem_cache_check(c));
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "kmem_cache_set_array_limit refuses a bad or destroyed handle, a cache without arrays and a limit out of range")
{
	struct kmem_cache *c = kmem_cache_create("test-tune", 64, 0, SLAB_NO_DEBUG, NULL), *debug;
	struct slab_info si;
	int ret = 0;

	ASSERT_NOT_NULL(c);
	debug = kmem_cache_create("test-tune-debug", 64, 0, SLAB_DEBUG, NULL);
	if (!EXPECT_NOT_NULL(debug)) {
		kmem_cache_destroy(c);
		return;
	}
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, ret = kmem_cache_set_array_limit(NULL, 4));
	EXPECT_EQ(-1, ret);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 1, ret = kmem_cache_set_array_limit(debug, 4));
	EXPECT_EQ(-1, ret);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 1, ret = kmem_cache_set_array_limit(c, 0));
	EXPECT_EQ(-1, ret);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 1,
		       ret = kmem_cache_set_array_limit(c, SLAB_MAG_LIMIT_MAX + 1));
	EXPECT_EQ(-1, ret);
	kmem_cache_info(c, &si);
	EXPECT_EQ(32, si.array_limit);
	kmem_cache_info(debug, &si);
	EXPECT_EQ(0, si.array_limit);
	EXPECT_EQ(0, kmem_cache_destroy(debug));
	EXPECT_EQ(0, kmem_cache_destroy(c));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, ret = kmem_cache_set_array_limit(c, 4));
	EXPECT_EQ(-1, ret);
}

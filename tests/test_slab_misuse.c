/*
 * Suite slab, continued: each misuse of a cache is caught and named by
 * exactly one report, and nothing is changed by the refused operation.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/buddy.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "kernel/whatis.h"

static struct kmem_cache *debug_cache(const char *name, size_t size)
{
	return kmem_cache_create(name, size, 0, SLAB_DEBUG, NULL);
}

KTEST(slab, "debug: a double free is reported and the object stays free once")
{
	struct kmem_cache *c = debug_cache("test-dfree", 48);
	void *p, *q;
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	if (!slab_test_alloc_pair(c, &p, &q))
		goto out;
	kmem_cache_free(c, p);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, p));
	kmem_cache_info(c, &si);
	EXPECT_EQ(1, si.active_objs);
	kmem_cache_free(c, q);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, p));
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

/* Out of line (and out of gcc's interprocedural reach, so the names stay
 * as written), and not tail calls (the empty asm after the call), so that
 * the return address the slab records is inside them: the callers the
 * debug records must name. */
static __attribute__((noipa)) void *misuse_alloc_site(struct kmem_cache *c)
{
	void *p = kmem_cache_alloc(c, GFP_KERNEL);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

static __attribute__((noipa)) void misuse_free_site(struct kmem_cache *c, void *p)
{
	kmem_cache_free(c, p);
	__asm__ volatile("" : : : "memory");
}

KTEST(slab, "debug: whatis and a double free report name the allocating and freeing functions")
{
	struct kmem_cache *c = debug_cache("test-dfree-who", 48);
	void *p;

	char what[160];

	ASSERT_NOT_NULL(c);
	p = misuse_alloc_site(c);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	whatis_virt((uintptr_t)p, what, sizeof(what));
	EXPECT_TRUE(strstr(what, "an allocated object of cache test-dfree-who") != NULL);
	EXPECT_TRUE(strstr(what, ", allocated by misuse_alloc_site+0x") != NULL);
	misuse_free_site(c, p);
	whatis_virt((uintptr_t)p, what, sizeof(what));
	EXPECT_TRUE(strstr(what, "a free object") != NULL);
	EXPECT_TRUE(strstr(what, ", freed by misuse_free_site+0x") != NULL);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, misuse_free_site(c, p));
	EXPECT_TRUE(strstr(report_last(), "allocated by misuse_alloc_site+0x") != NULL);
	EXPECT_TRUE(strstr(report_last(), "freed by misuse_free_site+0x") != NULL);
	EXPECT_TRUE(strstr(report_last(), "freed again by misuse_free_site+0x") != NULL);
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "no debug: freeing the object at the head of the free list is a double free")
{
	struct kmem_cache *c = kmem_cache_create("test-ndfree", 48, 0, SLAB_NO_DEBUG, NULL);
	void *p, *q;

	ASSERT_NOT_NULL(c);
	if (!slab_test_alloc_pair(c, &p, &q))
		goto out;
	kmem_cache_free(c, p);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, p));
	kmem_cache_free(c, q);
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "no debug: objects in the cache's array are free, and misuse still caught")
{
	struct kmem_cache *c = kmem_cache_create("test-array", 40, 0, SLAB_NO_DEBUG, NULL);
	void *p, *q;
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	if (!slab_test_alloc_pair(c, &p, &q))
		goto out;
	kmem_cache_free(c, p); /* onto the array, not the slab */
	kmem_cache_info(c, &si);
	EXPECT_EQ(1, si.active_objs);
	EXPECT_TRUE(kmem_object_is_free(c, p));
	EXPECT_FALSE(kmem_object_is_free(c, q));
	EXPECT_EQ(0, kmem_cache_check(c));
	EXPECT_REPORTS(REPORT_INTERIOR_POINTER, 2,
		       kmem_cache_free(c, (uint8_t *)q + 8);
		       kmem_cache_free(c, (uint8_t *)q + 20));
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, p));
	kmem_cache_drain(c); /* p goes back to its slab */
	EXPECT_TRUE(kmem_object_is_free(c, p));
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, p));
	kmem_cache_free(c, q);
	kmem_cache_info(c, &si);
	EXPECT_EQ(0, si.active_objs);
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "no debug: a double free below the top of the array is caught, never handed out twice")
{
	struct kmem_cache *c = kmem_cache_create("test-deep", 48, 0, SLAB_NO_DEBUG, NULL);
	void *a, *b, *x, *p[3] = { NULL, NULL, NULL };

	ASSERT_NOT_NULL(c);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(a) || !EXPECT_NOT_NULL(b) || !EXPECT_NOT_NULL(x)) {
		kmem_cache_free(c, a); /* the test frees them itself */
		kmem_cache_free(c, b);
		goto out;
	}
	kmem_cache_free(c, a);
	kmem_cache_free(c, b); /* a is no longer on top */
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, a));
	for (int i = 0; i < 3; i++) {
		p[i] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!EXPECT_NOT_NULL(p[i]))
			goto out;
	}
	EXPECT_TRUE(p[0] != p[1] && p[1] != p[2] && p[0] != p[2]);
	EXPECT_TRUE(p[0] != x && p[1] != x && p[2] != x);
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	for (int i = 0; i < 3; i++)
		kmem_cache_free(c, p[i]);
	kmem_cache_free(c, x);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "freeing to the wrong cache is reported and refused")
{
	struct kmem_cache *a = kmem_cache_create("test-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("test-b", 64, 0, SLAB_NO_DEBUG, NULL);
	void *p;

	if (!EXPECT_NOT_NULL(a) || !EXPECT_NOT_NULL(b))
		goto out;
	p = kmem_cache_alloc(a, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	EXPECT_REPORTS(REPORT_WRONG_CACHE, 1, kmem_cache_free(b, p));
	kmem_cache_free(a, p);
out:
	if (a)
		EXPECT_EQ(0, kmem_cache_destroy(a));
	if (b)
		EXPECT_EQ(0, kmem_cache_destroy(b));
}

KTEST(slab, "an interior pointer is reported and refused")
{
	struct kmem_cache *c = kmem_cache_create("test-int", 64, 0, 0, NULL);
	uint8_t *p;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	EXPECT_REPORTS(REPORT_INTERIOR_POINTER, 1, kmem_cache_free(c, p + 8));
	kmem_cache_free(c, p);
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "a foreign pointer (stack, kernel image, a buddy page) is reported")
{
	struct kmem_cache *c = kmem_cache_create("test-foreign", 64, 0, 0, NULL);
	static uint8_t in_image[64];
	uint8_t on_stack[64];
	uintptr_t page = __get_free_pages(GFP_KERNEL, 0);

	if (!EXPECT_NOT_NULL(c) || !EXPECT_NE(0, page))
		goto out;
	EXPECT_REPORTS(REPORT_OUT_OF_RANGE, 3,
		       kmem_cache_free(c, on_stack);
		       kmem_cache_free(c, in_image);
		       kmem_cache_free(c, (void *)page));
out:
	free_pages(page, 0);
	if (c)
		EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "debug: a write one byte past an object hits the red zone")
{
	struct kmem_cache *c = debug_cache("test-rz", 40);
	uint8_t *p;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	p[40] = 1;
	EXPECT_REPORTS(REPORT_REDZONE, 1, kmem_cache_free(c, p));
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	p[-1] = 1; /* and one byte before */
	EXPECT_REPORTS(REPORT_REDZONE, 1, kmem_cache_free(c, p));
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "debug: a write to a freed object is caught by its poison")
{
	struct kmem_cache *c = debug_cache("test-uaf", 40);
	uint8_t *p, *q;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	kmem_cache_free(c, p);
	EXPECT_EQ(SLAB_POISON_FREE, p[0]);
	p[20] = 0;
	/* Next allocation hands out the same object and checks it. */
	EXPECT_REPORTS(REPORT_USE_AFTER_FREE, 1, q = kmem_cache_alloc(c, GFP_KERNEL));
	if (!EXPECT_NOT_NULL(q))
		goto out;
	EXPECT_PTR_EQ(p, q);
	kmem_cache_free(c, q);
	/* ... and the sweep finds it too. */
	q[3] = 0;
	EXPECT_REPORTS(REPORT_USE_AFTER_FREE, 1, kmem_cache_check(c));
	EXPECT_EQ(0, kmem_cache_check(c)); /* repaired: one report per write */
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "destroying a cache with live objects reports the count and frees nothing in use")
{
	struct kmem_cache *c = kmem_cache_create("test-busy", 128, 0, 0, NULL);
	uint8_t *p, *q;
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p) || !EXPECT_NOT_NULL(q))
		goto out;
	memset(p, 0x77, 128);
	EXPECT_REPORTS(REPORT_IN_USE, 1, EXPECT_EQ(ERR_BUSY, kmem_cache_destroy(c)));
	kmem_cache_info(c, &si);
	EXPECT_EQ(2, si.active_objs);
	EXPECT_EQ(1, si.slabs);
	EXPECT_EQ(0x77, p[127]);
out:
	kmem_cache_free(c, p);
	kmem_cache_free(c, q);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "kmem_cache_create refuses bad arguments, each with one report")
{
	EXPECT_REPORTS(REPORT_INVALID_ARG, 11,
		       EXPECT_NULL(kmem_cache_create("bad", 0, 0, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", 16, 24, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", 16, 3, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", 16, 8192, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", (size_t)64 << 20, 0, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", ~(size_t)0, 0, 0, NULL));
		       EXPECT_NULL(kmem_cache_create(NULL, 16, 0, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("", 16, 0, 0, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", 16, 0, 0x40, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", 16, 0, SLAB_KMALLOC, NULL));
		       EXPECT_NULL(kmem_cache_create("bad", 16, 0, SLAB_DEBUG | SLAB_NO_DEBUG, NULL)));
	/* 4 MiB is the largest object, but not with debug areas around it */
	EXPECT_REPORTS(REPORT_INVALID_ARG, 1,
		       EXPECT_NULL(kmem_cache_create("bad", SLAB_MAX_SIZE, 0, SLAB_DEBUG, NULL)));
}

KTEST(slab, "a name longer than SLAB_NAME_MAX - 1 is cut, not refused")
{
	struct kmem_cache *c = kmem_cache_create("test-a-name-much-longer-than-the-limit",
						 16, 0, 0, NULL);

	ASSERT_NOT_NULL(c);
	EXPECT_EQ(SLAB_NAME_MAX - 1, strlen(kmem_cache_name(c)));
	EXPECT_STREQ("test-a-name-much-longer", kmem_cache_name(c));
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

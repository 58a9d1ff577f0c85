/*
 * Suite slab, continued: cache handles (mm/slab_handle.c).  A cache that
 * was destroyed (REPORT_DEAD_HANDLE; destroyed again: REPORT_DOUBLE_FREE),
 * NULL, or an address that is no cache (REPORT_BAD_HANDLE) is one named
 * report at every call, and the call is refused with nothing changed; so are kmem_cache_create's bad arguments and unknown gfp bits
 * (REPORT_INVALID_ARG).
 *
 * A destroyed cache is recognisable while its slot stays free: the tests
 * keep a second cache alive, so that the slot's slab stays a slab of the
 * cache of caches, and use the handle before anything else is created.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/buddy.h"
#include "lib/string.h"
#include "lib/errno.h"

/* Two caches, `keep` and `dead`, the second destroyed: false (nothing
 * left behind) when one could not be made. */
static bool make_dead(struct kmem_cache **keep, struct kmem_cache **dead,
		      unsigned flags)
{
	*keep = kmem_cache_create("test-keep", 64, 0, flags, NULL);
	*dead = kmem_cache_create("test-dead", 64, 0, flags, NULL);
	if (!EXPECT_NOT_NULL(*keep) || !EXPECT_NOT_NULL(*dead)) {
		if (*keep)
			kmem_cache_destroy(*keep);
		if (*dead)
			kmem_cache_destroy(*dead);
		return false;
	}
	return EXPECT_EQ(0, kmem_cache_destroy(*dead));
}

KTEST(slab, "a cache destroyed twice: the second destroy is one report and ERR_INVALID_ARGS")
{
	struct kmem_cache *keep, *dead;

	if (!make_dead(&keep, &dead, 0))
		return;
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1,
		       EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy(dead)));
	EXPECT_TRUE(strstr(report_last(), "test-dead") != NULL);
	EXPECT_EQ(0, kmem_cache_destroy(keep));
}

/* Every call on the destroyed cache `dead` is refused: one report each,
 * and no object handed out or taken back.  obj is a live object of keep. */
static void use_dead(struct kmem_cache *keep, struct kmem_cache *dead, void *obj)
{
	struct slab_info si;

	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, EXPECT_NULL(kmem_cache_alloc(dead, GFP_KERNEL)));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1,
		       EXPECT_NULL(kmem_cache_alloc(dead, GFP_KERNEL | __GFP_ZERO)));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, kmem_cache_free(dead, obj));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, EXPECT_EQ(0, kmem_cache_shrink(dead)));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, kmem_cache_drain(dead));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, kmem_cache_info(dead, &si));
	EXPECT_EQ(0, si.slabs);
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, EXPECT_EQ(1, kmem_cache_check(dead)));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, EXPECT_EQ(0, kmem_cache_size(dead)));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, kmem_cache_name(dead));
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1,
		       EXPECT_EQ(0, kmem_cache_release_quarantine(dead)));
	/* the object is still keep's, live */
	kmem_cache_info(keep, &si);
	EXPECT_EQ(1, si.active_objs);
	EXPECT_FALSE(kmem_object_is_free(keep, obj));
}

/* make_dead, then use_dead with an object of keep. */
static void dead_cache_calls(unsigned flags)
{
	struct kmem_cache *keep, *dead;
	void *obj;

	if (!make_dead(&keep, &dead, flags))
		return;
	obj = kmem_cache_alloc(keep, GFP_KERNEL);
	if (EXPECT_NOT_NULL(obj)) {
		use_dead(keep, dead, obj);
		kmem_cache_free(keep, obj);
	}
	EXPECT_EQ(0, kmem_cache_destroy(keep));
}

KTEST(slab, "a destroyed cache: alloc, free and every other call report it and change nothing")
{
	dead_cache_calls(0);
}

KTEST(slab, "no debug: a destroyed cache is refused on the fast paths too")
{
	dead_cache_calls(SLAB_NO_DEBUG);
}

KTEST(slab, "a NULL cache is reported by every call that is not a fast path")
{
	struct slab_info si;

	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy(NULL)));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, EXPECT_EQ(0, kmem_cache_shrink(NULL)));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, kmem_cache_drain(NULL));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, kmem_cache_info(NULL, &si));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, EXPECT_EQ(1, kmem_cache_check(NULL)));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, EXPECT_EQ(0, kmem_cache_size(NULL)));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, kmem_cache_name(NULL));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1,
		       EXPECT_EQ(0, kmem_cache_release_quarantine(NULL)));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1,
		       EXPECT_NULL(kmem_cache_alloc(NULL, GFP_KERNEL | __GFP_ZERO)));
	/* and where the answers go */
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       kmem_cache_info(kmalloc_cache(0), NULL);
		       EXPECT_EQ(0, slab_get_info(NULL, 4)));
	EXPECT_GT(slab_get_info(NULL, 0), KMALLOC_NR_CLASSES); /* count only */
}

KTEST(slab, "an address that is no cache (stack, kernel image, a kmalloc object, inside a cache) is refused")
{
	static uint8_t in_image[512];
	uint8_t on_stack[512];
	struct kmem_cache *c = kmem_cache_create("test-notcache", 64, 0, 0, NULL);
	void *obj = kmalloc(512, GFP_KERNEL);

	if (!EXPECT_NOT_NULL(c) || !EXPECT_NOT_NULL(obj))
		goto out;
	memset(on_stack, 0, sizeof(on_stack));
	memset(obj, 0, 512);
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 4,
		       EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy((void *)on_stack));
		       EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy((void *)in_image));
		       EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy(obj));
		       EXPECT_EQ(ERR_INVALID_ARGS,
				 kmem_cache_destroy((void *)((uintptr_t)c + 8))));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 2,
		       EXPECT_EQ(0, kmem_cache_shrink((void *)on_stack));
		       EXPECT_EQ(1, kmem_cache_check(obj)));
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	kfree(obj);
	if (c)
		EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "the cache of caches and the kmalloc size classes are never destroyed")
{
	struct kmem_cache *biggest = kmalloc_cache(KMALLOC_NR_CLASSES - 1), *caches;
	void *p;

	/* the cache of caches: the one that struct kmem_cache comes from */
	caches = slab_find_object(biggest, NULL);
	ASSERT_NOT_NULL(caches);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy(biggest));
		       EXPECT_EQ(ERR_INVALID_ARGS, kmem_cache_destroy(caches)));
	/* kmalloc still has its class */
	p = kmalloc(KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
	if (EXPECT_NOT_NULL(p))
		EXPECT_PTR_EQ(biggest, slab_find_object(p, NULL));
	kfree(p);
}

KTEST(slab, "kmem_cache_alloc with gfp bits no flag has is refused")
{
	struct kmem_cache *c = kmem_cache_create("test-gfp", 64, 0, 0, NULL);
	void *p = NULL;
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       p = kmem_cache_alloc(c, 0x100);
		       EXPECT_NULL(p);
		       kmem_cache_free(c, p);
		       p = kmem_cache_alloc(c, 0x80000000u | __GFP_ZERO);
		       EXPECT_NULL(p);
		       kmem_cache_free(c, p));
	kmem_cache_info(c, &si);
	EXPECT_EQ(0, si.active_objs);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "a NULL cache, or one in the NULL page, on the fast paths of kmem_cache_alloc and kmem_cache_free: one report each, nothing done")
{
	struct kmem_cache *c = kmem_cache_create("test-nullfast", 64, 0, SLAB_NO_DEBUG, NULL);
	void *obj;
	struct slab_info si;

	ASSERT_NOT_NULL(c);
	obj = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(obj))
		goto out;
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 6,
		       EXPECT_NULL(kmem_cache_alloc(NULL, GFP_KERNEL));
		       EXPECT_NULL(kmem_cache_alloc((struct kmem_cache *)0x40, GFP_KERNEL));
		       EXPECT_NULL(kmem_cache_alloc((struct kmem_cache *)0x40, __GFP_ZERO));
		       kmem_cache_free(NULL, obj);
		       kmem_cache_free((struct kmem_cache *)0x40, obj);
		       kmem_cache_free(NULL, NULL));
	kmem_cache_info(c, &si);
	EXPECT_EQ(1, si.active_objs); /* obj is still c's, live */
	kmem_cache_free(c, obj);
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "kmem_init and slab_init called again are refused, every cache as it was")
{
	struct kmem_cache *c64 = kmalloc_cache(3);
	void *p = kmalloc(64, GFP_KERNEL);

	ASSERT_NOT_NULL(p);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2, kmem_init(false); EXPECT_FALSE(slab_init(true)));
	EXPECT_PTR_EQ(c64, kmalloc_cache(3));
	EXPECT_PTR_EQ(c64, slab_find_object(p, NULL));
	kfree(p);
	EXPECT_EQ(0, slab_check());
}

static void fill_ctor(void *obj)
{
	*(uint8_t *)obj = 0x5a;
}

/* A constructor that writes 1004 bytes into an object of 1000. */
static void overflow_ctor(void *obj)
{
	memset(obj, 0x5a, 1004);
}

KTEST(slab, "a constructor may build an object of one byte: its state survives free and allocation, debug or not")
{
	static const unsigned flags[] = { SLAB_DEBUG, SLAB_NO_DEBUG };

	for (unsigned i = 0; i < ARRAY_SIZE(flags); i++) {
		struct kmem_cache *c = kmem_cache_create("test-ctor-1", 1, 0, flags[i], fill_ctor);
		uint8_t *p;

		ASSERT_NOT_NULL(c);
		p = kmem_cache_alloc(c, GFP_KERNEL);
		if (EXPECT_NOT_NULL(p)) {
			EXPECT_EQ(0x5a, *p);
			kmem_cache_free(c, p);
			p = kmem_cache_alloc(c, GFP_KERNEL);
			if (EXPECT_NOT_NULL(p))
				EXPECT_EQ(0x5a, *p);
			kmem_cache_free(c, p);
		}
		EXPECT_EQ(0, kmem_cache_check(c));
		EXPECT_EQ(0, kmem_cache_destroy(c));
	}
}

KTEST(slab, "debug: a constructor that writes past its object is a red-zone report when the object is handed out")
{
	struct kmem_cache *c = kmem_cache_create("test-ctor-over", 1000, 0, SLAB_DEBUG, overflow_ctor);
	unsigned long n = report_count(REPORT_REDZONE);
	void *p;

	ASSERT_NOT_NULL(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p))
		goto out;
	/* the object handed out: its own red zone, one report */
	EXPECT_EQ(n + 1, report_count(REPORT_REDZONE));
	report_expect(1);
	kmem_cache_free(c, p);
	/* the rest of the slab is reported by the checker, then repaired */
	report_expect(kmem_cache_check(c));
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

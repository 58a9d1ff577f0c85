/* Helpers shared by the slab and kmalloc suites. */
#ifndef TESTS_SLAB_TEST_H
#define TESTS_SLAB_TEST_H

#include "tests/ktest.h"
#include "mm/report.h"
#include "mm/slab.h"

/*
 * Runs `stmt` and expects it to cause exactly n reports of `kind`; announces
 * them to the per-test report check (report_expect).
 */
#define EXPECT_REPORTS(kind, n, stmt)                                      \
	do {                                                               \
		unsigned long before_ = report_count(kind);                \
		unsigned long total_ = report_total();                     \
		stmt;                                                      \
		EXPECT_EQ((unsigned long)(n), report_count(kind) - before_); \
		EXPECT_EQ((unsigned long)(n), report_total() - total_);    \
		report_expect(n);                                          \
	} while (0)

/*
 * A test's way out when an allocation fails part way (on a machine with
 * little memory): gives objs[0..n) back to c, then destroys c, so that the
 * failed test leaves nothing behind.  NULL entries are skipped.
 */
static inline void slab_test_release(struct kmem_cache *c, void *const *objs,
				     int n)
{
	while (n-- > 0)
		kmem_cache_free(c, objs[n]);
	kmem_cache_destroy(c);
}

/* ASSERT_NOT_NULL(objs[i]), where objs[0..i) came from cache c: on failure
 * they and c are released first. */
#define ASSERT_OBJ(c, objs, i)                                             \
	do {                                                               \
		if (!EXPECT_NOT_NULL(objs[i])) {                           \
			slab_test_release(c, (void *const *)(objs), i);    \
			return;                                            \
		}                                                          \
	} while (0)

/* Two objects from c into *a and *b; on failure (a machine with little
 * memory) gives back the one it got, records the failure and says false. */
static inline bool slab_test_alloc_pair(struct kmem_cache *c, void **a, void **b)
{
	*a = kmem_cache_alloc(c, GFP_KERNEL);
	*b = kmem_cache_alloc(c, GFP_KERNEL);
	if (EXPECT_NOT_NULL(*a) && EXPECT_NOT_NULL(*b))
		return true;
	kmem_cache_free(c, *a);
	kmem_cache_free(c, *b);
	return false;
}

#endif

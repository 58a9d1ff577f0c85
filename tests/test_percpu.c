/*
 * Suite smp_alloc, continued: the per-CPU space's calls (mm/percpu.c) with
 * what a careless caller passes.  A free that is wrong -- a pointer
 * outside the space or into a piece, a piece freed twice, another size
 * than allocated -- is one named report and changes nothing (before these
 * checks it cleared whatever units it named, and the next allocation got
 * a piece another cache's arrays were still using); a size of 0 or beyond
 * the space is refused with a report.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/platform.h"
#include "lib/string.h"

KTEST(smp_alloc, "per-CPU space: a bad size, a foreign or interior pointer, a double free and a wrong size are refused with a report")
{
	size_t used = mm_percpu_used();
	uint8_t *a, *b, *again;
	static uint8_t not_percpu[64];

	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       EXPECT_NULL(mm_percpu_alloc(0));
		       EXPECT_NULL(mm_percpu_alloc(MM_PERCPU_BYTES)));
	a = mm_percpu_alloc(100);
	b = mm_percpu_alloc(64);
	if (!EXPECT_NOT_NULL(a) || !EXPECT_NOT_NULL(b)) {
		mm_percpu_free(a, 100);
		mm_percpu_free(b, 64);
		return;
	}
	EXPECT_EQ(used + 128 + 64, mm_percpu_used());
	memset(mm_this_cpu(b), 0x5a, 64);
	EXPECT_REPORTS(REPORT_OUT_OF_RANGE, 2,
		       mm_percpu_free(not_percpu, 64);
		       mm_percpu_free(mm_percpu_space(), 64)); /* the buddy's fixed part */
	EXPECT_REPORTS(REPORT_INTERIOR_POINTER, 2,
		       mm_percpu_free(a + 32, 64);
		       mm_percpu_free(a + 8, 64));
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       mm_percpu_free(a, 32);
		       mm_percpu_free(a, 128 + 64)); /* would reach into b */
	EXPECT_EQ(used + 128 + 64, mm_percpu_used()); /* nothing freed */
	mm_percpu_free(a, 100);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, mm_percpu_free(a, 100));
	EXPECT_EQ(used + 64, mm_percpu_used());
	/* b was never touched by the refused frees: a new piece is not b */
	again = mm_percpu_alloc(64);
	if (EXPECT_NOT_NULL(again)) {
		EXPECT_TRUE(again != b);
		mm_percpu_free(again, 64);
	}
	EXPECT_EQ(0x5a, ((uint8_t *)mm_this_cpu(b))[63]);
	mm_percpu_free(b, 64);
	EXPECT_EQ(used, mm_percpu_used());
}

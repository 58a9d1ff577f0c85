/*
 * Suite freelist, continued: misuse.  A bad free -- twice, after the chunk
 * has merged, into the middle of a chunk, outside the heap, over an
 * overwritten magic number -- is one named report and changes nothing;
 * the consistency checker finds a wrong counter and a corrupted header.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/freelist.h"
#include "mm/report.h"
#include "mm/platform.h"
#include "lib/string.h"

static uint8_t arena[16384] __aligned(16);

/* A heap with two allocated chunks a, b and a free tail, for misuse tests;
 * false if either allocation failed. */
struct victim {
	struct freelist heap;
	uint8_t *a, *b;
};

static bool victim_build(struct victim *v)
{
	freelist_init(&v->heap, "victim", FREELIST_FIRST_FIT, NULL);
	freelist_add_buffer(&v->heap, arena, sizeof(arena));
	v->a = freelist_alloc(&v->heap, 64);
	v->b = freelist_alloc(&v->heap, 64);
	return v->a && v->b;
}

/* Frees ptr, expecting exactly one report of `kind` and no change. */
static void expect_refused(struct victim *v, void *ptr, enum report_kind kind)
{
	unsigned long before = report_count(kind);
	size_t free_before = freelist_bytes_free(&v->heap);
	size_t chunks_before = freelist_chunk_count(&v->heap);

	report_expect(1);
	freelist_free(&v->heap, ptr);
	EXPECT_EQ(before + 1, report_count(kind));
	EXPECT_EQ(free_before, freelist_bytes_free(&v->heap));
	EXPECT_EQ(chunks_before, freelist_chunk_count(&v->heap));
}

static void victim_free(struct victim *v)
{
	EXPECT_EQ(0, freelist_check(&v->heap));
	freelist_free(&v->heap, v->a);
	freelist_free(&v->heap, v->b);
	EXPECT_EQ(1, freelist_chunk_count(&v->heap));
	freelist_destroy(&v->heap); /* off lockstat's list before v goes */
}

KTEST(freelist, "a double free is reported and changes nothing")
{
	struct victim v;

	ASSERT_TRUE(victim_build(&v));
	freelist_free(&v.heap, v.a);
	expect_refused(&v, v.a, REPORT_DOUBLE_FREE);
	v.a = NULL;
	victim_free(&v);
}

KTEST(freelist, "a double free is recognised after the chunk has merged")
{
	struct victim v;

	ASSERT_TRUE(victim_build(&v));
	freelist_free(&v.heap, v.a);
	freelist_free(&v.heap, v.b); /* merges into a's chunk and the tail */
	expect_refused(&v, v.b, REPORT_DOUBLE_FREE);
	v.a = v.b = NULL;
	victim_free(&v);
}

KTEST(freelist, "a pointer into the middle of a chunk is reported")
{
	struct victim v;

	ASSERT_TRUE(victim_build(&v));
	expect_refused(&v, v.b + 8, REPORT_INTERIOR_POINTER);
	expect_refused(&v, v.b - 4, REPORT_INTERIOR_POINTER); /* its header */
	expect_refused(&v, arena, REPORT_INTERIOR_POINTER); /* region record */
	victim_free(&v);
}

KTEST(freelist, "a pointer outside the heap is reported")
{
	struct victim v;
	uint32_t local;

	ASSERT_TRUE(victim_build(&v));
	expect_refused(&v, &local, REPORT_OUT_OF_RANGE);
	expect_refused(&v, arena + sizeof(arena), REPORT_OUT_OF_RANGE);
	victim_free(&v);
}

KTEST(freelist, "an overwritten magic number is reported; the chunk stays allocated")
{
	struct victim v;
	uint32_t *magic;

	ASSERT_TRUE(victim_build(&v));
	magic = (uint32_t *)v.b - 1; /* the header's second word */
	*magic ^= 0x00010000;
	expect_refused(&v, v.b, REPORT_BAD_MAGIC);
	*magic ^= 0x00010000;
	EXPECT_EQ(128, freelist_bytes_used(&v.heap));
	victim_free(&v);
}

KTEST(freelist, "the checker finds a wrong counter and a corrupted header")
{
	struct victim v;
	uint32_t *size;
	unsigned n;

	ASSERT_TRUE(victim_build(&v));
	v.heap.fl_bytes_free += 8;
	n = freelist_check(&v.heap);
	report_expect(n);
	EXPECT_EQ(1, n);
	v.heap.fl_bytes_free -= 8;
	size = (uint32_t *)v.a - 2; /* the header's first word */
	*size += FREELIST_ALIGN; /* a's chunk now ends inside b's header */
	n = freelist_check(&v.heap);
	report_expect(n);
	EXPECT_GE(n, 1);
	*size -= FREELIST_ALIGN;
	EXPECT_EQ(0, freelist_check(&v.heap));
	victim_free(&v);
}

KTEST(freelist, "a buffer added twice, or overlapping a region, is refused; the heap stays intact")
{
	struct victim v;
	unsigned long n = report_count(REPORT_INVALID_ARG);

	ASSERT_TRUE(victim_build(&v));
	report_expect(3);
	EXPECT_FALSE(freelist_add_buffer(&v.heap, arena, sizeof(arena)));
	EXPECT_FALSE(freelist_add_buffer(&v.heap, arena + 4096, 1024));
	EXPECT_FALSE(freelist_add_buffer(&v.heap, (void *)((uintptr_t)arena - 64), 128));
	EXPECT_EQ(n + 3, report_count(REPORT_INVALID_ARG));
	EXPECT_EQ(0, freelist_check(&v.heap));
	victim_free(&v);
}

KTEST(freelist, "a NULL heap is one report at every call, and refused")
{
	static uint8_t buf[256];
	size_t sizes[2];
	unsigned long n = report_count(REPORT_BAD_HANDLE);

	report_expect(13);
	freelist_init(NULL, "null", FREELIST_FIRST_FIT, NULL);
	EXPECT_FALSE(freelist_add_buffer(NULL, buf, sizeof(buf)));
	EXPECT_NULL(freelist_alloc(NULL, 16));
	freelist_free(NULL, buf + 64);
	EXPECT_EQ(0, freelist_destroy(NULL));
	freelist_set_policy(NULL, FREELIST_BEST_FIT);
	EXPECT_EQ(0, freelist_bytes_free(NULL));
	EXPECT_EQ(0, freelist_bytes_used(NULL));
	EXPECT_EQ(0, freelist_largest_free(NULL));
	EXPECT_EQ(0, freelist_chunk_count(NULL));
	EXPECT_EQ(0, freelist_free_sizes(NULL, sizes, 2));
	freelist_print(NULL);
	EXPECT_EQ(1, freelist_check(NULL));
	EXPECT_EQ(n + 13, report_count(REPORT_BAD_HANDLE));
}

KTEST(freelist, "sizes no heap serves (0, above 1 GiB) are NULL; a NULL array for the free sizes is refused")
{
	struct victim v;
	unsigned long n = report_count(REPORT_INVALID_ARG);

	ASSERT_TRUE(victim_build(&v));
	EXPECT_NULL(freelist_alloc(&v.heap, 0));
	EXPECT_NULL(freelist_alloc(&v.heap, ((size_t)1 << 30) + 1));
	EXPECT_NULL(freelist_alloc(&v.heap, ~(size_t)0));
	report_expect(1);
	EXPECT_EQ(0, freelist_free_sizes(&v.heap, NULL, 4));
	EXPECT_EQ(n + 1, report_count(REPORT_INVALID_ARG));
	EXPECT_EQ(1, freelist_free_sizes(&v.heap, NULL, 0)); /* count only */
	victim_free(&v);
}

KTEST(freelist, "a policy that does not exist, a NULL name or a half page source is refused, the heap still sound")
{
	static const struct freelist_page_source half = { .get_pages = NULL };
	struct freelist heap;
	uint8_t buf[512];
	unsigned long n = report_count(REPORT_INVALID_ARG);

	report_expect(4);
	freelist_init(&heap, NULL, (enum freelist_policy)9, &half);
	EXPECT_STREQ("first fit", freelist_policy_name(heap.fl_policy));
	EXPECT_STREQ("(unnamed)", heap.fl_name);
	EXPECT_NULL(heap.fl_source);
	freelist_set_policy(&heap, FREELIST_POLICY_COUNT);
	EXPECT_EQ(FREELIST_FIRST_FIT, heap.fl_policy);
	EXPECT_EQ(n + 4, report_count(REPORT_INVALID_ARG));
	EXPECT_TRUE(freelist_add_buffer(&heap, buf, sizeof(buf)));
	EXPECT_NULL(freelist_alloc(&heap, 4096)); /* cannot grow */
	EXPECT_EQ(0, freelist_check(&heap));
	freelist_destroy(&heap);
}

KTEST(freelist, "freelist_usable_size: 0 for NULL; a freed chunk or no chunk at all is a report and 0")
{
	struct victim v;
	uint64_t words[4] = { 0 };

	ASSERT_TRUE(victim_build(&v));
	EXPECT_EQ(0, freelist_usable_size(NULL));
	EXPECT_EQ(64, freelist_usable_size(v.a));
	freelist_free(&v.heap, v.a);
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 1, /* freed: its header says so */
		       EXPECT_EQ(0, freelist_usable_size(v.a)));
	EXPECT_REPORTS(REPORT_BAD_MAGIC, 1, EXPECT_EQ(0, freelist_usable_size(&words[2])));
	v.a = NULL;
	victim_free(&v);
}

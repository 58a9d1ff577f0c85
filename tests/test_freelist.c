/*
 * Suite freelist: the textbook free-list heap (mm/freelist) on the real CPU.
 *
 * The worked examples are written in textbook units: U bytes stand for one
 * textbook byte, and every size in them is a whole chunk, header included
 * (usable size + FREELIST_HDR_SIZE).  A "request of 15" asks for
 * freelist_request_for(15 U) usable bytes.  Counted that way, splitting is
 * exact subtraction (20 - 15 leaves 5) and merging exact addition
 * (10 + 10 = 20), as on paper; see mm/freelist.h.  Misuse is in
 * test_freelist_misuse.c.
 */
#include "tests/ktest.h"
#include "mm/freelist.h"
#include "mm/buddy.h"
#include "mm/platform.h"
#include "tests/frames_util.h"
#include "lib/string.h"

#define U 16 /* bytes per textbook byte */
#define REQ(units) freelist_request_for((units) * U)
#define MAX_CHUNKS 8

static uint8_t arena[16384] __aligned(16);

/* A worked example: a heap over `arena` whose free list holds chunks of the
 * given sizes (in U, headers included), in this order, kept apart by allocated chunks; the heap
 * cannot grow.  keep[] holds the allocated chunks (n + 1 of them). */
struct example {
	struct freelist heap;
	void *keep[MAX_CHUNKS + 1];
	void *hole[MAX_CHUNKS]; /* where each free chunk's payload starts */
	size_t n;
};

static void example_build(struct example *ex, enum freelist_policy policy,
			  const size_t *units, size_t n)
{
	void **hole = ex->hole;

	ex->n = n;
	freelist_init(&ex->heap, "worked-example", FREELIST_FIRST_FIT, NULL);
	freelist_add_buffer(&ex->heap, arena, sizeof(arena));
	for (size_t i = 0; i < n; i++) {
		hole[i] = freelist_alloc(&ex->heap, REQ(units[i]));
		ex->keep[i] = freelist_alloc(&ex->heap, 1);
	}
	/* The rest of the arena, so that only the holes stay free. */
	ex->keep[n] = freelist_alloc(&ex->heap,
				     freelist_largest_free(&ex->heap));
	for (size_t i = 0; i < n; i++)
		freelist_free(&ex->heap, hole[i]);
	freelist_set_policy(&ex->heap, policy);
}

/* Frees every chunk, then destroys the heap (off lockstat's list before
 * ex goes); returns the number of chunks the heap had left. */
static size_t example_free_all(struct example *ex)
{
	size_t chunks;

	for (size_t i = 0; i <= ex->n; i++)
		freelist_free(&ex->heap, ex->keep[i]);
	chunks = freelist_chunk_count(&ex->heap);
	freelist_destroy(&ex->heap);
	return chunks;
}

/* True if the free list reads exactly `units` (whole chunks, in U), in
 * address order. */
static bool free_list_is(const struct freelist *heap, const size_t *units,
			 size_t n)
{
	size_t sizes[MAX_CHUNKS];

	if (freelist_free_sizes(heap, sizes, MAX_CHUNKS) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sizes[i] + FREELIST_HDR_SIZE != units[i] * U)
			return false;
	return true;
}

#define EXPECT_FREE_LIST(heap, ...)                                        \
	do {                                                               \
		static const size_t want_[] = { __VA_ARGS__ };             \
		if (!EXPECT_TRUE(free_list_is(heap, want_,                 \
					      ARRAY_SIZE(want_))))         \
			freelist_print(heap);                              \
	} while (0)

KTEST(freelist, "the worked example is built: free list 10 -> 30 -> 20")
{
	static const size_t units[] = { 10, 30, 20 };
	struct example ex;

	example_build(&ex, FREELIST_FIRST_FIT, units, 3);
	EXPECT_FREE_LIST(&ex.heap, 10, 30, 20);
	EXPECT_EQ(60 * U - 3 * FREELIST_HDR_SIZE, freelist_bytes_free(&ex.heap));
	EXPECT_EQ(7, freelist_chunk_count(&ex.heap));
	EXPECT_EQ(0, freelist_check(&ex.heap));
	EXPECT_EQ(1, example_free_all(&ex));
}

KTEST(freelist, "two free chunks of 10 refuse a request of 15, heap unchanged")
{
	static const size_t units[] = { 10, 10 };
	struct example ex;

	example_build(&ex, FREELIST_FIRST_FIT, units, 2);
	EXPECT_NULL(freelist_alloc(&ex.heap, REQ(15)));
	EXPECT_FREE_LIST(&ex.heap, 10, 10);
	EXPECT_EQ(20 * U - 2 * FREELIST_HDR_SIZE, freelist_bytes_free(&ex.heap));
	EXPECT_EQ(0, freelist_check(&ex.heap));
	example_free_all(&ex);
}

KTEST(freelist, "a request splits a chunk: the front is handed out, the rest stays free")
{
	static const size_t units[] = { 30 };
	struct example ex;
	uint8_t *p, *q;

	example_build(&ex, FREELIST_FIRST_FIT, units, 1);
	p = freelist_alloc(&ex.heap, REQ(10));
	ASSERT_NOT_NULL(p);
	EXPECT_EQ(0, (uintptr_t)p % FREELIST_ALIGN);
	EXPECT_EQ(REQ(10), freelist_usable_size(p));
	EXPECT_FREE_LIST(&ex.heap, 20);
	/* The rest begins right after the chunk handed out. */
	q = freelist_alloc(&ex.heap, 1);
	EXPECT_PTR_EQ(p + REQ(10) + FREELIST_HDR_SIZE, q);
	EXPECT_EQ(0, freelist_check(&ex.heap));
	freelist_free(&ex.heap, q);
	freelist_free(&ex.heap, p);
	EXPECT_FREE_LIST(&ex.heap, 30);
	example_free_all(&ex);
}

KTEST(freelist, "an exact fit hands out the whole chunk and leaves no sliver")
{
	static const size_t units[] = { 10, 30 };
	struct example ex;
	void *p;

	example_build(&ex, FREELIST_BEST_FIT, units, 2);
	p = freelist_alloc(&ex.heap, REQ(10));
	ASSERT_NOT_NULL(p);
	EXPECT_EQ(REQ(10), freelist_usable_size(p));
	EXPECT_FREE_LIST(&ex.heap, 30);
	freelist_free(&ex.heap, p);
	EXPECT_FREE_LIST(&ex.heap, 10, 30);
	example_free_all(&ex);
}

/* Three neighbours a, b, c between allocated chunks; frees in `order`. */
static void coalesce_case(const int order[3], const size_t *after_two,
			  size_t n_after_two)
{
	struct freelist heap;
	void *p[3], *fence[2];

	freelist_init(&heap, "coalesce", FREELIST_FIRST_FIT, NULL);
	freelist_add_buffer(&heap, arena, sizeof(arena));
	fence[0] = freelist_alloc(&heap, 1);
	for (int i = 0; i < 3; i++)
		p[i] = freelist_alloc(&heap, REQ(10));
	fence[1] = freelist_alloc(&heap, freelist_largest_free(&heap));
	freelist_free(&heap, p[order[0]]);
	freelist_free(&heap, p[order[1]]);
	EXPECT_TRUE(free_list_is(&heap, after_two, n_after_two));
	freelist_free(&heap, p[order[2]]);
	EXPECT_FREE_LIST(&heap, 30);
	EXPECT_EQ(3, freelist_chunk_count(&heap));
	EXPECT_EQ(0, freelist_check(&heap));
	freelist_free(&heap, fence[0]);
	freelist_free(&heap, fence[1]);
	EXPECT_EQ(1, freelist_chunk_count(&heap));
	freelist_destroy(&heap);
}

KTEST(freelist, "free merges with the free chunk after it")
{
	static const int order[3] = { 1, 0, 2 };
	static const size_t two[] = { 20 };

	coalesce_case(order, two, 1);
}

KTEST(freelist, "free merges with the free chunk before it")
{
	static const int order[3] = { 0, 1, 2 };
	static const size_t two[] = { 20 };

	coalesce_case(order, two, 1);
}

KTEST(freelist, "free merges with both neighbours into one chunk")
{
	static const int order[3] = { 0, 2, 1 };
	static const size_t two[] = { 10, 10 };

	coalesce_case(order, two, 2);
}

/* Free list 10 -> 30 -> 20 and a request of 15 under `policy`: returns
 * which chunk (0, 1, 2) served it, or -1; the heap is left for inspection. */
static int policy_choice(enum freelist_policy policy, struct example *ex)
{
	static const size_t units[] = { 10, 30, 20 };
	void *p;

	example_build(ex, policy, units, 3);
	p = freelist_alloc(&ex->heap, REQ(15));
	for (int i = 0; i < 3; i++)
		if (p == ex->hole[i])
			return i;
	return -1;
}

static void policy_case(enum freelist_policy policy, int chunk,
			const size_t *after)
{
	struct example ex;

	EXPECT_EQ(chunk, policy_choice(policy, &ex));
	if (!EXPECT_TRUE(free_list_is(&ex.heap, after, 3)))
		freelist_print(&ex.heap);
	EXPECT_EQ(0, freelist_check(&ex.heap));
	freelist_free(&ex.heap, ex.hole[chunk]);
	EXPECT_EQ(1, example_free_all(&ex));
}

KTEST(freelist, "best fit takes the 20 for a 15: leaves 10 -> 30 -> 5")
{
	static const size_t after[] = { 10, 30, 5 };

	policy_case(FREELIST_BEST_FIT, 2, after);
}

KTEST(freelist, "worst fit takes the 30 for a 15: leaves 10 -> 15 -> 20")
{
	static const size_t after[] = { 10, 15, 20 };

	policy_case(FREELIST_WORST_FIT, 1, after);
}

KTEST(freelist, "first fit takes the 30 for a 15: leaves 10 -> 15 -> 20")
{
	static const size_t after[] = { 10, 15, 20 };

	policy_case(FREELIST_FIRST_FIT, 1, after);
}

KTEST(freelist, "next fit resumes where the last search stopped")
{
	static const size_t units[] = { 10, 30, 20 };
	struct example ex;
	void *a, *b, *c, *d;

	example_build(&ex, FREELIST_NEXT_FIT, units, 3);
	a = freelist_alloc(&ex.heap, REQ(15)); /* the 30: 10 -> 15 -> 20 */
	EXPECT_PTR_EQ(ex.hole[1], a);
	/* First fit would now take the 10; next fit goes on from the 15. */
	b = freelist_alloc(&ex.heap, REQ(10));
	EXPECT_PTR_EQ((uint8_t *)a + REQ(15) + FREELIST_HDR_SIZE, b);
	EXPECT_FREE_LIST(&ex.heap, 10, 5, 20);
	c = freelist_alloc(&ex.heap, REQ(20)); /* skips the 5 */
	EXPECT_PTR_EQ(ex.hole[2], c);
	EXPECT_FREE_LIST(&ex.heap, 10, 5);
	d = freelist_alloc(&ex.heap, REQ(10)); /* wraps round to the 10 */
	EXPECT_PTR_EQ(ex.hole[0], d);
	EXPECT_FREE_LIST(&ex.heap, 5);
	EXPECT_EQ(0, freelist_check(&ex.heap));
	freelist_free(&ex.heap, a);
	freelist_free(&ex.heap, b);
	freelist_free(&ex.heap, c);
	freelist_free(&ex.heap, d);
	EXPECT_FREE_LIST(&ex.heap, 10, 30, 20);
	example_free_all(&ex);
}

KTEST(freelist, "first fit on the same requests takes the 10 second")
{
	static const size_t units[] = { 10, 30, 20 };
	struct example ex;
	void *a, *b;

	example_build(&ex, FREELIST_FIRST_FIT, units, 3);
	a = freelist_alloc(&ex.heap, REQ(15));
	b = freelist_alloc(&ex.heap, REQ(10));
	EXPECT_PTR_EQ(ex.hole[0], b);
	EXPECT_FREE_LIST(&ex.heap, 15, 20);
	freelist_free(&ex.heap, a);
	freelist_free(&ex.heap, b);
	example_free_all(&ex);
}

/* --- growth ----------------------------------------------------------------
 * The pages come from a static pool with a first-fit map of its pages, so
 * that every request and return can be watched; the last test grows from
 * freelist_buddy_source.
 */
#define POOL_PAGES 16

static uint8_t pool[POOL_PAGES][MM_PAGE_SIZE] __aligned(MM_PAGE_SIZE);

struct pool_source {
	bool used[POOL_PAGES];
	size_t gets, pages_out;
};

static void *pool_get(void *ctx, size_t *pages)
{
	struct pool_source *ps = ctx;

	for (size_t i = 0; i + *pages <= POOL_PAGES; i++) {
		size_t k = 0;

		while (k < *pages && !ps->used[i + k])
			k++;
		if (k < *pages)
			continue;
		for (k = 0; k < *pages; k++)
			ps->used[i + k] = true;
		ps->gets++;
		ps->pages_out += *pages;
		return pool[i];
	}
	return NULL;
}

static void pool_put(void *ctx, void *addr, size_t pages)
{
	struct pool_source *ps = ctx;
	size_t first = (size_t)((uint8_t *)addr - pool[0]) / MM_PAGE_SIZE;

	for (size_t k = 0; k < pages; k++)
		ps->used[first + k] = false;
	ps->pages_out -= pages;
}

static struct pool_source pool_state;
static const struct freelist_page_source pool_source = {
	pool_get, pool_put, &pool_state
};

static void pool_reset(void)
{
	memset(&pool_state, 0, sizeof(pool_state));
}

KTEST(freelist, "a full heap grows by asking its page source for pages")
{
	struct freelist heap;
	void *p[8];

	pool_reset();
	freelist_init(&heap, "grow", FREELIST_FIRST_FIT, &pool_source);
	EXPECT_EQ(0, freelist_bytes_free(&heap));
	for (int i = 0; i < 8; i++)
		p[i] = freelist_alloc(&heap, 1000);
	/* About four chunks of 1000 fit a page: two pages, asked one by one. */
	EXPECT_EQ(2, pool_state.gets);
	EXPECT_EQ(2, heap.fl_nr_regions);
	EXPECT_EQ(2, pool_state.pages_out);
	/* A request bigger than a page takes a multi-page region. */
	void *big = freelist_alloc(&heap, 3 * MM_PAGE_SIZE);
	EXPECT_NOT_NULL(big);
	EXPECT_EQ(6, pool_state.pages_out);
	EXPECT_EQ(0, freelist_check(&heap));
	freelist_free(&heap, big);
	for (int i = 0; i < 8; i++)
		freelist_free(&heap, p[i]);
	/* Regions that fall empty go straight back. */
	EXPECT_EQ(0, pool_state.pages_out);
	EXPECT_EQ(0, freelist_chunk_count(&heap));
	EXPECT_EQ(0, freelist_destroy(&heap));
}

KTEST(freelist, "when the source is dry, allocation fails and the heap is intact")
{
	struct freelist heap;
	void *p;
	size_t before_free, before_chunks;

	pool_reset();
	freelist_init(&heap, "dry", FREELIST_BEST_FIT, &pool_source);
	p = freelist_alloc(&heap, 100);
	ASSERT_NOT_NULL(p);
	before_free = freelist_bytes_free(&heap);
	before_chunks = freelist_chunk_count(&heap);
	EXPECT_NULL(freelist_alloc(&heap, POOL_PAGES * MM_PAGE_SIZE));
	EXPECT_EQ(before_free, freelist_bytes_free(&heap));
	EXPECT_EQ(before_chunks, freelist_chunk_count(&heap));
	EXPECT_EQ(1, pool_state.pages_out);
	EXPECT_NULL(freelist_alloc(&heap, 0));
	EXPECT_EQ(0, freelist_check(&heap));
	freelist_free(&heap, p);
	EXPECT_EQ(0, pool_state.pages_out);
	freelist_destroy(&heap);
}

KTEST(freelist, "destroy gives every page back and counts the chunks left")
{
	struct freelist heap;

	pool_reset();
	freelist_init(&heap, "destroy", FREELIST_WORST_FIT, &pool_source);
	ASSERT_NOT_NULL(freelist_alloc(&heap, 5000));
	ASSERT_NOT_NULL(freelist_alloc(&heap, 10));
	EXPECT_EQ(2, freelist_destroy(&heap));
	EXPECT_EQ(0, pool_state.pages_out);
	EXPECT_EQ(0, freelist_chunk_count(&heap));
}

/* --- random stress ------------------------------------------------------------ */

#define STRESS_LIVE 64

static uint32_t stress_rng;

static uint32_t stress_next(void)
{
	stress_rng = stress_rng * 1664525u + 1013904223u;
	return stress_rng >> 8;
}

/* Returns the number of steps after which the heap was still consistent. */
static int stress(enum freelist_policy policy, uint32_t seed, int steps)
{
	struct freelist heap;
	struct { uint8_t *p; size_t n; uint8_t fill; } live[STRESS_LIVE];
	int nlive = 0, i;

	stress_rng = seed;
	pool_reset();
	freelist_init(&heap, "stress", policy, &pool_source);
	freelist_add_buffer(&heap, arena, sizeof(arena));
	for (i = 0; i < steps; i++) {
		if (nlive < STRESS_LIVE && (nlive == 0 || stress_next() % 3)) {
			size_t n = 1 + stress_next() % (stress_next() % 4 ? 200 : 3000);
			uint8_t *p = freelist_alloc(&heap, n);

			if (p) {
				live[nlive].fill = (uint8_t)stress_next();
				memset(p, live[nlive].fill, n);
				live[nlive].p = p;
				live[nlive++].n = n;
			}
		} else {
			int k = (int)(stress_next() % (uint32_t)nlive);

			for (size_t j = 0; j < live[k].n; j++)
				if (live[k].p[j] != live[k].fill)
					goto out;
			freelist_free(&heap, live[k].p);
			live[k] = live[--nlive];
		}
		if ((i % 16 == 0 || i == steps - 1) && freelist_check(&heap))
			break;
	}
out:
	while (nlive > 0)
		freelist_free(&heap, live[--nlive].p);
	if (freelist_chunk_count(&heap) != 1 || pool_state.pages_out != 0)
		i = -1;
	freelist_destroy(&heap);
	return i;
}

KTEST(freelist, "seeded random stress stays consistent under all four policies")
{
	for (int p = 0; p < FREELIST_POLICY_COUNT; p++) {
		int steps = stress((enum freelist_policy)p, 0x5eed + p, 3000);

		if (!EXPECT_EQ(3000, steps))
			ktest_check(false, __FILE__, __LINE__, "policy %s",
				    freelist_policy_name((enum freelist_policy)p));
	}
}

KTEST(freelist, "a heap backed by the buddy allocator grows by whole pages and gives them back")
{
	struct freelist heap;
	unsigned long free0 = buddy_free_pages();
	void *a, *big;

	freelist_init(&heap, "buddy-backed", FREELIST_FIRST_FIT,
		      &freelist_buddy_source);
	a = freelist_alloc(&heap, 100);
	if (!EXPECT_NOT_NULL(a))
		goto out;
	EXPECT_EQ(OWNER_FREELIST, page_owner(virt_to_page(a)));
	EXPECT_LT(buddy_free_pages(), free0);
	big = freelist_alloc(&heap, 3 * MM_PAGE_SIZE); /* needs another region */
	if (!EXPECT_NOT_NULL(big))
		goto out;
	EXPECT_EQ(OWNER_FREELIST, page_owner(virt_to_page(big)));
	EXPECT_EQ(0, freelist_check(&heap));
	freelist_free(&heap, big);
out:
	freelist_free(&heap, a);
	EXPECT_EQ(0, freelist_destroy(&heap));
	EXPECT_EQ(free0, buddy_free_pages());
}

KTEST(freelist, "a heap that cannot grow for want of frames returns NULL; the buddy's reclaim keeps the lock order")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	unsigned long reclaims = buddy_reclaims();
	struct freelist heap;

	/* the heap grows with its lock held; the buddy, finding nothing,
	 * reclaims from the slab caches, whose list lock must come after */
	freelist_init(&heap, "starved", FREELIST_FIRST_FIT, &freelist_buddy_source);
	frames_take_all(GFP_KERNEL, &taken);
	EXPECT_NULL(freelist_alloc(&heap, 100));
	EXPECT_LT(reclaims, buddy_reclaims());
	frames_give_back(&taken);
	EXPECT_EQ(0, freelist_destroy(&heap));
	/* and the hooks: no lock-order report */
}

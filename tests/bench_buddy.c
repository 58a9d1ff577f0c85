/* Buddy allocator benchmarks (issue: page_alloc_* and buddy_init). */
#include "tests/kbench.h"
#include "mm/buddy.h"
#include "mm/init.h"

#define PAIRS 10000
#define BATCH 4096

static struct page *batch[BATCH];

/*
 * n alloc+free pairs of one order.  Reports instructions per operation,
 * an operation being one call (alloc_pages or __free_pages), so that the
 * pair costs twice the figure -- the same unit as the batch benchmark.
 * A first pair, untimed and quiet, proves a block is there (a machine of
 * 4 MiB has no free 4 MiB block): each pair gives back what it took, so
 * none can fail after it.  The second, with the benchmark's own flags,
 * warms the hot list.  Inlined, so that the calls are those of a caller
 * with constant flags and order (alloc_pages picks its entry point then).
 */
static __always_inline void pairs(const char *name, gfp_t gfp, unsigned order, unsigned n)
{
	struct page *p = alloc_pages(gfp | __GFP_NOWARN, order);
	uint64_t t;

	if (!p) {
		bench_skip(name, "no free block of order %u (%u KiB) at this memory size", order,
			   (MM_PAGE_SIZE / 1024) << order);
		return;
	}
	__free_pages(p, order);
	p = alloc_pages(gfp, order); /* warm: hot list filled */
	__free_pages(p, order);
	t = bench_start();
	for (unsigned i = 0; i < n; i++) {
		p = alloc_pages(gfp, order);
		__free_pages(p, order);
	}
	bench_report(name, bench_stop(t), 2ull * n, "insn/op");
}

KBENCH(page_alloc_free_o0)
{
	pairs("page_alloc_free_o0", GFP_KERNEL, 0, PAIRS);
}

KBENCH(page_alloc_free_o0_batch)
{
	uint64_t t;

	if (!bench_need_frames("page_alloc_free_o0_batch", BATCH))
		return;
	t = bench_start();
	for (unsigned i = 0; i < BATCH; i++)
		batch[i] = alloc_page(GFP_KERNEL);
	for (unsigned i = 0; i < BATCH; i++)
		__free_page(batch[i]);
	bench_report("page_alloc_free_o0_batch", bench_stop(t), 2 * BATCH,
		     "insn/op");
}

KBENCH(page_alloc_free_o3)
{
	pairs("page_alloc_free_o3", GFP_KERNEL, 3, PAIRS);
}

/* An order-10 pair must split through every order and merge back. */
KBENCH(page_alloc_free_o10)
{
	pairs("page_alloc_free_o10", GFP_KERNEL, MAX_ORDER - 1, 1000);
}

/* Measured once at boot by mm_init. */
KBENCH(buddy_init)
{
	bench_report("buddy_init", buddy_init_ticks, buddy_init_frames,
		     "insn/page");
}


/*
 * A pair that splits and merges through every order: one frame from a
 * private zone holding a single free 4 MiB block splits it ten times, and
 * freeing it merges all the way back.  (On the live allocator an order-10
 * pair finds whole 4 MiB blocks and splits nothing.)
 */
KBENCH(page_alloc_free_split10)
{
	static struct zone box;
	struct page *block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER - 1), *p;
	uint64_t t;

	if (!block) {
		bench_skip("page_alloc_free_split10", "no free block of order %u (%u KiB) at this memory size",
			   MAX_ORDER - 1, (MM_PAGE_SIZE / 1024) << (MAX_ORDER - 1));
		return;
	}
	buddy_zone_adopt(&box, block, MAX_ORDER - 1);
	t = bench_start();
	for (unsigned i = 0; i < 1000; i++) {
		p = buddy_zone_alloc(&box, 0);
		buddy_zone_free(&box, p, 0);
	}
	bench_report("page_alloc_free_split10", bench_stop(t), 2000, "insn/op");
	if (buddy_zone_release(&box, block, MAX_ORDER - 1))
		__free_pages(block, MAX_ORDER - 1);
}

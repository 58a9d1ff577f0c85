/*
 * The fragmentation comparison: one seeded trace (tests/frag_trace.c,
 * FRAG_BENCH_OBJECTS allocations of mixed sizes and lifetimes) replayed
 * against the four fit policies of mm/freelist, kmalloc over the slab
 * allocator, and the buddy allocator used directly (tests/frag_alloc.c).
 * tools/frag_render.py turns the BENCH lines into a table and
 * build/frag.svg.
 *
 * Definitions.
 *
 *   requested  the peak of the bytes live at once, as the trace asked for
 *              them (a property of the trace: the same for everyone).
 *   used       the peak memory the allocator needed to serve the trace:
 *              - freelist heaps and kmalloc, which take frames from a page
 *                allocator as they need them and give them back: the most
 *                frames held at once.  A heap grows from a private buddy
 *                zone over a 4 MiB arena (whole blocks, as the kernel's
 *                heaps grow from the buddy), so that its free memory is
 *                what lies in its regions -- headers, alignment, region
 *                records, holes and the rest of partly used pages all
 *                count.  kmalloc is counted from a start with every cache
 *                shrunk (kmem_shrink_all): its slabs, partly used or empty
 *                but kept, and its large blocks.
 *              - the buddy used directly, which owns its arena: the
 *                high-water mark of the arena's extent, from its first
 *                frame to one past the highest block ever handed out
 *                (rounding to a power of two and every hole below the
 *                mark included).  A zone cut at the mark would have served
 *                the whole trace.
 *              Per-frame metadata (struct page) is counted for nobody.
 *   waste      (used - requested) / requested, in per cent: internal and
 *              external fragmentation together (Johnstone and Wilson's
 *              measure 4, peak memory against peak live memory).
 *   largest    at the end of the trace (survivors still allocated), the
 *              largest request that succeeds without memory from outside
 *              what the allocator holds: a heap's largest free chunk
 *              (bigger requests grow the heap); for kmalloc, the largest
 *              size class with a free object in a slab it already has
 *              (anything above takes new frames); for the buddy, the
 *              largest free block lying wholly below its high-water mark.
 *   ops        guest instructions per operation, an operation being one
 *              allocation or one free, teardown included, measured by a
 *              second replay from the same starting state with nothing but
 *              the calls in the loop (the loop and an indirect call per
 *              operation are included; they are the same for everyone).
 *
 * Caveats.  kmalloc shares its caches with the rest of the kernel: free
 * objects in slabs that were partly used before the replay serve the trace
 * without being counted, and count in "largest".  The figure printed as
 * "kmalloc: N bytes free in partial slabs before the trace" bounds that
 * effect.  The buddy runs in a private zone (buddy_zone_alloc/free): the
 * split-and-merge core without the hot list and interrupt masking of
 * alloc_pages.  Why heaps grow instead of owning the arena as one buffer
 * (freelist_add_buffer): the untouched rest of such an arena is always the
 * largest free chunk and the roving pointer's next one, so worst fit and
 * next fit would bump through it and never reuse a hole -- measured that
 * way both came out at the trace's total volume, 499% waste, identical.
 */
#include "tests/kbench.h"
#include "tests/frag.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "lib/printk.h"

#define FRAG_BENCH_OBJECTS 3000
#define FRAG_BENCH_SEED 0x5EED0F7Au

static struct frag_event events[2 * FRAG_BENCH_OBJECTS];
static void *objects[FRAG_BENCH_OBJECTS];
static struct frag_trace trace;
static struct frag_run run;

/* Bytes in free kmalloc objects: what the trace can get for nothing. */
static size_t kmalloc_free_bytes(void)
{
	size_t bytes = 0;

	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct slab_info info;

		kmem_cache_info(kmalloc_cache(i), &info);
		bytes += (info.total_objs - info.active_objs) *
			 (size_t)kmalloc_class_size(i);
	}
	return bytes;
}

/* BENCH frag_<allocator>_<what> value unit */
static void report(const struct frag_allocator *a, const char *what,
		   uint64_t total, uint64_t ops, const char *unit)
{
	char name[48];

	snprintf(name, sizeof(name), "frag_%s_%s", a->fa_name, what);
	bench_report(name, total, ops, unit);
}

/* The measured replay; false if the allocator could not run. */
static bool measure(const struct frag_allocator *a, struct frag_result *res)
{
	if (!frag_open(&run, a, objects))
		return false;
	frag_measure(&run, &trace, res, NULL);
	if (!frag_close(&run))
		printk("frag: %s: not back to its starting state\n", a->fa_title);
	return true;
}

/* The timed replay: instructions for the whole trace. */
static uint64_t time_replay(const struct frag_allocator *a)
{
	uint64_t t;

	if (!frag_open(&run, a, objects))
		return 0;
	t = bench_start();
	frag_replay(&run, &trace, 0, trace.ft_nr_events);
	t = bench_stop(t);
	frag_close(&run);
	return t;
}

static void compare(const struct frag_allocator *a)
{
	struct frag_result res;
	uint64_t req = trace.ft_peak_requested, waste;

	if (!measure(a, &res)) {
		bench_skip("frag", "%s: no free 4 MiB block for its arena", a->fa_title);
		return;
	}
	waste = res.peak_used > req ? (res.peak_used - req) * 100 : 0;
	report(a, "used", res.peak_used, 1024, "KiB");
	report(a, "waste", waste, req, "pct");
	report(a, "largest", res.largest, 1024, "KiB");
	report(a, "ops", time_replay(a), trace.ft_nr_events, "insn/op");
	if (res.failures)
		report(a, "failed", res.failures, 1, "allocations");
}

KBENCH(frag)
{
	frag_trace_build(&trace, events, FRAG_BENCH_OBJECTS, FRAG_BENCH_SEED);
	printk("frag: trace seed %#x: %zu objects, %zu events (%zu before the end), at most %zu live, %zu bytes live at the end\n",
	       trace.ft_seed, trace.ft_nr_objects, trace.ft_nr_events,
	       trace.ft_nr_main, trace.ft_peak_live, trace.ft_end_requested);
	kmem_shrink_all();
	printk("frag: kmalloc: %zu bytes free in partial slabs before the trace\n",
	       kmalloc_free_bytes());
	bench_report("frag_requested", trace.ft_peak_requested, 1024, "KiB");
	for (size_t i = 0; i < frag_nr_allocators; i++)
		compare(&frag_allocators[i]);
}

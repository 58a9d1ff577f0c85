/*
 * Host test of the buddy allocator against a reference model
 * (tests/host/buddy_model.c), under AddressSanitizer and UBSan.
 *
 * It proves, on synthetic machines with holes, odd alignments and
 * DMA/NORMAL/HIGHMEM splits: set-up yields the maximal buddy decomposition;
 * seeded random sequences of allocations (orders 0..10, DMA/HIGHMEM/ZERO
 * flags), frees in random order and hot-list drains agree with the model
 * after every step, and never run out of memory spuriously; allocating
 * until NULL and freeing everything restores the initial buddyinfo; and
 * each kind of misuse produces exactly one report of its kind and leaves
 * buddy_check() clean.
 */
#include "tests/host/buddy_model.h"
#include "tests/host/platform_host.h"
#include <stdlib.h>

#define MIB_PFNS(n) ((pfn_t)((n) << (20 - MM_PAGE_SHIFT)))

struct range {
	pfn_t start, end;
};

struct layout {
	const char *name;
	pfn_t nr_pfns, direct_end;
	const struct range *ranges; /* disjoint, in the order they are added */
	unsigned nr_ranges;
	unsigned long steps;
};

/* 32 MiB of low memory, the first MiB reserved; direct map beyond RAM. */
static const struct range lowmem_ranges[] = { { 256, MIB_PFNS(32) } };

/* Holes, odd boundaries, a range across the DMA limit and one across the
 * (unaligned) end of the direct map, an empty one, one beyond RAM. */
static const struct range holes_ranges[] = {
	{ 4090, 4103 }, { 1, 2 }, { 3, 100 }, { 1023, 1025 }, { 257, 1000 },
	{ 2049, 4000 }, { 4200, 5003 }, { 10, 10 }, { 5004, 5999 }, { 5999, 7000 },
};

/* Three zones; one usable range given in adjacent, unsorted pieces. */
static const struct range zones_ranges[] = {
	{ 256, 3000 }, { 6000, MIB_PFNS(48) }, { 3000, 6000 },
};

/* A tiny DMA-only machine in short runs: out of memory all the time. */
static const struct range tiny_ranges[] = {
	{ 8, 16 }, { 17, 40 }, { 64, 128 }, { 130, 131 }, { 200, 330 }, { 512, 600 },
};

static const struct layout layouts[] = {
	{ "lowmem 32 MiB", MIB_PFNS(32), MIB_PFNS(1024), lowmem_ranges,
	  ARRAY_SIZE(lowmem_ranges), 100000 },
	{ "holes", 6000, 5000, holes_ranges, ARRAY_SIZE(holes_ranges), 100000 },
	{ "DMA/NORMAL/HIGHMEM", MIB_PFNS(48), MIB_PFNS(32) + 300, zones_ranges,
	  ARRAY_SIZE(zones_ranges), 100000 },
	{ "tiny", 600, 600, tiny_ranges, ARRAY_SIZE(tiny_ranges), 50000 },
};

static void build(struct machine *m, const struct layout *l)
{
	machine_init(m, l->nr_pfns, l->direct_end);
	for (unsigned i = 0; i < l->nr_ranges; i++)
		machine_add_range(m, l->ranges[i].start, l->ranges[i].end);
	machine_snapshot(m);
}

/* Alternates phases that mostly allocate with phases that mostly free. */
static void random_run(struct machine *m, unsigned long steps, uint64_t seed)
{
	for (unsigned long i = 0; i < steps && !m->failed; i++) {
		uint32_t op = (uint32_t)model_rand(&seed);
		bool shrinking = (i / 2000) & 1;
		if (shrinking && (op >> 30))
			op = op - op % STEP_KINDS + STEP_FREE;
		machine_step(m, op);
		if (i % 1024 == 1023)
			machine_check(m);
	}
	machine_check(m);
}

static void test_layout(const struct layout *l, uint64_t seed)
{
	struct machine m;

	build(&m, l);
	tap_ok(!m.failed, "buddy %s: set-up gives the maximal buddy decomposition of %lu usable frames%s%s",
	       l->name, m.nr_usable, m.failed ? " # " : "", m.why);
	random_run(&m, l->steps, seed);
	tap_ok(!m.failed, "buddy %s: %lu random steps (seed %#llx) agree with the model after every step%s%s",
	       l->name, m.steps, (unsigned long long)seed, m.failed ? " # " : "", m.why);
	printf("# %lu allocations, %lu out of memory, %lu bad frees, %u blocks live\n",
	       m.allocs, m.failed_allocs, m.bad_frees, m.nr_live);
	machine_free_all(&m);
	machine_check_restored(&m);
	tap_ok(!m.failed, "buddy %s: freeing everything in random order restores the initial buddyinfo%s%s",
	       l->name, m.failed ? " # " : "", m.why);
	machine_destroy(&m);
}

/* Allocate until NULL (the model vouches for each NULL), free all. */
static void test_exhaust(const struct layout *l, gfp_t gfp, unsigned order)
{
	struct machine m;
	unsigned long n = 0;

	build(&m, l);
	while (machine_alloc(&m, gfp, order) && !m.failed)
		n++;
	machine_check(&m);
	machine_free_all(&m);
	machine_check_restored(&m);
	tap_ok(!m.failed && n > 0,
	       "buddy %s: %lu allocations of order %u (gfp %#x) until NULL, then all freed: initial buddyinfo%s%s",
	       l->name, n, order, gfp, m.failed ? " # " : "", m.why);
	machine_destroy(&m);
}

/* --- misuse ----------------------------------------------------------- */

static void expect_misuse(struct machine *m, long pfn, unsigned order,
			  enum report_kind kind, const char *what)
{
	enum report_kind got = machine_bad_free(m, pfn, order);

	if (got != kind)
		model_fail(m, "the model classifies it as '%s'", report_kind_name(got));
	machine_check(m);
	tap_ok(!m->failed, "buddy misuse: %s (pfn %ld order %u): one '%s' report, buddy_check clean%s%s",
	       what, pfn, order, report_kind_name(kind), m->failed ? " # " : "", m->why);
	m->failed = false;
}

static pfn_t last_live(const struct machine *m)
{
	return m->live[m->nr_live - 1].pfn;
}

static void expect_free_pages_misuse(struct machine *m, uintptr_t addr,
				     const char *what)
{
	unsigned long before = report_count(REPORT_OUT_OF_RANGE);
	unsigned long total = report_total(), free = buddy_free_pages();

	free_pages(addr, 0);
	tap_ok(report_count(REPORT_OUT_OF_RANGE) == before + 1 &&
	       report_total() == total + 1 && buddy_free_pages() == free &&
	       buddy_check() == 0,
	       "buddy misuse: free_pages of %s: one '%s' report", what,
	       report_kind_name(REPORT_OUT_OF_RANGE));
	(void)m;
}

static void test_misuse(const struct layout *l)
{
	struct machine m;
	pfn_t p;

	build(&m, l);
	machine_alloc(&m, GFP_KERNEL, 0);
	p = last_live(&m);
	machine_free(&m, m.nr_live - 1);
	expect_misuse(&m, p, 0, REPORT_DOUBLE_FREE, "double free while on the hot list");
	buddy_drain_hot();
	expect_misuse(&m, p, 0, REPORT_DOUBLE_FREE, "double free after the hot list drained");
	machine_alloc(&m, GFP_KERNEL, 3);
	p = last_live(&m);
	machine_free(&m, m.nr_live - 1);
	expect_misuse(&m, p, 3, REPORT_DOUBLE_FREE, "double free of a block merged into a larger one");
	machine_alloc(&m, GFP_KERNEL, 3);
	p = last_live(&m);
	expect_misuse(&m, p, 2, REPORT_WRONG_ORDER, "order 3 block freed with order 2");
	expect_misuse(&m, p + 1, 1, REPORT_MISALIGNED, "pfn not a multiple of its order");
	expect_misuse(&m, p + 1, 0, REPORT_NOT_ALLOCATED, "a page inside an allocated block");
	expect_misuse(&m, p + 4, 2, REPORT_NOT_ALLOCATED, "an aligned part of an allocated block");
	expect_misuse(&m, 0, 0, REPORT_RESERVED, "a reserved frame");
	expect_misuse(&m, 2, 1, REPORT_RESERVED, "a reserved pair in a hole");
	expect_misuse(&m, (long)m.nr_pfns, 0, REPORT_OUT_OF_RANGE, "the struct page after the array");
	expect_misuse(&m, -1, 0, REPORT_OUT_OF_RANGE, "the struct page before the array");
	expect_misuse(&m, p, MAX_ORDER, REPORT_OUT_OF_RANGE, "order MAX_ORDER");
	expect_free_pages_misuse(&m, (uintptr_t)host_phys_base() + (size_t)(l->direct_end + 1) * MM_PAGE_SIZE,
				 "a HIGHMEM address");
	expect_free_pages_misuse(&m, (uintptr_t)host_phys_base() + (size_t)p * MM_PAGE_SIZE + 8,
				 "an address inside a frame");
	machine_free_all(&m);
	machine_check_restored(&m);
	tap_ok(!m.failed, "buddy misuse: afterwards everything frees back to the initial buddyinfo%s%s",
	       m.failed ? " # " : "", m.why);
	machine_destroy(&m);
}

/*
 * Freeing a block whose lower buddy is free merges the two under the lower
 * head; the freed block's own head must lose its ALLOCATED state, or the
 * free lists disagree with the page array and a second free of the block
 * passes the fast check unnoticed.
 */
static void test_merge_into_lower_buddy(const struct layout *l)
{
	struct machine m;
	pfn_t lower, upper;

	build(&m, l);
	machine_alloc(&m, GFP_KERNEL, 1);
	lower = last_live(&m);
	machine_alloc(&m, GFP_KERNEL, 1);
	upper = last_live(&m);
	if (upper != (lower ^ 2))
		model_fail(&m, "set-up: expected buddies, got pfns %#x and %#x", lower, upper);
	machine_free(&m, 0);
	machine_free(&m, 0);
	machine_check(&m);
	tap_ok(!m.failed, "buddy: freeing pfn %#x order 1 after its lower buddy %#x merges and leaves no state behind%s%s",
	       upper, lower, m.failed ? " # " : "", m.why);
	m.failed = false;
	expect_misuse(&m, upper, 1, REPORT_DOUBLE_FREE, "double free of a block merged into its lower buddy");
	machine_destroy(&m);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 0x5742A7A;

	host_set_quiet(!getenv("VERBOSE"));
	for (unsigned i = 0; i < ARRAY_SIZE(layouts); i++)
		test_layout(&layouts[i], seed + i);
	test_exhaust(&layouts[2], GFP_KERNEL, 0);
	test_exhaust(&layouts[2], __GFP_HIGHMEM, 3);
	test_exhaust(&layouts[2], __GFP_DMA | __GFP_ZERO, 10);
	test_exhaust(&layouts[1], __GFP_HIGHMEM, 9);
	test_exhaust(&layouts[1], __GFP_DMA, 1);
	test_misuse(&layouts[2]);
	test_merge_into_lower_buddy(&layouts[2]);
	host_phys_free();
	return tap_done();
}

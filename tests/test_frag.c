/*
 * Suite frag: the fragmentation comparison's trace and allocators
 * (tests/frag.h) hold what the benchmark's figures rely on.  A small trace
 * of the same kind is replayed against every allocator: every allocation
 * succeeds inside the allocator's arena with at least the bytes asked for,
 * live blocks never overlap (each is filled with a pattern of its own,
 * checked before it is freed), the memory used never falls below the
 * memory requested, and freeing everything returns each allocator to its
 * starting state.  No timings here: those are the benchmark's.
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "tests/frag.h"
#include "lib/printk.h"
#include "lib/string.h"

#define SMALL_OBJECTS 400
#define SMALL_SEED 0x7E57F4A6u

static struct frag_event events[2 * SMALL_OBJECTS];
static struct frag_event again[2 * SMALL_OBJECTS];
static void *objects[SMALL_OBJECTS];
static struct frag_trace trace;
static struct frag_run run;

/* Every byte of a live block holds a pattern drawn from its object
 * number; a block overlapping another spoils one of the two. */
static uint8_t pattern(uint32_t id)
{
	return (uint8_t)(id * 37u + 1u);
}

static bool intact(const void *p, size_t size, uint32_t id)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != pattern(id))
			return false;
	return true;
}

static void watch(struct frag_run *r, const struct frag_event *e, void *p)
{
	const struct frag_allocator *a = r->fr_alloc;

	if (e->fe_free) {
		EXPECT_TRUE(intact(p, e->fe_size, e->fe_id));
		return;
	}
	if (!EXPECT_TRUE(frag_in_arena(r, p, e->fe_size)))
		return;
	EXPECT_GE(a->fa_usable(p, e->fe_size), e->fe_size);
	memset(p, pattern(e->fe_id), e->fe_size);
}

/* Replays the small trace against a; false if the test should stop. */
static bool replay_checked(const struct frag_allocator *a)
{
	struct frag_result res;
	int failures = ktest_failures();

	if (!EXPECT_TRUE(frag_open(&run, a, objects)))
		return false;
	memset(objects, 0, sizeof(objects));
	frag_measure(&run, &trace, &res, watch);
	EXPECT_EQ_WITH_MEMORY(0, res.failures);
	EXPECT_LE(res.peak_requested, res.peak_used);
	EXPECT_LE(res.largest, res.peak_used);
	EXPECT_TRUE(frag_close(&run));
	if (ktest_failures() != failures)
		printk("  (allocator: %s)\n", a->fa_title);
	return ktest_failures() == failures;
}

KTEST(frag, "the trace is seeded: built twice, event for event the same")
{
	struct frag_trace t2;

	frag_trace_build(&trace, events, SMALL_OBJECTS, SMALL_SEED);
	frag_trace_build(&t2, again, SMALL_OBJECTS, SMALL_SEED);
	ASSERT_EQ(trace.ft_nr_events, t2.ft_nr_events);
	EXPECT_EQ(0, memcmp(events, again, sizeof(events)));
	EXPECT_EQ(trace.ft_peak_requested, t2.ft_peak_requested);
	frag_trace_build(&t2, again, SMALL_OBJECTS, SMALL_SEED + 1);
	EXPECT_NE(0, memcmp(events, again, sizeof(events)));
}

KTEST(frag, "every object is allocated once, then freed once; survivors remain at the end")
{
	static uint8_t seen[SMALL_OBJECTS];
	size_t live = 0;

	memset(seen, 0, sizeof(seen));
	frag_trace_build(&trace, events, SMALL_OBJECTS, SMALL_SEED);
	ASSERT_EQ(2 * SMALL_OBJECTS, trace.ft_nr_events);
	for (size_t i = 0; i < trace.ft_nr_events; i++) {
		const struct frag_event *e = &events[i];

		ASSERT_LE(e->fe_id, SMALL_OBJECTS - 1);
		ASSERT_EQ(e->fe_free ? 1 : 0, seen[e->fe_id]);
		ASSERT_GE(e->fe_size, 8);
		seen[e->fe_id]++;
		live += e->fe_free ? -1 : 1;
		if (i + 1 == trace.ft_nr_main)
			EXPECT_GT(live, 0);
	}
	EXPECT_EQ(0, live);
	EXPECT_GT(trace.ft_peak_requested, trace.ft_end_requested / 2);
}

KTEST(frag, "every allocator serves the trace inside its arena, blocks intact, used >= requested, back to its start")
{
	if (frames_machine_small()) /* each arena is a 4 MiB block */
		KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);
	frag_trace_build(&trace, events, SMALL_OBJECTS, SMALL_SEED);
	for (size_t i = 0; i < frag_nr_allocators; i++)
		if (!replay_checked(&frag_allocators[i]))
			return;
}

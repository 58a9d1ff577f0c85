/*
 * Checks run around every self-test: a test must give back every frame it
 * took, cause exactly the misuse reports it announced (report_expect), and
 * leave the buddy allocator's invariants intact.
 */
#include "tests/ktest.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/slab.h"
#include "lib/printk.h"

static unsigned long free_before;

/* Caches keep a few empty slabs on purpose; that is not a leak, so they
 * are given back before counting. */
static void frames_before(void)
{
	kmem_shrink_all();
	free_before = buddy_free_pages();
}

static bool frames_after(char *msg, size_t size)
{
	unsigned long now;

	kmem_shrink_all();
	now = buddy_free_pages();

	if (now == free_before)
		return true;
	if (now < free_before)
		snprintf(msg, size, "leaked %lu frame(s): %lu free before, %lu after",
			 free_before - now, free_before, now);
	else
		snprintf(msg, size, "%lu more free frames after than before (%lu, %lu)",
			 now - free_before, free_before, now);
	return false;
}

static bool buddy_invariants(char *msg, size_t size)
{
	unsigned problems = buddy_check();

	if (!problems)
		return true;
	snprintf(msg, size, "buddy_check found %u problem(s)", problems);
	return false;
}

/* Runs first so that its report count excludes buddy_check's own reports. */
KTEST_HOOK(reports, report_test_begin, report_test_end);
KTEST_HOOK(frames, frames_before, frames_after);
KTEST_HOOK(buddy, NULL, buddy_invariants);

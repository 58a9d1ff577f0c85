/*
 * Out of memory, only when memory is really out (mm/buddy.c, "Reclaim").
 *
 * Frames may sit free above the buddy: in the slab layer's arrays of free
 * objects and in its empty slabs.  Before an allocation fails, the buddy
 * asks the layer that holds them to give them back (the reclaimer: one,
 * the slab, set with buddy_set_reclaim, as illumos' kmem_reap and Linux's
 * shrinkers), and tries again.  When it still fails, it prints one
 * out-of-memory report -- what was asked for and by whom, the free blocks
 * of every zone by order, and what the reclaimer adds (the biggest caches)
 * -- unless the request said __GFP_NOWARN.  Reports are rate-limited: the
 * first few, then one in OOM_REPORT_EVERY, each saying how many failures
 * went unreported since the last.  Several CPUs may fail at once: the
 * counters are atomic, so none is lost and each report is due once.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"

#define OOM_REPORTS_FIRST 4
#define OOM_REPORT_EVERY 256

static const struct buddy_reclaimer *reclaimer;
static unsigned long oom_failures, oom_warnings, oom_unreported;
static unsigned long reclaims; /* buddy_reclaim calls: the allocator ran short */

void buddy_set_reclaim(const struct buddy_reclaimer *r)
{
	reclaimer = r;
}

/* The reclaimers, then every CPU's page lists: frames other CPUs keep
 * (and, after the reclaimers, the frames they gave back to this CPU's
 * lists) go back to the zones. */
unsigned long buddy_reclaim(void)
{
	unsigned long got;

	__atomic_fetch_add(&reclaims, 1, __ATOMIC_RELAXED);
	got = reclaimer ? reclaimer->reclaim() : 0;
	buddy_drain_hot();
	return got;
}

unsigned long buddy_reclaims(void)
{
	return __atomic_load_n(&reclaims, __ATOMIC_RELAXED);
}

unsigned long buddy_oom_failures(void)
{
	return __atomic_load_n(&oom_failures, __ATOMIC_RELAXED);
}

static void print_free_blocks(void)
{
	mm_printf("  free blocks by order:");
	for (unsigned k = 0; k < MAX_ORDER; k++)
		mm_printf(" %u", k);
	mm_printf("\n");
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		unsigned long nr[MAX_ORDER];
		if (!zones[i].managed_pages)
			continue;
		buddy_zone_info((enum zone_id)i, nr);
		mm_printf("  %-8s (%lu of %lu frames free):", zones[i].name,
			  zone_free_pages(&zones[i]), zones[i].managed_pages);
		for (unsigned k = 0; k < MAX_ORDER; k++)
			mm_printf(" %lu", nr[k]);
		mm_printf("\n");
	}
}

void buddy_oom_report(gfp_t gfp, unsigned order, uintptr_t caller, bool injected)
{
	char by[MM_SYMBOL_LEN];
	unsigned long warning, unreported;

	__atomic_fetch_add(&oom_failures, 1, __ATOMIC_RELAXED);
	if (gfp & __GFP_NOWARN)
		return;
	warning = __atomic_add_fetch(&oom_warnings, 1, __ATOMIC_RELAXED);
	if (warning > OOM_REPORTS_FIRST && warning % OOM_REPORT_EVERY) {
		__atomic_fetch_add(&oom_unreported, 1, __ATOMIC_RELAXED);
		return;
	}
	mm_printf("mm: out of memory%s: %lu frame(s) of order %u (gfp %#x) for %s",
		  injected ? " (injected)" : "", 1ul << order, order, gfp,
		  mm_symbol(caller, by, sizeof(by)));
	unreported = __atomic_exchange_n(&oom_unreported, 0, __ATOMIC_RELAXED);
	if (unreported)
		mm_printf("; %lu failure(s) since the last report", unreported);
	mm_printf("\n");
	if (injected)
		return;
	print_free_blocks();
	if (reclaimer && reclaimer->report)
		reclaimer->report();
}

/*
 * The slab leak check, run around every self-test: every cache must hold
 * as many live objects after the test as before, no cache may be left
 * behind, large kmalloc blocks must all come back, and kmem_cache_check
 * must find the caches intact.
 *
 * Empty slabs are a cache, not a leak: both sides shrink every cache first,
 * so that a frame-count check running after this one (tests/mm_hooks.c
 * sorts after this file) sees only frames that hold live objects.
 */
#include "tests/ktest.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "lib/printk.h"

#define HOOK_MAX_CACHES 64

static struct slab_info before[HOOK_MAX_CACHES];
static unsigned nr_before;
static unsigned long large_before;

static void slab_before(void)
{
	kmem_shrink_all();
	nr_before = slab_get_info(before, HOOK_MAX_CACHES);
	large_before = kmalloc_large_blocks();
}

static bool compare_caches(const struct slab_info *now, unsigned nr,
			   char *msg, size_t size)
{
	for (unsigned i = 0; i < nr && i < HOOK_MAX_CACHES; i++) {
		unsigned long was = 0;
		bool found = false;
		for (unsigned j = 0; j < nr_before && !found; j++)
			if (before[j].cache == now[i].cache) {
				was = before[j].active_objs;
				found = true;
			}
		if (!found) {
			snprintf(msg, size, "cache %s created and not destroyed (%lu objects)",
				 now[i].name, now[i].active_objs);
			return false;
		}
		if (was != now[i].active_objs) {
			snprintf(msg, size, "cache %s: %lu live objects before, %lu after",
				 now[i].name, was, now[i].active_objs);
			return false;
		}
	}
	if (nr < nr_before) {
		snprintf(msg, size, "%u cache(s) destroyed by the test", nr_before - nr);
		return false;
	}
	return true;
}

static bool slab_after(char *msg, size_t size)
{
	static struct slab_info now[HOOK_MAX_CACHES];
	unsigned nr, problems;

	kmem_shrink_all();
	nr = slab_get_info(now, HOOK_MAX_CACHES);
	if (!compare_caches(now, nr, msg, size))
		return false;
	if (kmalloc_large_blocks() != large_before) {
		snprintf(msg, size, "%lu large kmalloc block(s) before, %lu after",
			 large_before, kmalloc_large_blocks());
		return false;
	}
	problems = slab_check();
	if (problems) {
		snprintf(msg, size, "slab_check found %u problem(s)", problems);
		return false;
	}
	problems = kmalloc_check();
	if (problems) {
		snprintf(msg, size, "kmalloc_check found %u problem(s)", problems);
		return false;
	}
	return true;
}

KTEST_HOOK(slab, slab_before, slab_after);

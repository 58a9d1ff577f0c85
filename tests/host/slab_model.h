/*
 * A reference model for host tests of the slab allocator and kmalloc: a
 * synthetic machine (buddy over the host arena), a table of live blocks
 * each filled with its own byte, and operations that check the allocator
 * against the table -- contents intact, sizes as promised, everything back
 * to the buddy at the end.  Shared by test_slab.c and fuzz_slab.c.
 */
#ifndef TESTS_HOST_SLAB_MODEL_H
#define TESTS_HOST_SLAB_MODEL_H

#include "tests/host/platform_host.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/report.h"
#include <stdio.h>
#include <stdlib.h>

#define MODEL_SLOTS 256
#define MODEL_CACHES 3

struct model_slot {
	uint8_t *p; /* NULL: empty */
	size_t size; /* bytes the model may use */
	uint8_t fill;
	int cache; /* -1: kmalloc, else index into model.caches */
};

struct model {
	struct model_slot slot[MODEL_SLOTS];
	struct kmem_cache *caches[MODEL_CACHES];
	unsigned long free0; /* buddy free frames at the start */
	unsigned long failures;
	/* caches[0] has a constructor, which must run exactly once for
	 * every object slot of every slab the cache makes: */
	unsigned long ctor_slots; /* the cache's object slots, last seen */
	unsigned long ctor_due; /* constructor runs that should have been */
};

#define MODEL_CTOR_BYTE 0x3c /* every byte of a constructed object */
static unsigned long model_ctor_runs;

static void model_ctor(void *obj)
{
	memset(obj, MODEL_CTOR_BYTE, 24);
	model_ctor_runs++;
}

static __printf(2, 3) void model_fail(struct model *m, const char *fmt, ...)
{
	va_list ap;

	m->failures++;
	va_start(ap, fmt);
	fprintf(stderr, "model: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* A machine of `frames` frames, all direct-mapped, pfn 0 reserved. */
static void model_machine(pfn_t frames, bool debug)
{
	static struct page *map;

	host_phys_init((size_t)frames * MM_PAGE_SIZE, (paddr_t)frames * MM_PAGE_SIZE);
	map = calloc(frames, sizeof(*map));
	buddy_init_pages(map, frames, frames);
	buddy_add_range(1, frames);
	kmem_init(debug);
}

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->caches[0] = kmem_cache_create("model-ctor", 24, 0, 0, model_ctor);
	m->caches[1] = kmem_cache_create("model-nodebug", 200, 0, SLAB_NO_DEBUG, NULL);
	m->caches[2] = kmem_cache_create("model-hw", 72, 0, SLAB_HWCACHE_ALIGN, NULL);
	kmem_shrink_all();
	m->free0 = buddy_free_pages();
	m->ctor_due = model_ctor_runs; /* earlier models' caches */
}

/*
 * The constructor count against the slots the ctor cache has made: new
 * slots since the last look each owe one run, released ones none.  Called
 * after every operation that can make or release a slab of that cache.
 */
static void model_check_ctor(struct model *m, const char *after)
{
	struct slab_info si;

	kmem_cache_info(m->caches[0], &si);
	if (si.total_objs > m->ctor_slots)
		m->ctor_due += si.total_objs - m->ctor_slots;
	m->ctor_slots = si.total_objs;
	if (model_ctor_runs != m->ctor_due) {
		model_fail(m, "after %s: the constructor ran %lu times, %lu object slots were made",
			   after, model_ctor_runs, m->ctor_due);
		m->ctor_due = model_ctor_runs; /* one report */
	}
}

/* Whether the object is in the constructed state. */
static bool model_constructed(const uint8_t *obj)
{
	for (int i = 0; i < 24; i++)
		if (obj[i] != MODEL_CTOR_BYTE)
			return false;
	return true;
}

static size_t model_cache_size(int cache)
{
	static const size_t sizes[MODEL_CACHES] = { 24, 200, 72 };
	return sizes[cache];
}

static void model_check_slot(struct model *m, unsigned i, size_t n)
{
	struct model_slot *s = &m->slot[i];

	for (size_t j = 0; j < n; j++)
		if (s->p[j] != s->fill) {
			model_fail(m, "slot %u (%zu bytes at %p): byte %zu is %#x, not %#x",
				   i, s->size, (void *)s->p, j, s->p[j], s->fill);
			return;
		}
}

static void model_free(struct model *m, unsigned i)
{
	struct model_slot *s = &m->slot[i % MODEL_SLOTS];

	if (!s->p)
		return;
	model_check_slot(m, i % MODEL_SLOTS, s->size);
	if (s->cache < 0) {
		kfree(s->p);
	} else {
		/* Objects of the ctor cache go back constructed, as its users
		 * promise; the count above, not this state, shows whether the
		 * constructor runs again. */
		if (s->cache == 0)
			memset(s->p, MODEL_CTOR_BYTE, 24);
		kmem_cache_free(m->caches[s->cache], s->p);
		if (s->cache == 0)
			model_check_ctor(m, "a free");
	}
	s->p = NULL;
}

/* kmem_shrink_all, keeping the constructor count's view of the slots. */
static void model_shrink(struct model *m)
{
	kmem_shrink_all();
	model_check_ctor(m, "a shrink");
}

/* cache < 0: kmalloc(size); else an object of that cache. */
static void model_alloc(struct model *m, unsigned i, int cache, size_t size,
			uint8_t fill)
{
	struct model_slot *s = &m->slot[i % MODEL_SLOTS];

	model_free(m, i);
	if (cache >= 0) {
		cache %= MODEL_CACHES;
		size = model_cache_size(cache);
		s->p = kmem_cache_alloc(m->caches[cache], GFP_KERNEL);
		if (s->p && cache == 0 && !model_constructed(s->p))
			model_fail(m, "object of model-ctor not in constructed state");
		if (cache == 0)
			model_check_ctor(m, "an allocation");
	} else {
		s->p = kmalloc(size, GFP_KERNEL);
		if (s->p && ksize(s->p) < size)
			model_fail(m, "ksize %zu < %zu", ksize(s->p), size);
	}
	if (!s->p)
		return; /* out of memory is allowed */
	s->size = size;
	s->cache = cache;
	s->fill = fill | 1;
	memset(s->p, s->fill, size);
}

static void model_realloc(struct model *m, unsigned i, size_t size)
{
	struct model_slot *s = &m->slot[i % MODEL_SLOTS];
	uint8_t *q;

	if (!s->p || s->cache >= 0 || !size)
		return;
	q = krealloc(s->p, size, GFP_KERNEL);
	if (!q)
		return;
	s->p = q;
	model_check_slot(m, i % MODEL_SLOTS, s->size < size ? s->size : size);
	s->size = size;
	memset(s->p, s->fill, size);
}

/* Frees everything; checks the caches and that the buddy is whole again. */
static void model_finish(struct model *m)
{
	unsigned problems;

	for (unsigned i = 0; i < MODEL_SLOTS; i++)
		model_free(m, i);
	model_shrink(m);
	/* slabs a misuse quarantined (mm/slab.c, 9) come back only on request */
	for (unsigned i = 0; i < MODEL_CACHES; i++)
		kmem_cache_release_quarantine(m->caches[i]);
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++)
		kmem_cache_release_quarantine(kmalloc_cache(i));
	problems = slab_check();
	if (problems)
		model_fail(m, "slab_check found %u problem(s)", problems);
	if (buddy_free_pages() != m->free0)
		model_fail(m, "buddy has %lu free frames, %lu at the start",
			   buddy_free_pages(), m->free0);
	if (kmalloc_large_blocks())
		model_fail(m, "%lu large kmalloc blocks left", kmalloc_large_blocks());
}

#endif

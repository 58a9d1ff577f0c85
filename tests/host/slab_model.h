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
};

static unsigned model_ctor_runs;

static void model_ctor(void *obj)
{
	memset(obj, 0x3c, 24);
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
		memset(s->p, 0x3c, 24 < s->size ? 24 : s->size); /* constructed state */
		kmem_cache_free(m->caches[s->cache], s->p);
	}
	s->p = NULL;
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
		if (s->p && cache == 0 && s->p[23] != 0x3c)
			model_fail(m, "object of model-ctor not in constructed state");
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
	kmem_shrink_all();
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

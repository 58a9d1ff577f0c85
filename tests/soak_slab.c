/*
 * The object allocators' soak mixes.
 *
 * slab: caches of the soak's own -- small and large objects, hardware
 * cache alignment, a constructor, slabs from the DMA zone -- objects held
 * in slots and freed in random order, the caches shrunk now and then.  An
 * object carries its tag in its first and last words (a constructed one in
 * its last only: the constructor's word must be found intact on every
 * allocation, as the contract of a constructed cache says).
 *
 * kmalloc: sizes from 1 byte to 64 KiB (the large ones straight from the
 * buddy), kzalloc, krealloc growing and shrinking; each block filled with
 * its tag's byte, checked at both ends and in the middle when it is freed
 * or resized (krealloc must keep the bytes both sizes share).
 */
#include "tests/soak.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "lib/string.h"

#define OBJ_SLOTS 512
#define CTOR_MAGIC 0xC0457EADu

static void soak_ctor(void *obj)
{
	*(uint32_t *)obj = CTOR_MAGIC;
}

static const struct cache_spec {
	const char *name;
	size_t size, align;
	unsigned flags;
	void (*ctor)(void *obj);
} specs[] = {
	{ "soak-24", 24, 0, 0, NULL },
	{ "soak-64-hw", 64, 0, SLAB_HWCACHE_ALIGN, NULL },
	{ "soak-200-ctor", 200, 8, 0, soak_ctor },
	{ "soak-1000", 1000, 0, 0, NULL },
	{ "soak-3000", 3000, 0, 0, NULL },
	{ "soak-128-dma", 128, 0, SLAB_CACHE_DMA, NULL },
};

static struct kmem_cache *caches[ARRAY_SIZE(specs)];

static struct obj {
	void *o_ptr;
	unsigned o_cache;
	uint32_t o_tag;
} objs[OBJ_SLOTS];

static uint32_t *last_word(const struct obj *o)
{
	size_t size = specs[o->o_cache].size;

	return (uint32_t *)((char *)o->o_ptr + ALIGN_DOWN(size - 4, 4));
}

static void obj_check(struct soak *s, const struct obj *o)
{
	uint32_t first = *(uint32_t *)o->o_ptr, end = *last_word(o);
	bool ctor = specs[o->o_cache].ctor != NULL;

	if ((ctor ? first == CTOR_MAGIC : first == o->o_tag) && end == ~o->o_tag)
		return;
	soak_problem(s, "object %p of %s: words %#x %#x, expected %#x %#x", o->o_ptr,
		     specs[o->o_cache].name, first, end, ctor ? CTOR_MAGIC : o->o_tag, ~o->o_tag);
}

static bool slab_start(struct soak *s)
{
	(void)s;
	memset(objs, 0, sizeof(objs));
	for (unsigned i = 0; i < ARRAY_SIZE(specs); i++) {
		caches[i] = kmem_cache_create(specs[i].name, specs[i].size, specs[i].align,
					      specs[i].flags, specs[i].ctor);
		if (!caches[i]) {
			while (i--)
				kmem_cache_destroy(caches[i]);
			return false;
		}
	}
	return true;
}

static void slab_new(struct soak *s, struct obj *o)
{
	const struct cache_spec *spec;
	bool zero = soak_below(s, 8) == 0;

	o->o_cache = soak_below(s, ARRAY_SIZE(specs));
	spec = &specs[o->o_cache];
	zero &= spec->ctor == NULL; /* a constructed object is not zeroed */
	o->o_ptr = kmem_cache_alloc(caches[o->o_cache], GFP_KERNEL | __GFP_NOWARN |
							(zero ? __GFP_ZERO : 0));
	if (!o->o_ptr) {
		s->failed++;
		return;
	}
	if (spec->ctor && *(uint32_t *)o->o_ptr != CTOR_MAGIC)
		soak_problem(s, "object %p of %s is not in its constructed state", o->o_ptr, spec->name);
	if (zero && (*(uint32_t *)o->o_ptr || *last_word(o)))
		soak_problem(s, "__GFP_ZERO object %p of %s is not zero", o->o_ptr, spec->name);
	o->o_tag = soak_rand(s);
	if (!spec->ctor)
		*(uint32_t *)o->o_ptr = o->o_tag;
	*last_word(o) = ~o->o_tag;
}

static void slab_op(struct soak *s)
{
	struct obj *o = &objs[soak_below(s, OBJ_SLOTS)];

	if (soak_below(s, 2000) == 0)
		kmem_cache_shrink(caches[soak_below(s, ARRAY_SIZE(specs))]);
	if (!o->o_ptr) {
		slab_new(s, o);
		return;
	}
	obj_check(s, o);
	kmem_cache_free(caches[o->o_cache], o->o_ptr);
	o->o_ptr = NULL;
}

static void slab_soak_check(struct soak *s)
{
	for (unsigned i = 0; i < OBJ_SLOTS; i++)
		if (objs[i].o_ptr)
			obj_check(s, &objs[i]);
	for (unsigned i = 0; i < ARRAY_SIZE(specs); i++)
		soak_checker(s, specs[i].name, kmem_cache_check(caches[i]));
	soak_checker(s, "slab_check", slab_check());
}

static void slab_finish(struct soak *s)
{
	for (unsigned i = 0; i < OBJ_SLOTS; i++) {
		if (objs[i].o_ptr)
			kmem_cache_free(caches[objs[i].o_cache], objs[i].o_ptr);
		objs[i].o_ptr = NULL;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(specs); i++) {
		int err = kmem_cache_destroy(caches[i]);
		if (err)
			soak_problem(s, "kmem_cache_destroy(%s) = %d with every object freed", specs[i].name, err);
		caches[i] = NULL;
	}
}

const struct soak_mix soak_slab_mix = {
	.name = "slab",
	.start = slab_start,
	.op = slab_op,
	.check = slab_soak_check,
	.finish = slab_finish,
};

/* --- kmalloc and krealloc ------------------------------------------------- */

static struct block {
	uint8_t *k_ptr;
	size_t k_size;
	uint8_t k_byte;
} blocks[OBJ_SLOTS];

/* Mostly small, as a kernel's requests are; some up to a page; a few
 * large blocks, up to 64 KiB. */
static size_t random_size(struct soak *s)
{
	uint32_t r = soak_below(s, 100);

	if (r < 55)
		return 1 + soak_below(s, 64);
	if (r < 80)
		return 65 + soak_below(s, 448);
	if (r < 95)
		return 513 + soak_below(s, 4096 - 512);
	return 4097 + soak_below(s, 60 * 1024);
}

static bool block_intact(struct soak *s, const struct block *b, size_t n)
{
	const uint8_t *p = b->k_ptr;

	if (p[0] == b->k_byte && p[n / 2] == b->k_byte && p[n - 1] == b->k_byte)
		return true;
	soak_problem(s, "kmalloc block %p of %zu bytes: bytes %#x %#x %#x, expected %#x", p, b->k_size, p[0],
		     p[n / 2], p[n - 1], b->k_byte);
	return false;
}

static void block_fill(struct soak *s, struct block *b)
{
	b->k_byte = (uint8_t)(1 + soak_below(s, 255));
	memset(b->k_ptr, b->k_byte, b->k_size);
}

static bool kmalloc_start(struct soak *s)
{
	(void)s;
	memset(blocks, 0, sizeof(blocks));
	return true;
}

static void kmalloc_new(struct soak *s, struct block *b)
{
	bool zero = soak_below(s, 4) == 0;
	size_t size = random_size(s);

	b->k_ptr = zero ? kzalloc(size, GFP_KERNEL | __GFP_NOWARN) : kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	if (!b->k_ptr) {
		s->failed++;
		return;
	}
	b->k_size = size;
	if (ksize(b->k_ptr) < size)
		soak_problem(s, "ksize(%p) = %zu for a request of %zu", b->k_ptr, ksize(b->k_ptr), size);
	if (zero && (b->k_ptr[0] || b->k_ptr[size / 2] || b->k_ptr[size - 1]))
		soak_problem(s, "kzalloc(%zu) = %p is not zero", size, b->k_ptr);
	block_fill(s, b);
}

/* krealloc to a new size: the bytes both sizes share must be kept; out of
 * memory leaves the old block as it was. */
static void kmalloc_resize(struct soak *s, struct block *b)
{
	size_t size = random_size(s), kept = MIN(size, b->k_size);
	uint8_t *p = krealloc(b->k_ptr, size, GFP_KERNEL | __GFP_NOWARN);

	if (!p) {
		s->failed++;
		block_intact(s, b, b->k_size);
		return;
	}
	b->k_ptr = p;
	block_intact(s, b, kept);
	b->k_size = size;
	block_fill(s, b);
}

static void kmalloc_op(struct soak *s)
{
	struct block *b = &blocks[soak_below(s, OBJ_SLOTS)];

	if (!b->k_ptr) {
		kmalloc_new(s, b);
		return;
	}
	if (soak_below(s, 3) == 0) {
		kmalloc_resize(s, b);
		return;
	}
	block_intact(s, b, b->k_size);
	kfree(b->k_ptr);
	b->k_ptr = NULL;
}

static void kmalloc_soak_check(struct soak *s)
{
	for (unsigned i = 0; i < OBJ_SLOTS; i++)
		if (blocks[i].k_ptr)
			block_intact(s, &blocks[i], blocks[i].k_size);
	soak_checker(s, "kmalloc_check", kmalloc_check());
	soak_checker(s, "slab_check", slab_check());
}

static void kmalloc_finish(struct soak *s)
{
	(void)s;
	for (unsigned i = 0; i < OBJ_SLOTS; i++) {
		kfree(blocks[i].k_ptr);
		blocks[i].k_ptr = NULL;
	}
}

const struct soak_mix soak_kmalloc_mix = {
	.name = "kmalloc",
	.start = kmalloc_start,
	.op = kmalloc_op,
	.check = kmalloc_soak_check,
	.finish = kmalloc_finish,
};

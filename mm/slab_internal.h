/*
 * Private to mm/slab*.c and mm/kmalloc.c: the cache structure, the object
 * layout and the debug hooks.  See mm/slab.c for the theory of operation.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "mm/slab.h"

struct kmem_cache {
	/* The fast path reads these first. */
	struct list_node c_partial; /* slabs with some objects free */
	unsigned c_flags; /* SLAB_* */
	unsigned c_fp; /* offset of the free pointer from an object */
	unsigned c_size; /* object size as created */
	unsigned c_per_slab; /* objects in a slab */
	unsigned long c_active; /* objects handed out */

	struct list_node c_full; /* slabs with no free object */
	struct list_node c_empty; /* slabs with every object free */
	unsigned long c_slabs; /* on all three lists */
	unsigned long c_nr_empty; /* on c_empty */
	unsigned c_stride; /* bytes from one object slot to the next */
	unsigned c_obj_off; /* object's offset in its slot (left red zone) */
	unsigned c_track; /* debug: offset of struct slab_track from an object */
	unsigned c_align;
	unsigned c_order; /* slabs are 2^order frames */
	unsigned c_colour_step; /* bytes between two colours */
	unsigned c_colours; /* number of distinct colours */
	unsigned c_colour_next; /* colour of the next slab, 0..c_colours-1 */
	gfp_t c_gfp; /* where slabs come from */
	void (*c_ctor)(void *obj);
	struct list_node c_link; /* on slab_caches */
	char c_name[SLAB_NAME_MAX];
};

/*
 * Debug caches keep this record after each object's right red zone.  The
 * free pointer lives here too, so a write to a free object cannot corrupt
 * the free list.
 */
struct slab_track {
	void *t_next; /* free list link while free */
	uintptr_t t_alloc_by; /* caller of the last allocation */
	uintptr_t t_free_by; /* caller of the last free */
	uint32_t t_req; /* bytes requested (kmalloc), <= c_size */
	uint32_t t_state; /* TRACK_FREE or TRACK_LIVE */
};

#define TRACK_FREE 0xf4eef4eeu
#define TRACK_LIVE 0x11fe11feu
#define SLAB_RED_ZONE 8 /* bytes of red zone on each side, at least */

extern struct list_node slab_caches;

static inline bool cache_debug(const struct kmem_cache *c)
{
	return c->c_flags & SLAB_DEBUG;
}

/* A slab head: allocated, owned by the slab allocator. */
#define SLAB_PAGE_MASK (PG_OWNER_MASK | PG_ALLOCATED)
#define SLAB_PAGE_BITS (((uint32_t)OWNER_SLAB << PG_OWNER_SHIFT) | PG_ALLOCATED)

static inline bool page_is_slab(const struct page *head)
{
	return (head->flags & SLAB_PAGE_MASK) == SLAB_PAGE_BITS;
}

static inline struct slab_track *obj_track(const struct kmem_cache *c,
					   const void *obj)
{
	return (struct slab_track *)((uintptr_t)obj + c->c_track);
}

/* The first object of a slab. */
static inline uintptr_t slab_first_obj(const struct kmem_cache *c,
				       const struct page *page)
{
	return (uintptr_t)page_address(page) + page->s_colour + c->c_obj_off;
}

/* The head page of the slab holding addr, or NULL if addr is not in a
 * direct-mapped frame owned by the slab allocator. */
struct page *slab_page_of(const void *addr);

/* The index of the object starting at obj in its slab, or -1 when obj is
 * not the start of an object slot of that slab. */
long slab_obj_index(const struct kmem_cache *c, const struct page *page,
		    const void *obj);

/* --- mm/slab_debug.c ---------------------------------------------------- */

/* A new object in a new slab: red zones, poison, a FREE track. */
void debug_init_object(struct kmem_cache *c, void *obj);
/* About to hand obj out: check poison and red zones, record the caller. */
void debug_on_alloc(struct kmem_cache *c, void *obj, size_t req,
		    uintptr_t caller);
/* About to take obj back: false (reported) if it must not be freed. */
bool debug_on_free(struct kmem_cache *c, void *obj, uintptr_t caller);
/* Checks one object of a debug cache; the number of problems. */
unsigned debug_check_object(struct kmem_cache *c, void *obj, bool is_free);

#endif

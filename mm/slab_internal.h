/*
 * Private to mm/slab*.c and mm/kmalloc.c: the cache structure, the object
 * layout and the debug hooks.  See mm/slab.c for the theory of operation.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "mm/slab.h"

/* The per-cache array of free objects (see mm/slab.c, 6). */
#define SLAB_MAG_SIZE 16 /* objects it holds at most */
#define SLAB_MAG_BATCH 8 /* objects moved at once between it and the slabs */

struct kmem_cache {
	/* The fast paths read these first. */
	unsigned c_mag_avail; /* free objects in c_mag[1..c_mag_avail] */
	unsigned c_mag_limit; /* SLAB_MAG_SIZE; 0 (never used) when debugging */
	uint32_t c_div_inv; /* inverse of the stride's odd part, mod 2^32 */
	unsigned c_div_shift; /* the stride's power of two */
	unsigned c_per_slab; /* objects in a slab */
	void *c_mag[SLAB_MAG_SIZE + 1]; /* c_mag[0] stays NULL, a guard */
	unsigned long c_active; /* objects off their slabs' free lists:
				 * handed out or in c_mag */
	unsigned c_flags; /* SLAB_* */
	unsigned c_fp; /* offset of the free pointer from an object */
	unsigned c_size; /* object size as created */
	struct list_node c_partial; /* slabs with some objects free */

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
/* The cache that struct kmem_cache objects come from (mm/slab_cache.c). */
extern struct kmem_cache slab_cache_cache;

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

/* The free-pointer word of obj: the free list's link while obj is free
 * on its slab, the mark while it is in the cache's array (below). */
static inline void **slab_free_ptr(const struct kmem_cache *c, const void *obj)
{
	return (void **)((uintptr_t)obj + c->c_fp);
}

/* Gives a slab taken off its list back to the buddy (mm/slab.c). */
void release_slab(struct kmem_cache *c, struct page *page);

/* The head page of the slab holding addr, or NULL if addr is not in a
 * direct-mapped frame owned by the slab allocator (mm/slab_info.c). */
struct page *slab_page_of(const void *addr);

/* The index of the object starting at obj in its slab, or -1 when obj is
 * not the start of an object slot of that slab. */
long slab_obj_index(const struct kmem_cache *c, const struct page *page,
		    const void *obj);

/*
 * The fast paths' look-up.  The head page of a slab when obj lies in the
 * first frame of one (a pointer into a later frame of a multi-frame slab,
 * or anything that is not in a slab, gives NULL: the slow path sorts it
 * out).
 */
static __always_inline struct page *slab_fast_page(const void *obj)
{
	/* virt_to_page_checked, written for one register: a direct-mapped
	 * pa fits a pointer (through the helper: one instruction more a
	 * free, measured) */
	paddr_t pa = mm_virt_to_phys(obj);
	pfn_t pfn = (pfn_t)((uintptr_t)pa >> MM_PAGE_SHIFT); /* if pa is direct */
	struct page *page;

	if (unlikely(pa >= mm_direct_end() || !pfn_valid(pfn)))
		return NULL;
	page = pfn_to_page(pfn);
	if (unlikely((page->flags & (SLAB_PAGE_MASK | PG_TAIL)) != SLAB_PAGE_BITS))
		return NULL;
	return page;
}

/*
 * Whether obj, in the first frame of slab `page` of a cache without
 * debugging, is the start of an object slot that its slab does not hold
 * as free (see below) -- without a division: the
 * offset from the first object times the inverse of the stride's odd part,
 * rotated right by the stride's power of two, is the slot's index when the
 * offset is a multiple of the stride, and at least 2^32 / stride when it
 * is not (or is negative).
 */
static __always_inline bool slab_fast_obj_start(const struct kmem_cache *c,
						const struct page *page,
						const void *obj)
{
	uint32_t off = ((uintptr_t)obj & (MM_PAGE_SIZE - 1)) - page->s_colour;
	uint32_t q = off * c->c_div_inv;

	q = (q >> c->c_div_shift) | (q << (-c->c_div_shift & 31));
	/* and not obviously free already: at the head of the slab's free
	 * list, or in a slab with nothing in use */
	return q < c->c_per_slab && obj != page->s_freelist && page->s_inuse;
}

/*
 * Pushes a free object on the cache's array with interrupts off; false,
 * with nothing changed, when the array is full (always, for a debug cache)
 * or obj is already in it (its mark says so: a double free).
 */
/*
 * An object in the array carries a mark in its free-pointer word (outside
 * the object when the cache has a constructor): its own address scrambled
 * with SLAB_MAG_MARK.  A free of a marked object is a double free caught
 * before it can enter the array twice; the slow path confirms it against
 * the array itself, so user data that happens to look like a mark costs a
 * detour, never a false report.
 */
#define SLAB_MAG_MARK ((uintptr_t)0xA5C3A5C3u)

static inline uintptr_t *slab_mag_mark_word(const struct kmem_cache *c,
					    void *obj)
{
	return (uintptr_t *)slab_free_ptr(c, obj);
}

static inline bool slab_mag_marked(const struct kmem_cache *c, void *obj)
{
	return *slab_mag_mark_word(c, obj) == ((uintptr_t)obj ^ SLAB_MAG_MARK);
}

static __always_inline bool slab_mag_push(struct kmem_cache *c, void *obj)
{
	mm_irqflags_t flags = mm_irq_save();
	unsigned n = c->c_mag_avail;
	uintptr_t *mark = slab_mag_mark_word(c, obj);

	if (unlikely(n >= c->c_mag_limit ||
		     *mark == ((uintptr_t)obj ^ SLAB_MAG_MARK))) {
		mm_irq_restore(flags);
		return false;
	}
	*mark = (uintptr_t)obj ^ SLAB_MAG_MARK;
	c->c_mag[n + 1] = obj;
	c->c_mag_avail = n + 1;
	mm_irq_restore(flags);
	return true;
}

/* What the fast path of a free did (slab_free_fast). */
enum slab_free_result {
	SLAB_FREED, /* pushed on the cache's array */
	SLAB_FREE_NO_ROOM, /* an object of this cache, but the array refused it */
	SLAB_FREE_SLOW, /* anything else: a pointer to look at closely */
};

/*
 * The fast path of a free: obj is the start of an object in the first
 * frame of a slab of `c` (with any_kmalloc, a constant at each call: of
 * whatever kmalloc cache the slab belongs to, found in *cache), not
 * obviously free, and the array has room -- a push with interrupts off.
 * Anything else changes nothing and says which way on (slab_free_finish).
 */
static __always_inline enum slab_free_result slab_free_fast(struct kmem_cache *c,
							    bool any_kmalloc, void *obj,
							    struct kmem_cache **cache)
{
	struct page *page = slab_fast_page(obj);

	if (unlikely(!page))
		return SLAB_FREE_SLOW;
	*cache = page->s_cache;
	if (any_kmalloc ? !((*cache)->c_flags & SLAB_KMALLOC) : *cache != c)
		return SLAB_FREE_SLOW;
	if (unlikely(!slab_fast_obj_start(*cache, page, obj)))
		return SLAB_FREE_SLOW;
	return likely(slab_mag_push(*cache, obj)) ? SLAB_FREED : SLAB_FREE_NO_ROOM;
}

/* The rest of a free slab_free_fast did not finish: a full array is
 * flushed (SLAB_FREE_NO_ROOM, the checks already made), anything else is
 * diagnosed (NULL is ignored). */
void slab_free_finish(struct kmem_cache *c, void *obj, uintptr_t caller,
		      enum slab_free_result how);

/* Whether obj is in the cache's array (lock held, or a racy look). */
bool slab_mag_holds(const struct kmem_cache *c, const void *obj);

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

/*
 * Private to mm/slab*.c and mm/kmalloc.c (through mm/slab_internal.h): the
 * cache structure -- its per-CPU arrays, depot magazines, ids, flags and
 * the handle's life states -- and where a slab's objects lie.  The free
 * records and their links are in mm/slab_record.h, the fast paths in
 * mm/slab_internal.h.  See mm/slab.c for the theory of operation.
 */
#ifndef MM_SLAB_LAYOUT_H
#define MM_SLAB_LAYOUT_H

#include "mm/slab.h"
#include "mm/kmalloc.h"

/* The per-CPU arrays of free objects and the depot (see mm/slab.c, 6). */
#define SLAB_MAG_SIZE MM_ARRAY_SLOTS /* objects an array holds at most */
STATIC_ASSERT(SLAB_MAG_SIZE == SLAB_MAG_LIMIT_MAX, "slab.h says how many");
/* An array holds about this many bytes of objects (SLAB_MAG_SIZE small
 * ones, fewer large ones: as Linux's SLAB sizes its arrays), at least 2. */
#define SLAB_ARRAY_BYTES 8192
/* The depot keeps at most about this many bytes of objects in full
 * magazines; more go back to their slabs. */
#define SLAB_DEPOT_BYTES (256u * 1024)
/* Objects larger than this are few to a slab (seven to a page or fewer),
 * and each one the depot keeps holds an eighth of a page or more out of
 * use: their depot keeps one magazine. */
#define SLAB_LARGE_OBJECT 512u

/*
 * One CPU's arrays for one cache (Bonwick's loaded and previous
 * magazines): the fast paths pop and push sc_loaded -- at offset 0, so
 * that c_cpu is its address -- and the slow paths exchange whole arrays
 * between it, sc_prev and the depot.  A CPU's copy is zero until its
 * first slow path gives both their a_limit.
 */
struct slab_cpu {
	struct mm_obj_array sc_loaded;
	struct mm_obj_array sc_prev;
};

/* A magazine of the depot: full (a full array's objects, marked
 * IN_ARRAY) or empty, on one of the cache's two depot lists. */
struct slab_magazine {
	struct slab_magazine *m_next;
	unsigned m_rounds;
	void *m_obj[SLAB_MAG_SIZE];
};

/* Cache ids (mm/slab.c, 2): 0 is the cache of caches, 1..KMALLOC_NR_CLASSES
 * the kmalloc size classes in order, the rest handed out on creation. */
#define SLAB_ID_CACHES 0u
#define SLAB_ID_KMALLOC 1u
#define SLAB_ID_FIRST_FREE (SLAB_ID_KMALLOC + KMALLOC_NR_CLASSES)
#define SLAB_ID_ANY (~0u) /* __kmem_cache_create: take a free id */
#define SLAB_MAX_IDS ((PG_OWNER_ID_MASK >> PG_OWNER_ID_SHIFT) + 1)

/* Internal cache flags (beside the SLAB_* creation flags of slab.h). */
#define SLAB_TILED 0x100u /* power-of-two stride tiling the first frame */
#define SLAB_NO_ARRAYS 0x200u /* no per-CPU arrays (the magazines' cache) */

struct kmem_cache {
	/* The fast paths read these first.  c_cpu: the per-CPU arrays
	 * (mm_percpu_alloc; &slab_no_arrays, whose arrays never take an
	 * object, for a debug cache or when the per-CPU space ran out). */
	struct slab_cpu *c_cpu;
	uint32_t c_key; /* the flags of this cache's slab heads (SLAB_KEY_MASK) */
	unsigned c_fp; /* offset of the free record from an object */
	unsigned c_flags; /* SLAB_* */
	uintptr_t c_start_mask; /* SLAB_TILED: stride - 1 */
	uint32_t c_div_inv; /* inverse of the stride's odd part, mod 2^32 */
	unsigned c_div_shift; /* the stride's power of two */
	unsigned c_per_slab; /* objects in a slab */
	unsigned c_span; /* c_per_slab * c_stride */
	unsigned long c_active; /* objects of in-service slabs off their free
				 * lists: handed out, in arrays or the depot */
	uintptr_t c_secret; /* the free-list links' key (random) */
	unsigned c_size; /* object size as created */
	unsigned c_id; /* in the flags of every slab head */
	struct list_node c_partial; /* slabs with some objects free */
	mm_lock_t c_lock; /* the lists, counters and depot below */

	struct list_node c_full; /* slabs with no free object */
	struct list_node c_empty; /* slabs with every object free */
	struct list_node c_quarantine; /* slabs taken out of service */
	unsigned long c_slabs; /* on the partial, full and empty lists */
	unsigned long c_nr_empty; /* on c_empty */
	unsigned long c_nr_quarantined; /* on c_quarantine */
	unsigned c_stride; /* bytes from one object slot to the next */
	unsigned c_obj_off; /* object's offset in its slot (left red zone) */
	unsigned c_rec_bytes; /* debug: the slab's record array, at its start */
	unsigned c_align;
	unsigned c_order; /* slabs are 2^order frames */
	unsigned c_colour_step; /* bytes between two colours */
	unsigned c_colours; /* number of distinct colours */
	unsigned c_colour_next; /* slabs made: the next one's colour, modulo c_colours */
	gfp_t c_gfp; /* where slabs come from */
	void (*c_ctor)(void *obj);
	unsigned c_array_limit; /* objects an array holds (0: no arrays) */
	struct slab_magazine *c_depot_full; /* full magazines */
	struct slab_magazine *c_depot_empty; /* empty ones, ready for use */
	unsigned c_depot_nr_full, c_depot_nr_empty;
	unsigned c_depot_max; /* full magazines kept at most */
	unsigned long c_depot_exchanges; /* magazines through the depot */
	unsigned c_users; /* kmem_shrink_all at work on it: not destroyed */
	bool c_drain_pending; /* a slab was quarantined: drain every CPU's arrays */
	struct list_node c_link; /* on slab_caches (slab_list_lock) */
	char c_name[SLAB_NAME_MAX];
	mm_lock_entry_t c_lock_entry; /* c_lock on lockstat's list, while linked */
	uintptr_t c_magic; /* SLAB_CACHE_LIVE in service, else SLAB_CACHE_DEAD */
};

/*
 * A cache's life as its callers see it (mm/slab_handle.c).  c_magic says
 * whether a struct kmem_cache is a cache in service.  A destroyed cache,
 * and a slot of the cache of caches that never held one, is "dead": its
 * magic SLAB_CACHE_DEAD, its arrays slab_no_arrays (every allocation and
 * free misses the fast path), its key one no page carries (a free's page
 * check fails), not SLAB_TILED.  The cache of caches has a constructor
 * that makes every slot dead, so that this state survives in a free slot
 * until a new cache takes it (mm/slab_handle.c says what can and cannot
 * be detected).
 */
#define SLAB_CACHE_LIVE 0x5CAC4E11u
#define SLAB_CACHE_DEAD 0xDEADCAC4u
/* Two state bits at once: no page's flags ever hold this (buddy_check). */
#define SLAB_KEY_DEAD (PG_BUDDY | PG_ALLOCATED)

/* The slow paths' check of a handle: one load (that does not fault: a
 * wild pointer reads as dead), no report. */
static __always_inline bool slab_cache_live(const struct kmem_cache *c)
{
	static const uintptr_t dead = SLAB_CACHE_DEAD;

	return likely(c != NULL) &&
	       likely(mm_handle_load(&c->c_magic, &dead) == SLAB_CACHE_LIVE);
}

/*
 * The entry check of a call on cache c: true if c is a cache in service.
 * Otherwise reports what c is (NULL, not a cache, inside one, a destroyed
 * cache, an overwritten one), naming op and its caller, and returns false.
 * It reads c only once the page array says c starts a slot of the cache
 * of caches, so any address may be passed.
 */
bool slab_cache_check_handle(const struct kmem_cache *c, const char *op,
			     uintptr_t caller);
/* Makes c dead (see above); the constructor of the cache of caches. */
void slab_cache_kill(struct kmem_cache *c);
void slab_cache_ctor(void *obj);
/* The out-of-line part of kmem_cache_alloc's checks: reports why c or gfp
 * is refused; NULL, to return. */
void *slab_alloc_refused(const struct kmem_cache *c, gfp_t gfp, uintptr_t caller);

#define SLAB_RED_ZONE 8 /* bytes of red zone on each side, at least */

extern struct list_node slab_caches;
/* The cache that struct kmem_cache objects come from (mm/slab_cache.c). */
extern struct kmem_cache slab_cache_cache;

static inline bool cache_debug(const struct kmem_cache *c)
{
	return c->c_flags & SLAB_DEBUG;
}

/* A slab head: allocated, owned by the slab allocator (any cache). */
#define SLAB_PAGE_MASK (PG_OWNER_KIND_MASK | PG_ALLOCATED)
#define SLAB_PAGE_BITS (((uint32_t)OWNER_SLAB << PG_OWNER_SHIFT) | PG_ALLOCATED)
/* The head of an in-service slab of one cache: what c_key holds.  Tail
 * pages (PG_TAIL), quarantined slabs and other caches all differ. */
#define SLAB_KEY_MASK (PG_STATE_MASK | PG_QUARANTINE | PG_OWNER_MASK)
#define SLAB_KEY(id) (SLAB_PAGE_BITS | ((uint32_t)(id) << PG_OWNER_ID_SHIFT))

static inline bool page_is_slab(const struct page *head)
{
	return (head->flags & SLAB_PAGE_MASK) == SLAB_PAGE_BITS;
}

static inline bool slab_quarantined(const struct page *head)
{
	return head->flags & PG_QUARANTINE;
}

/* The first object of a slab. */
static inline uintptr_t slab_first_obj(const struct kmem_cache *c,
				       const struct page *page)
{
	return (uintptr_t)lowmem_page_address(page) + c->c_rec_bytes +
	       page->s_colour + c->c_obj_off;
}

#endif

/*
 * Private to mm/slab*.c and mm/kmalloc.c: the cache structure, the object
 * layout, the free records and the fast paths' checks.  See mm/slab.c for
 * the theory of operation.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

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

/*
 * The free record (mm/slab.c, 3): what a free object holds at c_fp -- its
 * first words without a constructor, the words after it with one, and
 * the object's record in the slab's record array when debugging.
 */
struct slab_free_rec {
	uintptr_t f_mark; /* SLAB_MARK_* */
	uintptr_t f_link; /* on a slab's free list: the next one, encoded */
};

/* The marks of a free object (mm/platform.h's), which differ in bit 0
 * only, so that one comparison says "free, wherever it is". */
#define SLAB_MARK_ON_SLAB MM_MARK_ON_LIST /* on its slab's free list */
#define SLAB_MARK_IN_ARRAY MM_MARK_IN_ARRAY /* in the cache's array */
#define SLAB_MARK_LIVE 0x11FE11FEu /* debug records: handed out */

static inline bool slab_mark_free(uintptr_t mark)
{
	return (mark | 1) == SLAB_MARK_IN_ARRAY;
}

/*
 * A debug object's record, in an array at the start of its slab (one per
 * object, in object order), out of reach of any overflow from an object.
 * t_check seals the fields callers are read from; a record whose seal is
 * broken is reported and never trusted.
 */
struct slab_track {
	struct slab_free_rec t_free; /* mark: ON_SLAB while free, LIVE in use */
	uintptr_t t_alloc_by; /* caller of the last allocation */
	uintptr_t t_free_by; /* caller of the last free */
	uint32_t t_req; /* bytes requested (kmalloc), <= c_size */
	uint32_t t_check; /* slab_track_seal() of the fields above */
};

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

/* --- free records and links --------------------------------------------- */

/* The index of obj in the slab whose first object is at `first`, or -1
 * when obj is not the start of an object slot there: the offset from the
 * first object times the inverse of the stride's odd part, rotated right
 * by the stride's power of two, is the index when the offset is a multiple
 * of the stride, and at least 2^32 / stride when it is not. */
static __always_inline long slab_index_at(const struct kmem_cache *c,
					  uintptr_t first, const void *obj)
{
	uintptr_t off = (uintptr_t)obj - first;
	uint32_t q = (uint32_t)off * c->c_div_inv;

	q = (q >> c->c_div_shift) | (q << (-c->c_div_shift & 31));
	if (off >= c->c_span || q >= c->c_per_slab)
		return -1;
	return (long)q;
}

static __always_inline long slab_index(const struct kmem_cache *c,
				       const struct page *page, const void *obj)
{
	return slab_index_at(c, slab_first_obj(c, page), obj);
}

/* The debug record of the object at index i of slab page. */
static inline struct slab_track *slab_track_at(const struct page *page, long i)
{
	return (struct slab_track *)lowmem_page_address(page) + i;
}

/* The free record of obj, an object of a cache without debugging (the
 * only caches with an array). */
static __always_inline struct slab_free_rec *
slab_obj_rec(const struct kmem_cache *c, void *obj)
{
	return (struct slab_free_rec *)((uintptr_t)obj + c->c_fp);
}

/* The free record of obj, which must be an object of slab page. */
static __always_inline struct slab_free_rec *
slab_free_rec(const struct kmem_cache *c, const struct page *page, void *obj)
{
	if (cache_debug(c))
		return &slab_track_at(page, slab_index(c, page, obj))->t_free;
	return slab_obj_rec(c, obj);
}

/* A free-list link is stored as the next object's address XOR the cache's
 * secret XOR the link's own address (Linux's hardened free lists), so that
 * a stray write does not make a plausible pointer. */
static inline uintptr_t slab_link_encode(const struct kmem_cache *c,
					 const void *next, const uintptr_t *where)
{
	return (uintptr_t)next ^ c->c_secret ^ (uintptr_t)where;
}

static inline void *slab_link_decode(const struct kmem_cache *c,
				     const uintptr_t *where)
{
	return (void *)(*where ^ c->c_secret ^ (uintptr_t)where);
}

/* Whether p is an object of the slab whose first object is at `first`:
 * for a tiled cache a mask, for the others slab_index_at. */
static __always_inline bool slab_is_obj_at(const struct kmem_cache *c,
					   uintptr_t first, const void *p)
{
	if (c->c_flags & SLAB_TILED)
		return (uintptr_t)p - first < c->c_span &&
		       !((uintptr_t)p & c->c_start_mask);
	return slab_index_at(c, first, p) >= 0;
}

/*
 * A slab's free list is built lazily (mm/slab.c, 3): an entry with bit 0
 * set -- a "fresh run" -- stands for that object and every object after it
 * in the slab, none of them ever handed out.  A new slab's list is one
 * fresh run; freed objects are linked in front of it.
 */
#define SLAB_FRESH ((uintptr_t)1)

static inline void *slab_entry_obj(uintptr_t entry)
{
	return (void *)(entry & ~SLAB_FRESH);
}

/* Not an entry: what slab_list_step returns for a broken step. */
#define SLAB_BAD_STEP ((uintptr_t)2)

/*
 * One step along a slab's free list (lock held): from the entry `entry`,
 * whose object's record is r and after which `left` free objects remain,
 * to the next entry -- 0 at the end -- or SLAB_BAD_STEP, with *why, when
 * the list is not sound: the record's mark must say "on the list"; a fresh
 * run goes on to the next object of the slab (first: its first object);
 * a link must decode to an object of the same slab (a fresh run or not);
 * and the list ends exactly when no free object is left.  The next
 * object's own mark is checked when it is taken in its turn.
 */
static __always_inline uintptr_t slab_list_step(const struct kmem_cache *c,
						uintptr_t first, uintptr_t entry,
						const struct slab_free_rec *r,
						unsigned left, const char **why)
{
	uintptr_t next;

	if (unlikely(r->f_mark != SLAB_MARK_ON_SLAB)) {
		*why = "its free mark is overwritten";
		return SLAB_BAD_STEP;
	}
	if (entry & SLAB_FRESH) {
		next = entry + c->c_stride;
		if ((next & ~SLAB_FRESH) - first >= c->c_span)
			next = 0;
	} else {
		next = (uintptr_t)slab_link_decode(c, &r->f_link);
		if (next && unlikely(!slab_is_obj_at(c, first, slab_entry_obj(next)))) {
			*why = "its free-list link leads outside the slab's objects";
			return SLAB_BAD_STEP;
		}
	}
	if (likely(!next == !left))
		return next;
	*why = left ? "its free list ends before its free objects do"
		    : "its free list runs past the slab's free objects";
	return SLAB_BAD_STEP;
}

/* --- the fast paths ------------------------------------------------------- */

/*
 * The fast paths' look-up: the page of a direct-mapped address (the direct
 * map never reaches past the page array), or NULL.  virt_to_page_checked,
 * written for one register: a direct-mapped pa fits a pointer.
 */
static __always_inline struct page *slab_fast_page(const void *obj)
{
	paddr_t pa = mm_virt_to_phys(obj);

	if (unlikely(pa >= mm_direct_end()))
		return NULL;
	return pfn_to_page((pfn_t)((uintptr_t)pa >> MM_PAGE_SHIFT));
}

/*
 * Whether obj, in the first frame of slab `page` of c, starts an object
 * (for a cache without debugging: its objects start at the colour).  A
 * tiled cache needs a mask; the others slab_index's multiplication, done
 * on the offset within the frame.
 */
static __always_inline bool slab_fast_obj_start(const struct kmem_cache *c,
						const struct page *page,
						const void *obj)
{
	uint32_t off, q;

	if (likely(c->c_flags & SLAB_TILED))
		return ((uintptr_t)obj & c->c_start_mask) == 0;
	off = (uint32_t)((uintptr_t)obj & (MM_PAGE_SIZE - 1)) - page->s_colour;
	q = off * c->c_div_inv;
	q = (q >> c->c_div_shift) | (q << (-c->c_div_shift & 31));
	return q < c->c_per_slab;
}

/* Pops an object off this CPU's array with interrupts off, clearing its
 * mark; NULL if it is empty (always, for a debug cache).  (c_fp is read
 * after the pop: before it, it would take a register across it.) */
static __always_inline void *slab_mag_pop(struct kmem_cache *c)
{
	void *obj = mm_array_pop(&c->c_cpu->sc_loaded);

	if (likely(obj))
		slab_obj_rec(c, obj)->f_mark = 0;
	return obj;
}

extern struct slab_cpu *slab_no_arrays; /* mm/slab_cpu.c */

/* slab_mag_pop for kmem_cache_alloc, whose c is the caller's: NULL or a
 * pointer to unmapped memory reads as a cache without arrays (no object:
 * the slow path checks c), in the one load the fast path makes anyway. */
static __always_inline void *slab_mag_pop_handle(struct kmem_cache *c)
{
	struct slab_cpu *cpu = (struct slab_cpu *)mm_handle_load(
		(const uintptr_t *)&c->c_cpu, (const uintptr_t *)&slab_no_arrays);
	void *obj = mm_array_pop(&cpu->sc_loaded);

	if (likely(obj))
		slab_obj_rec(c, obj)->f_mark = 0;
	return obj;
}

/* The same for a cache whose free record is at offset 0 (no constructor:
 * the tiled caches, the kmalloc classes), given its c_cpu. */
static __always_inline void *slab_mag_pop_fp0(struct slab_cpu *cpu)
{
	void *obj = mm_array_pop(&cpu->sc_loaded);

	if (likely(obj))
		((struct slab_free_rec *)obj)->f_mark = 0;
	return obj;
}

/*
 * Pushes obj on this CPU's array with interrupts off; false, with nothing
 * changed, when obj carries a free mark (most likely a double free: the
 * slow path decides) or the array is full (always, for a debug cache).
 */
static __always_inline bool slab_mag_push(struct kmem_cache *c, void *obj)
{
	return mm_array_push(&c->c_cpu->sc_loaded, obj, &slab_obj_rec(c, obj)->f_mark);
}

/* The same for a SLAB_TILED cache, whose free record is at offset 0. */
static __always_inline bool slab_mag_push_tiled(struct kmem_cache *c, void *obj)
{
	return mm_array_push(&c->c_cpu->sc_loaded, obj, (uintptr_t *)obj);
}

/*
 * Whether obj starts an object in the first frame of an in-service slab
 * of c: one masked comparison of its page's flags with the cache's key,
 * then the object boundary.
 */
static __always_inline bool slab_fast_is_obj(struct kmem_cache *c, void *obj)
{
	paddr_t pa = mm_virt_to_phys(obj);
	const struct page *page;

	if (unlikely(pa >= mm_direct_end()))
		return false;
	/* pfn_to_page, in one register */
	page = (const struct page *)((uintptr_t)mem_map +
				     ((uintptr_t)pa >> MM_PAGE_SHIFT) * sizeof(struct page));
	return likely((page->flags & SLAB_KEY_MASK) == c->c_key) &&
	       likely(slab_fast_obj_start(c, page, obj));
}

/* The whole fast path of a free: obj starts an object of c, carries no
 * free mark, and the array has room. */
static __always_inline bool slab_free_fast(struct kmem_cache *c, void *obj)
{
	return slab_fast_is_obj(c, obj) && slab_mag_push(c, obj);
}

/* Everything the fast path did not finish: a full array, a later frame of
 * a multi-frame slab, a debug cache, and every misuse (NULL is ignored). */
void slab_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller);
/* The same for a sound object in the first frame of a slab whose push
 * was refused: the cache is the slab's. */
void slab_free_refused(void *unused, void *obj, uintptr_t caller);
/* The same with obj's slab_page_of() at hand (NULL: not a slab's). */
void slab_free_slow_page(struct kmem_cache *c, struct page *page, void *obj,
		      uintptr_t caller);
/* The free of an object of a cache that is not SLAB_TILED: its fast path,
 * then slab_free_slow (out of line, so that the tiled caches' fast path
 * keeps its registers). */
void slab_free_untiled(struct kmem_cache *c, void *obj, uintptr_t caller);
/* kmem_cache_free's c could not be read (NULL, unmapped): reported. */
void slab_free_bad_handle(const struct kmem_cache *c, const void *obj, uintptr_t caller);

/* --- the per-CPU arrays and the depot (mm/slab_cpu.c) -------------------- */

/* The arrays of caches that have none: never given an a_limit. */
extern struct slab_cpu *slab_no_arrays;
/* At slab_init: slab_no_arrays, then (once caches can be made) the
 * magazines' cache. */
void slab_cpu_setup(void);
void slab_cpu_setup_magazines(void);
/* The cache the depots' magazines come from (shrunk after the others,
 * whose depots give their magazines back to it). */
struct kmem_cache *slab_magazine_cache(void);
/* Up to `want` objects off the partial slabs into out, marked IN_ARRAY
 * (c_lock held, mm/slab.c); how many. */
unsigned __slab_fill(struct kmem_cache *c, void **out, unsigned want);
/* Gives c its per-CPU arrays, or none (debug caches; per-CPU space used
 * up); c_array_limit says which.  slab_cpu_fini: gives them back, after
 * kmem_cache_drain. */
void slab_cpu_init(struct kmem_cache *c);
void slab_cpu_fini(struct kmem_cache *c);
/* This CPU's array was empty: refilled from its other array, a depot
 * magazine or the partial slabs; an object (its mark for the caller to
 * clear), or NULL when the slabs have none left. */
void *slab_cpu_alloc_refill(struct kmem_cache *c);
/* The push of a sound object failed: makes room on this CPU (its other
 * array, the depot, the slabs) and pushes; false if obj's mark says it is
 * free already (the caller diagnoses). */
bool slab_cpu_free_slow(struct kmem_cache *c, void *obj);
/* Whether obj, marked IN_ARRAY, is in an array or the depot: this CPU's
 * and the depot exactly (c_lock held), other CPUs' by a racy look. */
bool __slab_cpu_holds(struct kmem_cache *c, const void *obj);
/* Objects of slab page in this CPU's arrays or the depot (c_lock held)
 * are taken out, marked free on their slab (quarantine: other CPUs'
 * arrays keep theirs, which go out as any object would); how many. */
unsigned __slab_cpu_purge(struct kmem_cache *c, const struct page *page);
/* Objects of c in every CPU's arrays and in the depot (racy sums). */
unsigned long slab_cpu_objects(const struct kmem_cache *c, unsigned long *depot);
/* Objects of c in cpu's arrays (a racy look at another CPU's). */
unsigned slab_cpu_objects_on(const struct kmem_cache *c, unsigned cpu);
/* The arrays of caches[0..n) on every CPU, then their depots, go back to
 * the slabs (one cross-call for all of them, and none when no other CPU
 * holds anything). */
void slab_cpu_drain(struct kmem_cache *const *caches, unsigned n);
/*
 * A slab quarantined on one CPU may have free objects in the arrays of the
 * others, which would hand them out: __slab_quarantine asks for every
 * CPU's arrays of the cache to be drained, and the next slow path that can
 * make a cross-CPU call does it: the checks (kmem_cache_check, slab_check,
 * kmem_object_is_free), whose callers hold no lock, with interrupts on.
 * Not the allocation and free paths: their callers may hold a lock with
 * interrupts on that a drain's target spins on.
 */
void slab_cpu_drain_quarantined(struct kmem_cache *c);
static inline void slab_after_quarantine(struct kmem_cache *c)
{
	if (unlikely(READ_ONCE(c->c_drain_pending)))
		slab_cpu_drain_quarantined(c);
}
/* Checks every CPU's arrays of c (each CPU its own, by a cross-call) and
 * the depot: objects of c, marked IN_ARRAY, counts in bounds, no object
 * twice; the number of problems. */
unsigned slab_cpu_check(struct kmem_cache *c);
/* Puts objs[0..n) of c, free, back on their slabs (c_lock held); slabs
 * that this empties beyond SLAB_EMPTY_MAX go into dead[] (at least n
 * entries), *nr_dead counts them: the caller releases them unlocked. */
void __slab_return(struct kmem_cache *c, void *const *objs, unsigned n,
		   struct page **dead, unsigned *nr_dead);

/* --- shared by the slab files ------------------------------------------- */

/* kmem_cache_drain without the handle check (shrink, destroy, reclaim). */
void __kmem_cache_drain(struct kmem_cache *c);

/*
 * kmalloc's argument check, off its fast path: true if gfp has no bit
 * outside __GFP_BITS and size is at most KMALLOC_MAX_SIZE; otherwise one
 * REPORT_INVALID_ARG naming op and its caller (a size too large is not
 * reported under __GFP_NOWARN) and false (mm/kmalloc_args.c).
 */
void __kmalloc_args_refused(size_t size, gfp_t gfp, const char *op,
			    uintptr_t caller);
static __always_inline bool kmalloc_args_ok(size_t size, gfp_t gfp,
					    const char *op, uintptr_t caller)
{
	if (likely(!(gfp & ~__GFP_BITS)) && likely(size <= KMALLOC_MAX_SIZE))
		return true;
	__kmalloc_args_refused(size, gfp, op, caller);
	return false;
}

/* Fault injection's hook: the fast path steps aside while it is armed. */
void slab_failinject_armed(bool armed);

/* kmem_cache_create with a given id (SLAB_ID_ANY: a free one); kmalloc
 * creates its classes with theirs (mm/slab_cache.c). */
struct kmem_cache *__kmem_cache_create(const char *name, size_t size,
				       size_t align, unsigned flags,
				       void (*ctor)(void *obj), unsigned id);

/* Calls fn for every cache, each pinned meanwhile (mm/slab_cache.c). */
void slab_for_each_cache(void (*fn)(struct kmem_cache *c, void *arg), void *arg);

/* Gives a slab taken off its list back to the buddy (mm/slab_free.c). */
void release_slab(struct kmem_cache *c, struct page *page);

/* The head page of the slab holding addr, or NULL if addr is not in a
 * direct-mapped frame owned by the slab allocator (mm/slab_info.c). */
struct page *slab_page_of(const void *addr);

/*
 * Takes slab page out of service (lock held): reports what is wrong with
 * the free record of obj (raw: the word found), takes the slab off its
 * list onto c_quarantine and its objects out of the cache's array.  Its
 * memory is never reused (mm/slab.c, 9).
 */
void __slab_quarantine(struct kmem_cache *c, struct page *page, const void *obj,
		       const char *what, uintptr_t raw);

/*
 * Walks slab page's free list (lock held), checking each link and mark;
 * calls fn(obj, arg) for every free object until it returns true.  A
 * corrupt list quarantines the slab.  Returns: 1 if fn said stop, 0 at the
 * end of a sound list, -1 if the slab was quarantined.
 */
int __slab_walk_free(struct kmem_cache *c, struct page *page,
		     bool (*fn)(void *obj, void *arg), void *arg);

/* --- mm/slab_debug.c ---------------------------------------------------- */

/* A new object in a new slab: red zones, poison, a free record. */
void debug_init_object(struct kmem_cache *c, struct page *page, void *obj);
/* About to hand obj out: check poison and red zones, record the caller
 * (lock held, as for every change of a record or a red zone: the checker
 * reads them, and repairs them, under it). */
void debug_on_alloc(struct kmem_cache *c, struct page *page, void *obj,
		    size_t req, uintptr_t caller);
/* About to take obj back: false (reported) if it must not be freed
 * (lock held). */
bool debug_on_free(struct kmem_cache *c, struct page *page, void *obj,
		   uintptr_t caller);
/* Checks one object of a debug cache; the number of problems. */
unsigned debug_check_object(struct kmem_cache *c, struct page *page, void *obj);
/* The record of obj, or NULL (reported) if its seal is broken. */
struct slab_track *debug_track(struct kmem_cache *c, struct page *page,
			       const void *obj);

#endif

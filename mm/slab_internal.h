/*
 * Private to mm/slab*.c and mm/kmalloc.c: the fast paths' checks and the
 * functions the slab files share.  The cache structure is in
 * mm/slab_layout.h, the free records and links in mm/slab_record.h (both
 * included from here).  See mm/slab.c for the theory of operation.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "mm/slab_record.h"

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

/*
 * The slab allocator: caches of constructed objects.
 *
 * Theory of operation
 * -------------------
 * 1. Caches, slabs, objects (Bonwick, "The Slab Allocator", USENIX 1994).
 *    A cache hands out objects of one size.  It gets memory from the buddy
 *    allocator in slabs of 2^order contiguous frames and cuts each slab into
 *    c_per_slab object slots of c_stride bytes.  The order is the smallest
 *    one that wastes at most 1/8 of the slab (Bonwick's bound); for objects
 *    that no order up to SLAB_MAX_ORDER fits that well, the least wasteful
 *    order is taken.
 *
 * 2. Bookkeeping lives in struct page, not in the slab (SLUB's choice): the
 *    head page of a slab holds the first free object (s_freelist), the
 *    cache (s_cache), the number of objects handed out (s_inuse) and the
 *    colour offset (s_colour), and sits on one of the cache's lists through
 *    page->lru.  Tail pages point at the head (compound_set), so an
 *    object's slab and cache are found in O(1) from its address.  Every
 *    cache has a small id (0 for the cache of caches, 1.. for the kmalloc
 *    classes, the rest handed out at creation), kept in the owner bits of
 *    its slab heads' flags: c_key is what those flags hold, so one masked
 *    comparison proves "the head of an in-service slab of this cache" --
 *    tail pages, quarantined slabs, other caches' slabs and non-slab pages
 *    all fail it.
 *
 * 3. Free objects carry a record (struct slab_free_rec) at c_fp: in their
 *    first two words when the cache has no constructor, just after the
 *    object when it has one (a constructed object must stay intact), and
 *    in the slab's record array when debugging.  The record's mark says
 *    the object is free -- SLAB_MARK_ON_SLAB on its slab's free list,
 *    SLAB_MARK_IN_ARRAY in the cache's array (6) -- and, on the free list,
 *    its link holds the next free object, encoded with the cache's secret
 *    and the link's own address (Linux's hardened free lists).  So:
 *     - every free object is marked, wherever it is: a free of a marked
 *       object is a double free, caught on the fast path in one
 *       comparison and confirmed by the slow path (the object really is in
 *       the array, or on its slab's free list) before it is reported --
 *       user data that happens to look like a mark costs a detour, never a
 *       false report;
 *     - a link is followed only after it is validated: it decodes to NULL
 *       exactly at the end of the list (s_inuse says where), and otherwise
 *       to an object boundary in the same slab, whose record must be
 *       marked ON_SLAB when it is taken in its turn.  A stray write, a link
 *       into another slab or off a boundary, NULL's neighbourhood and a
 *       cycle are all caught before anything dereferences them (9).
 *    Allocation clears the mark, so a live object carries none (unless its
 *    owner writes one: see above).
 *
 * 4. The lists.  Invariant: a slab is on c_full when s_inuse ==
 *    c_per_slab, on c_empty when s_inuse == 0, on c_partial otherwise.
 *    Allocation takes the first partial slab; if there is none, an empty
 *    one; if there is none, a new slab from the buddy.  Freeing moves a
 *    slab from full to partial, or from partial to empty.  A cache keeps at
 *    most SLAB_EMPTY_MAX empty slabs: the next one goes straight back to the
 *    buddy.  kmem_cache_shrink returns all empty slabs.
 *
 * 5. Constructors run when a slab is made, once per object; a freed object
 *    is expected back in its constructed state and is handed out again as
 *    it is.  Colouring: a slab's leftover bytes let successive slabs start
 *    their first object at 0, 64, 128 ... bytes (c_colour_step), so that the
 *    same object index in different slabs falls on different cache lines.
 *
 * 6. Fast path: an array of free objects in front of the slabs (Bonwick's
 *    magazine; one per cache on one CPU, ready to become per-CPU).
 *    c_mag[1..c_mag_avail] holds up to SLAB_MAG_SIZE free objects;
 *    kmem_cache_alloc pops the top and clears its mark, kmem_cache_free
 *    checks and pushes, each with interrupts off.  The free's checks: the
 *    page of the address (the direct map, the page array), its flags
 *    against c_key, the object boundary (a mask for a power-of-two stride
 *    that tiles the frame, SLAB_TILED; a multiplication by the inverse of
 *    the stride otherwise), and the mark -- merged with the push.  An empty
 *    array is refilled with SLAB_MAG_BATCH objects from partial slabs; a
 *    full one sends its SLAB_MAG_BATCH oldest objects back to their slabs.
 *    Objects in the array are free, but their slabs count them as in use:
 *    c_active counts the objects off the slabs' free lists, so slabinfo's
 *    active count is c_active - c_mag_avail; kmem_cache_drain empties the
 *    array into the slabs.  Debug caches have no array (c_mag_limit 0).
 *    Anything the fast path cannot finish -- a later frame of a multi-frame
 *    slab, a full array, a debug cache, any misuse -- goes to slab_free_slow,
 *    which finishes the first three cheaply and diagnoses the rest.
 *
 * 7. Locking: interrupts off (mm_irq_save) around every change to a
 *    cache's lists, array and counters.  New slabs are built, constructors
 *    run and slabs go back to the buddy with interrupts on.  Cache creation
 *    and destruction are process-context operations.
 *
 * 8. Debugging (slab_debug on the command line, and always during the
 *    self-tests; see mm/slab_debug.c): red zones on both sides of every
 *    object, free objects poisoned, and a record of the allocating and
 *    freeing callers -- kept with the free record in an array at the start
 *    of the slab, where no overflow from an object reaches it, and sealed
 *    against stray writes.  Misuse -- a double free, a free to the wrong
 *    cache, an interior or foreign pointer, an overwritten red zone, a
 *    write after free -- is a named report through mm_report with the
 *    object, the cache and the callers.
 *
 * 9. Quarantine.  A slab whose free list is found corrupt -- by an
 *    allocation, a double-free confirmation or kmem_cache_check -- is
 *    reported (cache, slab, object, the raw word) and taken out of service:
 *    off its list onto c_quarantine, PG_QUARANTINE in its flags, its free
 *    objects out of the array.  Its memory is deliberately not reused:
 *    whatever wrote into it may still hold a pointer there.  Objects of it
 *    that are still in use may be freed normally (they are counted down;
 *    a second free is still a double free).  The allocation goes on from
 *    another slab or a new one, or returns NULL.  slabinfo counts the
 *    quarantined slabs; kmem_cache_release_quarantine gives back those
 *    with nothing in use, for tests and for someone who has looked.
 */
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/failinject.h"

/* --- slabs ---------------------------------------------------------------- */

/* A new slab with every object free and constructed, on no list. */
static struct page *new_slab(struct kmem_cache *c)
{
	struct page *page = alloc_pages(c->c_gfp, c->c_order);
	mm_irqflags_t flags;
	uintptr_t first;
	unsigned colour;

	if (!page)
		return NULL;
	flags = mm_irq_save();
	colour = c->c_colour_next;
	if (++c->c_colour_next >= c->c_colours)
		c->c_colour_next = 0;
	mm_irq_restore(flags);
	page->s_cache = c;
	page->s_inuse = 0;
	page->s_colour = (uint16_t)(colour * c->c_colour_step);
	compound_set(page, c->c_order);
	first = slab_first_obj(c, page);
	for (unsigned i = 0; i < c->c_per_slab; i++) {
		void *obj = (void *)(first + (uintptr_t)i * c->c_stride);
		if (cache_debug(c))
			debug_init_object(c, page, obj);
		if (c->c_ctor)
			c->c_ctor(obj);
		(cache_debug(c) ? slab_free_rec(c, page, obj)
				: slab_obj_rec(c, obj))->f_mark = SLAB_MARK_ON_SLAB;
	}
	page->s_freelist = (void *)(first | SLAB_FRESH);
	/* Last: from here on the fast paths take its objects for this cache's. */
	page->flags = (page->flags & ~PG_OWNER_MASK) | c->c_key;
	return page;
}

/* --- taking objects off a slab -------------------------------------------- */

/* The slab's last free object was just taken: it moves to c_full.  Out of
 * line, so that the take below stays short (lock held). */
static __noinline void __slab_now_full(struct kmem_cache *c, struct page *page)
{
	list_move(&page->lru, &c->c_full);
}

/* __slab_take found the record of `entry` broken: the objects taken so
 * far stay free, in the slab, which is quarantined (lock held). */
static __noinline void __slab_take_broken(struct kmem_cache *c, struct page *page,
					  uintptr_t entry, void **out, unsigned k,
					  bool debug)
{
	void *obj = slab_entry_obj(entry);
	unsigned left = c->c_per_slab - page->s_inuse - k - 1;
	struct slab_free_rec *r = debug ? slab_free_rec(c, page, obj) : slab_obj_rec(c, obj);
	const char *why = NULL;

	slab_list_step(c, slab_first_obj(c, page), entry, r, left, &why);
	while (k)
		(debug ? slab_free_rec(c, page, out[--k])
		       : slab_obj_rec(c, out[--k]))->f_mark = SLAB_MARK_ON_SLAB;
	__slab_quarantine(c, page, obj, why, r->f_mark != SLAB_MARK_ON_SLAB ?
			  r->f_mark : r->f_link);
}

/*
 * Takes up to `want` free objects off slab page (lock held), each given
 * the mark `mark`, into out[0..) -- the cache's array, or one object for a
 * debug cache.  Every step along the free list is checked first
 * (slab_list_step); a broken one quarantines the slab, whose objects
 * taken so far go with it.  The number taken (0 if quarantined).
 */
static __always_inline unsigned __slab_take(struct kmem_cache *c, struct page *page,
					    uintptr_t mark, void **out, unsigned want,
					    bool debug)
{
	uintptr_t first = slab_first_obj(c, page), entry = (uintptr_t)page->s_freelist;
	unsigned nfree = c->c_per_slab - page->s_inuse, n = MIN(want, nfree), k = 0;
	const char *why = NULL;

	/* A fresh run that holds every free object of the slab (as it does
	 * in a new slab): its objects are taken in order, only their marks
	 * to check. */
	if ((entry & SLAB_FRESH) &&
	    first + (uintptr_t)(c->c_per_slab - nfree) * c->c_stride == (entry & ~SLAB_FRESH)) {
		for (; k < n; k++, entry += c->c_stride) {
			void *obj = slab_entry_obj(entry);
			struct slab_free_rec *r = debug ? slab_free_rec(c, page, obj)
							: slab_obj_rec(c, obj);
			if (unlikely(r->f_mark != SLAB_MARK_ON_SLAB))
				break; /* the general loop reports it */
			r->f_mark = mark;
			out[k] = obj;
		}
		if (k == nfree)
			entry = 0;
	}
	for (; k < n; k++) {
		void *obj = slab_entry_obj(entry);
		struct slab_free_rec *r = debug ? slab_free_rec(c, page, obj)
						: slab_obj_rec(c, obj);
		uintptr_t next = slab_list_step(c, first, entry, r, nfree - k - 1, &why);

		if (unlikely(next == SLAB_BAD_STEP)) {
			__slab_take_broken(c, page, entry, out, k, debug);
			return 0;
		}
		r->f_mark = mark;
		out[k] = obj;
		entry = next;
	}
	page->s_freelist = (void *)entry;
	page->s_inuse = (uint16_t)(page->s_inuse + k);
	c->c_active += k;
	if (!entry)
		__slab_now_full(c, page);
	return k;
}

/* Takes up to `want` objects off the partial slabs into out, skipping
 * slabs that turn out corrupt; the number taken (lock held). */
static __always_inline unsigned __slab_pop(struct kmem_cache *c, uintptr_t mark,
					   void **out, unsigned want, bool debug)
{
	unsigned k = 0;

	while (k < want && !list_empty(&c->c_partial)) {
		struct page *page = list_first_entry(&c->c_partial, struct page, lru);
		k += __slab_take(c, page, mark, out + k, want - k, debug);
	}
	return k;
}

/* No partial slab: revive an empty one or make a new one (it goes on
 * c_partial); false when out of memory. */
static __noinline bool slab_grow(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();
	struct page *page;

	if (!list_empty(&c->c_empty)) {
		page = list_first_entry(&c->c_empty, struct page, lru);
		list_move(&page->lru, &c->c_partial);
		c->c_nr_empty--;
		mm_irq_restore(flags);
		return true;
	}
	mm_irq_restore(flags);
	page = new_slab(c);
	if (!page)
		return false;
	flags = mm_irq_save();
	list_add(&page->lru, &c->c_partial);
	c->c_slabs++;
	mm_irq_restore(flags);
	return true;
}

/* A debug cache's allocation: straight off a slab, growing the cache when
 * needed; NULL when out of memory. */
static void *slab_pop(struct kmem_cache *c)
{
	do {
		mm_irqflags_t flags = mm_irq_save();
		void *obj = NULL;

		__slab_pop(c, SLAB_MARK_LIVE, &obj, 1, true);
		mm_irq_restore(flags);
		if (obj)
			return obj;
	} while (slab_grow(c));
	return NULL;
}

/* --- the array ------------------------------------------------------------ */

/* Moves free objects of partial slabs onto the array, when it is less than
 * half full, until it is full (or the partial slabs run out). */
static void mag_fill(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();
	unsigned n = c->c_array.a_avail;

	if (n < c->c_array.a_limit / 2)
		c->c_array.a_avail = n + __slab_pop(c, SLAB_MARK_IN_ARRAY,
						    &c->c_array.a_slot[n + 1],
						    c->c_array.a_limit - n, false);
	mm_irq_restore(flags);
}

/* The array is empty: fill it from partial slabs, growing the cache when
 * there are none, and pop.  NULL when out of memory. */
static __noinline void *mag_refill(struct kmem_cache *c)
{
	do {
		void *obj;

		mag_fill(c);
		obj = slab_mag_pop(c);
		if (obj)
			return obj;
	} while (slab_grow(c));
	return NULL;
}

/*
 * kmem_cache_alloc's way out.  Three arguments: with -mregparm=3 gcc makes
 * the call a jump, so the fast path keeps no frame for it; where it cannot
 * (no sibling calls at -O1), the caller is still the right one.
 */
static __noinline void *cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	/* a dead cache's empty array leads here (mm/slab_handle.c) */
	if (unlikely(!slab_cache_live(c)) || unlikely(gfp & ~__GFP_BITS))
		return slab_alloc_refused(c, gfp, caller);
	return __kmem_cache_alloc(c, gfp, c->c_size, caller);
}

/* Flags below this take the fast path: those without __GFP_ZERO (and
 * __GFP_NOWARN), or none while fault injection counts every allocation.
 * One comparison, as the test of __GFP_ZERO alone would be. */
static gfp_t fast_gfp_below = __GFP_ZERO;

/* While fault injection is armed every allocation goes out of line. */
void slab_failinject_armed(bool armed)
{
	fast_gfp_below = armed ? 0 : __GFP_ZERO;
}

/*
 * The fast path: no zeroing, an object in the array -- a pop with
 * interrupts off.  Debug caches never have one; they, an empty array and
 * __GFP_ZERO go out of line.
 */
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	if (likely(gfp < fast_gfp_below)) {
		void *obj = slab_mag_pop(c);
		if (likely(obj))
			return obj;
	}
	return cache_alloc_slow(c, gfp, MM_CALLER());
}

__noinline void *__kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp,
				    size_t req, uintptr_t caller)
{
	void *obj;

	if (mm_should_fail(MM_ALLOC_SLAB, caller))
		return NULL;

	if (cache_debug(c)) {
		obj = slab_pop(c);
		if (unlikely(!obj))
			return NULL;
		debug_on_alloc(c, slab_page_of(obj), obj, req, caller);
		if (gfp & __GFP_ZERO)
			memset(obj, 0, MIN(req, (size_t)c->c_size));
		return obj;
	}
	obj = slab_mag_pop(c);
	if (!obj)
		obj = mag_refill(c);
	if (unlikely(!obj))
		return NULL;
	if (gfp & __GFP_ZERO)
		memset(obj, 0, c->c_size);
	return obj;
}

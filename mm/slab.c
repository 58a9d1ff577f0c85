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
 *    buddy.  kmem_cache_shrink returns all empty slabs.  The invariant
 *    holds whenever the cache's lock is free, which is when the checker
 *    and shrinking look: a new slab is listed as empty, and an empty slab
 *    changes list in the same hold of the lock as its first objects go.
 *
 * 5. Constructors run when a slab is made, once per object; a freed object
 *    is expected back in its constructed state and is handed out again as
 *    it is.  Colouring: a slab's leftover bytes let successive slabs start
 *    their first object at 0, 64, 128 ... bytes (c_colour_step), so that the
 *    same object index in different slabs falls on different cache lines.
 *
 * 6. Fast path: per-CPU arrays of free objects in front of the slabs,
 *    and a depot behind them (Bonwick and Adams' magazines, 2001; the
 *    layer is mm/slab_cpu.c).  Each CPU has, for each cache, a loaded
 *    array -- a_slot[1..a_avail], at most c_array_limit objects -- and a
 *    previous one: about SLAB_ARRAY_BYTES of objects, 2 to SLAB_MAG_SIZE
 *    (kmem_cache_set_array_limit sets another limit, 1 to SLAB_MAG_SIZE).
 *    kmem_cache_alloc pops the running CPU's loaded array and clears the
 *    object's mark; kmem_cache_free checks and pushes, each with
 *    interrupts masked and no lock: the array is reached through %fs
 *    (mm/platform.h), so a CPU's fast paths touch only its own memory.
 *    The free's checks: the page of the address (the direct map, the
 *    page array), its flags against c_key, the object boundary (a mask
 *    for a power-of-two stride that tiles the frame, SLAB_TILED; a
 *    multiplication by the inverse of the stride otherwise), and the mark
 *    -- merged with the push.  An empty loaded array takes the previous
 *    one's objects, else a full magazine from the cache's depot, else a
 *    batch from the partial slabs; a full one moves to the previous
 *    array, whose objects first go to the depot in an empty magazine (or
 *    to their slabs, past c_depot_max full magazines: SLAB_DEPOT_BYTES
 *    of objects, or one magazine of objects over SLAB_LARGE_OBJECT bytes,
 *    each of which holds an eighth of a page or more out of use).  So a free on
 *    another CPU than the allocation is as cheap as any: the object joins
 *    that CPU's array, and whole magazines travel between CPUs through
 *    the depot.  Objects in arrays and magazines are free, but their
 *    slabs count them as in use: c_active counts the objects off the
 *    slabs' free lists.  kmem_cache_drain empties every CPU's arrays (one
 *    cross-CPU call) and the depot into the slabs.  Debug caches and the
 *    magazines' own cache have no arrays (c_array_limit 0).  Anything the
 *    fast path cannot finish -- a later frame of a multi-frame slab, a
 *    full array, a cache without arrays, any misuse -- goes to
 *    slab_free_slow, which finishes the first three cheaply and diagnoses
 *    the rest.
 *
 * 7. Locking.  c_lock (LOCK_ORDER_SLAB, interrupts off) covers a cache's
 *    slab lists, counters and depot; a CPU's arrays are its own (6).  New
 *    slabs are built, constructors run and slabs go back to the buddy
 *    outside it.  The list of caches and the ids have slab_list_lock;
 *    kmem_shrink_all pins the caches it works on (c_users), and
 *    kmem_cache_destroy waits for them.  The checkers lock each cache in
 *    turn and have each CPU check its own arrays, so other CPUs may go on
 *    allocating meanwhile.  A cache's lock is on lockstat's list
 *    (mm_lock_register) from its link onto slab_caches until
 *    kmem_cache_destroy takes it off, before the cache is freed.

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
	uintptr_t first;
	unsigned colour;

	if (!page)
		return NULL;
	/* successive slabs take successive colours (no lock: a counter) */
	colour = __atomic_fetch_add(&c->c_colour_next, 1, __ATOMIC_RELAXED) % c->c_colours;
	page->s_cache = c;
	page->s_inuse = 0;
	page->s_colour = (uint16_t)(colour * c->c_colour_step);
	compound_set(page, c->c_order);
	first = slab_first_obj(c, page);
	if (!cache_debug(c) && !c->c_ctor) {
		/* the common case: the mark in each object's first word */
		uintptr_t end = first + (uintptr_t)c->c_per_slab * c->c_stride;
		for (uintptr_t obj = first; obj < end; obj += c->c_stride)
			((struct slab_free_rec *)obj)->f_mark = SLAB_MARK_ON_SLAB;
	} else {
		for (unsigned i = 0; i < c->c_per_slab; i++) {
			void *obj = (void *)(first + (uintptr_t)i * c->c_stride);
			if (cache_debug(c))
				debug_init_object(c, page, obj);
			if (c->c_ctor)
				c->c_ctor(obj);
			slab_free_rec(c, page, obj)->f_mark = SLAB_MARK_ON_SLAB;
		}
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
	MM_LOCK_HELD(&c->c_lock);
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

	MM_LOCK_HELD(&c->c_lock);
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

	MM_LOCK_HELD(&c->c_lock);
	/* A fresh run that holds every free object of the slab (as it does
	 * in a new slab): its objects are taken in order, only their marks
	 * to check. */
	if ((entry & SLAB_FRESH) &&
	    first + (uintptr_t)(c->c_per_slab - nfree) * c->c_stride == (entry & ~SLAB_FRESH)) {
		/* in locals: the stores below might alias the cache's fields */
		uintptr_t stride = c->c_stride, fp = c->c_fp;

		for (; k < n; k++, entry += stride) {
			void *obj = slab_entry_obj(entry);
			struct slab_free_rec *r = debug ? slab_free_rec(c, page, obj)
							: (struct slab_free_rec *)((uintptr_t)obj + fp);
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

/* Takes up to `want` objects off the first empty slab, which then joins
 * the partial or the full ones (or, corrupt, the quarantine); the number
 * taken (lock held).  Taken while it is still on c_empty, so that the
 * lists follow the use counts whenever the lock is free. */
static __noinline unsigned __slab_take_empty(struct kmem_cache *c, uintptr_t mark,
					     void **out, unsigned want, bool debug)
{
	struct page *page = list_first_entry(&c->c_empty, struct page, lru);
	unsigned k;

	MM_LOCK_HELD(&c->c_lock);
	k = __slab_take(c, page, mark, out, want, debug);
	if (k) {
		c->c_nr_empty--;
		if (page->s_inuse < c->c_per_slab) /* full: on c_full already */
			list_move(&page->lru, &c->c_partial);
	}
	return k;
}

/* Takes up to `want` objects off the partial slabs -- or, when they have
 * none, off an empty one -- into out, skipping slabs that turn out
 * corrupt; the number taken (lock held).  A refill that found objects on
 * partial slabs leaves the empty ones alone (rule 4: partial first). */
static __always_inline unsigned __slab_pop(struct kmem_cache *c, uintptr_t mark,
					   void **out, unsigned want, bool debug)
{
	unsigned k = 0;

	MM_LOCK_HELD(&c->c_lock);
	while (k < want) {
		if (!list_empty(&c->c_partial))
			k += __slab_take(c, list_first_entry(&c->c_partial, struct page, lru),
					 mark, out + k, want - k, debug);
		else if (!k && !list_empty(&c->c_empty))
			k += __slab_take_empty(c, mark, out + k, want - k, debug);
		else
			break;
	}
	return k;
}

/* No partial or empty slab: make a new one (it goes on c_empty, whence
 * the caller's next try takes it); false when out of memory. */
static __noinline bool slab_grow(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_lock(&c->c_lock);
	struct page *page;

	/* another CPU grew it, or freed, meanwhile */
	if (!list_empty(&c->c_partial) || !list_empty(&c->c_empty)) {
		mm_unlock(&c->c_lock, flags);
		return true;
	}
	mm_unlock(&c->c_lock, flags);
	page = new_slab(c);
	if (!page)
		return false;
	flags = mm_lock(&c->c_lock);
	list_add(&page->lru, &c->c_empty);
	c->c_nr_empty++;
	c->c_slabs++;
	mm_unlock(&c->c_lock, flags);
	return true;
}

/* An allocation of a cache without arrays: straight off a slab, growing
 * the cache when needed; NULL when out of memory.  A debug object's mark
 * (in its record) says LIVE, and its record and red zones are set for
 * `req` bytes by `caller` in the same hold of the lock: the checker reads
 * (and repairs) them under it.  Another's mark is cleared. */
static void *slab_pop(struct kmem_cache *c, size_t req, uintptr_t caller)
{
	bool debug = cache_debug(c);

	do {
		mm_irqflags_t flags = mm_lock(&c->c_lock);
		void *obj = NULL;

		if (debug) {
			if (__slab_pop(c, SLAB_MARK_LIVE, &obj, 1, true))
				debug_on_alloc(c, slab_page_of(obj), obj, req, caller);
		} else {
			__slab_pop(c, 0, &obj, 1, false);
		}
		mm_unlock(&c->c_lock, flags);
		if (obj)
			return obj;
	} while (slab_grow(c));
	return NULL;
}

/* --- the arrays ----------------------------------------------------------- */

unsigned __slab_fill(struct kmem_cache *c, void **out, unsigned want)
{
	MM_LOCK_HELD(&c->c_lock);
	return __slab_pop(c, SLAB_MARK_IN_ARRAY, out, want, false);
}

/* This CPU's array is empty: refill it (mm/slab_cpu.c), growing the cache
 * when the slabs are out of objects, and pop.  NULL when out of memory. */
static __noinline void *mag_refill(struct kmem_cache *c)
{
	do {
		void *obj = slab_cpu_alloc_refill(c);
		if (obj) {
			slab_obj_rec(c, obj)->f_mark = 0;
			return obj;
		}
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
 * The fast path: no zeroing, an object in this CPU's array -- a pop with
 * interrupts off.  Caches without arrays never have one; they, an empty
 * array and __GFP_ZERO go out of line.  An empty array's way out passes
 * no flags: on the fast path they cannot ask for zeroing or injection
 * (the only flags the slow path reads; slabs come with the cache's own),
 * and not keeping gfp alive across the pop saves a register.
 */
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	if (likely(gfp < fast_gfp_below)) {
		void *obj = slab_mag_pop_handle(c);
		if (likely(obj))
			return obj;
		gfp = 0;
	}
	return cache_alloc_slow(c, gfp, MM_CALLER());
}

__noinline void *__kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp,
				    size_t req, uintptr_t caller)
{
	void *obj;

	if (mm_should_fail(MM_ALLOC_SLAB, caller))
		return NULL;

	if (!c->c_array_limit) {
		obj = slab_pop(c, req, caller);
		if (unlikely(!obj))
			return NULL;
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

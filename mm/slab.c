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
 *    colour offset (s_colour), and sits on one of the cache's three lists
 *    through page->lru.  Tail pages point at the head (compound_set), so an
 *    object's slab and cache are found in O(1) from its address:
 *    virt_to_page, then compound_head.  There is no header in front of an
 *    object.  A free object holds the link to the next free object at
 *    offset c_fp: in its first word when the cache has no constructor, just
 *    after the object otherwise (a constructed object must stay intact),
 *    and in the debug record when debugging.
 *
 * 3. The three lists.  Invariant: a slab is on c_full when s_inuse ==
 *    c_per_slab, on c_empty when s_inuse == 0, on c_partial otherwise.
 *    Allocation takes the first partial slab; if there is none, an empty
 *    one; if there is none, a new slab from the buddy.  Freeing moves a
 *    slab from full to partial, or from partial to empty.  A cache keeps at
 *    most SLAB_EMPTY_MAX empty slabs: the next one goes straight back to the
 *    buddy.  kmem_cache_shrink returns all empty slabs.
 *
 * 4. Constructors run when a slab is made, once per object; a freed object
 *    is expected back in its constructed state and is handed out again as
 *    it is.  That is the whole point of object caching: no constructor on
 *    the allocation path, no destructor on the free path.
 *
 * 5. Colouring.  A slab's leftover bytes (slab size - objects) let
 *    successive slabs start their first object at 0, 64, 128 ... bytes
 *    (c_colour_step), so that the same object index in different slabs
 *    falls on different cache lines.
 *
 * 6. Fast path: an array of free objects in front of the slabs (Bonwick's
 *    magazine, the per-CPU array cache of Linux's SLAB; one array per
 *    cache on one CPU, ready to become per-CPU).  c_mag[1..c_mag_avail]
 *    holds up to SLAB_MAG_SIZE free objects; kmem_cache_alloc pops the
 *    top, kmem_cache_free pushes on it, each with interrupts off.  An empty
 *    array is refilled with SLAB_MAG_BATCH objects from partial slabs (a
 *    free list walked once); a full one sends its SLAB_MAG_BATCH oldest
 *    objects back to their slabs.  Objects in the array are free, but
 *    their slabs count them as in use: c_active counts the objects off the
 *    slabs' free lists, so slabinfo's active count is c_active -
 *    c_mag_avail; kmem_cache_drain empties the array into the slabs, and
 *    shrink and destroy drain first, so that empty slabs really go back.
 *    Debug caches have no array (c_mag_limit 0): every object goes
 *    through the checks of 8.
 *
 *    Before a push, the free path checks without a division that obj is
 *    the start of an object in a slab of this cache (slab_fast_page,
 *    slab_fast_obj_start: one multiplication and a rotation) and not
 *    obviously free already.  A later frame of a multi-frame slab, a full
 *    array and anything that looks wrong go to out-of-line slow paths,
 *    which diagnose.
 *
 * 7. Locking: interrupts off (mm_irq_save) around every change to a
 *    cache's lists and counters.  New slabs are built, constructors run and
 *    slabs go back to the buddy with interrupts on.  Cache creation and
 *    destruction are process-context operations.
 *
 * 8. Debugging (slab_debug on the command line, and always during the
 *    self-tests; see mm/slab_debug.c): red zones on both sides of every
 *    object, free objects poisoned, a record of the allocating and freeing
 *    callers; poison is checked on allocation, red zones on free.  Misuse --
 *    a double free, a free to the wrong cache, an interior or foreign
 *    pointer, an overwritten red zone, a write after free -- is a named
 *    report through mm_report with the object, the cache and the caller.
 *    Without debugging, a foreign pointer, the wrong cache, an interior
 *    pointer and the most common double frees are still caught: the
 *    object on top of the array (freed last), at the head of its slab's
 *    free list, or in a slab with nothing in use; and an object that went
 *    on the array twice anyway is reported when the array is flushed.
 */
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"

/* --- slabs ---------------------------------------------------------------- */

/* A new slab with every object free and constructed, on no list. */
static struct page *new_slab(struct kmem_cache *c)
{
	struct page *page = alloc_pages(c->c_gfp, c->c_order);
	mm_irqflags_t flags;
	uintptr_t first;
	void *next = NULL;
	unsigned colour;

	if (!page)
		return NULL;
	flags = mm_irq_save();
	colour = c->c_colour_next;
	if (++c->c_colour_next >= c->c_colours)
		c->c_colour_next = 0;
	mm_irq_restore(flags);
	page_set_owner(page, OWNER_SLAB);
	compound_set(page, c->c_order);
	page->s_cache = c;
	page->s_inuse = 0;
	page->s_colour = (uint16_t)(colour * c->c_colour_step);
	first = slab_first_obj(c, page);
	for (unsigned i = c->c_per_slab; i-- > 0;) {
		void *obj = (void *)(first + (uintptr_t)i * c->c_stride);
		if (cache_debug(c))
			debug_init_object(c, obj);
		if (c->c_ctor)
			c->c_ctor(obj);
		*slab_free_ptr(c, obj) = next;
		next = obj;
	}
	page->s_freelist = next;
	return page;
}

/* --- allocation ----------------------------------------------------------- */

/* The slab's last free object was just taken: it moves to c_full.  Out of
 * line, so that the pop below stays a handful of instructions (lock held). */
static __noinline void __slab_now_full(struct kmem_cache *c, struct page *page)
{
	list_move(&page->lru, &c->c_full);
}

/*
 * Pops an object off the first partial slab; NULL if there is none (lock
 * held).  A partial slab always has a free object, and its free list runs
 * out exactly when s_inuse reaches c_per_slab, so the list's end tells
 * when the slab becomes full.
 */
static __always_inline void *__slab_pop(struct kmem_cache *c)
{
	struct page *page = list_first_entry(&c->c_partial, struct page, lru);
	void *obj, *next;

	if (unlikely(&page->lru == &c->c_partial))
		return NULL;
	obj = page->s_freelist;
	next = *slab_free_ptr(c, obj);
	page->s_freelist = next;
	page->s_inuse++;
	c->c_active++;
	if (unlikely(!next))
		__slab_now_full(c, page);
	return obj;
}

/* No partial slab: revive an empty one or make a new one, then pop. */
static __noinline void *alloc_refill(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();
	struct page *page;
	void *obj;

	if (!list_empty(&c->c_empty)) {
		page = list_first_entry(&c->c_empty, struct page, lru);
		list_move(&page->lru, &c->c_partial);
		c->c_nr_empty--;
	} else {
		mm_irq_restore(flags);
		page = new_slab(c);
		if (!page)
			return NULL;
		flags = mm_irq_save();
		list_add(&page->lru, &c->c_partial);
		c->c_slabs++;
	}
	obj = __slab_pop(c);
	mm_irq_restore(flags);
	return obj;
}

/* Pops an object, refilling when needed; NULL when out of memory. */
static __always_inline void *slab_pop(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();
	void *obj = __slab_pop(c);

	mm_irq_restore(flags);
	if (unlikely(!obj))
		return alloc_refill(c);
	return obj;
}

/*
 * Moves free objects of the first partial slab onto the array until it
 * holds `want` (lock held); the number moved, 0 if there is no partial
 * slab.  The slab's free list is walked once and cut.
 */
static unsigned __mag_take(struct kmem_cache *c, unsigned want)
{
	struct page *page = list_first_entry(&c->c_partial, struct page, lru);
	unsigned k = 0;
	void *obj;

	if (&page->lru == &c->c_partial)
		return 0;
	for (obj = page->s_freelist; obj && c->c_mag_avail < want; k++) {
		void *next = *slab_free_ptr(c, obj);
		c->c_mag[++c->c_mag_avail] = obj;
		*slab_mag_mark_word(c, obj) = (uintptr_t)obj ^ SLAB_MAG_MARK;
		obj = next;
	}
	page->s_freelist = obj;
	page->s_inuse = (uint16_t)(page->s_inuse + k);
	c->c_active += k;
	if (!obj)
		__slab_now_full(c, page);
	return k;
}

/* Fills the array up to SLAB_MAG_BATCH objects from partial slabs. */
static void mag_fill(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();

	while (c->c_mag_avail < SLAB_MAG_BATCH &&
	       __mag_take(c, SLAB_MAG_BATCH))
		;
	mm_irq_restore(flags);
}

static __always_inline void *mag_pop(struct kmem_cache *c);

/*
 * The array is empty: fill it from partial slabs and pop; failing that,
 * revive an empty slab or make a new one (alloc_refill), and fill the
 * array from it.  NULL when out of memory.
 */
static __noinline void *mag_refill(struct kmem_cache *c)
{
	void *obj;

	mag_fill(c);
	obj = mag_pop(c);
	if (obj)
		return obj;
	obj = alloc_refill(c);
	if (obj)
		mag_fill(c);
	return obj;
}

/* Pops an object off the array with interrupts off; NULL if it is empty
 * (always, for a debug cache). */
static __always_inline void *mag_pop(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();
	unsigned n = c->c_mag_avail;
	void *obj = c->c_mag[n]; /* c_mag[0] is NULL */

	if (likely(n)) {
		c->c_mag_avail = n - 1;
		*slab_mag_mark_word(c, obj) = 0; /* handed out: unmarked */
	}
	mm_irq_restore(flags);
	return obj;
}

/*
 * kmem_cache_alloc's way out.  Three arguments: with -mregparm=3 gcc makes
 * the call a jump, so the fast path keeps no frame for it; where it cannot
 * (no sibling calls at -O1), the caller is still the right one.
 */
static __noinline void *cache_alloc_slow(struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	return __kmem_cache_alloc(c, gfp, c->c_size, caller);
}

/*
 * The fast path: no zeroing, an object in the array -- a pop with
 * interrupts off.  Debug caches never have one; they, an empty array and
 * __GFP_ZERO go out of line.
 */
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	mm_irqflags_t flags;
	unsigned n;
	void *obj;

	/* mag_pop written out: through it, the NULL it returns for an empty
	 * array costs one more test and a register kept for gfp (2.5
	 * instructions an operation on slab_alloc_free) */
	if (likely(!(gfp & __GFP_ZERO))) {
		flags = mm_irq_save();
		n = c->c_mag_avail;
		if (likely(n)) {
			obj = c->c_mag[n];
			c->c_mag_avail = n - 1;
			*slab_mag_mark_word(c, obj) = 0; /* handed out: unmarked */
			mm_irq_restore(flags);
			return obj;
		}
		mm_irq_restore(flags);
	}
	return cache_alloc_slow(c, gfp, MM_CALLER());
}

__noinline void *__kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp,
				    size_t req, uintptr_t caller)
{
	void *obj = cache_debug(c) ? slab_pop(c) : mag_pop(c);

	if (!obj && !cache_debug(c))
		obj = mag_refill(c);
	if (unlikely(!obj))
		return NULL;
	if (cache_debug(c))
		debug_on_alloc(c, obj, req, caller);
	if (gfp & __GFP_ZERO)
		memset(obj, 0, cache_debug(c) ? req : c->c_size);
	return obj;
}

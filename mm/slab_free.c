/*
 * The slab allocator's free paths: objects back onto the cache's array or
 * their slab's free list, the array flushed, and every misuse diagnosed.
 * The theory of operation is at the top of mm/slab.c (3, 6, 8 and 9).
 */
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"

/* Gives a slab taken off its list back to the buddy. */
void release_slab(struct kmem_cache *c, struct page *page)
{
	page->s_cache = NULL;
	page->s_freelist = NULL;
	page->flags &= ~PG_QUARANTINE;
	compound_clear(page, c->c_order);
	page_set_owner(page, OWNER_NONE);
	__free_pages(page, c->c_order);
}

/* A slab whose use count just reached 0, or left c_per_slab, changes
 * list; returns it if it must go back to the buddy (lock held). */
static struct page *__slab_relist(struct kmem_cache *c, struct page *page)
{
	MM_LOCK_HELD(&c->c_lock);
	if (page->s_inuse)
		list_move(&page->lru, &c->c_partial);
	else if (c->c_nr_empty >= SLAB_EMPTY_MAX) {
		list_del(&page->lru);
		c->c_slabs--;
		return page;
	} else {
		/* every object is free and marked so: one fresh run again */
		page->s_freelist = (void *)(slab_first_obj(c, page) | SLAB_FRESH);
		list_move(&page->lru, &c->c_empty);
		c->c_nr_empty++;
	}
	return NULL;
}

/*
 * Puts obj, whose record is r, on its slab's free list (lock held); a slab
 * to give back to the buddy, if any.  An object of a quarantined slab is
 * only counted down and marked free.  The caller counts c_active down.
 */
static __always_inline struct page *__slab_push(struct kmem_cache *c,
						struct page *page, void *obj,
						struct slab_free_rec *r)
{
	void *head = page->s_freelist;

	MM_LOCK_HELD(&c->c_lock);
	r->f_mark = SLAB_MARK_ON_SLAB;
	page->s_inuse--;
	if (unlikely(slab_quarantined(page)))
		return NULL;
	r->f_link = slab_link_encode(c, head, &r->f_link);
	page->s_freelist = obj;
	if (likely(page->s_inuse && head))
		return NULL;
	return __slab_relist(c, page);
}

/* One object of a slab back on its list (lock held), c_active counted. */
static __always_inline struct page *__slab_push_one(struct kmem_cache *c,
						    struct page *page, void *obj,
						    struct slab_free_rec *r)
{
	MM_LOCK_HELD(&c->c_lock);
	if (!slab_quarantined(page))
		c->c_active--;
	return __slab_push(c, page, obj, r);
}

static __noinline void report_written_in_array(struct kmem_cache *c, void *obj,
					       uintptr_t mark)
{
	mm_report(REPORT_USE_AFTER_FREE, (uintptr_t)obj,
		  "free object of cache %s was written while in an array or the depot (its mark reads %#lx)",
		  c->c_name, (unsigned long)mark);
}

void __slab_return(struct kmem_cache *c, void *const *objs, unsigned n,
		   struct page **dead, unsigned *nr_dead)
{
	struct page *page = NULL, *gone;
	uintptr_t frame = 1; /* the frame page belongs to: none yet */
	unsigned pushed = 0;

	MM_LOCK_HELD(&c->c_lock);
	for (unsigned i = 0; i < n; i++) {
		void *obj = objs[i];
		struct slab_free_rec *r = slab_obj_rec(c, obj);

		/* neighbours in an array are mostly neighbours in memory */
		if (((uintptr_t)obj & ~(uintptr_t)(MM_PAGE_SIZE - 1)) != frame) {
			frame = (uintptr_t)obj & ~(uintptr_t)(MM_PAGE_SIZE - 1);
			page = compound_head(virt_to_page(obj));
		}
		if (unlikely(r->f_mark != SLAB_MARK_IN_ARRAY))
			report_written_in_array(c, obj, r->f_mark);
		pushed += !slab_quarantined(page);
		if ((gone = __slab_push(c, page, obj, r)) != NULL)
			dead[(*nr_dead)++] = gone;
	}
	c->c_active -= pushed;
}

/* --- diagnosis ------------------------------------------------------------ */

static bool is_target(void *obj, void *target)
{
	return obj == target;
}

/* Whether obj, which carries a free mark, is really free (lock held): in
 * an array or the depot, on its slab's free list, or freed into a
 * quarantined slab. */
static bool __obj_is_free(struct kmem_cache *c, struct page *page, void *obj,
			  uintptr_t mark)
{
	MM_LOCK_HELD(&c->c_lock);
	if (slab_quarantined(page))
		return mark == SLAB_MARK_ON_SLAB;
	if (mark == SLAB_MARK_IN_ARRAY)
		return __slab_cpu_holds(c, obj);
	return __slab_walk_free(c, page, is_target, obj) == 1;
}

/* Reports what is wrong with freeing obj to c, if anything (lock held);
 * true if it may go.  page is slab_page_of(obj). */
static bool __free_allowed(struct kmem_cache *c, struct page *page, void *obj)
{
	struct slab_free_rec *r;

	MM_LOCK_HELD(&c->c_lock);
	if (!page) {
		struct page *p = virt_to_page_checked(obj);
		mm_report(REPORT_OUT_OF_RANGE, (uintptr_t)obj,
			  "freed to cache %s: not a slab object (%s)", c->c_name,
			  p ? page_owner_name(page_owner(compound_head(p)))
			    : "not in the direct map");
	} else if (page->s_cache != c) {
		mm_report(REPORT_WRONG_CACHE, (uintptr_t)obj,
			  "object of cache %s freed to cache %s",
			  page->s_cache->c_name, c->c_name);
	} else if (slab_index(c, page, obj) < 0) {
		void *start = NULL;
		slab_find_object(obj, &start);
		mm_report(REPORT_INTERIOR_POINTER, (uintptr_t)obj,
			  "not the start of an object of cache %s (%u bytes; nearest object %p)",
			  c->c_name, c->c_size, start);
	} else if (cache_debug(c)) {
		return true; /* debug_on_free reads the record */
	} else if (r = slab_free_rec(c, page, obj), slab_mark_free(r->f_mark) &&
		   __obj_is_free(c, page, obj, r->f_mark)) {
		mm_report(REPORT_DOUBLE_FREE, (uintptr_t)obj,
			  "object of cache %s is already free (%s)", c->c_name,
			  r->f_mark == SLAB_MARK_IN_ARRAY ? "in a CPU's array or the depot"
							  : "on its slab's free list");
	} else {
		return true;
	}
	return false;
}

/*
 * A free the fast path did not finish.  A sound object of an in-service
 * slab (a later frame of a multi-frame slab, or a full array) goes on this
 * CPU's array, making room there (mm/slab_cpu.c); one of a cache without
 * arrays on its slab, a debug cache's after its checks; anything else is
 * diagnosed and refused.
 */
__noinline void slab_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	if (obj)
		slab_free_slow_page(c, slab_page_of(obj), obj, caller);
}

void slab_free_slow_page(struct kmem_cache *c, struct page *page, void *obj,
		      uintptr_t caller)
{
	struct page *dead = NULL;
	struct slab_free_rec *r;
	mm_irqflags_t flags;

	/* The common case first: a sound object of an in-service slab of a
	 * cache with arrays, whose loaded array was full or which the fast
	 * path does not see (a later frame of a multi-frame slab). */
	if (likely(page) && likely((page->flags & SLAB_KEY_MASK) == c->c_key) &&
	    likely(c->c_array_limit) && likely(slab_index(c, page, obj) >= 0) &&
	    likely(slab_cpu_free_slow(c, obj)))
		return;
	/* a dead cache's impossible key leads here (mm/slab_handle.c) */
	if (unlikely(!slab_cache_live(c))) {
		slab_cache_check_handle(c, "kmem_cache_free", caller);
		return;
	}
	flags = mm_lock(&c->c_lock);
	if (!__free_allowed(c, page, obj))
		goto out;
	r = slab_free_rec(c, page, obj);
	if (cache_debug(c)) {
		if (debug_on_free(c, page, obj, caller))
			dead = __slab_push_one(c, page, obj, r);
	} else if (slab_quarantined(page) || !c->c_array_limit) {
		dead = __slab_push_one(c, page, obj, r);
	} else {
		/* Not free (__free_allowed looked): a mark-like word is the
		 * caller's data, not a mark. */
		r->f_mark = 0;
		mm_unlock(&c->c_lock, flags);
		slab_cpu_free_slow(c, obj);
		return;
	}
out:
	mm_unlock(&c->c_lock, flags);
	if (dead)
		release_slab(c, dead);
}

__noinline void slab_free_untiled(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	if (likely(slab_free_fast(c, obj)))
		return;
	slab_free_slow(c, obj, caller);
}

/*
 * The fast path for the tiled caches (the power-of-two sizes): the mask
 * check inline, everything else a tail call.  The caller's address is read
 * only off the fast path: on it, nothing needs it, and reading it early
 * costs a saved register.
 */
void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	/* c is the caller's: a NULL or unmapped one goes to bad */
	MM_HANDLE_TEST(c->c_flags, SLAB_TILED, untiled, bad);
	if (!(c->c_flags & SLAB_TILED)) /* known: no code, only the compiler's */
		__builtin_unreachable();
	if (unlikely(!slab_fast_is_obj(c, obj))) {
		slab_free_slow(c, obj, MM_CALLER());
		return;
	}
	if (likely(slab_mag_push_tiled(c, obj)))
		return;
	slab_free_refused(NULL, obj, MM_CALLER());
	return;
untiled:
	slab_free_untiled(c, obj, MM_CALLER());
	return;
bad:
	slab_free_bad_handle(c, obj, MM_CALLER());
}

/*
 * The push of a sound object of a tiled cache was refused (a full array,
 * or a free mark): its cache is its slab's, which the fast path proved
 * to be the caller's (c_key), so that the fast path need not keep c.
 * (The first argument is unused: obj stays in the register that holds it
 * on the fast path.)
 */
__noinline void slab_free_refused(void *unused, void *obj, uintptr_t caller)
{
	struct page *page = slab_fast_page(obj);

	(void)unused;
	slab_free_slow_page(page->s_cache, page, obj, caller);
}

void __kmem_cache_free(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	if (likely(slab_free_fast(c, obj)))
		return;
	slab_free_slow(c, obj, caller);
}

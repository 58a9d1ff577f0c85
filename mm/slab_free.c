/*
 * The slab allocator's free paths: objects back onto the cache's array or
 * their slab's free list, the array flushed, and every misuse diagnosed.
 * The theory of operation is at the top of mm/slab.c (6 and 8).
 */
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"

/* --- freeing -------------------------------------------------------------- */

/* Gives a slab taken off its list back to the buddy. */
void release_slab(struct kmem_cache *c, struct page *page)
{
	page->s_cache = NULL;
	page->s_freelist = NULL;
	compound_clear(page, c->c_order);
	page_set_owner(page, OWNER_NONE);
	__free_pages(page, c->c_order);
}

/* A slab whose use count just reached 0, or left c_per_slab, changes
 * list; returns it if it must go back to the buddy (lock held). */
static struct page *__slab_relist(struct kmem_cache *c, struct page *page)
{
	if (page->s_inuse)
		list_move(&page->lru, &c->c_partial);
	else if (c->c_nr_empty >= SLAB_EMPTY_MAX) {
		list_del(&page->lru);
		c->c_slabs--;
		return page;
	} else {
		list_move(&page->lru, &c->c_empty);
		c->c_nr_empty++;
	}
	return NULL;
}

/* Pushes obj on its slab's free list (lock held); a slab to release. */
static __always_inline struct page *__slab_push(struct kmem_cache *c,
						struct page *page, void *obj)
{
	void *head = page->s_freelist;

	*slab_free_ptr(c, obj) = head;
	page->s_freelist = obj;
	c->c_active--;
	if (likely(--page->s_inuse && head))
		return NULL;
	return __slab_relist(c, page);
}

/* Says what is wrong with freeing obj, if anything; true if it may go. */
static bool free_allowed(struct kmem_cache *c, struct page *page, void *obj)
{
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
	} else if (slab_obj_index(c, page, obj) < 0) {
		void *start = NULL;
		slab_find_object(obj, &start);
		mm_report(REPORT_INTERIOR_POINTER, (uintptr_t)obj,
			  "not the start of an object of cache %s (%u bytes; nearest object %p)",
			  c->c_name, c->c_size, start);
	} else if (!cache_debug(c) && (obj == page->s_freelist ||
				       !page->s_inuse || slab_mag_holds(c, obj))) {
		mm_report(REPORT_DOUBLE_FREE, (uintptr_t)obj,
			  "object of cache %s is already free", c->c_name);
	} else {
		return true;
	}
	return false;
}

/* An object went on the array twice between two flushes (the fast path
 * only sees the top of the array): the second copy is dropped. */
static __noinline void report_twice_free(struct kmem_cache *c, void *obj)
{
	mm_report(REPORT_DOUBLE_FREE, (uintptr_t)obj,
		  "object of cache %s was freed twice (found on flushing its array)",
		  c->c_name);
}

bool slab_mag_holds(const struct kmem_cache *c, const void *obj)
{
	for (unsigned i = 1; i <= c->c_mag_avail && i <= SLAB_MAG_SIZE; i++)
		if (c->c_mag[i] == obj)
			return true;
	return false;
}

/*
 * Moves the oldest objects of the array (up to SLAB_MAG_BATCH) back onto
 * their slabs' free lists, in one critical section so that the counts
 * stay exact; slabs that this empties beyond SLAB_EMPTY_MAX go back to
 * the buddy afterwards.  The number of objects moved.
 */
static unsigned mag_flush(struct kmem_cache *c)
{
	struct page *dead[SLAB_MAG_BATCH];
	unsigned n, nr_dead = 0;
	mm_irqflags_t flags = mm_irq_save();

	n = MIN(c->c_mag_avail, (unsigned)SLAB_MAG_BATCH);
	for (unsigned i = 1; i <= n; i++) {
		void *obj = c->c_mag[i];
		struct page *page = compound_head(virt_to_page(obj));
		if (unlikely(obj == page->s_freelist || !page->s_inuse))
			report_twice_free(c, obj);
		else if ((page = __slab_push(c, page, obj)) != NULL)
			dead[nr_dead++] = page;
	}
	c->c_mag_avail -= n;
	for (unsigned i = 1; i <= c->c_mag_avail; i++)
		c->c_mag[i] = c->c_mag[i + n];
	mm_irq_restore(flags);
	while (nr_dead)
		release_slab(c, dead[--nr_dead]);
	return n;
}

void kmem_cache_drain(struct kmem_cache *c)
{
	while (mag_flush(c))
		;
}

/* Not the fast path's case: diagnose, then push on the array (flushing
 * it when full) or, for a debug cache, on the slab. */
static __noinline void slab_free_slow(struct kmem_cache *c, void *obj,
				      uintptr_t caller)
{
	struct page *page;
	mm_irqflags_t flags;

	if (!obj)
		return;
	page = slab_page_of(obj);
	if (!free_allowed(c, page, obj))
		return;
	if (!cache_debug(c)) {
		/* Not in the array (free_allowed looked): a mark-like word is
		 * the caller's data, not a mark. */
		*slab_mag_mark_word(c, obj) = 0;
		while (!slab_mag_push(c, obj))
			mag_flush(c);
		return;
	}
	if (!debug_on_free(c, obj, caller))
		return;
	flags = mm_irq_save();
	page = __slab_push(c, page, obj);
	mm_irq_restore(flags);
	if (page)
		release_slab(c, page);
}

/* A free that passed the fast checks (slab_fast_page, the cache,
 * slab_fast_obj_start) but that slab_mag_push refused: a full array is
 * flushed, anything else diagnosed. */
static __noinline void slab_free_no_room(struct kmem_cache *c, void *obj,
					 uintptr_t caller)
{
	if (cache_debug(c) || slab_mag_marked(c, obj)) {
		slab_free_slow(c, obj, caller);
		return;
	}
	while (!slab_mag_push(c, obj))
		mag_flush(c);
}

__noinline void slab_free_finish(struct kmem_cache *c, void *obj, uintptr_t caller,
				 enum slab_free_result how)
{
	if (how == SLAB_FREE_NO_ROOM)
		slab_free_no_room(c, obj, caller);
	else
		slab_free_slow(c, obj, caller);
}

/* The caller's address is read only off the fast path: on it, nothing
 * needs it, and reading it early costs a saved register. */
void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct kmem_cache *cache;
	enum slab_free_result how = slab_free_fast(c, false, obj, &cache);

	if (likely(how == SLAB_FREED))
		return;
	slab_free_finish(c, obj, MM_CALLER(), how);
}

void __kmem_cache_free(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	struct kmem_cache *cache;
	enum slab_free_result how = slab_free_fast(c, false, obj, &cache);

	if (likely(how != SLAB_FREED))
		slab_free_finish(c, obj, caller, how);
}

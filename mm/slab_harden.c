/*
 * Hardened slab free lists (mm/slab.c, 3 and 9): walking a free list with
 * every link and mark checked, and taking a slab whose list is corrupt out
 * of service.
 */
#include "mm/slab_internal.h"
#include "mm/report.h"

void __slab_quarantine(struct kmem_cache *c, struct page *page, const void *obj,
		       const char *what, uintptr_t raw)
{
	bool on_empty = page->s_inuse == 0; /* the lists follow s_inuse */
	unsigned forgotten = __slab_cpu_purge(c, page);

	MM_LOCK_HELD(&c->c_lock);
	mm_report(REPORT_CORRUPTION, (uintptr_t)obj,
		  "cache %s, slab at %p (pfn %#x, %u in use): free object %p: %s (raw word %#lx); the slab is quarantined",
		  c->c_name, page_address(page), (unsigned)page_to_pfn(page),
		  page->s_inuse - forgotten, obj, what, (unsigned long)raw);
	/* Its objects that were in this CPU's arrays or the depot stay free
	 * and marked; those in
	 * use leave c_active, which counts in-service slabs only, and are
	 * counted down on the slab alone as they come back. */
	page->s_inuse = (uint16_t)(page->s_inuse - forgotten);
	c->c_active -= forgotten + page->s_inuse;
	if (on_empty)
		c->c_nr_empty--;
	list_del(&page->lru);
	c->c_slabs--;
	page->flags |= PG_QUARANTINE;
	list_add(&page->lru, &c->c_quarantine);
	c->c_nr_quarantined++;
	/* and those in other CPUs' arrays, once a cross-CPU call can be made */
	if (c->c_array_limit)
		WRITE_ONCE(c->c_drain_pending, true);
}

int __slab_walk_free(struct kmem_cache *c, struct page *page,
		     bool (*fn)(void *obj, void *arg), void *arg)
{
	uintptr_t first = slab_first_obj(c, page), entry = (uintptr_t)page->s_freelist;
	unsigned left = c->c_per_slab - page->s_inuse;
	const char *why = NULL;

	MM_LOCK_HELD(&c->c_lock);
	if (!entry && left) {
		__slab_quarantine(c, page, lowmem_page_address(page),
				  "its free list is empty but objects are free", left);
		return -1;
	}
	while (entry) {
		void *obj = slab_entry_obj(entry);
		struct slab_free_rec *r = slab_free_rec(c, page, obj);
		uintptr_t next = slab_list_step(c, first, entry, r, --left, &why);

		if (next == SLAB_BAD_STEP) {
			__slab_quarantine(c, page, obj, why, r->f_mark != SLAB_MARK_ON_SLAB ?
					  r->f_mark : r->f_link);
			return -1;
		}
		if (fn && fn(obj, arg))
			return 1;
		entry = next;
	}
	return 0;
}

unsigned long kmem_cache_release_quarantine(struct kmem_cache *c)
{
	unsigned long frames = 0;

	if (!slab_cache_check_handle(c, "kmem_cache_release_quarantine", MM_CALLER()))
		return 0;
	for (;;) {
		mm_irqflags_t flags = mm_lock(&c->c_lock);
		struct list_node *pos;
		struct page *page = NULL;

		list_for_each(pos, &c->c_quarantine) {
			struct page *p = list_entry(pos, struct page, lru);
			if (!p->s_inuse) {
				page = p;
				break;
			}
		}
		if (page) {
			list_del(&page->lru);
			c->c_nr_quarantined--;
		}
		mm_unlock(&c->c_lock, flags);
		if (!page)
			return frames;
		release_slab(c, page);
		frames += 1ul << c->c_order;
	}
}

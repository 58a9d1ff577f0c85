/*
 * Cache handles (see mm/slab_internal.h): telling a cache in service from
 * NULL, from an address that is no cache, and from a destroyed cache.
 *
 * Every struct kmem_cache but the cache of caches itself is a slot of the
 * cache of caches, whose constructor leaves each slot dead: magic
 * SLAB_CACHE_DEAD, the arrays of caches without arrays (slab_no_arrays:
 * never an object, never room), a key no page carries.
 * kmem_cache_create makes a slot live; kmem_cache_destroy makes it dead
 * again before giving it back, keeping its name for the reports.  So:
 *
 *  - the calls that are not fast paths (destroy, shrink, drain, info,
 *    check, name, size, release_quarantine) check the handle at entry
 *    through the page array before reading it: NULL, an address outside
 *    every slab of the cache of caches, a pointer into the middle of a
 *    slot, a dead slot and an overwritten magic word are each one named
 *    report, and the call is refused;
 *  - kmem_cache_alloc and kmem_cache_free keep their fast paths: a dead
 *    cache's empty arrays and impossible key send both to their slow
 *    paths, which check the magic word (one load) and diagnose from there.
 *
 * What cannot be detected: a destroyed cache's slot taken by a new cache
 * (the old handle then is the new cache, as any pointer to reused memory
 * would be); a slot whose slab went back to the buddy and was then reused
 * for something else, on the fast paths (its words are read as a cache);
 * a wild pointer to unmapped memory given to the fast paths, which fault
 * (the entry checks never read it).
 */
#include "mm/slab_internal.h"
#include "mm/report.h"
#include "mm/buddy.h"

void slab_cache_kill(struct kmem_cache *c)
{
	c->c_magic = SLAB_CACHE_DEAD;
	c->c_cpu = slab_no_arrays; /* never an object, never room */
	c->c_array_limit = 0;
	c->c_key = SLAB_KEY_DEAD;
	c->c_flags &= ~SLAB_TILED;
}

void slab_cache_ctor(void *obj)
{
	memset(obj, 0, sizeof(struct kmem_cache));
	slab_cache_kill(obj);
}

/* What addr is, for a report about a handle that is no cache. */
static void describe(const void *addr, char *buf, size_t size)
{
	struct page *page = virt_to_page_checked(addr), *head;
	pfn_t free_head;
	unsigned order;

	if (!page) {
		snprintf(buf, size, "outside the direct map");
		return;
	}
	head = slab_page_of(addr);
	if (head) {
		snprintf(buf, size, "in a slab of cache %s", head->s_cache->c_name);
		return;
	}
	head = compound_head(page);
	if ((head->flags & PG_HOT) ||
	    buddy_find_free_block(page_to_pfn(head), &free_head, &order))
		snprintf(buf, size, "in a free frame");
	else if (page_owner(head) == OWNER_NONE)
		snprintf(buf, size, "in a frame allocated with alloc_pages");
	else
		snprintf(buf, size, "in a frame of the %s",
			 page_owner_name(page_owner(head)));
}

bool slab_cache_check_handle(const struct kmem_cache *c, const char *op,
			     uintptr_t caller)
{
	struct page *page;
	char what[64];

	if (c == &slab_cache_cache)
		return true;
	if (!c) {
		mm_report_call(REPORT_BAD_HANDLE, 0, op, caller,
			       "a NULL cache: expected one made by kmem_cache_create");
		return false;
	}
	page = slab_page_of(c);
	if (!page || page->s_cache != &slab_cache_cache) {
		describe(c, what, sizeof(what));
		mm_report_call(REPORT_BAD_HANDLE, (uintptr_t)c, op, caller,
			       "%p is not a cache (%s)", (const void *)c, what);
		return false;
	}
	if (slab_index(&slab_cache_cache, page, c) < 0) {
		void *start = NULL;
		slab_find_object(c, &start);
		mm_report_call(REPORT_BAD_HANDLE, (uintptr_t)c, op, caller,
			       "%p points into the cache structure at %p, not at its start",
			       (const void *)c, start);
		return false;
	}
	if (c->c_magic == SLAB_CACHE_LIVE)
		return true;
	if (c->c_magic == SLAB_CACHE_DEAD && c->c_name[0]) /* destroying it again: a double free */
		mm_report_call(strcmp(op, "kmem_cache_destroy") ? REPORT_DEAD_HANDLE
								: REPORT_DOUBLE_FREE,
			       (uintptr_t)c, op, caller, "cache %s at %p was destroyed",
			       c->c_name, (const void *)c);
	else if (c->c_magic == SLAB_CACHE_DEAD)
		mm_report_call(REPORT_BAD_HANDLE, (uintptr_t)c, op, caller,
			       "%p is a free slot of the cache of caches, not a cache",
			       (const void *)c);
	else
		mm_report_call(REPORT_CORRUPTION, (uintptr_t)c, op, caller,
			       "cache at %p: its magic word reads %#x (overwritten)",
			       (const void *)c, (unsigned)c->c_magic);
	return false;
}

void *slab_alloc_refused(const struct kmem_cache *c, gfp_t gfp, uintptr_t caller)
{
	if (!slab_cache_live(c))
		slab_cache_check_handle(c, "kmem_cache_alloc", caller);
	else
		mm_report_call(REPORT_INVALID_ARG, gfp, "kmem_cache_alloc", caller,
			       "cache %s: gfp %#x has bits no flag has (%#x)",
			       c->c_name, gfp, gfp & ~__GFP_BITS);
	return NULL;
}

void kmem_cache_drain(struct kmem_cache *c)
{
	if (slab_cache_check_handle(c, "kmem_cache_drain", MM_CALLER()))
		__kmem_cache_drain(c);
}

void slab_free_bad_handle(const struct kmem_cache *c, const void *obj, uintptr_t caller)
{
	(void)obj; /* left alone: whatever it is, c cannot take it */
	slab_cache_check_handle(c, "kmem_cache_free", caller);
}

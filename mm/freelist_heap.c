/*
 * mm/freelist: a heap's life and settings -- setting it up, its fit
 * policy, lending it a caller's buffer as a region, the usable size of a
 * chunk, destroying it.  The allocation and freeing paths are in
 * mm/freelist.c, whose opening comment is the theory of operation.
 */
#include "mm/freelist_internal.h"
#include "mm/report.h"
#include "mm/platform.h"

static const char *const policy_names[FREELIST_POLICY_COUNT] = {
	[FREELIST_FIRST_FIT] = "first fit",
	[FREELIST_NEXT_FIT] = "next fit",
	[FREELIST_BEST_FIT] = "best fit",
	[FREELIST_WORST_FIT] = "worst fit",
};

const char *freelist_policy_name(enum freelist_policy policy)
{
	return policy < FREELIST_POLICY_COUNT ? policy_names[policy] : "?";
}

/* An empty heap, its lock left as it is. */
static void reset(struct freelist *heap, const char *name, enum freelist_policy policy,
		  const struct freelist_page_source *source)
{
	heap->fl_name = name;
	heap->fl_policy = policy;
	heap->fl_source = source;
	list_init(&heap->fl_free);
	heap->fl_cursor = NULL;
	heap->fl_regions = NULL;
	heap->fl_bytes_free = heap->fl_bytes_used = 0;
	heap->fl_free_chunks = heap->fl_used_chunks = 0;
	heap->fl_nr_regions = heap->fl_pages = 0;
}

/* A policy a call was given: true if it is one; else reported. */
static bool policy_ok(enum freelist_policy policy, const char *op, uintptr_t caller)
{
	if ((unsigned)policy < FREELIST_POLICY_COUNT)
		return true;
	mm_report_call(REPORT_INVALID_ARG, (unsigned)policy, op, caller,
		       "policy %u: there are %u (first, next, best, worst fit)",
		       (unsigned)policy, FREELIST_POLICY_COUNT);
	return false;
}

void freelist_init(struct freelist *heap, const char *name,
		   enum freelist_policy policy,
		   const struct freelist_page_source *source)
{
	uintptr_t caller = MM_CALLER();
	bool source_ok = !source || (source->get_pages && source->put_pages);

	if (!freelist_heap_ok(heap, "freelist_init", caller))
		return;
	mm_lock_init(&heap->fl_lock, "free-list heap", LOCK_ORDER_FREELIST);
	reset(heap, name ? name : "(unnamed)",
	      policy_ok(policy, "freelist_init", caller) ? policy : FREELIST_FIRST_FIT,
	      source_ok ? source : NULL);
	mm_lock_register(&heap->fl_lock_entry, &heap->fl_lock, heap->fl_name);
	if (!name)
		mm_report_call(REPORT_INVALID_ARG, 0, "freelist_init", caller,
			       "a NULL name: the heap is called (unnamed)");
	if (!source_ok)
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)source, "freelist_init", caller,
			       "a page source without get_pages or put_pages: the heap cannot grow");
}

void freelist_set_policy(struct freelist *heap, enum freelist_policy policy)
{
	uintptr_t caller = MM_CALLER();
	mm_irqflags_t flags;

	if (!freelist_heap_ok(heap, "freelist_set_policy", caller) ||
	    !policy_ok(policy, "freelist_set_policy", caller))
		return;
	flags = mm_lock(&heap->fl_lock);
	heap->fl_policy = policy;
	heap->fl_cursor = NULL;
	mm_unlock(&heap->fl_lock, flags);
}

size_t freelist_usable_size(const void *ptr)
{
	const struct freelist_hdr *h = (const struct freelist_hdr *)ptr - 1;

	if (!ptr)
		return 0;
	if (h->h_magic != FREELIST_MAGIC_USED) {
		mm_report_call(h->h_magic == FREELIST_MAGIC_FREE ? REPORT_DEAD_HANDLE
								 : REPORT_BAD_MAGIC,
			       (uintptr_t)ptr, "freelist_usable_size", MM_CALLER(),
			       "the header before %p holds magic %#x, expected an allocated chunk's %#x",
			       ptr, h->h_magic, FREELIST_MAGIC_USED);
		return 0;
	}
	return h->h_size;
}

/* The heap's region that overlaps [start, end), or NULL. */
static struct freelist_region *region_overlapping(const struct freelist *heap,
						 uintptr_t start, uintptr_t end)
{
	struct freelist_region *r;

	for (r = heap->fl_regions; r; r = r->r_next)
		if (start < r->r_end && (uintptr_t)r < end)
			return r;
	return NULL;
}

bool freelist_add_buffer(struct freelist *heap, void *buf, size_t len)
{
	uintptr_t caller = MM_CALLER();
	struct freelist_region *r;
	mm_irqflags_t flags;
	bool ok;

	if (!freelist_heap_ok(heap, "freelist_add_buffer", caller))
		return false;
	if (!buf || range_wraps_u64((uintptr_t)buf, len) ||
	    len > FREELIST_MAX_REQUEST) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)buf, "freelist_add_buffer", caller,
			       "heap %s: buffer %p of %zu bytes: %s", heap->fl_name, buf, len,
			       !buf ? "NULL" : "wraps or is larger than 1 GiB");
		return false;
	}
	flags = mm_lock(&heap->fl_lock);
	r = region_overlapping(heap, (uintptr_t)buf, (uintptr_t)buf + len);
	ok = !r && freelist_region_setup(heap, (uintptr_t)buf, len, 0) != NULL;
	mm_unlock(&heap->fl_lock, flags);
	if (r)
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)buf, "freelist_add_buffer", caller,
			       "heap %s: buffer %p of %zu bytes overlaps its region %p-%#lx",
			       heap->fl_name, buf, len, (void *)r, (unsigned long)r->r_end);
	return ok;
}

size_t freelist_destroy(struct freelist *heap)
{
	mm_irqflags_t flags;
	size_t live;
	struct freelist_region *r, *next;

	if (!freelist_heap_ok(heap, "freelist_destroy", MM_CALLER()))
		return 0;
	flags = mm_lock(&heap->fl_lock);
	live = heap->fl_used_chunks;
	for (r = heap->fl_regions; r; r = next) {
		next = r->r_next;
		if (r->r_pages)
			heap->fl_source->put_pages(heap->fl_source->ctx, r,
						   r->r_pages);
	}
	reset(heap, heap->fl_name, heap->fl_policy, heap->fl_source);
	mm_unlock(&heap->fl_lock, flags);
	mm_lock_unregister(&heap->fl_lock_entry); /* no lockstat reads it now */
	return live;
}

/*
 * mm/freelist's fit policies: which free chunk a request takes (section 3
 * of the theory of operation in mm/freelist.c).  The list is in address
 * order; each policy is one walk over it.
 *
 *   first fit  the first chunk that fits: fast, but small leftovers pile up
 *              at the front of the list
 *   next fit   the first that fits at or after the chunk where the last
 *              search stopped (fl_cursor), wrapping around once
 *   best fit   the smallest that fits (the whole list is scanned)
 *   worst fit  the largest (the whole list is scanned)
 *
 * Ties go to the lowest address.  Included by mm/freelist.c alone, so that
 * the policy the allocation path calls is compiled into it.
 */
#ifndef MM_FREELIST_FIT_H
#define MM_FREELIST_FIT_H

#include "mm/freelist_internal.h"

/* The first chunk that fits among [from, to) of the list (wrapping past the
 * head when to comes before from). */
static struct list_node *scan_first(struct freelist *heap,
				    struct list_node *from,
				    struct list_node *to, size_t need)
{
	for (struct list_node *n = from; n != to; n = n->next) {
		if (n == &heap->fl_free)
			continue;
		if (link_chunk(n)->c_hdr.h_size >= need)
			return n;
	}
	return NULL;
}

static struct list_node *fit_next(struct freelist *heap, size_t need)
{
	struct list_node *start = heap->fl_cursor;
	struct list_node *n;

	if (!start)
		return scan_first(heap, heap->fl_free.next, &heap->fl_free,
				  need);
	n = scan_first(heap, start, &heap->fl_free, need);
	return n ? n : scan_first(heap, heap->fl_free.next, start, need);
}

/* Best fit (want_small) or worst fit: one pass over the whole list. */
static struct list_node *fit_extreme(struct freelist *heap, size_t need,
				     bool want_small)
{
	struct list_node *n, *pick = NULL;
	uint32_t pick_size = 0;

	list_for_each(n, &heap->fl_free) {
		uint32_t s = link_chunk(n)->c_hdr.h_size;

		if (s < need)
			continue;
		if (!pick || (want_small ? s < pick_size : s > pick_size)) {
			pick = n;
			pick_size = s;
		}
	}
	return pick;
}

static struct list_node *fit(struct freelist *heap, size_t need)
{
	switch (heap->fl_policy) {
	case FREELIST_NEXT_FIT:
		return fit_next(heap, need);
	case FREELIST_BEST_FIT:
		return fit_extreme(heap, need, true);
	case FREELIST_WORST_FIT:
		return fit_extreme(heap, need, false);
	case FREELIST_FIRST_FIT:
	default:
		return scan_first(heap, heap->fl_free.next, &heap->fl_free,
				  need);
	}
}

#endif

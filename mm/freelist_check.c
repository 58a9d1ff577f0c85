/*
 * mm/freelist: introspection and the consistency checker.
 *
 * The checker trusts nothing it has not verified: it walks the free list
 * first (bounded by the chunk counter, so a cycle cannot hang it), and only
 * when the list is sound does it walk every region chunk by chunk, matching
 * each free chunk met in memory against the next entry of the list.  Both
 * lists are in address order, so one pass over each proves that the free
 * list holds exactly the free chunks.  Each problem is one REPORT_CORRUPTION
 * naming the heap and the address.
 */
#include "mm/freelist_internal.h"
#include "mm/report.h"
#include "mm/platform.h"

size_t freelist_bytes_free(const struct freelist *heap)
{
	return heap->fl_bytes_free;
}

size_t freelist_bytes_used(const struct freelist *heap)
{
	return heap->fl_bytes_used;
}

size_t freelist_chunk_count(const struct freelist *heap)
{
	return heap->fl_free_chunks + heap->fl_used_chunks;
}

size_t freelist_largest_free(const struct freelist *heap)
{
	const struct list_node *n;
	size_t best = 0;

	list_for_each(n, &heap->fl_free)
		best = MAX(best, (size_t)link_chunk((struct list_node *)n)
					 ->c_hdr.h_size);
	return best;
}

size_t freelist_free_sizes(const struct freelist *heap, size_t *out,
			   size_t max)
{
	const struct list_node *n;
	size_t i = 0;

	list_for_each(n, &heap->fl_free) {
		if (i < max)
			out[i] = link_chunk((struct list_node *)n)->c_hdr.h_size;
		i++;
	}
	return i;
}

void freelist_print(const struct freelist *heap)
{
	const struct list_node *n;

	mm_printf("%s: %s: free", heap->fl_name,
		  freelist_policy_name(heap->fl_policy));
	list_for_each(n, &heap->fl_free)
		mm_printf("%s%u", n == heap->fl_free.next ? " " : " -> ",
			  link_chunk((struct list_node *)n)->c_hdr.h_size);
	mm_printf("%s (%zu bytes in %zu chunks; %zu bytes used in %zu chunks; %zu regions, %zu pages)\n",
		  list_empty(&heap->fl_free) ? " nothing" : "",
		  heap->fl_bytes_free, heap->fl_free_chunks,
		  heap->fl_bytes_used, heap->fl_used_chunks,
		  heap->fl_nr_regions, heap->fl_pages);
}

/* --- the checker --------------------------------------------------------- */

struct check_state {
	const struct freelist *heap;
	unsigned problems;
	const struct list_node *expect; /* the free-list entry due next */
	size_t free_bytes, used_bytes, free_chunks, used_chunks;
};

static __printf(3, 4) void problem(struct check_state *st, uintptr_t addr,
				   const char *fmt, ...)
{
	char prefix[48];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "heap %s", st->heap->fl_name);
	va_start(ap, fmt);
	mm_report_finding(&st->problems, addr, prefix, fmt, ap);
	va_end(ap);
}

/* Links, order, length and cursor of the free list; true if walkable. */
static bool check_list(struct check_state *st)
{
	const struct freelist *heap = st->heap;
	const struct list_node *n, *head = &heap->fl_free;
	size_t count = 0;
	bool cursor_seen = heap->fl_cursor == NULL;

	for (n = head->next; n != head; n = n->next) {
		if (n->next->prev != n || ++count > heap->fl_free_chunks) {
			problem(st, (uintptr_t)n,
				"free list broken after %zu entries", count);
			return false;
		}
		if (n->next != head && (uintptr_t)n->next <= (uintptr_t)n)
			problem(st, (uintptr_t)n, "free list out of address order");
		cursor_seen |= n == heap->fl_cursor;
	}
	if (count != heap->fl_free_chunks)
		problem(st, (uintptr_t)head, "free list has %zu entries, counter says %zu",
			count, heap->fl_free_chunks);
	if (!cursor_seen)
		problem(st, (uintptr_t)heap->fl_cursor,
			"next-fit cursor is not on the free list");
	return true;
}

/* One free chunk met in memory must be the next entry of the list. */
static void check_free_chunk(struct check_state *st,
			     const struct freelist_chunk *c, bool prev_free)
{
	if (prev_free)
		problem(st, (uintptr_t)c, "free chunk touches the free chunk before it");
	if (st->expect != &c->c_link) {
		problem(st, (uintptr_t)c, "free chunk is not the next free-list entry");
		return;
	}
	st->expect = st->expect->next;
}

static void check_region(struct check_state *st,
			 const struct freelist_region *r)
{
	uintptr_t a = region_first(r);
	bool prev_free = false;

	while (a < r->r_end) {
		const struct freelist_hdr *h = hdr_at(a);

		if (!hdr_valid(h, r)) {
			problem(st, a, "bad chunk header: magic %#x size %u",
				h->h_magic, h->h_size);
			return;
		}
		if (hdr_is_free(h)) {
			check_free_chunk(st, (const struct freelist_chunk *)h,
					 prev_free);
			st->free_bytes += h->h_size;
			st->free_chunks++;
		} else {
			st->used_bytes += h->h_size;
			st->used_chunks++;
		}
		prev_free = hdr_is_free(h);
		a = hdr_end(h);
	}
}

static void check_counters(struct check_state *st)
{
	const struct freelist *heap = st->heap;

	if (st->expect != &heap->fl_free)
		problem(st, (uintptr_t)st->expect,
			"free-list entry is no free chunk of any region");
	if (st->free_bytes != heap->fl_bytes_free ||
	    st->free_chunks != heap->fl_free_chunks)
		problem(st, 0, "walk finds %zu free bytes in %zu chunks, counters say %zu in %zu",
			st->free_bytes, st->free_chunks, heap->fl_bytes_free,
			heap->fl_free_chunks);
	if (st->used_bytes != heap->fl_bytes_used ||
	    st->used_chunks != heap->fl_used_chunks)
		problem(st, 0, "walk finds %zu used bytes in %zu chunks, counters say %zu in %zu",
			st->used_bytes, st->used_chunks, heap->fl_bytes_used,
			heap->fl_used_chunks);
}

unsigned freelist_check(const struct freelist *heap)
{
	mm_lock_t *lock = (mm_lock_t *)&heap->fl_lock; /* the checker reads only */
	mm_irqflags_t flags = mm_lock(lock);
	struct check_state st = { .heap = heap, .expect = heap->fl_free.next };
	const struct freelist_region *r;
	size_t regions = 0;

	if (check_list(&st)) {
		for (r = heap->fl_regions; r; r = r->r_next) {
			if (regions == heap->fl_nr_regions) {
				problem(&st, (uintptr_t)r, "more regions than the counter's %zu",
					heap->fl_nr_regions);
				break;
			}
			if (r->r_next && (uintptr_t)r->r_next < r->r_end)
				problem(&st, (uintptr_t)r, "regions overlap or are out of order");
			check_region(&st, r);
			regions++;
		}
		if (regions < heap->fl_nr_regions)
			problem(&st, 0, "%zu regions on the list, counter says %zu",
				regions, heap->fl_nr_regions);
		check_counters(&st);
	}
	mm_unlock(lock, flags);
	return st.problems;
}

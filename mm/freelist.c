/*
 * mm/freelist: a general-purpose heap on a free list.
 *
 * Theory of operation
 *
 * 1. Regions and chunks.  A heap owns regions: runs of memory obtained from
 *    its page source (the buddy allocator in the kernel) or lent by the
 *    caller (freelist_add_buffer).  A region starts with a small record
 *    (struct freelist_region); the rest of it is tiled by chunks, each a
 *    header (struct freelist_hdr: the usable size and a magic number) followed
 *    by the payload.  The magic says whether the chunk is allocated
 *    (FREELIST_MAGIC_USED) or free (FREELIST_MAGIC_FREE), so walking a region
 *    from its first chunk by header sizes visits every chunk exactly once.
 *    The regions form a singly linked list in address order.
 *
 * 2. The free list lives in the free space.  A free chunk's payload holds a
 *    struct list_node; the heap's list threads all free chunks of all regions
 *    in address order.  Address order is what makes coalescing cheap (the
 *    neighbours of a freed chunk on the list are its only possible free
 *    neighbours in memory) and is what keeps first fit from scattering small
 *    chunks everywhere.
 *
 * 3. Allocation.  The policy picks a free chunk with at least the rounded-up
 *    request: first fit the first in address order, next fit the first at or
 *    after the chunk where the previous search stopped (fl_cursor), wrapping
 *    around once, best fit the smallest, worst fit the largest (ties go to the
 *    lowest address).  The chunk is split when the rest can hold a header and
 *    a minimal free chunk: the front is handed out and the back stays on the
 *    list in the front's place, so address order survives.  Otherwise the
 *    whole chunk is handed out and the slack is internal fragmentation.
 *
 * 4. Growth.  When nothing fits, the heap asks its page source for enough
 *    pages to hold the request and makes them a new region with one free
 *    chunk.  A source region that becomes wholly free again goes straight
 *    back to the source; a caller's buffer stays.
 *
 * 5. Freeing and coalescing.  free walks the region that contains the
 *    pointer to find the chunk it points into; only a pointer to the payload
 *    of an allocated chunk is accepted.  The chunk is put on the list in
 *    address order and merged with the chunk after it and the chunk before
 *    it when those are free and touch it, so no two free chunks are ever
 *    adjacent.  Anything else (outside every region, inside a chunk, at a
 *    free chunk, at a header whose magic was overwritten) is reported through
 *    mm_report with the heap's name, and nothing changes.
 *
 * Invariants (freelist_check verifies them all): the chunks tile each region
 * exactly; every header is valid; the free list holds exactly the free
 * chunks, in address order; no two free chunks touch; the byte and chunk
 * counters agree with the walk; the next-fit cursor is NULL or on the list.
 *
 * Locking: every public entry point holds the heap's lock (fl_lock, taken
 * with interrupts off: LOCK_ORDER_FREELIST, outside the buddy's, which a
 * growing heap calls, and outside the slab's, which the buddy calls to
 * reclaim when it finds no free block), so a heap may be shared by CPUs
 * and used from interrupt handlers.  The lock is on lockstat's list from freelist_init
 * to freelist_destroy (mm_lock_register), so a heap must be destroyed
 * before its memory goes.
 *
 * Debug aids: the magic numbers, the checker, freelist_print.  Counting
 * conventions (usable sizes, header cost) are described in mm/freelist.h.
 *
 * Files: this one allocates and frees (sections 2 to 5); the fit policies
 * are in mm/freelist_fit.h, a heap's set-up, lent buffers and destruction
 * in mm/freelist_heap.c, the checker and introspection in
 * mm/freelist_check.c, the kernel's page source in mm/freelist_buddy.c.
 */
#include "mm/freelist_internal.h"
#include "mm/freelist_fit.h"
#include "mm/report.h"
#include "mm/platform.h"

bool freelist_heap_ok(const struct freelist *heap, const char *op, uintptr_t caller)
{
	if (likely(heap != NULL))
		return true;
	mm_report_call(REPORT_BAD_HANDLE, 0, op, caller,
		       "a NULL heap: expected one set up by freelist_init");
	return false;
}

/* --- the free list ------------------------------------------------------- */

/* Puts a free chunk on the list in address order. */
static void free_insert(struct freelist *heap, struct freelist_chunk *c)
{
	struct list_node *pos;

	list_for_each(pos, &heap->fl_free)
		if ((uintptr_t)pos > (uintptr_t)&c->c_link)
			break;
	__list_insert(&c->c_link, pos->prev, pos);
	heap->fl_free_chunks++;
}

static void free_remove(struct freelist *heap, struct freelist_chunk *c)
{
	if (heap->fl_cursor == &c->c_link)
		heap->fl_cursor = c->c_link.next == &heap->fl_free ?
					  NULL : c->c_link.next;
	list_del(&c->c_link);
	heap->fl_free_chunks--;
}

/* keep absorbs gone, the free chunk right after it in memory. */
static void absorb(struct freelist *heap, struct freelist_chunk *keep,
		   struct freelist_chunk *gone)
{
	bool cursor_here = heap->fl_cursor == &gone->c_link;

	free_remove(heap, gone);
	if (cursor_here)
		heap->fl_cursor = &keep->c_link;
	keep->c_hdr.h_size += FREELIST_HDR_SIZE + gone->c_hdr.h_size;
	heap->fl_bytes_free += FREELIST_HDR_SIZE;
}

/* --- regions ------------------------------------------------------------- */

static void region_link(struct freelist *heap, struct freelist_region *r)
{
	struct freelist_region **pp = &heap->fl_regions;

	while (*pp && (uintptr_t)*pp < (uintptr_t)r)
		pp = &(*pp)->r_next;
	r->r_next = *pp;
	*pp = r;
	heap->fl_nr_regions++;
	heap->fl_pages += r->r_pages;
}

static void region_unlink(struct freelist *heap, struct freelist_region *r)
{
	struct freelist_region **pp = &heap->fl_regions;

	while (*pp != r)
		pp = &(*pp)->r_next;
	*pp = r->r_next;
	heap->fl_nr_regions--;
	heap->fl_pages -= r->r_pages;
}

struct freelist_chunk *freelist_region_setup(struct freelist *heap,
					     uintptr_t base, size_t len,
					     size_t pages)
{
	uintptr_t start = ALIGN_UP(base, (uintptr_t)FREELIST_ALIGN);
	uintptr_t end = ALIGN_DOWN(base + len, (uintptr_t)FREELIST_ALIGN);
	struct freelist_region *r = (struct freelist_region *)start;
	struct freelist_chunk *c;

	if (end <= start || end - start < FREELIST_REGION_HDR +
					      FREELIST_HDR_SIZE +
					      FREELIST_MIN_SIZE)
		return NULL;
	r->r_end = end;
	r->r_pages = pages;
	c = (struct freelist_chunk *)region_first(r);
	c->c_hdr.h_magic = FREELIST_MAGIC_FREE;
	c->c_hdr.h_size = (uint32_t)(end - (uintptr_t)c - FREELIST_HDR_SIZE);
	region_link(heap, r);
	free_insert(heap, c);
	heap->fl_bytes_free += c->c_hdr.h_size;
	return c;
}

/* A new region from the page source big enough for `need` usable bytes. */
static struct freelist_chunk *grow(struct freelist *heap, size_t need)
{
	size_t bytes = FREELIST_REGION_HDR + FREELIST_HDR_SIZE + need;
	size_t pages = (bytes + MM_PAGE_SIZE - 1) / MM_PAGE_SIZE;
	struct freelist_chunk *c;
	void *mem;

	if (!heap->fl_source)
		return NULL;
	mem = heap->fl_source->get_pages(heap->fl_source->ctx, &pages);
	if (!mem)
		return NULL;
	c = freelist_region_setup(heap, (uintptr_t)mem, pages * MM_PAGE_SIZE, pages);
	if (!c || c->c_hdr.h_size < need) {
		/* A source that gives less than asked: give it back. */
		if (c) {
			free_remove(heap, c);
			heap->fl_bytes_free -= c->c_hdr.h_size;
			region_unlink(heap, (struct freelist_region *)mem);
		}
		heap->fl_source->put_pages(heap->fl_source->ctx, mem, pages);
		return NULL;
	}
	return c;
}

/* Hands a wholly free source region back to the source. */
static void region_release(struct freelist *heap, struct freelist_region *r,
			   struct freelist_chunk *c)
{
	free_remove(heap, c);
	heap->fl_bytes_free -= c->c_hdr.h_size;
	region_unlink(heap, r);
	heap->fl_source->put_pages(heap->fl_source->ctx, r, r->r_pages);
}

/* --- allocation ---------------------------------------------------------- */

/*
 * Hands out the front `need` bytes of free chunk c.  The back, if it can be
 * a chunk of its own, takes c's place on the list; the search resumes there
 * (or after c) next time.
 */
static struct freelist_hdr *take(struct freelist *heap,
				 struct freelist_chunk *c, size_t need)
{
	struct freelist_hdr *h = &c->c_hdr;
	struct list_node *after = c->c_link.next;

	if (h->h_size >= need + FREELIST_HDR_SIZE + FREELIST_MIN_SIZE) {
		struct freelist_chunk *rest = (struct freelist_chunk *)
			((uintptr_t)c + FREELIST_HDR_SIZE + need);

		rest->c_hdr.h_magic = FREELIST_MAGIC_FREE;
		rest->c_hdr.h_size =
			(uint32_t)(h->h_size - need - FREELIST_HDR_SIZE);
		__list_insert(&rest->c_link, &c->c_link, after);
		heap->fl_free_chunks++;
		heap->fl_bytes_free -= FREELIST_HDR_SIZE;
		h->h_size = (uint32_t)need;
		after = &rest->c_link;
	}
	free_remove(heap, c);
	heap->fl_cursor = after == &heap->fl_free ? NULL : after;
	h->h_magic = FREELIST_MAGIC_USED;
	heap->fl_bytes_free -= h->h_size;
	heap->fl_bytes_used += h->h_size;
	heap->fl_used_chunks++;
	return h;
}

static void *__freelist_alloc(struct freelist *heap, size_t size)
{
	size_t need = MAX(ALIGN_UP(size, (size_t)FREELIST_ALIGN),
			  FREELIST_MIN_SIZE);
	struct freelist_chunk *c;
	struct list_node *n;

	MM_LOCK_HELD(&heap->fl_lock);
	n = fit(heap, need);
	c = n ? link_chunk(n) : grow(heap, need);
	if (!c)
		return NULL;
	return hdr_payload(take(heap, c, need));
}

void *freelist_alloc(struct freelist *heap, size_t size)
{
	mm_irqflags_t flags;
	void *p;

	if (unlikely(!freelist_heap_ok(heap, "freelist_alloc", MM_CALLER())))
		return NULL;
	if (size == 0 || size > FREELIST_MAX_REQUEST)
		return NULL;
	flags = mm_lock(&heap->fl_lock);
	p = __freelist_alloc(heap, size);
	mm_unlock(&heap->fl_lock, flags);
	return p;
}

/* --- freeing ------------------------------------------------------------- */

static struct freelist_region *region_of(const struct freelist *heap,
					 uintptr_t p)
{
	struct freelist_region *r;

	for (r = heap->fl_regions; r; r = r->r_next)
		if (p >= (uintptr_t)r && p < r->r_end)
			return r;
	return NULL;
}

/* The chunk of r holding address p, or NULL (p in the region record, or
 * *bad set to the first unbelievable header met on the way). */
static struct freelist_hdr *chunk_containing(const struct freelist_region *r,
					     uintptr_t p,
					     struct freelist_hdr **bad)
{
	uintptr_t a = region_first(r);

	*bad = NULL;
	while (a < r->r_end) {
		struct freelist_hdr *h = hdr_at(a);

		if (!hdr_valid(h, r)) {
			*bad = h;
			return NULL;
		}
		if (p < hdr_end(h))
			return p >= a ? h : NULL;
		a = hdr_end(h);
	}
	return NULL;
}

/* Says whether ptr may be freed; if not, reports why. */
static struct freelist_hdr *free_target(const struct freelist *heap,
					void *ptr, struct freelist_region **rp)
{
	uintptr_t p = (uintptr_t)ptr;
	struct freelist_region *r = region_of(heap, p);
	struct freelist_hdr *h, *bad;

	if (!r) {
		mm_report(REPORT_OUT_OF_RANGE, p,
			  "heap %s: not inside any of its %zu regions",
			  heap->fl_name, heap->fl_nr_regions);
		return NULL;
	}
	h = chunk_containing(r, p, &bad);
	if (bad) {
		mm_report(REPORT_BAD_MAGIC, p,
			  "heap %s: header at %#lx holds magic %#x size %u, expected an allocated chunk's %#x",
			  heap->fl_name, (unsigned long)(uintptr_t)bad,
			  bad->h_magic, bad->h_size, FREELIST_MAGIC_USED);
		return NULL;
	}
	if (!h) {
		mm_report(REPORT_INTERIOR_POINTER, p,
			  "heap %s: inside the record of the region at %#lx, expected a chunk",
			  heap->fl_name, (unsigned long)(uintptr_t)r);
		return NULL;
	}
	if (p != (uintptr_t)hdr_payload(h) && hdr_is_free(h) &&
	    IS_ALIGNED(p, (uintptr_t)FREELIST_ALIGN) &&
	    hdr_is_free(hdr_at(p - FREELIST_HDR_SIZE))) {
		/* A freed chunk's header survives its merge into the chunk
		 * before it: this is a chunk freed once already. */
		mm_report(REPORT_DOUBLE_FREE, p,
			  "heap %s: already free, merged into the free chunk at %#lx",
			  heap->fl_name, (unsigned long)(uintptr_t)h);
		return NULL;
	}
	if (p != (uintptr_t)hdr_payload(h)) {
		mm_report(REPORT_INTERIOR_POINTER, p,
			  "heap %s: inside the %s chunk at %#lx (%u bytes), expected its start %#lx",
			  heap->fl_name, hdr_is_free(h) ? "free" : "allocated",
			  (unsigned long)(uintptr_t)h, h->h_size,
			  (unsigned long)(uintptr_t)hdr_payload(h));
		return NULL;
	}
	if (hdr_is_free(h)) {
		mm_report(REPORT_DOUBLE_FREE, p,
			  "heap %s: the %u-byte chunk is already free",
			  heap->fl_name, h->h_size);
		return NULL;
	}
	*rp = r;
	return h;
}

/* Merges c with the free chunks that touch it; returns the merged chunk. */
static struct freelist_chunk *coalesce(struct freelist *heap,
				       struct freelist_chunk *c)
{
	struct list_node *next = c->c_link.next, *prev = c->c_link.prev;

	if (next != &heap->fl_free &&
	    hdr_end(&c->c_hdr) == (uintptr_t)link_chunk(next))
		absorb(heap, c, link_chunk(next));
	if (prev != &heap->fl_free &&
	    hdr_end(&link_chunk(prev)->c_hdr) == (uintptr_t)c) {
		absorb(heap, link_chunk(prev), c);
		c = link_chunk(prev);
	}
	return c;
}

static void __freelist_free(struct freelist *heap, void *ptr)
{
	struct freelist_region *r = NULL;
	struct freelist_hdr *h;
	struct freelist_chunk *c;

	MM_LOCK_HELD(&heap->fl_lock);
	h = free_target(heap, ptr, &r);
	c = (struct freelist_chunk *)h;
	if (!h)
		return;
	heap->fl_bytes_used -= h->h_size;
	heap->fl_bytes_free += h->h_size;
	heap->fl_used_chunks--;
	h->h_magic = FREELIST_MAGIC_FREE;
	free_insert(heap, c);
	c = coalesce(heap, c);
	if (r->r_pages && (uintptr_t)c == region_first(r) &&
	    hdr_end(&c->c_hdr) == r->r_end)
		region_release(heap, r, c);
}

void freelist_free(struct freelist *heap, void *ptr)
{
	mm_irqflags_t flags;

	if (!ptr)
		return;
	if (unlikely(!freelist_heap_ok(heap, "freelist_free", MM_CALLER())))
		return;
	flags = mm_lock(&heap->fl_lock);
	__freelist_free(heap, ptr);
	mm_unlock(&heap->fl_lock, flags);
}


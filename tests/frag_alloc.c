/*
 * The allocators of the fragmentation comparison, each behind the same
 * eight functions (struct frag_allocator in tests/frag.h):
 *
 *   first, next, best, worst   a mm/freelist heap with that fit policy,
 *                              growing in whole blocks from a private
 *                              buddy zone over a 4 MiB arena;
 *   kmalloc                    kmalloc/kfree as the kernel uses them: slab
 *                              size classes, the buddy above 4096 bytes;
 *   buddy                      a private buddy zone over a 4 MiB block,
 *                              each request taking the smallest order
 *                              whose block holds it.
 *
 * What "used" and "largest" mean for each is written at the top of
 * tests/bench_frag.c; the functions here compute exactly that.
 */
#include "tests/frag.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "lib/string.h"

/* --- the arena: a private buddy zone over one 4 MiB block ---------------- */

/* The smallest order whose block holds size bytes. */
static unsigned bd_order(size_t size)
{
	unsigned order = 0;

	while (((size_t)MM_PAGE_SIZE << order) < size)
		order++;
	return order;
}

static bool arena_open(struct frag_run *r)
{
	/* no out-of-memory report: the callers say what they do without */
	r->fr_block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, FRAG_ARENA_ORDER);
	if (!r->fr_block)
		return false;
	r->fr_base = (uintptr_t)page_address(r->fr_block);
	r->fr_end = r->fr_base + FRAG_ARENA_BYTES;
	r->fr_mark = r->fr_base;
	buddy_zone_adopt(&r->fr_zone, r->fr_block, FRAG_ARENA_ORDER);
	return true;
}

/* A zone that is not whole again cannot be released: its block is left
 * allocated (the frame-leak hook of a test will say so). */
static bool arena_close(struct frag_run *r)
{
	if (!buddy_zone_release(&r->fr_zone, r->fr_block, FRAG_ARENA_ORDER))
		return false;
	__free_pages(r->fr_block, FRAG_ARENA_ORDER);
	r->fr_block = NULL;
	return true;
}

/* --- freelist heaps, growing from the arena ------------------------------ */

/* The heaps' page source: whole blocks of the arena's zone, as
 * freelist_buddy_source gives whole blocks of the kernel's; it counts the
 * frames the heap holds. */
static void *zone_get_pages(void *ctx, size_t *pages)
{
	struct frag_run *r = ctx;
	unsigned order = bd_order(*pages * MM_PAGE_SIZE);
	struct page *page = order <= FRAG_ARENA_ORDER ?
				    buddy_zone_alloc(&r->fr_zone, order) : NULL;

	if (!page)
		return NULL;
	*pages = (size_t)1 << order;
	r->fr_held += *pages;
	return page_address(page);
}

static void zone_put_pages(void *ctx, void *addr, size_t pages)
{
	struct frag_run *r = ctx;

	r->fr_held -= pages;
	buddy_zone_free(&r->fr_zone, virt_to_page(addr),
			bd_order(pages * MM_PAGE_SIZE));
}

static bool fl_open(struct frag_run *r)
{
	if (!arena_open(r))
		return false;
	r->fr_source.get_pages = zone_get_pages;
	r->fr_source.put_pages = zone_put_pages;
	r->fr_source.ctx = r;
	freelist_init(&r->fr_heap, r->fr_alloc->fa_title,
		      r->fr_alloc->fa_policy, &r->fr_source);
	return true;
}

static void *fl_alloc(struct frag_run *r, size_t size)
{
	return freelist_alloc(&r->fr_heap, size);
}

static void fl_free(struct frag_run *r, void *p, size_t size)
{
	(void)size;
	freelist_free(&r->fr_heap, p);
}

static size_t fl_usable(void *p, size_t size)
{
	(void)size;
	return freelist_usable_size(p);
}

/* Frames held from the page source. */
static size_t fl_used(struct frag_run *r, void *p, size_t size)
{
	(void)p;
	(void)size;
	return r->fr_held * MM_PAGE_SIZE;
}

/* The largest free chunk: it fits without growing the heap. */
static size_t fl_largest(struct frag_run *r)
{
	return freelist_largest_free(&r->fr_heap);
}

/* Freed everything, the heap gives every region back to the zone. */
static bool fl_close(struct frag_run *r)
{
	bool empty = freelist_check(&r->fr_heap) == 0 &&
		     freelist_chunk_count(&r->fr_heap) == 0 && r->fr_held == 0;

	freelist_destroy(&r->fr_heap);
	return arena_close(r) && empty;
}

/* --- kmalloc ------------------------------------------------------------- */

/* Cached empty slabs would hide the first pages the trace needs, and
 * leave some behind at the end: both ends are measured shrunk. */
static bool km_open(struct frag_run *r)
{
	kmem_shrink_all();
	r->fr_base = r->fr_end = 0;
	r->fr_start_frames = buddy_free_pages();
	return true;
}

static void *km_alloc(struct frag_run *r, size_t size)
{
	(void)r;
	return kmalloc(size, GFP_KERNEL);
}

static void km_free(struct frag_run *r, void *p, size_t size)
{
	(void)r;
	(void)size;
	kfree(p);
}

static size_t km_usable(void *p, size_t size)
{
	(void)size;
	return ksize(p);
}

/* Frames taken from the buddy since km_open: slabs and large blocks. */
static size_t km_used(struct frag_run *r, void *p, size_t size)
{
	unsigned long now = buddy_free_pages();

	(void)p;
	(void)size;
	return now < r->fr_start_frames ?
		       (size_t)(r->fr_start_frames - now) * MM_PAGE_SIZE : 0;
}

/* The largest size class with a free object in a slab it already has;
 * anything larger would take frames from the buddy. */
static size_t km_largest(struct frag_run *r)
{
	size_t best = 0;

	(void)r;
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		struct slab_info info;

		kmem_cache_info(kmalloc_cache(i), &info);
		if (info.total_objs > info.active_objs)
			best = MAX(best, (size_t)kmalloc_class_size(i));
	}
	return best;
}

static bool km_close(struct frag_run *r)
{
	kmem_shrink_all();
	return buddy_free_pages() == r->fr_start_frames && slab_check() == 0;
}

/* --- the buddy allocator ------------------------------------------------- */

static bool bd_open(struct frag_run *r)
{
	return arena_open(r);
}

static void *bd_alloc(struct frag_run *r, size_t size)
{
	struct page *page = buddy_zone_alloc(&r->fr_zone, bd_order(size));

	return page ? page_address(page) : NULL;
}

static void bd_free(struct frag_run *r, void *p, size_t size)
{
	buddy_zone_free(&r->fr_zone, virt_to_page(p), bd_order(size));
}

static size_t bd_usable(void *p, size_t size)
{
	(void)p;
	return (size_t)MM_PAGE_SIZE << bd_order(size);
}

/* The extent of the zone used so far: the high-water mark of the blocks
 * handed out, from the zone's first byte. */
static size_t bd_used(struct frag_run *r, void *p, size_t size)
{
	r->fr_mark = MAX(r->fr_mark, (uintptr_t)p + bd_usable(p, size));
	return r->fr_mark - r->fr_base;
}

/* The largest free block lying wholly below the high-water mark. */
static size_t bd_largest(struct frag_run *r)
{
	for (unsigned order = FRAG_ARENA_ORDER + 1; order-- > 0;) {
		size_t len = (size_t)MM_PAGE_SIZE << order;
		struct list_node *pos;

		list_for_each(pos, &r->fr_zone.free_area[order].list) {
			uintptr_t a = (uintptr_t)page_address(
				list_entry(pos, struct page, lru));

			if (a + len <= r->fr_mark)
				return len;
		}
	}
	return 0;
}

static bool bd_close(struct frag_run *r)
{
	return arena_close(r);
}

/* --- the table ----------------------------------------------------------- */

#define FRAG_FREELIST(name, title, policy)                                 \
	{ name, title, policy, fl_open, fl_alloc, fl_free, fl_used,        \
	  fl_usable, fl_largest, fl_close }

const struct frag_allocator frag_allocators[] = {
	FRAG_FREELIST("first", "first fit", FREELIST_FIRST_FIT),
	FRAG_FREELIST("next", "next fit", FREELIST_NEXT_FIT),
	FRAG_FREELIST("best", "best fit", FREELIST_BEST_FIT),
	FRAG_FREELIST("worst", "worst fit", FREELIST_WORST_FIT),
	{ "kmalloc", "kmalloc (slab)", FREELIST_FIRST_FIT, km_open, km_alloc,
	  km_free, km_used, km_usable, km_largest, km_close },
	{ "buddy", "buddy", FREELIST_FIRST_FIT, bd_open, bd_alloc, bd_free,
	  bd_used, bd_usable, bd_largest, bd_close },
};
const size_t frag_nr_allocators = ARRAY_SIZE(frag_allocators);

bool frag_open(struct frag_run *r, const struct frag_allocator *a,
	       void **objects)
{
	memset(r, 0, sizeof(*r));
	r->fr_alloc = a;
	r->fr_objects = objects;
	return a->fa_open(r);
}

bool frag_close(struct frag_run *r)
{
	return r->fr_alloc->fa_close(r);
}

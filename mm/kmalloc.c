/*
 * kmalloc: segregated size classes over slab caches.
 *
 * Theory of operation
 * -------------------
 * A request of n bytes goes to the smallest of twelve size classes that
 * holds it -- 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096 --
 * each an ordinary slab cache ("kmalloc-96").  96 and 192 fill the worst
 * gaps of the powers of two (a 65-byte request would waste half of a
 * 128-byte object).  Classes up to 192 are found with one table look-up
 * indexed by (n - 1) / 8, larger ones by the position of the highest bit.
 *
 * Larger requests skip the slab layer: they take a block of 2^order frames
 * straight from the buddy.  The head page is marked OWNER_KMALLOC and the
 * buddy already records the block's order in it; the tail pages point at
 * the head (compound_set).  So kfree needs no size: virt_to_page and
 * compound_head lead to either a slab (its cache) or a large block (its
 * order).
 *
 * kmalloc(0) hands out a distinct 8-byte object with no usable bytes
 * (under debugging all eight are red zone).  kfree(NULL) does nothing.
 *
 * Debugging: a kmalloc object remembers the size asked for, and the bytes
 * from there to the end of its class are red zone: kmalloc(18) from the
 * 32-byte class catches a write to byte 18.  ksize() gives those bytes to
 * the caller (it checks and zeroes them first), as KASAN does in Linux.
 *
 * Locking: that of the slab caches and of the buddy allocator; the large
 * block counters are updated with interrupts off.
 */
#include "mm/kmalloc.h"
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"

static const unsigned class_sizes[KMALLOC_NR_CLASSES] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
};
static const char *const class_names[KMALLOC_NR_CLASSES] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64",
	"kmalloc-96", "kmalloc-128", "kmalloc-192", "kmalloc-256",
	"kmalloc-512", "kmalloc-1024", "kmalloc-2048", "kmalloc-4096",
};
#define SMALL_LIMIT 192 /* classes up to here come from small_index */
static uint8_t small_index[SMALL_LIMIT / 8];
static struct kmem_cache *classes[KMALLOC_NR_CLASSES];
static unsigned long large_blocks;

void kmem_init(bool debug)
{
	unsigned i, k = 0;

	slab_init(debug);
	for (i = 0; i < KMALLOC_NR_CLASSES; i++)
		classes[i] = kmem_cache_create(class_names[i], class_sizes[i],
					       KMALLOC_MIN_ALIGN, SLAB_KMALLOC,
					       NULL);
	for (i = 0; i < SMALL_LIMIT / 8; i++) {
		while (class_sizes[k] < (i + 1) * 8)
			k++;
		small_index[i] = (uint8_t)k;
	}
}

int kmalloc_index(size_t size)
{
	if (size <= SMALL_LIMIT)
		return size ? small_index[(size - 1) / 8] : 0;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return -1;
	/* 193..256 -> 7 (256), 257..512 -> 8, ... 2049..4096 -> 11 */
	return 32 - __builtin_clz((unsigned)size - 1) - 1;
}

struct kmem_cache *kmalloc_cache(unsigned i)
{
	return i < KMALLOC_NR_CLASSES ? classes[i] : NULL;
}

unsigned kmalloc_class_size(unsigned i)
{
	return i < KMALLOC_NR_CLASSES ? class_sizes[i] : 0;
}

unsigned long kmalloc_large_blocks(void)
{
	return large_blocks;
}

/* --- large blocks --------------------------------------------------------- */

static void count_large(long blocks)
{
	mm_irqflags_t flags = mm_irq_save();

	large_blocks += (unsigned long)blocks;
	mm_irq_restore(flags);
}

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned order = 0;
	struct page *page;

	if (size > ((size_t)MM_PAGE_SIZE << (MAX_ORDER - 1)))
		return NULL;
	while (((size_t)MM_PAGE_SIZE << order) < size)
		order++;
	page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);
	if (!page)
		return NULL;
	page_set_owner(page, OWNER_KMALLOC);
	compound_set(page, order);
	count_large(1);
	return page_address(page);
}

static void kfree_large(struct page *head)
{
	unsigned order = page_order(head);

	compound_clear(head, order);
	page_set_owner(head, OWNER_NONE);
	count_large(-1);
	__free_pages(head, order);
}

/* --- the public functions ------------------------------------------------- */

/* Without debugging the requested size does not matter: the cache's fast
 * path serves it. */
static __always_inline void *__kmalloc(size_t size, gfp_t gfp, uintptr_t caller)
{
	int i = kmalloc_index(size);

	if (unlikely(i < 0))
		return kmalloc_large(size, gfp);
	if (likely(!cache_debug(classes[i])))
		return kmem_cache_alloc(classes[i], gfp);
	return __kmem_cache_alloc(classes[i], gfp, size, caller);
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp, MM_CALLER());
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp | __GFP_ZERO, MM_CALLER());
}

/*
 * What p is: a kmalloc slab object (*cache set), the head of a large block
 * (*large set), or neither -- then it has been reported as misuse by `op`.
 */
static bool kmalloc_lookup(const void *p, const char *op,
			   struct kmem_cache **cache, struct page **large)
{
	struct page *page = virt_to_page_checked(p);
	struct page *head = page ? compound_head(page) : NULL;
	void *start = NULL;
	pfn_t free_head;
	unsigned order;

	*cache = NULL;
	*large = NULL;
	if (!head) {
		mm_report(REPORT_OUT_OF_RANGE, (uintptr_t)p,
			  "%s of a pointer outside the direct map", op);
	} else if (page_owner(head) == OWNER_KMALLOC &&
		   (head->flags & PG_ALLOCATED)) {
		if (p == page_address(head)) {
			*large = head;
			return true;
		}
		mm_report(REPORT_INTERIOR_POINTER, (uintptr_t)p,
			  "%s of a pointer %lu bytes into a large kmalloc block of order %u",
			  op, (unsigned long)((uintptr_t)p - (uintptr_t)page_address(head)),
			  page_order(head));
	} else if ((*cache = slab_find_object(p, &start)) != NULL) {
		if (!((*cache)->c_flags & SLAB_KMALLOC))
			mm_report(REPORT_WRONG_CACHE, (uintptr_t)p,
				  "%s of an object of cache %s, not a kmalloc size class (use kmem_cache_free)",
				  op, (*cache)->c_name);
		else if (start != p)
			mm_report(REPORT_INTERIOR_POINTER, (uintptr_t)p,
				  "%s of a pointer %ld bytes into an object of cache %s at %p",
				  op, (long)((uintptr_t)p - (uintptr_t)start),
				  (*cache)->c_name, start);
		else
			return true;
	} else if ((head->flags & PG_HOT) ||
		   buddy_find_free_block(page_to_pfn(head), &free_head, &order)) {
		mm_report(REPORT_DOUBLE_FREE, (uintptr_t)p,
			  "%s of a free frame (a large kmalloc block freed twice?)", op);
	} else {
		mm_report(REPORT_OUT_OF_RANGE, (uintptr_t)p,
			  "%s of a pointer kmalloc never returned (frame owned by %s)",
			  op, page_owner_name(page_owner(head)));
	}
	*cache = NULL;
	return false;
}

static void __kfree(const void *p, uintptr_t caller)
{
	struct kmem_cache *cache;
	struct page *large;

	if (!p || !kmalloc_lookup(p, "kfree", &cache, &large))
		return;
	if (large)
		kfree_large(large);
	else
		__kmem_cache_free(cache, (void *)p, caller);
}

/*
 * The common case first: the start of an object in the first frame of a
 * kmalloc slab goes straight onto its cache's array.  Anything else --
 * NULL, a large block, a full array, a debug cache, a pointer to diagnose
 * -- takes the full look-up.
 */
void kfree(const void *p)
{
	struct kmem_cache *c;
	enum slab_free_result how = slab_free_fast(NULL, true, (void *)p, &c);

	if (likely(how == SLAB_FREED))
		return;
	if (how == SLAB_FREE_NO_ROOM) /* a kmalloc object, already checked */
		slab_free_finish(c, (void *)p, MM_CALLER(), how);
	else
		__kfree(p, MM_CALLER());
}

size_t ksize(const void *p)
{
	struct kmem_cache *cache;
	struct page *large;

	if (!p || !kmalloc_lookup(p, "ksize", &cache, &large))
		return 0;
	if (large)
		return (size_t)MM_PAGE_SIZE << page_order(large);
	__kmem_cache_resize(cache, (void *)p, cache->c_size);
	return cache->c_size;
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	uintptr_t caller = MM_CALLER();
	struct kmem_cache *cache;
	struct page *large;
	size_t usable, old;
	void *q;

	if (!p)
		return __kmalloc(new_size, gfp, caller);
	if (!new_size) {
		__kfree(p, caller);
		return NULL;
	}
	if (!kmalloc_lookup(p, "krealloc", &cache, &large))
		return NULL;
	usable = large ? (size_t)MM_PAGE_SIZE << page_order(large) : cache->c_size;
	old = large ? usable : __kmem_cache_req_size(cache, p);
	if (new_size <= usable) {
		if (cache)
			__kmem_cache_resize(cache, (void *)p, new_size);
		return (void *)p;
	}
	q = __kmalloc(new_size, gfp, caller);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, new_size));
	__kfree(p, caller);
	return q;
}

/*
 * kmalloc: segregated size classes over slab caches.
 *
 * Theory of operation
 * -------------------
 * A request of n bytes goes to the smallest size class that holds it, each
 * an ordinary slab cache ("kmalloc-320"), 22 in all (class_sizes below):
 * up to 512 bytes four steps per power of two, as modern general-purpose
 * allocators have, so that a request rounds up by about a sixteenth
 * instead of the quarter a power of two costs; above 512, page fractions.
 * The class is one table look-up indexed by (n + 7) / 8.
 *
 * Each class has a fixed cache id (1 + its index; mm/slab.c, 2), so kfree
 * finds the class of a pointer from the flags of its slab's head page: one
 * subtraction and a bounds check, then the slab's own free fast path.
 *
 * Larger requests skip the slab layer: they take a block of 2^order frames
 * straight from the buddy.  The head page is marked OWNER_KMALLOC and the
 * buddy already records the block's order in it; the tail pages point at
 * the head (compound_set); the head keeps the size asked for, and sits on
 * a list of large blocks.  So kfree needs no size: the page of the pointer
 * leads to either a slab (its cache) or a large block (its order).
 *
 * kmalloc(0) hands out a distinct 8-byte object with no usable bytes
 * (under debugging all eight are red zone).  kfree(NULL) does nothing.
 *
 * Debugging: a kmalloc object remembers the size asked for, and the bytes
 * from there to the end of its class are red zone: kmalloc(18) from the
 * 32-byte class catches a write to byte 18.  The same holds for a large
 * block: the bytes from the request to the end of the block are red zone,
 * checked by kfree, krealloc, ksize and kmalloc_check (KASAN's
 * kmalloc_pagealloc_oob_right).  ksize() gives those bytes to the caller
 * (it checks and zeroes them first), as KASAN does in Linux.
 *
 * Locking: that of the slab caches and of the buddy allocator; the list of
 * large blocks, and each listed block's request and red zone, under
 * large_lock.
 */
#include "mm/kmalloc.h"
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/failinject.h"

/*
 * The classes, smallest first.  Up to 512 bytes: 8, 16, 32, 64, 96, 128,
 * then four steps from each power of two to the next.  Above 512 the
 * objects are few to a slab, so each class is the largest multiple of 8
 * that puts n whole objects in one page (7, 6, 5, 4, 3, 2 and 1) or, for
 * 2728, three in two pages: the slabs have (almost) no leftover, and a
 * request rounds up by about a sixth.  Measured on make bench's seeded
 * trace, this set wastes less than four steps a power of two all the way
 * to 4096 (27.0 % against 31.7 %): with few objects to a slab, every class
 * more is another partly used slab (README, "Benchmarks").
 */
static const unsigned class_sizes[KMALLOC_NR_CLASSES] = {
	8, 16, 32, 64, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512,
	584, 680, 816, 1024, 1360, 2048, 2728, 4096,
};
/* size_index[(n + 7) / 8]: the class of n bytes (0 and 1..8 both class 0) */
static uint8_t size_index[KMALLOC_MAX_CACHE_SIZE / 8 + 1];
static struct kmem_cache *classes[KMALLOC_NR_CLASSES];
/*
 * What the fast paths of kmalloc and kfree read of a class, in 8 bytes (an
 * index scales by 8 in one addressing mode): its per-CPU arrays -- or,
 * while fault injection is armed, arrays that are always empty, so that
 * every kmalloc goes out of line and is counted -- and, for a tiled class,
 * stride - 1 (0: not tiled, or debugging).
 */
struct kmalloc_fast {
	struct slab_cpu *k_cpu;
	uintptr_t k_start_mask;
};
static struct kmalloc_fast fast[KMALLOC_NR_CLASSES];
static struct list_node large_list = LIST_HEAD_INIT(large_list);
static unsigned long large_blocks;
/* large_list and large_blocks */
static mm_lock_t large_lock = MM_LOCK_INIT("kmalloc large", LOCK_ORDER_KMALLOC);
MM_LOCK_REGISTER(large_lock);

static void set_fast(unsigned i, bool armed)
{
	struct kmem_cache *c = classes[i];

	fast[i].k_cpu = c && !armed ? c->c_cpu : slab_no_arrays;
	fast[i].k_start_mask = c && (c->c_flags & SLAB_TILED) ? c->c_start_mask : 0;
}

static void kmalloc_failinject_armed(bool armed)
{
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++)
		set_fast(i, armed);
}

void kmem_init(bool debug)
{
	unsigned k = 0;

	if (!slab_init(debug)) /* called again: reported, refused */
		return;
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		char name[SLAB_NAME_MAX];

		snprintf(name, sizeof(name), "kmalloc-%u", class_sizes[i]);
		classes[i] = __kmem_cache_create(name, class_sizes[i], KMALLOC_MIN_ALIGN,
						 SLAB_KMALLOC, NULL, SLAB_ID_KMALLOC + i);
		set_fast(i, false);
	}
	mm_failinject_on_arm(kmalloc_failinject_armed); /* now, if armed */
	for (unsigned i = 0; i < ARRAY_SIZE(size_index); i++) {
		while (class_sizes[k] < i * 8)
			k++;
		size_index[i] = (uint8_t)k;
	}
}

static __always_inline int size_class(size_t size)
{
	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return -1;
	return size_index[(size + 7) / 8];
}

int kmalloc_index(size_t size)
{
	return size_class(size);
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

/* The size asked for, kept in the head page of a large block. */
static inline size_t large_req(const struct page *head)
{
	return head->private_[0];
}

static inline size_t large_bytes(const struct page *head)
{
	return (size_t)MM_PAGE_SIZE << page_order(head);
}

/* Checks (and repairs) the red zone after a large block's request. */
static unsigned large_check_tail(struct page *head, const char *when)
{
	uint8_t *base = page_address(head);
	size_t req = large_req(head), end = large_bytes(head);

	if (!slab_debug_enabled())
		return 0;
	for (size_t i = req; i < end; i++) {
		if (base[i] != SLAB_RED_BYTE) {
			mm_report(REPORT_REDZONE, (uintptr_t)base,
				  "large kmalloc block of order %u (%lu of %lu bytes in use): red zone after the request overwritten at offset %lu (found %s)",
				  page_order(head), (unsigned long)req, (unsigned long)end,
				  (unsigned long)i, when);
			memset(base + req, SLAB_RED_BYTE, end - req);
			return 1;
		}
	}
	return 0;
}

/* A large block now holds req bytes: the rest is red zone (debugging). */
static void large_set_req(struct page *head, size_t req)
{
	if (slab_debug_enabled())
		memset((uint8_t *)page_address(head) + req, SLAB_RED_BYTE,
		       large_bytes(head) - req);
	head->private_[0] = req;
}

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned order = 0;
	struct page *page;
	mm_irqflags_t flags;

	if (size > ((size_t)MM_PAGE_SIZE << (MAX_ORDER - 1)))
		return NULL;
	while (((size_t)MM_PAGE_SIZE << order) < size)
		order++;
	page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);
	if (!page)
		return NULL;
	page_set_owner(page, OWNER_KMALLOC);
	compound_set(page, order);
	large_set_req(page, size);
	flags = mm_lock(&large_lock);
	list_add(&page->lru, &large_list);
	large_blocks++;
	mm_unlock(&large_lock, flags);
	return page_address(page);
}

/*
 * A listed block's request and red zone change under large_lock, which
 * kmalloc_check holds while it reads (and repairs) them: the block now
 * holds req bytes, its red zone checked first; the bytes it gains are
 * zeroed if `zero`.
 */
static void large_resize(struct page *head, size_t req, bool zero, const char *when)
{
	mm_irqflags_t flags = mm_lock(&large_lock);
	size_t old = large_req(head);

	large_check_tail(head, when);
	if (req > old && zero)
		memset((uint8_t *)page_address(head) + old, 0, req - old);
	large_set_req(head, req);
	mm_unlock(&large_lock, flags);
}

static void kfree_large(struct page *head)
{
	unsigned order = page_order(head);
	mm_irqflags_t flags;

	flags = mm_lock(&large_lock);
	large_check_tail(head, "on kfree");
	list_del(&head->lru);
	large_blocks--;
	mm_unlock(&large_lock, flags);
	compound_clear(head, order);
	page_set_owner(head, OWNER_NONE);
	__free_pages(head, order);
}

unsigned kmalloc_check(void)
{
	struct list_node *pos;
	unsigned problems = 0;
	mm_irqflags_t flags = mm_lock(&large_lock);

	list_for_each(pos, &large_list)
		problems += large_check_tail(list_entry(pos, struct page, lru),
					     "by the checker");
	mm_unlock(&large_lock, flags);
	return problems;
}

/* --- the public functions ------------------------------------------------- */

static __always_inline void *__kmalloc(size_t size, gfp_t gfp, uintptr_t caller)
{
	int i = size_class(size);

	if (unlikely(i < 0))
		return kmalloc_large(size, gfp);
	if (likely(!cache_debug(classes[i])))
		return kmem_cache_alloc(classes[i], gfp);
	return __kmem_cache_alloc(classes[i], gfp, size, caller);
}

static __noinline void *kmalloc_slow(size_t size, gfp_t gfp, uintptr_t caller)
{
	if (unlikely(!kmalloc_args_ok(size, gfp, "kmalloc", caller)))
		return NULL;
	if (mm_should_fail(MM_ALLOC_KMALLOC, caller))
		return NULL;
	return __kmalloc(size, gfp, caller);
}

/*
 * The fast path: a class's array holds an object -- a pop.  A debug
 * class's array is always empty, so debugging, __GFP_ZERO, an empty array
 * and the large sizes all go out of line.
 */
void *kmalloc(size_t size, gfp_t gfp)
{
	void *obj;

	/* no zeroing, and no bit outside __GFP_BITS (kmalloc_slow refuses
	 * those): one test */
	if (likely(size <= KMALLOC_MAX_CACHE_SIZE) &&
	    likely(!(gfp & ~(__GFP_BITS & ~__GFP_ZERO)))) {
		/* a class has no constructor, so its free record is at the
		 * object's start (mm/slab_cache.c, compute_layout) */
		obj = slab_mag_pop_fp0(fast[size_index[(size + 7) / 8]].k_cpu);
		if (likely(obj))
			return obj;
	}
	return kmalloc_slow(size, gfp, MM_CALLER());
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc_slow(size, gfp | __GFP_ZERO, MM_CALLER());
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
		else if (kmem_object_is_free(*cache, p)) /* ksize, krealloc */
			mm_report(REPORT_DEAD_HANDLE, (uintptr_t)p,
				  "%s of an object of cache %s that was freed", op,
				  (*cache)->c_name);
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
	struct page *head = slab_page_of(p);
	struct kmem_cache *cache;
	struct page *large;

	if (!p)
		return;
	/* an object of a size class: the slab's slow path frees it, or
	 * diagnoses it */
	if (head && (head->s_cache->c_flags & SLAB_KMALLOC)) {
		slab_free_slow_page(head->s_cache, head, (void *)p, caller);
		return;
	}
	if (!kmalloc_lookup(p, "kfree", &cache, &large))
		return;
	if (large)
		kfree_large(large);
	else
		slab_free_slow(cache, (void *)p, caller);
}

static __noinline void kfree_slow(const void *p, uintptr_t caller)
{
	__kfree(p, caller);
}

/*
 * The common case first: the start of an object in the first frame of a
 * kmalloc slab goes straight onto its class's array.  The class comes from
 * the flags of the slab's head page: less the key of class 0, they leave
 * nothing in the state, quarantine and owner-kind bits, and the class
 * index in the id bits.  A class that is not tiled takes its own fast path
 * out of line; anything else -- NULL, a large block, a full array, a debug
 * class, a pointer to diagnose -- goes to the slow path.
 */
void kfree(const void *p)
{
	paddr_t pa = mm_virt_to_phys(p);
	const struct page *page;
	const struct kmalloc_fast *f;
	uint32_t k;

	if (unlikely(pa >= mm_direct_end()))
		goto slow;
	page = (const struct page *)((uintptr_t)mem_map +
				     ((uintptr_t)pa >> MM_PAGE_SHIFT) * sizeof(struct page));
	k = page->flags - SLAB_KEY(SLAB_ID_KMALLOC);
	if (unlikely(k & (SLAB_KEY_MASK & ~PG_OWNER_ID_MASK)) ||
	    unlikely((k >> PG_OWNER_ID_SHIFT) >= KMALLOC_NR_CLASSES))
		goto slow;
	f = &fast[k >> PG_OWNER_ID_SHIFT];
	if (unlikely(!f->k_start_mask)) {
		slab_free_untiled(classes[k >> PG_OWNER_ID_SHIFT], (void *)p, MM_CALLER());
		return;
	}
	if (likely(!((uintptr_t)p & f->k_start_mask)) &&
	    likely(mm_array_push(&f->k_cpu->sc_loaded, (void *)p, (uintptr_t *)p)))
		return;
slow:
	kfree_slow(p, MM_CALLER());
}

size_t ksize(const void *p)
{
	struct kmem_cache *cache;
	struct page *large;

	if (!p || !kmalloc_lookup(p, "ksize", &cache, &large))
		return 0;
	if (large) {
		large_resize(large, large_bytes(large), true, "by ksize");
		return large_bytes(large);
	}
	__kmem_cache_resize(cache, (void *)p, cache->c_size);
	return cache->c_size;
}

/* Grows or shrinks a block in place to new_size <= its usable size. */
static void resize_in_place(const void *p, struct kmem_cache *cache,
			    struct page *large, size_t new_size)
{
	if (cache)
		__kmem_cache_resize(cache, (void *)p, new_size);
	else /* the red zone given up is zeroed */
		large_resize(large, new_size, slab_debug_enabled(), "by krealloc");
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	uintptr_t caller = MM_CALLER();
	struct kmem_cache *cache;
	struct page *large;
	size_t usable, old;
	void *q;

	if (unlikely(!kmalloc_args_ok(new_size, gfp, "krealloc", caller)))
		return NULL;
	if (!p)
		return kmalloc_slow(new_size, gfp, caller);
	if (!new_size) {
		__kfree(p, caller);
		return NULL;
	}
	if (!kmalloc_lookup(p, "krealloc", &cache, &large))
		return NULL;
	usable = large ? large_bytes(large) : cache->c_size;
	old = large ? large_req(large) : __kmem_cache_req_size(cache, p);
	if (new_size <= usable) {
		resize_in_place(p, cache, large, new_size);
		return (void *)p;
	}
	q = kmalloc_slow(new_size, gfp, caller);
	if (!q)
		return NULL;
	memcpy(q, p, MIN(old, new_size));
	__kfree(p, caller);
	return q;
}

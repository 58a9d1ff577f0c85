/*
 * The life of a cache (see mm/slab.c for the theory of operation):
 * creating it -- the object layout (alignment, the free pointer, debug red
 * zones and tracks), the slab order that keeps the waste within Bonwick's
 * 1/8, colouring, and the cache of caches that struct kmem_cache objects
 * come from -- then shrinking it and destroying it.
 */
#include "mm/slab_internal.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "lib/errno.h"

struct list_node slab_caches = LIST_HEAD_INIT(slab_caches);
/* slab_caches and the ids (mm/slab.c, 7) */
static mm_lock_t slab_list_lock = MM_LOCK_INIT("slab caches", LOCK_ORDER_SLAB_LIST);
MM_LOCK_REGISTER(slab_list_lock);
static bool debug_default;
struct kmem_cache slab_cache_cache; /* the cache of struct kmem_cache */

bool slab_debug_enabled(void)
{
	return debug_default;
}

/* --- cache set-up --------------------------------------------------------- */

/* The constants of slab_fast_obj_start: stride = odd * 2^shift, and the
 * inverse of odd modulo 2^32 (Newton's iteration doubles the correct low
 * bits each step: 3, 6, 12, 24, 48). */
static void set_divisor(struct kmem_cache *c)
{
	unsigned shift = (unsigned)__builtin_ctz(c->c_stride);
	uint32_t odd = c->c_stride >> shift, inv = odd;

	for (int i = 0; i < 4; i++)
		inv *= 2 - odd * inv;
	c->c_div_shift = shift;
	c->c_div_inv = inv;
}

/* Where the object, its free record and its red zones go in a slot. */
static void compute_layout(struct kmem_cache *c, size_t size, size_t align)
{
	size_t end;

	c->c_align = (unsigned)align;
	c->c_fp = 0;
	if (cache_debug(c)) {
		/* the free record is in the slab's record array */
		c->c_obj_off = ALIGN_UP(SLAB_RED_ZONE, c->c_align);
		end = ALIGN_UP(size, sizeof(void *)) + SLAB_RED_ZONE;
	} else if (c->c_ctor) {
		c->c_obj_off = 0;
		c->c_fp = ALIGN_UP(size, sizeof(void *));
		end = c->c_fp + sizeof(struct slab_free_rec);
	} else {
		c->c_obj_off = 0;
		end = MAX(size, sizeof(struct slab_free_rec));
	}
	c->c_stride = ALIGN_UP(c->c_obj_off + end, c->c_align);
	set_divisor(c);
}

/* Bytes a slab of objs objects spends on its record array (debug). */
static unsigned long records_bytes(const struct kmem_cache *c, unsigned long objs)
{
	if (!cache_debug(c))
		return 0;
	return ALIGN_UP(objs * sizeof(struct slab_track), (unsigned long)c->c_align);
}

/* Bytes of a slab of `order` that hold neither an object slot nor a
 * record; the number of objects in *objs. */
static unsigned long slab_leftover(const struct kmem_cache *c, unsigned order,
				   unsigned long *objs)
{
	unsigned long bytes = (unsigned long)MM_PAGE_SIZE << order;
	unsigned long rec = cache_debug(c) ? sizeof(struct slab_track) : 0;
	unsigned long n = MIN(bytes / (c->c_stride + rec), 0xFFFFul);

	while (n && n * c->c_stride + records_bytes(c, n) > bytes)
		n--;
	*objs = n;
	return bytes - n * c->c_stride - records_bytes(c, n);
}

/* The smallest order wasting at most 1/8, else the least wasteful one. */
static bool choose_order(struct kmem_cache *c)
{
	unsigned long objs, waste, best_waste = 0;
	int best = -1;

	for (unsigned k = 0; k < MAX_ORDER; k++) {
		waste = slab_leftover(c, k, &objs);
		if (!objs)
			continue;
		if (waste * (8) <= ((unsigned long)MM_PAGE_SIZE << k)) {
			best = (int)k;
			break;
		}
		/* waste/2^k < best_waste/2^best, without division */
		if (best < 0 || waste < best_waste << (k - (unsigned)best)) {
			best = (int)k;
			best_waste = waste;
		}
		if (k >= SLAB_MAX_ORDER)
			break;
	}
	if (best < 0)
		return false;
	c->c_order = (unsigned)best;
	waste = slab_leftover(c, c->c_order, &objs);
	c->c_per_slab = (unsigned)objs;
	c->c_span = (unsigned)objs * c->c_stride;
	c->c_rec_bytes = (unsigned)records_bytes(c, objs);
	c->c_colour_step = MAX(c->c_align, (unsigned)SLAB_CACHE_LINE);
	c->c_colours = (unsigned)MIN(waste, 0xFFFFul) / c->c_colour_step + 1;
	return true;
}

/* A power-of-two stride whose objects tile the first frame from its start
 * (no colour, no debug area): an address of that frame starts an object
 * exactly when it is a multiple of the stride.  Tiled caches also keep the
 * free record at the object's start (no constructor), so that their fast
 * paths find it without a load. */
static void set_tiled(struct kmem_cache *c)
{
	if (!cache_debug(c) && c->c_fp == 0 && !(c->c_stride & (c->c_stride - 1)) &&
	    c->c_stride <= MM_PAGE_SIZE && c->c_colours == 1 &&
	    (unsigned long)c->c_per_slab * c->c_stride >= MM_PAGE_SIZE) {
		c->c_flags |= SLAB_TILED;
		c->c_start_mask = c->c_stride - 1;
	}
}

/* --- cache ids ------------------------------------------------------------ */

static uint32_t ids_used[SLAB_MAX_IDS / 32];

/* A free id above the reserved ones, taken (lock held); 0 if none. */
static unsigned __id_take(void)
{
	MM_LOCK_HELD(&slab_list_lock);
	for (unsigned id = SLAB_ID_FIRST_FREE; id < SLAB_MAX_IDS; id++) {
		if (!(ids_used[id / 32] & (1u << (id % 32)))) {
			ids_used[id / 32] |= 1u << (id % 32);
			return id;
		}
	}
	return 0;
}

static void __id_put(unsigned id)
{
	MM_LOCK_HELD(&slab_list_lock);
	ids_used[id / 32] &= ~(1u << (id % 32));
}

static int cache_setup(struct kmem_cache *c, const char *name, size_t size,
		       size_t align, unsigned flags, void (*ctor)(void *))
{
	size_t i;

	memset(c, 0, sizeof(*c));
	if (!name || !size || (align & (align - 1)) || align > MM_PAGE_SIZE ||
	    size > SLAB_MAX_SIZE)
		return ERR_INVALID_ARGS;
	if (((flags & SLAB_DEBUG) || debug_default) && !(flags & SLAB_NO_DEBUG))
		flags |= SLAB_DEBUG;
	else
		flags &= ~SLAB_DEBUG;
	align = MAX(align, SLAB_MIN_ALIGN);
	if (flags & SLAB_HWCACHE_ALIGN)
		align = MAX(align, (size_t)SLAB_CACHE_LINE);
	c->c_flags = flags & ~SLAB_TILED;
	c->c_size = (unsigned)size;
	c->c_ctor = ctor;
	c->c_gfp = (flags & SLAB_CACHE_DMA) ? GFP_DMA : GFP_KERNEL;
	c->c_secret = mm_random();
	mm_lock_init(&c->c_lock, "slab cache", LOCK_ORDER_SLAB);
	list_init(&c->c_partial);
	list_init(&c->c_full);
	list_init(&c->c_empty);
	list_init(&c->c_quarantine);
	for (i = 0; i + 1 < SLAB_NAME_MAX && name[i]; i++)
		c->c_name[i] = name[i];
	compute_layout(c, size, align);
	if (!choose_order(c))
		return ERR_RANGE;
	set_tiled(c);
	slab_cpu_init(c);
	return 0;
}

/* Gives the cache its id and puts it on the list of caches, and its lock
 * on lockstat's; false when every id is taken.  id: a reserved id, or
 * SLAB_ID_ANY for a free one. */
static bool cache_link(struct kmem_cache *c, unsigned id)
{
	mm_irqflags_t flags = mm_lock(&slab_list_lock);

	if (id == SLAB_ID_ANY && !(id = __id_take())) {
		mm_unlock(&slab_list_lock, flags);
		return false;
	}
	c->c_id = id;
	c->c_key = SLAB_KEY(id);
	c->c_magic = SLAB_CACHE_LIVE;
	list_add_tail(&c->c_link, &slab_caches);
	mm_unlock(&slab_list_lock, flags);
	mm_lock_register(&c->c_lock_entry, &c->c_lock, c->c_name);
	return true;
}

/*
 * Calls fn(c, arg) for every cache, in list order, without the list lock
 * held (fn may make cross-CPU calls): each cache is pinned (c_users) while
 * fn runs on it and until the next one is found, so it stays on the list
 * and kmem_cache_destroy waits for it.  A cache made meanwhile is seen if
 * it comes later in the list (they are added at the tail).
 */
void slab_for_each_cache(void (*fn)(struct kmem_cache *c, void *arg), void *arg)
{
	struct kmem_cache *prev = NULL, *next;

	for (;;) {
		mm_irqflags_t flags = mm_lock(&slab_list_lock);
		struct list_node *pos = prev ? prev->c_link.next : slab_caches.next;

		next = pos != &slab_caches ? list_entry(pos, struct kmem_cache, c_link) : NULL;
		if (next)
			next->c_users++;
		if (prev)
			prev->c_users--;
		mm_unlock(&slab_list_lock, flags);
		if (!next)
			return;
		fn(next, arg);
		prev = next;
	}
}

/* --- reclaim before out of memory (mm/buddy_oom.c) --------------------- */

/* Every cache's free objects back to their slabs and every empty slab back
 * to the buddy. */
static unsigned long slab_reclaim(void)
{
	return kmem_shrink_all();
}

/* Keeps the three caches holding the most slab memory in best[]. */
static void rank_cache(struct kmem_cache *c, void *arg)
{
	struct slab_info *best = arg, si;
	unsigned long pages;

	kmem_cache_info(c, &si);
	pages = si.slabs * si.pages_per_slab;
	for (int i = 0; i < 3; i++) {
		if (pages > best[i].slabs * best[i].pages_per_slab) {
			for (int j = 2; j > i; j--)
				best[j] = best[j - 1];
			best[i] = si;
			break;
		}
	}
}

/* The three caches holding the most slab memory, for the report. */
static void slab_oom_report(void)
{
	struct slab_info best[3] = { { 0 } };

	slab_for_each_cache(rank_cache, best);
	mm_printf("  biggest caches:");
	for (int i = 0; i < 3 && best[i].name; i++)
		mm_printf(" %s %lu KiB (%lu objects in use)", best[i].name,
			  best[i].slabs * best[i].pages_per_slab * (MM_PAGE_SIZE / 1024),
			  best[i].active_objs);
	mm_printf("\n");
}

static const struct buddy_reclaimer slab_reclaimer = {
	.reclaim = slab_reclaim,
	.report = slab_oom_report,
};

bool slab_init(bool debug)
{
	if (slab_cache_cache.c_magic == SLAB_CACHE_LIVE) {
		mm_report_call(REPORT_INVALID_ARG, 0, "slab_init", MM_CALLER(),
			       "called again: the slab layer is up already (refused)");
		return false;
	}
	debug_default = debug;
	buddy_set_reclaim(&slab_reclaimer);
	mm_failinject_on_arm(slab_failinject_armed);
	slab_cpu_setup();
	/* Its constructor makes every slot a dead cache (mm/slab_handle.c). */
	if (cache_setup(&slab_cache_cache, "kmem_cache", sizeof(struct kmem_cache),
			0, SLAB_HWCACHE_ALIGN, slab_cache_ctor) == 0)
		cache_link(&slab_cache_cache, SLAB_ID_CACHES);
	slab_cpu_setup_magazines();
	return true;
}

/* Sets *cp up; 0, or ERR_RANGE when no slab holds an object, ERR_BUSY
 * when every cache id is taken, ERR_NO_MEMORY (*cp NULL each time). */
static int cache_create(struct kmem_cache **cp, const char *name, size_t size,
			size_t align, unsigned flags, void (*ctor)(void *obj),
			unsigned id)
{
	struct kmem_cache *c = kmem_cache_alloc(&slab_cache_cache, GFP_KERNEL);
	int err;

	*cp = NULL;
	if (!c)
		return ERR_NO_MEMORY;
	err = cache_setup(c, name, size, align, flags, ctor);
	if (!err && !cache_link(c, id)) {
		slab_cpu_fini(c);
		err = ERR_BUSY;
	}
	if (err) {
		slab_cache_ctor(c); /* back in its constructed, dead state */
		kmem_cache_free(&slab_cache_cache, c);
		return err;
	}
	*cp = c;
	return 0;
}

struct kmem_cache *__kmem_cache_create(const char *name, size_t size,
				       size_t align, unsigned flags,
				       void (*ctor)(void *obj), unsigned id)
{
	struct kmem_cache *c;

	cache_create(&c, name, size, align, flags, ctor, id);
	return c;
}

STATIC_ASSERT(SLAB_NAME_MAX == 24, "kmem_cache_create's report prints %.23s");

/* What is wrong with kmem_cache_create's arguments, or NULL. */
static const char *create_args_wrong(const char *name, size_t size,
				     size_t align, unsigned flags)
{
	if (!name)
		return "a NULL name";
	if (!name[0])
		return "an empty name";
	if (!size)
		return "size 0";
	if (size > SLAB_MAX_SIZE)
		return "an object larger than the largest slab (4 MiB)";
	if (align & (align - 1))
		return "an alignment that is not a power of two";
	if (align > MM_PAGE_SIZE)
		return "an alignment above the page size";
	if (flags & ~SLAB_CREATE_FLAGS)
		return "flags that are not SLAB_HWCACHE_ALIGN, SLAB_DEBUG, SLAB_NO_DEBUG or SLAB_CACHE_DMA";
	if ((flags & SLAB_DEBUG) && (flags & SLAB_NO_DEBUG))
		return "both SLAB_DEBUG and SLAB_NO_DEBUG";
	return NULL;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned flags,
				     void (*ctor)(void *obj))
{
	uintptr_t caller = MM_CALLER();
	const char *why = create_args_wrong(name, size, align, flags);
	struct kmem_cache *c;

	if (!why && cache_create(&c, name, size, align, flags, ctor,
				 SLAB_ID_ANY) == ERR_RANGE)
		why = "an object that no slab of up to 2^10 frames holds with its debug areas";
	if (why) {
		mm_report_call(REPORT_INVALID_ARG, size, "kmem_cache_create", caller,
			       "\"%.23s\" (size %lu, align %lu, flags %#x): %s",
			       name ? name : "(null)",
			       (unsigned long)size, (unsigned long)align, flags, why);
		return NULL;
	}
	return c;
}

/* --- shrinking and destruction -------------------------------------------- */

/* Gives back c's empty slabs (its arrays and depot already drained). */
static unsigned long release_empty(struct kmem_cache *c)
{
	unsigned long frames = 0;

	for (;;) {
		mm_irqflags_t flags = mm_lock(&c->c_lock);
		struct page *page;

		if (list_empty(&c->c_empty)) {
			mm_unlock(&c->c_lock, flags);
			return frames;
		}
		page = list_first_entry(&c->c_empty, struct page, lru);
		list_del(&page->lru);
		c->c_nr_empty--;
		c->c_slabs--;
		mm_unlock(&c->c_lock, flags);
		release_slab(c, page);
		frames += 1ul << c->c_order;
	}
}

/* kmem_cache_shrink without the handle check (reclaim, destroy). */
static unsigned long __kmem_cache_shrink(struct kmem_cache *c)
{
	__kmem_cache_drain(c);
	return release_empty(c);
}

unsigned long kmem_cache_shrink(struct kmem_cache *c)
{
	if (!slab_cache_check_handle(c, "kmem_cache_shrink", MM_CALLER()))
		return 0;
	return __kmem_cache_shrink(c);
}

static void shrink_one(struct kmem_cache *c, void *frames)
{
	if (c != slab_magazine_cache())
		*(unsigned long *)frames += __kmem_cache_shrink(c);
}

unsigned long kmem_shrink_all(void)
{
	unsigned long frames = 0;

	slab_for_each_cache(shrink_one, &frames);
	/* last: the depots drained above gave their magazines back to it */
	if (slab_magazine_cache())
		frames += __kmem_cache_shrink(slab_magazine_cache());
	return frames;
}

/* The caches the allocator keeps for itself: never destroyed. */
static const char *cache_own(const struct kmem_cache *c)
{
	if (c == &slab_cache_cache)
		return "the cache of caches";
	if (c->c_flags & SLAB_KMALLOC)
		return "a kmalloc size class";
	if (c == slab_magazine_cache())
		return "the depots' magazines";
	return NULL;
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	uintptr_t caller = MM_CALLER();
	mm_irqflags_t flags;

	if (!slab_cache_check_handle(c, "kmem_cache_destroy", caller))
		return ERR_INVALID_ARGS;
	if (cache_own(c)) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)c, "kmem_cache_destroy", caller,
			       "cache %s is the allocator's own (%s): it is never destroyed",
			       c->c_name, cache_own(c));
		return ERR_INVALID_ARGS;
	}
	__kmem_cache_shrink(c);
	flags = mm_lock(&slab_list_lock);
	while (c->c_users) { /* kmem_shrink_all is on it: wait */
		mm_unlock(&slab_list_lock, flags);
		flags = mm_lock(&slab_list_lock);
	}
	if (c->c_active || c->c_slabs || c->c_nr_quarantined) {
		unsigned long active = c->c_active, slabs = c->c_slabs;
		unsigned long quarantined = c->c_nr_quarantined;
		mm_unlock(&slab_list_lock, flags);
		mm_report(REPORT_IN_USE, (uintptr_t)c,
			  "cache %s still has %lu live object(s) in %lu slab(s) and %lu quarantined slab(s): not destroyed",
			  c->c_name, active, slabs, quarantined);
		return ERR_BUSY;
	}
	list_del(&c->c_link);
	if (c->c_id >= SLAB_ID_FIRST_FREE)
		__id_put(c->c_id);
	mm_unlock(&slab_list_lock, flags);
	mm_lock_unregister(&c->c_lock_entry); /* no lockstat reads it now */
	slab_cpu_fini(c);
	slab_cache_kill(c); /* recognisably dead until its slot is reused */
	kmem_cache_free(&slab_cache_cache, c);
	return 0;
}

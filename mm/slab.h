/*
 * Object caches (Bonwick's slab allocator, SLUB's bookkeeping): a cache
 * hands out objects of one size, carved from slabs of 2^order frames taken
 * from the buddy allocator.  See mm/slab.c for the theory of operation.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "mm/page.h"
#include "mm/gfp.h"

/* kmem_cache_create flags */
#define SLAB_HWCACHE_ALIGN 0x01u /* align objects to SLAB_CACHE_LINE bytes */
#define SLAB_DEBUG 0x02u /* red zones, poison, owner tracking (forced on) */
#define SLAB_NO_DEBUG 0x04u /* never debug, even when slab debugging is on */
#define SLAB_CACHE_DMA 0x08u /* slabs from ZONE_DMA (below 16 MiB) */
#define SLAB_KMALLOC 0x10u /* a kmalloc size class (kfree accepts it) */
/* The flags kmem_cache_create takes (SLAB_KMALLOC is kmalloc's own). */
#define SLAB_CREATE_FLAGS (SLAB_HWCACHE_ALIGN | SLAB_DEBUG | SLAB_NO_DEBUG | SLAB_CACHE_DMA)

#define SLAB_CACHE_LINE 64 /* bytes; also the colour step */
#define SLAB_MIN_ALIGN sizeof(void *) /* objects are at least word aligned */
#define SLAB_NAME_MAX 24 /* bytes, with the terminating NUL */
#define SLAB_EMPTY_MAX 1 /* empty slabs a cache keeps for reuse */
#define SLAB_MAX_ORDER 4 /* largest slab tried for Bonwick's 1/8 bound */
#define SLAB_MAX_SIZE ((size_t)MM_PAGE_SIZE << (MAX_ORDER - 1)) /* largest object */

/* Debug patterns. */
#define SLAB_POISON_FREE 0x6b /* bytes of a free object */
#define SLAB_RED_BYTE 0xcc /* bytes of a red zone */

struct kmem_cache;

/* Whether caches created without SLAB_DEBUG or SLAB_NO_DEBUG debug (set
 * once by kmem_init from the boot options). */
bool slab_debug_enabled(void);

/*
 * Creates a cache of objects of `size` bytes aligned to `align` (0: word
 * alignment; a power of two up to MM_PAGE_SIZE), with `flags` above.
 * `ctor`, if not NULL, runs on every object once, when its slab is made;
 * objects are expected back in their constructed state (no poisoning then).
 * The name is copied (cut to SLAB_NAME_MAX - 1 characters).  Returns the
 * cache, or NULL when out of memory (or every cache id is taken), and NULL
 * with one REPORT_INVALID_ARG naming the caller when an argument is
 * invalid: a NULL or empty name, size 0 or above SLAB_MAX_SIZE, align not
 * a power of two or above a page, flags outside SLAB_CREATE_FLAGS, both
 * SLAB_DEBUG and SLAB_NO_DEBUG, an object no slab holds with its debug
 * areas.  A constructor may have any size of object to build (its free
 * record lies after the object); one that writes past `size` is caught
 * only by slab debugging's red zones.  Process context.
 *
 * Handles.  Every call below that takes a cache checks it (mm/slab_handle.c):
 * NULL, an address that is not a cache, a pointer into one, and a cache
 * that was destroyed are each one REPORT_BAD_HANDLE naming the call and
 * its caller, and the call is refused -- it returns NULL, 0, "(not a
 * cache)" or ERR_INVALID_ARGS as said -- changing nothing.  A destroyed
 * cache is recognised as long as its slot in the cache of caches is not
 * taken by a new cache: then the old handle is the new cache.  The fast
 * paths of kmem_cache_alloc and kmem_cache_free read the handle before any
 * check: there a pointer to unmapped memory faults, and a slot whose
 * memory went back to the buddy and was reused is not recognised.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned flags,
				     void (*ctor)(void *obj));

/*
 * Destroys an empty cache: its slabs go back to the buddy and the cache
 * itself is freed (marked dead: see "Handles" above).  A cache that still
 * has live objects is reported (REPORT_IN_USE, with the count), only
 * its empty slabs are released, and ERR_BUSY is returned; the cache stays
 * usable.  A bad handle (a second destroy among them), the cache of caches
 * and a kmalloc size class are refused with ERR_INVALID_ARGS.  0 on success.
 */
int kmem_cache_destroy(struct kmem_cache *cache);

/*
 * An object from the cache, or NULL when no memory is left.  __GFP_ZERO
 * zeroes the object (this defeats a constructor); __GFP_DMA/__GFP_HIGHMEM
 * are ignored (the cache decides where its slabs live).  A bad handle, or
 * gfp bits outside __GFP_BITS, is reported and NULL returned.  Any context.
 */
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);

/*
 * Gives an object back, in its constructed state if the cache has a
 * constructor.  NULL is ignored.  A pointer that is not a live object of
 * this cache is reported (foreign, wrong cache, interior, double free) and
 * nothing is changed; so is a bad handle.  Any context.
 */
void kmem_cache_free(struct kmem_cache *cache, void *obj);

/* Gives the free objects cached in front of the slabs back to their slabs,
 * so that the slab lists say exactly which slabs are empty (shrink and
 * destroy do it first). */
void kmem_cache_drain(struct kmem_cache *cache);

/* Gives back the cache's quarantined slabs that have nothing in use (see
 * mm/slab.c, 9: their memory is otherwise never reused); the number of
 * frames released.  For tests, and for someone who has looked. */
unsigned long kmem_cache_release_quarantine(struct kmem_cache *cache);

/* Returns every empty slab of the cache to the buddy; the number of frames
 * released.  kmem_shrink_all does it for every cache. */
unsigned long kmem_cache_shrink(struct kmem_cache *cache);
unsigned long kmem_shrink_all(void);

/* --- introspection ------------------------------------------------------ */

struct slab_info {
	const struct kmem_cache *cache;
	const char *name;
	unsigned long active_objs, total_objs;
	unsigned object_size; /* as created */
	unsigned stride; /* bytes per object slot, debug areas included */
	unsigned objs_per_slab, pages_per_slab;
	unsigned long slabs, partial_slabs, full_slabs, empty_slabs;
	unsigned long quarantined_slabs; /* out of service (mm/slab.c, 9) */
	unsigned long array_objs; /* free objects in the CPUs' arrays */
	unsigned long depot_objs; /* free objects in the depot's magazines */
	unsigned long depot_magazines; /* magazines in the depot, full or empty */
	unsigned array_limit; /* objects a CPU's array holds (0: no arrays) */
	unsigned long lock_acquired; /* of the cache's lock, since boot */
	unsigned long lock_waits; /* of those, how many waited for another CPU */
	unsigned waste_permille; /* per slab: bytes not holding objects */
	unsigned flags;
};

void kmem_cache_info(const struct kmem_cache *cache, struct slab_info *out);

/*
 * A cache's per-CPU arrays hold about 8 KiB of objects, 2 to 32 of them
 * (mm/slab.c, 6).  kmem_cache_set_array_limit gives a cache's arrays
 * another limit, SLAB_MAG_LIMIT_MIN..MAX (Linux's slabinfo tunables):
 * every CPU's arrays and the depot are drained into the slabs, and take
 * it.  A bad handle, a cache without arrays (a debug cache) or a limit out
 * of range is reported and refused (-1); 0 when set.  With interrupts on.
 */
#define SLAB_MAG_LIMIT_MIN 1u
#define SLAB_MAG_LIMIT_MAX 32u
int kmem_cache_set_array_limit(struct kmem_cache *cache, unsigned limit);
/* Switches every cache's per-CPU arrays off (each allocation and free
 * straight to the slabs, under the cache's lock) or back on, on every
 * CPU: for the scaling benchmarks, which show what the arrays buy.  With
 * interrupts on. */
void slab_set_arrays(bool on);
/* Fills up to max entries, one per cache; returns the number of caches. */
unsigned slab_get_info(struct slab_info *out, unsigned max);
const char *kmem_cache_name(const struct kmem_cache *cache);
/* The size of the cache's objects as created. */
unsigned kmem_cache_size(const struct kmem_cache *cache);

/* Prints /proc/slabinfo's essentials, one line per cache. */
void slab_print_info(void);

/*
 * The invariant checkers: lists agree with each slab's use count, free
 * lists stay inside their slab and have the right length, counters add up;
 * in debug caches, free objects keep their poison and every red zone is
 * intact.  Return the number of problems (each reported).
 */
unsigned kmem_cache_check(struct kmem_cache *cache);
unsigned slab_check(void);

/*
 * Where an address lies, for whatis and for kmalloc: the cache and the
 * start of the object containing addr, or NULL if addr is not inside a slab.
 */
struct kmem_cache *slab_find_object(const void *addr, void **start);
/* Whether the object starting at obj is free (on its slab's free list). */
bool kmem_object_is_free(const struct kmem_cache *c, const void *obj);
/* The callers of the last allocation and free of the object starting at
 * obj (0 where there was none); false if the cache keeps no records (it
 * is not a debug cache). */
bool kmem_object_callers(const struct kmem_cache *c, const void *obj,
			 uintptr_t *alloc_by, uintptr_t *free_by);

/* --- for kmalloc (mm/kmalloc.c) ------------------------------------------ */

/* Allocation and free on behalf of `caller`, with the requested size
 * (debug caches treat the bytes from req to the object's end as red zone). */
void *__kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp, size_t req,
			 uintptr_t caller);
void __kmem_cache_free(struct kmem_cache *cache, void *obj, uintptr_t caller);
/* Debug caches: grows an object's requested size up to the object size,
 * checking and clearing the red zone it gives up. */
void __kmem_cache_resize(struct kmem_cache *cache, void *obj, size_t req);
/* The requested size of a live object (the object size without debug). */
size_t __kmem_cache_req_size(struct kmem_cache *cache, const void *obj);

/* Creates the cache of caches; before any kmem_cache_create.  Once: a
 * second call is refused with a REPORT_INVALID_ARG (false). */
bool slab_init(bool debug);

#endif

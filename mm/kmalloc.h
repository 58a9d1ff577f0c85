/*
 * kmalloc: memory by the byte, from segregated size classes (one slab cache
 * per size, 8 to 4096 bytes: four steps between each power of two and the
 * next from 128 to 512, page fractions above) and, above that, straight
 * from the buddy allocator.  See mm/kmalloc.c.
 */
#ifndef MM_KMALLOC_H
#define MM_KMALLOC_H

#include "mm/gfp.h"
#include "lib/compiler.h"

#define KMALLOC_MIN_SIZE 8
#define KMALLOC_MAX_CACHE_SIZE 4096 /* larger requests go to the buddy */
#define KMALLOC_NR_CLASSES 22
#define KMALLOC_MIN_ALIGN 8 /* every kmalloc pointer is 8-byte aligned */
/* The largest request: the largest buddy block (4 MiB). */
#define KMALLOC_MAX_SIZE ((size_t)4096 << 10)

struct kmem_cache;

/*
 * Creates the cache of caches and the kmalloc size classes; debug turns on
 * red zones and poisoning in every cache created from now on.  Once, at
 * boot, before any other slab function (a second call is refused with a
 * report: slab_init's).
 */
void kmem_init(bool debug);

/*
 * At least `size` bytes, aligned to KMALLOC_MIN_ALIGN (and, without
 * debugging, to the size class when it is a power of two), or NULL when
 * out of memory.  Refused with NULL and one REPORT_INVALID_ARG naming the
 * caller: gfp bits outside __GFP_BITS, and a size above KMALLOC_MAX_SIZE
 * (that one without a report under __GFP_NOWARN).  kmalloc(0)
 * returns a distinct pointer to no usable bytes, which kfree accepts.
 * __GFP_ZERO zeroes the whole usable size (ksize).  __GFP_DMA is honoured
 * only for the large (buddy) sizes; __GFP_HIGHMEM is ignored.  Any context.
 */
void *kmalloc(size_t size, gfp_t gfp);
/* kmalloc with __GFP_ZERO. */
void *kzalloc(size_t size, gfp_t gfp);

/*
 * Frees a kmalloc pointer; NULL is ignored.  Anything else -- a pointer
 * kmalloc did not return, an interior pointer, an object of a cache that is
 * not a kmalloc class, a double free -- is reported and nothing changes.
 */
void kfree(const void *p);

/*
 * The usable size of a kmalloc block: the size class (or the buddy block)
 * it came from.  The caller may use all of it; under debugging, the red
 * zone between the requested size and the class size is given up (checked
 * and zeroed).  0 for NULL, and 0 with a report for a pointer kmalloc did
 * not return or an object that was freed (REPORT_BAD_HANDLE).
 */
size_t ksize(const void *p);

/*
 * Resizes a kmalloc block: in place when the new size fits its usable
 * size, else a new block with the old contents (up to the smaller size)
 * and the old block freed.  krealloc(NULL, n) is kmalloc(n); krealloc(p, 0)
 * frees p and returns NULL.  On failure returns NULL and p is untouched;
 * so it does, with a report, for bad gfp bits or new_size (as kmalloc),
 * and for a p that kfree would refuse or that was freed.
 */
void *krealloc(const void *p, size_t new_size, gfp_t gfp);

/* The cache of size class i (0..KMALLOC_NR_CLASSES-1), its object size,
 * and the class kmalloc(size) uses (-1 above KMALLOC_MAX_CACHE_SIZE). */
struct kmem_cache *kmalloc_cache(unsigned i);
unsigned kmalloc_class_size(unsigned i);
int kmalloc_index(size_t size);

/* Large blocks currently handed out. */
unsigned long kmalloc_large_blocks(void);

/* The checker of the large blocks: with slab debugging, the bytes between
 * each one's request and its end are intact red zone.  The number of
 * problems (each reported, and repaired). */
unsigned kmalloc_check(void);

#endif

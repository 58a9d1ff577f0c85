/*
 * Private to mm/slab*.c and mm/kmalloc.c (through mm/slab_internal.h): the
 * free records (mm/slab.c, 3) -- the mark a free object carries, the
 * debug record, the encoded free-list link -- and the checked step along
 * a slab's free list that the hardened walks are made of (mm/slab.c, 9;
 * mm/slab_harden.c).  See mm/slab.c for the theory of operation.
 */
#ifndef MM_SLAB_RECORD_H
#define MM_SLAB_RECORD_H

#include "mm/slab_layout.h"

/*
 * The free record (mm/slab.c, 3): what a free object holds at c_fp -- its
 * first words without a constructor, the words after it with one, and
 * the object's record in the slab's record array when debugging.
 */
struct slab_free_rec {
	uintptr_t f_mark; /* SLAB_MARK_* */
	uintptr_t f_link; /* on a slab's free list: the next one, encoded */
};

/* The marks of a free object (mm/platform_fast.h's), which differ in bit 0
 * only, so that one comparison says "free, wherever it is". */
#define SLAB_MARK_ON_SLAB MM_MARK_ON_LIST /* on its slab's free list */
#define SLAB_MARK_IN_ARRAY MM_MARK_IN_ARRAY /* in the cache's array */
#define SLAB_MARK_LIVE 0x11FE11FEu /* debug records: handed out */

static inline bool slab_mark_free(uintptr_t mark)
{
	return (mark | 1) == SLAB_MARK_IN_ARRAY;
}

/*
 * A debug object's record, in an array at the start of its slab (one per
 * object, in object order), out of reach of any overflow from an object.
 * t_check seals the fields callers are read from; a record whose seal is
 * broken is reported and never trusted.
 */
struct slab_track {
	struct slab_free_rec t_free; /* mark: ON_SLAB while free, LIVE in use */
	uintptr_t t_alloc_by; /* caller of the last allocation */
	uintptr_t t_free_by; /* caller of the last free */
	uint32_t t_req; /* bytes requested (kmalloc), <= c_size */
	uint32_t t_check; /* slab_track_seal() of the fields above */
};

/* --- an object's index and record, the encoded links -------------------- */

/* The index of obj in the slab whose first object is at `first`, or -1
 * when obj is not the start of an object slot there: the offset from the
 * first object times the inverse of the stride's odd part, rotated right
 * by the stride's power of two, is the index when the offset is a multiple
 * of the stride, and at least 2^32 / stride when it is not. */
static __always_inline long slab_index_at(const struct kmem_cache *c,
					  uintptr_t first, const void *obj)
{
	uintptr_t off = (uintptr_t)obj - first;
	uint32_t q = (uint32_t)off * c->c_div_inv;

	q = (q >> c->c_div_shift) | (q << (-c->c_div_shift & 31));
	if (off >= c->c_span || q >= c->c_per_slab)
		return -1;
	return (long)q;
}

static __always_inline long slab_index(const struct kmem_cache *c,
				       const struct page *page, const void *obj)
{
	return slab_index_at(c, slab_first_obj(c, page), obj);
}

/* The debug record of the object at index i of slab page. */
static inline struct slab_track *slab_track_at(const struct page *page, long i)
{
	return (struct slab_track *)lowmem_page_address(page) + i;
}

/* The free record of obj, an object of a cache without debugging (the
 * only caches with an array). */
static __always_inline struct slab_free_rec *
slab_obj_rec(const struct kmem_cache *c, void *obj)
{
	return (struct slab_free_rec *)((uintptr_t)obj + c->c_fp);
}

/* The free record of obj, which must be an object of slab page. */
static __always_inline struct slab_free_rec *
slab_free_rec(const struct kmem_cache *c, const struct page *page, void *obj)
{
	if (cache_debug(c))
		return &slab_track_at(page, slab_index(c, page, obj))->t_free;
	return slab_obj_rec(c, obj);
}

/* A free-list link is stored as the next object's address XOR the cache's
 * secret XOR the link's own address (Linux's hardened free lists), so that
 * a stray write does not make a plausible pointer. */
static inline uintptr_t slab_link_encode(const struct kmem_cache *c,
					 const void *next, const uintptr_t *where)
{
	return (uintptr_t)next ^ c->c_secret ^ (uintptr_t)where;
}

static inline void *slab_link_decode(const struct kmem_cache *c,
				     const uintptr_t *where)
{
	return (void *)(*where ^ c->c_secret ^ (uintptr_t)where);
}

/* Whether p is an object of the slab whose first object is at `first`:
 * for a tiled cache a mask, for the others slab_index_at. */
static __always_inline bool slab_is_obj_at(const struct kmem_cache *c,
					   uintptr_t first, const void *p)
{
	if (c->c_flags & SLAB_TILED)
		return (uintptr_t)p - first < c->c_span &&
		       !((uintptr_t)p & c->c_start_mask);
	return slab_index_at(c, first, p) >= 0;
}

/*
 * A slab's free list is built lazily (mm/slab.c, 3): an entry with bit 0
 * set -- a "fresh run" -- stands for that object and every object after it
 * in the slab, none of them ever handed out.  A new slab's list is one
 * fresh run; freed objects are linked in front of it.
 */
#define SLAB_FRESH ((uintptr_t)1)

static inline void *slab_entry_obj(uintptr_t entry)
{
	return (void *)(entry & ~SLAB_FRESH);
}

/* Not an entry: what slab_list_step returns for a broken step. */
#define SLAB_BAD_STEP ((uintptr_t)2)

/*
 * One step along a slab's free list (lock held): from the entry `entry`,
 * whose object's record is r and after which `left` free objects remain,
 * to the next entry -- 0 at the end -- or SLAB_BAD_STEP, with *why, when
 * the list is not sound: the record's mark must say "on the list"; a fresh
 * run goes on to the next object of the slab (first: its first object);
 * a link must decode to an object of the same slab (a fresh run or not);
 * and the list ends exactly when no free object is left.  The next
 * object's own mark is checked when it is taken in its turn.
 */
static __always_inline uintptr_t slab_list_step(const struct kmem_cache *c,
						uintptr_t first, uintptr_t entry,
						const struct slab_free_rec *r,
						unsigned left, const char **why)
{
	uintptr_t next;

	if (unlikely(r->f_mark != SLAB_MARK_ON_SLAB)) {
		*why = "its free mark is overwritten";
		return SLAB_BAD_STEP;
	}
	if (entry & SLAB_FRESH) {
		next = entry + c->c_stride;
		if ((next & ~SLAB_FRESH) - first >= c->c_span)
			next = 0;
	} else {
		next = (uintptr_t)slab_link_decode(c, &r->f_link);
		if (next && unlikely(!slab_is_obj_at(c, first, slab_entry_obj(next)))) {
			*why = "its free-list link leads outside the slab's objects";
			return SLAB_BAD_STEP;
		}
	}
	if (likely(!next == !left))
		return next;
	*why = left ? "its free list ends before its free objects do"
		    : "its free list runs past the slab's free objects";
	return SLAB_BAD_STEP;
}

#endif

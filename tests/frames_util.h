/* Self-test helpers: running the buddy allocator dry and refilling it. */
#ifndef TESTS_FRAMES_UTIL_H
#define TESTS_FRAMES_UTIL_H

#include "mm/buddy.h"

/*
 * Allocates blocks of decreasing order until nothing is left for gfp,
 * chaining them on `taken` through page->lru (an allocated block's links are
 * its owner's).  Returns the number of frames taken.
 */
unsigned long frames_take_all(gfp_t gfp, struct list_node *taken);
/* Whether a frame of gfp cannot be had; one that can is given back (a
 * test that expected none leaks nothing when it fails). */
bool frames_none_left(gfp_t gfp);
/* Frees every block frames_take_all put on `taken`. */
void frames_give_back(struct list_node *taken);
/* Free frames once every slab cache has given back its empty slabs: what a
 * test compares before and after, so that a cache's spare slab (an address
 * space's, a task's) is not mistaken for a leak. */
unsigned long frames_free_settled(void);

/* Fills every byte of the 2^order frames at p (HIGHMEM too) with `byte`. */
void frames_fill(struct page *p, unsigned order, uint8_t byte);
/* Whether every word of the 2^order frames at p is zero. */
bool frames_all_zero(struct page *p, unsigned order);

/*
 * Makes the next n single-frame allocations provably dirty: allocates n
 * lowmem frames into pages[], fills them with FRAMES_DIRTY, takes every
 * other free frame of every zone onto `taken` and frees the n again, so
 * that they are all the buddy has left.  A test of zeroing then cannot
 * pass on a frame that happened to be zero already.  False if n frames
 * cannot be had (nothing is taken then) or if more than the n are still
 * free.  Undo with frames_give_back(taken) either way.
 */
#define FRAMES_DIRTY 0xA5
bool frames_leave_dirty(struct page **pages, unsigned n, struct list_node *taken);

/*
 * One frame above the direct map (HIGHMEM), for a kmap test; NULL when
 * there is none, after skipping the test ("no HIGHMEM at this memory
 * size", proven: all RAM lies in the direct map) or failing it.
 */
struct page *frames_highmem_page(void);

/*
 * A few tests need more than a machine under 16 MiB has -- a free 4 MiB
 * block, a thousand frames -- and skip there with this reason followed by
 * ": needs " and how much (tests/testrun/common.py allows it only under
 * 16 MiB, and only saying how much); on 16 MiB and more they must run.
 * A test that ran out part way is skipped with it too (tests/ktest.c).
 */
#define SMALL_MACHINE_REASON "under 16 MiB of RAM: too small for this test"
#define SMALL_NEEDS_4MIB_BLOCK SMALL_MACHINE_REASON ": needs a free 4 MiB block"
bool frames_machine_small(void);

/* A test that needs a GFP_DMA frame skips with this reason when the DMA
 * zone has none free (boot modules can fill the first 16 MiB; the runner
 * allows it only on its run with a 50 MiB module, where it happens). */
#define DMA_FULL_REASON "no free frame in the DMA zone (boot modules fill it)"

#endif

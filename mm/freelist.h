/*
 * mm/freelist: a general-purpose heap of variable-size chunks on a free list,
 * the textbook allocator (OSTEP ch. 17, K&R 8.7, Linux's SLOB), with the
 * four classic fit policies.  See mm/freelist.c for the theory of operation.
 *
 * Sizes.  Every size this interface takes or returns is a number of *usable*
 * bytes: what the caller may write, not counting the chunk's header.  A chunk
 * occupies FREELIST_HDR_SIZE + size bytes (its footprint), and size is a
 * multiple of FREELIST_ALIGN no smaller than FREELIST_MIN_SIZE.
 *
 * The textbook examples ignore headers.  They come out exact when read in
 * footprints: splitting a free chunk of footprint S for a request of
 * freelist_request_for(R) usable bytes (footprint R) leaves footprint S - R
 * ("20 - 15 leaves 5"), and merging chunks of footprints A and B gives A + B
 * ("10 + 10 = 20"), because the header of the chunk absorbed becomes payload.
 * Counted in usable bytes, a split costs a header and a merge gains one.
 */
#ifndef MM_FREELIST_H
#define MM_FREELIST_H

#include "lib/types.h"
#include "lib/list.h"
#include "mm/platform.h"

#define FREELIST_ALIGN 8u /* payloads and sizes are multiples of this */
#define FREELIST_HDR_SIZE 8u /* the header before every chunk */
/* A free chunk keeps its list links in its own payload. */
#define FREELIST_MIN_SIZE \
	((size_t)ALIGN_UP(sizeof(struct list_node), (size_t)FREELIST_ALIGN))

/* The usable size to ask for so that the chunk, header included, is `chunk`
 * bytes (chunk a multiple of FREELIST_ALIGN above FREELIST_HDR_SIZE). */
#define freelist_request_for(chunk) ((size_t)(chunk) - FREELIST_HDR_SIZE)

enum freelist_policy {
	FREELIST_FIRST_FIT, /* the first chunk in address order that fits */
	FREELIST_NEXT_FIT, /* the same, from where the last search stopped */
	FREELIST_BEST_FIT, /* the smallest chunk that fits (lowest address on ties) */
	FREELIST_WORST_FIT, /* the largest chunk (lowest address on ties) */
	FREELIST_POLICY_COUNT
};

/*
 * Where a heap gets memory when nothing fits.  get_pages returns the address
 * of at least *pages contiguous, page-aligned, writable pages and sets *pages
 * to the number it really gave (it may round up), or returns NULL.  put_pages
 * takes back exactly what one get_pages gave.  Both are called with the
 * heap's interrupts-off section held.
 */
struct freelist_page_source {
	void *(*get_pages)(void *ctx, size_t *pages);
	void (*put_pages)(void *ctx, void *addr, size_t pages);
	void *ctx;
};

struct freelist_region;

/* A heap.  The members are the allocator's; read them through the
 * functions below. */
struct freelist {
	const char *fl_name;
	enum freelist_policy fl_policy;
	struct list_node fl_free; /* free chunks, in address order */
	struct list_node *fl_cursor; /* next fit: where to resume; NULL: start */
	struct freelist_region *fl_regions; /* in address order */
	const struct freelist_page_source *fl_source; /* NULL: cannot grow */
	size_t fl_bytes_free, fl_bytes_used; /* usable bytes */
	size_t fl_free_chunks, fl_used_chunks;
	size_t fl_nr_regions, fl_pages; /* pages held from the source */
	mm_lock_t fl_lock; /* everything above but the name and the source */
	mm_lock_entry_t fl_lock_entry; /* fl_lock on lockstat's list */
};

/*
 * Makes an empty heap.  name appears in every report about it and must
 * outlive the heap.  source may be NULL: the heap then has only the memory
 * given by freelist_add_buffer and never grows.  The heap's lock is listed
 * by lockstat (under name) until freelist_destroy, so destroy a heap
 * before its memory is freed; setting up a heap twice lists it once.  Any
 * context.
 *
 * Misuse.  Every call below reports a NULL heap (REPORT_BAD_HANDLE, naming
 * the call and its caller) and is refused: it returns false, NULL, 0 (1
 * from freelist_check) or nothing.  A heap is the caller's own structure,
 * so nothing else about the handle can be checked; a destroyed heap is an
 * empty one, usable again.  Here, a policy that does not exist makes the
 * heap first fit, a NULL name "(unnamed)", and a source without both
 * functions no source, each with a REPORT_INVALID_ARG.
 */
void freelist_init(struct freelist *heap, const char *name,
		   enum freelist_policy policy,
		   const struct freelist_page_source *source);

/*
 * Adds the caller's buffer [buf, buf + len) to the heap as one region holding
 * one free chunk (a few bytes at the front hold the region's own record).
 * The buffer is never given back; it must outlive the heap.  Returns false,
 * changing nothing, if the buffer is too small for one chunk; and with a
 * REPORT_INVALID_ARG if it is NULL, wraps, is above 1 GiB or overlaps a
 * region of the heap (added twice).  A buffer given to two heaps cannot be
 * detected.
 */
bool freelist_add_buffer(struct freelist *heap, void *buf, size_t len);

/*
 * Returns a FREELIST_ALIGN-aligned pointer to at least size usable bytes
 * (the contents are not cleared), chosen by the heap's policy; grows the heap
 * from its page source when no free chunk fits.  Returns NULL, with the heap
 * unchanged, when size is 0 or nothing fits and the heap cannot grow.
 * Interrupt-safe.
 */
void *freelist_alloc(struct freelist *heap, size_t size);

/*
 * Frees a chunk returned by freelist_alloc of the same heap, merging it with
 * free neighbours on both sides; a region of the page source that becomes
 * wholly free goes back to the source.  NULL is ignored.  A pointer the heap
 * did not hand out (outside the heap, into the middle of a chunk, already
 * free, or with an overwritten header) is reported through mm_report and
 * the heap is left untouched.  Interrupt-safe.
 */
void freelist_free(struct freelist *heap, void *ptr);

/* The usable size of an allocated chunk (at least what was asked for); 0
 * for NULL.  It reads the header before ptr: a freed chunk's is a
 * REPORT_BAD_HANDLE and 0, a word that is no header a REPORT_BAD_MAGIC and
 * 0 (a pointer right after unmapped memory faults: there is no heap to
 * check it against). */
size_t freelist_usable_size(const void *ptr);

/*
 * Gives every region obtained from the page source back to it, empties
 * the heap and takes its lock off lockstat's list (freelist_init lists it
 * again); the heap's memory may then be freed.  Returns the number of
 * chunks still allocated (their memory is gone with their region); 0 for
 * a clean teardown.
 */
size_t freelist_destroy(struct freelist *heap);

/* A policy that does not exist is refused (REPORT_INVALID_ARG). */
void freelist_set_policy(struct freelist *heap, enum freelist_policy policy);
const char *freelist_policy_name(enum freelist_policy policy);

/* --- introspection and checks (mm/freelist_check.c) -------------------- */

size_t freelist_bytes_free(const struct freelist *heap);
size_t freelist_bytes_used(const struct freelist *heap);
size_t freelist_largest_free(const struct freelist *heap);
/* Chunks of both kinds in all regions. */
size_t freelist_chunk_count(const struct freelist *heap);
/* Copies the usable sizes of the free chunks, in list order, into out
 * (at most max of them); returns how many free chunks there are. */
size_t freelist_free_sizes(const struct freelist *heap, size_t *out,
			   size_t max);
/* Prints the free list: "heap: first fit: free 80 -> 240 -> 40 (...)". */
void freelist_print(const struct freelist *heap);

/*
 * Walks every chunk of every region: headers valid, chunks tiling each
 * region exactly, no two free chunks adjacent (they should have merged), the
 * free list holding exactly the free chunks in address order, the counters
 * agreeing.  Returns the number of problems, each reported as
 * REPORT_CORRUPTION.  Interrupt-safe; O(chunks).
 */
unsigned freelist_check(const struct freelist *heap);

/* --- the kernel's page source (mm/freelist_buddy.c, kernel only) -------- */

/* Whole buddy blocks of GFP_KERNEL pages, marked OWNER_FREELIST. */
extern const struct freelist_page_source freelist_buddy_source;

#endif

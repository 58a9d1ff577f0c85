/*
 * mm/freelist's private layout, shared by freelist.c (allocation),
 * freelist_heap.c (set-up, lent buffers, destruction) and freelist_check.c
 * (the checker and introspection).  Nobody else includes it.
 */
#ifndef MM_FREELIST_INTERNAL_H
#define MM_FREELIST_INTERNAL_H

#include "mm/freelist.h"

/* Requests above this are refused before any arithmetic can wrap. */
#define FREELIST_MAX_REQUEST ((size_t)1 << 30)

/* Header magic numbers: which kind of chunk follows. */
#define FREELIST_MAGIC_USED 0xA110C8EDu
#define FREELIST_MAGIC_FREE 0xF4EEC4E1u

/* The header in front of every chunk. */
struct freelist_hdr {
	uint32_t h_size; /* usable bytes after the header */
	uint32_t h_magic; /* FREELIST_MAGIC_USED or FREELIST_MAGIC_FREE */
};
STATIC_ASSERT(sizeof(struct freelist_hdr) == FREELIST_HDR_SIZE,
	      "FREELIST_HDR_SIZE is the header's size");

/* A free chunk: the header, then the free-list links in the payload. */
struct freelist_chunk {
	struct freelist_hdr c_hdr;
	struct list_node c_link;
};
STATIC_ASSERT(offsetof(struct freelist_chunk, c_link) == FREELIST_HDR_SIZE,
	      "the links live in the payload");

/* The record at the start of every region; chunks tile the rest. */
struct freelist_region {
	struct freelist_region *r_next; /* the next region up in memory */
	uintptr_t r_end; /* one past the last chunk byte */
	size_t r_pages; /* from the page source; 0: a caller's buffer */
};

#define FREELIST_REGION_HDR \
	ALIGN_UP(sizeof(struct freelist_region), (size_t)FREELIST_ALIGN)

static inline uintptr_t region_first(const struct freelist_region *r)
{
	return (uintptr_t)r + FREELIST_REGION_HDR;
}

static inline struct freelist_hdr *hdr_at(uintptr_t addr)
{
	return (struct freelist_hdr *)addr;
}

/* One past the chunk's last byte: where the next chunk's header starts. */
static inline uintptr_t hdr_end(const struct freelist_hdr *h)
{
	return (uintptr_t)h + FREELIST_HDR_SIZE + h->h_size;
}

static inline void *hdr_payload(struct freelist_hdr *h)
{
	return (char *)h + FREELIST_HDR_SIZE;
}

static inline struct freelist_chunk *link_chunk(struct list_node *n)
{
	return list_entry(n, struct freelist_chunk, c_link);
}

/* A header is believable if its magic is one of ours and the chunk it
 * describes lies inside the region with a well-formed size. */
static inline bool hdr_valid(const struct freelist_hdr *h,
			     const struct freelist_region *r)
{
	uintptr_t a = (uintptr_t)h;

	if (h->h_magic != FREELIST_MAGIC_USED &&
	    h->h_magic != FREELIST_MAGIC_FREE)
		return false;
	if (h->h_size < FREELIST_MIN_SIZE ||
	    !IS_ALIGNED(h->h_size, FREELIST_ALIGN))
		return false;
	return a + FREELIST_HDR_SIZE <= r->r_end &&
	       h->h_size <= r->r_end - a - FREELIST_HDR_SIZE;
}

static inline bool hdr_is_free(const struct freelist_hdr *h)
{
	return h->h_magic == FREELIST_MAGIC_FREE;
}

/*
 * The entry check of a public call on heap: false, with one
 * REPORT_BAD_HANDLE naming op and its caller, for a NULL heap (a heap is
 * the caller's own structure: anything else cannot be checked).
 */
bool freelist_heap_ok(const struct freelist *heap, const char *op, uintptr_t caller);

/* Makes [base, base + len) a region of heap with one free chunk, pages
 * from the page source (0: a caller's buffer), with fl_lock held; the
 * chunk, or NULL if the range is too small for one (nothing changed). */
struct freelist_chunk *freelist_region_setup(struct freelist *heap,
					     uintptr_t base, size_t len,
					     size_t pages);

#endif

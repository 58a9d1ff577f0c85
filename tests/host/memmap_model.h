/*
 * An independent judge of mm/memmap's results, for host tests and fuzz
 * targets.  It does not rebuild the usable ranges; it checks the properties
 * they must have, page by page over the segments where anything changes:
 *   shape       sorted, non-overlapping, page-aligned, non-empty, below 4 GiB
 *   soundness   no usable byte outside the available entries, none inside
 *               an entry that is not available (a wrapping one reaches to
 *               the top of the address space)
 *   complete    every page below 4 GiB wholly covered by available entries
 *               and touching no other entry is usable (unless entries were
 *               dropped, which memmap_build counts)
 * and, for bootmem_alloc, that a result is aligned, was usable, is usable
 * no more, is recorded as a reserved region, and that 0 means "nothing
 * fits" and changes nothing.
 */
#ifndef TESTS_HOST_MEMMAP_MODEL_H
#define TESTS_HOST_MEMMAP_MODEL_H

#include "mm/memmap.h"

/* Each returns true if all holds, else false with the reason in why. */
bool memmap_verify(const struct memmap *m, const struct memmap_entry *e,
		   unsigned n, char *why, size_t size);

/* Bytes of available RAM at or above 4 GiB, each byte counted once. */
uint64_t memmap_ref_above_limit(const struct memmap_entry *e, unsigned n);

struct bootmem_request {
	uint64_t size, align;
	paddr_t limit;
	const char *name;
};

/* Checks `got` = bootmem_alloc(after, r...) given the map before it. */
bool bootmem_verify(const struct memmap *before, const struct memmap *after,
		    const struct bootmem_request *r, paddr_t got, char *why,
		    size_t size);

#endif

/*
 * The firmware's memory map, sanitised: sorted, non-overlapping,
 * page-aligned usable ranges below 4 GiB, and the named reserved regions
 * carved out of them (the first MiB, the kernel image, the Multiboot
 * information and modules, bootmem allocations).
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include "lib/types.h"

#define MEMMAP_MAX 128
#define MEMMAP_LIMIT 0x100000000ULL /* 4 GiB: no PAE yet */

struct mem_range {
	paddr_t start, end; /* [start, end), page-aligned */
};

struct mem_region {
	paddr_t start, end;
	const char *name;
	int owner; /* enum page_owner for its frames */
};

struct memmap {
	struct mem_range usable[MEMMAP_MAX];
	unsigned nr_usable;
	struct mem_region reserved[MEMMAP_MAX];
	unsigned nr_reserved;
	uint64_t ignored_above_limit; /* bytes of RAM above 4 GiB */
	unsigned dropped; /* entries that could not be used (wrap, overflow) */
};

/* One entry of a firmware map as the boot loader gives it. */
struct memmap_entry {
	uint64_t base, length;
	bool available;
};

/*
 * Misuse: every call reports a NULL map (REPORT_BAD_HANDLE, the caller
 * named) and is refused (ERR_INVALID_ARGS, 0, NULL or nothing); each bad
 * argument below is one REPORT_INVALID_ARG with the error said.
 *
 * Builds the usable ranges from a firmware map: the union of the available
 * entries, shrunk to whole pages, minus every other entry (reserved wins
 * where they overlap), clipped at 4 GiB.  Entries that wrap are dropped.
 * Never fails; a map without usable RAM gives nr_usable == 0 (so does a
 * NULL table of n > 0 entries, reported).
 */
void memmap_build(struct memmap *m, const struct memmap_entry *e, unsigned n);

/*
 * Removes [start, end) (rounded out to pages) from the usable ranges and
 * records it as a named reserved region.  Returns 0, ERR_RANGE (reported)
 * if the range ends below its start or wraps, ERR_INVALID_ARGS (reported)
 * if owner is no enum page_owner, or ERR_NO_MEMORY if the tables are full
 * (the range is then still not usable: the usable range it would have
 * split loses its upper part).
 */
int memmap_reserve(struct memmap *m, paddr_t start, paddr_t end,
		   const char *name, int owner);

/*
 * Gives back the bootmem region that starts at `start`: its record goes and
 * its pages become usable again (merged with touching usable ranges), for
 * bootmem that is no longer needed once the buddy runs.  Returns 0,
 * ERR_NOT_FOUND if no region starts there, ERR_INVALID_ARGS if the region
 * is not bootmem (only bootmem is known to be RAM nothing else claims) --
 * both reported -- or ERR_NO_MEMORY if it touches no usable range and the
 * table is full (the region is then kept, unchanged).
 */
int memmap_release(struct memmap *m, paddr_t start);

/* Total usable bytes, and the end of the highest usable range. */
uint64_t memmap_usable_bytes(const struct memmap *m);
paddr_t memmap_top(const struct memmap *m);

/* The name of the reserved region containing pa, or NULL. */
const struct mem_region *memmap_find_reserved(const struct memmap *m, paddr_t pa);

/*
 * bootmem: the allocator before the buddy.  Takes `size` bytes aligned to
 * `align` (a power of two, at least a page) from the top of the highest
 * usable range that reaches below `limit` (the part below it), and reserves them under
 * `name` (owner OWNER_BOOTMEM), so that the buddy never sees them.
 * Returns the physical address, or 0 when nothing fits (frame 0 is never
 * handed out, so 0 is unambiguous); 0 with a report for size 0 or an
 * alignment that is not a power of two of at least a page.
 */
paddr_t bootmem_alloc(struct memmap *m, uint64_t size, uint64_t align,
		      paddr_t limit, const char *name);

void memmap_print(const struct memmap *m);

#endif

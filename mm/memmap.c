/*
 * Memory map sanitising and bootmem.
 *
 * Firmware maps are unsorted, may overlap, may repeat themselves, may
 * contain zero-length or wrapping entries and reserved holes inside
 * available ones.  memmap_build() treats them as sets of bytes:
 *   usable = (union of available entries, rounded inwards to pages)
 *            - (union of all other entries, rounded outwards to pages)
 * clipped to [0, 4 GiB).  All arithmetic is on 64-bit physical addresses
 * and every end is computed only after a wrap check, so a hostile map can
 * neither overflow nor produce an unaligned or overlapping range.
 *
 * bootmem is the simplest allocator that can work before the buddy: it cuts
 * an aligned piece off the top of a usable range and records it as a
 * reserved region; the buddy later manages what is left, and the reserved
 * region (the page array, early page tables) stays accounted for by name.
 */
#include "mm/memmap.h"
#include "mm/page.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "lib/errno.h"

#define PAGE_MASK64 ((uint64_t)MM_PAGE_SIZE - 1)

static void sort_ranges(struct mem_range *r, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct mem_range x = r[i];
		unsigned j = i;
		while (j > 0 && r[j - 1].start > x.start) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

/*
 * Sorts and merges overlapping or touching ranges in place.  Here `end` is
 * the LAST byte of a range (closed intervals): an entry may end exactly at
 * 2^64, which a 64-bit exclusive end cannot express.
 */
static unsigned merge_closed(struct mem_range *r, unsigned n)
{
	unsigned out = 0;

	sort_ranges(r, n);
	for (unsigned i = 0; i < n; i++) {
		/* touching: the next range starts at most one byte after the last
		 * one ends (a last byte of 2^64 - 1 swallows everything after) */
		if (out && (r[out - 1].end == UINT64_MAX || r[i].start <= r[out - 1].end + 1)) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
		} else {
			r[out++] = r[i];
		}
	}
	return out;
}

/* Removes [start, end) from the sorted, disjoint usable ranges. */
static int subtract(struct memmap *m, paddr_t start, paddr_t end)
{
	for (unsigned i = 0; i < m->nr_usable; i++) {
		struct mem_range *u = &m->usable[i];
		if (end <= u->start || start >= u->end)
			continue;
		if (start > u->start && end < u->end) {
			/* a hole in the middle: split in two; with the table
			 * full, give up the part above the hole rather than
			 * leave the hole usable */
			if (m->nr_usable == MEMMAP_MAX) {
				u->end = start;
				return ERR_NO_MEMORY;
			}
			for (unsigned j = m->nr_usable; j > i + 1; j--)
				m->usable[j] = m->usable[j - 1];
			m->usable[i + 1].start = end;
			m->usable[i + 1].end = u->end;
			u->end = start;
			m->nr_usable++;
			return 0;
		}
		if (start <= u->start)
			u->start = MIN(end, u->end);
		else
			u->end = start;
	}
	/* drop emptied ranges */
	unsigned out = 0;
	for (unsigned i = 0; i < m->nr_usable; i++)
		if (m->usable[i].start < m->usable[i].end)
			m->usable[out++] = m->usable[i];
	m->nr_usable = out;
	return 0;
}

/* The union of the available entries, exactly (not yet rounded or clipped),
 * as closed intervals [start, last byte]. */
static unsigned available_union(struct memmap *m, const struct memmap_entry *e,
				unsigned n, struct mem_range *out)
{
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!e[i].available || !e[i].length)
			continue;
		if (range_wraps_u64(e[i].base, e[i].length) || count == MEMMAP_MAX) {
			m->dropped++;
			continue;
		}
		out[count].start = e[i].base;
		out[count].end = e[i].base + (e[i].length - 1);
		count++;
	}
	return merge_closed(out, count);
}

/* The entry check of every call: a map to work on (REPORT_BAD_HANDLE). */
static bool map_ok(const struct memmap *m, const char *op, uintptr_t caller)
{
	if (likely(m != NULL))
		return true;
	mm_report_call(REPORT_BAD_HANDLE, 0, op, caller, "a NULL memory map");
	return false;
}

/* A refused call's report: what was passed and why (REPORT_INVALID_ARG). */
static __printf(4, 5) int refuse(int err, const char *op, uintptr_t caller,
				 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mm_vreport_call(REPORT_INVALID_ARG, 0, op, caller, fmt, ap);
	va_end(ap);
	return err;
}

void memmap_build(struct memmap *m, const struct memmap_entry *e, unsigned n)
{
	uintptr_t caller = MM_CALLER();
	struct mem_range avail[MEMMAP_MAX];
	unsigned na;

	if (!map_ok(m, "memmap_build", caller))
		return;
	if (!e && n) {
		refuse(0, "memmap_build", caller, "a NULL table of %u entries: the map is empty", n);
		n = 0;
	}
	m->nr_usable = m->nr_reserved = 0;
	m->ignored_above_limit = 0;
	m->dropped = 0;
	/* Union first, then round: two entries meeting inside a page still
	 * make that page usable. */
	na = available_union(m, e, n, avail);
	for (unsigned i = 0; i < na; i++) {
		uint64_t start = avail[i].start, last = avail[i].end, end;
		if (last >= MEMMAP_LIMIT) {
			m->ignored_above_limit += last - MAX(start, MEMMAP_LIMIT) + 1;
			end = MEMMAP_LIMIT;
		} else {
			end = last + 1;
		}
		/* wholly above the limit: rounding its start up could wrap */
		if (start >= end)
			continue;
		start = (start + PAGE_MASK64) & ~PAGE_MASK64;
		end &= ~PAGE_MASK64;
		if (start < end) {
			m->usable[m->nr_usable].start = start;
			m->usable[m->nr_usable].end = end;
			m->nr_usable++;
		}
	}
	/* Every entry that is not available punches a hole: reserved wins. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t start, end;
		if (e[i].available || !e[i].length || e[i].base >= MEMMAP_LIMIT)
			continue;
		/* clipped at the limit (also when it wraps or ends at 2^64) */
		end = range_below_u64(e[i].base, e[i].length, MEMMAP_LIMIT) ?
			      e[i].base + e[i].length : MEMMAP_LIMIT;
		start = e[i].base & ~PAGE_MASK64;
		end = (end + PAGE_MASK64) & ~PAGE_MASK64;
		if (subtract(m, start, end))
			m->dropped++;
	}
}

int memmap_reserve(struct memmap *m, paddr_t start, paddr_t end,
		   const char *name, int owner)
{
	uintptr_t caller = MM_CALLER();
	int err;

	if (!map_ok(m, "memmap_reserve", caller))
		return ERR_INVALID_ARGS;
	if (end < start || end > UINT64_MAX - PAGE_MASK64)
		return refuse(ERR_RANGE, "memmap_reserve", caller,
			      "%s [%#llx, %#llx): %s", name ? name : "(unnamed)",
			      (unsigned long long)start, (unsigned long long)end,
			      end < start ? "the end is below the start" : "it wraps when rounded to pages");
	if (owner < 0 || owner >= OWNER_COUNT)
		return refuse(ERR_INVALID_ARGS, "memmap_reserve", caller,
			      "%s: owner %d is no enum page_owner (0..%d)",
			      name ? name : "(unnamed)", owner, OWNER_COUNT - 1);
	start &= ~PAGE_MASK64;
	end = (end + PAGE_MASK64) & ~PAGE_MASK64;
	/* Out of the usable ranges first: whatever else fails, the range
	 * must never be handed out. */
	err = subtract(m, start, end);
	if (m->nr_reserved == MEMMAP_MAX)
		return ERR_NO_MEMORY;
	m->reserved[m->nr_reserved].start = start;
	m->reserved[m->nr_reserved].end = end;
	m->reserved[m->nr_reserved].name = name;
	m->reserved[m->nr_reserved].owner = owner;
	m->nr_reserved++;
	return err;
}

int memmap_release(struct memmap *m, paddr_t start)
{
	uintptr_t caller = MM_CALLER();
	unsigned i, j, n;
	struct mem_range r;
	bool prev, next;

	if (!map_ok(m, "memmap_release", caller))
		return ERR_INVALID_ARGS;
	n = m->nr_usable;
	for (i = 0; i < m->nr_reserved && m->reserved[i].start != start; i++)
		;
	if (i == m->nr_reserved)
		return refuse(ERR_NOT_FOUND, "memmap_release", caller,
			      "no reserved region starts at %#llx", (unsigned long long)start);
	/* only bootmem is known to be RAM that nothing else claims */
	if (m->reserved[i].owner != OWNER_BOOTMEM)
		return refuse(ERR_INVALID_ARGS, "memmap_release", caller,
			      "%s at %#llx is not bootmem: only bootmem is known to be RAM",
			      m->reserved[i].name ? m->reserved[i].name : "(unnamed)",
			      (unsigned long long)start);
	r.start = m->reserved[i].start;
	r.end = m->reserved[i].end;
	for (j = 0; j < n && m->usable[j].start < r.start; j++)
		;
	prev = j > 0 && m->usable[j - 1].end == r.start;
	next = j < n && m->usable[j].start == r.end;
	if (prev && next) { /* fills the gap between two ranges */
		m->usable[j - 1].end = m->usable[j].end;
		for (; j + 1 < n; j++)
			m->usable[j] = m->usable[j + 1];
		m->nr_usable--;
	} else if (prev) {
		m->usable[j - 1].end = r.end;
	} else if (next) {
		m->usable[j].start = r.start;
	} else if (n == MEMMAP_MAX) {
		return ERR_NO_MEMORY; /* a range of its own, and no slot */
	} else {
		for (unsigned k = n; k > j; k--)
			m->usable[k] = m->usable[k - 1];
		m->usable[j] = r;
		m->nr_usable++;
	}
	for (; i + 1 < m->nr_reserved; i++)
		m->reserved[i] = m->reserved[i + 1];
	m->nr_reserved--;
	return 0;
}

uint64_t memmap_usable_bytes(const struct memmap *m)
{
	uint64_t total = 0;

	if (!map_ok(m, "memmap_usable_bytes", MM_CALLER()))
		return 0;
	for (unsigned i = 0; i < m->nr_usable; i++)
		total += m->usable[i].end - m->usable[i].start;
	return total;
}

paddr_t memmap_top(const struct memmap *m)
{
	if (!map_ok(m, "memmap_top", MM_CALLER()))
		return 0;
	return m->nr_usable ? m->usable[m->nr_usable - 1].end : 0;
}

const struct mem_region *memmap_find_reserved(const struct memmap *m, paddr_t pa)
{
	if (!map_ok(m, "memmap_find_reserved", MM_CALLER()))
		return NULL;
	for (unsigned i = 0; i < m->nr_reserved; i++)
		if (pa >= m->reserved[i].start && pa < m->reserved[i].end)
			return &m->reserved[i];
	return NULL;
}

paddr_t bootmem_alloc(struct memmap *m, uint64_t size, uint64_t align,
		      paddr_t limit, const char *name)
{
	uintptr_t caller = MM_CALLER();

	if (!map_ok(m, "bootmem_alloc", caller))
		return 0;
	if (!size || size > UINT64_MAX - PAGE_MASK64 || align < MM_PAGE_SIZE ||
	    (align & (align - 1)))
		return (paddr_t)refuse(0, "bootmem_alloc", caller,
				       "%s: size %#llx, align %#llx: expected a size that rounds up to pages and a power-of-two alignment of a page or more",
				       name ? name : "(unnamed)", (unsigned long long)size,
				       (unsigned long long)align);
	if (mm_should_fail(MM_ALLOC_BOOTMEM, caller))
		return 0;
	size = (size + PAGE_MASK64) & ~PAGE_MASK64;
	for (unsigned i = m->nr_usable; i-- > 0;) {
		const struct mem_range *u = &m->usable[i];
		paddr_t top = MIN(u->end, limit), start;
		if (top <= u->start || top - u->start < size)
			continue;
		start = (top - size) & ~(align - 1);
		/* 0 means failure, so frame 0 is never handed out */
		if (start < u->start || start < MM_PAGE_SIZE)
			continue;
		if (memmap_reserve(m, start, start + size, name, OWNER_BOOTMEM))
			return 0;
		return start;
	}
	return 0;
}

/* The reserved region that starts lowest after `after` (the array is kept
 * in the order regions were reserved; the print is in address order). */
static const struct mem_region *next_reserved(const struct memmap *m,
					      const struct mem_region *after)
{
	const struct mem_region *best = NULL;

	for (unsigned i = 0; i < m->nr_reserved; i++) {
		const struct mem_region *r = &m->reserved[i];
		bool later = !after || r->start > after->start ||
			     (r->start == after->start && r > after);
		if (later && (!best || r->start < best->start))
			best = r;
	}
	return best;
}

void memmap_print(const struct memmap *m)
{
	if (!map_ok(m, "memmap_print", MM_CALLER()))
		return;
	mm_printf("Usable memory (sanitised map): %u range%s, %llu KiB\n", m->nr_usable,
		  m->nr_usable == 1 ? "" : "s",
		  (unsigned long long)(memmap_usable_bytes(m) >> 10));
	for (unsigned i = 0; i < m->nr_usable; i++)
		mm_printf("  %#010llx-%#010llx %8llu KiB\n",
			  (unsigned long long)m->usable[i].start,
			  (unsigned long long)m->usable[i].end,
			  (unsigned long long)((m->usable[i].end - m->usable[i].start) >> 10));
	mm_printf("Reserved regions, by address:\n");
	for (const struct mem_region *r = next_reserved(m, NULL); r; r = next_reserved(m, r))
		mm_printf("  %#010llx-%#010llx %8llu KiB  %s\n",
			  (unsigned long long)r->start, (unsigned long long)r->end,
			  (unsigned long long)((r->end - r->start) >> 10), r->name);
	if (m->ignored_above_limit)
		mm_printf("RAM above 4 GiB ignored (no PAE yet): %llu MiB\n",
			  (unsigned long long)(m->ignored_above_limit >> 20));
}

/*
 * The judge of memmap results (see memmap_model.h).  Proves the shape,
 * soundness and completeness of memmap_build's usable ranges, and the
 * contract of bootmem_alloc, with arithmetic of its own: byte intervals
 * clipped to [0, 4 GiB], and a sweep over the page-aligned points where
 * any interval begins or ends.
 */
#include "tests/host/memmap_model.h"
#include "mm/page.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>

#define PAGE 4096ull
#define FOUR_GIB 0x100000000ull
#define MAX_IVALS 512

struct ival {
	uint64_t lo, hi; /* [lo, hi) */
};

static uint64_t down(uint64_t x)
{
	return x - x % PAGE;
}

static uint64_t up(uint64_t x)
{
	return x % PAGE ? down(x) + PAGE : x;
}

/* Does the entry's last byte lie beyond the top of the address space? */
static bool wraps(const struct memmap_entry *e)
{
	return e->length && e->length - 1 > UINT64_MAX - e->base;
}

/* The bytes of entry e below 4 GiB; a wrapping entry reaches the top.
 * Returns false when there are none. */
static bool entry_bytes(const struct memmap_entry *e, struct ival *out)
{
	uint64_t end;

	if (!e->length || e->base >= FOUR_GIB)
		return false;
	/* by the last byte: an entry may end exactly at 2^64 */
	end = wraps(e) || e->base + (e->length - 1) >= FOUR_GIB ? FOUR_GIB : e->base + e->length;
	out->lo = e->base;
	out->hi = end;
	return true;
}

/* Splits the entries: available ones (wrapping ones are dropped, as the
 * contract says) and all the others. */
static void collect(const struct memmap_entry *e, unsigned n, struct ival *avail,
		    unsigned *na, struct ival *other, unsigned *no)
{
	*na = *no = 0;
	for (unsigned i = 0; i < n; i++) {
		struct ival v;
		if (!entry_bytes(&e[i], &v))
			continue;
		if (!e[i].available)
			other[(*no)++] = v;
		else if (!wraps(&e[i]))
			avail[(*na)++] = v;
	}
}

/* Is [lo, hi) covered by the union of the intervals? */
static bool covered(const struct ival *v, unsigned n, uint64_t lo, uint64_t hi)
{
	uint64_t at = lo;

	while (at < hi) {
		uint64_t reach = at;
		for (unsigned i = 0; i < n; i++)
			if (v[i].lo <= at && v[i].hi > reach)
				reach = v[i].hi;
		if (reach == at)
			return false;
		at = reach;
	}
	return true;
}

static bool touches(const struct ival *v, unsigned n, uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < n; i++)
		if (v[i].lo < hi && v[i].hi > lo)
			return true;
	return false;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned add_points(uint64_t *pts, unsigned np, const struct ival *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		pts[np++] = down(v[i].lo);
		pts[np++] = up(v[i].lo);
		pts[np++] = down(v[i].hi);
		pts[np++] = up(v[i].hi);
	}
	return np;
}

static __printf(3, 4) bool fail(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return false;
}

static bool check_shape(const struct memmap *m, char *why, size_t size)
{
	if (m->nr_usable > MEMMAP_MAX)
		return fail(why, size, "%u usable ranges", m->nr_usable);
	for (unsigned i = 0; i < m->nr_usable; i++) {
		const struct mem_range *r = &m->usable[i];
		if (r->start % PAGE || r->end % PAGE || r->start >= r->end ||
		    r->end > FOUR_GIB)
			return fail(why, size, "bad usable range %#llx-%#llx",
				    (unsigned long long)r->start, (unsigned long long)r->end);
		if (i && r->start < m->usable[i - 1].end)
			return fail(why, size, "usable range at %#llx overlaps or precedes the one ending at %#llx",
				    (unsigned long long)r->start,
				    (unsigned long long)m->usable[i - 1].end);
	}
	return true;
}

/* Every page at a segment start is judged; pages inside a segment share
 * its verdict because no interval begins or ends inside it. */
static bool check_pages(const struct memmap *m, const struct ival *avail,
			unsigned na, const struct ival *other, unsigned no,
			char *why, size_t size)
{
	struct ival use[MEMMAP_MAX];
	uint64_t *pts = malloc(sizeof(uint64_t) * (4 * (na + no + MEMMAP_MAX) + 2));
	unsigned np = 0;
	bool ok = true;

	for (unsigned i = 0; i < m->nr_usable; i++)
		use[i] = (struct ival){ m->usable[i].start, m->usable[i].end };
	np = add_points(pts, np, avail, na);
	np = add_points(pts, np, other, no);
	np = add_points(pts, np, use, m->nr_usable);
	pts[np++] = 0;
	pts[np++] = FOUR_GIB;
	qsort(pts, np, sizeof(*pts), cmp_u64);
	for (unsigned i = 0; i + 1 < np && ok; i++) {
		uint64_t p = pts[i];
		bool usable, want;
		if (pts[i + 1] == p)
			continue;
		usable = covered(use, m->nr_usable, p, p + PAGE);
		want = covered(avail, na, p, p + PAGE) && !touches(other, no, p, p + PAGE);
		if (usable && touches(other, no, p, p + PAGE))
			ok = fail(why, size, "page %#llx is usable but inside an entry that is not available",
				  (unsigned long long)p);
		else if (usable && !want)
			ok = fail(why, size, "page %#llx is usable but not wholly available",
				  (unsigned long long)p);
		else if (!usable && want && !m->dropped)
			ok = fail(why, size, "page %#llx is wholly available and reserved by nothing, but not usable",
				  (unsigned long long)p);
	}
	free(pts);
	return ok;
}

bool memmap_verify(const struct memmap *m, const struct memmap_entry *e,
		   unsigned n, char *why, size_t size)
{
	struct ival *avail = malloc(sizeof(*avail) * (n + 1));
	struct ival *other = malloc(sizeof(*other) * (n + 1));
	unsigned na, no;
	bool ok;

	collect(e, n, avail, &na, other, &no);
	ok = check_shape(m, why, size) &&
	     check_pages(m, avail, na, other, no, why, size);
	free(avail);
	free(other);
	return ok;
}

static int cmp_lo(const void *a, const void *b)
{
	return cmp_u64(&((const struct ival *)a)->lo, &((const struct ival *)b)->lo);
}

uint64_t memmap_ref_above_limit(const struct memmap_entry *e, unsigned n)
{
	/* Closed intervals [first byte, last byte], so that 2^64 never appears. */
	struct ival *v = malloc(sizeof(*v) * (n + 1));
	uint64_t total = 0, next = FOUR_GIB; /* first byte not yet counted */
	unsigned nv = 0;

	for (unsigned i = 0; i < n; i++)
		if (e[i].available && e[i].length && !wraps(&e[i]) &&
		    e[i].base + (e[i].length - 1) >= FOUR_GIB)
			v[nv++] = (struct ival){ MAX(e[i].base, FOUR_GIB),
						 e[i].base + (e[i].length - 1) };
	qsort(v, nv, sizeof(*v), cmp_lo);
	for (unsigned i = 0; i < nv; i++) {
		uint64_t lo = MAX(v[i].lo, next);
		if (lo > v[i].hi)
			continue;
		total += v[i].hi - lo + 1;
		next = v[i].hi + 1; /* 0 after the last byte: nothing more counts */
		if (!next)
			break;
	}
	free(v);
	return total;
}

/* --- bootmem ------------------------------------------------------------ */

/* Could [a, a + size) with a aligned lie in u below limit?  Frame 0 is
 * never handed out (0 means failure), so a starts at PAGE at the lowest. */
static bool fits(const struct mem_range *u, uint64_t size, uint64_t align,
		 paddr_t limit)
{
	uint64_t top = MIN(u->end, limit);
	uint64_t lo = MAX(u->start, (uint64_t)PAGE);
	uint64_t a = lo % align ? lo - lo % align + align : lo;

	return a >= lo && a < top && top - a >= size;
}

static bool same_map(const struct memmap *a, const struct memmap *b)
{
	return a->nr_usable == b->nr_usable && a->nr_reserved == b->nr_reserved &&
	       !memcmp(a->usable, b->usable, a->nr_usable * sizeof(a->usable[0]));
}

static bool check_no_fit(const struct memmap *before, const struct memmap *after,
			 const struct bootmem_request *r, char *why, size_t size)
{
	bool valid = r->size && r->size <= UINT64_MAX - (PAGE - 1) &&
		     r->align >= PAGE && !(r->align & (r->align - 1));

	if (!same_map(before, after))
		return fail(why, size, "bootmem_alloc returned 0 but changed the map");
	for (unsigned i = 0; valid && i < before->nr_usable; i++)
		if (fits(&before->usable[i], up(r->size), r->align, r->limit))
			return fail(why, size, "bootmem_alloc returned 0 but %#llx-%#llx had room",
				    (unsigned long long)before->usable[i].start,
				    (unsigned long long)before->usable[i].end);
	return true;
}

static bool check_taken(const struct memmap *before, const struct memmap *after,
			const struct bootmem_request *r, paddr_t got, char *why,
			size_t size)
{
	uint64_t len = up(r->size);
	const struct mem_region *reg = memmap_find_reserved(after, got);
	struct ival taken = { got, got + len };
	struct ival was[MEMMAP_MAX];

	for (unsigned i = 0; i < before->nr_usable; i++)
		was[i] = (struct ival){ before->usable[i].start, before->usable[i].end };
	if (!r->size || r->size > UINT64_MAX - (PAGE - 1) || got % r->align ||
	    got + len < got || got + len > r->limit)
		return fail(why, size, "bootmem_alloc(%#llx, align %#llx, limit %#llx) gave %#llx",
			    (unsigned long long)r->size, (unsigned long long)r->align,
			    (unsigned long long)r->limit, (unsigned long long)got);
	if (!covered(was, before->nr_usable, got, got + len))
		return fail(why, size, "bootmem block %#llx was not usable", (unsigned long long)got);
	for (unsigned i = 0; i < after->nr_usable; i++)
		if (touches(&taken, 1, after->usable[i].start, after->usable[i].end) ||
		    !covered(was, before->nr_usable, after->usable[i].start, after->usable[i].end))
			return fail(why, size, "usable range %#llx-%#llx after bootmem_alloc",
				    (unsigned long long)after->usable[i].start,
				    (unsigned long long)after->usable[i].end);
	if (memmap_usable_bytes(after) + len != memmap_usable_bytes(before))
		return fail(why, size, "bootmem took %#llx bytes of usable memory, not %#llx",
			    (unsigned long long)(memmap_usable_bytes(before) - memmap_usable_bytes(after)),
			    (unsigned long long)len);
	if (!reg || reg->start != got || reg->end != got + len ||
	    reg->owner != OWNER_BOOTMEM || reg->name != r->name)
		return fail(why, size, "bootmem block %#llx is not recorded as reserved",
			    (unsigned long long)got);
	return true;
}

bool bootmem_verify(const struct memmap *before, const struct memmap *after,
		    const struct bootmem_request *r, paddr_t got, char *why,
		    size_t size)
{
	if (!got)
		return check_no_fit(before, after, r, why, size);
	for (unsigned i = 0; i < before->nr_usable; i++)
		if (before->usable[i].start > got &&
		    fits(&before->usable[i], up(r->size), r->align, r->limit))
			return fail(why, size, "bootmem took %#llx, below the higher range at %#llx that fits",
				    (unsigned long long)got,
				    (unsigned long long)before->usable[i].start);
	return check_taken(before, after, r, got, why, size);
}

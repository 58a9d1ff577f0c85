/*
 * Per-CPU memory for the allocators (mm/platform.h): mm_percpu_alloc hands
 * out pieces of a fixed space of MM_PERCPU_BYTES of which every CPU has
 * its own copy, at the same offset -- a slab cache's arrays (the buddy's
 * page lists have the fixed part at its start).  A bitmap of PERCPU_UNIT-byte units, first fit, under a lock;
 * allocation zeroes the piece on every online CPU (a CPU started later
 * gets a zeroed area).  Cache creation is rare: simple beats clever here.
 *
 * Each piece's length is kept at its first unit, so that a free is checked
 * before it changes anything: a pointer outside the space, off a unit or
 * into a piece, a piece freed already and a size other than the one
 * allocated are each a named report, and the free is refused.  A size of
 * 0 or beyond the space is refused with a report; running out of space is
 * a NULL, as out of memory is.
 */
#include "mm/platform.h"
#include "mm/report.h"

#define PERCPU_UNIT 32u
#define PERCPU_UNITS (MM_PERCPU_BYTES / PERCPU_UNIT)
#define PERCPU_FIRST_UNIT (MM_PERCPU_FIXED / PERCPU_UNIT) /* the buddy's before */
STATIC_ASSERT(MM_PERCPU_FIXED % PERCPU_UNIT == 0, "the fixed part is whole units");

static mm_lock_t percpu_lock = MM_LOCK_INIT("percpu space", LOCK_ORDER_PERCPU);
MM_LOCK_REGISTER(percpu_lock);
static uint32_t percpu_map[PERCPU_UNITS / 32]; /* bit set: unit in use */
static uint16_t piece_units[PERCPU_UNITS]; /* at a piece's first unit: its length */
static size_t percpu_in_use;

static bool unit_used(unsigned u)
{
	return percpu_map[u / 32] & (1u << (u % 32));
}

static void mark_units(unsigned first, unsigned n, bool used)
{
	for (unsigned u = first; u < first + n; u++) {
		if (used)
			percpu_map[u / 32] |= 1u << (u % 32);
		else
			percpu_map[u / 32] &= ~(1u << (u % 32));
	}
}

/* The first run of n free units; PERCPU_UNITS if there is none. */
static unsigned find_run(unsigned n)
{
	unsigned run = 0;

	for (unsigned u = PERCPU_FIRST_UNIT; u < PERCPU_UNITS; u++) {
		run = unit_used(u) ? 0 : run + 1;
		if (run == n)
			return u + 1 - n;
	}
	return PERCPU_UNITS;
}

void *mm_percpu_alloc(size_t size)
{
	unsigned n = (unsigned)((size + PERCPU_UNIT - 1) / PERCPU_UNIT), first;
	mm_irqflags_t flags;
	uint8_t *ptr = NULL;

	if (!size || size > MM_PERCPU_BYTES - MM_PERCPU_FIXED) {
		mm_report_call(REPORT_INVALID_ARG, 0, "mm_percpu_alloc", MM_CALLER(),
			       "size %zu: expected 1 to %u bytes", size,
			       (unsigned)(MM_PERCPU_BYTES - MM_PERCPU_FIXED));
		return NULL;
	}
	flags = mm_lock(&percpu_lock);
	first = find_run(n);
	if (first < PERCPU_UNITS) {
		mark_units(first, n, true);
		piece_units[first] = (uint16_t)n;
		percpu_in_use += n * PERCPU_UNIT;
		ptr = (uint8_t *)mm_percpu_space() + first * PERCPU_UNIT;
		for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
			if (mm_cpu_online(cpu))
				memset(mm_per_cpu(ptr, cpu), 0, n * PERCPU_UNIT);
	}
	mm_unlock(&percpu_lock, flags);
	return ptr;
}

/* Why freeing n units at off is wrong, with the report's kind; NULL if
 * it is right (lock held). */
static const char *__free_wrong(uintptr_t off, unsigned n, enum report_kind *kind)
{
	unsigned first = (unsigned)(off / PERCPU_UNIT);

	MM_LOCK_HELD(&percpu_lock);
	*kind = REPORT_OUT_OF_RANGE;
	if (off >= MM_PERCPU_BYTES || first < PERCPU_FIRST_UNIT)
		return "not in the per-CPU space";
	*kind = REPORT_INTERIOR_POINTER;
	if (off % PERCPU_UNIT || (unit_used(first) && !piece_units[first]))
		return "not the start of a piece";
	*kind = REPORT_DOUBLE_FREE;
	if (!unit_used(first))
		return "the piece is free already";
	*kind = REPORT_INVALID_ARG;
	if (piece_units[first] != n)
		return "another size than the piece was allocated with";
	return NULL;
}

void mm_percpu_free(void *ptr, size_t size)
{
	unsigned n = (unsigned)(MIN(size, (size_t)MM_PERCPU_BYTES) + PERCPU_UNIT - 1) / PERCPU_UNIT;
	uintptr_t off = (uintptr_t)ptr - (uintptr_t)mm_percpu_space();
	enum report_kind kind;
	mm_irqflags_t flags;
	const char *why;

	if (!ptr)
		return;
	flags = mm_lock(&percpu_lock);
	why = __free_wrong(off, n, &kind);
	if (!why) {
		mark_units((unsigned)(off / PERCPU_UNIT), n, false);
		piece_units[off / PERCPU_UNIT] = 0;
		percpu_in_use -= n * PERCPU_UNIT;
	}
	mm_unlock(&percpu_lock, flags);
	if (why)
		mm_report_call(kind, (uintptr_t)ptr, "mm_percpu_free", MM_CALLER(),
			       "%zu bytes: %s: not freed", size, why);
}

size_t mm_percpu_used(void)
{
	return percpu_in_use;
}

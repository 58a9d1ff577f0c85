/*
 * Host test of mm/memmap: memmap_build on adversarial firmware maps
 * (unsorted, overlapping, duplicate, zero-length, wrapping, reserved inside
 * available, crossing and above 4 GiB, more entries than the tables hold)
 * judged by tests/host/memmap_model.c -- usable ranges sorted, disjoint,
 * page-aligned, below 4 GiB, never a byte of a non-available entry, every
 * wholly available page included -- and bootmem_alloc's contract: aligned,
 * inside usable memory, removed from it, recorded as reserved, and 0 only
 * when nothing fits, with the map untouched.
 */
#include "tests/host/memmap_model.h"
#include "tests/host/platform_host.h"
#include "mm/page.h"
#include "lib/errno.h"

#define KIB 0x400ull
#define MIB 0x100000ull
#define GIB 0x40000000ull
#define AV(base, len) { (base), (len), true }
#define RS(base, len) { (base), (len), false }

static struct memmap map, before;
static char why[256];

static void check_map(const char *name, const struct memmap_entry *e, unsigned n)
{
	bool ok;

	memmap_build(&map, e, n);
	ok = memmap_verify(&map, e, n, why, sizeof(why));
	tap_ok(ok, "memmap %s: %u usable ranges, %llu KiB: sorted, aligned, sound and complete%s%s",
	       name, map.nr_usable, (unsigned long long)(memmap_usable_bytes(&map) / KIB),
	       ok ? "" : " # ", ok ? "" : why);
}

/* What QEMU's BIOS reports for -m 128M, and a few reservations above. */
static const struct memmap_entry qemu_128m[] = {
	AV(0, 0x9fc00), RS(0x9fc00, 0x400), RS(0xf0000, 0x10000),
	AV(MIB, 127 * MIB - 0x20000), RS(128 * MIB - 0x20000, 0x20000),
	RS(0xfffc0000, 0x40000),
};

static void test_typical_maps(void)
{
	struct memmap_entry e[2 * ARRAY_SIZE(qemu_128m)];
	unsigned n = ARRAY_SIZE(qemu_128m);

	check_map("QEMU -m 128M", qemu_128m, n);
	for (unsigned i = 0; i < n; i++)
		e[i] = qemu_128m[n - 1 - i];
	check_map("unsorted (reversed)", e, n);
	for (unsigned i = 0; i < 2 * n; i++)
		e[i] = qemu_128m[(i * 5) % n];
	check_map("every entry twice, shuffled", e, 2 * n);
}

static void test_adversarial_maps(void)
{
	static const struct memmap_entry overlap[] = {
		AV(MIB, 7 * MIB), AV(4 * MIB, 8 * MIB), RS(11 * MIB, 10),
		AV(6 * MIB + 123, 5 * MIB),
	};
	static const struct memmap_entry zero_len[] = {
		AV(MIB, 7 * MIB), AV(2 * MIB, 0), RS(3 * MIB, 0), RS(0, 0),
	};
	static const struct memmap_entry wrapping[] = {
		AV(MIB, 63 * MIB), AV(0xFFFFFFFFFFFFF000ull, 0x2000),
		RS(0xFFFFFFFF00000000ull, UINT64_MAX), RS(6 * MIB + 5, UINT64_MAX),
		AV(UINT64_MAX, UINT64_MAX),
	};
	static const struct memmap_entry holes[] = {
		AV(0, 64 * MIB), RS(0x123456, 0x1000), RS(16 * MIB - 1, 2),
		RS(0x3001, 1), RS(32 * MIB, 4 * KIB), AV(0x3000, 0x10),
	};
	static const struct memmap_entry high[] = {
		AV(3 * GIB + GIB / 2, GIB), AV(5 * GIB, GIB), RS(0xFEC00000, 0x1000),
		AV(16 * MIB, 16 * MIB), RS(0xFFFFF000ull, 0x2000),
	};
	/* found by fuzz_memmap: rounding this start up to a page wrapped to
	 * 0 and made all of [0, 4 GiB) usable */
	static const struct memmap_entry last_page[] = {
		AV(0xFFFFFFFFFFFFFE00ull, 0x11), RS(0x323232, 0x1232000),
	};
	/* entries ending exactly at 2^64: an exclusive end of base + length
	 * is 0, which once made the first unusable and the second reserve
	 * nothing */
	static const struct memmap_entry to_top[] = {
		AV(0x100000, 0 - 0x100000ull),
	};
	static const struct memmap_entry reserved_to_top[] = {
		AV(0, 16 * MIB), RS(MIB, 0 - MIB),
	};
	static const struct memmap_entry only_reserved[] = {
		RS(0, 4 * GIB), AV(0x10, 0xFF0), AV(5 * GIB, 0x1000),
	};

	check_map("overlapping available entries", overlap, ARRAY_SIZE(overlap));
	check_map("zero-length entries", zero_len, ARRAY_SIZE(zero_len));
	check_map("wrapping entries", wrapping, ARRAY_SIZE(wrapping));
	check_map("reserved holes inside available, unaligned", holes, ARRAY_SIZE(holes));
	check_map("entries crossing and above 4 GiB", high, ARRAY_SIZE(high));
	check_map("unaligned entry in the last page of the 64-bit space", last_page,
		  ARRAY_SIZE(last_page));
	tap_ok(map.nr_usable == 0, "memmap: an entry in the last page of the 64-bit space adds no usable range");
	check_map("an available entry ending exactly at 2^64", to_top, ARRAY_SIZE(to_top));
	tap_ok(map.nr_usable == 1 && map.usable[0].start == MIB && map.usable[0].end == 4 * GIB &&
		       map.ignored_above_limit == memmap_ref_above_limit(to_top, ARRAY_SIZE(to_top)),
	       "memmap: an available entry ending at 2^64 gives [1 MiB, 4 GiB) and counts the rest above");
	check_map("a reserved entry ending exactly at 2^64", reserved_to_top,
		  ARRAY_SIZE(reserved_to_top));
	tap_ok(map.nr_usable == 1 && map.usable[0].end == MIB,
	       "memmap: a reserved entry ending at 2^64 takes everything above its start");
	check_map("no whole available page", only_reserved, ARRAY_SIZE(only_reserved));
	tap_ok(map.nr_usable == 0, "memmap: a map without a whole available page gives no usable range");
}

/*
 * Two available entries that meet inside a page cover that page wholly;
 * the union must be taken before rounding inwards (as memmap.h says).
 */
static void test_split_page(void)
{
	static const struct memmap_entry e[] = {
		AV(MIB, 0x1800), AV(MIB + 0x1800, MIB - 0x1800),
	};

	check_map("available entries meeting mid-page", e, ARRAY_SIZE(e));
}

/* RAM above 4 GiB is counted once however often the map repeats it. */
static void test_above_limit(void)
{
	static const struct memmap_entry e[] = {
		AV(4 * GIB, GIB), AV(4 * GIB, GIB), AV(4 * GIB + GIB / 2, GIB + GIB / 2),
		AV(3 * GIB, 2 * GIB), RS(4 * GIB, GIB),
	};
	uint64_t want = memmap_ref_above_limit(e, ARRAY_SIZE(e));

	memmap_build(&map, e, ARRAY_SIZE(e));
	tap_ok(map.ignored_above_limit == want,
	       "memmap: RAM above 4 GiB in overlapping entries is counted once: %llu MiB, expected %llu MiB",
	       (unsigned long long)(map.ignored_above_limit / MIB),
	       (unsigned long long)(want / MIB));
}

/* More entries than the tables hold: memory may be lost (and counted in
 * `dropped`), but a reserved byte must never become usable. */
static void test_many_entries(void)
{
	static struct memmap_entry e[MEMMAP_MAX + 72];
	unsigned n = 0;

	e[n++] = (struct memmap_entry)AV(0, GIB);
	for (unsigned i = 0; i < MEMMAP_MAX; i++)
		e[n++] = (struct memmap_entry)RS(MIB + i * 8 * KIB, 4 * KIB);
	check_map("one available entry and 128 reserved pages in it", e, n);
	for (n = 0; n < ARRAY_SIZE(e); n++)
		e[n] = (struct memmap_entry)AV(MIB, MIB);
	check_map("200 copies of one available entry", e, n);
}

/* --- bootmem ----------------------------------------------------------- */

static void try_bootmem(const char *what, uint64_t size, uint64_t align,
			paddr_t limit)
{
	struct bootmem_request r = { size, align, limit, what };
	paddr_t got;
	bool ok;

	before = map;
	got = bootmem_alloc(&map, size, align, limit, what);
	ok = bootmem_verify(&before, &map, &r, got, why, sizeof(why));
	tap_ok(ok, "bootmem %s: size %#llx align %#llx limit %#llx -> %#llx%s%s", what,
	       (unsigned long long)size, (unsigned long long)align,
	       (unsigned long long)limit, (unsigned long long)got, ok ? "" : " # ",
	       ok ? "" : why);
}

static void test_bootmem(void)
{
	memmap_build(&map, qemu_128m, ARRAY_SIZE(qemu_128m));
	memmap_reserve(&map, 0, MIB, "first MiB", OWNER_FIRMWARE);
	try_bootmem("one page below 16 MiB", 4 * KIB, 4 * KIB, 16 * MIB);
	try_bootmem("page array, 4 MiB aligned", 3 * 4 * KIB + 1, 4 * MIB, 4 * GIB);
	try_bootmem("just below the first one", 4 * KIB, 4 * KIB, 16 * MIB);
	try_bootmem("larger than RAM", 256 * MIB, 4 * KIB, 4 * GIB);
	try_bootmem("limit inside the first MiB", 4 * KIB, 4 * KIB, 0x80000);
	try_bootmem("alignment below a page", 4 * KIB, 2 * KIB, 4 * GIB);
	try_bootmem("alignment not a power of two", 4 * KIB, 12 * KIB, 4 * GIB);
	try_bootmem("size zero", 0, 4 * KIB, 4 * GIB);
	try_bootmem("a size that overflows when rounded to pages", UINT64_MAX - 100,
		    4 * KIB, 4 * GIB);
	for (unsigned i = 0; i < 12; i++)
		try_bootmem("repeated, 5 MiB each", 5 * MIB, MIB << (i % 4), 4 * GIB);
}

/* bootmem_alloc returns 0 for failure, so it must never hand out (and
 * reserve) a block at physical address 0. */
static void test_bootmem_at_zero(void)
{
	static const struct memmap_entry e[] = { AV(0, 0x2000) };

	memmap_build(&map, e, ARRAY_SIZE(e));
	try_bootmem("of all the memory, at address 0 (refused: frame 0 is never handed out)", 0x2000, 4 * KIB, 4 * GIB);
}

static void test_reserve_errors(void)
{
	int wraps, backwards;

	memmap_build(&map, qemu_128m, ARRAY_SIZE(qemu_128m));
	before = map;
	wraps = memmap_reserve(&map, 0x5000, UINT64_MAX - 10, "wraps", OWNER_FIRMWARE);
	backwards = memmap_reserve(&map, 0x5000, 0x1000, "backwards", OWNER_FIRMWARE);
	tap_ok(wraps == ERR_RANGE && backwards == ERR_RANGE &&
	       !memcmp(&map, &before, sizeof(map)),
	       "memmap_reserve of a wrapping or backwards range: ERR_RANGE, map unchanged");
}

/* Whether two maps have the same usable ranges and reserved regions. */
static bool same_ranges(const struct memmap *a, const struct memmap *b)
{
	if (a->nr_usable != b->nr_usable || a->nr_reserved != b->nr_reserved)
		return false;
	for (unsigned i = 0; i < a->nr_usable; i++)
		if (a->usable[i].start != b->usable[i].start || a->usable[i].end != b->usable[i].end)
			return false;
	for (unsigned i = 0; i < a->nr_reserved; i++)
		if (a->reserved[i].start != b->reserved[i].start ||
		    a->reserved[i].end != b->reserved[i].end)
			return false;
	return true;
}

/* Released bootmem is usable again, merged, as if never reserved. */
static void test_release(void)
{
	paddr_t top, mid;
	int err;

	memmap_build(&map, qemu_128m, ARRAY_SIZE(qemu_128m));
	before = map;
	top = bootmem_alloc(&map, 8 * MM_PAGE_SIZE, MM_PAGE_SIZE, 8 * MIB, "top");
	mid = bootmem_alloc(&map, MM_PAGE_SIZE, MM_PAGE_SIZE, 4 * MIB, "middle");
	err = memmap_release(&map, top) | memmap_release(&map, mid);
	tap_ok(top && mid && !err && same_ranges(&map, &before),
	       "memmap_release: two bootmem blocks given back, the map is as before (%u usable ranges)",
	       map.nr_usable);
	tap_ok(memmap_release(&map, top) == ERR_NOT_FOUND && same_ranges(&map, &before),
	       "memmap_release of a region that is not reserved: ERR_NOT_FOUND, map unchanged");
	memmap_reserve(&map, 0, MIB, "first MiB", OWNER_FIRMWARE);
	before = map;
	tap_ok(memmap_release(&map, 0) == ERR_INVALID_ARGS && same_ranges(&map, &before),
	       "memmap_release of a region that is not bootmem: ERR_INVALID_ARGS, map unchanged");
}

/* With the usable table full, a release that merges needs no new slot. */
static void test_release_full_table(void)
{
	static struct memmap_entry e[MEMMAP_MAX];
	paddr_t got;

	for (unsigned i = 0; i < MEMMAP_MAX; i++)
		e[i] = (struct memmap_entry)AV(MIB + i * 2 * MIB, MIB);
	memmap_build(&map, e, MEMMAP_MAX);
	before = map;
	got = bootmem_alloc(&map, MM_PAGE_SIZE, MM_PAGE_SIZE, 4 * GIB, "tail");
	tap_ok(got && map.nr_usable == MEMMAP_MAX && memmap_release(&map, got) == 0 &&
		       same_ranges(&map, &before),
	       "memmap_release with the usable table full (%u ranges): merges back, no slot needed",
	       map.nr_usable);
}

int main(void)
{
	host_set_quiet(true);
	test_typical_maps();
	test_adversarial_maps();
	test_split_page();
	test_above_limit();
	test_many_entries();
	test_bootmem();
	test_bootmem_at_zero();
	test_reserve_errors();
	test_release();
	test_release_full_table();
	return tap_done();
}

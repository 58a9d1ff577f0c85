/*
 * Suite bootinfo, continued: what the memory map's calls (mm/memmap.c)
 * do with arguments no call takes -- one named report each, the call
 * refused with its documented error and the map as it was.  On a map of
 * their own, built from a small firmware table.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/memmap.h"
#include "mm/page.h"
#include "lib/errno.h"
#include "lib/string.h"

static struct memmap map, before;

/* 1 MiB .. 64 MiB usable. */
static void build(void)
{
	static const struct memmap_entry table[] = {
		{ 0, 0x9f000, true },
		{ 0x100000, 63u << 20, true },
	};

	memmap_build(&map, table, ARRAY_SIZE(table));
	memmap_reserve(&map, 0, 0x100000, "first MiB", OWNER_FIRMWARE);
	before = map;
}

/* The same ranges and regions as after build(). */
static bool unchanged(void)
{
	return map.nr_usable == before.nr_usable && map.nr_reserved == before.nr_reserved &&
	       !memcmp(map.usable, before.usable, map.nr_usable * sizeof(map.usable[0])) &&
	       !memcmp(map.reserved, before.reserved, map.nr_reserved * sizeof(map.reserved[0]));
}

KTEST(bootinfo, "memory map calls refuse a NULL map, each with one report")
{
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 8,
		       memmap_build(NULL, NULL, 0);
		       EXPECT_EQ(ERR_INVALID_ARGS, memmap_reserve(NULL, 0, 4096, "x", OWNER_FIRMWARE));
		       EXPECT_EQ(ERR_INVALID_ARGS, memmap_release(NULL, 0));
		       EXPECT_EQ(0, memmap_usable_bytes(NULL));
		       EXPECT_EQ(0, memmap_top(NULL));
		       EXPECT_NULL(memmap_find_reserved(NULL, 0));
		       EXPECT_EQ(0, bootmem_alloc(NULL, 4096, 4096, ~0ull, "x"));
		       memmap_print(NULL));
}

KTEST(bootinfo, "memmap_reserve, memmap_release and bootmem_alloc refuse bad ranges, owners, regions and alignments")
{
	paddr_t got;

	build();
	EXPECT_REPORTS(REPORT_INVALID_ARG, 8,
		       EXPECT_EQ(ERR_RANGE, memmap_reserve(&map, 0x5000, 0x1000, "backwards", OWNER_FIRMWARE));
		       EXPECT_EQ(ERR_RANGE, memmap_reserve(&map, 0x5000, ~0ull - 10, "wraps", OWNER_FIRMWARE));
		       EXPECT_EQ(ERR_INVALID_ARGS, memmap_reserve(&map, 0x200000, 0x300000, "owner", OWNER_COUNT));
		       EXPECT_EQ(ERR_INVALID_ARGS, memmap_reserve(&map, 0x200000, 0x300000, "owner", -1));
		       EXPECT_EQ(ERR_NOT_FOUND, memmap_release(&map, 0x123000));
		       EXPECT_EQ(ERR_INVALID_ARGS, memmap_release(&map, 0)); /* firmware */
		       EXPECT_EQ(0, bootmem_alloc(&map, 4096, 3 * 4096, ~0ull, "align"));
		       EXPECT_EQ(0, bootmem_alloc(&map, 0, 4096, ~0ull, "empty")));
	EXPECT_TRUE(unchanged());
	/* and a good request still works */
	got = bootmem_alloc(&map, 8192, 4096, ~0ull, "good");
	ASSERT_NE(0, got); /* (a failure injected here: nothing to release) */
	EXPECT_EQ(0, memmap_release(&map, got));
	EXPECT_TRUE(unchanged());
}

KTEST(bootinfo, "memmap_build of a NULL table is one report and an empty map")
{
	build();
	EXPECT_REPORTS(REPORT_INVALID_ARG, 1, memmap_build(&map, NULL, 3));
	EXPECT_EQ(0, map.nr_usable);
	EXPECT_EQ(0, memmap_top(&map));
}

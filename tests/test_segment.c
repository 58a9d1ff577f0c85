/*
 * Suite segment: base-and-bounds relocation done by the CPU.
 *
 * A data segment is a base and a limit (SDM Vol. 3A 3.4.5): an access at
 * offset o goes to linear address base + o, and the processor checks every
 * access against the limit (SDM 5.3) before it happens, raising #GP(0) when
 * any byte of it lies outside.  The tests install segments in the spare GDT
 * slots, write through them with probe_write_seg (the fixup table catches the
 * #GP), and look at the flat kernel view of the same memory to see where the
 * write landed.  Every test puts its slots back to a harmless one-byte
 * segment at address 0 (unmapped, so even a stray use faults).
 */
#include "tests/ktest.h"
#include "arch/x86/trap.h"
#include "arch/x86/segments.h"
#include "arch/x86/layout.h"
#include "lib/errno.h"
#include "lib/string.h"

#define PATTERN 0x5E6A1234u

static uint8_t seg_mem[3 * PAGE_SIZE] __aligned(PAGE_SIZE);

static uint32_t lin(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static uint32_t word_at(size_t off)
{
	uint32_t v;

	memcpy(&v, seg_mem + off, sizeof(v));
	return v;
}

static void slots_reset(void)
{
	gdt_set_data_segment(GDT_TEST0, 0, 0, false, false, 0);
	gdt_set_data_segment(GDT_TEST1, 0, 0, false, false, 0);
	memset(seg_mem, 0, sizeof(seg_mem));
}

/* The byte limit the CPU computed from the descriptor (LSL), or 0. */
static uint32_t seg_limit(uint16_t sel)
{
	uint32_t limit = 0;

	__asm__ volatile("lsl %1, %0" : "+r"(limit) : "r"((uint32_t)sel) : "cc");
	return limit;
}

/*
 * QEMU's TCG emulation does not check data segment limits (KVM and real
 * CPUs do), so the tests that expect #GP past a limit skip themselves there
 * rather than pass or fail for the wrong reason.  The probe builds its
 * one-byte segment from raw descriptor bits (SDM 3.4.5: access byte 0x92 =
 * present, ring 0, read/write data; flags 0x4 = 32-bit, byte granular), not
 * with gdt_set_data_segment, so that a broken encoder cannot make the tests
 * that check it skip themselves.
 */
static bool limits_enforced(void)
{
	uint32_t base = lin(seg_mem), v;
	uint32_t low = (base & 0xFFFF) << 16; /* limit 0: one byte */
	uint32_t high = ((base >> 16) & 0xFF) | (0x92u << 8) | (0x4u << 20) |
			(base & 0xFF000000);
	bool faulted;

	gdt_set_raw(GDT_TEST1, low, high);
	if (seg_limit(TEST1_SEL) != 0)
		return true; /* the raw descriptor itself is wrong: run, and fail */
	faulted = probe_read_seg(TEST1_SEL, 0x100, &v) == ERR_FAULT;
	gdt_set_data_segment(GDT_TEST1, 0, 0, false, false, 0);
	return faulted;
}

#define NEED_LIMIT_CHECKS()                                                 \
	do {                                                                \
		if (!limits_enforced())                                     \
			KTEST_SKIP("this CPU (QEMU TCG) does not check data segment limits"); \
	} while (0)

KTEST(segment, "the CPU scales the limit: bytes with G=0, 4 KiB pages with G=1")
{
	slots_reset();
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), 0x123, false, false, 0);
	EXPECT_EQ(0x123, seg_limit(TEST0_SEL));
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), 1, true, false, 0);
	EXPECT_EQ(0x1FFF, seg_limit(TEST0_SEL));
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), 0xFFFFE, true, true, 0);
	EXPECT_EQ(0xFFFFEFFF, seg_limit(TEST0_SEL)); /* expand-down: the floor */
	slots_reset();
}

/* True if a 4-byte write at offset o through sel faults with #GP(0). */
static bool write_faults(uint16_t sel, uint32_t o)
{
	if (probe_write_seg(sel, o, PATTERN) != ERR_FAULT)
		return false;
	return last_fixed_fault.vector == T_GPF && last_fixed_fault.error == 0;
}

KTEST(segment, "an access at offset o lands at base + o")
{
	uint32_t v = 0;

	slots_reset();
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem + 256), 0xFFF, false,
			     false, 0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, 0x40, PATTERN));
	EXPECT_EQ(PATTERN, word_at(256 + 0x40));
	EXPECT_EQ(0, word_at(0x40)); /* not at the flat address o */
	/* And a read through the segment sees the flat write. */
	seg_mem[256 + 0x80] = 0x77;
	EXPECT_EQ(0, probe_read_seg(TEST0_SEL, 0x80, &v));
	EXPECT_EQ(0x77, v);
	slots_reset();
}

KTEST(segment, "the same offset in two segments reaches two places: relocation")
{
	slots_reset();
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), 0xFFF, false, false, 0);
	gdt_set_data_segment(GDT_TEST1, lin(seg_mem + PAGE_SIZE), 0xFFF, false,
			     false, 0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, 0x10, 0x1111));
	EXPECT_EQ(0, probe_write_seg(TEST1_SEL, 0x10, 0x2222));
	EXPECT_EQ(0x1111, word_at(0x10));
	EXPECT_EQ(0x2222, word_at(PAGE_SIZE + 0x10));
	slots_reset();
}

KTEST(segment, "past a byte-granular limit the access raises #GP")
{
	const uint32_t limit = 0x123; /* the last valid byte */
	NEED_LIMIT_CHECKS();

	slots_reset();
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), limit, false, false, 0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, limit - 3, PATTERN));
	EXPECT_EQ(PATTERN, word_at(limit - 3));
	/* One byte of the word beyond the limit is enough to fault... */
	EXPECT_TRUE(write_faults(TEST0_SEL, limit - 2));
	EXPECT_TRUE(write_faults(TEST0_SEL, limit + 1));
	EXPECT_TRUE(write_faults(TEST0_SEL, 0x10000));
	/* ...and the check comes before the write: nothing changed. */
	EXPECT_EQ(PATTERN, word_at(limit - 3));
	EXPECT_EQ(0, word_at(limit + 1));
	slots_reset();
}

KTEST(segment, "a page-granular limit counts 4 KiB pages")
{
	uint32_t v;
	NEED_LIMIT_CHECKS();

	slots_reset();
	/* Limit field 1 with G=1: bytes 0 .. 2 * 4096 - 1. */
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), 1, true, false, 0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, 2 * PAGE_SIZE - 4, PATTERN));
	EXPECT_EQ(PATTERN, word_at(2 * PAGE_SIZE - 4));
	EXPECT_TRUE(write_faults(TEST0_SEL, 2 * PAGE_SIZE - 3));
	EXPECT_TRUE(write_faults(TEST0_SEL, 2 * PAGE_SIZE));
	/* The same limit byte-granular ends after 2 bytes. */
	gdt_set_data_segment(GDT_TEST0, lin(seg_mem), 1, false, false, 0);
	EXPECT_EQ(ERR_FAULT, probe_read_seg(TEST0_SEL, 0, &v));
	EXPECT_EQ(T_GPF, last_fixed_fault.vector);
	slots_reset();
}

/*
 * Expand-down: the limit is the *lowest* invalid offset; offsets limit + 1
 * up to 4 GiB - 1 (the B flag is set) are valid.  So that offset limit + 1
 * lands at seg_mem, the base is seg_mem - (limit + 1), modulo 4 GiB.
 */
KTEST(segment, "an expand-down segment is valid above its limit, faults below")
{
	const uint32_t limit = 0xFFF;
	const uint32_t base = lin(seg_mem) - (limit + 1);
	NEED_LIMIT_CHECKS();

	slots_reset();
	gdt_set_data_segment(GDT_TEST0, base, limit, false, true, 0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, limit + 1, PATTERN));
	EXPECT_EQ(PATTERN, word_at(0));
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, limit + 1 + 0x100, 0xBEEF));
	EXPECT_EQ(0xBEEF, word_at(0x100));
	/* Below the limit is the stack's overflow: #GP. */
	EXPECT_TRUE(write_faults(TEST0_SEL, limit - 3));
	EXPECT_TRUE(write_faults(TEST0_SEL, limit - 1)); /* straddles it */
	EXPECT_TRUE(write_faults(TEST0_SEL, 0));
	slots_reset();
}

KTEST(segment, "growing a stack segment down lowers its limit; data stays put")
{
	const uint32_t limit = 2 * PAGE_SIZE - 1;
	const uint32_t base = lin(seg_mem + PAGE_SIZE) - (limit + 1);
	NEED_LIMIT_CHECKS();

	slots_reset();
	gdt_set_data_segment(GDT_TEST0, base, limit, false, true, 0);
	/* The "stack" holds one page: offsets 0x2000.. land in page 1. */
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, limit + 1, PATTERN));
	EXPECT_TRUE(write_faults(TEST0_SEL, limit + 1 - PAGE_SIZE));
	/* Grow it by a page: the next page down becomes valid... */
	gdt_set_data_segment(GDT_TEST0, base, limit - PAGE_SIZE, false, true,
			     0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, limit + 1 - PAGE_SIZE, 0xD0));
	EXPECT_EQ(0xD0, word_at(0));
	/* ...and what was pushed before is where it was. */
	EXPECT_EQ(PATTERN, word_at(PAGE_SIZE));
	slots_reset();
}

KTEST(segment, "a page-granular expand-down segment ends at 4 GiB")
{
	/* Field 0xFFFFE with G=1: limit 0xFFFFEFFF, valid 0xFFFFF000 up. */
	const uint32_t top = 0xFFFFF000u;
	const uint32_t base = lin(seg_mem) - top;
	NEED_LIMIT_CHECKS();

	slots_reset();
	gdt_set_data_segment(GDT_TEST0, base, 0xFFFFE, true, true, 0);
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, top, PATTERN));
	EXPECT_EQ(PATTERN, word_at(0));
	EXPECT_EQ(0, probe_write_seg(TEST0_SEL, 0xFFFFFFFCu, 0x4321));
	EXPECT_EQ(0x4321, word_at(PAGE_SIZE - 4));
	EXPECT_TRUE(write_faults(TEST0_SEL, top - 4));
	EXPECT_TRUE(write_faults(TEST0_SEL, 0xFFFFFFFEu)); /* wraps past 4 GiB */
	slots_reset();
}

/*
 * Code segments are base and bounds too, and here QEMU checks the limit
 * (far transfers go through its descriptor checks): a far call to offset o
 * runs the code at base + o, and an offset past the limit is #GP.
 */
KTEST(segment, "a far call runs code at base + offset; past the limit it raises #GP")
{
	uint32_t routine = lin(seg_demo_routine), v = 0;

	gdt_set_code_segment(GDT_TEST1, routine - 0x100, 0x1FF, false, 0);
	EXPECT_EQ(0, probe_far_call(TEST1_SEL, 0x100, &v));
	EXPECT_EQ(0x2A, v);
	/* Relocate: another base, another offset, the same code. */
	gdt_set_code_segment(GDT_TEST1, routine - 0x10, 0x1FF, false, 0);
	v = 0;
	EXPECT_EQ(0, probe_far_call(TEST1_SEL, 0x10, &v));
	EXPECT_EQ(0x2A, v);
	/* Past the limit: the CPU refuses before fetching anything. */
	EXPECT_EQ(ERR_FAULT, probe_far_call(TEST1_SEL, 0x200, &v));
	EXPECT_EQ(T_GPF, last_fixed_fault.vector);
	slots_reset();
}

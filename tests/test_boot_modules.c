/*
 * Suite bootinfo, this boot's modules: every module the boot loader listed
 * keeps its memory, however many there are (the runner boots with ten;
 * boot_info's table holds eight).  The list is read from the boot loader's
 * own structures, not from the table under test.
 */
#include "tests/ktest.h"
#include "kernel/bootinfo.h"
#include "boot/multiboot.h"
#include "mm/init.h"
#include "mm/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/errno.h"

/* Physical memory through the direct map (the boot information is kept
 * reserved in low memory); anything past it is unreadable. */
static int direct_read(paddr_t addr, void *dst, size_t len)
{
	if (addr >= mm_direct_end() || len > mm_direct_end() - addr)
		return ERR_RANGE;
	memcpy(dst, mm_phys_to_virt(addr), len);
	return 0;
}

/* True if every page of [start, end) lies in a reserved region of the
 * boot memory map, and so never reached the buddy allocator. */
static bool range_reserved(paddr_t start, paddr_t end)
{
	for (paddr_t pa = ALIGN_DOWN(start, PAGE_SIZE); pa < end;) {
		const struct mem_region *reg = memmap_find_reserved(&boot_memmap, pa);
		if (!reg)
			return false;
		pa = reg->end;
	}
	return true;
}

struct module_tally {
	unsigned seen, unreserved;
};

static void tally_module(struct module_tally *t, uint32_t start, uint32_t end)
{
	t->seen++;
	if (!range_reserved(start, end)) {
		t->unreserved++;
		printk("# module %u at %#x-%#x is not reserved\n", t->seen, start, end);
	}
}

/* Every module the boot loader listed, read from its own structures (not
 * from boot_info's table, which holds BOOT_MODULES_MAX). */
static int tally_boot_modules(struct module_tally *t)
{
	paddr_t info = boot_info.info_start;
	uint32_t w[4];

	if (boot_info.version == 1) {
		if (direct_read(info, w, 4))
			return ERR_RANGE;
		if (!(w[0] & MB1_INFO_MODS))
			return 0;
		if (direct_read(info + 20, w, 8)) /* mods_count, mods_addr */
			return ERR_RANGE;
		/* the list itself, read here long after the boot */
		if (w[0] && !range_reserved(w[1], (paddr_t)w[1] + (paddr_t)w[0] * 16)) {
			t->unreserved++;
			printk("# the module list at %#x (%u entries) is not reserved\n", w[1], w[0]);
		}
		for (uint32_t i = 0, n = w[0], at = w[1]; i < n; i++) {
			if (direct_read(at + i * 16, w, 8)) /* start, end */
				return ERR_RANGE;
			tally_module(t, w[0], w[1]);
		}
		return 0;
	}
	for (paddr_t tag = info + MB2_INFO_FIRST_TAG; tag + 8 <= boot_info.info_end;
	     tag += ALIGN_UP((paddr_t)w[1], MB2_TAG_ALIGN)) {
		if (direct_read(tag, w, 16) || w[1] < 8)
			return ERR_RANGE;
		if (w[0] == MB2_TAG_END)
			break;
		if (w[0] == MB2_TAG_MODULE)
			tally_module(t, w[2], w[3]);
	}
	return 0;
}

KTEST(bootinfo, "every module of this boot is reserved, those past the table's 8 too")
{
	struct module_tally t = { 0, 0 };

	ASSERT_EQ(0, tally_boot_modules(&t));
	EXPECT_EQ(boot_info.module_count + boot_info.modules_ignored, t.seen);
	EXPECT_EQ(0, t.unreserved);
}

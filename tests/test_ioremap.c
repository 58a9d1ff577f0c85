/*
 * Suite ioremap: device registers mapped uncached, with the local APIC's
 * registers as the device (every x86 CPU since the Pentium has one at
 * 0xFEE00000 unless the firmware moved it).
 */
#include "tests/ktest.h"
#include "mm/ioremap.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/paging.h"
#include "arch/x86/cpu_tables.h"
#include "arch/x86/pat.h"
#include "arch/x86/trap.h"
#include "mm/report.h"
#include "lib/errno.h"

#define LAPIC_VERSION 0x30 /* register offset: version in bits 0-7 */

KTEST(ioremap, "ioremap maps device registers uncached: PCD and PWT set, memory type UC")
{
	unsigned areas0 = vmalloc_nr_areas();
	volatile uint32_t *regs = ioremap(LAPIC_DEFAULT_PHYS, PAGE_SIZE);
	uint32_t flags = 0, v;
	paddr_t pa = 0;

	ASSERT_NOT_NULL(regs);
	EXPECT_EQ(areas0 + 1, vmalloc_nr_areas());
	EXPECT_GE((vaddr_t)regs, VMALLOC_START);
	EXPECT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)regs, &pa, &flags));
	EXPECT_EQ(LAPIC_DEFAULT_PHYS, pa);
	EXPECT_EQ(PTE_PCD | PTE_PWT, flags & (PTE_PCD | PTE_PWT | PTE_PAT));
	EXPECT_EQ(PAT_UC, pat_type_of(flags, false));
	EXPECT_TRUE(flags & PTE_RW);
	/* An integrated local APIC reports version 0x10 or more. */
	EXPECT_GE(regs[LAPIC_VERSION / 4] & 0xFF, 0x10);
	/* Like any vmalloc area, a guard page follows. */
	EXPECT_EQ(ERR_FAULT, probe_read(regs + PAGE_SIZE / 4, &v));
	iounmap((void *)regs);
	EXPECT_EQ(areas0, vmalloc_nr_areas());
	EXPECT_EQ(ERR_FAULT, probe_read(regs, &v));
}

static void keep_run(const struct pt_range *r, void *ctx)
{
	*(struct pt_range *)ctx = *r;
}

KTEST(ioremap, "the page-table dump shows an ioremap'ed page's cache bits (pt VA VA2)")
{
	volatile uint32_t *regs = ioremap(LAPIC_DEFAULT_PHYS, PAGE_SIZE);
	struct pt_range r = { 0 };

	ASSERT_NOT_NULL(regs);
	ptdump_walk(kernel_as.as_pgdir, (vaddr_t)regs, (vaddr_t)regs + PAGE_SIZE, false,
		    keep_run, &r);
	EXPECT_EQ((vaddr_t)regs, r.r_start);
	EXPECT_EQ(LAPIC_DEFAULT_PHYS, r.r_pa);
	EXPECT_EQ(PTE_PCD | PTE_PWT, r.r_flags & (PTE_PCD | PTE_PWT | PDE_PAT_LARGE));
	EXPECT_FALSE(r.r_flags & PDE_PS); /* bit 7 of a table entry is PAT, not 4 MiB */
	iounmap((void *)regs);
}

KTEST(ioremap, "an unaligned address maps its page and points inside it")
{
	volatile uint32_t *ver = ioremap(LAPIC_DEFAULT_PHYS + LAPIC_VERSION, 4);
	paddr_t pa = 0;

	ASSERT_NOT_NULL(ver);
	EXPECT_EQ(LAPIC_VERSION, (vaddr_t)ver & (PAGE_SIZE - 1));
	EXPECT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)ver, &pa, NULL));
	EXPECT_EQ(LAPIC_DEFAULT_PHYS + LAPIC_VERSION, pa);
	EXPECT_GE(*ver & 0xFF, 0x10);
	iounmap((void *)ver);
}

KTEST(ioremap, "ioremap refuses an empty, wrapping or above-4-GiB range")
{
	report_expect(3); /* each with a report naming the caller */
	EXPECT_NULL(ioremap(LAPIC_DEFAULT_PHYS, 0));
	EXPECT_NULL(ioremap(0xFFFFFFFFFFFFF000ull, 2 * PAGE_SIZE));
	EXPECT_NULL(ioremap(0x100000000ull, PAGE_SIZE));
	iounmap(NULL);
}

KTEST(ioremap, "the PAT makes PCD|PWT uncached and a plain page write-back")
{
	EXPECT_TRUE(pat_uncached_ok());
	EXPECT_EQ(PAT_WB, pat_type_of(PTE_PRESENT, false));
	EXPECT_EQ(PAT_UC, pat_type_of(PTE_PRESENT | PTE_PCD | PTE_PWT, false));
	EXPECT_EQ(PAT_WT, pat_type_of(PTE_PRESENT | PTE_PWT, false));
	/* Bit 7 is PAT in a table entry, PS in a directory entry. */
	EXPECT_EQ(PAT_WB, pat_type_of(PTE_PRESENT | PDE_PS, true));
	EXPECT_STREQ("UC-", pat_type_name(PAT_UC_MINUS));
}

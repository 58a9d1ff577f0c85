/*
 * Suite paging, part 1: the kernel's tables and the address-space
 * operations, each checked against what the CPU does (probe_read and
 * probe_write fault or not) rather than against our own bookkeeping.
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "tests/paging_util.h"
#include "mm/vmm.h"
#include "mm/paging.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "lib/errno.h"
#include "lib/string.h"

extern char __text_start[], __data_start[], boot_page_directory[];

KTEST(paging, "the kernel runs on its own tables: NULL unmapped, text read-only, data writable")
{
	static volatile uint32_t data_word = 5;
	uint32_t flags, v;
	paddr_t pa;

	EXPECT_NE((uint32_t)((vaddr_t)boot_page_directory - KERNEL_VBASE),
		  read_cr3());
	EXPECT_EQ(kernel_as.as_pgdir_phys, read_cr3());
	EXPECT_TRUE(read_cr0() & CR0_WP);
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(&kernel_as, 0, &pa, &flags));
	EXPECT_EQ(ERR_FAULT, probe_read(NULL, &v));
	/* Text: present, not writable, and a write faults as a protection
	 * violation even in ring 0. */
	ASSERT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)__text_start, &pa, &flags));
	EXPECT_EQ((vaddr_t)__text_start - KERNEL_VBASE, pa);
	EXPECT_EQ(0, flags & (PTE_RW | PTE_USER));
	EXPECT_EQ(ERR_FAULT, probe_write(__text_start + 64, 0));
	EXPECT_EQ(PF_ERR_PRESENT | PF_ERR_WRITE, last_fixed_fault.error & 7);
	EXPECT_EQ(0, probe_write(&data_word, 6));
	EXPECT_EQ(6, data_word);
	/* The last byte of low memory is mapped at its direct-map address. */
	ASSERT_EQ(0, vmm_translate(&kernel_as, KERNEL_VBASE + mm_direct_end() - 1,
				   &pa, &flags));
	EXPECT_EQ(mm_direct_end() - 1, pa);
	EXPECT_EQ(paging_uses_pge() ? PTE_GLOBAL : 0, flags & PTE_GLOBAL);
	EXPECT_EQ(paging_uses_pse(), (read_cr4() & CR4_PSE) != 0);
	EXPECT_EQ(paging_uses_pge(), (read_cr4() & CR4_PGE) != 0);
}

KTEST(paging, "translate agrees with what was mapped, page by page")
{
	unsigned long free0 = frames_free_settled();
	struct addr_space *as = vmm_create();
	struct page *pg = alloc_pages(GFP_KERNEL, 2);
	uint32_t flags;
	paddr_t pa;

	if (!EXPECT_NOT_NULL(as) || !EXPECT_NOT_NULL(pg) ||
	    !EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(pg), 4 * PAGE_SIZE,
				  VMM_WRITE | VMM_USER)))
		goto out;
	for (unsigned i = 0; i < 4; i++) {
		if (!EXPECT_EQ(0, vmm_translate(as, TEST_VA + i * PAGE_SIZE + 0x123,
						&pa, &flags)))
			goto out;
		EXPECT_EQ(page_to_phys(pg) + i * PAGE_SIZE + 0x123, pa);
		EXPECT_EQ(PTE_PRESENT | PTE_RW | PTE_USER,
			  flags & (PTE_PRESENT | PTE_RW | PTE_USER));
	}
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(as, TEST_VA + 4 * PAGE_SIZE, &pa, NULL));
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(as, TEST_VA - PAGE_SIZE, &pa, NULL));
	report_expect(6); /* each bad argument below is reported */
	EXPECT_EQ(ERR_RANGE, vmm_map(as, KERNEL_VBASE, 0, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_RANGE, vmm_map(as, 0, 0, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_map(as, TEST_VA + 1, 0, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_RANGE, vmm_map(as, 0xBFFFF000, 0, 2 * PAGE_SIZE, 0));
	/* frames that end exactly at 2^64 (pa + size is 0) or pass 4 GiB */
	EXPECT_EQ(ERR_RANGE, vmm_map(as, TEST_VA, 0 - (paddr_t)PAGE_SIZE, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_RANGE, vmm_map(as, TEST_VA, 0x100000000ull - PAGE_SIZE, 2 * PAGE_SIZE, 0));
out:
	if (as)
		vmm_destroy(as);
	if (pg) {
		/* The caller's frames survived the destroy: they are ours to free. */
		EXPECT_TRUE(pg->flags & PG_ALLOCATED);
		__free_pages(pg, 2);
	}
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(paging, "protect takes effect at once: a write faults when read-only, succeeds after")
{
	struct addr_space *as = vmm_create();
	volatile uint32_t *p = (volatile uint32_t *)TEST_VA;
	unsigned long inv0;

	ASSERT_NOT_NULL(as);
	vmm_switch(as);
	if (!EXPECT_EQ(0, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_KERNEL)))
		goto out;
	EXPECT_EQ(0, probe_write(p, 1));
	inv0 = pgt_invlpg_count;
	EXPECT_EQ(0, vmm_protect(as, TEST_VA, PAGE_SIZE, 0));
	EXPECT_EQ(inv0 + 1, pgt_invlpg_count);
	EXPECT_EQ(ERR_FAULT, probe_write(p, 2));
	EXPECT_EQ(PF_ERR_PRESENT | PF_ERR_WRITE, last_fixed_fault.error & 7);
	EXPECT_EQ(TEST_VA, last_fixed_fault.cr2);
	EXPECT_EQ(1, *p);
	EXPECT_EQ(0, vmm_protect(as, TEST_VA, PAGE_SIZE, VMM_WRITE));
	EXPECT_EQ(0, probe_write(p, 3));
	EXPECT_EQ(3, *p);
	/* Asking for what is already there changes nothing: no invlpg. */
	inv0 = pgt_invlpg_count;
	EXPECT_EQ(0, vmm_protect(as, TEST_VA, PAGE_SIZE, VMM_WRITE));
	EXPECT_EQ(inv0, pgt_invlpg_count);
out:
	vmm_destroy(as);
	EXPECT_PTR_EQ(&kernel_as, vmm_current());
}

KTEST(paging, "after remapping to a new frame a read returns the new frame's contents")
{
	struct addr_space *as = vmm_create();
	struct page *a = alloc_page(GFP_KERNEL), *b = alloc_page(GFP_KERNEL);
	uint32_t v = 0;

	if (!EXPECT_NOT_NULL(as) || !EXPECT_TRUE(a && b))
		goto out;
	*(uint32_t *)page_address(a) = 0xAAAA0001;
	*(uint32_t *)page_address(b) = 0xBBBB0002;
	vmm_switch(as);
	if (!EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(a), PAGE_SIZE, 0)))
		goto out;
	EXPECT_EQ(0, probe_read((void *)TEST_VA, &v)); /* the TLB now holds a */
	EXPECT_EQ(0xAAAA0001, v);
	if (!EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(b), PAGE_SIZE, 0)))
		goto out;
	EXPECT_EQ(0, probe_read((void *)TEST_VA, &v));
	EXPECT_EQ(0xBBBB0002, v);
	/* unmap, then the probe faults: not present */
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, PAGE_SIZE));
	EXPECT_EQ(ERR_FAULT, probe_read((void *)TEST_VA, &v));
	EXPECT_EQ(0, last_fixed_fault.error & PF_ERR_PRESENT);
out:
	if (as)
		vmm_destroy(as);
	if (a)
		__free_page(a);
	if (b)
		__free_page(b);
}

KTEST(paging, "invlpg only when needed: not for a new entry, not for a space not running")
{
	struct addr_space *as = vmm_create();
	struct page *pg = alloc_page(GFP_KERNEL);
	unsigned long inv0;

	if (!EXPECT_TRUE(as && pg))
		goto out;
	inv0 = pgt_invlpg_count;
	if (!EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(pg), PAGE_SIZE, 0)))
		goto out;
	EXPECT_EQ(0, vmm_protect(as, TEST_VA, PAGE_SIZE, VMM_WRITE));
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, PAGE_SIZE));
	EXPECT_EQ(inv0, pgt_invlpg_count); /* `as` is not in CR3 */
	vmm_switch(as);
	if (!EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(pg), PAGE_SIZE, 0)))
		goto out;
	EXPECT_EQ(inv0, pgt_invlpg_count); /* not present before */
	/* one for the entry, one for the directory entry of the table that
	 * the unmap emptied and freed */
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, PAGE_SIZE));
	EXPECT_EQ(inv0 + 2, pgt_invlpg_count);
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, PAGE_SIZE)); /* already gone */
	EXPECT_EQ(inv0 + 2, pgt_invlpg_count);
out:
	if (as)
		vmm_destroy(as);
	if (pg)
		__free_page(pg);
}

/* Directory entries of the kernel half that differ from the kernel's own.
 * The CPU sets ACCESSED (and, in a 4 MiB page's entry, DIRTY) in whichever
 * copy it walked, so those bits are not compared: everything else (the
 * table or page they point at, the permissions) must be equal. */
static unsigned kernel_half_differences(const struct addr_space *as)
{
	unsigned n = 0;

	for (unsigned i = KERNEL_PDE_FIRST; i < PTRS_PER_TABLE; i++)
		n += ((as->as_pgdir[i].pde ^ kernel_as.as_pgdir[i].pde) &
		      ~(uint32_t)(PTE_ACCESSED | PTE_DIRTY)) != 0;
	return n;
}

KTEST(paging, "the same user address holds different data in two spaces; the kernel half is shared")
{
	struct addr_space *a = vmm_create(), *b = vmm_create();
	volatile uint32_t *p = (volatile uint32_t *)TEST_VA;
	static volatile uint32_t kernel_word = 0x4B4B;

	if (!EXPECT_TRUE(a && b) ||
	    !EXPECT_EQ(0, vmm_alloc(a, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_HIGHUSER)) ||
	    !EXPECT_EQ(0, vmm_alloc(b, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_HIGHUSER)))
		goto out;
	vmm_switch(a);
	*p = 0xA;
	vmm_switch(b);
	*p = 0xB;
	EXPECT_EQ(0x4B4B, kernel_word);
	vmm_switch(a);
	EXPECT_EQ(0xA, *p);
	EXPECT_EQ(0x4B4B, kernel_word);
	vmm_switch(b);
	EXPECT_EQ(0xB, *p);
	EXPECT_EQ(0, kernel_half_differences(a));
	EXPECT_EQ(0, kernel_half_differences(b));
	vmm_switch(&kernel_as);
out:
	if (a)
		vmm_destroy(a);
	if (b)
		vmm_destroy(b);
}

KTEST(paging, "destroy returns every page: tables, owned frames, demand-zero pages, the space")
{
	unsigned long free0 = frames_free_settled();
	struct addr_space *as = vmm_create();
	uint32_t v;

	ASSERT_NOT_NULL(as);
	/* Spread over several page tables, some frames from HIGHMEM. */
	for (unsigned i = 0; i < 8; i++) {
		if (!EXPECT_EQ(0, vmm_alloc(as, TEST_VA + i * 0x01000000u,
					    5 * PAGE_SIZE, VMM_WRITE,
					    i & 1 ? GFP_HIGHUSER : GFP_KERNEL)))
			goto out;
	}
	if (!EXPECT_EQ(0, vmm_demand_zero(as, 0x20000000, 16 * PAGE_SIZE, VMM_WRITE)))
		goto out;
	vmm_switch(as);
	if (!EXPECT_EQ(0, probe_read((void *)0x20003000, &v)) ||
	    !EXPECT_EQ(0, probe_write((void *)0x20007000, 1)))
		goto out;
	EXPECT_EQ(8 * 5 + 2, as->as_owned_pages);
	EXPECT_EQ(9, as->as_table_pages);
	EXPECT_LT(buddy_free_pages(), free0);
out:
	vmm_destroy(as);
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(paging, "an unmap that empties a page table frees it at once; the rest of the space lives on")
{
	unsigned long free0 = frames_free_settled();
	struct addr_space *as = vmm_create();
	struct pgt_walk w;
	uint32_t v;

	ASSERT_NOT_NULL(as);
	if (!EXPECT_EQ(0, vmm_alloc(as, TEST_VA, 2 * PAGE_SIZE, VMM_WRITE, GFP_KERNEL)) ||
	    !EXPECT_EQ(0, vmm_alloc(as, TEST_VA + PGDIR_SIZE, PAGE_SIZE, VMM_WRITE,
				    GFP_KERNEL)))
		goto out;
	EXPECT_EQ(2, as->as_table_pages);
	vmm_switch(as);
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, PAGE_SIZE));
	EXPECT_EQ(2, as->as_table_pages); /* one entry left in the first */
	EXPECT_EQ(0, probe_write((void *)(TEST_VA + PAGE_SIZE), 7));
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA + PAGE_SIZE, PAGE_SIZE));
	EXPECT_EQ(1, as->as_table_pages);
	pgt_walk(as->as_pgdir, TEST_VA + PAGE_SIZE, &w);
	EXPECT_EQ(0, w.w_level); /* the directory entry is gone too */
	EXPECT_EQ(ERR_FAULT, probe_read((void *)(TEST_VA + PAGE_SIZE), &v));
	EXPECT_EQ(0, probe_write((void *)(TEST_VA + PGDIR_SIZE), 8)); /* the other table */
	EXPECT_EQ(0, probe_read((void *)(TEST_VA + PGDIR_SIZE), &v));
	EXPECT_EQ(8, v);
	/* the space maps its first table again on demand */
	if (!EXPECT_EQ(0, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_KERNEL)))
		goto out;
	EXPECT_EQ(2, as->as_table_pages);
	EXPECT_EQ(0, probe_write((void *)TEST_VA, 9));
	vmm_switch(&kernel_as);
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, PGDIR_SIZE + PAGE_SIZE));
	EXPECT_EQ(0, as->as_table_pages); /* not running: freed all the same */
	EXPECT_EQ(0, as->as_owned_pages);
out:
	vmm_destroy(as);
	EXPECT_EQ(free0, frames_free_settled());
}

/* Whether every word of the mapped page at va is zero. */
static bool page_reads_zero(vaddr_t va)
{
	const volatile uint32_t *w = (const volatile uint32_t *)va;
	bool zero = true;

	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		zero &= w[i] == 0;
	return zero;
}

KTEST(paging, "demand-zero pages appear on first touch and not before")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct addr_space *as = vmm_create();
	const vaddr_t r = 0x30000000;
	struct page *dirty[2];
	unsigned long faults0;
	uint32_t v = 1;
	paddr_t pa = 0;

	ASSERT_NOT_NULL(as);
	if (!EXPECT_EQ(0, vmm_demand_zero(as, r, 4 * PAGE_SIZE, VMM_WRITE)))
		goto out;
	EXPECT_EQ(ERR_EXISTS, vmm_demand_zero(as, r + PAGE_SIZE, PAGE_SIZE, 0));
	vmm_switch(as);
	faults0 = vmm_demand_faults;
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(as, r + PAGE_SIZE, NULL, NULL));
	EXPECT_EQ(0, as->as_owned_pages);
	/* The fault must zero what it maps: the only free frames left, one
	 * for the page table and one for the page, are dirty. */
	EXPECT_TRUE(frames_leave_dirty(dirty, 2, &taken));
	if (!EXPECT_EQ(0, probe_read((void *)(r + PAGE_SIZE + 8), &v))) {
		frames_give_back(&taken);
		goto out;
	}
	frames_give_back(&taken);
	EXPECT_EQ(0, v);
	EXPECT_EQ(faults0 + 1, vmm_demand_faults);
	EXPECT_EQ(0, vmm_translate(as, r + PAGE_SIZE, &pa, NULL));
	EXPECT_TRUE(pa == page_to_phys(dirty[0]) || pa == page_to_phys(dirty[1]));
	EXPECT_TRUE(page_reads_zero(r + PAGE_SIZE));
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(as, r, NULL, NULL));
	EXPECT_EQ(0, probe_write((void *)(r + PAGE_SIZE + 8), 42));
	EXPECT_EQ(0, probe_read((void *)(r + PAGE_SIZE + 8), &v));
	EXPECT_EQ(42, v);
	EXPECT_EQ(faults0 + 1, vmm_demand_faults); /* not again */
	EXPECT_EQ(1, as->as_owned_pages);
	/* Just past the region: an ordinary fault. */
	EXPECT_EQ(ERR_FAULT, probe_read((void *)(r + 4 * PAGE_SIZE), &v));
	EXPECT_EQ(faults0 + 1, vmm_demand_faults);
	/* A read-only region gives a page to a read, refuses a write. */
	if (!EXPECT_EQ(0, vmm_demand_zero(as, 0x31000000, PAGE_SIZE, 0)))
		goto out;
	EXPECT_EQ(ERR_FAULT, probe_write((void *)0x31000000, 1));
	if (EXPECT_EQ(0, probe_read((void *)0x31000000, &v)))
		EXPECT_EQ(faults0 + 2, vmm_demand_faults);
out:
	vmm_destroy(as);
}

/* The ACCESSED and DIRTY bits of TEST_VA's entry (~0 if unmapped). */
static uint32_t ad_bits(struct addr_space *as)
{
	uint32_t flags;

	if (vmm_translate(as, TEST_VA, NULL, &flags))
		return ~0u;
	return flags & (PTE_ACCESSED | PTE_DIRTY);
}

KTEST(paging, "accessed and dirty bits: a read sets A, a write sets D, cleared bits come back")
{
	struct addr_space *as = vmm_create();
	uint32_t v;

	ASSERT_NOT_NULL(as);
	if (!EXPECT_EQ(0, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_KERNEL)))
		goto out;
	vmm_switch(as);
	for (int round = 0; round < 2; round++) {
		/* Round 1 after the kernel cleared both: the CPU sets them
		 * again (vmm_clear_accessed_dirty invalidated the TLB entry). */
		EXPECT_EQ(0, ad_bits(as));
		EXPECT_EQ(0, probe_read((void *)TEST_VA, &v));
		EXPECT_EQ(PTE_ACCESSED, ad_bits(as));
		EXPECT_EQ(0, probe_write((void *)TEST_VA, 9));
		EXPECT_EQ(PTE_ACCESSED | PTE_DIRTY, ad_bits(as));
		EXPECT_EQ(0, vmm_clear_accessed_dirty(as, TEST_VA));
	}
out:
	vmm_destroy(as);
}

KTEST(paging, "out of memory in vmm_alloc changes no mapping, even over mapped pages, and keeps no new table")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct addr_space *as = vmm_create();
	struct page *frame = alloc_page(GFP_KERNEL);
	struct page *spare[2] = { alloc_page(GFP_KERNEL), alloc_page(GFP_KERNEL) };
	paddr_t pa = 0;

	/* Once mapped, the table exists already, so only frames can run out. */
	if (!EXPECT_NOT_NULL(as) || !EXPECT_NOT_NULL(frame) ||
	    !EXPECT_TRUE(spare[0] && spare[1]) ||
	    !EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(frame), PAGE_SIZE,
				  VMM_WRITE))) {
		/* past this point the test frees the spares itself */
		for (int i = 0; i < 2; i++)
			if (spare[i])
				__free_page(spare[i]);
		goto out;
	}
	frames_take_all(GFP_HIGHUSER, &taken);
	__free_page(spare[0]); /* exactly two frames left: enough for half */
	__free_page(spare[1]);
	EXPECT_EQ(ERR_NO_MEMORY, vmm_alloc(as, TEST_VA, 4 * PAGE_SIZE, VMM_WRITE, GFP_KERNEL));
	/* where a table had to be made first, it goes back with the failure */
	EXPECT_EQ(ERR_NO_MEMORY, vmm_alloc(as, TEST_VA + PGDIR_SIZE, 4 * PAGE_SIZE, VMM_WRITE,
					   GFP_KERNEL));
	EXPECT_EQ(1, as->as_table_pages);
	frames_give_back(&taken);
	EXPECT_EQ(0, vmm_translate(as, TEST_VA, &pa, NULL));
	EXPECT_EQ(page_to_phys(frame), pa);
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(as, TEST_VA + PAGE_SIZE, &pa, NULL));
out:
	if (as)
		vmm_destroy(as);
	if (frame)
		__free_page(frame);
}

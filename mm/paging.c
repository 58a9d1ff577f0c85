/*
 * The kernel's own page tables: theory of operation.
 *
 * boot/entry.asm ran the kernel on a boot directory in .bss whose direct
 * map mm_init stretched over low memory with every page writable.
 * paging_init replaces it with tables built here from buddy frames:
 *
 *   0xC0000000 + pa   the direct map of [0, mm_direct_end()): 4 MiB pages
 *                     where CPUID reports PSE, except the 4 MiB chunks that
 *                     need per-page permissions (page 0, the kernel image,
 *                     a partial last chunk), which get a page table;
 *                     without PSE, page tables throughout.
 *     page 0          not mapped: NULL dereferences fault.
 *     text, rodata    read-only (with CR0.WP ring 0 obeys it too);
 *     .ksyms          read-only;
 *     data, bss       writable, except the boot stack's guard page, which
 *                     stays unmapped so an overflow faults (and the
 *                     double-fault task reports it).
 *   VMALLOC_START..FIXMAP_BASE
 *                     empty page tables, made now so that the kernel half's
 *                     directory entries never change again (mm/vmm.c, 1).
 *   FIXMAP_BASE..     the boot fixmap table from entry.asm, reused.
 *
 * Kernel entries get the global bit where CPUID reports PGE (CR4.PGE is set
 * after the switch), so switching address spaces keeps them in the TLB.
 * The boot directory and tables are left in .bss, unused; the early page
 * tables bootmem gave the no-PSE direct map (one 4 KiB table per 4 MiB of
 * low memory) go back to the buddy once the switch is made.
 */
#include "mm/paging.h"
#include "mm/vmm.h"
#include "mm/highmem.h"
#include "mm/buddy.h"
#include "mm/init.h"
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "lib/panic.h"
#include "lib/printk.h"

extern char __text_start[], __data_start[], __ksyms_start[], __kernel_end[];
extern char boot_stack_guard[];
extern pte_t fixmap_page_table[PTRS_PER_TABLE];

static bool use_pse, use_pge;

bool paging_uses_pse(void)
{
	return use_pse;
}

bool paging_uses_pge(void)
{
	return use_pge;
}

static bool va_in(vaddr_t va, const char *start, const char *end)
{
	return va >= (vaddr_t)start && va < (vaddr_t)end;
}

/* The entry flags of the direct-map page for frame pa; 0: leave unmapped. */
static uint32_t direct_page_flags(paddr_t pa)
{
	vaddr_t va = (vaddr_t)pa + KERNEL_VBASE;
	uint32_t f = PTE_PRESENT | (use_pge ? PTE_GLOBAL : 0);

	if (pa == 0 || va == (vaddr_t)boot_stack_guard)
		return 0;
	if (va_in(va, __text_start, __data_start) ||
	    va_in(va, __ksyms_start, __kernel_end))
		return f;
	return f | PTE_RW;
}

/* Whether the 4 MiB chunk at pa can be one large page. */
static bool chunk_is_uniform(paddr_t pa, paddr_t direct_end)
{
	paddr_t image_end = (vaddr_t)__kernel_end - KERNEL_VBASE;

	return use_pse && pa != 0 && pa >= image_end &&
	       pa + PGDIR_SIZE <= direct_end;
}

static void map_chunk_small(pde_t *pgdir, paddr_t pa, paddr_t direct_end)
{
	pte_t *table = pgt_alloc_table();

	if (!table)
		panic("paging: no memory for the direct map's page tables");
	for (unsigned j = 0; j < PTRS_PER_TABLE; j++) {
		paddr_t frame = pa + (paddr_t)j * PAGE_SIZE;
		uint32_t flags = frame < direct_end ? direct_page_flags(frame) : 0;
		if (flags)
			table[j] = make_pte(frame, flags);
	}
	pgdir[pde_index((vaddr_t)pa + KERNEL_VBASE)] =
		make_pde(mm_virt_to_phys(table), PTE_PRESENT | PTE_RW);
}

static void map_direct(pde_t *pgdir, paddr_t direct_end)
{
	for (paddr_t pa = 0; pa < direct_end; pa += PGDIR_SIZE) {
		if (!chunk_is_uniform(pa, direct_end)) {
			map_chunk_small(pgdir, pa, direct_end);
			continue;
		}
		pgdir[pde_index((vaddr_t)pa + KERNEL_VBASE)] = make_pde(
			pa, PTE_PRESENT | PTE_RW | PDE_PS |
				    (use_pge ? PTE_GLOBAL : 0));
	}
}

/* Empty tables for the rest of the kernel half, so that its directory
 * entries are final before any address space copies them. */
static void preallocate_kernel_tables(pde_t *pgdir)
{
	for (uint64_t va = VMALLOC_START; va < FIXMAP_BASE; va += PGDIR_SIZE)
		if (!pgt_lookup_alloc(pgdir, (vaddr_t)va, PTE_RW))
			panic("paging: no memory for the kernel's page tables");
	pgdir[pde_index(FIXMAP_BASE)] = make_pde(
		mm_virt_to_phys(fixmap_page_table), PTE_PRESENT | PTE_RW);
}

/* Loads the new directory; the double-fault task must use it too, since it
 * maps the task's stack (in .bss) like the boot directory did. */
static void switch_to(pde_t *pgdir)
{
	uint32_t phys = (uint32_t)mm_virt_to_phys(pgdir);

	write_cr0(read_cr0() | CR0_WP);
	if (use_pse)
		write_cr4(read_cr4() | CR4_PSE);
	write_cr3(phys);
	if (use_pge)
		write_cr4(read_cr4() | CR4_PGE);
	gdt_set_df_cr3(phys);
}

void paging_init(void)
{
	uint32_t edx = cpu_features_edx();
	pde_t *pgdir;

	use_pse = (edx & CPUID_EDX_PSE) != 0;
	use_pge = (edx & CPUID_EDX_PGE) != 0;
	pgdir = pgt_alloc_table();
	if (!pgdir)
		panic("paging: no memory for the kernel page directory");
	map_direct(pgdir, mm_direct_end());
	preallocate_kernel_tables(pgdir);
	switch_to(pgdir);
	mm_free_early_tables(); /* nothing walks them any more */
	vmm_init(pgdir, use_pge);
	fault_init();
	kmap_init();
	printk("paging: kernel page directory at phys %#llx; %s; %s; CR0.WP on\n",
	       mm_virt_to_phys(pgdir),
	       use_pse ? "PSE: 4 MiB pages for the direct map"
		       : "no PSE: 4 KiB pages throughout",
	       use_pge ? "PGE: kernel pages global" : "no PGE: no global pages");
	ptdump_print_kernel(pgdir);
}

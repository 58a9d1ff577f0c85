/*
 * The kernel's account of its own mappings: a walk of a page directory that
 * merges neighbouring pages into runs, used for the boot log's layout table
 * and for the outside witness (tests/witness.c), which QEMU's "info mem"
 * must agree with.
 */
#include "mm/memmap.h"
#include "mm/paging.h"
#include "mm/pgtable.h"
#include "mm/platform.h"
#include "mm/report.h"

/* What a run keeps of its entries' flags besides RW and USER (not by_prot):
 * GLOBAL, PS (4 MiB) and the cache attributes, PAT as PDE_PAT_LARGE. */
#define RUN_FLAGS (PTE_RW | PTE_USER | PTE_GLOBAL | PDE_PS | PTE_PWT | PTE_PCD | PDE_PAT_LARGE)

struct ptdump_run {
	bool open;
	bool by_prot;
	struct pt_range r;
	ptdump_fn fn;
	void *ctx;
};

static void add_pages(struct ptdump_run *run, vaddr_t va, uint64_t size,
		      paddr_t pa, uint32_t flags)
{
	struct pt_range *r = &run->r;

	flags &= run->by_prot ? (PTE_RW | PTE_USER) : RUN_FLAGS;
	if (run->open && r->r_end == va && r->r_flags == flags &&
	    (run->by_prot || r->r_pa + (r->r_end - r->r_start) == pa)) {
		r->r_end += size;
		return;
	}
	if (run->open)
		run->fn(r, run->ctx);
	run->open = true;
	*r = (struct pt_range){ va, (uint64_t)va + size, pa, flags };
}

/* Adds the present entries of one page table, from va up to end. */
static uint64_t walk_table(struct ptdump_run *run, pde_t d, uint64_t va,
			   uint64_t end)
{
	const pte_t *t = pde_table(d);
	/* RW and USER count only when the directory entry allows them too. */
	uint32_t allow = d.pde | ~(uint32_t)(PTE_RW | PTE_USER);

	for (unsigned j = pte_index((vaddr_t)va); j < PTRS_PER_TABLE && va < end;
	     j++, va += PAGE_SIZE) {
		uint32_t f = pte_flags(t[j]) & allow;
		if (!pte_present(t[j]))
			continue;
		/* bit 7 is PAT in a table entry, PS in a directory entry */
		f = (f & ~(uint32_t)PTE_PAT) | (f & PTE_PAT ? PDE_PAT_LARGE : 0);
		add_pages(run, (vaddr_t)va, PAGE_SIZE, pte_phys(t[j]), f);
	}
	return va;
}

void ptdump_walk(const pde_t *pgdir, vaddr_t start, uint64_t end,
		 bool by_prot, ptdump_fn fn, void *ctx)
{
	struct ptdump_run run = { .by_prot = by_prot, .fn = fn, .ctx = ctx };
	uint64_t va = start;

	if (!pgt_directory_ok(pgdir, "ptdump_walk", MM_CALLER()))
		return;
	if (!fn) {
		mm_report_caller(REPORT_INVALID_ARG, 0, MM_CALLER(),
				 "ptdump_walk: a NULL function to call for each run");
		return;
	}
	while (va < end) {
		pde_t d = pgdir[pde_index((vaddr_t)va)];
		uint64_t next = ALIGN_DOWN(va, (uint64_t)PGDIR_SIZE) + PGDIR_SIZE;
		if (!pde_present(d))
			va = next;
		else if (pde_large(d)) {
			add_pages(&run, (vaddr_t)va, next - va,
				  pde_large_phys(d) + (va - ALIGN_DOWN(va, (uint64_t)PGDIR_SIZE)),
				  d.pde);
			va = next;
		} else
			va = walk_table(&run, d, va, end);
	}
	if (run.open)
		fn(&run.r, ctx);
}

extern char __text_start[], __data_start[], __ksyms_start[], __kernel_end[];

static const char *region_name(vaddr_t va)
{
	if (va >= (vaddr_t)__text_start && va < (vaddr_t)__data_start)
		return "kernel text and rodata";
	if (va >= (vaddr_t)__data_start && va < (vaddr_t)__ksyms_start)
		return "kernel data and bss";
	if (va >= (vaddr_t)__ksyms_start && va < (vaddr_t)__kernel_end)
		return "kernel symbol table";
	if (va >= VMALLOC_START && va < VMALLOC_END)
		return "vmalloc";
	if (va >= KMAP_BASE && va < FIXMAP_BASE)
		return "kmap window";
	if (va >= FIXMAP_BASE)
		return "fixmap";
	return "direct map";
}

static void print_run(const struct pt_range *r, void *ctx)
{
	(void)ctx;
	mm_printf("  %08x-%08llx %7llu KiB -> phys %08llx  r%c%c %s %s  %s%s%s%s\n",
		  (unsigned)r->r_start, r->r_end, (r->r_end - r->r_start) >> 10,
		  r->r_pa, r->r_flags & PTE_RW ? 'w' : '-',
		  r->r_flags & PTE_USER ? 'u' : '-',
		  r->r_flags & PTE_GLOBAL ? "global" : "      ",
		  r->r_flags & PDE_PS ? "4M" : "4K", region_name(r->r_start),
		  r->r_flags & PTE_PWT ? " pwt" : "", r->r_flags & PTE_PCD ? " pcd" : "",
		  r->r_flags & PDE_PAT_LARGE ? " pat" : "");
}

/* Prints a run, after a line for the unmapped gap before it, if any. */
static void print_run_after_gap(const struct pt_range *r, void *ctx)
{
	uint64_t *next = ctx;

	if (r->r_start > *next)
		mm_printf("  %08llx-%08x %7llu KiB    not mapped\n", *next,
			  (unsigned)r->r_start, (r->r_start - *next) >> 10);
	print_run(r, NULL);
	*next = r->r_end;
}

void ptdump_print_range(const pde_t *pgdir, vaddr_t start, uint64_t end)
{
	uint64_t next = start;

	if (!pgt_directory_ok(pgdir, "ptdump_print_range", MM_CALLER()))
		return;
	ptdump_walk(pgdir, start, end, false, print_run_after_gap, &next);
	if (next < end)
		mm_printf("  %08llx-%08llx %7llu KiB    not mapped\n", next, end,
			  (end - next) >> 10);
}

void ptdump_print_kernel(const pde_t *pgdir)
{
	if (!pgt_directory_ok(pgdir, "ptdump_print_kernel", MM_CALLER()))
		return;
	mm_printf("paging: kernel half (virtual, size, physical, permissions):\n");
	ptdump_walk(pgdir, KERNEL_VBASE, MEMMAP_LIMIT, false, print_run, NULL);
	mm_printf("  (not listed: not mapped; page 0 and the user half are empty)\n");
}

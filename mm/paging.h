/*
 * The kernel's page tables (mm/paging.c), the account of what they map
 * (mm/ptdump.c) and the page-fault handler (mm/fault.c).
 */
#ifndef MM_PAGING_H
#define MM_PAGING_H

#include "mm/pgtable.h"

/*
 * Builds the kernel's page directory from buddy frames, loads it into CR3
 * (and into the double-fault task), registers the page-fault handler and
 * kmap, and prints the layout.  Call once, after mm_init.  Panics when the
 * tables cannot be allocated: there is no kernel without them.
 */
void paging_init(void);

/* Whether paging_init used 4 MiB pages (CPUID PSE) and global pages (PGE). */
bool paging_uses_pse(void);
bool paging_uses_pge(void);

/* One run of virtual pages with the same effective flags and contiguous
 * frames: [start, end) -> pa onwards. */
struct pt_range {
	vaddr_t r_start;
	uint64_t r_end; /* exclusive; may be 4 GiB */
	paddr_t r_pa;
	/* effective PTE_RW and PTE_USER; not by_prot also PTE_GLOBAL, PDE_PS
	 * (a 4 MiB page), PTE_PWT, PTE_PCD and PDE_PAT_LARGE (PAT, at either
	 * level) */
	uint32_t r_flags;
};
typedef void (*ptdump_fn)(const struct pt_range *r, void *ctx);

/*
 * Calls fn for each maximal run of mappings in [start, end) of pgdir, in
 * address order.  With by_prot, runs merge on RW and USER alone (QEMU's
 * "info mem" view); otherwise frames must also be contiguous and the GLOBAL,
 * PS and cache bits equal.  A pgdir that is no page-aligned direct-map
 * address, or a NULL fn, is a REPORT_INVALID_ARG naming the caller, and
 * nothing is walked; the same for the printing calls below.
 */
void ptdump_walk(const pde_t *pgdir, vaddr_t start, uint64_t end,
		 bool by_prot, ptdump_fn fn, void *ctx);
/* Prints the runs of pgdir in [start, end), and the unmapped gaps between
 * them, one a line (the shell's `pt VA1 VA2`). */
void ptdump_print_range(const pde_t *pgdir, vaddr_t start, uint64_t end);
/* Prints the kernel half of pgdir, one run a line, with names. */
void ptdump_print_kernel(const pde_t *pgdir);

/* The page-fault handler and the fatal report's page walk. */
void fault_init(void);
/* Prints the walk of va in the directory at CR3, level by level. */
void fault_print_walk(vaddr_t va);
/* The likely cause of a page fault at va with error code err, as the fatal
 * report gives it, into buf: a demand-zero region that could not serve it
 * (out of memory, or an access it forbids) if this CPU's last fault there
 * was one, else what the error code and the address suggest.  Returns buf. */
const char *fault_likely_cause(uint32_t err, vaddr_t va, char *buf, size_t size);

#endif

/*
 * Two-level i386 page tables as C types, and the few primitives every user
 * of them shares (mm/paging.c, mm/vmm.c, mm/fault.c, mm/ptdump.c).
 *
 * A virtual address splits 10/10/12: the top ten bits index the page
 * directory (1024 pde_t), the next ten a page table (1024 pte_t), the low
 * twelve are the offset in a 4 KiB page.  A directory entry with PDE_PS
 * maps a whole 4 MiB page itself (needs CR4.PSE).  The bits are named in
 * arch/x86/mmu.h; pde_t and pte_t are one-member structs so that a
 * directory entry, a table entry and a plain number cannot be mixed up.
 *
 * Every page directory and page table is one frame from the buddy allocator,
 * owned OWNER_PAGETABLE and taken from low memory, so the kernel reaches it
 * through the direct map.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include "lib/types.h"
#include "arch/x86/layout.h"
#include "arch/x86/mmu.h"

typedef struct { uint32_t pde; } pde_t;
typedef struct { uint32_t pte; } pte_t;

static inline unsigned pde_index(vaddr_t va) { return va >> PGDIR_SHIFT; }
static inline unsigned pte_index(vaddr_t va)
{
	return (va >> PAGE_SHIFT) & (PTRS_PER_TABLE - 1);
}

static inline pde_t make_pde(paddr_t pa, uint32_t flags)
{
	return (pde_t){ (uint32_t)pa | flags };
}
static inline pte_t make_pte(paddr_t pa, uint32_t flags)
{
	return (pte_t){ ((uint32_t)pa & PTE_FRAME_MASK) | flags };
}
static inline bool pde_present(pde_t d) { return d.pde & PTE_PRESENT; }
static inline bool pde_large(pde_t d) { return (d.pde & PDE_PS) != 0; }
static inline paddr_t pde_table_phys(pde_t d) { return d.pde & PTE_FRAME_MASK; }
static inline paddr_t pde_large_phys(pde_t d) { return d.pde & PDE_4M_FRAME_MASK; }
static inline bool pte_present(pte_t e) { return e.pte & PTE_PRESENT; }
static inline paddr_t pte_phys(pte_t e) { return e.pte & PTE_FRAME_MASK; }
static inline uint32_t pte_flags(pte_t e) { return e.pte & PTE_FLAGS_MASK; }

/* The page table a present, non-large directory entry points at. */
static inline pte_t *pde_table(pde_t d)
{
	return (pte_t *)(uintptr_t)(pde_table_phys(d) + KERNEL_VBASE);
}

/*
 * Allocates a zeroed page-table frame (a directory or a table) from low
 * memory and marks it OWNER_PAGETABLE.  Returns its direct-map address, or
 * NULL when memory is exhausted.  A fault-injection site
 * (MM_ALLOC_PGTABLE).  pgt_free_table gives it back; given anything but a
 * page table pgt_alloc_table returned -- a misaligned or foreign address
 * (REPORT_OUT_OF_RANGE), a frame freed already (REPORT_DOUBLE_FREE), a
 * frame of another owner (REPORT_NOT_ALLOCATED) -- it reports, naming the
 * caller, and frees nothing.  Not detected: a table still in use.
 */
void *pgt_alloc_table(void);
void pgt_free_table(void *table);

/* The look-up and the entry changes below are mm/'s own primitives (the
 * address-space code's hot path): their arguments are not checked. */

/* The entry for va, or NULL when its table does not exist (or va lies in a
 * 4 MiB page). */
pte_t *pgt_lookup(pde_t *pgdir, vaddr_t va);
/* The same, creating the table with directory flags pde_flags; NULL when
 * out of memory.  Never called on a 4 MiB page. */
pte_t *pgt_lookup_alloc(pde_t *pgdir, vaddr_t va, uint32_t pde_flags);

/*
 * Replaces *p (the entry for va) with val.  `live` says the directory is
 * loaded in CR3 or va is in the shared kernel half: then the old
 * translation may sit in the TLB, and it is invalidated with invlpg, but
 * only if the old entry was present (the TLB never caches a not-present
 * entry).  Returns the old entry.
 */
pte_t pgt_set(pte_t *p, pte_t val, vaddr_t va, bool live);

/*
 * Clears the directory entry *d (covering va), whose table is about to be
 * freed.  When live, an invlpg of va also drops the paging-structure
 * caches' copy of the entry (SDM 4.10.4.1), so the CPU cannot walk the
 * freed table; the table's own entries must already be clear and
 * invalidated.
 */
void pgt_clear_pde(pde_t *d, vaddr_t va, bool live);

/* invlpg instructions issued by pgt_set since boot (for the tests). */
extern unsigned long pgt_invlpg_count;

/*
 * One translation, level by level: what the walk found and where it stopped.
 * level 0: the directory entry was not present; 1: it maps a 4 MiB page;
 * 2: a page-table entry was read (present or not).
 */
struct pgt_walk {
	pde_t w_pde;
	pte_t w_pte;
	int w_level;
	bool w_present; /* the translation exists */
	paddr_t w_pa; /* the physical address when present */
	uint32_t w_flags; /* effective flags: RW and USER of both levels ANDed */
};
/* A pgdir that is no page-aligned direct-map address (NULL among them) is
 * a REPORT_INVALID_ARG naming the caller, and the walk says level 0, not
 * present.  Not detected: another frame read as if it were a directory. */
void pgt_walk(const pde_t *pgdir, vaddr_t va, struct pgt_walk *w);
/* Whether pgdir can be read as a directory: page-aligned, in the direct
 * map, not the NULL page's alias; if not, a REPORT_INVALID_ARG naming fn
 * and caller. */
bool pgt_directory_ok(const pde_t *pgdir, const char *fn, uintptr_t caller);

#endif

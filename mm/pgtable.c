/*
 * Page-table primitives shared by the kernel's tables and every address
 * space: table frames, look-up, the one place an entry is replaced (with the
 * TLB invalidation rule), and the level-by-level walk.  See mm/pgtable.h.
 *
 * The look-up and the entry changes are the address-space code's own
 * primitives, on its hot paths: their arguments are its invariants, not
 * checked.  pgt_free_table and pgt_walk, which code outside mm/ reaches,
 * check theirs and report.
 */
#include "mm/pgtable.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "mm/platform.h"
#include "arch/x86/cpu.h"

unsigned long pgt_invlpg_count;

void *pgt_alloc_table(void)
{
	struct page *pg;

	if (mm_should_fail(MM_ALLOC_PGTABLE, MM_CALLER()))
		return NULL;
	pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!pg)
		return NULL;
	page_set_owner(pg, OWNER_PAGETABLE);
	return page_address(pg);
}

/* The page of table if it is a page-table frame; NULL after a report. */
static struct page *table_page(const void *table, uintptr_t caller)
{
	struct page *pg = IS_ALIGNED((uintptr_t)table, PAGE_SIZE) ?
				  virt_to_page_checked(table) : NULL;

	if (pg && page_owner(pg) == OWNER_PAGETABLE && (pg->flags & PG_ALLOCATED))
		return pg;
	if (!pg)
		mm_report_caller(REPORT_OUT_OF_RANGE, (uintptr_t)table, caller,
				 "pgt_free_table(%p): expected the page-aligned direct-map address of a page table",
				 table);
	else if (page_owner(pg) == OWNER_NONE && !(pg->flags & PG_ALLOCATED))
		mm_report_caller(REPORT_DOUBLE_FREE, (uintptr_t)table, caller,
				 "pgt_free_table(%p): the frame is free already", table);
	else
		mm_report_caller(REPORT_NOT_ALLOCATED, (uintptr_t)table, caller,
				 "pgt_free_table(%p): the frame is no page table (owner %s)",
				 table, page_owner_name(page_owner(pg)));
	return NULL;
}

void pgt_free_table(void *table)
{
	struct page *pg = table_page(table, MM_CALLER());

	if (!pg)
		return;
	page_set_owner(pg, OWNER_NONE);
	__free_page(pg);
}

pte_t *pgt_lookup(pde_t *pgdir, vaddr_t va)
{
	pde_t d = pgdir[pde_index(va)];

	if (!pde_present(d) || pde_large(d))
		return NULL;
	return &pde_table(d)[pte_index(va)];
}

pte_t *pgt_lookup_alloc(pde_t *pgdir, vaddr_t va, uint32_t pde_flags)
{
	pde_t *d = &pgdir[pde_index(va)];
	void *table;

	if (pde_present(*d))
		return pgt_lookup(pgdir, va);
	table = pgt_alloc_table();
	if (!table)
		return NULL;
	/* A new directory entry needs no invlpg: it was not present. */
	*d = make_pde(mm_virt_to_phys(table), pde_flags | PTE_PRESENT);
	return &((pte_t *)table)[pte_index(va)];
}

pte_t pgt_set(pte_t *p, pte_t val, vaddr_t va, bool live)
{
	pte_t old = *p;

	*p = val;
	if (live && pte_present(old)) {
		invlpg(va);
		pgt_invlpg_count++;
	}
	return old;
}

void pgt_clear_pde(pde_t *d, vaddr_t va, bool live)
{
	d->pde = 0;
	if (live) {
		invlpg(va);
		pgt_invlpg_count++;
	}
}

bool pgt_directory_ok(const pde_t *pgdir, const char *fn, uintptr_t caller)
{
	paddr_t pa = mm_virt_to_phys(pgdir);

	if (IS_ALIGNED((uintptr_t)pgdir, PAGE_SIZE) && pa && pa < mm_direct_end())
		return true;
	mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)pgdir, caller,
			 "%s(%p): expected the page-aligned direct-map address of a page directory",
			 fn, (const void *)pgdir);
	return false;
}

void pgt_walk(const pde_t *pgdir, vaddr_t va, struct pgt_walk *w)
{
	w->w_pde.pde = 0;
	w->w_pte.pte = 0;
	w->w_present = false;
	w->w_pa = 0;
	w->w_flags = 0;
	w->w_level = 0;
	if (!pgt_directory_ok(pgdir, "pgt_walk", MM_CALLER()))
		return;
	w->w_pde = pgdir[pde_index(va)];
	if (!pde_present(w->w_pde)) {
		w->w_level = 0;
		return;
	}
	if (pde_large(w->w_pde)) {
		w->w_level = 1;
		w->w_present = true;
		w->w_pa = pde_large_phys(w->w_pde) + (va & (PGDIR_SIZE - 1));
		w->w_flags = w->w_pde.pde & PTE_FLAGS_MASK;
		return;
	}
	w->w_level = 2;
	w->w_pte = pde_table(w->w_pde)[pte_index(va)];
	if (!pte_present(w->w_pte))
		return;
	w->w_present = true;
	w->w_pa = pte_phys(w->w_pte) + (va & (PAGE_SIZE - 1));
	/* RW and USER take effect only when both levels allow them. */
	w->w_flags = pte_flags(w->w_pte) &
		     (w->w_pde.pde | ~(uint32_t)(PTE_RW | PTE_USER));
}

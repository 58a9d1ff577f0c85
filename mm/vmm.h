/*
 * Address spaces: a page directory whose user half (below KERNEL_VBASE)
 * belongs to one space and whose kernel half is shared by all.  See
 * mm/vmm.c for the theory of operation.
 *
 * Ownership of mapped frames is explicit and recorded per page in the
 * software bit PTE_OWNED:
 *   vmm_map          maps the caller's frames; unmap leaves them alone.
 *   vmm_alloc        allocates frames and maps them; the space owns them,
 *                    and unmap, remap or destroy frees them.
 *   vmm_demand_zero  reserves a range; each page gets an owned, zeroed frame
 *                    on the first access (the page-fault handler).
 *
 * None of these may be called from an interrupt handler other than the
 * page-fault path itself.  Each takes the space's lock (as_lock), so CPUs
 * may share a space; a change another CPU may have cached is shot down
 * before a frame is freed (mm/vmm.c, 3).
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include "mm/pgtable.h"
#include "mm/gfp.h"
#include "lib/spinlock.h"
#include "lib/cpumask.h"

/* Protection of a mapping.  Present pages are always readable on i386. */
#define VMM_WRITE 0x1u /* writable (ring 0 honours it too: CR0.WP) */
#define VMM_USER 0x2u /* ring 3 may access */
#define VMM_NOCACHE 0x4u /* uncached (PCD|PWT: UC through the PAT), for devices */

#define VMM_MAX_REGIONS 16 /* demand-zero regions per address space */

struct vmm_region {
	vaddr_t r_start, r_end; /* [start, end), page-aligned */
	unsigned r_prot;
};

/*
 * as_lock guards the page tables (the kernel half's entries for kernel_as),
 * the regions and the two counters.  as_cpus is changed atomically by each
 * CPU for itself (vmm_switch) and read without the lock.  The rest is set
 * at create time.
 */
struct addr_space {
	pde_t *as_pgdir; /* direct-map address of the page directory */
	paddr_t as_pgdir_phys; /* what CR3 holds while this space runs */
	bool as_kernel; /* the kernel's own space: never destroyed */
	struct spinlock as_lock;
	cpumask_t as_cpus; /* CPUs running this space (its user half cached) */
	unsigned as_nr_regions;
	struct vmm_region as_regions[VMM_MAX_REGIONS];
	unsigned long as_table_pages; /* page tables of the user half */
	unsigned long as_owned_pages; /* frames the space owns */
};

/* The kernel's space: the tables paging_init built.  Its operations accept
 * only [VMALLOC_START, FIXMAP_BASE) (vmalloc and kmap). */
extern struct addr_space kernel_as;

/* Called once by paging_init with the kernel directory. */
void vmm_init(pde_t *kernel_pgdir, bool global_pages);

/* Makes the cache address spaces come from; after kmem_init, before the
 * first vmm_create. */
void vmm_cache_init(void);
/* A new space sharing the kernel half; NULL when out of memory (or before
 * vmm_cache_init). */
struct addr_space *vmm_create(void);
/* Returns every table and owned frame, then the space itself.  The kernel
 * space is switched to first if `as` is running here; no other CPU may be
 * running it. */
void vmm_destroy(struct addr_space *as);
/* Loads the space's directory into this CPU's CR3 and records which CPUs
 * run which space (as_cpus), for TLB shootdowns. */
void vmm_switch(struct addr_space *as);
struct addr_space *vmm_current(void);

/*
 * Map [va, va + size) to the caller's frames [pa, pa + size).  va, pa and
 * size page-aligned; an existing mapping is replaced (an owned frame under
 * it is freed).  Returns 0, ERR_RANGE (outside what the space may map, or
 * wrapping), ERR_INVALID_ARGS (misaligned) or ERR_NO_MEMORY (no page table;
 * the range is then left unmapped).
 */
int vmm_map(struct addr_space *as, vaddr_t va, paddr_t pa, size_t size,
	    unsigned prot);
/* Map fresh frames from alloc_page(gfp), owned by the space (gfp may
 * include __GFP_HIGHMEM and __GFP_ZERO).  Errors as vmm_map. */
int vmm_alloc(struct addr_space *as, vaddr_t va, size_t size, unsigned prot,
	      gfp_t gfp);
/* Reserve a demand-zero range; nothing is mapped until it is touched.
 * ERR_EXISTS if it overlaps a region, ERR_NO_MEMORY if the table is full. */
int vmm_demand_zero(struct addr_space *as, vaddr_t va, size_t size,
		    unsigned prot);
/* Unmap, freeing owned frames; drops demand-zero regions wholly inside. */
int vmm_unmap(struct addr_space *as, vaddr_t va, size_t size);
/* Change the protection of the mapped pages (and of regions inside). */
int vmm_protect(struct addr_space *as, vaddr_t va, size_t size,
		unsigned prot);

/* The frame behind va and the effective entry flags (PTE_* bits: RW and
 * USER of both levels, ACCESSED, DIRTY...).  0 or ERR_NOT_FOUND. */
int vmm_translate(struct addr_space *as, vaddr_t va, paddr_t *pa,
		  uint32_t *flags);
/* Clears ACCESSED and DIRTY of va's page so that the CPU sets them again. */
int vmm_clear_accessed_dirty(struct addr_space *as, vaddr_t va);

/* The page-fault path: gives a demand-zero page to the current space for a
 * not-present fault at addr with error code err.  0, or ERR_NOT_FOUND when
 * addr is no region of it (or the access is not allowed there). */
int vmm_demand_fault(vaddr_t addr, uint32_t err);

/* Demand-zero faults served since boot (for tests and benchmarks). */
extern unsigned long vmm_demand_faults;

#endif

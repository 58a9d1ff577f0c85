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
#define VMM_PROT_ALL (VMM_WRITE | VMM_USER | VMM_NOCACHE)

#define VMM_MAX_REGIONS 16 /* demand-zero regions per address space */

/* as_magic of a live space, and of one vmm_destroy has taken apart. */
#define AS_MAGIC 0xA5AC0DE5u
#define AS_DEAD 0xA5DEAD00u

struct vmm_region {
	vaddr_t r_start, r_end; /* [start, end), page-aligned */
	unsigned r_prot;
};

/*
 * as_lock guards the page tables (the kernel half's entries for kernel_as),
 * the regions and the two counters.  as_cpus is changed atomically by each
 * CPU for itself (vmm_switch) and read without the lock.  The rest is set
 * at create time.  as_magic is AS_MAGIC and as_self the space's own
 * address from vmm_create until vmm_destroy (not in the first two words,
 * which a free slab object lends to the slab).
 */
struct addr_space {
	pde_t *as_pgdir; /* direct-map address of the page directory */
	paddr_t as_pgdir_phys; /* what CR3 holds while this space runs */
	uint32_t as_magic; /* AS_MAGIC while live, AS_DEAD once destroyed */
	const struct addr_space *as_self; /* itself while live (a copy is not) */
	bool as_kernel; /* the kernel's own space: never destroyed */
	struct spinlock as_lock;
	cpumask_t as_cpus; /* CPUs running this space (its user half cached) */
	unsigned as_nr_regions;
	struct vmm_region as_regions[VMM_MAX_REGIONS];
	unsigned long as_table_pages; /* page tables of the user half */
	unsigned long as_owned_pages; /* frames the space owns */
};

/*
 * The kernel's space: the tables paging_init built.  Callers may translate
 * in it and switch to it; its mappings change only through vmalloc,
 * ioremap and kmap (the vmm_kernel_* calls below), so the operations that
 * change a space refuse it.
 */
extern struct addr_space kernel_as;

/* Called once by paging_init with the kernel directory. */
void vmm_init(pde_t *kernel_pgdir, bool global_pages);

/* Makes the cache address spaces come from; after kmem_init, before the
 * first vmm_create. */
void vmm_cache_init(void);

/*
 * Bad input (mm/vmm.c, 7).  Every function below that takes an address
 * space checks it first: NULL, a pointer that is no address space (not an
 * object of the "addr_space" cache, or inside one, or one whose magic is
 * overwritten) is a REPORT_BAD_HANDLE; a space vmm_destroy has taken
 * apart, a REPORT_DEAD_HANDLE -- recognised until vmm_create hands the same
 * memory out again, after which the old pointer names the new space and
 * nothing can tell.  A bad address, size, protection or flag is a
 * REPORT_INVALID_ARG.  Each report names the call, what was passed, what
 * was expected and the caller; the call then returns the error given and
 * changes nothing.  Not detected: a call racing with the destroy of its
 * space on another CPU.
 */

/* A new space sharing the kernel half; NULL when out of memory (or before
 * vmm_cache_init).  A fault-injection site (MM_ALLOC_ADDR_SPACE). */
struct addr_space *vmm_create(void);
/*
 * Returns every table and owned frame, then the space itself, and returns
 * 0.  The kernel space is switched to first if `as` is running here.  NULL
 * is ignored (0).  Refused: the kernel's space (REPORT_INVALID_ARG), a bad
 * handle, a space already destroyed (REPORT_DOUBLE_FREE), all with
 * ERR_INVALID_ARGS; a space another CPU is running (REPORT_IN_USE,
 * ERR_BUSY).
 */
int vmm_destroy(struct addr_space *as);
/* The same on behalf of caller, whom the reports name (task_destroy). */
int vmm_destroy_by(struct addr_space *as, uintptr_t caller);
/* Loads the space's directory into this CPU's CR3 and records which CPUs
 * run which space (as_cpus), for TLB shootdowns.  0, or ERR_INVALID_ARGS
 * for a bad or destroyed handle (CR3 unchanged). */
int vmm_switch(struct addr_space *as);
struct addr_space *vmm_current(void);

/*
 * Map [va, va + size) to the caller's frames [pa, pa + size).  va, pa and
 * size page-aligned, size > 0, prot within VMM_PROT_ALL; an existing
 * mapping is replaced (an owned frame under it is freed).  Returns 0,
 * ERR_RANGE (outside [PAGE_SIZE, KERNEL_VBASE), wrapping, or pa beyond
 * 4 GiB), ERR_INVALID_ARGS (misaligned, size 0, unknown prot bits, the
 * kernel's space, a bad handle) -- each of these with a report -- or
 * ERR_NO_MEMORY (no page table; the range is then left unmapped).
 */
int vmm_map(struct addr_space *as, vaddr_t va, paddr_t pa, size_t size,
	    unsigned prot);
/* Map fresh frames from alloc_page(gfp), owned by the space.  gfp may hold
 * __GFP_HIGHMEM, __GFP_DMA, __GFP_ZERO and __GFP_NOWARN (anything else is a
 * REPORT_INVALID_ARG, ERR_INVALID_ARGS).  Errors as vmm_map. */
int vmm_alloc(struct addr_space *as, vaddr_t va, size_t size, unsigned prot,
	      gfp_t gfp);
/* Reserve a demand-zero range; nothing is mapped until it is touched.
 * Arguments and their errors as vmm_map; ERR_EXISTS (no report) if it
 * overlaps a region, ERR_NO_MEMORY if the table of regions is full. */
int vmm_demand_zero(struct addr_space *as, vaddr_t va, size_t size,
		    unsigned prot);
/* Unmap, freeing owned frames; drops demand-zero regions wholly inside.
 * Arguments and their errors as vmm_map; unmapped pages are no error. */
int vmm_unmap(struct addr_space *as, vaddr_t va, size_t size);
/* Change the protection of the mapped pages (and of regions inside): prot
 * within VMM_WRITE | VMM_USER (VMM_NOCACHE is a REPORT_INVALID_ARG,
 * ERR_INVALID_ARGS).  Otherwise as vmm_map. */
int vmm_protect(struct addr_space *as, vaddr_t va, size_t size,
		unsigned prot);

/* The frame behind va and the effective entry flags (PTE_* bits: RW and
 * USER of both levels, ACCESSED, DIRTY...); pa and flags may be NULL.
 * 0, ERR_NOT_FOUND (nothing mapped: no report), or ERR_INVALID_ARGS for a
 * bad handle.  Any va; the kernel's space is accepted. */
int vmm_translate(struct addr_space *as, vaddr_t va, paddr_t *pa,
		  uint32_t *flags);
/* Clears ACCESSED and DIRTY of va's page so that the CPU sets them again.
 * 0, ERR_NOT_FOUND, or ERR_INVALID_ARGS (a bad handle, the kernel's
 * space). */
int vmm_clear_accessed_dirty(struct addr_space *as, vaddr_t va);

/*
 * The page-fault path (mm/fault.c): gives a demand-zero page to the
 * current space for a not-present fault at addr with error code err.
 * Returns 0 when the page is mapped; ERR_NOT_FOUND when no region covers
 * addr; ERR_FAULT when one does but forbids the access (a write to a
 * read-only region, ring 3 in a supervisor one); ERR_NO_MEMORY when no
 * frame or page table could be had even after the buddy's reclaim.  In
 * the last two cases *region receives the region.
 */
int vmm_demand_fault(vaddr_t addr, uint32_t err, struct vmm_region *region);

/* Demand-zero faults served since boot (for tests and benchmarks). */
extern unsigned long vmm_demand_faults;

/*
 * The kernel half, for mm/vmalloc.c and mm/ioremap.c only: [va, va + size)
 * lies in [VMALLOC_START, VMALLOC_END), page-aligned, in an area they own
 * (their own invariant: asserted, not reported).  vmm_kernel_alloc maps
 * fresh owned frames, vmm_kernel_map the frames at pa with prot; both 0 or
 * ERR_NO_MEMORY, changing nothing then.  vmm_kernel_unmap frees the owned
 * frames and shoots the range down on every CPU before it returns.
 */
int vmm_kernel_alloc(vaddr_t va, size_t size, gfp_t gfp);
int vmm_kernel_map(vaddr_t va, paddr_t pa, size_t size, unsigned prot);
void vmm_kernel_unmap(vaddr_t va, size_t size);

#endif

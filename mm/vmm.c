/*
 * Address spaces: theory of operation.
 *
 * 1. Two halves.  Directory entries 0..KERNEL_PDE_FIRST-1 (below
 *    KERNEL_VBASE) are private to a space; entries KERNEL_PDE_FIRST..1023
 *    are the kernel's, copied into each new directory at create time.  The
 *    copy stays correct forever because paging_init creates every page
 *    table the kernel half will ever need (direct map, vmalloc, kmap,
 *    fixmap) before the first space exists: after that a kernel-half change
 *    writes a table entry, never a directory entry, and all spaces see it
 *    through the shared table.  (Linux/i386 instead copies directory
 *    entries lazily in its vmalloc fault path; preallocation costs 29
 *    tables, 116 KiB, and has no fault path to get wrong.)
 *
 * 2. Ownership.  Each user-half table entry says whether the space owns its
 *    frame (PTE_OWNED, a bit the CPU ignores).  Owned frames come from
 *    vmm_alloc or a demand-zero fault and are freed when the entry is
 *    replaced or cleared; frames mapped with vmm_map belong to the caller.
 *    A space also owns its directory and user-half tables.  as_owned_pages
 *    and as_table_pages count both; destroy asserts they come back to zero.
 *
 * 3. The TLB.  Every entry change goes through pgt_set, which issues invlpg
 *    when the old entry was present and the change is live on this CPU: the
 *    space is in its CR3, or the address is in the shared kernel half
 *    (kernel entries are global where PGE exists, so a CR3 reload would not
 *    drop them either).  Filling a not-present entry needs nothing; the TLB
 *    caches no absences.  Other CPUs may hold the old entry too: an
 *    operation notes the pages whose present entries it changed, and the
 *    frames and page tables it lets go, in a struct vmm_flush; at its end
 *    flush_finish shoots the range down on the CPUs that may hold it -- all
 *    others for the kernel half, the space's as_cpus for a user half -- and
 *    only then gives the frames and tables back (arch/x86/tlb.c).  A space
 *    that runs on no other CPU costs nothing more.
 *
 *    A user-half table counts its present entries in its struct page;
 *    when an unmap (or a failed map) leaves one with none, the table goes
 *    back to the buddy at once, with its directory entry, instead of
 *    waiting for destroy.
 *
 * 4. Demand zero.  A region is a range with a protection and no frames.
 *    The page-fault handler (mm/fault.c) calls vmm_demand_fault for a
 *    not-present fault; if the address is in a region of the running space
 *    and the access is allowed, one zeroed frame is mapped and the faulting
 *    instruction runs again.
 *
 * 5. The structure itself comes from its own slab cache, "addr_space"
 *    (Linux's mm_struct cache), made by vmm_cache_init once slab is up;
 *    the kernel's space is static.
 *
 * 6. Several CPUs.  Each operation holds the space's as_lock from its
 *    first look at the tables to the last frame it frees, shootdown
 *    included; functions named __x expect it held.  The order is vmalloc's
 *    lock, then as_lock, then the allocators, then the shootdown lock
 *    (lib/lock_order.h).  Each CPU runs one space (current_as, per CPU).
 *    vmm_switch sets the CPU's bit in the new space's as_cpus before
 *    loading CR3 and clears it in the old one after (the load dropped the
 *    old user entries), so a CPU outside as_cpus caches none of the space.
 *    An operation writes its entries, then (full barrier) reads as_cpus: a
 *    CPU whose bit it missed loaded CR3 after the writes and walks the new
 *    entries.
 *
 * 7. Bad input.  Every public operation checks what its caller gave it
 *    before it takes the lock (mm/vmm_check.c): the space must be a live
 *    one -- in a slab of the cache, carrying AS_MAGIC and its own address,
 *    which vmm_create sets and vmm_destroy overwrites (AS_DEAD) before the
 *    object goes back to the cache; a pointer that fails is then examined
 *    (NULL, foreign, interior, destroyed -- the slab says the object is
 *    free --, overwritten) for the report.  The kernel's space is never a
 *    caller's to change: vmalloc and ioremap reach it through the
 *    vmm_kernel_* calls, whose arguments are their own invariants
 *    (asserted), and kmap writes its window itself.  A bad argument is one
 *    named report, with the caller, and an error; nothing changes.
 */
#include "mm/vmm_internal.h"
#include "mm/memmap.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "lib/errno.h"
#include "lib/panic.h"

static bool is_live(const struct addr_space *as, vaddr_t va)
{
	return as == vmm_current() || va >= KERNEL_VBASE;
}

static uint32_t prot_to_pte(const struct addr_space *as, unsigned prot)
{
	uint32_t f = PTE_PRESENT;

	if (prot & VMM_WRITE)
		f |= PTE_RW;
	if (prot & VMM_USER)
		f |= PTE_USER;
	if (prot & VMM_NOCACHE)
		f |= PTE_PCD | PTE_PWT;
	if (as->as_kernel && vmm_global_kernel_pages)
		f |= PTE_GLOBAL;
	return f;
}

/* Present entries of the user-half table holding entry p (kept in the
 * table's struct page; kernel tables are never counted nor freed). */
static uintptr_t *table_used(const pte_t *p)
{
	return &virt_to_page((const void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE))->private_[0];
}

/* The entry for va, creating its page table in a user space.  A user-half
 * directory entry allows everything (RW, USER): the table entries decide. */
static pte_t *table_entry(struct addr_space *as, vaddr_t va)
{
	pte_t *p = pgt_lookup(as->as_pgdir, va);

	if (p)
		return p;
	ASSERT(!as->as_kernel); /* paging_init made every kernel table */
	p = pgt_lookup_alloc(as->as_pgdir, va, PTE_RW | PTE_USER);
	if (p) {
		*table_used(p) = 0;
		as->as_table_pages++;
	}
	return p;
}

/* Replaces the entry for va; an owned frame under it is freed only after
 * every TLB has forgotten it (__flush_finish).  True when that left a user
 * table empty.  Inlined into the __ functions, which hold as_lock and
 * assert it. */
static __always_inline bool replace_pte(struct addr_space *as, pte_t *p,
					vaddr_t va, pte_t val, struct vmm_flush *f)
{
	pte_t old = pgt_set(p, val, va, is_live(as, va));
	bool emptied = false;

	if (!as->as_kernel && pte_present(old) != pte_present(val)) {
		if (pte_present(val))
			++*table_used(p);
		else
			emptied = --*table_used(p) == 0;
	}
	if (!pte_present(old))
		return emptied; /* no TLB holds an absent entry */
	vmm_flush_page(f, va);
	if (old.pte & PTE_OWNED) {
		vmm_free_later(f, phys_to_page(pte_phys(old)));
		as->as_owned_pages--;
	}
	return emptied;
}

/* Clears the present entries of [va, va + size), freeing owned frames;
 * true when a user table was left empty. */
static bool __unmap_pages(struct addr_space *as, vaddr_t va, size_t size,
			  struct vmm_flush *f)
{
	bool emptied = false;

	LOCK_ASSERT_HELD(&as->as_lock);
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		pte_t *p = pgt_lookup(as->as_pgdir, va + off);
		if (p && pte_present(*p))
			emptied |= replace_pte(as, p, va + off, (pte_t){ 0 }, f);
	}
	return emptied;
}

/* Frees the user-half tables over [va, va + size) that map nothing any
 * more, with their directory entries.  A CPU's paging-structure cache may
 * still hold a cleared directory entry: the shootdown's invlpg drops it
 * (SDM 4.10.4.1) before the table is freed. */
static void __free_empty_tables(struct addr_space *as, vaddr_t va, size_t size,
				struct vmm_flush *f)
{
	LOCK_ASSERT_HELD(&as->as_lock);
	if (as->as_kernel)
		return;
	for (unsigned i = pde_index(va); i <= pde_index(va + size - 1); i++) {
		pde_t *d = &as->as_pgdir[i];
		vaddr_t base = (vaddr_t)i << PGDIR_SHIFT;
		pte_t *table;
		if (!pde_present(*d) || *table_used(pde_table(*d)))
			continue;
		table = pde_table(*d);
		pgt_clear_pde(d, base, is_live(as, base));
		vmm_flush_page(f, base);
		vmm_free_later(f, virt_to_page(table));
		as->as_table_pages--;
	}
}

/* Takes n frames from the buddy onto `frames` (linked through page->lru,
 * which an allocated frame's owner may use); all or nothing. */
static bool take_frames(struct list_node *frames, size_t n, gfp_t gfp)
{
	while (n--) {
		struct page *pg = alloc_page(gfp);
		if (!pg) {
			while (!list_empty(frames)) {
				pg = list_first_entry(frames, struct page, lru);
				list_del(&pg->lru);
				__free_page(pg);
			}
			return false;
		}
		list_add_tail(&pg->lru, frames);
	}
	return true;
}

/*
 * Maps [va, va + size) to pa onwards, or to fresh owned frames when `own`.
 * (Inline, like replace_pte: a map and an unmap together cost about 430
 * instructions, and the calls alone were a tenth of that.)
 * Out of memory changes no mapping: the page tables come first (a table
 * this call made and left empty is freed again on failure), then every
 * frame, and only then are entries written -- a step that cannot fail.
 */
static __always_inline int __map_range(struct addr_space *as, vaddr_t va,
				       size_t size, unsigned prot, paddr_t pa,
				       bool own, gfp_t gfp, struct vmm_flush *f)
{
	uint32_t flags = prot_to_pte(as, prot) | (own ? PTE_OWNED : 0);
	struct list_node frames = LIST_HEAD_INIT(frames);

	LOCK_ASSERT_HELD(&as->as_lock);
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		if (!table_entry(as, va + off)) {
			__free_empty_tables(as, va, size, f);
			return ERR_NO_MEMORY;
		}
	}
	if (own && !take_frames(&frames, size / PAGE_SIZE, gfp)) {
		__free_empty_tables(as, va, size, f);
		return ERR_NO_MEMORY;
	}
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		paddr_t frame = pa + off;
		if (own) {
			struct page *pg = list_first_entry(&frames, struct page, lru);
			list_del(&pg->lru);
			page_set_owner(pg, as->as_kernel ? OWNER_VMALLOC : OWNER_USER);
			as->as_owned_pages++;
			frame = page_to_phys(pg);
		}
		replace_pte(as, pgt_lookup(as->as_pgdir, va + off), va + off,
			      make_pte(frame, flags), f);
	}
	return 0;
}

int __vmm_map_zeroed(struct addr_space *as, vaddr_t va, unsigned prot,
		     struct vmm_flush *f)
{
	LOCK_ASSERT_HELD(&as->as_lock);
	return __map_range(as, va, PAGE_SIZE, prot, 0, true,
			   GFP_HIGHUSER | __GFP_ZERO, f);
}

/* __map_range with the space locked, and its flush. */
static int map_range(struct addr_space *as, vaddr_t va, size_t size,
		     unsigned prot, paddr_t pa, bool own, gfp_t gfp)
{
	struct vmm_flush f;
	int err;

	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	err = __map_range(as, va, size, prot, pa, own, gfp, &f);
	__vmm_flush_finish(as, &f);
	spin_unlock(&as->as_lock);
	return err;
}

/* The frames [pa, pa + size) a vmm_map is given: 0, or the error after one
 * report. */
static int check_frames(paddr_t pa, size_t size, const char *fn, uintptr_t caller)
{
	if (!IS_ALIGNED(pa, PAGE_SIZE)) {
		mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)pa, caller,
				 "%s(pa %#llx): expected a page-aligned physical address",
				 fn, pa);
		return ERR_INVALID_ARGS;
	}
	if (!range_below_u64(pa, size, MEMMAP_LIMIT)) {
		mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)pa, caller,
				 "%s(pa %#llx, size %#zx): expected frames below 4 GiB",
				 fn, pa, size);
		return ERR_RANGE;
	}
	return 0;
}

int vmm_map(struct addr_space *as, vaddr_t va, paddr_t pa, size_t size,
	    unsigned prot)
{
	uintptr_t caller = MM_CALLER();
	int err = vmm_check_user_op(as, va, size, prot, VMM_PROT_ALL, "vmm_map", caller);

	if (!err)
		err = check_frames(pa, size, "vmm_map", caller);
	if (err)
		return err;
	return map_range(as, va, size, prot, pa, false, 0);
}

/* The flags a space's frames may be allocated with. */
#define VMM_GFP_OK (__GFP_DMA | __GFP_HIGHMEM | __GFP_ZERO | __GFP_NOWARN)

int vmm_alloc(struct addr_space *as, vaddr_t va, size_t size, unsigned prot,
	      gfp_t gfp)
{
	uintptr_t caller = MM_CALLER();
	int err = vmm_check_user_op(as, va, size, prot, VMM_PROT_ALL, "vmm_alloc", caller);

	if (err)
		return err;
	if (gfp & ~VMM_GFP_OK) {
		mm_report_caller(REPORT_INVALID_ARG, va, caller,
				 "vmm_alloc(va %#x, gfp %#x): unknown gfp bits %#x (expected within %#x)",
				 (unsigned)va, gfp, gfp & ~VMM_GFP_OK, VMM_GFP_OK);
		return ERR_INVALID_ARGS;
	}
	return map_range(as, va, size, prot, 0, true, gfp);
}

/* The kernel half's entries for vmalloc and ioremap: their ranges are
 * their own invariant. */
static void assert_kernel_range(vaddr_t va, size_t size)
{
	ASSERT(IS_ALIGNED(va, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) && size &&
	       va >= VMALLOC_START && size <= VMALLOC_END - va);
}

int vmm_kernel_alloc(vaddr_t va, size_t size, gfp_t gfp)
{
	assert_kernel_range(va, size);
	return map_range(&kernel_as, va, size, VMM_WRITE, 0, true, gfp);
}

int vmm_kernel_map(vaddr_t va, paddr_t pa, size_t size, unsigned prot)
{
	assert_kernel_range(va, size);
	ASSERT(IS_ALIGNED(pa, PAGE_SIZE) && !(prot & ~(VMM_WRITE | VMM_NOCACHE)));
	return map_range(&kernel_as, va, size, prot, pa, false, 0);
}

/* Drops the demand-zero regions that lie wholly inside [va, va + size). */
static void __drop_regions(struct addr_space *as, vaddr_t va, size_t size)
{
	unsigned i = 0;

	LOCK_ASSERT_HELD(&as->as_lock);
	while (i < as->as_nr_regions) {
		struct vmm_region *r = &as->as_regions[i];
		if (r->r_start >= va && r->r_end - 1 <= va + size - 1)
			*r = as->as_regions[--as->as_nr_regions];
		else
			i++;
	}
}

/* Clears [va, va + size) of as, its regions inside, its emptied tables. */
static void unmap_range(struct addr_space *as, vaddr_t va, size_t size)
{
	struct vmm_flush f;

	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	if (__unmap_pages(as, va, size, &f))
		__free_empty_tables(as, va, size, &f);
	__drop_regions(as, va, size);
	__vmm_flush_finish(as, &f);
	spin_unlock(&as->as_lock);
}

int vmm_unmap(struct addr_space *as, vaddr_t va, size_t size)
{
	int err = vmm_check_user_op(as, va, size, 0, 0, "vmm_unmap", MM_CALLER());

	if (!err)
		unmap_range(as, va, size);
	return err;
}

void vmm_kernel_unmap(vaddr_t va, size_t size)
{
	assert_kernel_range(va, size);
	unmap_range(&kernel_as, va, size);
}

/* Sets RW and USER of the present entries in [va, va + size) to bits. */
static void __protect_pages(struct addr_space *as, vaddr_t va, size_t size,
			    uint32_t bits, struct vmm_flush *f)
{
	LOCK_ASSERT_HELD(&as->as_lock);
	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		pte_t *p = pgt_lookup(as->as_pgdir, va + off);
		pte_t val;
		if (!p || !pte_present(*p))
			continue;
		val.pte = (p->pte & ~(uint32_t)(PTE_RW | PTE_USER)) | bits;
		/* Also when permissions grow: a stale read-only TLB entry would
		 * give a spurious fault (SDM 4.10.4.3), on any CPU. */
		if (val.pte == p->pte)
			continue;
		pgt_set(p, val, va + off, is_live(as, va + off));
		vmm_flush_page(f, va + off);
	}
}

int vmm_protect(struct addr_space *as, vaddr_t va, size_t size, unsigned prot)
{
	int err = vmm_check_user_op(as, va, size, prot, VMM_WRITE | VMM_USER,
				    "vmm_protect", MM_CALLER());
	uint32_t bits;
	struct vmm_flush f;

	if (err)
		return err;
	bits = prot_to_pte(as, prot) & (PTE_RW | PTE_USER);
	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	__protect_pages(as, va, size, bits, &f);
	for (unsigned i = 0; i < as->as_nr_regions; i++)
		if (as->as_regions[i].r_start >= va &&
		    as->as_regions[i].r_end - 1 <= va + size - 1)
			as->as_regions[i].r_prot = prot;
	__vmm_flush_finish(as, &f);
	spin_unlock(&as->as_lock);
	return 0;
}

int vmm_translate(struct addr_space *as, vaddr_t va, paddr_t *pa,
		  uint32_t *flags)
{
	struct pgt_walk w;
	int err = vmm_check_as(as, VMM_CHECK_KERNEL_OK, "vmm_translate", MM_CALLER());

	if (err)
		return err;
	spin_lock(&as->as_lock); /* no table may be freed under the walk */
	pgt_walk(as->as_pgdir, va, &w);
	spin_unlock(&as->as_lock);
	if (!w.w_present)
		return ERR_NOT_FOUND;
	if (pa)
		*pa = w.w_pa;
	if (flags)
		*flags = w.w_flags;
	return 0;
}

int vmm_clear_accessed_dirty(struct addr_space *as, vaddr_t va)
{
	struct vmm_flush f;
	pte_t *p, val;
	int err = vmm_check_as(as, 0, "vmm_clear_accessed_dirty", MM_CALLER());

	if (err)
		return err;
	err = ERR_NOT_FOUND;
	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	p = pgt_lookup(as->as_pgdir, va);
	if (p && pte_present(*p)) {
		/* A TLB entry remembers that A and D are already set; until it
		 * is gone, no CPU holding it writes them again. */
		val.pte = p->pte & ~(uint32_t)(PTE_ACCESSED | PTE_DIRTY);
		pgt_set(p, val, va, is_live(as, va));
		vmm_flush_page(&f, va);
		err = 0;
	}
	__vmm_flush_finish(as, &f);
	spin_unlock(&as->as_lock);
	return err;
}

void __vmm_empty_space(struct addr_space *as, struct vmm_flush *f)
{
	LOCK_ASSERT_HELD(&as->as_lock);
	/* Most spaces have few tables (a task's often none): stop at the last. */
	for (unsigned i = 0; i < KERNEL_PDE_FIRST && as->as_table_pages; i++) {
		pde_t *d = &as->as_pgdir[i];
		pte_t *t;
		if (!pde_present(*d))
			continue;
		t = pde_table(*d);
		for (unsigned j = 0; j < PTRS_PER_TABLE; j++)
			replace_pte(as, &t[j], ((vaddr_t)i << PGDIR_SHIFT) + j * PAGE_SIZE,
				      (pte_t){ 0 }, f);
		d->pde = 0;
		vmm_free_later(f, virt_to_page(t));
		as->as_table_pages--;
	}
}

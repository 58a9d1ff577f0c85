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
 */
#include "mm/vmm_internal.h"
#include "mm/memmap.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/string.h"

struct addr_space kernel_as = {
	.as_lock = SPINLOCK_INIT("kernel_as", LOCK_ORDER_AS),
	.as_kernel = true,
};
LOCK_REGISTER(kernel_as.as_lock);
static struct kmem_cache *as_cachep;
/* The space each CPU runs (its CR3); NULL until the CPU's first switch. */
static DEFINE_PER_CPU(struct addr_space *, current_as);
static bool global_kernel_pages;

void vmm_init(pde_t *kernel_pgdir, bool global_pages)
{
	kernel_as.as_pgdir = kernel_pgdir;
	kernel_as.as_pgdir_phys = mm_virt_to_phys(kernel_pgdir);
	kernel_as.as_kernel = true;
	global_kernel_pages = global_pages;
	this_cpu_write(current_as, &kernel_as);
}

void vmm_cache_init(void)
{
	as_cachep = kmem_cache_create("addr_space", sizeof(struct addr_space), 0, 0, NULL);
	if (!as_cachep)
		panic("vmm: no memory for the addr_space cache");
}

struct addr_space *vmm_current(void)
{
	return this_cpu_read(current_as);
}

void vmm_switch(struct addr_space *as)
{
	struct addr_space *old = vmm_current();
	unsigned me = smp_processor_id();

	cpumask_set(&as->as_cpus, me); /* before the load: see 6 */
	this_cpu_write(current_as, as);
	write_cr3((uint32_t)as->as_pgdir_phys);
	if (old && old != as)
		cpumask_clear(&old->as_cpus, me);
}

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
	if (as->as_kernel && global_kernel_pages)
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
 * table empty. */
static __always_inline bool __replace_pte(struct addr_space *as, pte_t *p,
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

	for (size_t off = 0; off < size; off += PAGE_SIZE) {
		pte_t *p = pgt_lookup(as->as_pgdir, va + off);
		if (p && pte_present(*p))
			emptied |= __replace_pte(as, p, va + off, (pte_t){ 0 }, f);
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
 * (Inline, like __replace_pte: a map and an unmap together cost about 430
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
		__replace_pte(as, pgt_lookup(as->as_pgdir, va + off), va + off,
			      make_pte(frame, flags), f);
	}
	return 0;
}

int __vmm_map_zeroed(struct addr_space *as, vaddr_t va, unsigned prot,
		     struct vmm_flush *f)
{
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

int vmm_map(struct addr_space *as, vaddr_t va, paddr_t pa, size_t size,
	    unsigned prot)
{
	int err = vmm_check_range(as, va, size, prot);

	if (err)
		return err;
	if (!IS_ALIGNED(pa, PAGE_SIZE))
		return ERR_INVALID_ARGS;
	if (!range_below_u64(pa, size, MEMMAP_LIMIT))
		return ERR_RANGE;
	return map_range(as, va, size, prot, pa, false, 0);
}

int vmm_alloc(struct addr_space *as, vaddr_t va, size_t size, unsigned prot,
	      gfp_t gfp)
{
	int err = vmm_check_range(as, va, size, prot);

	if (err)
		return err;
	return map_range(as, va, size, prot, 0, true, gfp);
}

/* Drops the demand-zero regions that lie wholly inside [va, va + size). */
static void __drop_regions(struct addr_space *as, vaddr_t va, size_t size)
{
	unsigned i = 0;

	while (i < as->as_nr_regions) {
		struct vmm_region *r = &as->as_regions[i];
		if (r->r_start >= va && r->r_end - 1 <= va + size - 1)
			*r = as->as_regions[--as->as_nr_regions];
		else
			i++;
	}
}

int vmm_unmap(struct addr_space *as, vaddr_t va, size_t size)
{
	int err = vmm_check_range(as, va, size, 0);
	struct vmm_flush f;

	if (err)
		return err;
	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	if (__unmap_pages(as, va, size, &f))
		__free_empty_tables(as, va, size, &f);
	__drop_regions(as, va, size);
	__vmm_flush_finish(as, &f);
	spin_unlock(&as->as_lock);
	return 0;
}

/* Sets RW and USER of the present entries in [va, va + size) to bits. */
static void __protect_pages(struct addr_space *as, vaddr_t va, size_t size,
			    uint32_t bits, struct vmm_flush *f)
{
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
	int err = vmm_check_range(as, va, size, prot);
	uint32_t bits = prot_to_pte(as, prot) & (PTE_RW | PTE_USER);
	struct vmm_flush f;

	if (err)
		return err;
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
	int err = ERR_NOT_FOUND;

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

struct addr_space *vmm_create(void)
{
	struct addr_space *as = as_cachep ? kmem_cache_alloc(as_cachep, GFP_KERNEL | __GFP_ZERO)
					  : NULL;

	if (!as)
		return NULL;
	as->as_pgdir = pgt_alloc_table();
	if (!as->as_pgdir) {
		kmem_cache_free(as_cachep, as);
		return NULL;
	}
	spin_init(&as->as_lock, "addr_space", LOCK_ORDER_AS);
	as->as_pgdir_phys = mm_virt_to_phys(as->as_pgdir);
	memcpy(&as->as_pgdir[KERNEL_PDE_FIRST],
	       &kernel_as.as_pgdir[KERNEL_PDE_FIRST],
	       (PTRS_PER_TABLE - KERNEL_PDE_FIRST) * sizeof(pde_t));
	return as;
}

/* Clears every user-half entry and directory entry of the space. */
static void __empty_space(struct addr_space *as, struct vmm_flush *f)
{
	/* Most spaces have few tables (a task's often none): stop at the last. */
	for (unsigned i = 0; i < KERNEL_PDE_FIRST && as->as_table_pages; i++) {
		pde_t *d = &as->as_pgdir[i];
		pte_t *t;
		if (!pde_present(*d))
			continue;
		t = pde_table(*d);
		for (unsigned j = 0; j < PTRS_PER_TABLE; j++)
			__replace_pte(as, &t[j], ((vaddr_t)i << PGDIR_SHIFT) + j * PAGE_SIZE,
				      (pte_t){ 0 }, f);
		d->pde = 0;
		vmm_free_later(f, virt_to_page(t));
		as->as_table_pages--;
	}
}

void vmm_destroy(struct addr_space *as)
{
	struct vmm_flush f;

	ASSERT(!as->as_kernel);
	if (as == vmm_current())
		vmm_switch(&kernel_as);
	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	__empty_space(as, &f);
	__vmm_flush_finish(as, &f); /* nobody should run it: normally no IPI */
	ASSERT(as->as_owned_pages == 0 && as->as_table_pages == 0);
	spin_unlock(&as->as_lock);
	pgt_free_table(as->as_pgdir);
	kmem_cache_free(as_cachep, as);
}

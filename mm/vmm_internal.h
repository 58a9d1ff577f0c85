/*
 * What the address-space files share (mm/vmm.c, mm/vmm_flush.c,
 * mm/vmm_demand.c); nothing outside them includes this.
 */
#ifndef MM_VMM_INTERNAL_H
#define MM_VMM_INTERNAL_H

#include "mm/vmm.h"
#include "mm/page.h"
#include "arch/x86/smp.h"
#include "mm/slab.h"
#include "lib/errno.h"

/* What one operation leaves for its end: the pages whose present entries
 * changed, [fl_first, fl_last], and the pages to free once no CPU can
 * reach them through a stale translation (linked through page->lru). */
struct vmm_flush {
	bool fl_any;
	vaddr_t fl_first, fl_last;
	struct list_node fl_free;
};

/* The slow halves, out of line (mm/vmm_flush.c). */
void vmm_shootdown(struct addr_space *as, const struct vmm_flush *f);
void vmm_free_pages(struct vmm_flush *f);

/* Inline: every map and unmap goes through these. */
static inline void vmm_flush_init(struct vmm_flush *f)
{
	f->fl_any = false;
	list_init(&f->fl_free);
}

/* The present entry for va changed. */
static inline void vmm_flush_page(struct vmm_flush *f, vaddr_t va)
{
	if (!f->fl_any || va < f->fl_first)
		f->fl_first = va;
	if (!f->fl_any || va > f->fl_last)
		f->fl_last = va;
	f->fl_any = true;
}

/* pg (an owned frame, a page table) is to be freed after the shootdown. */
static inline void vmm_free_later(struct vmm_flush *f, struct page *pg)
{
	page_set_owner(pg, OWNER_NONE);
	list_add_tail(&pg->lru, &f->fl_free);
}

/* The end of an operation: the shootdown, then the frees (as_lock held,
 * so that no other operation reuses what it frees before that).  With one
 * CPU online there is nobody to shoot down. */
static inline void __vmm_flush_finish(struct addr_space *as, struct vmm_flush *f)
{
	LOCK_ASSERT_HELD(&as->as_lock);
	if (f->fl_any && smp_others_online())
		vmm_shootdown(as, f);
	if (!list_empty(&f->fl_free))
		vmm_free_pages(f);
}

/* --- the checks of a caller's arguments (mm/vmm_check.c) --------------- */

/* The cache of struct addr_space (made by vmm_cache_init). */
extern struct kmem_cache *vmm_as_cachep;

/* How vmm_check_as treats the kernel's space and a destroyed one. */
#define VMM_CHECK_KERNEL_OK 0x1u /* the kernel's space is accepted */
#define VMM_CHECK_DESTROY 0x2u /* a destroyed space is a double free */

/*
 * Whether as is a live address space (a vmm_create'd one, or with
 * VMM_CHECK_KERNEL_OK the kernel's): 0, or ERR_INVALID_ARGS after one
 * report naming fn and caller.  Inline, the cheap test: a direct-map
 * address in a slab of the cache (so its words can be read), carrying
 * AS_MAGIC and its own address -- which a copy, an interior pointer and a
 * destroyed space do not; only a failure looks closer, to say what the
 * pointer is.  Call before taking as_lock (it lives in *as).
 */
int __vmm_check_as(const struct addr_space *as, unsigned how, const char *fn,
		   uintptr_t caller);
static __always_inline bool vmm_as_live(const struct addr_space *as)
{
	struct page *pg = virt_to_page_checked(as);

	if (!pg)
		return false;
	pg = compound_head(pg);
	return page_owner(pg) == OWNER_SLAB && pg->s_cache == vmm_as_cachep &&
	       as->as_magic == AS_MAGIC && as->as_self == as;
}

static __always_inline int vmm_check_as(const struct addr_space *as, unsigned how,
					const char *fn, uintptr_t caller)
{
	if (as == &kernel_as ? how & VMM_CHECK_KERNEL_OK : vmm_as_live(as))
		return 0;
	return __vmm_check_as(as, how, fn, caller);
}

/*
 * The range and protection an operation on a user space was given: va and
 * size page-aligned and size > 0 (else ERR_INVALID_ARGS), inside
 * [PAGE_SIZE, KERNEL_VBASE) without wrapping (else ERR_RANGE), prot within
 * prot_ok (else ERR_INVALID_ARGS).  0, or the error after one report.
 */
int __vmm_bad_range(vaddr_t va, size_t size, unsigned prot, unsigned prot_ok,
		    const char *fn, uintptr_t caller);
static __always_inline int vmm_check_range(vaddr_t va, size_t size, unsigned prot,
					   unsigned prot_ok, const char *fn,
					   uintptr_t caller)
{
	if (likely(IS_ALIGNED(va | size, PAGE_SIZE) && size && va >= PAGE_SIZE &&
		   va < KERNEL_VBASE && size <= KERNEL_VBASE - va && !(prot & ~prot_ok)))
		return 0;
	return __vmm_bad_range(va, size, prot, prot_ok, fn, caller);
}

/* Both checks, for the operations that change a user space. */
static inline int vmm_check_user_op(const struct addr_space *as, vaddr_t va,
				    size_t size, unsigned prot, unsigned prot_ok,
				    const char *fn, uintptr_t caller)
{
	int err = vmm_check_as(as, 0, fn, caller);

	return err ? err : vmm_check_range(va, size, prot, prot_ok, fn, caller);
}

/* Whether kernel-half entries get PTE_GLOBAL (CPUID PGE; vmm_init). */
extern bool vmm_global_kernel_pages;

/* Clears every user-half entry and directory entry of the space, noting
 * in f the frames and tables to free (vmm_destroy); as_lock held. */
void __vmm_empty_space(struct addr_space *as, struct vmm_flush *f);

/* Maps one fresh zeroed frame, owned, at va (a demand-zero page); as_lock
 * held.  0 or ERR_NO_MEMORY. */
int __vmm_map_zeroed(struct addr_space *as, vaddr_t va, unsigned prot,
		     struct vmm_flush *f);

#endif

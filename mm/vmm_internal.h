/*
 * What the address-space files share (mm/vmm.c, mm/vmm_flush.c,
 * mm/vmm_demand.c); nothing outside them includes this.
 */
#ifndef MM_VMM_INTERNAL_H
#define MM_VMM_INTERNAL_H

#include "mm/vmm.h"
#include "mm/page.h"
#include "arch/x86/smp.h"
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

/* The kernel space maps only vmalloc and kmap; a user space everything
 * below KERNEL_VBASE except the NULL page. */
static inline int vmm_check_range(const struct addr_space *as, vaddr_t va,
				  size_t size, unsigned prot)
{
	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || !size)
		return ERR_INVALID_ARGS;
	if (range_wraps_u32(va, size))
		return ERR_RANGE;
	if (as->as_kernel) {
		if (prot & VMM_USER)
			return ERR_INVALID_ARGS;
		if (va < VMALLOC_START || va + size - 1 >= FIXMAP_BASE)
			return ERR_RANGE;
		return 0;
	}
	if (va < PAGE_SIZE || va + size - 1 >= KERNEL_VBASE)
		return ERR_RANGE;
	return 0;
}

/* Maps one fresh zeroed frame, owned, at va (a demand-zero page); as_lock
 * held.  0 or ERR_NO_MEMORY. */
int __vmm_map_zeroed(struct addr_space *as, vaddr_t va, unsigned prot,
		     struct vmm_flush *f);

#endif

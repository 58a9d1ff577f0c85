/*
 * The end of an address-space operation on several CPUs: the TLB
 * shootdown, then the frees (mm/vmm.c, 3 and 6; the protocol is in
 * arch/x86/tlb.c).
 *
 * An operation collects, while it holds the space's lock, the span of
 * pages whose present entries it changed and the frames and page tables
 * it let go.  At its end the span is shot down on the CPUs that may hold a
 * translation in it -- every other CPU for the shared kernel half, the
 * space's as_cpus for a user half -- and only after their acknowledgement
 * do the frames and tables go back to the buddy allocator.  A span of more
 * than TLB_FULL_FLUSH_PAGES pages becomes a whole flush there.
 */
#include "mm/vmm_internal.h"
#include "mm/buddy.h"
#include "arch/x86/tlb.h"

void vmm_shootdown(struct addr_space *as, const struct vmm_flush *f)
{
	cpumask_t cpus;

	smp_mb(); /* the entries are written before we look who runs us */
	cpus = as->as_kernel || f->fl_first >= KERNEL_VBASE ? tlb_other_cpus()
							    : cpumask_read(&as->as_cpus);
	tlb_shootdown(cpus, f->fl_first, (f->fl_last - f->fl_first) / PAGE_SIZE + 1);
}

void vmm_free_pages(struct vmm_flush *f)
{
	while (!list_empty(&f->fl_free)) {
		struct page *pg = list_first_entry(&f->fl_free, struct page, lru);
		list_del(&pg->lru);
		__free_page(pg);
	}
}

/*
 * Demand-zero regions of an address space (mm/vmm.c, 4): a region is a
 * range with a protection and no frames; the first access to a page of it
 * faults, and the page-fault handler (mm/fault.c) asks vmm_demand_fault to
 * give the page a zeroed frame.  The regions are guarded by the space's
 * lock like its tables.
 */
#include "mm/vmm_internal.h"
#include "mm/platform.h"
#include "lib/errno.h"

unsigned long vmm_demand_faults;

static struct vmm_region *__find_region(struct addr_space *as, vaddr_t va)
{
	LOCK_ASSERT_HELD(&as->as_lock);
	for (unsigned i = 0; i < as->as_nr_regions; i++)
		if (va >= as->as_regions[i].r_start &&
		    va < as->as_regions[i].r_end)
			return &as->as_regions[i];
	return NULL;
}

int vmm_demand_zero(struct addr_space *as, vaddr_t va, size_t size,
		    unsigned prot)
{
	int err = vmm_check_user_op(as, va, size, prot, VMM_PROT_ALL, "vmm_demand_zero",
				    MM_CALLER());

	if (err)
		return err;
	spin_lock(&as->as_lock);
	for (unsigned i = 0; i < as->as_nr_regions && !err; i++)
		if (va < as->as_regions[i].r_end &&
		    as->as_regions[i].r_start < va + size)
			err = ERR_EXISTS;
	if (!err && as->as_nr_regions == VMM_MAX_REGIONS)
		err = ERR_NO_MEMORY;
	if (!err)
		as->as_regions[as->as_nr_regions++] =
			(struct vmm_region){ va, va + size, prot };
	spin_unlock(&as->as_lock);
	return err;
}

/* Whether the region allows an access with page-fault error code err. */
static bool allows(const struct vmm_region *r, uint32_t err)
{
	if ((err & PF_ERR_WRITE) && !(r->r_prot & VMM_WRITE))
		return false;
	return !(err & PF_ERR_USER) || (r->r_prot & VMM_USER);
}

/* Serves a not-present fault at addr: 0 when the page is mapped now (by
 * this call, or by another CPU that took the same fault first).  The
 * frame and a missing page table come from the buddy, which reclaims
 * what the slab caches hold before it gives up (mm/buddy_oom.c). */
static int __demand_serve(struct addr_space *as, vaddr_t addr, uint32_t err,
			  struct vmm_region *region, struct vmm_flush *f)
{
	struct vmm_region *r = __find_region(as, addr);
	pte_t *p = pgt_lookup(as->as_pgdir, addr);

	LOCK_ASSERT_HELD(&as->as_lock);
	if (!r)
		return ERR_NOT_FOUND;
	*region = *r;
	if (!allows(r, err))
		return ERR_FAULT;
	if (p && pte_present(*p))
		return 0; /* the instruction runs again and finds it */
	if (__vmm_map_zeroed(as, ALIGN_DOWN(addr, PAGE_SIZE), r->r_prot, f))
		return ERR_NO_MEMORY;
	__atomic_add_fetch(&vmm_demand_faults, 1, __ATOMIC_RELAXED);
	return 0;
}

int vmm_demand_fault(vaddr_t addr, uint32_t err, struct vmm_region *region)
{
	struct addr_space *as = vmm_current();
	struct vmm_flush f;
	int ret;

	if (!as)
		return ERR_NOT_FOUND;
	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	ret = __demand_serve(as, addr, err, region, &f);
	__vmm_flush_finish(as, &f);
	spin_unlock(&as->as_lock);
	return ret;
}

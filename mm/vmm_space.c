/*
 * Address spaces as objects (mm/vmm.c, 5 to 7): the kernel's, those
 * vmm_create makes from the "addr_space" cache, which space each CPU runs,
 * and their end.  A space is live from vmm_create, which sets as_magic
 * and as_self, until vmm_destroy, which overwrites the magic under the
 * space's lock before anything is freed; every operation checks that
 * first (mm/vmm_check.c).  A space's lock is not on lockstat's list: one
 * is made and destroyed with every task, and listing it cost task_create
 * and task_destroy 2.5 % (the kernel's space is listed).
 */
#include "mm/vmm_internal.h"
#include "mm/slab.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "mm/platform.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "lib/panic.h"
#include "lib/string.h"

struct addr_space kernel_as = {
	.as_lock = SPINLOCK_INIT("kernel_as", LOCK_ORDER_AS),
	.as_kernel = true,
	.as_magic = AS_MAGIC,
	.as_self = &kernel_as,
};
LOCK_REGISTER(kernel_as.as_lock);
struct kmem_cache *vmm_as_cachep;
/* The space each CPU runs (its CR3); NULL until the CPU's first switch. */
static DEFINE_PER_CPU(struct addr_space *, current_as);
bool vmm_global_kernel_pages;

void vmm_init(pde_t *kernel_pgdir, bool global_pages)
{
	kernel_as.as_pgdir = kernel_pgdir;
	kernel_as.as_pgdir_phys = mm_virt_to_phys(kernel_pgdir);
	kernel_as.as_kernel = true;
	vmm_global_kernel_pages = global_pages;
	this_cpu_write(current_as, &kernel_as);
}

void vmm_cache_init(void)
{
	vmm_as_cachep = kmem_cache_create("addr_space", sizeof(struct addr_space), 0, 0, NULL);
	if (!vmm_as_cachep)
		panic("vmm: no memory for the addr_space cache");
}

struct addr_space *vmm_current(void)
{
	return this_cpu_read(current_as);
}

/* vmm_switch without the check (vmm_destroy switches away from a space). */
static void switch_to(struct addr_space *as)
{
	struct addr_space *old = vmm_current();
	unsigned me = smp_processor_id();

	cpumask_set(&as->as_cpus, me); /* before the load: see 6 */
	this_cpu_write(current_as, as);
	write_cr3((uint32_t)as->as_pgdir_phys);
	if (old && old != as)
		cpumask_clear(&old->as_cpus, me);
}

int vmm_switch(struct addr_space *as)
{
	int err = vmm_check_as(as, VMM_CHECK_KERNEL_OK, "vmm_switch", MM_CALLER());

	if (!err)
		switch_to(as);
	return err;
}

struct addr_space *vmm_create(void)
{
	struct addr_space *as;

	if (mm_should_fail(MM_ALLOC_ADDR_SPACE, MM_CALLER()) || !vmm_as_cachep)
		return NULL;
	as = kmem_cache_alloc(vmm_as_cachep, GFP_KERNEL | __GFP_ZERO);
	if (!as)
		return NULL;
	as->as_pgdir = pgt_alloc_table();
	if (!as->as_pgdir) {
		kmem_cache_free(vmm_as_cachep, as);
		return NULL;
	}
	spin_init(&as->as_lock, "addr_space", LOCK_ORDER_AS);
	as->as_pgdir_phys = mm_virt_to_phys(as->as_pgdir);
	memcpy(&as->as_pgdir[KERNEL_PDE_FIRST],
	       &kernel_as.as_pgdir[KERNEL_PDE_FIRST],
	       (PTRS_PER_TABLE - KERNEL_PDE_FIRST) * sizeof(pde_t));
	as->as_magic = AS_MAGIC;
	as->as_self = as;
	return as;
}

/* Whether a CPU other than this one runs as: one report, and true. */
static bool running_elsewhere(const struct addr_space *as, uintptr_t caller)
{
	cpumask_t others = cpumask_without(cpumask_read(&as->as_cpus), smp_processor_id());

	if (cpumask_empty(others))
		return false;
	mm_report_caller(REPORT_IN_USE, (uintptr_t)as, caller,
			 "vmm_destroy(%p): the space runs on CPU %u; expected it switched away there first",
			 (const void *)as, cpumask_next(others, 0));
	return true;
}

int vmm_destroy(struct addr_space *as)
{
	return vmm_destroy_by(as, MM_CALLER());
}

int vmm_destroy_by(struct addr_space *as, uintptr_t caller)
{
	struct vmm_flush f;
	int err;

	if (!as)
		return 0;
	if (as == &kernel_as) {
		mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)as, caller,
				 "vmm_destroy(&kernel_as): the kernel's space is never destroyed");
		return ERR_INVALID_ARGS;
	}
	err = vmm_check_as(as, VMM_CHECK_DESTROY, "vmm_destroy", caller);
	if (err)
		return err;
	if (running_elsewhere(as, caller))
		return ERR_BUSY;
	if (as == vmm_current())
		switch_to(&kernel_as);
	vmm_flush_init(&f);
	spin_lock(&as->as_lock);
	as->as_magic = AS_DEAD; /* a late caller is refused from now on */
	__vmm_empty_space(as, &f);
	__vmm_flush_finish(as, &f); /* nobody runs it: no IPI */
	ASSERT(as->as_owned_pages == 0 && as->as_table_pages == 0);
	spin_unlock(&as->as_lock);
	pgt_free_table(as->as_pgdir);
	kmem_cache_free(vmm_as_cachep, as);
	return 0;
}

/*
 * Suite failinject, part 2: the injection sites of the virtual-memory
 * layers -- a vmalloc area, a page table, a kmap slot, an address space, a
 * task.  With a kind filter, the first allocation of that kind fails, and
 * the call fails exactly as it does when memory is really out: NULL or
 * ERR_NO_MEMORY, nothing changed, nothing kept.
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "tests/paging_util.h"
#include "mm/failinject.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "mm/highmem.h"
#include "mm/ioremap.h"
#include "kernel/task.h"
#include "arch/x86/cpu_tables.h"
#include "lib/errno.h"

/* Arms injection of the first allocation of `kind`. */
static void arm_first(enum mm_alloc_kind kind)
{
	struct mm_failinject cfg = { .nth = 1, .kinds = 1u << kind, .quiet = true };

	mm_failinject_set(&cfg);
}

/* Whether exactly one failure of `kind` was injected; disarms. */
static bool injected_once(enum mm_alloc_kind kind)
{
	enum mm_alloc_kind k = MM_ALLOC_KINDS;
	uintptr_t caller;
	bool one = mm_failinject_injected() == 1 && mm_failinject_last(&k, &caller);

	mm_failinject_off();
	return one && k == kind;
}

KTEST(failinject, "kind vmalloc: vmalloc, vzalloc and ioremap fail at their area, as when the range is full")
{
	unsigned areas0 = vmalloc_nr_areas();
	void *p;

	arm_first(MM_ALLOC_VMALLOC);
	p = vmalloc(PAGE_SIZE);
	EXPECT_TRUE(injected_once(MM_ALLOC_VMALLOC));
	EXPECT_NULL(p);
	arm_first(MM_ALLOC_VMALLOC);
	p = vzalloc(3 * PAGE_SIZE);
	EXPECT_TRUE(injected_once(MM_ALLOC_VMALLOC));
	EXPECT_NULL(p);
	arm_first(MM_ALLOC_VMALLOC);
	p = ioremap(LAPIC_DEFAULT_PHYS, PAGE_SIZE);
	EXPECT_TRUE(injected_once(MM_ALLOC_VMALLOC));
	EXPECT_NULL(p);
	EXPECT_EQ(areas0, vmalloc_nr_areas());
	p = vmalloc(PAGE_SIZE); /* and the next one succeeds */
	EXPECT_NOT_NULL(p);
	vfree(p);
}

KTEST(failinject, "kind pagetable: vmm_create and a map needing a table fail, nothing changed")
{
	unsigned long free0 = frames_free_settled();
	struct addr_space *as;
	int err;

	arm_first(MM_ALLOC_PGTABLE); /* the directory */
	as = vmm_create();
	EXPECT_TRUE(injected_once(MM_ALLOC_PGTABLE));
	EXPECT_NULL(as);
	as = vmm_create();
	ASSERT_NOT_NULL(as);
	arm_first(MM_ALLOC_PGTABLE); /* the table under TEST_VA */
	err = vmm_alloc(as, TEST_VA, 2 * PAGE_SIZE, VMM_WRITE, GFP_KERNEL);
	EXPECT_TRUE(injected_once(MM_ALLOC_PGTABLE));
	EXPECT_EQ(ERR_NO_MEMORY, err);
	EXPECT_EQ(0, as->as_table_pages);
	EXPECT_EQ(0, as->as_owned_pages);
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(as, TEST_VA, NULL, NULL));
	vmm_destroy(as);
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(failinject, "kind kmap: kmap of a HIGHMEM frame fails as when every slot is taken")
{
	struct page *pg = frames_highmem_page();
	unsigned used = kmap_slots_used();
	void *va;

	if (!pg)
		return;
	arm_first(MM_ALLOC_KMAP);
	va = kmap(pg);
	EXPECT_TRUE(injected_once(MM_ALLOC_KMAP));
	EXPECT_NULL(va);
	EXPECT_EQ(used, kmap_slots_used());
	va = kmap(pg);
	if (EXPECT_NOT_NULL(va))
		kunmap(va);
	__free_page(pg);
}

KTEST(failinject, "kind kmap: a low frame needs no slot, so kmap of it is not counted")
{
	struct page *pg = alloc_page(GFP_KERNEL);
	void *va;

	ASSERT_NOT_NULL(pg);
	arm_first(MM_ALLOC_KMAP);
	va = kmap(pg);
	EXPECT_EQ(0, mm_failinject_count());
	mm_failinject_off();
	EXPECT_PTR_EQ(page_address(pg), va);
	kunmap(va);
	__free_page(pg);
}

KTEST(failinject, "kind addr_space: vmm_create fails before it takes anything")
{
	unsigned long free0 = frames_free_settled();
	struct addr_space *as;

	arm_first(MM_ALLOC_ADDR_SPACE);
	as = vmm_create();
	EXPECT_TRUE(injected_once(MM_ALLOC_ADDR_SPACE));
	EXPECT_NULL(as);
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(failinject, "kind task: task_create fails, and with its space or stack failing keeps nothing")
{
	unsigned long free0 = frames_free_settled(), tasks = task_count();
	unsigned areas0 = vmalloc_nr_areas();
	static const enum mm_alloc_kind inner[] = { MM_ALLOC_TASK, MM_ALLOC_ADDR_SPACE,
						    MM_ALLOC_VMALLOC };
	struct task *t;

	for (unsigned i = 0; i < ARRAY_SIZE(inner); i++) {
		arm_first(inner[i]);
		t = task_create("never");
		EXPECT_TRUE(injected_once(inner[i]));
		EXPECT_NULL(t);
		task_destroy(t);
	}
	EXPECT_EQ(tasks, task_count());
	EXPECT_EQ(areas0, vmalloc_nr_areas());
	EXPECT_EQ(free0, frames_free_settled());
}

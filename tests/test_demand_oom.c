/*
 * Suite paging: a demand-zero fault that cannot be served says why.  Out
 * of memory is not "nothing is mapped there": the region exists, the frame
 * could not be had (after the buddy's reclaim).  A probe gets
 * ERR_NO_MEMORY; the fatal report's likely cause names the region
 * (fault_likely_cause, which the report prints; the runner's crash
 * demandoom sees it in a real panic, and test_usermode.c from ring 3).
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "tests/paging_util.h"
#include "mm/vmm.h"
#include "mm/paging.h"
#include "mm/slab.h"
#include "arch/x86/trap.h"
#include "lib/errno.h"
#include "lib/string.h"

#define REGION (TEST_VA + 0x100000)

KTEST(paging, "out of memory in a demand-zero fault: the probe gets ERR_NO_MEMORY, the cause names the region")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct addr_space *as = vmm_create();
	unsigned long faults0 = vmm_demand_faults;
	char cause[160];
	uint32_t v = 1;

	ASSERT_NOT_NULL(as);
	if (!EXPECT_EQ(0, vmm_demand_zero(as, REGION, 4 * PAGE_SIZE, VMM_WRITE)))
		goto out;
	vmm_switch(as);
	/* The page table exists after the first page: then only the frame
	 * is missing; before it, the table too.  Both are out of memory. */
	if (!EXPECT_EQ(0, probe_write((void *)REGION, 7)))
		goto out;
	frames_take_all(GFP_HIGHUSER, &taken);
	EXPECT_EQ(ERR_NO_MEMORY, probe_read((void *)(REGION + PAGE_SIZE), &v));
	EXPECT_EQ(0, last_fixed_fault.error & PF_ERR_PRESENT);
	EXPECT_EQ(REGION + PAGE_SIZE, last_fixed_fault.cr2);
	fault_likely_cause(0, REGION + PAGE_SIZE + 8, cause, sizeof(cause));
	EXPECT_TRUE(strstr(cause, "out of memory in a demand-zero fault at 40101008, "
				  "region 40100000-40104000") != NULL);
	EXPECT_EQ(ERR_NO_MEMORY, probe_write((void *)(REGION + 3 * PAGE_SIZE), 1));
	frames_give_back(&taken);
	EXPECT_EQ(faults0 + 1, vmm_demand_faults);
	/* with memory back the same access is served */
	if (!EXPECT_EQ(0, probe_read((void *)(REGION + PAGE_SIZE), &v)))
		goto out;
	EXPECT_EQ(0, v);
	EXPECT_EQ(faults0 + 2, vmm_demand_faults);
	fault_likely_cause(0, REGION + PAGE_SIZE, cause, sizeof(cause));
	EXPECT_TRUE(strstr(cause, "out of memory") == NULL);
out:
	frames_give_back(&taken);
	vmm_destroy(as);
}

KTEST(paging, "out of memory in a demand-zero fault comes after reclaim: an empty slab's frame serves it")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct addr_space *as = vmm_create();
	struct kmem_cache *c = kmem_cache_create("test-dz-reclaim", 2048, 0, 0, NULL);
	void *obj = c ? kmem_cache_alloc(c, GFP_KERNEL) : NULL;
	uint32_t v = 1;

	if (!EXPECT_NOT_NULL(as) || !EXPECT_NOT_NULL(obj) ||
	    !EXPECT_EQ(0, vmm_demand_zero(as, REGION, 2 * PAGE_SIZE, VMM_WRITE)))
		goto out;
	vmm_switch(as);
	if (!EXPECT_EQ(0, probe_write((void *)REGION, 7))) /* the page table */
		goto out;
	frames_take_all(GFP_HIGHUSER, &taken);
	kmem_cache_free(c, obj); /* its slab is empty now: a frame the cache keeps */
	obj = NULL;
	EXPECT_EQ(0, probe_read((void *)(REGION + PAGE_SIZE), &v));
	EXPECT_EQ(0, v);
out:
	frames_give_back(&taken);
	if (obj)
		kmem_cache_free(c, obj);
	if (c)
		kmem_cache_destroy(c);
	vmm_destroy(as);
}

KTEST(paging, "a write to a read-only demand-zero region: the cause names the region, not an absence")
{
	struct addr_space *as = vmm_create();
	char cause[160];

	ASSERT_NOT_NULL(as);
	if (!EXPECT_EQ(0, vmm_demand_zero(as, REGION, PAGE_SIZE, 0)))
		goto out;
	vmm_switch(as);
	EXPECT_EQ(ERR_FAULT, probe_write((void *)REGION, 1));
	fault_likely_cause(PF_ERR_WRITE, REGION, cause, sizeof(cause));
	EXPECT_TRUE(strstr(cause, "demand-zero region 40100000-40101000, which allows reads only") != NULL);
out:
	vmm_destroy(as);
}

/* Paging benchmarks (see bench_paging.h). */
#include "tests/bench_paging.h"
#include "tests/kbench.h"
#include "tests/paging_util.h"
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "mm/vmm.h"
#include "mm/buddy.h"
#include "arch/x86/cpu.h"

uint64_t bench_map_unmap_4k(unsigned iters)
{
	struct addr_space *as = vmm_create();
	struct page *pg = alloc_page(GFP_KERNEL);
	uint64_t t0, t = 0;

	if (as && pg) {
		vmm_switch(as); /* live: unmap pays for its invlpg */
		/* The page table exists and stays: a neighbour keeps it in use
		 * (an unmap that empties a table frees it). */
		vmm_map(as, TEST_VA + PAGE_SIZE, page_to_phys(pg), PAGE_SIZE, VMM_WRITE);
		t0 = rdtsc();
		for (unsigned i = 0; i < iters; i++) {
			vmm_map(as, TEST_VA, page_to_phys(pg), PAGE_SIZE, VMM_WRITE);
			vmm_unmap(as, TEST_VA, PAGE_SIZE);
		}
		t = rdtsc() - t0;
	}
	if (as)
		vmm_destroy(as);
	if (pg)
		__free_page(pg);
	return t;
}

uint64_t bench_as_create_destroy(unsigned iters)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < iters; i++) {
		struct addr_space *as = vmm_create();
		if (!as)
			return 0;
		vmm_destroy(as);
	}
	return rdtsc() - t0;
}

uint64_t bench_demand_zero_fault(unsigned iters)
{
	struct addr_space *as = vmm_create();
	uint64_t t0, t = 0;

	if (!as)
		return 0;
	if (!vmm_demand_zero(as, TEST_VA, (size_t)iters * PAGE_SIZE, VMM_WRITE)) {
		vmm_switch(as);
		t0 = rdtsc();
		for (unsigned i = 0; i < iters; i++)
			*(volatile uint32_t *)(TEST_VA + i * PAGE_SIZE) = i;
		t = rdtsc() - t0;
	}
	vmm_destroy(as);
	return t;
}

KBENCH(map_unmap_4k)
{
	bench_report("map_unmap_4k", bench_map_unmap_4k(1000), 1000, "insn/op");
}

KBENCH(as_create_destroy)
{
	bench_report("as_create_destroy", bench_as_create_destroy(200), 200,
		     "insn/op");
}

KBENCH(demand_zero_fault)
{
	bench_report("demand_zero_fault", bench_demand_zero_fault(256), 256,
		     "insn/op");
}

KTEST(paging, "the paging benchmarks run and give back every page")
{
	unsigned long free0 = frames_free_settled();

	EXPECT_NE(0, bench_map_unmap_4k(4));
	EXPECT_NE(0, bench_as_create_destroy(4));
	EXPECT_NE(0, bench_demand_zero_fault(4));
	EXPECT_EQ(free0, frames_free_settled());
	EXPECT_PTR_EQ(&kernel_as, vmm_current());
}

/* Paging benchmarks (see bench_paging.h). */
#include "tests/bench_paging.h"
#include "tests/kbench.h"
#include "tests/paging_util.h"
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "mm/vmm.h"
#include "mm/buddy.h"
#include "arch/x86/cpu.h"
#include "lib/errno.h"
#include "lib/printk.h"

int bench_map_unmap_4k(unsigned iters, uint64_t *ticks)
{
	struct addr_space *as = vmm_create();
	struct page *pg = alloc_page(GFP_KERNEL);
	int err = ERR_NO_MEMORY;
	uint64_t t0;

	if (as && pg) {
		vmm_switch(as); /* live: unmap pays for its invlpg */
		/* The page table exists and stays: a neighbour keeps it in use
		 * (an unmap that empties a table frees it). */
		err = vmm_map(as, TEST_VA + PAGE_SIZE, page_to_phys(pg), PAGE_SIZE, VMM_WRITE);
		t0 = rdtsc();
		for (unsigned i = 0; i < iters && !err; i++) {
			err = vmm_map(as, TEST_VA, page_to_phys(pg), PAGE_SIZE, VMM_WRITE);
			err |= vmm_unmap(as, TEST_VA, PAGE_SIZE);
		}
		*ticks = rdtsc() - t0;
	}
	if (as)
		vmm_destroy(as);
	if (pg)
		__free_page(pg);
	return err;
}

int bench_as_create_destroy(unsigned iters, uint64_t *ticks)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < iters; i++) {
		struct addr_space *as = vmm_create();
		if (!as)
			return ERR_NO_MEMORY;
		vmm_destroy(as);
	}
	*ticks = rdtsc() - t0;
	return 0;
}

/* After the first touches: page i holds i in its first word, zeroes in
 * all the others. */
static int check_touched(unsigned pages)
{
	for (unsigned i = 0; i < pages; i++) {
		const volatile uint32_t *w = (const uint32_t *)(TEST_VA + i * PAGE_SIZE);
		if (w[0] != i)
			return ERR_FAULT;
		for (unsigned j = 1; j < PAGE_SIZE / 4; j++)
			if (w[j])
				return ERR_FAULT;
	}
	return 0;
}

int bench_demand_zero_fault(unsigned iters, uint64_t *ticks)
{
	struct addr_space *as = vmm_create();
	uint64_t t0;
	int err;

	if (!as)
		return ERR_NO_MEMORY;
	err = vmm_demand_zero(as, TEST_VA, (size_t)iters * PAGE_SIZE, VMM_WRITE);
	if (!err) {
		vmm_switch(as);
		t0 = rdtsc();
		for (unsigned i = 0; i < iters; i++)
			*(volatile uint32_t *)(TEST_VA + i * PAGE_SIZE) = i;
		*ticks = rdtsc() - t0;
		err = check_touched(iters);
	}
	vmm_destroy(as);
	return err;
}

/* A figure, or a line saying why there is none. */
static void report(const char *name, int err, uint64_t ticks, unsigned ops)
{
	if (err)
		printk("bench %s: no figure: an operation failed (error %d)\n", name, err);
	else
		bench_report(name, ticks, ops, "insn/op");
}

KBENCH(map_unmap_4k)
{
	uint64_t t = 0;
	int err = bench_map_unmap_4k(1000, &t);

	report("map_unmap_4k", err, t, 1000);
}

KBENCH(as_create_destroy)
{
	uint64_t t = 0;
	int err = bench_as_create_destroy(200, &t);

	report("as_create_destroy", err, t, 200);
}

KBENCH(demand_zero_fault)
{
	uint64_t t = 0;
	int err = bench_demand_zero_fault(256, &t);

	report("demand_zero_fault", err, t, 256);
}

KTEST(paging, "the paging benchmarks run, do what they measure and give back every page")
{
	unsigned long free0 = frames_free_settled();
	uint64_t t;

	EXPECT_EQ(0, bench_map_unmap_4k(4, &t));
	EXPECT_EQ(0, bench_as_create_destroy(4, &t));
	EXPECT_EQ(0, bench_demand_zero_fault(4, &t));
	EXPECT_EQ(free0, frames_free_settled());
	EXPECT_PTR_EQ(&kernel_as, vmm_current());
}

/*
 * Wrong calls to the address-space, vmalloc, kmap, ioremap and page-table
 * layers: each is one named report and a refused call that leaves every
 * structure as it was (README, "What each call does with bad input").
 * Before these checks, each of these calls stopped the kernel at an
 * assertion or a page fault, or did its damage silently.
 */
#include "tests/ktest.h"
#include "tests/frames_util.h"
#include "tests/paging_util.h"
#include "tests/smp_util.h"
#include "kernel/smp.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "mm/highmem.h"
#include "mm/ioremap.h"
#include "mm/kmalloc.h"
#include "mm/report.h"
#include "mm/buddy.h"
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_tables.h"
#include "kernel/task.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Reports of `kind` since `before`. */
#define REPORTS_SINCE(kind, before) (report_count(kind) - (before))

KTEST(paging, "misuse: vmm_destroy of the kernel's space is reported and refused")
{
	unsigned long bad = report_count(REPORT_INVALID_ARG);

	report_expect(1);
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_destroy(&kernel_as));
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_INVALID_ARG, bad));
	EXPECT_EQ(AS_MAGIC, kernel_as.as_magic);
	EXPECT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)&bad, NULL, NULL));
}

KTEST(paging, "misuse: vmm_destroy twice is a double free, refused; NULL is ignored")
{
	unsigned long dfree = report_count(REPORT_DOUBLE_FREE);
	unsigned long free0 = frames_free_settled();
	struct addr_space *as = vmm_create();

	ASSERT_NOT_NULL(as);
	EXPECT_EQ(0, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_KERNEL));
	EXPECT_EQ(0, vmm_destroy(as));
	report_expect(1);
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_destroy(as));
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_DOUBLE_FREE, dfree));
	EXPECT_EQ(0, vmm_destroy(NULL));
	EXPECT_EQ(free0, frames_free_settled());
}

/* Calls every operation of a space on as; the number of calls made.  The
 * frame passed to vmm_map is the kernel's own data page: it must never be
 * mapped. */
static unsigned every_call(struct addr_space *as)
{
	paddr_t pa = 0;

	EXPECT_EQ(ERR_INVALID_ARGS, vmm_map(as, TEST_VA, 0x100000, PAGE_SIZE, VMM_WRITE));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_KERNEL));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_demand_zero(as, TEST_VA, PAGE_SIZE, VMM_WRITE));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_unmap(as, TEST_VA, PAGE_SIZE));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_protect(as, TEST_VA, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_translate(as, TEST_VA, &pa, NULL));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_clear_accessed_dirty(as, TEST_VA));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_switch(as));
	EXPECT_PTR_EQ(&kernel_as, vmm_current());
	return 8;
}

KTEST(paging, "misuse: a space used after vmm_destroy is refused by every call, as use after destroy")
{
	unsigned long dead = report_count(REPORT_DEAD_HANDLE);
	unsigned long free0 = frames_free_settled();
	struct addr_space *as = vmm_create();
	unsigned calls;

	ASSERT_NOT_NULL(as);
	EXPECT_EQ(0, vmm_destroy(as));
	report_expect(8);
	calls = every_call(as);
	EXPECT_EQ(calls, REPORTS_SINCE(REPORT_DEAD_HANDLE, dead));
	EXPECT_EQ(free0, frames_free_settled());
}

KTEST(paging, "misuse: NULL, a copy in a kmalloc block, an interior pointer, a user address are no address space")
{
	unsigned long bad = report_count(REPORT_BAD_HANDLE);
	struct addr_space *as = vmm_create();
	struct addr_space *fake = kzalloc(sizeof(*fake), GFP_KERNEL);
	struct addr_space *wrong[4];
	unsigned calls = 0;

	if (!EXPECT_NOT_NULL(as) || !EXPECT_NOT_NULL(fake))
		goto out;
	*fake = *as; /* a copy, magic and all: not from the cache */
	wrong[0] = NULL;
	wrong[1] = fake;
	wrong[2] = (struct addr_space *)((char *)as + 4);
	wrong[3] = (struct addr_space *)TEST_VA;
	report_expect(4 * 8 + 3);
	for (unsigned i = 0; i < 4; i++)
		calls += every_call(wrong[i]);
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_destroy(fake));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_destroy(wrong[2]));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_destroy(wrong[3]));
	EXPECT_EQ(calls + 3, REPORTS_SINCE(REPORT_BAD_HANDLE, bad));
	EXPECT_EQ(0, as->as_table_pages); /* nothing reached the real space */
out:
	kfree(fake);
	vmm_destroy(as);
}

KTEST(paging, "misuse: a space whose magic is overwritten is refused, not used")
{
	unsigned long bad = report_count(REPORT_BAD_HANDLE);
	struct addr_space *as = vmm_create();

	ASSERT_NOT_NULL(as);
	as->as_magic = 0x6b6b6b6b; /* as a stray write would leave it */
	report_expect(2);
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, GFP_KERNEL));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_destroy(as));
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_BAD_HANDLE, bad));
	EXPECT_EQ(0, as->as_owned_pages);
	as->as_magic = AS_MAGIC;
	EXPECT_EQ(0, vmm_destroy(as));
}

KTEST(paging, "misuse: the kernel's space is changed only through vmalloc: map, unmap, protect... refused")
{
	unsigned long bad = report_count(REPORT_INVALID_ARG);
	uint32_t *v = vmalloc(PAGE_SIZE), w;
	vaddr_t spare;

	ASSERT_NOT_NULL(v);
	spare = (vaddr_t)v + 64 * PAGE_SIZE; /* free vmalloc space, most likely */
	v[0] = 0x5eed;
	report_expect(6);
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_unmap(&kernel_as, (vaddr_t)v, PAGE_SIZE));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_protect(&kernel_as, (vaddr_t)v, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_map(&kernel_as, (vaddr_t)v, 0x100000, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_alloc(&kernel_as, spare, PAGE_SIZE, VMM_WRITE, GFP_KERNEL));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_demand_zero(&kernel_as, spare, PAGE_SIZE, VMM_WRITE));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_clear_accessed_dirty(&kernel_as, (vaddr_t)v));
	EXPECT_EQ(6, REPORTS_SINCE(REPORT_INVALID_ARG, bad));
	/* the area is still there, writable, with its data */
	EXPECT_EQ(0, probe_write(v + 1, 1));
	EXPECT_EQ(0, probe_read(v, &w));
	EXPECT_EQ(0x5eed, w);
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(&kernel_as, spare, NULL, NULL));
	vfree(v);
}

KTEST(paging, "misuse: unknown protection or gfp bits, a misaligned frame, VMM_NOCACHE to protect, are refused")
{
	unsigned long bad = report_count(REPORT_INVALID_ARG);
	struct addr_space *as = vmm_create();
	struct page *pg = alloc_page(GFP_KERNEL);

	if (!EXPECT_NOT_NULL(as) || !EXPECT_NOT_NULL(pg))
		goto out;
	report_expect(5);
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_map(as, TEST_VA, page_to_phys(pg), PAGE_SIZE, 0x80));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_map(as, TEST_VA, page_to_phys(pg) + 8, PAGE_SIZE, 0));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_demand_zero(as, TEST_VA, PAGE_SIZE, VMM_WRITE | 0x100));
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_alloc(as, TEST_VA, PAGE_SIZE, VMM_WRITE, 0x40));
	EXPECT_EQ(0, as->as_table_pages);
	if (!EXPECT_EQ(0, vmm_map(as, TEST_VA, page_to_phys(pg), PAGE_SIZE, VMM_WRITE)))
		goto out;
	EXPECT_EQ(ERR_INVALID_ARGS, vmm_protect(as, TEST_VA, PAGE_SIZE, VMM_NOCACHE));
	EXPECT_EQ(5, REPORTS_SINCE(REPORT_INVALID_ARG, bad));
out:
	vmm_destroy(as);
	if (pg)
		__free_page(pg);
}

KTEST(paging, "misuse: a misaligned, empty, wrapping or kernel-half range is refused by every call")
{
	static const struct { vaddr_t va; size_t size; int err; } bad[] = {
		{ TEST_VA + 1, PAGE_SIZE, ERR_INVALID_ARGS },
		{ TEST_VA, PAGE_SIZE + 8, ERR_INVALID_ARGS },
		{ TEST_VA, 0, ERR_INVALID_ARGS },
		{ 0, PAGE_SIZE, ERR_RANGE },
		{ 0xBFFFF000, 2 * PAGE_SIZE, ERR_RANGE },
		{ 0xFFFFF000, 2 * PAGE_SIZE, ERR_RANGE },
	};
	unsigned long reports = report_count(REPORT_INVALID_ARG);
	struct addr_space *as = vmm_create();

	ASSERT_NOT_NULL(as);
	report_expect(4 * ARRAY_SIZE(bad));
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(bad[i].err, vmm_alloc(as, bad[i].va, bad[i].size, VMM_WRITE, GFP_KERNEL));
		EXPECT_EQ(bad[i].err, vmm_demand_zero(as, bad[i].va, bad[i].size, VMM_WRITE));
		EXPECT_EQ(bad[i].err, vmm_unmap(as, bad[i].va, bad[i].size));
		EXPECT_EQ(bad[i].err, vmm_protect(as, bad[i].va, bad[i].size, 0));
	}
	EXPECT_EQ(4 * ARRAY_SIZE(bad), REPORTS_SINCE(REPORT_INVALID_ARG, reports));
	EXPECT_EQ(0, as->as_table_pages);
	EXPECT_EQ(0, as->as_nr_regions);
	vmm_destroy(as);
}

KTEST(paging, "misuse: vmalloc_find takes a NULL out pointer: it only says whether an area holds va")
{
	void *v = vmalloc(PAGE_SIZE);

	ASSERT_NOT_NULL(v);
	EXPECT_TRUE(vmalloc_find((vaddr_t)v + PAGE_SIZE, NULL)); /* the guard page */
	vfree(v);
	EXPECT_FALSE(vmalloc_find((vaddr_t)v, NULL));
}

KTEST(paging, "misuse: vmalloc_map_area without a map function is refused")
{
	unsigned long bad = report_count(REPORT_INVALID_ARG);
	unsigned areas0 = vmalloc_nr_areas();

	report_expect(1);
	EXPECT_NULL(vmalloc_map_area(PAGE_SIZE, NULL, NULL, 0));
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_INVALID_ARG, bad));
	EXPECT_EQ(areas0, vmalloc_nr_areas());
}

KTEST(paging, "misuse: vfree twice is a double free; a kmalloc block is out of range")
{
	unsigned long dfree = report_count(REPORT_DOUBLE_FREE);
	unsigned long range = report_count(REPORT_OUT_OF_RANGE);
	unsigned areas0 = vmalloc_nr_areas();
	void *v = vmalloc(2 * PAGE_SIZE), *k = kmalloc(64, GFP_KERNEL);

	if (!EXPECT_NOT_NULL(v) || !EXPECT_NOT_NULL(k))
		goto out;
	vfree(v);
	report_expect(2);
	vfree(v);
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_DOUBLE_FREE, dfree));
	vfree(k);
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_OUT_OF_RANGE, range));
	EXPECT_EQ(areas0, vmalloc_nr_areas());
	v = NULL;
out:
	vfree(v);
	kfree(k);
}

KTEST(ioremap, "misuse: iounmap of a vmalloc area and vfree of an ioremap area are refused")
{
	unsigned long bad = report_count(REPORT_BAD_HANDLE);
	uint32_t *v = vmalloc(PAGE_SIZE), w;
	void *regs = ioremap(LAPIC_DEFAULT_PHYS, PAGE_SIZE);

	if (!EXPECT_NOT_NULL(v) || !EXPECT_NOT_NULL(regs))
		goto out;
	v[0] = 0x1234;
	report_expect(2);
	iounmap(v);
	vfree(regs);
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_BAD_HANDLE, bad));
	EXPECT_EQ(0, probe_read(v, &w)); /* both still mapped */
	EXPECT_EQ(0x1234, w);
	EXPECT_EQ(0, probe_read(regs, &w));
out:
	vfree(v);
	iounmap(regs);
}

KTEST(ioremap, "misuse: ioremap of RAM the kernel uses is refused (it would alias a cached mapping)")
{
	unsigned long bad = report_count(REPORT_INVALID_ARG);
	struct page *pg = alloc_page(GFP_KERNEL);
	extern char __data_start[];

	ASSERT_NOT_NULL(pg);
	report_expect(2);
	EXPECT_NULL(ioremap(page_to_phys(pg) + 16, 64));
	EXPECT_NULL(ioremap((paddr_t)((uintptr_t)__data_start - KERNEL_VBASE), PAGE_SIZE));
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_INVALID_ARG, bad));
	__free_page(pg);
}

KTEST(paging, "misuse: kunmap of a slot not in use, or of an address kmap never gave, is refused")
{
	unsigned long dfree = report_count(REPORT_DOUBLE_FREE);
	unsigned long notal = report_count(REPORT_NOT_ALLOCATED);
	unsigned used = kmap_slots_used();
	void *v = vmalloc(PAGE_SIZE);

	ASSERT_NOT_NULL(v);
	report_expect(3);
	kunmap((void *)(KMAP_BASE + (KMAP_SLOTS - 1) * PAGE_SIZE)); /* the last CPU's last */
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_DOUBLE_FREE, dfree));
	kunmap(v);
	kunmap((void *)TEST_VA);
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_NOT_ALLOCATED, notal));
	kunmap(NULL);
	kunmap(&dfree); /* a direct-map address: what kmap gives a low frame */
	EXPECT_EQ(used, kmap_slots_used());
	vfree(v);
}

KTEST(paging, "misuse: kunmap twice of a HIGHMEM frame's slot is a double free")
{
	unsigned long dfree = report_count(REPORT_DOUBLE_FREE);
	struct page *pg = frames_highmem_page();
	unsigned used = kmap_slots_used();
	void *va;

	if (!pg)
		return;
	va = kmap(pg);
	if (EXPECT_NOT_NULL(va)) {
		kunmap(va);
		report_expect(1);
		kunmap(va);
		EXPECT_EQ(1, REPORTS_SINCE(REPORT_DOUBLE_FREE, dfree));
	}
	EXPECT_EQ(used, kmap_slots_used());
	__free_page(pg);
}

KTEST(paging, "misuse: kmap of NULL or of a pointer outside the page array maps nothing")
{
	unsigned long range = report_count(REPORT_OUT_OF_RANGE);
	unsigned used = kmap_slots_used();
	struct page *pg = alloc_page(GFP_KERNEL);

	ASSERT_NOT_NULL(pg);
	report_expect(3);
	EXPECT_NULL(kmap(NULL));
	EXPECT_NULL(kmap((struct page *)((char *)pg + 1)));
	EXPECT_NULL(kmap(mem_map + max_pfn));
	EXPECT_EQ(3, REPORTS_SINCE(REPORT_OUT_OF_RANGE, range));
	EXPECT_EQ(used, kmap_slots_used());
	__free_page(pg);
}

KTEST(paging, "misuse: pgt_free_table of a frame that is no page table frees nothing")
{
	unsigned long notal = report_count(REPORT_NOT_ALLOCATED);
	unsigned long range = report_count(REPORT_OUT_OF_RANGE);
	unsigned long dfree = report_count(REPORT_DOUBLE_FREE);
	struct page *pg = alloc_page(GFP_KERNEL);
	void *table = pgt_alloc_table();
	unsigned long free0;

	if (!EXPECT_NOT_NULL(pg) || !EXPECT_NOT_NULL(table))
		goto out;
	free0 = buddy_free_pages();
	report_expect(4);
	pgt_free_table(page_address(pg)); /* someone's frame */
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_NOT_ALLOCATED, notal));
	pgt_free_table((char *)table + 8);
	pgt_free_table(NULL);
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_OUT_OF_RANGE, range));
	EXPECT_EQ(free0, buddy_free_pages());
	pgt_free_table(table);
	pgt_free_table(table);
	table = NULL;
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_DOUBLE_FREE, dfree));
out:
	if (table)
		pgt_free_table(table);
	if (pg)
		__free_page(pg);
}

KTEST(paging, "misuse: pgt_walk of NULL or a misaligned directory reports and finds nothing")
{
	unsigned long bad = report_count(REPORT_INVALID_ARG);
	struct pgt_walk w;

	report_expect(2);
	pgt_walk(NULL, KERNEL_VBASE, &w);
	EXPECT_FALSE(w.w_present);
	EXPECT_EQ(0, w.w_level);
	pgt_walk((const pde_t *)((char *)kernel_as.as_pgdir + 4), KERNEL_VBASE, &w);
	EXPECT_FALSE(w.w_present);
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_INVALID_ARG, bad));
}

KTEST(task, "misuse: task_destroy twice is a double free, refused; the count stays right")
{
	unsigned long dfree = report_count(REPORT_DOUBLE_FREE);
	unsigned long tasks = task_count();
	struct task *t = task_create(NULL); /* a NULL name is an empty one */

	ASSERT_NOT_NULL(t);
	EXPECT_STREQ("", t->t_name);
	EXPECT_EQ(0, task_destroy(t));
	report_expect(1);
	EXPECT_EQ(ERR_INVALID_ARGS, task_destroy(t));
	EXPECT_EQ(1, REPORTS_SINCE(REPORT_DOUBLE_FREE, dfree));
	EXPECT_EQ(tasks, task_count());
	EXPECT_EQ(0, task_destroy(NULL));
}

KTEST(task, "misuse: task_destroy of a pointer that is no task (kmalloc block, interior) is refused")
{
	unsigned long bad = report_count(REPORT_BAD_HANDLE);
	struct task *t = task_create("victim");
	struct task *fake = kzalloc(sizeof(*fake), GFP_KERNEL);

	if (!EXPECT_NOT_NULL(t) || !EXPECT_NOT_NULL(fake))
		goto out;
	*fake = *t; /* a copy that looks right: magic, state, links */
	report_expect(3);
	EXPECT_EQ(ERR_INVALID_ARGS, task_destroy(fake));
	EXPECT_EQ(ERR_INVALID_ARGS, task_destroy((struct task *)((char *)t + 8)));
	EXPECT_EQ(ERR_INVALID_ARGS, task_destroy((struct task *)TEST_VA));
	EXPECT_EQ(3, REPORTS_SINCE(REPORT_BAD_HANDLE, bad));
	EXPECT_EQ(TASK_RUNNABLE, t->t_state);
	EXPECT_EQ(0, vmm_translate(t->t_as, (vaddr_t)t->t_kstack, NULL, NULL));
out:
	kfree(fake);
	task_destroy(t);
}

/* CPU 1 runs a space until told to stop. */
struct runner {
	struct addr_space *r_as;
	uint32_t r_running, r_stop;
};

static void run_space(void *arg)
{
	struct runner *r = arg;

	vmm_switch(r->r_as);
	__atomic_store_n(&r->r_running, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->r_stop, __ATOMIC_ACQUIRE))
		cpu_relax();
	vmm_switch(&kernel_as);
}

KTEST(shootdown, "misuse: destroying a space (or its task) that CPU 1 runs is refused while it does")
{
	unsigned long busy = report_count(REPORT_IN_USE);
	struct task *t = task_create("busy");
	struct runner r = { 0 };
	unsigned ap = smp_test_ap();
	bool running = false;

	if (!ap) {
		task_destroy(t);
		KTEST_SKIP(ONE_CPU_REASON);
	}
	ASSERT_NOT_NULL(t);
	r.r_as = t->t_as;
	running = smp_run_on(ap, run_space, &r) == 0;
	if (!EXPECT_TRUE(running) || !EXPECT_TRUE(smp_test_wait_flag(&r.r_running)))
		goto out;
	report_expect(2);
	EXPECT_EQ(ERR_BUSY, vmm_destroy(t->t_as));
	EXPECT_EQ(ERR_BUSY, task_destroy(t));
	EXPECT_EQ(2, REPORTS_SINCE(REPORT_IN_USE, busy));
	EXPECT_EQ(TASK_RUNNABLE, t->t_state);
	EXPECT_EQ(AS_MAGIC, t->t_as->as_magic);
out:
	__atomic_store_n(&r.r_stop, 1, __ATOMIC_RELEASE);
	if (running)
		smp_run_wait(ap);
	EXPECT_EQ(0, task_destroy(t));
}

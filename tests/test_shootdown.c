/*
 * Suite shootdown: a mapping another CPU may have cached is changed only
 * with a TLB shootdown (arch/x86/tlb.c).  QEMU's multi-threaded emulation
 * keeps a TLB per virtual CPU, so a missing shootdown shows: boot with the
 * test-only switch no_shootdown and the poison tests here fail (the test
 * runner checks that they do).
 *
 * The pattern: CPU 1 keeps reading (or writing) a page; CPU 0 unmaps it (or
 * makes it read-only) and, once that call has returned, reuses the frame,
 * filled with a poison pattern.  CPU 1 must fault from then on and never
 * see the poison.
 */
#include "tests/ktest.h"
#include "tests/smp_util.h"
#include "tests/paging_util.h"
#include "tests/frames_util.h"
#include "kernel/smp.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "mm/highmem.h"
#include "mm/buddy.h"
#include "arch/x86/tlb.h"
#include "arch/x86/smp.h"
#include "arch/x86/trap.h"
#include "lib/printk.h"

#define PATTERN 0x600D600Du
#define POISON 0xDEADDEADu

/* What the AP saw.  started: it has read the page once (its TLB holds the
 * translation); stop: CPU 0 is done, one last access and out. */
struct access_log {
	volatile uint32_t *al_va;
	struct addr_space *al_as; /* the space to run it in; NULL: the kernel's */
	bool al_write;
	uint32_t al_started, al_stop;
	unsigned long al_ok, al_poison;
	bool al_faulted;
	struct fault_info al_fault;
};

/* One access; false when the loop is over (a fault, or the poison). */
static bool access_once(struct access_log *l, uint32_t i)
{
	uint32_t v;
	int err = l->al_write ? probe_write(l->al_va, PATTERN + i) : probe_read(l->al_va, &v);

	if (err) {
		l->al_faulted = true;
		l->al_fault = last_fixed_fault;
		return false;
	}
	if (!l->al_write && v == POISON) {
		l->al_poison++;
		return false;
	}
	l->al_ok++;
	return true;
}

static void access_job(void *arg)
{
	struct access_log *l = arg;
	uint32_t i = 0;

	if (l->al_as)
		vmm_switch(l->al_as);
	while (access_once(l, ++i)) {
		__atomic_store_n(&l->al_started, 1, __ATOMIC_RELEASE);
		if (__atomic_load_n(&l->al_stop, __ATOMIC_ACQUIRE)) {
			access_once(l, ++i); /* after the change, by CPU 0's order */
			break;
		}
	}
	__atomic_store_n(&l->al_started, 1, __ATOMIC_RELEASE);
	if (l->al_as)
		vmm_switch(&kernel_as);
}

/* Starts the AP's loop and waits until its TLB holds the translation. */
static bool start_access(unsigned ap, struct access_log *l)
{
	return smp_run_on(ap, access_job, l) == 0 && smp_test_wait_flag(&l->al_started);
}

static void finish_access(unsigned ap, struct access_log *l)
{
	__atomic_store_n(&l->al_stop, 1, __ATOMIC_RELEASE);
	smp_run_wait(ap);
	printk("# CPU %u: %lu accesses before the change, %s%s\n", ap, l->al_ok,
	       l->al_faulted ? "then a fault" : "no fault",
	       l->al_poison ? ", then it read the poison" : "");
}

static void fill(struct page *pg, uint32_t v)
{
	uint32_t *p = kmap(pg);

	for (unsigned i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = v;
	kunmap(p);
}

/* A second CPU, and a frame mapped writable at TEST_VA in a space of its
 * own: what the user-half tests share. */
struct space_fixture {
	unsigned fx_ap;
	struct page *fx_page;
	struct addr_space *fx_as;
};

static bool fixture_up(struct space_fixture *fx)
{
	fx->fx_ap = smp_test_ap();
	fx->fx_page = alloc_page(GFP_KERNEL);
	fx->fx_as = vmm_create();
	if (!fx->fx_ap || !fx->fx_page || !fx->fx_as)
		return false;
	fill(fx->fx_page, PATTERN);
	return EXPECT_EQ(0, vmm_map(fx->fx_as, TEST_VA, page_to_phys(fx->fx_page),
				    PAGE_SIZE, VMM_WRITE));
}

static void fixture_down(struct space_fixture *fx)
{
	if (fx->fx_as)
		vmm_destroy(fx->fx_as);
	if (fx->fx_page)
		__free_page(fx->fx_page);
	if (!fx->fx_ap)
		ktest_skip(ONE_CPU_REASON);
}

KTEST(shootdown, "unmapped in a space running on CPU 1, the frame reused: CPU 1 faults, never reads the poison")
{
	struct space_fixture fx;
	struct access_log l = { .al_va = (uint32_t *)TEST_VA };

	if (!fixture_up(&fx))
		goto out;
	l.al_as = fx.fx_as;
	if (!EXPECT_TRUE(start_access(fx.fx_ap, &l)))
		goto out;
	EXPECT_EQ(0, vmm_unmap(fx.fx_as, TEST_VA, PAGE_SIZE));
	fill(fx.fx_page, POISON); /* the frame's next life */
	finish_access(fx.fx_ap, &l);
	EXPECT_EQ(0, l.al_poison);
	EXPECT_TRUE(l.al_faulted);
	EXPECT_EQ(TEST_VA, l.al_fault.cr2);
	EXPECT_EQ(0, l.al_fault.error & PF_ERR_PRESENT);
out:
	fixture_down(&fx);
}

/* The frame behind a vmalloc page, allocated again after vfree: the free
 * list is last in, first out, so it is among the first frames out. */
static struct page *take_frame_back(paddr_t pa, struct list_node *others)
{
	for (unsigned i = 0; i < 64; i++) {
		struct page *pg = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
		if (!pg || page_to_phys(pg) == pa)
			return pg;
		list_add_tail(&pg->lru, others);
	}
	return NULL;
}

KTEST(shootdown, "vfree while CPU 1 reads the area, the frame allocated again: CPU 1 faults, never reads the poison")
{
	unsigned ap = smp_test_ap();
	uint32_t *area = vmalloc(PAGE_SIZE);
	struct access_log l = { .al_va = area };
	struct list_node others = LIST_HEAD_INIT(others);
	struct page *again = NULL;
	paddr_t pa = 0;

	if (!ap || !area)
		goto out;
	area[0] = PATTERN;
	ASSERT_EQ(0, vmm_translate(&kernel_as, (vaddr_t)area, &pa, NULL));
	if (!EXPECT_TRUE(start_access(ap, &l)))
		goto out;
	vfree(area);
	area = NULL;
	again = take_frame_back(pa, &others);
	if (EXPECT_NOT_NULL(again))
		fill(again, POISON);
	finish_access(ap, &l);
	EXPECT_EQ(0, l.al_poison);
	EXPECT_TRUE(l.al_faulted);
	EXPECT_EQ(0, l.al_fault.error & PF_ERR_PRESENT);
out:
	vfree(area);
	if (again)
		__free_page(again);
	while (!list_empty(&others)) {
		struct page *pg = list_first_entry(&others, struct page, lru);
		list_del(&pg->lru);
		__free_page(pg);
	}
	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
}

KTEST(shootdown, "made read-only while CPU 1 writes: once protect returns, CPU 1's writes fault")
{
	struct space_fixture fx;
	struct access_log l = { .al_va = (uint32_t *)TEST_VA, .al_write = true };
	uint32_t after;

	if (!fixture_up(&fx))
		goto out;
	l.al_as = fx.fx_as;
	if (!EXPECT_TRUE(start_access(fx.fx_ap, &l)))
		goto out;
	EXPECT_EQ(0, vmm_protect(fx.fx_as, TEST_VA, PAGE_SIZE, 0));
	after = *(volatile uint32_t *)page_address(fx.fx_page);
	finish_access(fx.fx_ap, &l);
	EXPECT_TRUE(l.al_faulted);
	EXPECT_EQ(PF_ERR_PRESENT | PF_ERR_WRITE, l.al_fault.error & (PF_ERR_PRESENT | PF_ERR_WRITE));
	/* No write landed after protect returned. */
	EXPECT_EQ(after, *(volatile uint32_t *)page_address(fx.fx_page));
out:
	fixture_down(&fx);
}

/*
 * kunmap: the slot's address was handed to CPU 1, which keeps reading
 * through it.  CPU 0 holds a second kmap of the frame, taken before the
 * kunmap, so that nothing on CPU 0 takes the freed slot again while the
 * test runs; through it CPU 0 writes the poison once kunmap has returned,
 * as the frame's next owner would.  A HIGHMEM frame, so that the slot is
 * a real mapping (below the direct map's end kmap hands out the direct
 * map, and kunmap has nothing to undo): this runs on a machine with more
 * than 896 MiB (make test boots one on two CPUs).
 */
KTEST(shootdown, "kunmap of a HIGHMEM page while CPU 1 reads through the kmap: CPU 1 faults, never reads the poison")
{
	unsigned ap = smp_test_ap();
	struct page *pg = ap ? frames_highmem_page() : NULL;
	uint32_t *shared = NULL, *mine = NULL;
	struct access_log l = { 0 };

	if (!pg)
		goto out;
	shared = kmap(pg);
	mine = kmap(pg);
	if (!EXPECT_NOT_NULL(shared) || !EXPECT_NOT_NULL(mine))
		goto out;
	*shared = PATTERN;
	l.al_va = shared;
	if (!EXPECT_TRUE(start_access(ap, &l)))
		goto out;
	kunmap(shared);
	*mine = POISON;
	finish_access(ap, &l);
	EXPECT_EQ(0, l.al_poison);
	EXPECT_TRUE(l.al_faulted);
	EXPECT_EQ((vaddr_t)shared, l.al_fault.cr2);
	EXPECT_EQ(0, l.al_fault.error & PF_ERR_PRESENT);
	shared = NULL;
out:
	if (shared)
		kunmap(shared);
	if (mine)
		kunmap(mine);
	if (pg)
		__free_page(pg);
	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
}

static void stats_all(struct tlb_stats *s)
{
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		tlb_get_stats(cpu, &s[cpu]);
}

KTEST(shootdown, "an unmap interrupts exactly the CPUs running the space: one IPI for a range, none when it runs nowhere else")
{
	static struct tlb_stats before[NR_CPUS], after[NR_CPUS];
	unsigned ap = smp_test_ap();
	struct addr_space *as = vmm_create();
	struct access_log l = { .al_va = (uint32_t *)(TEST_VA + 7 * PAGE_SIZE), .al_as = as };

	if (!ap || !as)
		goto out;
	if (!EXPECT_EQ(0, vmm_alloc(as, TEST_VA, 8 * PAGE_SIZE, VMM_WRITE, GFP_KERNEL)))
		goto out;
	if (!EXPECT_TRUE(start_access(ap, &l))) /* CPU 1 runs the space */
		goto out;
	EXPECT_TRUE(cpumask_test(&as->as_cpus, ap));
	stats_all(before);
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA, 4 * PAGE_SIZE));
	stats_all(after);
	for (unsigned cpu = 1; cpu < smp_nr_cpus; cpu++) {
		EXPECT_EQ(before[cpu].ts_received + (cpu == ap), after[cpu].ts_received);
		EXPECT_EQ(before[cpu].ts_pages + (cpu == ap ? 4 : 0), after[cpu].ts_pages);
	}
	EXPECT_EQ(before[0].ts_sent + 1, after[0].ts_sent);
	finish_access(ap, &l); /* back in the kernel's space */
	EXPECT_FALSE(cpumask_test(&as->as_cpus, ap));
	stats_all(before);
	EXPECT_EQ(0, vmm_unmap(as, TEST_VA + 4 * PAGE_SIZE, 4 * PAGE_SIZE));
	stats_all(after);
	EXPECT_EQ(before[0].ts_sent, after[0].ts_sent);
	EXPECT_EQ(before[ap].ts_received, after[ap].ts_received);
out:
	if (as)
		vmm_destroy(as);
	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
}

static uint32_t release_aps;

static void busy_job(void *arg)
{
	(void)arg;
	smp_test_wait_flag(&release_aps);
}

/* vfree of a pages-long area: what each CPU sent and answered; false if
 * there was no area (out of memory). */
static bool vfree_stats(unsigned pages, struct tlb_stats *before, struct tlb_stats *after)
{
	void *p = vmalloc(pages * PAGE_SIZE);

	stats_all(before);
	vfree(p);
	stats_all(after);
	return EXPECT_NOT_NULL(p);
}

KTEST(shootdown, "a kernel-half range reaches each busy CPU in one IPI; above the threshold, as one whole flush")
{
	static struct tlb_stats before[NR_CPUS], after[NR_CPUS];
	unsigned cpu;

	__atomic_store_n(&release_aps, 0, __ATOMIC_RELEASE);
	for (cpu = 1; cpu < smp_nr_cpus; cpu++)
		smp_run_on(cpu, busy_job, NULL);
	if (!vfree_stats(TLB_FULL_FLUSH_PAGES / 2, before, after))
		goto release;
	EXPECT_EQ(before[0].ts_sent + (smp_num_online() > 1), after[0].ts_sent);
	for (cpu = 1; cpu < smp_nr_cpus; cpu++) {
		EXPECT_EQ(before[cpu].ts_received + 1, after[cpu].ts_received);
		EXPECT_EQ(before[cpu].ts_pages + TLB_FULL_FLUSH_PAGES / 2, after[cpu].ts_pages);
		EXPECT_EQ(before[cpu].ts_full, after[cpu].ts_full);
	}
	if (!vfree_stats(TLB_FULL_FLUSH_PAGES * 2, before, after))
		goto release;
	for (cpu = 1; cpu < smp_nr_cpus; cpu++) {
		EXPECT_EQ(before[cpu].ts_received + 1, after[cpu].ts_received);
		EXPECT_EQ(before[cpu].ts_pages, after[cpu].ts_pages);
		EXPECT_EQ(before[cpu].ts_full + 1, after[cpu].ts_full);
	}
release:
	__atomic_store_n(&release_aps, 1, __ATOMIC_RELEASE);
	for (cpu = 1; cpu < smp_nr_cpus; cpu++)
		smp_run_wait(cpu);
}

static void nothing(void *arg)
{
	(void)arg;
}

KTEST(shootdown, "idle CPUs are not interrupted: they flush everything when they wake for work")
{
	static struct tlb_stats before[NR_CPUS], after[NR_CPUS];
	unsigned ap = smp_test_ap();

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	for (unsigned cpu = 1; cpu < smp_nr_cpus; cpu++)
		ASSERT_TRUE(smp_test_wait_idle(cpu));
	if (!vfree_stats(4, before, after))
		return;
	EXPECT_EQ(before[0].ts_sent, after[0].ts_sent); /* no IPI at all */
	for (unsigned cpu = 1; cpu < smp_nr_cpus; cpu++)
		EXPECT_EQ(before[cpu].ts_received, after[cpu].ts_received);
	smp_call_all(nothing, NULL);
	stats_all(after);
	for (unsigned cpu = 1; cpu < smp_nr_cpus; cpu++)
		EXPECT_EQ(before[cpu].ts_lazy + 1, after[cpu].ts_lazy);
}

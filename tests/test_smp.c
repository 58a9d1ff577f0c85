/*
 * Suite smp: the CPUs are up, each on its own per-CPU area, stack, GDT and
 * TSS, and work reaches them through cross-CPU calls.  On a machine with
 * one CPU the tests that need a second skip (ONE_CPU_REASON).
 */
#include "tests/ktest.h"
#include "tests/smp_util.h"
#include "kernel/smp.h"
#include "arch/x86/smp.h"
#include "arch/x86/apic.h"
#include "arch/x86/segments.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "lib/spinlock.h"
#include "lib/errno.h"
#include "lib/printk.h"

struct cpu_seen {
	unsigned id, apic;
	uintptr_t esp, area;
	uint16_t tr;
	uint32_t gdt_base;
	bool ran;
};

static struct cpu_seen seen[NR_CPUS];
static DEFINE_PER_CPU(unsigned, test_var);

static void record_cpu(void *arg)
{
	struct cpu_seen *s = &seen[smp_processor_id()];
	struct __packed { uint16_t limit; uint32_t base; } gdtr;

	(void)arg;
	s->id = smp_processor_id();
	s->apic = lapic_ready() ? lapic_id() : smp_boot_apic_id();
	s->esp = (uintptr_t)__builtin_frame_address(0);
	s->area = (uintptr_t)this_cpu_ptr(&test_var);
	__asm__ volatile("str %0" : "=r"(s->tr));
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	s->gdt_base = gdtr.base;
	this_cpu_write(test_var, 1000 + s->id);
	s->ran = true;
}

KTEST(smp, "every CPU listed is online and answers a call with its own number and APIC id")
{
	unsigned cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		seen[cpu] = (struct cpu_seen){ 0 };
	EXPECT_EQ(smp_nr_cpus, smp_num_online());
	smp_call_all(record_cpu, NULL);
	for (cpu = 0; cpu < smp_nr_cpus; cpu++) {
		EXPECT_TRUE(seen[cpu].ran);
		EXPECT_EQ(cpu, seen[cpu].id);
		EXPECT_EQ(smp_apic_id[cpu], seen[cpu].apic);
	}
	for (; cpu < NR_CPUS; cpu++)
		EXPECT_FALSE(seen[cpu].ran);
}

KTEST(smp, "a per-CPU variable has one copy per CPU, each reached through that CPU's %fs")
{
	smp_call_all(record_cpu, NULL);
	for (unsigned cpu = 0; cpu < smp_nr_cpus; cpu++) {
		EXPECT_EQ(1000 + cpu, *per_cpu_ptr(&test_var, cpu));
		EXPECT_EQ((uintptr_t)per_cpu_ptr(&test_var, cpu), seen[cpu].area);
		for (unsigned other = 0; other < cpu; other++)
			EXPECT_NE(seen[other].area, seen[cpu].area);
	}
	EXPECT_EQ(1000, test_var); /* the plain name is CPU 0's copy */
	EXPECT_EQ(0, percpu_offset[0]);
}

KTEST(smp, "each AP runs on its own vmalloc'ed stack, GDT and TSS")
{
	if (!smp_test_ap())
		KTEST_SKIP(ONE_CPU_REASON);
	smp_call_all(record_cpu, NULL);
	for (unsigned cpu = 1; cpu < smp_nr_cpus; cpu++) {
		uintptr_t stack = (uintptr_t)smp_cpu_stack(cpu);
		EXPECT_GE(stack, VMALLOC_START);
		EXPECT_TRUE(seen[cpu].esp > stack && seen[cpu].esp < stack + SMP_STACK_SIZE);
		EXPECT_EQ(TSS_SEL, seen[cpu].tr);
		EXPECT_NE(seen[0].gdt_base, seen[cpu].gdt_base);
		EXPECT_EQ(seen[0].gdt_base + percpu_offset[cpu], seen[cpu].gdt_base);
	}
}

static void count_call(void *arg)
{
	atomic_inc(arg);
}

KTEST(smp, "a call to every CPU runs once on each; a call to one runs on it alone")
{
	atomic_t n = ATOMIC_INIT(0);
	unsigned ap = smp_test_ap();
	unsigned long before = ap ? smp_calls_received(ap) : 0;

	smp_call_all(count_call, &n);
	EXPECT_EQ(smp_num_online(), atomic_read(&n));
	atomic_set(&n, 0);
	EXPECT_EQ(0, smp_call_on(0, count_call, &n));
	EXPECT_EQ(1, atomic_read(&n));
	EXPECT_EQ(ERR_INVALID_ARGS, smp_call_on(NR_CPUS, count_call, &n));
	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	EXPECT_EQ(0, smp_call_on(ap, count_call, &n));
	EXPECT_EQ(2, atomic_read(&n));
	EXPECT_EQ(before + 2, smp_calls_received(ap));
}

struct job_seen {
	uint32_t done;
	unsigned cpu;
	bool irqs_off;
};

static void job(void *arg)
{
	struct job_seen *j = arg;

	j->cpu = smp_processor_id();
	j->irqs_off = irqs_disabled();
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
}

KTEST(smp, "a job handed to an idle AP runs there with interrupts on, then the AP idles again")
{
	unsigned ap = smp_test_ap();
	struct job_seen j = { 0 };

	EXPECT_EQ(ERR_INVALID_ARGS, smp_run_on(0, job, &j));
	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	ASSERT_EQ(0, smp_run_on(ap, job, &j));
	smp_run_wait(ap);
	EXPECT_TRUE(j.done);
	EXPECT_EQ(ap, j.cpu);
	EXPECT_FALSE(j.irqs_off);
	EXPECT_TRUE(smp_run_done(ap));
}

/* Acquisitions per CPU, and increments under each.  Few acquisitions:
 * with more virtual CPUs than host cores a ticket lock hands over at the
 * pace of the host's scheduler (the next ticket's CPU may not be running),
 * so each handover can cost a host time slice. */
#define CONTEND_ROUNDS 100
#define CONTEND_INCREMENTS 20

static struct spinlock contend_lock = SPINLOCK_INIT("test-contend", LOCK_ORDER_NONE);
static volatile unsigned long contend_counter;
static uint32_t contend_go; /* every CPU starts at once */

static void contend(void *arg)
{
	(void)arg;
	smp_test_wait_flag(&contend_go);
	for (unsigned i = 0; i < CONTEND_ROUNDS; i++) {
		spin_lock(&contend_lock);
		for (unsigned k = 0; k < CONTEND_INCREMENTS; k++) {
			unsigned long v = contend_counter;
			cpu_relax(); /* widens the window a lost update needs */
			contend_counter = v + 1;
		}
		spin_unlock(&contend_lock);
	}
}

KTEST(spinlock, "every CPU increments one counter under one lock: no increment is lost")
{
	unsigned cpu;
	uint32_t acquired0 = contend_lock.sl_stats.ls_acquired;

	contend_counter = 0;
	contend_go = 0;
	for (cpu = 1; cpu < smp_nr_cpus; cpu++)
		smp_run_on(cpu, contend, NULL);
	__atomic_store_n(&contend_go, 1, __ATOMIC_RELEASE);
	contend(NULL);
	for (cpu = 1; cpu < smp_nr_cpus; cpu++)
		smp_run_wait(cpu);
	EXPECT_EQ((unsigned long)CONTEND_ROUNDS * CONTEND_INCREMENTS * smp_num_online(),
		  contend_counter);
	EXPECT_EQ((uint32_t)(CONTEND_ROUNDS * smp_num_online()),
		  contend_lock.sl_stats.ls_acquired - acquired0);
	EXPECT_FALSE(spin_is_locked(&contend_lock));
	EXPECT_EQ(contend_lock.sl_next, contend_lock.sl_serving);
	printk("# %u CPU(s): %u of the acquisitions waited, %llu turns of waiting in all\n",
	       smp_num_online(), contend_lock.sl_stats.ls_contended,
	       (unsigned long long)contend_lock.sl_stats.ls_spins);
}

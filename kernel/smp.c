/*
 * Bringing up the CPUs: theory of operation.
 *
 * 1. Finding them.  The ACPI MADT lists every processor's local APIC id
 *    (the MP table when there is no MADT, or with acpi=off); the boot CPU
 *    becomes CPU 0 and the others follow (arch/x86/smp.c).
 *
 * 2. What each AP gets, all from the boot CPU before it starts: a per-CPU
 *    area (a copy of .bss.percpu, from low memory so that the trampoline
 *    can load its GDT by physical address), whose GDT, TSS and
 *    double-fault task gdt_setup_cpu fills in; and a kernel stack from
 *    vmalloc, with the unmapped page below it as a guard.
 *
 * 3. Starting them.  The local APIC's registers are mapped uncached
 *    (ioremap); the trampoline is copied into the page below 1 MiB that
 *    bootmem set aside; a start-up address space maps that page at its own
 *    address (the AP turns paging on while running there) and shares the
 *    kernel half.  One AP at a time gets INIT-SIPI-SIPI (arch/x86/smpboot.c)
 *    and the boot CPU waits until it says "CPU n online".  Then the
 *    start-up space goes, and, with more than one CPU online, the boot CPU
 *    takes interrupts too (so that IPIs reach it).
 *
 * 4. Idling.  An AP halts with interrupts on until an IPI arrives.  Work
 *    reaches it only through a cross-CPU call: smp_run_on's call stores
 *    the job in the AP's per-CPU slot, and the idle loop runs it with
 *    interrupts on, then marks the slot free.  While idle it is in lazy
 *    TLB mode: shootdowns mark it stale instead of waking it, and it
 *    flushes its TLB before the next call or job (arch/x86/tlb.c).
 */
#include "kernel/smp.h"
#include "kernel/cmdline.h"
#include "arch/x86/smp.h"
#include "arch/x86/smpboot.h"
#include "arch/x86/apic.h"
#include "arch/x86/pat.h"
#include "arch/x86/trap.h"
#include "arch/x86/tlb.h"
#include "arch/x86/smp_call.h"
#include "arch/x86/cpu.h"
#include "mm/ioremap.h"
#include "mm/platform.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/buddy.h"
#include "mm/init.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "lib/panic.h"

#define AP_START_TIMEOUT_MS 1000

/* An AP's job: set by the cross-call, cleared by the AP when it ends. */
struct cpu_job {
	smp_call_fn j_fn;
	void *j_arg;
	uint32_t j_busy;
};

static DEFINE_PER_CPU(struct cpu_job, cpu_job);
static DEFINE_PER_CPU(void *, cpu_stack);
static struct cpu_tables tables;
static struct addr_space *startup_as;

static void report_cpus(void)
{
	printk("smp: %u CPU%s from the %s", smp_nr_cpus, smp_nr_cpus == 1 ? "" : "s",
	       tables.ct_source);
	if (tables.ct_table)
		printk(" at %#llx", tables.ct_table);
	printk(": APIC id%s", smp_nr_cpus == 1 ? "" : "s");
	for (unsigned cpu = 0; cpu < smp_nr_cpus; cpu++)
		printk(" %u%s", smp_apic_id[cpu], cpu == 0 ? " (boot)" : "");
	printk("; local APIC at %#llx", tables.ct_lapic);
	if (tables.ct_nr_ioapics)
		printk("; I/O APIC at %#llx", tables.ct_ioapic);
	printk("\n");
	if (tables.ct_ignored)
		printk("smp: %u more CPU%s left halted: the kernel runs at most %d\n",
		       tables.ct_ignored, tables.ct_ignored == 1 ? "" : "s", NR_CPUS);
	if (tables.ct_disabled)
		printk("smp: %u CPU%s listed as disabled\n", tables.ct_disabled,
		       tables.ct_disabled == 1 ? "" : "s");
}

static __noreturn void ap_idle(void)
{
	struct cpu_job *j = this_cpu_ptr(&cpu_job);

	for (;;) {
		cpu_cli();
		if (READ_ONCE(j->j_busy)) {
			tlb_idle_exit();
			cpu_sti();
			j->j_fn(j->j_arg);
			__atomic_store_n(&j->j_busy, 0, __ATOMIC_RELEASE);
			continue;
		}
		/* Idle: shootdowns leave this CPU alone until it wakes for
		 * work (lazy TLB, arch/x86/tlb.c).  sti takes effect after hlt
		 * starts: an IPI in between still wakes the CPU, so a job is
		 * never slept through. */
		tlb_idle_enter();
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

/* The AP's C entry after arch/x86/smpboot.c set up its CPU. */
static __noreturn void ap_main(unsigned cpu)
{
	vmm_switch(&kernel_as);
	printk("CPU %u online\n", cpu);
	cpumask_set(&cpu_online_mask, cpu);
	ap_idle();
}

static unsigned order_for(size_t bytes)
{
	unsigned order = 0;

	while ((size_t)PAGE_SIZE << order < bytes)
		order++;
	return order;
}

/* The AP's per-CPU area and stack, then INIT-SIPI-SIPI.  Without memory
 * for them the boot stops: nothing that follows would fare better. */
static int start_ap(unsigned cpu)
{
	struct page *area = alloc_pages(GFP_KERNEL | __GFP_ZERO, order_for(percpu_area_size()));
	char *stack;
	struct ap_boot b;

	if (!area)
		panic("smp: no memory for CPU %u's per-CPU area (%u KiB)", cpu,
		      (unsigned)(percpu_area_size() >> 10));
	stack = vmalloc(SMP_STACK_SIZE);
	if (!stack)
		panic("smp: no memory for CPU %u's kernel stack (%u KiB)", cpu,
		      SMP_STACK_SIZE >> 10);
	percpu_setup_cpu(cpu, page_address(area));
	*per_cpu_ptr(&cpu_stack, cpu) = stack;
	trap_set_cpu_stack_guard(cpu, (uint32_t)(uintptr_t)stack - PAGE_SIZE);
	gdt_setup_cpu(cpu, (uint32_t)(uintptr_t)(stack + SMP_STACK_SIZE),
		      (uint32_t)kernel_as.as_pgdir_phys);
	b = (struct ap_boot){ cpu, (uint32_t)(uintptr_t)(stack + SMP_STACK_SIZE),
			      (uint32_t)startup_as->as_pgdir_phys,
			      (uint32_t)kernel_as.as_pgdir_phys, ap_main };
	return smpboot_start(&b, AP_START_TIMEOUT_MS);
}

/* The trampoline in its page, and a space that maps the page at its own
 * physical address. */
static void prepare_startup(paddr_t page)
{
	startup_as = vmm_create();
	if (!startup_as)
		panic("smp: no memory for the start-up address space");
	if (vmm_map(startup_as, (vaddr_t)page, page, PAGE_SIZE, VMM_WRITE))
		panic("smp: no memory for the start-up address space's page table");
	smpboot_install(mm_phys_to_virt(page), page);
}

/*
 * Two conditions of the machine leave the kernel on one CPU, said on the
 * console: no page below 1 MiB for the trampoline (bootmem found none) and
 * a PAT that cannot make the local APIC's mapping uncached.  Out of memory
 * for what the start needs stops the boot, naming what.
 */
static void start_aps(void)
{
	void *regs;

	if (!mm_trampoline_page || !pat_uncached_ok()) {
		printk("smp: %s: running on one CPU\n",
		       !mm_trampoline_page ? "no page below 1 MiB for the trampoline"
					   : "the PAT cannot map the local APIC uncached");
		return;
	}
	regs = ioremap(tables.ct_lapic, PAGE_SIZE);
	if (!regs)
		panic("smp: no memory for the local APIC's mapping at %#llx", tables.ct_lapic);
	prepare_startup(mm_trampoline_page);
	lapic_set_base(regs);
	lapic_enable();
	smp_call_init();
	tlb_init();
	tlb_shootdown_enabled = !cmdline_has("no_shootdown");
	mm_locks_others_starting(); /* every lock takes its ticket from here on */
	for (unsigned cpu = 1; cpu < smp_nr_cpus; cpu++)
		if (start_ap(cpu))
			printk("smp: CPU %u (APIC id %u) did not start\n", cpu,
			       smp_apic_id[cpu]);
	vmm_destroy(startup_as);
	printk("smp: %u of %u CPUs online\n", smp_num_online(), smp_nr_cpus);
	if (smp_num_online() > 1)
		cpu_sti();
}

void smp_init(void)
{
	const char *acpi = cmdline_get("acpi");

	cpu_tables_find(&tables, !acpi || strcmp(acpi, "off"));
	smp_set_cpus(&tables);
	report_cpus();
	pat_init();
	if (smp_nr_cpus > 1 && !cmdline_has("nosmp"))
		start_aps();
}

static void accept_job(void *arg)
{
	const struct cpu_job *want = arg;
	struct cpu_job *j = this_cpu_ptr(&cpu_job);

	j->j_fn = want->j_fn;
	j->j_arg = want->j_arg;
	__atomic_store_n(&j->j_busy, 1, __ATOMIC_RELEASE);
}

int smp_run_on(unsigned cpu, smp_call_fn fn, void *arg)
{
	struct cpu_job job = { fn, arg, 1 };

	if (cpu == 0 || cpu >= NR_CPUS || !cpumask_test(&cpu_online_mask, cpu))
		return ERR_INVALID_ARGS;
	smp_run_wait(cpu);
	return smp_call_on(cpu, accept_job, &job);
}

bool smp_run_done(unsigned cpu)
{
	return !__atomic_load_n(&per_cpu_ptr(&cpu_job, cpu)->j_busy, __ATOMIC_ACQUIRE);
}

void smp_run_wait(unsigned cpu)
{
	while (cpu < NR_CPUS && !smp_run_done(cpu)) {
		/* the job may be shooting down, or making a cross-CPU call
		 * (a drain of every CPU's arrays), with us as a target */
		tlb_poll();
		if (irqs_disabled()) /* with them on, the IPI answers */
			smp_call_poll();
		cpu_relax();
	}
}

void *smp_cpu_stack(unsigned cpu)
{
	return *per_cpu_ptr(&cpu_stack, cpu);
}

void smp_print_cpus(void)
{
	printk("cpu apic  state    per-CPU area  kernel stack           calls in  shootdowns in/out  job\n");
	for (unsigned cpu = 0; cpu < smp_nr_cpus; cpu++) {
		bool up = cpumask_test(&cpu_online_mask, cpu);
		char *stack = smp_cpu_stack(cpu);
		char range[32] = "boot stack (image)";
		struct tlb_stats t;

		tlb_get_stats(cpu, &t);
		if (stack)
			snprintf(range, sizeof(range), "%p-%p", stack, stack + SMP_STACK_SIZE);
		printk("%3u %4u  %-7s  %p    %-22s %8lu  %8lu/%-8lu  %s\n", cpu,
		       smp_apic_id[cpu], up ? "online" : "offline",
		       (void *)(__percpu_start + percpu_offset[cpu]), range,
		       smp_calls_received(cpu), t.ts_received, t.ts_sent,
		       cpu == 0 ? "-" : smp_run_done(cpu) ? "idle" : "running");
	}
}

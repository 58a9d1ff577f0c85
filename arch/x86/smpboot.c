/*
 * Starting an AP (SDM Vol. 3A, 8.4.4.1, the universal start-up algorithm):
 * INIT puts it in wait-for-SIPI; 10 ms later a STARTUP IPI sends it to
 * real mode at the trampoline's page; a second STARTUP after 200 us is
 * sent only if the first did not take (an AP already running ignores it
 * anyway).  The trampoline's parameters say which GDT, page directory and
 * stack to use; from ap_start on the AP runs C on the kernel's tables.
 */
#include "arch/x86/smpboot.h"
#include "arch/x86/smp.h"
#include "arch/x86/apic.h"
#include "arch/x86/delay.h"
#include "arch/x86/trampoline.h"
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "lib/string.h"
#include "lib/errno.h"

#define INIT_DELAY_US 10000
#define STARTUP_DELAY_US 200
#define POLL_US 100

STATIC_ASSERT(TRAMP_PARAMS_END <= PAGE_SIZE, "the trampoline fits its page");

static uint8_t *tramp;
static paddr_t tramp_phys;
/* The AP being started: the boot CPU starts one at a time. */
static struct ap_boot starting;

__asmlinkage __noreturn void ap_start(unsigned cpu);

void smpboot_install(void *page, paddr_t phys)
{
	tramp = page;
	tramp_phys = phys;
	memcpy(tramp, trampoline_start, (size_t)(trampoline_end - trampoline_start));
}

static void put32(unsigned off, uint32_t v)
{
	memcpy(tramp + off, &v, sizeof(v));
}

static void fill_params(const struct ap_boot *b)
{
	uint16_t limit;
	uint32_t gdt;

	gdt_pointer(b->ab_cpu, &limit, &gdt);
	memcpy(tramp + TRAMP_GDTR, &limit, sizeof(limit));
	put32(TRAMP_GDTR + 2, gdt - KERNEL_VBASE); /* no paging yet */
	put32(TRAMP_CR4, read_cr4());
	put32(TRAMP_CR3, b->ab_startup_cr3);
	put32(TRAMP_STACK, b->ab_stack_top);
	put32(TRAMP_ENTRY, (uint32_t)(uintptr_t)ap_start);
	put32(TRAMP_CPU, b->ab_cpu);
}

static bool online(unsigned cpu)
{
	return cpumask_test(&cpu_online_mask, cpu);
}

int smpboot_start(const struct ap_boot *b, unsigned timeout_ms)
{
	unsigned apic_id = smp_apic_id[b->ab_cpu];
	unsigned page = (unsigned)(tramp_phys >> PAGE_SHIFT);

	starting = *b;
	fill_params(b);
	smp_mb();
	lapic_send_init(apic_id);
	udelay(INIT_DELAY_US);
	lapic_send_startup(apic_id, page);
	udelay(STARTUP_DELAY_US);
	if (!online(b->ab_cpu)) {
		lapic_send_startup(apic_id, page);
		udelay(STARTUP_DELAY_US);
	}
	for (unsigned waited = 0; !online(b->ab_cpu); waited += POLL_US) {
		if (waited >= timeout_ms * 1000)
			return ERR_BUSY;
		udelay(POLL_US);
	}
	return 0;
}

/*
 * The AP's first C: from the trampoline, on its own stack, with the
 * start-up directory in CR3 and flat segments.  %fs does not reach its
 * per-CPU area until gdt_load.
 */
__asmlinkage __noreturn void ap_start(unsigned cpu)
{
	write_cr3(starting.ab_kernel_cr3); /* the identity page is gone */
	gdt_load(cpu);
	idt_load();
	lapic_enable();
	starting.ab_main(cpu);
	for (;;)
		cpu_halt();
}

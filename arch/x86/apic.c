/*
 * The local APIC (see apic.h).  Registers are 32 bits wide at 16-byte
 * boundaries and must be accessed with aligned 32-bit loads and stores,
 * hence the volatile word pointer.  An IPI is sent by writing the
 * destination into ICR high, then the vector and delivery mode into ICR
 * low; a second CPU's interrupt handler must not write ICR high in
 * between, so interrupts are masked around the pair.
 */
#include "arch/x86/apic.h"
#include "arch/x86/vectors.h"
#include "arch/x86/trap.h"
#include "lib/irqflags.h"
#include "lib/atomic.h"

static volatile uint32_t *apic;

static uint32_t apic_read(unsigned reg)
{
	return apic[reg / 4];
}

static void apic_write(unsigned reg, uint32_t v)
{
	apic[reg / 4] = v;
}

/* A spurious interrupt needs no EOI; it is simply dropped. */
static bool spurious(struct trap_frame *tf)
{
	(void)tf;
	return true;
}

void lapic_set_base(volatile void *regs)
{
	apic = regs;
	trap_register(T_APIC_SPURIOUS, spurious);
}

bool lapic_ready(void)
{
	return apic != NULL;
}

void lapic_enable(void)
{
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	apic_write(APIC_SVR, APIC_SVR_ENABLE | T_APIC_SPURIOUS);
	apic_write(APIC_ESR, 0); /* writing ESR latches the errors, then clears */
	apic_write(APIC_ESR, 0);
}

unsigned lapic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void wait_accepted(void)
{
	while (apic_read(APIC_ICR_LOW) & APIC_ICR_PENDING)
		cpu_relax();
}

static void send(unsigned apic_id, uint32_t command)
{
	irqflags_t flags = irq_save();

	wait_accepted();
	apic_write(APIC_ICR_HIGH, (uint32_t)apic_id << 24);
	apic_write(APIC_ICR_LOW, command);
	wait_accepted();
	irq_restore(flags);
}

void lapic_send_ipi(unsigned apic_id, unsigned vector)
{
	send(apic_id, APIC_ICR_FIXED | APIC_ICR_ASSERT | (vector & 0xFF));
}

void lapic_send_init(unsigned apic_id)
{
	send(apic_id, APIC_ICR_INIT | APIC_ICR_ASSERT);
}

void lapic_send_startup(unsigned apic_id, unsigned page)
{
	send(apic_id, APIC_ICR_STARTUP | APIC_ICR_ASSERT | (page & 0xFF));
}

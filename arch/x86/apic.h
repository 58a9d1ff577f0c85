/*
 * The local APIC: each CPU's own interrupt controller, through which CPUs
 * interrupt each other (SDM Vol. 3A, chapter 10).  Its registers sit at
 * one physical page (0xFEE00000 unless the firmware says otherwise); every
 * CPU sees its own APIC there.  The kernel maps the page uncached with
 * ioremap and hands the address to lapic_set_base.
 */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include "lib/compiler.h"

/* Register offsets. */
#define APIC_ID 0x020 /* bits 24-31: this APIC's id */
#define APIC_VERSION 0x030 /* bits 0-7: version; 16-23: LVT entries - 1 */
#define APIC_TPR 0x080 /* task priority: 0 accepts every vector */
#define APIC_EOI 0x0B0 /* write 0: end of interrupt */
#define APIC_SVR 0x0F0 /* spurious vector and the software enable */
#define APIC_ESR 0x280 /* error status */
#define APIC_ICR_LOW 0x300 /* interrupt command; writing it sends */
#define APIC_ICR_HIGH 0x310 /* bits 24-31: the destination APIC id */
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_ERROR 0x370

#define APIC_SVR_ENABLE 0x100
#define APIC_LVT_MASKED 0x10000
#define APIC_ICR_FIXED 0x000 /* delivery modes, bits 8-10 */
#define APIC_ICR_INIT 0x500
#define APIC_ICR_STARTUP 0x600
#define APIC_ICR_PENDING 0x1000 /* delivery status: not yet accepted */
#define APIC_ICR_ASSERT 0x4000 /* level: assert (all but INIT de-assert) */

/* Uses the registers mapped at regs (uncached) from now on. */
void lapic_set_base(volatile void *regs);
/* Whether lapic_set_base has been called (the APIC is usable). */
bool lapic_ready(void);

/*
 * Software-enables this CPU's APIC: spurious vector T_APIC_SPURIOUS,
 * task priority 0, the timer and error interrupts masked.  Each CPU,
 * once, with interrupts off.
 */
void lapic_enable(void);
/* This CPU's APIC id, from the APIC itself. */
unsigned lapic_id(void);
/* Ends the interrupt being handled (every APIC vector but the spurious). */
void lapic_eoi(void);

/*
 * Sends vector to the CPU whose APIC id is apic_id (fixed delivery,
 * physical destination) and waits until its APIC has accepted it.  Any
 * context; interrupts are masked while the command is written.
 */
void lapic_send_ipi(unsigned apic_id, unsigned vector);
/* The start-up messages (SDM Vol. 3A, 8.4.4.1): INIT, and STARTUP with
 * the page number (below 1 MiB) where the AP starts in real mode. */
void lapic_send_init(unsigned apic_id);
void lapic_send_startup(unsigned apic_id, unsigned page);

#endif

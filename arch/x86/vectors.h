/*
 * Interrupt vectors of the local APIC: the inter-processor interrupts and
 * the spurious vector (SDM Vol. 3A, 10.9: its low four bits must be set on
 * older APICs).  Plain numbers: arch/x86/trapentry.asm includes a NASM copy
 * to make their entry stubs.  The exceptions and the PIC's lines are in
 * arch/x86/trap.h.
 */
#ifndef ARCH_X86_VECTORS_H
#define ARCH_X86_VECTORS_H

#define T_IPI_CALL 0xF0 /* a cross-CPU call (arch/x86/smp_call.c) */
#define T_IPI_TLB 0xF1 /* a TLB shootdown (arch/x86/tlb.c) */
#define T_APIC_SPURIOUS 0xFF

#endif

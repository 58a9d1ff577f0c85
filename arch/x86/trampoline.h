/*
 * The AP start-up trampoline's page (arch/x86/trampoline.asm): code at
 * the start, and at TRAMP_PARAMS what the boot CPU writes for the AP
 * before sending STARTUP.  Plain numbers: the assembly includes a NASM copy.
 *
 *   TRAMP_GDTR   6 bytes for lgdt: the AP's own GDT, by physical address
 *   TRAMP_CR4    the boot CPU's CR4 (PSE, PGE)
 *   TRAMP_CR3    a directory with this page identity-mapped and the
 *                kernel half shared
 *   TRAMP_STACK  the top of the AP's kernel stack (virtual)
 *   TRAMP_ENTRY  the C function the AP jumps to, with its CPU number
 *   TRAMP_CPU    that number
 */
#ifndef ARCH_X86_TRAMPOLINE_H
#define ARCH_X86_TRAMPOLINE_H

#define TRAMP_PARAMS 0xF00
#define TRAMP_GDTR 0xF00
#define TRAMP_CR4 0xF08
#define TRAMP_CR3 0xF0C
#define TRAMP_STACK 0xF10
#define TRAMP_ENTRY 0xF14
#define TRAMP_CPU 0xF18
#define TRAMP_PARAMS_END 0xF1C

#endif

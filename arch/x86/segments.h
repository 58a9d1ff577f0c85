/*
 * The GDT layout.  Selectors are index * 8 | RPL; entry.asm and the trap
 * entry code use these through the generated NASM include.
 */
#ifndef ARCH_X86_SEGMENTS_H
#define ARCH_X86_SEGMENTS_H

#define GDT_NULL 0
#define GDT_KERNEL_CODE 1
#define GDT_KERNEL_DATA 2
#define GDT_USER_CODE 3
#define GDT_USER_DATA 4
#define GDT_TSS 5
#define GDT_DF_TSS 6
#define GDT_TEST0 7
#define GDT_TEST1 8
#define GDT_ENTRIES 9

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS 0x1B
#define USER_DS 0x23
#define TSS_SEL 0x28
#define DF_TSS_SEL 0x30
#define TEST0_SEL 0x38
#define TEST1_SEL 0x40

#endif

/*
 * The GDT layout, the same in every CPU's GDT.  A selector is its slot's
 * index * 8 plus the requested privilege level; entry.asm and the trap
 * entry code use these through the generated NASM include.  Each CPU's
 * GDT has its own TSSs and its own per-CPU segment (arch/x86/percpu.h).
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
#define GDT_PERCPU 9
#define GDT_ENTRIES 10

#define SEL_RPL3 3 /* requested privilege level of a ring-3 selector */
#define KERNEL_CS (GDT_KERNEL_CODE * 8)
#define KERNEL_DS (GDT_KERNEL_DATA * 8)
#define USER_CS (GDT_USER_CODE * 8 + SEL_RPL3)
#define USER_DS (GDT_USER_DATA * 8 + SEL_RPL3)
#define TSS_SEL (GDT_TSS * 8)
#define DF_TSS_SEL (GDT_DF_TSS * 8)
#define TEST0_SEL (GDT_TEST0 * 8)
#define TEST1_SEL (GDT_TEST1 * 8)
#define PERCPU_SEL (GDT_PERCPU * 8)

#endif

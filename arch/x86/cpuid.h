/*
 * CPUID: the feature bits the kernel looks at, shared with the boot
 * assembly (which checks the required ones before any compiled C runs;
 * the Makefile generates a NASM copy of the plain #define lines).
 * Bits: SDM Vol. 2A, CPUID, leaf 1 EDX; EFLAGS.ID: SDM Vol. 1, 3.4.3.3.
 */
#ifndef ARCH_X86_CPUID_H
#define ARCH_X86_CPUID_H

#define EFLAGS_ID 0x00200000 /* writable only on CPUs that have CPUID */

#define CPUID_EDX_PSE 0x00000008 /* 4 MiB pages */
#define CPUID_EDX_TSC 0x00000010 /* rdtsc */
#define CPUID_EDX_MSR 0x00000020 /* rdmsr and wrmsr */
#define CPUID_EDX_PAE 0x00000040
#define CPUID_EDX_APIC 0x00000200 /* an on-chip local APIC */
#define CPUID_EDX_PGE 0x00002000 /* global pages */
#define CPUID_EDX_CMOV 0x00008000 /* cmov: gcc's -march=i686 uses it anywhere */
#define CPUID_EDX_PAT 0x00010000 /* page attribute table */

/*
 * What the kernel cannot run without: CPUID itself, cmov (the compiler's
 * target, -march=i686) and rdtsc (boot and the benchmarks time themselves).
 * That is an i686: a Pentium Pro, Pentium II or any later x86.  PSE and PGE
 * are used when present.
 */
#define CPUID_EDX_REQUIRED (CPUID_EDX_TSC | CPUID_EDX_CMOV)

#endif

/*
 * Control registers, CPUID, interrupt flag and TLB control.  Everything that
 * touches the CPU's own state goes through here.
 */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "lib/compiler.h"
#include "lib/irqflags.h"

/* CPUID leaf 1, EDX feature bits (SDM Vol. 2A, CPUID). */
#include "arch/x86/cpuid.h"

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr3(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpu_cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void cpu_sti(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void cpu_halt(void)
{
	__asm__ volatile("hlt");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uintptr_t read_ebp(void)
{
	uintptr_t v;
	__asm__ volatile("mov %%ebp, %0" : "=r"(v));
	return v;
}

void cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
	   uint32_t *edx);
bool cpu_has_cpuid(void);
/* CPUID.1:EDX, or 0 on a CPU without CPUID (a 486). */
uint32_t cpu_features_edx(void);

#endif

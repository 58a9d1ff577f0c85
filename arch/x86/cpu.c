/* CPU identification. */
#include "arch/x86/cpu.h"

bool cpu_has_cpuid(void)
{
	uint32_t before, after;

	__asm__ volatile("pushfl\n\t"
			 "pushfl\n\t"
			 "popl %0\n\t"
			 "movl %0, %1\n\t"
			 "xorl %2, %1\n\t"
			 "pushl %1\n\t"
			 "popfl\n\t"
			 "pushfl\n\t"
			 "popl %1\n\t"
			 "popfl"
			 : "=&r"(before), "=&r"(after)
			 : "i"(EFLAGS_ID));
	return ((before ^ after) & EFLAGS_ID) != 0;
}

void cpuid(uint32_t leaf, uint32_t *eax, uint32_t *ebx, uint32_t *ecx,
	   uint32_t *edx)
{
	__asm__ volatile("cpuid"
			 : "=a"(*eax), "=b"(*ebx), "=c"(*ecx), "=d"(*edx)
			 : "a"(leaf), "c"(0));
}

uint32_t cpu_features_edx(void)
{
	uint32_t a, b, c, d;

	if (!cpu_has_cpuid())
		return 0;
	cpuid(0, &a, &b, &c, &d);
	if (a < 1)
		return 0;
	cpuid(1, &a, &b, &c, &d);
	return d;
}

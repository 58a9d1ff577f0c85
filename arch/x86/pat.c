/* The page attribute table (see pat.h). */
#include "arch/x86/pat.h"
#include "arch/x86/cpu.h"
#include "arch/x86/mmu.h"
#include "lib/printk.h"

#define PAT_INDEX_UC 3 /* PCD|PWT with PAT clear */

static uint64_t pat = PAT_DEFAULT; /* the legacy meaning without a PAT */
static bool uncached_ok = true;

static unsigned entry(unsigned index)
{
	return (unsigned)(pat >> (index * 8)) & 7;
}

bool pat_init(void)
{
	bool present = (cpu_features_edx() & CPUID_EDX_PAT) != 0;
	bool ok;

	if (present)
		pat = rdmsr(MSR_PAT);
	ok = uncached_ok = entry(PAT_INDEX_UC) == PAT_UC;
	printk("PAT: %s %#llx%s; PCD|PWT selects %s%s\n",
	       present ? "MSR" : "none, the fixed meaning", pat,
	       pat == PAT_DEFAULT ? " (the power-on default)" : "",
	       pat_type_name(entry(PAT_INDEX_UC)),
	       ok ? "" : ": device registers would be cached (ioremap refuses)");
	return ok;
}

bool pat_uncached_ok(void)
{
	return uncached_ok;
}

unsigned pat_type_of(uint32_t e, bool large)
{
	unsigned index = (e & PTE_PWT ? 1 : 0) | (e & PTE_PCD ? 2 : 0);

	if (e & (large ? PDE_PAT_LARGE : PTE_PAT))
		index |= 4;
	return entry(index);
}

const char *pat_type_name(unsigned type)
{
	static const char *const names[8] = { "UC", "WC", "?2", "?3",
					      "WT", "WP", "WB", "UC-" };

	return names[type & 7];
}

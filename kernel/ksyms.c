/* Symbol look-up over the sorted table that tools/gen_ksyms.py generates. */
#include "kernel/ksyms.h"
#include "lib/symbol.h"
#include "lib/string.h"

extern const char __text_start[], __text_end[];

const char *ksym_lookup(uintptr_t addr, uint32_t *offset)
{
	uint32_t lo = 0, hi = ksyms_count;

	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end ||
	    ksyms_count == 0 || addr < ksyms_table[0].addr)
		return NULL;
	/* Last entry with ksyms_table[i].addr <= addr. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = (uint32_t)(addr - ksyms_table[lo].addr);
	return ksyms_names + ksyms_table[lo].name;
}

void ksyms_init(void)
{
	symbol_set_lookup(ksym_lookup);
}

uintptr_t ksym_address(const char *name)
{
	for (uint32_t i = 0; i < ksyms_count; i++)
		if (strcmp(ksyms_names + ksyms_table[i].name, name) == 0)
			return ksyms_table[i].addr;
	return 0;
}

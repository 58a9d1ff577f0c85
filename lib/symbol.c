/* The symbol look-up hook (see lib/symbol.h). */
#include "lib/symbol.h"
#include "lib/printk.h"

static symbol_lookup_fn lookup_hook;

void symbol_set_lookup(symbol_lookup_fn lookup)
{
	lookup_hook = lookup;
}

symbol_lookup_fn symbol_get_lookup(void)
{
	return lookup_hook;
}

const char *symbol_lookup(uintptr_t addr, uint32_t *offset)
{
	return lookup_hook ? lookup_hook(addr, offset) : NULL;
}

const char *symbol_format(uintptr_t addr, char *buf, size_t size)
{
	uint32_t off;
	const char *name = symbol_lookup(addr, &off);

	if (name)
		snprintf(buf, size, "%s+%#x", name, off);
	else
		snprintf(buf, size, "?");
	return buf;
}

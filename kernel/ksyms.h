/*
 * The kernel's own symbol table, for backtraces that name functions.  The
 * build links the kernel twice: tools/gen_ksyms.py reads the text symbols of
 * the first link and the second link places them in the .ksyms section, after
 * everything else, so no address moves between the two links.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include "lib/compiler.h"

struct ksym {
	uint32_t addr;
	uint32_t name; /* offset into ksyms_names */
};

extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern const uint32_t ksyms_count;

/*
 * Finds the function containing addr.  Returns its name and sets *offset,
 * or NULL if addr is outside the kernel's text.
 */
const char *ksym_lookup(uintptr_t addr, uint32_t *offset);
/* Makes this table the base library's symbol look-up (lib/symbol.h), so
 * that backtraces and reports below the kernel name functions. */
void ksyms_init(void);
/* The address of the function called name, or 0. */
uintptr_t ksym_address(const char *name);

#endif

/*
 * The kernel's own symbol table, for backtraces that name functions.  The
 * build links the kernel twice: tools/gen_ksyms.py reads the text symbols of
 * the first link and the second link places them in the .ksyms section, after
 * everything else, so no address moves between the two links.
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include "kernel/compiler.h"

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
/* Formats addr as "name+0xoff", or "?" when unknown. */
void ksym_format(uintptr_t addr, char *buf, size_t size);
/* The address of the function called name, or 0. */
uintptr_t ksym_address(const char *name);

#endif

/*
 * Names for code addresses, for backtraces and misuse reports.  The base
 * library knows no symbols of its own: the layer that has a symbol table
 * (kernel/ksyms.c) installs the look-up; until then, and on the host,
 * every address is unknown.
 */
#ifndef LIB_SYMBOL_H
#define LIB_SYMBOL_H

#include "lib/compiler.h"

/* Finds the function containing addr: its name, with *offset set, or NULL. */
typedef const char *(*symbol_lookup_fn)(uintptr_t addr, uint32_t *offset);
void symbol_set_lookup(symbol_lookup_fn lookup);
/* The look-up installed now (NULL: none), so that a layer can wrap it. */
symbol_lookup_fn symbol_get_lookup(void);

/* The installed look-up; NULL when there is none or addr is unknown. */
const char *symbol_lookup(uintptr_t addr, uint32_t *offset);
/* Formats addr as "name+0xoff"; "?" when unknown.  Returns buf. */
const char *symbol_format(uintptr_t addr, char *buf, size_t size);

#endif

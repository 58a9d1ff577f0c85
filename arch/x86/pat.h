/*
 * Memory types: the page attribute table (SDM Vol. 3A, 12.12).  A page's
 * PAT, PCD and PWT bits form a 3-bit index into the PAT MSR, whose entry
 * is the page's memory type.  At reset the MSR holds PAT_DEFAULT, which
 * keeps the meaning PCD and PWT had before the PAT: PCD|PWT is uncached
 * (UC), which is what device registers such as the local APIC's need
 * (mm/ioremap.c maps them so).  A CPU without the PAT has that same
 * meaning built in.
 */
#ifndef ARCH_X86_PAT_H
#define ARCH_X86_PAT_H

#include "lib/compiler.h"

#define MSR_PAT 0x277
#define PAT_DEFAULT 0x0007040600070406ull /* WB WT UC- UC, twice */

/* Memory type encodings of a PAT entry. */
#define PAT_UC 0 /* uncacheable */
#define PAT_WC 1 /* write combining */
#define PAT_WT 4 /* write through */
#define PAT_WP 5 /* write protected */
#define PAT_WB 6 /* write back */
#define PAT_UC_MINUS 7 /* uncacheable, overridable by the MTRRs */

/*
 * Reads the PAT (when the CPU has one) and checks that PCD|PWT selects UC,
 * as ioremap needs.  Returns true when it does (also without a PAT).
 * Prints one line saying what it found.  Boot CPU, once.
 */
bool pat_init(void);
/* What pat_init found: whether PCD|PWT means UC. */
bool pat_uncached_ok(void);

/* The memory type a page-table entry selects: `entry` is the entry, `large`
 * says it is a directory entry mapping a 4 MiB page (its PAT bit is bit 12). */
unsigned pat_type_of(uint32_t entry, bool large);
/* "WB", "UC"... */
const char *pat_type_name(unsigned type);

#endif

/*
 * Fault injection from the command line and the shell: the boot option
 * `failinject=SPEC` arms it for the shell session, and the shell's
 * `failinject` command arms, shows and disarms it (mm/failinject.h does
 * the counting and failing).  SPEC is a comma-separated list of
 *   nth:N      fail the Nth allocation counted (1, 2, ...)
 *   prob:PPM   fail each counted allocation with PPM chances in a million
 *   seed:S     the seed of prob's generator (the same failures again)
 *   kind:K     count only allocations of kind K (pages, slab, kmalloc,
 *              vmalloc, pagetable, kmap, addr_space, task; repeatable)
 * e.g. `failinject=nth:5,kind:kmalloc` or `failinject prob:20000,seed:7`.
 * Every injected failure prints one line saying so, before whatever the
 * caller makes of it; `reports` counts them.
 */
#ifndef KERNEL_FAILINJECT_CMD_H
#define KERNEL_FAILINJECT_CMD_H

#include "lib/types.h"

/* Arms injection as the boot option failinject=SPEC asks, if it is given;
 * called just before the shell starts, so that it reaches only the shell
 * (a boot that runs the self-tests, the benchmarks or the soak ends before;
 * the shell's ktest and bench refuse to run while it is armed). */
void failinject_boot(void);

/* The shell's `failinject [SPEC|off]`. */
int cmd_failinject(int argc, char **argv);

/* One line on the state of injection, for `failinject` and `reports`. */
void failinject_print_status(void);

#endif

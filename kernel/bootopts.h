/*
 * The boot options the kernel knows (kernel/bootopts.c), for the warning
 * about words it does not know and for `make help`, which lists them from
 * the table there.  Reading an option stays with kernel/cmdline.h.
 */
#ifndef KERNEL_BOOTOPTS_H
#define KERNEL_BOOTOPTS_H

#include "lib/compiler.h"

/*
 * Prints a warning for every word of the command line that is not a known
 * option, or gives a known option a value it cannot take (crash=bogus).
 * Words with a '/' are the kernel's path, which GRUB and QEMU put first.
 * Returns the number of warnings.
 */
unsigned bootopts_check(const char *cmdline);

#endif

/*
 * failboot: fault injection over the boot itself (boot option
 * `failboot[=N]`), so that every allocation the boot makes can be made to
 * fail and the failure shown to stop the boot with a panic that names what
 * could not be allocated -- never a triple fault, a hang or a NULL
 * dereference later on (tests/testrun/failboot.py boots with each one
 * failing in turn).
 *
 * `failboot` counts the boot's allocations; `failboot=N` fails the Nth
 * (mm/failinject.h counts every kind, bootmem included).  Either way the
 * boot is the whole run: at its end the kernel uses what the boot set up
 * (a kmalloc of every class, a burst of frees past the per-CPU arrays,
 * vmalloc, an address space, a task), checks
 * the allocators' invariants, prints
 *   failboot: the boot made N allocations, F failed (injected), P problems
 * and leaves QEMU (pass when P is 0), without running any job.
 */
#ifndef KERNEL_FAILBOOT_H
#define KERNEL_FAILBOOT_H

/* Arms injection when the command line asks for it; called once, as soon
 * as the command line is read (before the memory map is). */
void failboot_arm(void);

/* The boot is done: disarms, and with failboot checks, reports and leaves
 * QEMU (does not return then).  Without failboot it does nothing. */
void failboot_done(void);

#endif

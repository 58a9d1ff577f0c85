/*
 * Lock debugging, connected to the kernel (kernel/lockdebug.c): lib/'s
 * spinlocks learn the running CPU's number and what to do while they wait
 * (answer TLB shootdowns) from arch/x86, and send their reports to mm_report, where the misuse
 * reports of the allocators are counted (kind REPORT_LOCK), so that the
 * self-tests can announce them with report_expect.
 */
#ifndef KERNEL_LOCKDEBUG_H
#define KERNEL_LOCKDEBUG_H

#include "lib/compiler.h"

/* Installs the hooks (also with debugging off: the wait-loop hook is
 * needed either way) and turns lock debugging on when `on` (boot option
 * lock_debug, or ktest).  Once, at boot, before any lock is held. */
void lock_debug_init(bool on);

#endif

/*
 * The kernel command line: space-separated words, each `key` or
 * `key=value`.  The first word from GRUB or QEMU is the kernel's path and
 * is simply another word.
 *   ktest            run every self-test suite, report over serial, exit QEMU
 *   ktest=a,b        run the suites a and b
 *   bench            run the benchmarks
 *   (nothing)        start the serial shell
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "lib/compiler.h"

void cmdline_init(const char *cmdline);
bool cmdline_has(const char *key);
/* The value of key=value, "" for a bare key, NULL when absent. */
const char *cmdline_get(const char *key);

/*
 * Says whether `name` is one of the comma-separated items of `list`.
 * An empty or NULL list contains everything.
 */
bool list_contains(const char *list, const char *name);

#endif

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

/* Takes the words of this boot's command line; more than the kernel keeps
 * (32) is said on the console, with the words it ignores. */
void cmdline_init(const char *cmdline);
/*
 * Splits `line` in place into at most max words (pointers in w) and returns
 * how many; *ignored is the part of the line past the last of them, or
 * NULL when every word fitted.
 */
unsigned cmdline_split(char *line, char **w, unsigned max, const char **ignored);
bool cmdline_has(const char *key);
/* The value of key=value, "" for a bare key, NULL when absent. */
const char *cmdline_get(const char *key);

/*
 * Says whether `name` is one of the comma-separated items of `list`.
 * An empty or NULL list contains everything.
 */
bool list_contains(const char *list, const char *name);

#endif

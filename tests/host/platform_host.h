/*
 * The host side of mm/platform.h: "physical memory" is one malloc'd arena,
 * physical address p lives at arena + p, and the direct map ends wherever
 * the test says (to model HIGHMEM).  CPUs are threads: each says which
 * it is with host_set_cpu (0 by default), after host_set_cpus(n) said how
 * many there are (1 by default).
 */
#ifndef TESTS_HOST_PLATFORM_HOST_H
#define TESTS_HOST_PLATFORM_HOST_H

#include "mm/platform.h"

/* Allocates (or reallocates) the arena: `bytes` of physical memory. */
void host_phys_init(size_t bytes, paddr_t direct_end);
void host_phys_free(void);
uint8_t *host_phys_base(void);
size_t host_phys_size(void);

void host_set_cpus(unsigned n);
void host_set_cpu(unsigned cpu);

/* mm_printf goes to stdout unless silenced (random tests print a lot). */
void host_set_quiet(bool quiet);
bool host_quiet(void);

/* Minimal TAP helpers for host test programs. */
void tap_ok(bool ok, const char *fmt, ...) __printf(2, 3);
/* Prints the plan, the closing line, and returns the exit status. */
int tap_done(void);

#endif

/*
 * Self-test helpers for several CPUs (tests/smp_util.c): the second CPU a
 * test needs, and bounded waits, so that a broken protocol fails its test
 * instead of hanging the run.
 */
#ifndef TESTS_SMP_UTIL_H
#define TESTS_SMP_UTIL_H

#include "lib/compiler.h"

/* Tests that need two CPUs skip with this on one (tests/runner.py allows
 * it only on runs with one CPU). */
#define ONE_CPU_REASON "one CPU online: the test needs a second"

/* The first online AP, or 0 when only the boot CPU runs. */
unsigned smp_test_ap(void);

/* Waits until *flag is non-zero, for at most about a second of the
 * machine's time (turns of a loop); returns whether it became so. */
bool smp_test_wait_flag(const volatile uint32_t *flag);
/* The same, until the AP cpu is back in its idle loop (lazy TLB). */
bool smp_test_wait_idle(unsigned cpu);
/* The same, until at least n of NR_CPUS flags are set: the first at
 * flag0, the others every `stride` bytes (a `done` field of an array of
 * per-CPU records). */
bool smp_test_wait_flags(const uint32_t *flag0, size_t stride, unsigned n);
/* The same, until the counter reaches at least `target`. */
bool smp_test_wait_count(unsigned long (*count)(void), unsigned long target);

#endif

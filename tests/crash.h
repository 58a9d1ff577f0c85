/*
 * Deliberate crashes, chosen on the command line (crash=NAME), for the host
 * runner to check that each one ends in a clear report rather than a triple
 * fault or a hang:
 *   crash=null          a NULL dereference in C: page-fault report, backtrace
 *   crash=stack         unbounded recursion: the guard page, then the
 *                       double-fault task reports a kernel stack overflow
 *   crash=text          a write to kernel text: a protection-violation
 *                       report with the page walk down to the read-only PTE
 *   crash=taskstack     the same on a task's vmalloc'ed stack: its guard page
 *   crash=apstack       the same on CPU 1's stack (QEMU -smp 2): its own
 *                       double-fault task reports it
 *   crash=panic         panic() with a backtrace naming its callers
 *   crash=demandoom     a demand-zero page touched with no frame left: the
 *                       report's likely cause says out of memory, and where
 */
#ifndef TESTS_CRASH_H
#define TESTS_CRASH_H

/* Runs the named crash; returns only if the name is unknown. */
void crash_run(const char *name);

#endif

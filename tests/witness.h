/*
 * The outside witness (command line `witness`): the kernel prints its own
 * account of its mappings over serial, then halts where the host runner
 * can compare it with QEMU's view of the page tables (tests/runner.py,
 * witness_job, through QMP "info mem" and "info tlb").
 */
#ifndef TESTS_WITNESS_H
#define TESTS_WITNESS_H

#include "lib/compiler.h"

/* Prints the account, ends with "WITNESS ready" and halts forever. */
__noreturn void witness_run(void);

#endif

/*
 * Paging benchmarks, run by `make bench` as KBENCH entries of the same
 * names: each puts in *ticks the TSC ticks its `iters` operations took,
 * which under QEMU -icount shift=0 are guest instructions, and returns 0;
 * or it returns the error of the first operation that failed or did not
 * do what it should (then there is no figure).  They print:
 *   BENCH map_unmap_4k <insn per vmm_map + vmm_unmap pair> insn/op
 *   BENCH as_create_destroy <insn per vmm_create + vmm_destroy> insn/op
 *   BENCH demand_zero_fault <insn per first touch of a demand-zero page> insn/op
 * All leave the buddy allocator as they found it.
 */
#ifndef TESTS_BENCH_PAGING_H
#define TESTS_BENCH_PAGING_H

#include "lib/compiler.h"

int bench_map_unmap_4k(unsigned iters, uint64_t *ticks);
int bench_as_create_destroy(unsigned iters, uint64_t *ticks);
int bench_demand_zero_fault(unsigned iters, uint64_t *ticks);

#endif

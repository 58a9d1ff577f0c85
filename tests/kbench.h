/*
 * In-kernel benchmarks, run with the command line `bench` (all) or
 * `bench=a,b`.  `make bench` boots QEMU with -icount shift=0, where the
 * time stamp counter advances exactly one tick per guest instruction, so
 * every figure is an instruction count and repeats bit for bit.
 *
 *   KBENCH(page_alloc_free_o0) {
 *           uint64_t t = bench_start();
 *           ... N operations ...
 *           bench_report("page_alloc_free_o0", bench_stop(t), N, "insn/op");
 *   }
 *
 * Output: one line per figure, `BENCH <name> <value> <unit>`, then
 * `N benchmarks` and QEMU exits.  A benchmark asserts nothing.
 *
 * A benchmark that needs more memory than the machine has checks before it
 * starts (bench_need_frames, or the first allocation of a pair) and skips:
 * `bench <name>: skipped: <reason>`; it never runs out in the middle and
 * never hands a failed allocation (NULL) to a free.  The closing line then
 * says how many skipped, and how many misuse reports the run caused (0:
 * anything else is a bug, and `bench` leaves QEMU with the failure code).
 */
#ifndef TESTS_KBENCH_H
#define TESTS_KBENCH_H

#include "lib/compiler.h"

struct kbench {
	const char *name;
	void (*fn)(void);
} __aligned(8);

#define KBENCH(id)                                                         \
	static void CONCAT(kbench_fn_, id)(void);                          \
	static const struct kbench CONCAT(kbench_, id)                     \
		__section(".kbench") __used = { #id, CONCAT(kbench_fn_, id) }; \
	static void CONCAT(kbench_fn_, id)(void)

/* Says that benchmark `name` does not run here, and why. */
void bench_skip(const char *name, const char *fmt, ...) __printf(2, 3);
/* Whether `frames` frames are free below the direct map's end (what
 * GFP_KERNEL draws on); if not, bench_skip says so and returns false. */
bool bench_need_frames(const char *name, unsigned long frames);

uint64_t bench_start(void);
/* Ticks since t, less the cost of reading the counter itself. */
uint64_t bench_stop(uint64_t t);
/* Prints BENCH name total/ops (one decimal) unit. */
void bench_report(const char *name, uint64_t total, uint64_t ops,
		  const char *unit);

/* Runs the selected benchmarks (NULL: all); returns how many ran, or -1
 * (with an error line) when a name is not a benchmark or the run caused
 * a misuse report.  Says whether the
 * figures are instruction counts (under -icount shift=0) or host ticks. */
int kbench_run(const char *which);
__noreturn void kbench_main(const char *which);

#endif

/* The benchmark runner (see kbench.h). */
#include "tests/kbench.h"
#include "lib/printk.h"
#include "kernel/cmdline.h"
#include "arch/x86/cpu.h"
#include "arch/x86/qemu_exit.h"

extern const struct kbench __kbench_start[], __kbench_end[];

static uint64_t overhead;

uint64_t bench_start(void)
{
	return rdtsc();
}

uint64_t bench_stop(uint64_t t)
{
	uint64_t d = rdtsc() - t;

	return d > overhead ? d - overhead : 0;
}

void bench_report(const char *name, uint64_t total, uint64_t ops,
		  const char *unit)
{
	uint64_t tenths = ops ? (total * 10 + ops / 2) / ops : 0;

	printk("BENCH %s %llu.%llu %s\n", name, tenths / 10, tenths % 10, unit);
}

int kbench_run(const char *which)
{
	int n = 0;
	uint64_t t = rdtsc();

	overhead = rdtsc() - t; /* back-to-back reads */
	printk("benchmarks (instructions, under QEMU -icount shift=0)\n");
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		if (!list_contains(which, b->name))
			continue;
		b->fn();
		n++;
	}
	printk("%d benchmarks\n", n);
	return n;
}

__noreturn void kbench_main(const char *which)
{
	qemu_exit(kbench_run(which) ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

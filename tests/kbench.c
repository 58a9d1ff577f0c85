/* The benchmark runner (see kbench.h). */
#include "tests/kbench.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "kernel/cmdline.h"
#include "arch/x86/cpu.h"
#include "arch/x86/qemu_exit.h"
#include "mm/buddy.h"
#include "mm/report.h"

extern const struct kbench __kbench_start[], __kbench_end[];

static uint64_t overhead;
static unsigned skipped;
static bool counting_instructions; /* the TSC counts guest instructions */

#define PROBE_LOOPS 1000 /* dec and jnz: two instructions a loop */

/*
 * Under QEMU's -icount shift=0 the time stamp counter advances exactly one
 * tick per instruction, so a fixed loop reads the same count every time,
 * within a few of its instruction count.  Otherwise the counter follows the
 * host's clock: the loop costs many more ticks, and a different number
 * each time.
 */
static bool tsc_counts_instructions(void)
{
	uint64_t ticks[3];

	for (int i = 0; i < 3; i++) {
		uint32_t n = PROBE_LOOPS;
		uint64_t t = rdtsc();
		__asm__ volatile("1: dec %0\n\tjnz 1b" : "+r"(n));
		ticks[i] = rdtsc() - t;
	}
	return ticks[0] == ticks[1] && ticks[1] == ticks[2] &&
	       ticks[0] >= 2 * PROBE_LOOPS && ticks[0] <= 2 * PROBE_LOOPS + 100;
}

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

	/* without -icount an "insn" is a tick of the host's clock: say so */
	if (!counting_instructions && !strncmp(unit, "insn", 4))
		printk("BENCH %s %llu.%llu ticks%s\n", name, tenths / 10, tenths % 10, unit + 4);
	else
		printk("BENCH %s %llu.%llu %s\n", name, tenths / 10, tenths % 10, unit);
}

void bench_skip(const char *name, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	printk("bench %s: skipped: %s\n", name, reason);
	skipped++;
}

bool bench_need_frames(const char *name, unsigned long frames)
{
	unsigned long free = zone_free_pages(&zones[ZONE_DMA]) + zone_free_pages(&zones[ZONE_NORMAL]);

	if (free >= frames)
		return true;
	bench_skip(name, "needs %lu free frames (%lu KiB) below the direct map's end, the machine has %lu",
		   frames, frames * (MM_PAGE_SIZE / 1024), free);
	return false;
}

/* Every name in the comma-separated list must be a benchmark. */
static bool names_valid(const char *which)
{
	char word[48];

	for (const char *p = which; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const struct kbench *b = __kbench_start;
		strlcpy(word, p, MIN(len + 1, sizeof(word)));
		while (b < __kbench_end && strcmp(b->name, word))
			b++;
		if (b == __kbench_end) {
			printk("error: no benchmark called '%s'\n", word);
			return false;
		}
		p += end ? len + 1 : len;
	}
	return true;
}

int kbench_run(const char *which)
{
	int n = 0;
	uint64_t t = rdtsc();
	unsigned long reports = report_total();

	overhead = rdtsc() - t; /* back-to-back reads */
	if (!names_valid(which))
		return -1;
	counting_instructions = tsc_counts_instructions();
	skipped = 0;
	if (counting_instructions)
		printk("benchmarks (instructions: under QEMU -icount shift=0 the TSC counts them)\n");
	else
		printk("warning: the TSC is not counting instructions (QEMU runs without -icount shift=0):\n"
		       "the figures are ticks of the host's clock and vary from run to run; make bench counts instructions\n");
	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		if (!list_contains(which, b->name))
			continue;
		b->fn();
		n++;
	}
	reports = report_total() - reports;
	printk("%d benchmarks (%u skip%s), %lu misuse report(s)\n", n, skipped,
	       skipped == 1 ? "" : "s", reports);
	return reports ? -1 : n;
}

__noreturn void kbench_main(const char *which)
{
	qemu_exit(kbench_run(which) > 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

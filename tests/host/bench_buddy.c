/*
 * Host benchmarks of the buddy allocator, counted in instructions under
 * valgrind's callgrind (`make bench-host`; tests/host/bench_host.sh).
 *
 * Built with -O2 and no sanitizers.  `bench_buddy --list` prints each
 * benchmark as "name operations unit"; `bench_buddy NAME` sets up a machine
 * and runs that benchmark's loop in the function run_NAME, which callgrind
 * counts alone (--toggle-collect).  The units are those of the in-kernel
 * benchmarks (tests/bench_buddy.c): an operation is one call, alloc_pages or
 * __free_pages, so a pair costs twice the figure; buddy_init is per frame.
 */
#include "mm/buddy.h"
#include "tests/host/platform_host.h"
#include <stdlib.h>

#define PAIRS 100000
#define PAIRS_O10 10000
#define BATCH 4096
#define BATCH_ROUNDS 8
#define MACHINE_PFNS 16384 /* 64 MiB: whole order-10 blocks */
#define INIT_PFNS 32768 /* 128 MiB, the first MiB reserved */

#define BENCH_FN __attribute__((noinline, noclone)) static void

static struct page *batch[BATCH];
static struct page *map;

/* A machine of whole order-10 blocks, the hot list warmed. */
static void setup_machine(void)
{
	map = calloc(MACHINE_PFNS, sizeof(*map));
	if (!map)
		abort();
	host_phys_init(MM_PAGE_SIZE, (paddr_t)MACHINE_PFNS << MM_PAGE_SHIFT);
	buddy_init_pages(map, MACHINE_PFNS, MACHINE_PFNS);
	buddy_add_range(0, MACHINE_PFNS);
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
}

static void pairs(unsigned order, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		__free_pages(alloc_pages(GFP_KERNEL, order), order);
}

BENCH_FN run_page_alloc_free_o0(void)
{
	pairs(0, PAIRS);
}

BENCH_FN run_page_alloc_free_o0_batch(void)
{
	for (unsigned r = 0; r < BATCH_ROUNDS; r++) {
		for (unsigned i = 0; i < BATCH; i++)
			batch[i] = alloc_page(GFP_KERNEL);
		for (unsigned i = 0; i < BATCH; i++)
			__free_page(batch[i]);
	}
}

BENCH_FN run_page_alloc_free_o3(void)
{
	pairs(3, PAIRS);
}

BENCH_FN run_page_alloc_free_o10(void)
{
	pairs(MAX_ORDER - 1, PAIRS_O10);
}

static void setup_init(void)
{
	map = calloc(INIT_PFNS, sizeof(*map));
	if (!map)
		abort();
	host_phys_init(MM_PAGE_SIZE, (paddr_t)INIT_PFNS << MM_PAGE_SHIFT);
}

/* What mm_init does: the page array, then every usable range. */
BENCH_FN run_buddy_init(void)
{
	buddy_init_pages(map, INIT_PFNS, INIT_PFNS);
	buddy_add_range(256, INIT_PFNS);
}

struct bench {
	const char *name;
	void (*setup)(void);
	void (*run)(void);
	unsigned long ops;
	const char *unit;
};

static const struct bench benches[] = {
	{ "page_alloc_free_o0", setup_machine, run_page_alloc_free_o0, 2ul * PAIRS, "insn/op" },
	{ "page_alloc_free_o0_batch", setup_machine, run_page_alloc_free_o0_batch,
	  2ul * BATCH * BATCH_ROUNDS, "insn/op" },
	{ "page_alloc_free_o3", setup_machine, run_page_alloc_free_o3, 2ul * PAIRS, "insn/op" },
	{ "page_alloc_free_o10", setup_machine, run_page_alloc_free_o10, 2ul * PAIRS_O10, "insn/op" },
	{ "buddy_init", setup_init, run_buddy_init, INIT_PFNS, "insn/page" },
};

int main(int argc, char **argv)
{
	if (argc != 2)
		goto usage;
	for (unsigned i = 0; i < ARRAY_SIZE(benches); i++) {
		const struct bench *b = &benches[i];
		if (!strcmp(argv[1], "--list")) {
			printf("%s %lu %s\n", b->name, b->ops, b->unit);
		} else if (!strcmp(argv[1], b->name)) {
			b->setup();
			b->run();
			return buddy_check() ? 1 : 0;
		}
	}
	if (!strcmp(argv[1], "--list"))
		return 0;
usage:
	fprintf(stderr, "usage: bench_buddy --list | NAME (run under callgrind)\n");
	return 2;
}

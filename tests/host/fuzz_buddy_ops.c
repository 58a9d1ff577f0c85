/*
 * libFuzzer target: buddy operation sequences against the reference model
 * (tests/host/buddy_model.c).
 *
 * The input describes a small machine -- its size (up to 24 MiB, so DMA,
 * NORMAL and HIGHMEM above an unaligned direct-map end all occur), a few
 * disjoint usable ranges added in a scrambled order -- followed by up to
 * MAX_OPS 32-bit operations (allocations of any order and flags, frees,
 * frees by address, drains, wrong frees of every kind, checks).  Any
 * disagreement with the model, any report a valid operation makes, and any
 * buddy_check() problem aborts; at the end everything is freed and the
 * initial buddyinfo must come back.
 */
#include "tests/host/buddy_model.h"
#include "tests/host/platform_host.h"
#include "tests/host/fuzz_input.h"
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_MAX_PFNS 6144 /* 24 MiB */
#define FUZZ_DIRECT_END 5000 /* HIGHMEM starts mid-block */
#define MAX_RANGES 8
#define MAX_OPS 256

static void add_ranges(struct machine *m, struct input *in)
{
	pfn_t start[MAX_RANGES], end[MAX_RANGES], at = 0;
	unsigned n = 1 + take(in, 1) % MAX_RANGES, order = take(in, 1);

	for (unsigned i = 0; i < n; i++) {
		start[i] = at + take(in, 2) % 1024;
		end[i] = start[i] + take(in, 2) % 4096;
		at = end[i];
	}
	/* Add them in a scrambled order: rotated, sometimes reversed. */
	for (unsigned i = 0; i < n; i++) {
		unsigned j = (i + order) % n;
		if (order & 0x80)
			j = n - 1 - j;
		machine_add_range(m, start[j], end[j]);
	}
}

static void fail(const struct machine *m, const char *when)
{
	fprintf(stderr, "fuzz_buddy_ops: %s: %s\n", when, m->why);
	abort();
}

FUZZ_INIT_ARENA(FUZZ_MAX_PFNS, FUZZ_DIRECT_END)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct machine m;
	pfn_t nr_pfns = 64 + take(&in, 2) % (FUZZ_MAX_PFNS - 63);

	machine_init(&m, nr_pfns, FUZZ_DIRECT_END);
	add_ranges(&m, &in);
	machine_snapshot(&m);
	if (m.failed)
		fail(&m, "set-up");
	for (unsigned i = 0; i < MAX_OPS && in.left >= 4 && !m.failed; i++)
		machine_step(&m, take(&in, 4));
	if (m.failed)
		fail(&m, "an operation");
	machine_check(&m);
	machine_free_all(&m);
	machine_check_restored(&m);
	if (m.failed)
		fail(&m, "freeing everything");
	machine_destroy(&m);
	return 0;
}

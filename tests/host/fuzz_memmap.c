/*
 * libFuzzer target: firmware memory maps decoded from the input.
 *
 * Each entry takes 9 bytes: flags (available; base near 0, near 4 GiB or
 * near the top of the address space; length small, page-sized, huge and
 * wrapping, or reaching exactly 2^64), a 32-bit base and a 32-bit length.
 * The sanitised map must pass memmap_verify (shape, soundness,
 * completeness); a few bootmem
 * allocations from the remaining bytes must pass bootmem_verify; then a
 * buddy allocator built over the usable frames below FUZZ_MAX_PFNS must be
 * the exact buddy decomposition of them, pass buddy_check, and come back
 * to it after a few operations.  Any failure aborts.
 */
#include "tests/host/memmap_model.h"
#include "tests/host/buddy_model.h"
#include "tests/host/platform_host.h"
#include "tests/host/fuzz_input.h"
#include <stdio.h>
#include <stdlib.h>

#define MAX_ENTRIES 40
#define MAX_BOOTMEM 4
#define MAX_OPS 16
#define FUZZ_MAX_PFNS 8192 /* 32 MiB: all three zones */
#define FUZZ_DIRECT_END 6000
#define LOW_WINDOW (40u << 20)

static struct memmap_entry decode_entry(struct input *in)
{
	unsigned f = take(in, 1);
	uint32_t b = take(in, 4), l = take(in, 4);
	struct memmap_entry e = { .available = f & 1 };

	switch ((f >> 1) & 3) {
	case 2:
		e.base = 0x100000000ull - (16u << 20) + b % (32u << 20);
		break;
	case 3:
		e.base = UINT64_MAX - b;
		break;
	default:
		e.base = b % LOW_WINDOW;
	}
	if ((f & 40) == 40)
		e.length = 0 - e.base; /* ends exactly at 2^64 */
	else if (f & 8)
		e.length = UINT64_MAX - l;
	else if (f & 16)
		e.length = (uint64_t)(l % 8192) * MM_PAGE_SIZE;
	else
		e.length = l % (16u << 20);
	return e;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_memmap: %s: %s\n", what, why);
	abort();
}

static void try_bootmem(struct memmap *m, struct input *in)
{
	static struct memmap before;
	struct bootmem_request r = { 1 + take(in, 3) * 16ull, MM_PAGE_SIZE << (take(in, 1) % 12),
				     (paddr_t)take(in, 2) << 16, "fuzz" };
	char why[256];
	paddr_t got;

	before = *m;
	got = bootmem_alloc(m, r.size, r.align, r.limit, r.name);
	if (!bootmem_verify(&before, m, &r, got, why, sizeof(why)))
		die("bootmem_alloc", why);
}

/* A buddy over the usable frames below FUZZ_MAX_PFNS. */
static void build_buddy(const struct memmap *mm, struct input *in)
{
	pfn_t top = (pfn_t)MIN(memmap_top(mm) >> MM_PAGE_SHIFT, FUZZ_MAX_PFNS);
	struct machine m;

	if (!top)
		return;
	machine_init(&m, top, FUZZ_DIRECT_END);
	for (unsigned i = 0; i < mm->nr_usable; i++)
		if (mm->usable[i].start >> MM_PAGE_SHIFT < top)
			machine_add_range(&m, (pfn_t)(mm->usable[i].start >> MM_PAGE_SHIFT),
					  (pfn_t)MIN(mm->usable[i].end >> MM_PAGE_SHIFT, top));
	machine_snapshot(&m);
	for (unsigned i = 0; i < MAX_OPS && in->left >= 4 && !m.failed; i++)
		machine_step(&m, take(in, 4));
	machine_free_all(&m);
	machine_check_restored(&m);
	if (m.failed)
		die("buddy over the sanitised map", m.why);
	machine_destroy(&m);
}

FUZZ_INIT_ARENA(FUZZ_MAX_PFNS, FUZZ_DIRECT_END)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memmap map;
	struct memmap_entry e[MAX_ENTRIES];
	struct input in = { data, size };
	unsigned n = take(&in, 1) % (MAX_ENTRIES + 1), nb = take(&in, 1) % (MAX_BOOTMEM + 1);
	char why[256];

	for (unsigned i = 0; i < n; i++)
		e[i] = decode_entry(&in);
	memmap_build(&map, e, n);
	if (!memmap_verify(&map, e, n, why, sizeof(why)))
		die("memmap_build", why);
	for (unsigned i = 0; i < nb; i++)
		try_bootmem(&map, &in);
	build_buddy(&map, &in);
	return 0;
}

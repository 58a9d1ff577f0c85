/*
 * libFuzzer target for mm/freelist.  The input is a program: the first byte
 * picks the policy, then each operation is one byte (its low bits the kind)
 * followed by its operands.  Allocations come from a caller's buffer and a
 * small page source; misuse operations must each give exactly one report;
 * freelist_check runs after every operation and any problem aborts.
 */
#include "mm/freelist.h"
#include "mm/report.h"
#include "tests/host/platform_host.h"
#include "tests/host/fuzz_input.h"
#include <stdlib.h>

#define SLOTS 64
#define SOURCE_PAGES 32

static size_t pages_out;

static void *fz_get(void *ctx, size_t *pages)
{
	(void)ctx;
	if (pages_out + *pages > SOURCE_PAGES)
		return NULL;
	pages_out += *pages;
	return aligned_alloc(MM_PAGE_SIZE, *pages * MM_PAGE_SIZE);
}

static void fz_put(void *ctx, void *addr, size_t pages)
{
	(void)ctx;
	pages_out -= pages;
	free(addr);
}

static const struct freelist_page_source fz_source = { fz_get, fz_put, NULL };

static void must(bool ok)
{
	if (!ok)
		abort();
}

/* A misuse: one report of `kind`, nothing else. */
static void misuse(struct freelist *h, void *ptr, enum report_kind kind)
{
	unsigned long before = report_count(kind), total = report_total();

	freelist_free(h, ptr);
	must(report_count(kind) == before + 1 && report_total() == total + 1);
}

static void step(struct freelist *h, struct input *pr, uint8_t **slot)
{
	unsigned op = take(pr, 1), i = take(pr, 1) % SLOTS;

	switch (op % 5) {
	case 0:
	case 1:
		if (!slot[i]) {
			size_t n = take(pr, 1) | (take(pr, 1) & 0x1F) << 8;

			slot[i] = freelist_alloc(h, n);
			if (slot[i])
				memset(slot[i], (int)i, n);
		}
		break;
	case 2:
		freelist_free(h, slot[i]);
		slot[i] = NULL;
		break;
	case 3:
		if (slot[i] && (op & 0x80)) {
			size_t regions = h->fl_nr_regions;

			freelist_free(h, slot[i]);
			/* A region that fell empty went back to the source:
			 * the pointer is then outside the heap. */
			misuse(h, slot[i], h->fl_nr_regions < regions ?
						   REPORT_OUT_OF_RANGE : REPORT_DOUBLE_FREE);
			slot[i] = NULL;
		} else if (slot[i]) {
			misuse(h, slot[i] + FREELIST_ALIGN, REPORT_INTERIOR_POINTER);
		}
		break;
	default:
		freelist_set_policy(h, (enum freelist_policy)(op >> 3) %
					       FREELIST_POLICY_COUNT);
		break;
	}
	must(freelist_check(h) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[8192] __aligned(8);
	uint8_t *slot[SLOTS] = { 0 };
	struct input pr = { data, size };
	struct freelist h;

	host_set_quiet(true);
	freelist_init(&h, "fuzz", (enum freelist_policy)(take(&pr, 1) %
							 FREELIST_POLICY_COUNT),
		      &fz_source);
	freelist_add_buffer(&h, buf, sizeof(buf));
	while (pr.left)
		step(&h, &pr, slot);
	for (int i = 0; i < SLOTS; i++)
		freelist_free(&h, slot[i]);
	must(freelist_check(&h) == 0 && freelist_chunk_count(&h) == 1 &&
	     pages_out == 0);
	freelist_destroy(&h);
	return 0;
}

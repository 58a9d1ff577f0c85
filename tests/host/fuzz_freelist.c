/*
 * libFuzzer target for mm/freelist.  The input is a program: the first byte
 * picks the policy, then each operation is one byte (its low bits the kind)
 * followed by its operands.  Allocations come from a caller's buffer and a
 * small page source; misuse operations must each give exactly one report;
 * freelist_check runs after every operation and any problem aborts.
 *
 * A shadow of every live chunk (where, how long, the byte it was filled
 * with) catches what the checker cannot see, since it looks only at
 * headers and lists: a new chunk must overlap no live one, and a chunk's
 * bytes must be intact when it is freed.
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

struct shadow {
	uint8_t *p; /* NULL: the slot is empty */
	size_t n;
	uint8_t fill;
};

static uint8_t next_fill;

/* A new chunk: usable as asked, overlapping no live chunk; then filled. */
static void shadow_add(struct shadow *slot, unsigned i, uint8_t *p, size_t n)
{
	must(freelist_usable_size(p) >= n);
	for (unsigned j = 0; j < SLOTS; j++)
		must(!slot[j].p || p + n <= slot[j].p || slot[j].p + slot[j].n <= p);
	slot[i] = (struct shadow){ p, n, ++next_fill };
	memset(p, slot[i].fill, n);
}

/* Every byte of the chunk is still its own; the slot is emptied.  (One
 * memcmp of the chunk against itself shifted by a byte: a loop here,
 * instrumented byte by byte, would be most of the target's time.) */
static void shadow_drop(struct shadow *s)
{
	must(!s->n || (s->p[0] == s->fill && !memcmp(s->p, s->p + 1, s->n - 1)));
	s->p = NULL;
}

/* A misuse: one report of `kind`, nothing else. */
static void misuse(struct freelist *h, void *ptr, enum report_kind kind)
{
	unsigned long before = report_count(kind), total = report_total();

	freelist_free(h, ptr);
	must(report_count(kind) == before + 1 && report_total() == total + 1);
}

static void step(struct freelist *h, struct input *pr, struct shadow *slot)
{
	unsigned op = take(pr, 1), i = take(pr, 1) % SLOTS;
	uint8_t *p = slot[i].p;

	switch (op % 5) {
	case 0:
	case 1:
		if (!p) {
			size_t n = take(pr, 1) | (take(pr, 1) & 0x1F) << 8;

			p = freelist_alloc(h, n);
			if (p)
				shadow_add(slot, i, p, n);
		}
		break;
	case 2:
		if (p)
			shadow_drop(&slot[i]);
		freelist_free(h, p);
		break;
	case 3:
		if (p && (op & 0x80)) {
			size_t regions = h->fl_nr_regions;

			shadow_drop(&slot[i]);
			freelist_free(h, p);
			/* A region that fell empty went back to the source:
			 * the pointer is then outside the heap. */
			misuse(h, p, h->fl_nr_regions < regions ?
					     REPORT_OUT_OF_RANGE : REPORT_DOUBLE_FREE);
		} else if (p) {
			misuse(h, p + FREELIST_ALIGN, REPORT_INTERIOR_POINTER);
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
	struct shadow slot[SLOTS] = { 0 };
	struct input pr = { data, size };
	struct freelist h;

	host_set_quiet(true);
	freelist_init(&h, "fuzz", (enum freelist_policy)(take(&pr, 1) %
							 FREELIST_POLICY_COUNT),
		      &fz_source);
	freelist_add_buffer(&h, buf, sizeof(buf));
	while (pr.left)
		step(&h, &pr, slot);
	for (int i = 0; i < SLOTS; i++) {
		uint8_t *p = slot[i].p;
		if (p)
			shadow_drop(&slot[i]);
		freelist_free(&h, p);
	}
	must(freelist_check(&h) == 0 && freelist_chunk_count(&h) == 1 &&
	     pages_out == 0);
	freelist_destroy(&h);
	return 0;
}

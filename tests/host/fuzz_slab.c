/*
 * libFuzzer target for the slab allocator and kmalloc: each input is a
 * sequence of operations on the reference model (slab_model.h), three
 * bytes each -- op, slot, size/fill.  Besides allocations, frees,
 * reallocations and shrinks there is misuse: a double free after the
 * caches are drained, and a write over the first words of a freed object
 * followed by the checker -- each must be exactly one report, nothing may
 * follow the damage (AddressSanitizer watches), and no object may be
 * handed out twice (the model's fill bytes would disagree).  After each
 * input everything is freed, quarantined slabs are given back, and the
 * buddy must be whole again; any disagreement aborts.
 */
#include "tests/host/slab_model.h"
#include "mm/slab_internal.h"

#define FRAMES 2048 /* 8 MiB */

static unsigned long reports_expected; /* by the misuse of this input */

/* The cache slot s's block came from (krealloc may have kept it in a
 * larger class than its size says), or NULL for a large kmalloc block. */
static struct kmem_cache *slot_cache(const struct model_slot *s)
{
	struct page *page = s->p ? slab_page_of(s->p) : NULL;

	return page ? page->s_cache : NULL;
}

/* Frees slot i's block, drains every cache, frees it again: one report. */
static void misuse_double_free(struct model *m, unsigned i)
{
	struct model_slot *s = &m->slot[i % MODEL_SLOTS];
	struct kmem_cache *c = slot_cache(s);
	unsigned long before = report_total();
	uint8_t *p = s->p;
	int cache = s->cache;

	if (!p)
		return;
	model_free(m, i);
	if (c)
		kmem_cache_drain(c);
	if (cache < 0)
		kfree(p);
	else
		kmem_cache_free(m->caches[cache], p);
	reports_expected++;
	if (report_total() - before != 1)
		model_fail(m, "a double free after a drain gave %lu reports",
			   report_total() - before);
}

/*
 * Frees slot i's block, drains its cache, writes over the object's first
 * words and runs the checker: one report when the object's slab is in
 * service (a quarantine, or the poison of a debug object), none when it is
 * quarantined.  Not for a cache with a constructor: its free objects must
 * stay constructed, and a debug one has no poison to check.
 */
static void misuse_overwrite_free(struct model *m, unsigned i)
{
	struct model_slot *s = &m->slot[i % MODEL_SLOTS];
	struct kmem_cache *c = slot_cache(s);
	unsigned long before = report_total(), want;
	uint8_t *p = s->p;
	struct page *page;

	if (!p || !c || c->c_ctor) /* a constructed object must stay so */
		return;
	model_free(m, i);
	kmem_cache_drain(c);
	page = slab_page_of(p);
	want = page && !slab_quarantined(page);
	memset(p, 0xAB, MIN(2 * sizeof(void *), (size_t)c->c_size));
	kmem_cache_check(c);
	reports_expected += want;
	if (report_total() - before != want)
		model_fail(m, "a free object written over gave %lu reports, not %lu",
			   report_total() - before, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model m;
	static bool ready;
	unsigned long reports_at_start;

	if (!ready) {
		host_set_quiet(true);
		model_machine(FRAMES, true);
		ready = true;
	}
	model_init(&m);
	reports_expected = 0;
	reports_at_start = report_total();
	for (size_t i = 0; i + 3 <= size; i += 3) {
		unsigned op = data[i] % 10, slot = data[i + 1];
		size_t n = (size_t)data[i + 2] * ((op & 1) ? 1 : 97);
		if (op < 3)
			model_alloc(&m, slot, -1, n, data[i + 2]);
		else if (op == 3)
			model_alloc(&m, slot, data[i + 2] % MODEL_CACHES, 0, data[i]);
		else if (op < 6)
			model_free(&m, slot);
		else if (op == 6)
			model_realloc(&m, slot, n);
		else if (op == 7)
			model_shrink(&m);
		else if (op == 8)
			misuse_double_free(&m, slot);
		else
			misuse_overwrite_free(&m, slot);
	}
	model_finish(&m);
	for (int c = 0; c < MODEL_CACHES; c++)
		kmem_cache_destroy(m.caches[c]);
	if (m.failures || report_total() - reports_at_start != reports_expected)
		abort();
	return 0;
}

/*
 * Host tests of mm/freelist under ASan/UBSan.
 *
 * The centre piece is a reference model: a plain sorted array of free
 * chunks (address, usable size) that applies the textbook rules on its own.
 * Random sequences of allocations and frees run against the heap and the
 * model side by side; the model predicts the exact address every allocation
 * must return and the exact free list after every step, and freelist_check
 * runs after every step.  Payloads carry a per-allocation pattern, checked
 * on free, so overlapping chunks would show.
 */
#include "mm/freelist.h"
#include "mm/report.h"
#include "tests/host/platform_host.h"
#include <stdlib.h>

#define MAX_FREE 4096
#define MAX_LIVE 512
#define ARENA_BYTES (64 * 1024)

/* --- the reference model ------------------------------------------------ */

struct mchunk {
	uintptr_t addr; /* of the header */
	size_t size; /* usable */
};

struct model {
	enum freelist_policy policy;
	struct mchunk free[MAX_FREE];
	size_t nfree;
	uintptr_t cursor; /* next fit: header address, 0 for the start */
};

static size_t model_need(size_t n)
{
	size_t need = ALIGN_UP(n, (size_t)FREELIST_ALIGN);

	return need < FREELIST_MIN_SIZE ? FREELIST_MIN_SIZE : need;
}

static size_t model_index_of(const struct model *m, uintptr_t addr)
{
	for (size_t i = 0; i < m->nfree; i++)
		if (m->free[i].addr == addr)
			return i;
	return m->nfree;
}

static bool model_better(const struct model *m, size_t cand, size_t pick)
{
	if (m->policy == FREELIST_BEST_FIT)
		return m->free[cand].size < m->free[pick].size;
	return m->free[cand].size > m->free[pick].size;
}

/* The index the policy picks for need, or nfree. */
static size_t model_pick(const struct model *m, size_t need)
{
	size_t start = 0, pick = m->nfree;

	if (m->policy == FREELIST_NEXT_FIT && m->cursor)
		start = model_index_of(m, m->cursor);
	for (size_t k = 0; k < m->nfree; k++) {
		size_t i = (start + k) % m->nfree;

		if (m->free[i].size < need)
			continue;
		if (m->policy == FREELIST_FIRST_FIT)
			return i;
		if (m->policy == FREELIST_NEXT_FIT)
			return i;
		if (pick == m->nfree || model_better(m, i, pick) ||
		    (m->free[i].size == m->free[pick].size && i < pick))
			pick = i;
	}
	return pick;
}

static void model_remove(struct model *m, size_t i)
{
	memmove(&m->free[i], &m->free[i + 1],
		(m->nfree - i - 1) * sizeof(m->free[0]));
	m->nfree--;
}

/* Returns the payload address the heap must hand out, or 0. */
static uintptr_t model_alloc(struct model *m, size_t n)
{
	size_t need = model_need(n);
	size_t i = model_pick(m, need);
	struct mchunk *c = &m->free[i];
	uintptr_t addr;

	if (n == 0 || i == m->nfree)
		return 0;
	addr = c->addr;
	if (c->size >= need + FREELIST_HDR_SIZE + FREELIST_MIN_SIZE) {
		c->addr += FREELIST_HDR_SIZE + need;
		c->size -= FREELIST_HDR_SIZE + need;
		m->cursor = c->addr;
	} else {
		model_remove(m, i);
		m->cursor = i < m->nfree ? m->free[i].addr : 0;
	}
	return addr + FREELIST_HDR_SIZE;
}

static void model_free(struct model *m, uintptr_t payload, size_t size)
{
	uintptr_t addr = payload - FREELIST_HDR_SIZE;
	size_t i = 0;

	while (i < m->nfree && m->free[i].addr < addr)
		i++;
	memmove(&m->free[i + 1], &m->free[i],
		(m->nfree - i) * sizeof(m->free[0]));
	m->free[i] = (struct mchunk){ addr, size };
	m->nfree++;
	if (i + 1 < m->nfree && addr + FREELIST_HDR_SIZE + size ==
					 m->free[i + 1].addr) {
		if (m->cursor == m->free[i + 1].addr)
			m->cursor = addr;
		m->free[i].size += FREELIST_HDR_SIZE + m->free[i + 1].size;
		model_remove(m, i + 1);
	}
	if (i > 0 && m->free[i - 1].addr + FREELIST_HDR_SIZE +
			     m->free[i - 1].size == addr) {
		if (m->cursor == addr)
			m->cursor = m->free[i - 1].addr;
		m->free[i - 1].size += FREELIST_HDR_SIZE + m->free[i].size;
		model_remove(m, i);
	}
}

static bool model_matches(const struct model *m, const struct freelist *h)
{
	static size_t sizes[MAX_FREE];
	size_t n = freelist_free_sizes(h, sizes, MAX_FREE);

	if (n != m->nfree)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sizes[i] != m->free[i].size)
			return false;
	return true;
}

/* --- random runs against the model -------------------------------------- */

struct live {
	uint8_t *p;
	size_t size;
	uint8_t fill;
};

static uint32_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static size_t random_size(void)
{
	switch (rng() % 4) {
	case 0:
		return 1 + rng() % 16;
	case 1:
		return 1 + rng() % 128;
	case 2:
		return 1 + rng() % 1024;
	default:
		return 1 + rng() % 6000;
	}
}

static bool check_fill(const struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		if (l->p[i] != l->fill)
			return false;
	return true;
}

/* One random step; returns false (with a diagnosis) on any disagreement. */
static bool model_step(struct freelist *h, struct model *m, struct live *live,
		       size_t *nlive, const char **why)
{
	if (*nlive < MAX_LIVE && (*nlive == 0 || rng() % 100 < 55)) {
		size_t n = random_size();
		uintptr_t want = model_alloc(m, n);
		uint8_t *p = freelist_alloc(h, n);

		if ((uintptr_t)p != want) {
			*why = "allocation address differs from the model";
			return false;
		}
		if (p) {
			struct live *l = &live[(*nlive)++];

			*l = (struct live){ p, n, (uint8_t)rng() };
			memset(p, l->fill, n);
		}
	} else {
		size_t k = rng() % *nlive;
		struct live l = live[k];

		if (!check_fill(&l)) {
			*why = "payload overwritten while allocated";
			return false;
		}
		model_free(m, (uintptr_t)l.p, freelist_usable_size(l.p));
		freelist_free(h, l.p);
		live[k] = live[--*nlive];
	}
	if (freelist_check(h) != 0) {
		*why = "freelist_check found problems";
		return false;
	}
	if (!model_matches(m, h)) {
		*why = "free list differs from the model";
		return false;
	}
	return true;
}

static void model_run(enum freelist_policy policy, uint32_t seed, int steps)
{
	static struct live live[MAX_LIVE];
	static struct model m;
	uint8_t *buf = malloc(ARENA_BYTES);
	struct freelist h;
	size_t nlive = 0;
	const char *why = NULL;
	int i;

	rng_state = seed;
	freelist_init(&h, "host-model", policy, NULL);
	freelist_add_buffer(&h, buf, ARENA_BYTES);
	memset(&m, 0, sizeof(m));
	m.policy = policy;
	m.nfree = 1;
	m.free[0].size = freelist_largest_free(&h);
	m.free[0].addr = (uintptr_t)buf + ARENA_BYTES - FREELIST_HDR_SIZE -
			 m.free[0].size;
	for (i = 0; i < steps && model_step(&h, &m, live, &nlive, &why); i++)
		;
	while (!why && nlive > 0) {
		freelist_free(&h, live[--nlive].p);
	}
	tap_ok(!why && freelist_check(&h) == 0 && freelist_chunk_count(&h) == 1 &&
		       freelist_bytes_used(&h) == 0,
	       "%s: %d random steps agree with the model (seed %u)%s%s",
	       freelist_policy_name(policy), i, seed, why ? ": " : "",
	       why ? why : "");
	freelist_destroy(&h);
	free(buf);
}

/* --- growth from a page source ------------------------------------------ */

struct host_source {
	size_t pages_out, limit;
};

static void *host_get_pages(void *ctx, size_t *pages)
{
	struct host_source *s = ctx;
	void *p;

	if (s->pages_out + *pages > s->limit)
		return NULL;
	p = aligned_alloc(MM_PAGE_SIZE, *pages * MM_PAGE_SIZE);
	if (p)
		s->pages_out += *pages;
	return p;
}

static void host_put_pages(void *ctx, void *addr, size_t pages)
{
	struct host_source *s = ctx;

	s->pages_out -= pages;
	free(addr);
}

static void growth_run(enum freelist_policy policy, uint32_t seed)
{
	struct host_source src = { 0, 64 };
	const struct freelist_page_source ps = { host_get_pages,
						 host_put_pages, &src };
	static struct live live[MAX_LIVE];
	struct freelist h;
	size_t nlive = 0, ooms = 0;
	bool ok = true;

	rng_state = seed;
	freelist_init(&h, "host-grow", policy, &ps);
	for (int i = 0; i < 4000 && ok; i++) {
		if (nlive < MAX_LIVE && (nlive == 0 || rng() % 100 < 60)) {
			size_t n = random_size() * (1 + rng() % 4);
			uint8_t *p = freelist_alloc(&h, n);

			if (!p) {
				ooms++;
				continue;
			}
			live[nlive] = (struct live){ p, n, (uint8_t)rng() };
			memset(p, live[nlive++].fill, n);
		} else {
			size_t k = rng() % nlive;

			ok = check_fill(&live[k]);
			freelist_free(&h, live[k].p);
			live[k] = live[--nlive];
		}
		ok = ok && freelist_check(&h) == 0 && src.pages_out == h.fl_pages;
	}
	while (nlive > 0)
		freelist_free(&h, live[--nlive].p);
	tap_ok(ok && src.pages_out == 0 && freelist_chunk_count(&h) == 0 &&
		       ooms > 0,
	       "%s: growth from a 64-page source, %zu refusals, every page given back",
	       freelist_policy_name(policy), ooms);
	freelist_destroy(&h);
}

/* --- misuse ---------------------------------------------------------------- */

static bool reported(enum report_kind kind, unsigned long before)
{
	return report_count(kind) == before + 1;
}

static void misuse(void)
{
	static uint8_t buf[4096] __aligned(8);
	uint8_t other[64];
	struct freelist h;
	uint8_t *a, *b;
	unsigned long n;

	freelist_init(&h, "host-misuse", FREELIST_FIRST_FIT, NULL);
	freelist_add_buffer(&h, buf, sizeof(buf));
	a = freelist_alloc(&h, 40);
	b = freelist_alloc(&h, 40);
	freelist_free(&h, a);

	n = report_count(REPORT_DOUBLE_FREE);
	freelist_free(&h, a);
	tap_ok(reported(REPORT_DOUBLE_FREE, n) && freelist_check(&h) == 0,
	       "double free is reported, heap intact");
	n = report_count(REPORT_INTERIOR_POINTER);
	freelist_free(&h, b + 8);
	tap_ok(reported(REPORT_INTERIOR_POINTER, n) && freelist_check(&h) == 0,
	       "interior pointer is reported, heap intact");
	n = report_count(REPORT_OUT_OF_RANGE);
	freelist_free(&h, other);
	tap_ok(reported(REPORT_OUT_OF_RANGE, n) && freelist_check(&h) == 0,
	       "pointer outside the heap is reported, heap intact");
	n = report_count(REPORT_BAD_MAGIC);
	((uint32_t *)b)[-1] ^= 0x1000; /* the magic word of b's header */
	freelist_free(&h, b);
	((uint32_t *)b)[-1] ^= 0x1000;
	tap_ok(reported(REPORT_BAD_MAGIC, n) && freelist_check(&h) == 0 &&
		       freelist_bytes_used(&h) == freelist_usable_size(b),
	       "overwritten magic is reported, chunk stays allocated");
	freelist_free(&h, b);
	tap_ok(freelist_chunk_count(&h) == 1, "after the misuse, frees still merge");
	freelist_destroy(&h);
}

int main(void)
{
	static const uint32_t seeds[] = { 1, 7, 2024, 0xC0FFEE };

	host_set_quiet(true);
	for (int p = 0; p < FREELIST_POLICY_COUNT; p++) {
		for (size_t s = 0; s < ARRAY_SIZE(seeds); s++)
			model_run((enum freelist_policy)p, seeds[s], 3000);
		growth_run((enum freelist_policy)p, seeds[p]);
	}
	misuse();
	return tap_done();
}

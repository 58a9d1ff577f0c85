/*
 * The buddy allocator's reference model (see buddy_model.h).  What it
 * proves, operation by operation: a block handed out is aligned to its
 * order, lies in usable memory of a zone the flags allow, overlaps no live
 * block, and is zero when __GFP_ZERO asked; NULL comes back only when no
 * free aligned block of that order exists in those zones; free counts agree
 * with the model after every step; each misuse gets exactly one report of
 * the kind its state calls for and changes nothing; and the free lists, once
 * the hot lists are drained, are exactly the maximal buddy decomposition of
 * the free frames.
 */
#include "tests/host/buddy_model.h"
#include "tests/host/platform_host.h"
#include "mm/report.h"
#include <stdlib.h>
#include <stdarg.h>
#include <sanitizer/asan_interface.h>

#define FILL_BYTE 0x5A /* what a block's "user" writes into it */
#define DMA_END_PFN ((pfn_t)((16u << 20) / MM_PAGE_SIZE))

void model_fail(struct machine *m, const char *fmt, ...)
{
	va_list ap;

	if (m->failed)
		return;
	m->failed = true;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
}

/* --- the model's own view of zones and blocks ------------------------- */

static enum zone_id model_zone(const struct machine *m, pfn_t pfn)
{
	if (pfn < DMA_END_PFN)
		return ZONE_DMA;
	return pfn < m->direct_end ? ZONE_NORMAL : ZONE_HIGHMEM;
}

static bool zone_allowed(gfp_t gfp, enum zone_id zone)
{
	if (gfp & __GFP_DMA)
		return zone == ZONE_DMA;
	if (gfp & __GFP_HIGHMEM)
		return true;
	return zone != ZONE_HIGHMEM;
}

static bool frames_free(const struct machine *m, pfn_t pfn, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (m->frame[pfn + i] != FRAME_FREE)
			return false;
	return true;
}

/* Is there any free, aligned block of 2^order frames the flags allow? */
static bool model_has_block(const struct machine *m, gfp_t gfp, unsigned order)
{
	unsigned long size = 1ul << order;

	for (unsigned long p = 0; p + size <= m->nr_pfns; p += size) {
		enum zone_id z = model_zone(m, (pfn_t)p);
		if (z == model_zone(m, (pfn_t)(p + size - 1)) &&
		    zone_allowed(gfp, z) && frames_free(m, (pfn_t)p, size))
			return true;
	}
	return false;
}

static uint8_t *frame_bytes(pfn_t pfn)
{
	return host_phys_base() + (size_t)pfn * MM_PAGE_SIZE;
}

static bool block_is_zero(pfn_t pfn, unsigned order)
{
	static const uint8_t zero[MM_PAGE_SIZE];

	for (unsigned long i = 0; i < (1ul << order); i++)
		if (memcmp(frame_bytes(pfn + (pfn_t)i), zero, MM_PAGE_SIZE))
			return false;
	return true;
}

/* --- set-up ------------------------------------------------------------ */

/* The slack is poisoned while the machine lives (see MODEL_SLACK). */
static void slack_poison(struct machine *m, bool poison)
{
	struct page *after = m->pages + MODEL_SLACK + m->nr_pfns;
	size_t bytes = MODEL_SLACK * sizeof(struct page);

	if (poison) {
		ASAN_POISON_MEMORY_REGION(m->pages, bytes);
		ASAN_POISON_MEMORY_REGION(after, bytes);
	} else {
		ASAN_UNPOISON_MEMORY_REGION(m->pages, bytes);
		ASAN_UNPOISON_MEMORY_REGION(after, bytes);
	}
}

void machine_init(struct machine *m, pfn_t nr_pfns, pfn_t direct_end)
{
	size_t bytes = (size_t)nr_pfns * MM_PAGE_SIZE;

	memset(m, 0, sizeof(*m));
	m->nr_pfns = nr_pfns;
	m->direct_end = direct_end;
	/* Re-use the arena when it fits: fuzz targets build many machines. */
	if (host_phys_size() < bytes ||
	    mm_direct_end() != (paddr_t)direct_end * MM_PAGE_SIZE)
		host_phys_init(bytes ? bytes : MM_PAGE_SIZE,
			       (paddr_t)direct_end * MM_PAGE_SIZE);
	m->pages = calloc(nr_pfns + 2 * MODEL_SLACK, sizeof(struct page));
	m->frame = calloc(nr_pfns + 1, 1);
	m->head_order = calloc(nr_pfns + 1, 1);
	if (!m->pages || !m->frame || !m->head_order)
		abort();
	buddy_init_pages(m->pages + MODEL_SLACK, nr_pfns, direct_end);
	slack_poison(m, true);
}

void machine_destroy(struct machine *m)
{
	if (m->pages)
		slack_poison(m, false);
	free(m->pages);
	free(m->frame);
	free(m->head_order);
	free(m->live);
	m->pages = NULL;
	m->frame = m->head_order = NULL;
	m->live = NULL;
}

void machine_add_range(struct machine *m, pfn_t start, pfn_t end)
{
	for (pfn_t p = start; p < end && p < m->nr_pfns; p++) {
		if (m->frame[p] != FRAME_HOLE)
			model_fail(m, "test bug: range %#x-%#x overlaps another", start, end);
		m->frame[p] = FRAME_FREE;
		m->nr_free++;
		m->nr_usable++;
	}
	buddy_add_range(start, end);
}

void machine_snapshot(struct machine *m)
{
	machine_check(m);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		buddy_zone_info((enum zone_id)z, m->init_info[z]);
}

/* --- allocation -------------------------------------------------------- */

static void live_push(struct machine *m, pfn_t pfn, unsigned order)
{
	if (m->nr_live == m->live_cap) {
		m->live_cap = m->live_cap ? 2 * m->live_cap : 64;
		m->live = realloc(m->live, m->live_cap * sizeof(*m->live));
		if (!m->live)
			abort();
	}
	m->live[m->nr_live].pfn = pfn;
	m->live[m->nr_live].order = order;
	m->nr_live++;
}

static void check_counts(struct machine *m, const char *after)
{
	if (buddy_free_pages() != m->nr_free)
		model_fail(m, "after %s: buddy_free_pages %lu, model %lu", after,
			   buddy_free_pages(), m->nr_free);
	if (buddy_managed_pages() != m->nr_usable)
		model_fail(m, "after %s: buddy_managed_pages %lu, model %lu", after,
			   buddy_managed_pages(), m->nr_usable);
}

/* The checks on a block alloc_pages handed out; records it if sound. */
static void take_block(struct machine *m, gfp_t gfp, unsigned order,
		       struct page *page)
{
	long pfn = page - mem_map;
	unsigned long size = 1ul << order;
	enum zone_id z;

	if (order >= MAX_ORDER || pfn < 0 || pfn + size > m->nr_pfns) {
		model_fail(m, "alloc order %u gave pfn %ld outside the machine", order, pfn);
		return;
	}
	z = model_zone(m, (pfn_t)pfn);
	if (pfn & (long)(size - 1))
		model_fail(m, "alloc order %u gave misaligned pfn %#lx", order, pfn);
	else if (!frames_free(m, (pfn_t)pfn, size))
		model_fail(m, "alloc order %u gave pfn %#lx: not all free usable frames",
			   order, pfn);
	else if (!zone_allowed(gfp, z) || z != model_zone(m, (pfn_t)(pfn + size - 1)))
		model_fail(m, "alloc gfp %#x order %u gave pfn %#lx in zone %d",
			   gfp, order, pfn, z);
	else if ((gfp & __GFP_ZERO) && !block_is_zero((pfn_t)pfn, order))
		model_fail(m, "__GFP_ZERO block at pfn %#lx order %u is not zero", pfn, order);
	if (m->failed)
		return;
	memset(m->frame + pfn, FRAME_USED, size);
	m->head_order[pfn] = (uint8_t)(order + 1);
	m->nr_free -= size;
	live_push(m, (pfn_t)pfn, order);
	memset(frame_bytes((pfn_t)pfn), FILL_BYTE, size * MM_PAGE_SIZE);
}

/* alloc_pages, or __get_free_pages when by_address. */
static bool alloc_common(struct machine *m, gfp_t gfp, unsigned order,
			 bool by_address)
{
	unsigned long reports = report_total();
	/* an impossible order is one report, unless __GFP_NOWARN */
	unsigned long expected = order >= MAX_ORDER && !(gfp & __GFP_NOWARN);
	struct page *page;

	if (by_address) {
		uintptr_t va = __get_free_pages(gfp, order);
		gfp &= ~__GFP_HIGHMEM; /* never HIGHMEM, whatever the flags */
		page = va ? virt_to_page((const void *)va) : NULL;
		if (page && page_address(page) != (void *)va)
			model_fail(m, "page_address(virt_to_page(%#lx)) differs",
				   (unsigned long)va);
	} else {
		page = alloc_pages(gfp, order);
	}
	m->allocs++;
	if (report_total() != reports + expected)
		model_fail(m, "allocation (gfp %#x order %u) made %lu report(s), expected %lu",
			   gfp, order, report_total() - reports, expected);
	if (page)
		take_block(m, gfp, order, page);
	else if (order < MAX_ORDER && model_has_block(m, gfp, order))
		model_fail(m, "spurious out of memory: gfp %#x order %u, model has a block",
			   gfp, order);
	m->failed_allocs += !page;
	check_counts(m, "alloc");
	return page != NULL;
}

bool machine_alloc(struct machine *m, gfp_t gfp, unsigned order)
{
	return alloc_common(m, gfp, order, false);
}

/* --- freeing ----------------------------------------------------------- */

static void free_common(struct machine *m, unsigned index, bool by_address)
{
	struct model_block b = m->live[index];
	unsigned long size = 1ul << b.order, reports = report_total();
	struct page *page = pfn_to_page(b.pfn);

	m->live[index] = m->live[--m->nr_live];
	if (by_address && page_address(page))
		free_pages((uintptr_t)page_address(page), b.order);
	else
		__free_pages(page, b.order);
	if (report_total() != reports)
		model_fail(m, "a valid free (pfn %#x order %u) made a report", b.pfn, b.order);
	memset(m->frame + b.pfn, FRAME_FREE, size);
	m->head_order[b.pfn] = 0;
	m->nr_free += size;
	check_counts(m, "free");
}

void machine_free(struct machine *m, unsigned index)
{
	free_common(m, index, false);
}

void machine_free_all(struct machine *m)
{
	uint64_t seed = m->nr_live;

	while (m->nr_live && !m->failed)
		machine_free(m, (unsigned)(model_rand(&seed) % m->nr_live));
}

/* The report a wrong free of (pfn, order) deserves, from the model's state. */
static enum report_kind expected_report(const struct machine *m, long pfn,
					unsigned order)
{
	if (pfn < 0 || pfn >= (long)m->nr_pfns || order >= MAX_ORDER)
		return REPORT_OUT_OF_RANGE;
	if (pfn & ((1l << order) - 1))
		return REPORT_MISALIGNED;
	if (m->frame[pfn] == FRAME_HOLE)
		return REPORT_RESERVED;
	if (m->frame[pfn] == FRAME_FREE)
		return REPORT_DOUBLE_FREE;
	if (m->head_order[pfn])
		return REPORT_WRONG_ORDER;
	return REPORT_NOT_ALLOCATED;
}

static int find_live(const struct machine *m, long pfn, unsigned order)
{
	for (unsigned i = 0; i < m->nr_live; i++)
		if (m->live[i].pfn == pfn && m->live[i].order == order)
			return (int)i;
	return -1;
}

enum report_kind machine_bad_free(struct machine *m, long pfn, unsigned order)
{
	int live = find_live(m, pfn, order);
	enum report_kind kind;
	unsigned long before, total = report_total();

	if (live >= 0) { /* it happens to be right: a valid free */
		machine_free(m, (unsigned)live);
		return REPORT_KIND_COUNT;
	}
	kind = expected_report(m, pfn, order);
	before = report_count(kind);
	__free_pages(m->pages + MODEL_SLACK + pfn, order);
	m->bad_frees++;
	if (report_count(kind) != before + 1 || report_total() != total + 1)
		model_fail(m, "bad free of pfn %ld order %u: %lu report(s), expected one '%s'",
			   pfn, order, report_total() - total, report_kind_name(kind));
	check_counts(m, "a bad free");
	return kind;
}

/* --- full sweeps ------------------------------------------------------- */

/* The maximal buddy decomposition of the model's free frames: for each
 * free frame its block's head and order, and the block counts per zone. */
static void decompose(const struct machine *m, pfn_t *head, uint8_t *order,
		      unsigned long count[MAX_NR_ZONES][MAX_ORDER])
{
	pfn_t p = 0;

	memset(count, 0, sizeof(unsigned long) * MAX_NR_ZONES * MAX_ORDER);
	while (p < m->nr_pfns) {
		unsigned k = 0;
		if (m->frame[p] != FRAME_FREE) {
			p++;
			continue;
		}
		while (k + 1 < MAX_ORDER && !(p & ((2u << k) - 1)) &&
		       p + (2u << k) <= m->nr_pfns &&
		       model_zone(m, p) == model_zone(m, p + (2u << k) - 1) &&
		       frames_free(m, p + (1u << k), 1u << k))
			k++;
		count[model_zone(m, p)][k]++;
		for (pfn_t i = 0; i < (1u << k); i++) {
			head[p + i] = p;
			order[p + i] = (uint8_t)k;
		}
		p += 1u << k;
	}
}

static unsigned model_fragmentation(const unsigned long nr[MAX_ORDER], unsigned order)
{
	unsigned long total = 0, small = 0;

	for (unsigned k = 0; k < MAX_ORDER; k++) {
		total += nr[k] << k;
		if (k < order)
			small += nr[k] << k;
	}
	return total ? (unsigned)(small * 1000 / total) : 1000;
}

static void check_zone_info(struct machine *m,
			    unsigned long want[MAX_NR_ZONES][MAX_ORDER])
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long got[MAX_ORDER];
		buddy_zone_info((enum zone_id)z, got);
		for (unsigned k = 0; k < MAX_ORDER; k++)
			if (got[k] != want[z][k])
				model_fail(m, "zone %d order %u: buddyinfo %lu, coalesced model %lu",
					   z, k, got[k], want[z][k]);
		for (unsigned k = 0; k <= MAX_ORDER; k += 5)
			if (buddy_fragmentation((enum zone_id)z, k) !=
			    (k < MAX_ORDER ? model_fragmentation(want[z], k) : 1000))
				model_fail(m, "zone %d: fragmentation(%u) is %u", z, k,
					   buddy_fragmentation((enum zone_id)z, k));
	}
}

/* Frames worth asking about: both ends of every free block, and every
 * eighth frame besides (asking about all of them is slow for fuzzing). */
static bool worth_finding(const struct machine *m, pfn_t p, const pfn_t *head,
			  const uint8_t *order)
{
	if (p >= m->nr_pfns || m->frame[p] != FRAME_FREE)
		return !(p & 7) || p == m->nr_pfns;
	return p == head[p] || p == head[p] + (1u << order[p]) - 1 || !(p & 7);
}

/* buddy_find_free_block names the same block as the model. */
static void check_find(struct machine *m, const pfn_t *head, const uint8_t *order)
{
	for (pfn_t p = 0; p <= m->nr_pfns && !m->failed; p++) {
		pfn_t h = 0;
		unsigned o = 0;
		bool found, want;
		if (!worth_finding(m, p, head, order))
			continue;
		found = buddy_find_free_block(p, &h, &o);
		want = p < m->nr_pfns && m->frame[p] == FRAME_FREE;
		if (found != want || (want && (h != head[p] || o != order[p])))
			model_fail(m, "buddy_find_free_block(%#x): %d %#x/%u, model %d %#x/%u",
				   p, found, h, o, want, want ? head[p] : 0,
				   want ? order[p] : 0);
	}
}

void machine_check(struct machine *m)
{
	unsigned long want[MAX_NR_ZONES][MAX_ORDER];
	unsigned long reports = report_total();
	pfn_t *head = calloc(m->nr_pfns + 1, sizeof(*head));
	uint8_t *order = calloc(m->nr_pfns + 1, 1);
	unsigned problems = buddy_check();

	if (!head || !order)
		abort();
	if (problems)
		model_fail(m, "buddy_check found %u problem(s)", problems);
	check_counts(m, "a check");
	decompose(m, head, order, want);
	check_zone_info(m, want);
	check_find(m, head, order);
	if (!problems && report_total() != reports)
		model_fail(m, "a check made a report");
	free(head);
	free(order);
}

void machine_check_restored(struct machine *m)
{
	machine_check(m);
	if (m->nr_free != m->nr_usable)
		model_fail(m, "%lu of %lu frames free after freeing everything",
			   m->nr_free, m->nr_usable);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long got[MAX_ORDER];
		buddy_zone_info((enum zone_id)z, got);
		if (memcmp(got, m->init_info[z], sizeof(got)))
			model_fail(m, "zone %d: buddyinfo differs from the initial one", z);
	}
}

/* --- one decoded operation --------------------------------------------- */

static gfp_t decode_gfp(uint32_t bits)
{
	return ((bits & 1) ? __GFP_DMA : 0) | ((bits & 2) ? __GFP_HIGHMEM : 0) |
	       ((bits & 4) ? __GFP_ZERO : 0) | ((bits & 8) ? __GFP_NOWARN : 0);
}

/* Mostly small orders, sometimes any order up to MAX_ORDER (invalid). */
static unsigned decode_order(uint32_t op)
{
	if (((op >> 4) & 15) < 12)
		return (op >> 8) & 3;
	return (op >> 8) % (MAX_ORDER + 1);
}

/* A wrong free aimed near a live block, or anywhere around the machine. */
static void step_bad_free(struct machine *m, uint32_t op)
{
	uint32_t r = op >> 16;

	if (m->nr_live && (op & 0x100)) {
		const struct model_block *b = &m->live[r % m->nr_live];
		unsigned order = (b->order + 1 + ((op >> 9) & 3)) % (MAX_ORDER + 1);
		machine_bad_free(m, (long)b->pfn + ((op >> 11) & 7), order);
	} else {
		long span = (long)m->nr_pfns + 2 * MODEL_SLACK;
		machine_bad_free(m, (long)(r % span) - MODEL_SLACK, (op >> 9) % 12);
	}
}

void machine_step(struct machine *m, uint32_t op)
{
	unsigned kind = op % STEP_KINDS;
	gfp_t gfp = decode_gfp(op >> 12);

	m->steps++;
	if (kind <= 6)
		machine_alloc(m, gfp, decode_order(op));
	else if (kind == 7)
		machine_alloc(m, GFP_KERNEL, 0); /* the hot-list fast path */
	else if (kind <= 11 && m->nr_live)
		free_common(m, (op >> 16) % m->nr_live, kind == 11);
	else if (kind == 12)
		alloc_common(m, gfp, decode_order(op), true);
	else if (kind == 13)
		buddy_drain_hot();
	else if (kind == 14)
		step_bad_free(m, op);
	else if (kind == 15 && buddy_check())
		model_fail(m, "buddy_check found problems after step %lu", m->steps);
	check_counts(m, "a step");
}

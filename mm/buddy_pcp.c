/*
 * The per-CPU lists' slow paths (theory of operation: mm/buddy.c, "Per-CPU
 * lists"): a list's refill from its zone, carved from one block; its drain
 * in address-sorted batches that go back as whole blocks where they can;
 * the lists switched on and off; every CPU's drained by a cross-CPU call;
 * and what they hold, counted.  The pops and pushes themselves are
 * alloc_pages' and __free_pages' fast paths, in mm/buddy.c.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"
#include "mm/report.h"

/* Whether the per-CPU lists are on (buddy_set_pcp). */
static bool pcp_on = true;

/* The mark of z's lists of order k (mm/buddy.h): PCP_HIGH >> k, or on a
 * small zone its share, at least one block. */
static unsigned pcp_mark(const struct zone *z, unsigned k)
{
	unsigned long share = z->managed_pages >> PCP_ZONE_SHIFT;

	return MAX(1u, (unsigned)MIN(share, (unsigned long)PCP_HIGH) >> k);
}

/*
 * Refills this CPU's list of order k (zone lock held, interrupts off):
 * one block of order PCP_REFILL_ORDER carved into blocks of order k, or,
 * when the zone has none that large, up to as many blocks of order k --
 * on a small zone no more than its mark.  Pushed highest first, so that
 * the lowest address is handed out first, as the buddy itself would.
 */
__noinline void __buddy_pcp_refill(struct zone *z, struct pcp_list MM_LOCAL *l,
				    unsigned k)
{
	struct page *got[PCP_BATCH], *head = l->p_head;
	unsigned n = READ_ONCE(pcp_on) ? MIN(PCP_BATCH >> k, pcp_mark(z, k)) : 1, i;
	struct page *block = n > 1 && n == PCP_BATCH >> k ?
			     __buddy_rmqueue_split(z, PCP_REFILL_ORDER) : NULL;

	ZONE_LOCK_HELD(z);
	if (block) { /* the common case: carved, pushed from the top down */
		for (i = n; i--;) {
			struct page *page = block + (i << k);
			page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
				      PG_HOT | order_bits(k);
			page->lru.next = (struct list_node *)head;
			head = page;
		}
	} else {
		for (i = 0; i < n && (got[i] = __buddy_rmqueue_split(z, k)) != NULL; i++)
			;
		n = i;
		while (i--) {
			struct page *page = got[i];
			page->flags = (page->flags & ~(STATE_ORDER | PG_OWNER_MASK)) |
				      PG_HOT | order_bits(k);
			page->lru.next = (struct list_node *)head;
			head = page;
		}
	}
	l->p_head = head;
	l->p_count += n;
}

/* Sorts blocks[0..n) by address (insertion sort: a list comes off its
 * stack newest first, mostly in falling order, so it is reversed first). */
static void sort_blocks(struct page **b, unsigned n)
{
	for (unsigned i = 0, j = n - 1; i < j; i++, j--) {
		struct page *t = b[i];
		b[i] = b[j];
		b[j] = t;
	}
	for (unsigned i = 1; i < n; i++) {
		struct page *t = b[i];
		unsigned j = i;
		for (; j && b[j - 1] > t; j--)
			b[j] = b[j - 1];
		b[j] = t;
	}
}

/*
 * Frees blocks[0..n) of order k, sorted by address, into the zone (lock
 * held): an aligned run of 2^m of them that together make one block of
 * order k + m goes back as that block, its inner heads cleared, so that a
 * batch freed in order costs a merge a run, not one a block.
 */
static void __free_runs(struct zone *z, struct page **blocks, unsigned n, unsigned k)
{
	ZONE_LOCK_HELD(z);
	for (unsigned i = 0; i < n;) {
		pfn_t pfn = page_to_pfn(blocks[i]);
		unsigned m = 0;

		/* the largest aligned run starting here */
		while (k + m + 1 < MAX_ORDER && !(pfn & ((2u << (k + m)) - 1)) &&
		       i + (2u << m) <= n &&
		       blocks[i + (2u << m) - 1] == blocks[i] + ((2u << m) - 1) * (1u << k))
			m++;
		for (unsigned t = 1; t < (1u << m); t++)
			blocks[i + t]->flags &= ~STATE_ORDER;
		z->free_pages += 1u << (k + m);
		__buddy_free_one(z, pfn, k + m);
		i += 1u << m;
	}
}

/* Gives up to n blocks of this CPU's list of order k back to the buddy
 * (zone lock held, interrupts off), PCP_BATCH at a time. */
static __noinline void __pcp_drain(struct zone *z, struct pcp_list MM_LOCAL *l,
				   unsigned k, unsigned n)
{
	struct page *batch[PCP_BATCH];

	ZONE_LOCK_HELD(z);
	while (n && l->p_head) {
		unsigned got = 0;
		for (; got < PCP_BATCH && got < n && l->p_head; got++) {
			struct page *page = l->p_head;
			l->p_head = (struct page *)page->lru.next;
			l->p_count--;
			batch[got] = page;
		}
		n -= got;
		sort_blocks(batch, got);
		__free_runs(z, batch, got, k);
	}
}

/* A list grew past its mark: a batch goes back (interrupts off); with the
 * lists off, everything.  A list whose mark is still 0 gets it first. */
__noinline void buddy_pcp_overflow(struct zone *z, struct pcp_list MM_LOCAL *l, unsigned k)
{
	mm_irqflags_t flags;

	if (!l->p_high && READ_ONCE(pcp_on)) {
		l->p_high = pcp_mark(z, k);
		return;
	}
	flags = mm_lock(&z->lock);
	__pcp_drain(z, l, k, l->p_high ? PCP_BATCH >> k : ~0u);
	mm_unlock(&z->lock, flags);
}

/* Sets this CPU's marks for the lists being on or off, and empties them. */
static void set_local_pcp(void *arg)
{
	bool on = *(const bool *)arg;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		for (unsigned k = 0; k < PCP_ORDERS; k++)
			local_pcp(&zones[i])->p_list[k].p_high = on ? pcp_mark(&zones[i], k) : 0;
	buddy_drain_local();
}

void buddy_set_pcp(bool on)
{
	WRITE_ONCE(pcp_on, on);
	mm_on_each_cpu(set_local_pcp, &on);
}

/* Everything on this CPU's lists goes back to the buddy. */
void buddy_drain_local(void)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		mm_irqflags_t flags = mm_lock(&z->lock);
		for (unsigned k = 0; k < PCP_ORDERS; k++)
			__pcp_drain(z, &local_pcp(z)->p_list[k], k, ~0u);
		mm_unlock(&z->lock, flags);
	}
}

static void drain_local_fn(void *arg)
{
	(void)arg;
	buddy_drain_local();
}

bool buddy_drain_hot(void)
{
	return mm_on_each_cpu(drain_local_fn, NULL);
}

unsigned long buddy_pcp_frames(const struct zone *z, unsigned cpu)
{
	const struct pcp *p;
	unsigned long n = 0;

	if (!z) {
		mm_report_call(REPORT_BAD_HANDLE, 0, "buddy_pcp_frames", MM_CALLER(),
			       "a NULL zone: 0");
		return 0;
	}
	if (cpu >= MM_MAX_CPUS) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)z, "buddy_pcp_frames", MM_CALLER(),
			       "CPU %u: expected one below %u: 0", cpu, (unsigned)MM_MAX_CPUS);
		return 0;
	}
	if (!buddy_kernel_zone(z))
		return 0;
	p = mm_per_cpu(&buddy_pcp[z->id], cpu);
	for (unsigned k = 0; k < PCP_ORDERS; k++)
		n += (unsigned long)READ_ONCE(p->p_list[k].p_count) << k;
	return n;
}

unsigned long zone_free_pages(const struct zone *z)
{
	unsigned long n;

	if (!z) {
		mm_report_call(REPORT_BAD_HANDLE, 0, "zone_free_pages", MM_CALLER(),
			       "a NULL zone: 0");
		return 0;
	}
	n = READ_ONCE(z->free_pages);
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		if (mm_cpu_online(cpu))
			n += buddy_pcp_frames(z, cpu);
	return n;
}

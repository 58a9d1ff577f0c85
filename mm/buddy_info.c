/*
 * Looking at the buddy allocator: statistics, buddyinfo, the fragmentation
 * index, and buddy_check(), the invariant sweep run after every buddy test.
 */
#include "mm/buddy.h"
#include "mm/report.h"

unsigned long buddy_free_pages(void)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += zone_free_pages(&zones[i]);
	return n;
}

unsigned long buddy_managed_pages(void)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		n += zones[i].managed_pages;
	return n;
}

/* The zone-info calls' check of the zone id a caller passed. */
static bool zone_id_ok(enum zone_id zone, const char *op, uintptr_t caller)
{
	if ((unsigned)zone >= MAX_NR_ZONES) {
		mm_report_call(REPORT_INVALID_ARG, (unsigned)zone, op, caller,
			       "zone %u: there are %u (DMA, Normal, HighMem)",
			       (unsigned)zone, MAX_NR_ZONES);
		return false;
	}
	return true;
}

/* The same, and the caller's array to fill. */
static bool zone_args_ok(enum zone_id zone, const void *out, const char *op,
			 uintptr_t caller)
{
	if (!zone_id_ok(zone, op, caller))
		return false;
	if (!out) {
		mm_report_call(REPORT_INVALID_ARG, 0, op, caller,
			       "a NULL array to fill");
		return false;
	}
	return true;
}

static void zone_info_copy(enum zone_id zone, unsigned long nr_free[MAX_ORDER])
{
	mm_irqflags_t flags;

	buddy_drain_hot();
	flags = mm_lock(&zones[zone].lock);
	for (unsigned k = 0; k < MAX_ORDER; k++)
		nr_free[k] = zones[zone].free_area[k].nr_free;
	mm_unlock(&zones[zone].lock, flags);
}

void buddy_zone_info(enum zone_id zone, unsigned long nr_free[MAX_ORDER])
{
	if (zone_args_ok(zone, nr_free, "buddy_zone_info", MM_CALLER()))
		zone_info_copy(zone, nr_free);
	else if (nr_free)
		memset(nr_free, 0, MAX_ORDER * sizeof(nr_free[0]));
}

void buddy_print_info(void)
{
	unsigned long nr[MAX_ORDER];

	mm_printf("buddyinfo: free blocks per order (order k = 2^k frames of 4 KiB)\n");
	mm_printf("%-8s", "zone");
	for (unsigned k = 0; k < MAX_ORDER; k++)
		mm_printf(" %6u", k);
	mm_printf("\n");
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		if (!zones[z].managed_pages)
			continue;
		zone_info_copy((enum zone_id)z, nr);
		mm_printf("%-8s", zones[z].name);
		for (unsigned k = 0; k < MAX_ORDER; k++)
			mm_printf(" %6lu", nr[k]);
		mm_printf("\n");
	}
}

void buddy_print_zones(void)
{
	mm_printf("%-8s %-23s %10s %10s\n", "zone", "frames", "managed", "free");
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zn = &zones[z];
		if (zn->end_pfn == zn->start_pfn)
			continue;
		mm_printf("%-8s %#09x-%#09x %7lu KiB %7lu KiB\n", zn->name,
			  zn->start_pfn, zn->end_pfn,
			  zn->managed_pages * (MM_PAGE_SIZE / 1024),
			  zone_free_pages(zn) * (MM_PAGE_SIZE / 1024));
	}
}

static unsigned fragmentation(const unsigned long nr[MAX_ORDER], unsigned order)
{
	unsigned long total = 0, usable = 0;

	if (order >= MAX_ORDER)
		return 1000;
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		unsigned long pages = nr[k] << k;
		total += pages;
		if (k >= order)
			usable += pages;
	}
	if (!total)
		return 1000;
	return (unsigned)(((total - usable) * 1000) / total);
}

void buddy_print_fragmentation(void)
{
	unsigned long nr[MAX_ORDER];

	mm_printf("fragmentation (per mille of free memory unusable for the order):\n");
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		if (!zones[z].managed_pages)
			continue;
		zone_info_copy((enum zone_id)z, nr); /* one snapshot a zone */
		mm_printf("%-8s", zones[z].name);
		for (unsigned k = 0; k < MAX_ORDER; k++)
			mm_printf(" %6u", fragmentation(nr, k));
		mm_printf("\n");
	}
}

unsigned buddy_fragmentation(enum zone_id zone, unsigned order)
{
	unsigned long nr[MAX_ORDER];

	/* nr is ours: only the zone id comes from the caller */
	if (!zone_id_ok(zone, "buddy_fragmentation", MM_CALLER()))
		return 1000;
	zone_info_copy(zone, nr);
	return fragmentation(nr, order);
}

unsigned buddy_zone_fragmentation(const struct zone *z, unsigned order)
{
	unsigned long nr[MAX_ORDER];

	if (!z) {
		mm_report_call(REPORT_BAD_HANDLE, 0, "buddy_zone_fragmentation", MM_CALLER(),
			       "a NULL zone");
		return 1000;
	}
	for (unsigned k = 0; k < MAX_ORDER; k++)
		nr[k] = z->free_area[k].nr_free;
	return fragmentation(nr, order);
}

/* --- the invariant checker ----------------------------------------------- */

static unsigned problems;
/* One check at a time (buddy_check). */
static mm_lock_t check_lock = MM_LOCK_INIT("buddy_check", LOCK_ORDER_KMALLOC);
MM_LOCK_REGISTER(check_lock);

static void vbad(unsigned *count, pfn_t pfn, const char *fmt, va_list ap)
{
	char prefix[40];

	snprintf(prefix, sizeof(prefix), "buddy_check: pfn %#x", pfn);
	mm_report_finding(count, (uintptr_t)((paddr_t)pfn << MM_PAGE_SHIFT), prefix, fmt, ap);
}

/* A problem of the zones' lists (check_lock held). */
static __printf(2, 3) void bad(pfn_t pfn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vbad(&problems, pfn, fmt, ap);
	va_end(ap);
}

/* A problem of a CPU's lists, counted in *count. */
static __printf(3, 4) void bad_on_cpu(unsigned *count, pfn_t pfn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vbad(count, pfn, fmt, ap);
	va_end(ap);
}

/* Every entry of every list: a BUDDY head of that order, aligned, inside
 * the zone, with no state on the block's other pages. */
static unsigned long check_lists(const struct zone *z, unsigned long *pages)
{
	unsigned long blocks = 0;

	for (unsigned k = 0; k < MAX_ORDER; k++) {
		const struct list_node *n;
		unsigned long count = 0;
		list_for_each(n, &z->free_area[k].list) {
			const struct page *p = list_entry(n, struct page, lru);
			pfn_t pfn = page_to_pfn(p);
			if (++count > z->managed_pages) {
				bad(pfn, "free list of order %u in %s loops", k, z->name);
				return blocks;
			}
			if ((p->flags & (PG_STATE_MASK | PG_ORDER_MASK)) !=
			    (PG_BUDDY | ((uint32_t)k << PG_ORDER_SHIFT)))
				bad(pfn, "on the order-%u list with flags %#x", k, p->flags);
			if (pfn & ((1u << k) - 1))
				bad(pfn, "free block of order %u is misaligned", k);
			if (pfn < z->start_pfn || pfn + (1u << k) > z->end_pfn ||
			    page_zone_id(p) != z->id)
				bad(pfn, "free block of order %u outside zone %s", k, z->name);
			for (unsigned long i = 1; i < (1ul << k) && pfn + i < max_pfn; i++)
				if (p[i].flags & PG_STATE_MASK)
					bad(pfn + (pfn_t)i, "inside a free block of order %u but has flags %#x",
					    k, p[i].flags);
		}
		if (count != z->free_area[k].nr_free)
			bad(z->start_pfn, "%s order %u: %lu blocks listed, nr_free says %lu",
			    z->name, k, count, z->free_area[k].nr_free);
		blocks += count;
		*pages += count << k;
	}
	return blocks;
}

/* This CPU's lists: HOT heads of their order and zone, as many as counted
 * (run on each CPU by buddy_check, interrupts off). */
static void check_local_lists(void *count)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &zones[i];
		const struct pcp *pcp = mm_this_cpu(&buddy_pcp[i]);
		for (unsigned k = 0; k < PCP_ORDERS; k++) {
			const struct pcp_list *l = &pcp->p_list[k];
			unsigned long n = 0;
			for (const struct page *p = l->p_head; p; p = (const struct page *)p->lru.next) {
				pfn_t pfn = page_to_pfn(p);
				if ((p->flags & (PG_STATE_MASK | PG_ORDER_MASK)) !=
					    (PG_HOT | ((uint32_t)k << PG_ORDER_SHIFT)) ||
				    page_zone_id(p) != z->id || (pfn & ((1u << k) - 1)))
					bad_on_cpu(count, pfn, "on CPU %u's %s list of order %u with flags %#x",
					    mm_cpu_id(), z->name, k, p->flags);
				if (++n > z->managed_pages)
					break;
			}
			if (n != l->p_count)
				bad_on_cpu(count, z->start_pfn,
					   "CPU %u's %s list of order %u holds %lu blocks, its count says %u",
				    mm_cpu_id(), z->name, k, n, l->p_count);
		}
	}
}

/* The page array agrees: as many BUDDY heads as listed blocks.  The
 * flags of a page that is not free may change meanwhile (its owner's, or
 * a CPU's list's), each store from one sound state to another and never
 * to or from PG_BUDDY: each is read once, a racy look. */
static void check_page_array(const struct zone *z, unsigned long listed)
{
	unsigned long heads = 0;

	for (pfn_t pfn = z->start_pfn; pfn < z->end_pfn; pfn++) {
		uint32_t f = READ_ONCE(pfn_to_page(pfn)->flags);
		uint32_t s = f & PG_STATE_MASK;
		enum zone_id id = (enum zone_id)((f & PG_ZONE_MASK) >> PG_ZONE_SHIFT);

		/* An open private zone's blocks are its own business; its
		 * only block head as the real zone sees it is a BUDDY one. */
		if ((s & PG_BUDDY) && buddy_private_zone_at(pfn)) {
			pfn = buddy_private_zone_at(pfn)->end_pfn - 1;
			continue;
		}
		if (id != z->id)
			bad(pfn, "zone bits say %d, the frame lies in %s", id, z->name);
		if (s & PG_BUDDY)
			heads++;
		if (s & (s - 1) & ~PG_TAIL)
			bad(pfn, "more than one state bit: %#x", f);
	}
	if (heads != listed)
		bad(z->start_pfn, "%s: %lu BUDDY heads in the page array, %lu on the lists",
		    z->name, heads, listed);
}

/*
 * Each zone under its lock, so other CPUs may go on allocating: their
 * changes to a zone wait, and blocks on their own lists are HOT pages
 * the sweep of the page array leaves alone.  Each CPU checks its own lists
 * (a cross-CPU call; where none may be made, this CPU's only).  One check
 * at a time: the count of problems is the checker's.
 */
unsigned buddy_check(void)
{
	mm_irqflags_t cflags = mm_lock(&check_lock);
	unsigned found, on_cpus = 0;

	problems = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		mm_irqflags_t flags = mm_lock(&z->lock);
		unsigned long pages = 0, blocks = check_lists(z, &pages);
		check_page_array(z, blocks);
		if (pages != z->free_pages)
			bad(z->start_pfn, "%s: %lu pages on the free lists, free_pages says %lu",
			    z->name, pages, z->free_pages);
		if (z->free_pages > z->managed_pages)
			bad(z->start_pfn, "%s: more free pages than managed", z->name);
		mm_unlock(&z->lock, flags);
	}
	found = problems;
	mm_unlock(&check_lock, cflags);
	/* not under check_lock: a cross-CPU call needs interrupts on */
	mm_on_each_cpu(check_local_lists, &on_cpus);
	return found + on_cpus;
}

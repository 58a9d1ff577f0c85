/*
 * Setting up the buddy allocator (theory of operation: mm/buddy.c): the
 * zones' spans, the page array with every frame reserved, then the usable
 * ranges the boot hands over, each freed in the largest aligned blocks that
 * fit: one order-10 free for every 4 MiB of aligned RAM, not 1024 single
 * frames merged one by one.
 */
#include "mm/buddy.h"
#include "mm/buddy_internal.h"

void buddy_init_zone_span(struct zone *z, pfn_t start, pfn_t end)
{
	z->start_pfn = start;
	z->end_pfn = end > start ? end : start;
	z->span_pfns = z->end_pfn - start;
	z->managed_pages = z->free_pages = 0;
	z->free_mask = 0;
	for (unsigned k = 0; k < MAX_ORDER; k++) {
		list_init(&z->free_area[k].list);
		z->free_area[k].nr_free = 0;
	}
}

/*
 * Only page->flags is initialised here: the other words mean something only
 * in the states that set them (a free list entry, a slab head...).
 */
void buddy_init_pages(struct page *map, pfn_t nr_pfns, pfn_t direct_end)
{
	pfn_t dma_end = MIN(nr_pfns, DMA_LIMIT_PFN);
	pfn_t normal_end = MAX(dma_end, MIN(nr_pfns, direct_end));

	mem_map = map;
	max_pfn = nr_pfns;
	buddy_mem_map_end = map + nr_pfns;
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		if (mm_cpu_online(cpu))
			memset(mm_per_cpu(buddy_pcp, cpu), 0, MAX_NR_ZONES * sizeof(struct pcp));
	buddy_init_zone_span(&zones[ZONE_DMA], 0, dma_end);
	buddy_init_zone_span(&zones[ZONE_NORMAL], dma_end, normal_end);
	buddy_init_zone_span(&zones[ZONE_HIGHMEM], normal_end, nr_pfns);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		uint32_t f = PG_RESERVED | ((uint32_t)z << PG_ZONE_SHIFT) |
			     ((uint32_t)OWNER_FIRMWARE << PG_OWNER_SHIFT);
		for (pfn_t p = zones[z].start_pfn; p < zones[z].end_pfn; p++)
			map[p].flags = f;
	}
}

/* The largest order of an aligned block at pfn that fits before end. */
static unsigned fit_order(pfn_t pfn, pfn_t end)
{
	unsigned order = 0;

	while (order < MAX_ORDER - 1 && !(pfn & (1u << order)) &&
	       pfn + (2u << order) <= end)
		order++;
	return order;
}

static void add_zone_range(struct zone *z, pfn_t start, pfn_t end)
{
	uint32_t f = (uint32_t)z->id << PG_ZONE_SHIFT;

	for (pfn_t p = start; p < end; p++)
		mem_map[p].flags = f;
	z->managed_pages += end - start;
	z->free_pages += end - start;
	while (start < end) {
		unsigned order = fit_order(start, end);
		__buddy_free_one(z, start, order);
		start += 1u << order;
	}
}

void buddy_add_range(pfn_t start, pfn_t end)
{
	if (!buddy_range_args_ok(start, end, MM_CALLER()))
		return;
	end = MIN(end, max_pfn);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &zones[i];
		pfn_t s = MAX(start, z->start_pfn), e = MIN(end, z->end_pfn);
		if (s < e) {
			mm_irqflags_t flags = mm_lock(&z->lock);
			add_zone_range(z, s, e);
			mm_unlock(&z->lock, flags);
		}
	}
}

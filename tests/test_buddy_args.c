/*
 * Suite buddy, continued: what the buddy allocator does with arguments no
 * call takes (mm/buddy_args.c): one REPORT_INVALID_ARG naming the caller,
 * and the call refused with every structure as it was.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "lib/string.h"
#include "mm/kmalloc.h"

/* Gives back what a refused call handed out anyway (the old code did). */
static void give_back(struct page *p, unsigned order)
{
	if (p)
		__free_pages(p, order);
}

KTEST(buddy, "gfp bits no flag has are refused by alloc_pages and __get_free_pages")
{
	unsigned long free = buddy_free_pages();
	struct page *p0 = NULL, *p2 = NULL, *pz = NULL;
	uintptr_t va = 0;

	EXPECT_REPORTS(REPORT_INVALID_ARG, 4,
		       p0 = alloc_pages(0x100, 0);
		       p2 = alloc_pages(GFP_KERNEL | 0x80000000u, 2);
		       pz = alloc_pages(__GFP_ZERO | 0x10, 1);
		       va = __get_free_pages(0x40, 0));
	EXPECT_NULL(p0);
	EXPECT_NULL(p2);
	EXPECT_NULL(pz);
	EXPECT_EQ(0, va);
	give_back(p0, 0);
	give_back(p2, 2);
	give_back(pz, 1);
	free_pages(va, 0);
	EXPECT_EQ(free, buddy_free_pages());
}

KTEST(buddy, "buddy_zone_info and buddy_fragmentation refuse a zone that does not exist")
{
	unsigned long nr[MAX_ORDER];

	memset(nr, 0xff, sizeof(nr));
	EXPECT_REPORTS(REPORT_INVALID_ARG, 4,
		       buddy_zone_info(MAX_NR_ZONES, nr);
		       buddy_zone_info((enum zone_id)100000, nr);
		       buddy_zone_info(ZONE_NORMAL, NULL);
		       EXPECT_EQ(1000, buddy_fragmentation((enum zone_id)-1, 0)));
	for (unsigned k = 0; k < MAX_ORDER; k++)
		EXPECT_EQ(0, nr[k]);
}

KTEST(buddy, "__free_pages of a pointer between two struct pages is reported and changes nothing")
{
	unsigned long free = buddy_free_pages();
	struct page *p = alloc_pages(GFP_KERNEL, 0), *q = alloc_pages(GFP_KERNEL, 4);

	if (!EXPECT_NOT_NULL(p) || !EXPECT_NOT_NULL(q))
		goto out;
	EXPECT_REPORTS(REPORT_OUT_OF_RANGE, 4,
		       __free_pages((struct page *)((uintptr_t)p + 4), 0);
		       __free_pages((struct page *)((uintptr_t)p + 1), 0);
		       __free_pages((struct page *)((uintptr_t)q + 12), 4);
		       free_pages_any((struct page *)((uintptr_t)q + 20), 4));
	EXPECT_EQ(free - 17, buddy_free_pages());
	EXPECT_EQ(0, buddy_check());
out:
	give_back(p, 0);
	give_back(q, 4);
}

KTEST(buddy, "page_address of a struct page that is not one of the page array is reported, NULL")
{
	struct page *p = alloc_pages(GFP_KERNEL, 0);

	ASSERT_NOT_NULL(p);
	EXPECT_REPORTS(REPORT_OUT_OF_RANGE, 3,
		       EXPECT_NULL(page_address(NULL));
		       EXPECT_NULL(page_address(mem_map + max_pfn));
		       EXPECT_NULL(page_address((struct page *)((uintptr_t)p + 8))));
	EXPECT_NOT_NULL(page_address(p));
	__free_pages(p, 0);
}

KTEST(buddy, "compound_set and compound_clear refuse a page that is not the head of an allocated block")
{
	struct page *p = alloc_pages(GFP_KERNEL, 2);

	ASSERT_NOT_NULL(p);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 4,
		       compound_set(p, 3); /* not its order */
		       compound_set(p + 1, 0); /* not a head */
		       compound_clear(p, MAX_ORDER);
		       compound_set(mem_map + max_pfn, 0));
	for (unsigned i = 1; i < 4; i++)
		EXPECT_FALSE(p[i].flags & PG_TAIL);
	EXPECT_EQ(0, buddy_check());
	__free_pages(p, 2);
}

KTEST(buddy, "buddy_add_range of frames the buddy has already, or of a reversed range, is refused")
{
	unsigned long free = buddy_free_pages(), managed = buddy_managed_pages();
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	pfn_t pfn;

	ASSERT_NOT_NULL(p);
	pfn = page_to_pfn(p);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 3,
		       buddy_add_range(pfn, pfn + 1); /* allocated */
		       buddy_add_range(pfn + 1, pfn); /* reversed */
		       buddy_add_range(0, max_pfn)); /* nearly all of it is managed */
	EXPECT_EQ(managed, buddy_managed_pages());
	EXPECT_EQ(free - 1, buddy_free_pages());
	__free_pages(p, 0);
	EXPECT_EQ(0, buddy_check());
}

KTEST(buddy, "mm_report of a kind that does not exist counts in the total; a NULL message is said so")
{
	unsigned long total = report_total();

	report_expect(2);
	mm_report(REPORT_KIND_COUNT, 0x1234, "a report of no kind");
	EXPECT_STREQ("unknown report", report_kind_name(REPORT_KIND_COUNT));
	EXPECT_EQ(0, report_count(REPORT_KIND_COUNT + 7));
	mm_report(REPORT_CORRUPTION, 0, NULL);
	EXPECT_STREQ("(no message)", report_last());
	EXPECT_EQ(total + 2, report_total());
}

KTEST(buddy, "__free_pages of a tail page of a large kmalloc block is reported; the block stays allocated")
{
	uint8_t *p = kmalloc(3 * MM_PAGE_SIZE, GFP_KERNEL);
	struct page *head;

	ASSERT_NOT_NULL(p);
	head = virt_to_page(p);
	EXPECT_REPORTS(REPORT_NOT_ALLOCATED, 3,
		       __free_pages(head + 1, 0);
		       __free_pages(head + 2, 1);
		       __free_pages(head, page_order(head))); /* kmalloc's own */
	EXPECT_EQ(OWNER_KMALLOC, page_owner(head));
	EXPECT_EQ(0, buddy_check());
	kfree(p);
}

KTEST(buddy, "buddy_find_free_block and buddy_zone_fragmentation refuse NULL")
{
	pfn_t head;
	unsigned order;

	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       EXPECT_FALSE(buddy_find_free_block(max_pfn - 1, NULL, &order));
		       EXPECT_FALSE(buddy_find_free_block(max_pfn - 1, &head, NULL)));
	EXPECT_REPORTS(REPORT_BAD_HANDLE, 1, EXPECT_EQ(1000, buddy_zone_fragmentation(NULL, 0)));
}

KTEST(buddy, "zone_free_pages and buddy_pcp_frames refuse a NULL zone and a CPU that cannot exist")
{
	struct zone *z = &zones[ZONE_NORMAL];
	unsigned long lists = 0;

	EXPECT_REPORTS(REPORT_BAD_HANDLE, 2,
		       EXPECT_EQ(0, zone_free_pages(NULL));
		       EXPECT_EQ(0, buddy_pcp_frames(NULL, 0)));
	EXPECT_REPORTS(REPORT_INVALID_ARG, 2,
		       EXPECT_EQ(0, buddy_pcp_frames(z, MM_MAX_CPUS));
		       EXPECT_EQ(0, buddy_pcp_frames(z, ~0u)));
	/* the good calls still add up: the zone's free count and its lists */
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		if (mm_cpu_online(cpu))
			lists += buddy_pcp_frames(z, cpu);
	EXPECT_EQ(z->free_pages + lists, zone_free_pages(z));
}

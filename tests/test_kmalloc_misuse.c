/*
 * Suite kmalloc, continued: arguments kmalloc, kzalloc, krealloc and
 * ksize refuse (mm/kmalloc_args.c), each with one named report.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "mm/kmalloc.h"
#include "mm/buddy.h"
#include "lib/string.h"
#include "mm/vmalloc.h"

KTEST(kmalloc, "kmalloc, kzalloc and krealloc refuse gfp bits no flag has")
{
	void *a = NULL, *b = NULL, *c = NULL, *d = NULL, *keep = kmalloc(32, GFP_KERNEL);

	ASSERT_NOT_NULL(keep);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 5,
		       a = kmalloc(64, 0x100);
		       b = kmalloc(100000, 0x10);
		       c = kzalloc(64, 0x20);
		       d = krealloc(NULL, 64, 0x40);
		       EXPECT_NULL(krealloc(keep, 16, 0x80)));
	EXPECT_NULL(a);
	EXPECT_NULL(b);
	EXPECT_NULL(c);
	EXPECT_NULL(d);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	kfree(keep); /* krealloc left it alone */
}

KTEST(kmalloc, "a request above 4 MiB is one report and NULL (no report under __GFP_NOWARN)")
{
	void *keep = kmalloc(32, GFP_KERNEL);

	ASSERT_NOT_NULL(keep);
	EXPECT_REPORTS(REPORT_INVALID_ARG, 4,
		       EXPECT_NULL(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
		       EXPECT_NULL(kzalloc(~(size_t)0, GFP_KERNEL));
		       EXPECT_NULL(kmalloc(~(size_t)0 - 6, GFP_KERNEL));
		       EXPECT_NULL(krealloc(keep, (size_t)1 << 31, GFP_KERNEL)));
	EXPECT_REPORTS(REPORT_INVALID_ARG, 0,
		       EXPECT_NULL(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN)));
	kfree(keep);
}

KTEST(kmalloc, "ksize and krealloc of a freed object are reported and refused")
{
	uint8_t *p = kmalloc(40, GFP_KERNEL), *q = NULL, *r = NULL;
	size_t size = 1;

	ASSERT_NOT_NULL(p);
	kfree(p);
	EXPECT_REPORTS(REPORT_DEAD_HANDLE, 3,
		       size = ksize(p);
		       q = krealloc(p, 48, GFP_KERNEL); /* in place, once */
		       r = krealloc(p, 400, GFP_KERNEL)); /* a copy, once */
	EXPECT_EQ(0, size);
	EXPECT_NULL(q);
	EXPECT_NULL(r);
	if (r) /* the old code handed out a copy */
		kfree(r);
	EXPECT_EQ(0, slab_check());
}

KTEST(kmalloc, "kfree, ksize and krealloc of a vmalloc, stack or page-array address are reported and refused")
{
	uint8_t on_stack[32];
	void *v = vmalloc(MM_PAGE_SIZE);
	void *in_array = mem_map + 5;
	void *where[3];

	ASSERT_NOT_NULL(v);
	memset(on_stack, 0, sizeof(on_stack));
	where[0] = v;
	where[1] = on_stack;
	where[2] = in_array;
	for (unsigned i = 0; i < 3; i++)
		EXPECT_REPORTS(REPORT_OUT_OF_RANGE, 3,
			       kfree(where[i]);
			       EXPECT_EQ(0, ksize(where[i]));
			       EXPECT_NULL(krealloc(where[i], 64, GFP_KERNEL)));
	vfree(v);
}

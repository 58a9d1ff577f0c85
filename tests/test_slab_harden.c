/*
 * Suite slab, continued: the free lists and red zones hold against the
 * misuse that used to get through -- a double free anywhere, a free object
 * overwritten or its link forged, an overflow into a debug object's
 * neighbour, a write past a large kmalloc block's request.  Each one is a
 * named report, nothing dereferences the damage, and no object is ever
 * handed out twice.
 */
#include "tests/ktest.h"
#include "tests/slab_test.h"
#include "tests/smp_util.h"
#include "kernel/smp.h"
#include "mm/slab_internal.h"
#include "mm/kmalloc.h"
#include "lib/string.h"
#include "lib/errno.h"

#define HARDEN_OBJS 8
#define STORM_OBJS 300

/* Distinct and non-NULL: no object handed out twice. */
static bool all_distinct(void *const *objs, int n)
{
	for (int i = 0; i < n; i++) {
		if (!objs[i])
			return false;
		for (int j = 0; j < i; j++)
			if (objs[i] == objs[j])
				return false;
	}
	return true;
}

static void free_all(struct kmem_cache *c, void **objs, int n)
{
	for (int i = 0; i < n; i++) {
		kmem_cache_free(c, objs[i]);
		objs[i] = NULL;
	}
}

static void alloc_all(struct kmem_cache *c, void **objs, int n)
{
	for (int i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
}

KTEST(slab, "no debug: a double free after a drain is reported; nothing is handed out twice")
{
	struct kmem_cache *c = kmem_cache_create("test-dfree-drain", 48, 0,
						 SLAB_NO_DEBUG, NULL);
	void *objs[HARDEN_OBJS] = { NULL }, *keep;

	ASSERT_NOT_NULL(c);
	keep = kmem_cache_alloc(c, GFP_KERNEL); /* the slab stays in use */
	alloc_all(c, objs, 3);
	if (!EXPECT_NOT_NULL(keep) || !EXPECT_TRUE(all_distinct(objs, 3)))
		goto out;
	kmem_cache_free(c, objs[0]);
	kmem_cache_free(c, objs[1]);
	kmem_cache_drain(c); /* both on the slab's free list; objs[0] not its head */
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, objs[0]));
	objs[0] = objs[1] = NULL;
	for (int i = 0; i < HARDEN_OBJS; i++)
		if (!objs[i])
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	EXPECT_TRUE(all_distinct(objs, HARDEN_OBJS));
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	free_all(c, objs, HARDEN_OBJS);
	kmem_cache_free(c, keep);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

/*
 * A cache with one slab in use whose free list runs objs[3] -> objs[2] ->
 * objs[1] -> objs[0] -> (the slab's untouched objects): keep stays
 * allocated, the four go back through the array and a drain.  objs[1] is
 * the victim: on the list, not at its head.  NULL if out of memory.
 */
static struct kmem_cache *victim_cache(const char *name, void **objs, void **keep)
{
	struct kmem_cache *c = kmem_cache_create(name, 48, 0, SLAB_NO_DEBUG, NULL);

	if (!c)
		return NULL;
	*keep = kmem_cache_alloc(c, GFP_KERNEL);
	alloc_all(c, objs, 4);
	if (!*keep || !all_distinct(objs, 4)) {
		free_all(c, objs, 4);
		kmem_cache_free(c, *keep);
		kmem_cache_destroy(c);
		return NULL;
	}
	for (int i = 0; i < 4; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_drain(c);
	return c;
}

/* The victim's slab is quarantined: slabinfo says so, the checker is
 * clean, keep can still be freed (and not twice), and the slab's memory
 * comes back only when asked for. */
static void expect_quarantined(struct kmem_cache *c, void *keep)
{
	struct slab_info si;
	int busy = 0;

	kmem_cache_info(c, &si);
	EXPECT_EQ(1, si.quarantined_slabs);
	EXPECT_EQ(0, kmem_cache_check(c));
	kmem_cache_free(c, keep);
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, keep));
	EXPECT_REPORTS(REPORT_IN_USE, 1, busy = kmem_cache_destroy(c));
	EXPECT_EQ(ERR_BUSY, busy);
	EXPECT_EQ(1, kmem_cache_release_quarantine(c));
}

KTEST(slab, "no debug: a free object's overwritten words are reported, never followed; its slab is quarantined")
{
	void *victims[4], *objs[HARDEN_OBJS] = { NULL }, *keep;
	struct kmem_cache *c = victim_cache("test-overwrite", victims, &keep);

	ASSERT_NOT_NULL(c);
	memset(victims[1], 0xAB, 2 * sizeof(void *)); /* a write after free */
	EXPECT_REPORTS(REPORT_CORRUPTION, 1, alloc_all(c, objs, HARDEN_OBJS));
	EXPECT_TRUE(strstr(report_last(), "test-overwrite") != NULL);
	EXPECT_TRUE(strstr(report_last(), "quarantined") != NULL);
	EXPECT_TRUE(all_distinct(objs, HARDEN_OBJS));
	for (int i = 0; i < HARDEN_OBJS; i++)
		EXPECT_TRUE(slab_page_of(objs[i]) != slab_page_of(keep));
	free_all(c, objs, HARDEN_OBJS);
	expect_quarantined(c, keep);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "no debug: the checker finds the overwritten free object first, quarantines, and a second check is clean")
{
	void *victims[4], *objs[HARDEN_OBJS] = { NULL }, *keep;
	struct kmem_cache *c = victim_cache("test-overwrite-chk", victims, &keep);

	ASSERT_NOT_NULL(c);
	memset(victims[1], 0x00, 2 * sizeof(void *));
	EXPECT_REPORTS(REPORT_CORRUPTION, 1, EXPECT_EQ(1, kmem_cache_check(c)));
	EXPECT_EQ(0, kmem_cache_check(c));
	alloc_all(c, objs, HARDEN_OBJS);
	EXPECT_TRUE(all_distinct(objs, HARDEN_OBJS));
	free_all(c, objs, HARDEN_OBJS);
	expect_quarantined(c, keep);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

/* Runs on the AP, with interrupts on: the check that quarantines the
 * victim's slab. */
static void check_job(void *arg)
{
	struct kmem_cache *c = arg;

	kmem_cache_check(c);
}

/* kmem_cache_check(c) on the AP, waited for; 0 if it ran. */
static int check_on(unsigned ap, struct kmem_cache *c)
{
	int err = smp_run_on(ap, check_job, c);

	smp_run_wait(ap);
	return err;
}

KTEST(slab, "no debug: a slab quarantined on one CPU hands out none of its free objects from another CPU's array")
{
	void *victims[4], *objs[2] = { NULL }, *keep;
	struct kmem_cache *c;
	unsigned ap = smp_test_ap();
	int started = -1;

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	c = victim_cache("test-remote-quarantine", victims, &keep);
	ASSERT_NOT_NULL(c);
	/* this CPU's array holds the list's first two (victims 3 and 2) */
	EXPECT_EQ(0, kmem_cache_set_array_limit(c, 2));
	alloc_all(c, objs, 2);
	if (!objs[0] || !objs[1]) { /* out of memory: nothing quarantined */
		free_all(c, objs, 2);
		kmem_cache_free(c, keep);
		EXPECT_EQ(0, kmem_cache_destroy(c));
		return;
	}
	if (!EXPECT_TRUE(slab_page_of(objs[0]) == slab_page_of(keep) &&
			 slab_page_of(objs[1]) == slab_page_of(keep)))
		goto out;
	free_all(c, objs, 2);
	memset(victims[1], 0x00, 2 * sizeof(void *)); /* next on the list */
	EXPECT_REPORTS(REPORT_CORRUPTION, 1, started = check_on(ap, c));
	EXPECT_EQ(0, started);
	alloc_all(c, objs, 2);
	EXPECT_TRUE(all_distinct(objs, 2));
	for (int i = 0; i < 2; i++)
		EXPECT_TRUE(slab_page_of(objs[i]) != slab_page_of(keep));
out:
	free_all(c, objs, 2);
	expect_quarantined(c, keep);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

/* Forges the victim's link to lead to target, encoded as the cache
 * would: only the validation can stop it. */
static void forge_link(struct kmem_cache *c, void *victim, const void *target)
{
	struct slab_free_rec *r = (struct slab_free_rec *)((uintptr_t)victim + c->c_fp);

	r->f_link = slab_link_encode(c, target, &r->f_link);
}

/* One forged link: reported when an allocation reaches it, never followed. */
static void forged_case(const char *name, int target_kind)
{
	void *victims[4], *objs[HARDEN_OBJS] = { NULL }, *keep, *other;
	struct kmem_cache *c = victim_cache(name, victims, &keep);
	const void *target;

	ASSERT_NOT_NULL(c);
	other = kmalloc(48, GFP_KERNEL); /* an object of another slab */
	if (!EXPECT_NOT_NULL(other))
		target_kind = 1;
	switch (target_kind) {
	case 0: target = other; break;
	case 1: target = (uint8_t *)victims[0] + 4; break; /* off a boundary */
	case 2: target = (void *)0x10; break; /* NULL's neighbourhood */
	default: target = victims[3]; break; /* the head: a cycle */
	}
	forge_link(c, victims[1], target);
	EXPECT_REPORTS(REPORT_CORRUPTION, 1, alloc_all(c, objs, HARDEN_OBJS));
	EXPECT_TRUE(all_distinct(objs, HARDEN_OBJS));
	for (int i = 0; i < HARDEN_OBJS; i++)
		EXPECT_TRUE(objs[i] != target && objs[i] != other);
	free_all(c, objs, HARDEN_OBJS);
	kfree(other);
	expect_quarantined(c, keep);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "no debug: a free-list link into another slab is reported, never followed")
{
	forged_case("test-link-other", 0);
}

KTEST(slab, "no debug: a link into the same slab off an object boundary is reported")
{
	forged_case("test-link-interior", 1);
}

KTEST(slab, "no debug: a link to NULL's neighbourhood is reported")
{
	forged_case("test-link-null", 2);
}

KTEST(slab, "no debug: a cycle in a free list is caught before an object is handed out twice")
{
	forged_case("test-link-cycle", 3);
}

/* Out of line and not a tail call, so that the debug record names it. */
static __attribute__((noipa)) void *harden_alloc_site(struct kmem_cache *c)
{
	void *p = kmem_cache_alloc(c, GFP_KERNEL);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

KTEST(slab, "debug: an overflow through the red zone into the next slot is one red-zone report naming the object and its caller")
{
	struct kmem_cache *c = kmem_cache_create("test-overflow", 40, 0, SLAB_DEBUG, NULL);
	void *p, *q, *r = NULL;

	ASSERT_NOT_NULL(c);
	p = harden_alloc_site(c);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p) || !EXPECT_NOT_NULL(q))
		goto out;
	EXPECT_PTR_EQ((uint8_t *)p + (40 + 2 * SLAB_RED_ZONE), q); /* neighbours */
	kmem_cache_free(c, q); /* q is free, next in line */
	memset((uint8_t *)p + 40, 0x41, 2 * SLAB_RED_ZONE); /* to q's slot */
	EXPECT_REPORTS(REPORT_REDZONE, 1, r = kmem_cache_alloc(c, GFP_KERNEL));
	EXPECT_PTR_EQ(q, r);
	q = NULL; /* freed above; r holds its slot */
	EXPECT_TRUE(strstr(report_last(), "red zone after the object") != NULL);
	EXPECT_TRUE(strstr(report_last(), "through into the next object's slot") != NULL);
	EXPECT_TRUE(strstr(report_last(), "allocated by harden_alloc_site+") != NULL);
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	kmem_cache_free(c, r);
	kmem_cache_free(c, q);
	kmem_cache_free(c, p);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "debug: the same overflow found by the checker while both objects live")
{
	struct kmem_cache *c = kmem_cache_create("test-overflow-chk", 40, 0, SLAB_DEBUG, NULL);
	void *p, *q;

	ASSERT_NOT_NULL(c);
	p = harden_alloc_site(c);
	q = kmem_cache_alloc(c, GFP_KERNEL);
	if (!EXPECT_NOT_NULL(p) || !EXPECT_NOT_NULL(q))
		goto out;
	memset((uint8_t *)p + 40, 0x41, 2 * SLAB_RED_ZONE);
	EXPECT_REPORTS(REPORT_REDZONE, 1, EXPECT_EQ(1, kmem_cache_check(c)));
	EXPECT_TRUE(strstr(report_last(), "allocated by harden_alloc_site+") != NULL);
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	kmem_cache_free(c, q);
	kmem_cache_free(c, p);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(kmalloc, "debug: a write past a large block's request is a red-zone report at kfree, krealloc and the checker")
{
	uint8_t *p, *q;

	if (!slab_debug_enabled())
		KTEST_SKIP("slab debugging is off");
	p = kmalloc(5000, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	p[5000] = 1; /* the KASAN case kmalloc_pagealloc_oob_right */
	EXPECT_REPORTS(REPORT_REDZONE, 1, kfree(p));

	p = kmalloc(5000, GFP_KERNEL);
	ASSERT_NOT_NULL(p);
	p[8191] = 1;
	EXPECT_REPORTS(REPORT_REDZONE, 1, EXPECT_EQ(1, kmalloc_check()));
	EXPECT_EQ(0, kmalloc_check());
	p[6000] = 1;
	EXPECT_REPORTS(REPORT_REDZONE, 1, q = krealloc(p, 7000, GFP_KERNEL));
	EXPECT_PTR_EQ(p, q); /* in place */
	EXPECT_EQ(0, p[6000]); /* the bytes given to the request are zeroed */
	p[6999] = 2;
	EXPECT_REPORTS(REPORT_REDZONE, 0, kfree(p));
}

/*
 * Every object of a cache freed twice, the frees in a seeded random order
 * with drains and shrinks between them.  The first object of each slab
 * stays live throughout (a pin), so that a shrink never hands a slab back
 * under a pending second free.
 */
static void storm(const char *name, unsigned flags)
{
	static void *objs[STORM_OBJS], *again[STORM_OBJS];
	static uint16_t order[2 * STORM_OBJS];
	struct kmem_cache *c = kmem_cache_create(name, 32, 0, flags, NULL);
	unsigned long total, doubles;
	unsigned n = 0, pins = 0;
	uint32_t rng = 0x5107u;

	ASSERT_NOT_NULL(c);
	alloc_all(c, objs, STORM_OBJS);
	if (!EXPECT_TRUE(all_distinct(objs, STORM_OBJS))) {
		pins = STORM_OBJS; /* out: gives back what was allocated */
		goto out;
	}
	for (unsigned i = 0; i < STORM_OBJS; i++) {
		bool pin = false;
		for (unsigned j = 0; j < i && !pin; j++)
			pin = slab_page_of(objs[j]) == slab_page_of(objs[i]);
		if (!pin) {
			void *t = objs[pins]; /* pins first */
			objs[pins++] = objs[i];
			objs[i] = t;
		}
	}
	for (unsigned i = pins; i < STORM_OBJS; i++)
		order[n++] = (uint16_t)i, order[n++] = (uint16_t)i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (rng = rng * 1103515245u + 12345u) % (i + 1);
		uint16_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	total = report_total();
	doubles = report_count(REPORT_DOUBLE_FREE);
	for (unsigned i = 0; i < n; i++) {
		kmem_cache_free(c, objs[order[i]]);
		if (i % 17 == 16)
			kmem_cache_drain(c);
		if (i % 53 == 52)
			kmem_cache_shrink(c);
	}
	EXPECT_EQ(n / 2, report_count(REPORT_DOUBLE_FREE) - doubles);
	EXPECT_EQ(n / 2, report_total() - total);
	report_expect(report_total() - total);
	EXPECT_EQ(0, kmem_cache_check(c));
	alloc_all(c, again, STORM_OBJS);
	EXPECT_TRUE(all_distinct(again, STORM_OBJS));
	EXPECT_EQ(0, kmem_cache_check(c));
	free_all(c, again, STORM_OBJS);
out:
	free_all(c, objs, pins);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

KTEST(slab, "no debug: every object freed twice in a random order across drains and shrinks: every second free reported")
{
	storm("test-storm", SLAB_NO_DEBUG);
}

KTEST(slab, "debug: the same double-free storm")
{
	storm("test-storm-debug", SLAB_DEBUG);
}

/*
 * Suite smp_alloc: the allocators on every CPU at once.
 *
 *  - the mix: each CPU runs a seeded mix of buddy, slab, kmalloc and
 *    vmalloc operations, and kmaps of HIGHMEM frames, while the others do, handing a share of what it
 *    allocates to the others through a shared queue, so that objects and
 *    frames are freed on another CPU than the one that took them; every
 *    block carries a stamp (its CPU and number) checked before it is
 *    freed, so that one handed out twice is caught; the boot CPU runs
 *    the checkers in the middle of it;
 *  - the remote drain: frames parked on one CPU's page lists are found by
 *    an allocation on another that needs them merged;
 *  - the free storm: objects allocated on one CPU and freed on the others,
 *    and back, for caches of every magazine size.
 * Tests that need a second CPU skip on one (ONE_CPU_REASON).
 */
#include "tests/ktest.h"
#include "tests/smp_util.h"
#include "tests/slab_test.h"
#include "tests/frames_util.h"
#include "kernel/smp.h"
#include "arch/x86/smp.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/vmalloc.h"
#include "mm/highmem.h"
#include "mm/failinject.h"
#include "lib/spinlock.h"
#include "lib/string.h"

/* --- the mix --------------------------------------------------------------- */

#define MIX_OPS 2400 /* per CPU */
#define MIX_SLOTS 48
#define QUEUE_SLOTS 128
#define MIX_CHECKS 6 /* the boot CPU's checkers, in its own loop */

enum kind { NONE, PAGES, HIGHPAGE, OBJECT, KMALLOC, VMALLOC, KINDS };

struct block {
	enum kind kind;
	void *p; /* its address (pages: the head's, direct-mapped; HIGHPAGE:
		  * the struct page, as the frame may have none) */
	struct page *page;
	unsigned order;
	uint32_t stamp;
};

/* The blocks in transit from one CPU to another. */
static struct {
	struct spinlock lock;
	unsigned head, count;
	struct block slot[QUEUE_SLOTS];
} queue;

struct mix {
	unsigned cpu;
	uint32_t rng;
	struct kmem_cache *cache;
	unsigned long ops, allocs, frees, handed, taken, failed, bad_stamps, checks_bad;
	unsigned long kmapped; /* stamps reached through a kmap slot */
	uint32_t done;
	struct block slot[MIX_SLOTS];
};

static struct mix mixes[NR_CPUS];

static uint32_t mix_rand(struct mix *m)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 17;
	m->rng ^= m->rng << 5;
	return m->rng;
}

/*
 * The word of b that holds its stamp.  A HIGHPAGE frame is reached through
 * a kmap, undone by stamp_unmap: above the direct map's end (a machine of
 * more than 896 MiB) that is a real slot, so every CPU kmaps, and kunmaps
 * with a shootdown of the other busy CPUs, while the others do.  NULL
 * only when kmap fails.
 */
static volatile uint32_t *stamp_map(struct mix *m, struct block *b)
{
	if (b->kind != HIGHPAGE)
		return b->p;
	if (!page_address(b->page))
		m->kmapped++;
	return kmap(b->page);
}

static void stamp_unmap(const struct block *b, volatile uint32_t *w)
{
	if (b->kind == HIGHPAGE)
		kunmap((void *)w);
}

static bool take_block(struct mix *m, struct block *b)
{
	uint32_t r = mix_rand(m);
	volatile uint32_t *w;

	b->kind = (enum kind)(1 + r % (KINDS - 1));
	b->order = 0;
	switch (b->kind) {
	case PAGES:
		b->order = (r >> 8) % 5; /* the per-CPU lists' orders and one above */
		b->page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, b->order);
		b->p = b->page ? page_address(b->page) : NULL;
		break;
	case HIGHPAGE:
		b->p = b->page = alloc_page(GFP_HIGHUSER | __GFP_NOWARN);
		break;
	case OBJECT:
		b->p = kmem_cache_alloc(m->cache, GFP_KERNEL | __GFP_NOWARN);
		break;
	case KMALLOC:
		b->p = kmalloc(8 + (r >> 8) % 3000, GFP_KERNEL | __GFP_NOWARN);
		break;
	default:
		b->p = vmalloc(PAGE_SIZE * (1 + (r >> 8) % 3));
		break;
	}
	if (!b->p) {
		m->failed++;
		b->kind = NONE;
		return false;
	}
	b->stamp = (m->cpu << 24) | (uint32_t)(m->allocs++ & 0xFFFFFF);
	w = stamp_map(m, b);
	if (!w) {
		m->failed++;
		__free_page(b->page);
		b->kind = NONE;
		return false;
	}
	*w = b->stamp;
	stamp_unmap(b, w);
	return true;
}

static void give_back(struct mix *m, struct block *b)
{
	volatile uint32_t *w = stamp_map(m, b);

	if (!w) {
		m->failed++; /* the stamp is out of reach: no check */
	} else {
		if (*w != b->stamp)
			m->bad_stamps++; /* someone else was handed it too */
		stamp_unmap(b, w);
	}
	switch (b->kind) {
	case PAGES:
		__free_pages(b->page, b->order);
		break;
	case HIGHPAGE:
		__free_page(b->page);
		break;
	case OBJECT:
		kmem_cache_free(m->cache, b->p);
		break;
	case KMALLOC:
		kfree(b->p);
		break;
	default:
		vfree(b->p);
		break;
	}
	b->kind = NONE;
	m->frees++;
}

static bool queue_put(const struct block *b)
{
	irqflags_t flags = spin_lock_irqsave(&queue.lock);
	bool ok = queue.count < QUEUE_SLOTS;

	if (ok)
		queue.slot[(queue.head + queue.count++) % QUEUE_SLOTS] = *b;
	spin_unlock_irqrestore(&queue.lock, flags);
	return ok;
}

static bool queue_get(struct block *b)
{
	irqflags_t flags = spin_lock_irqsave(&queue.lock);
	bool ok = queue.count > 0;

	if (ok) {
		*b = queue.slot[queue.head];
		queue.head = (queue.head + 1) % QUEUE_SLOTS;
		queue.count--;
	}
	spin_unlock_irqrestore(&queue.lock, flags);
	return ok;
}

static void mix_step(struct mix *m)
{
	uint32_t r = mix_rand(m);
	struct block *b = &m->slot[r % MIX_SLOTS], other;

	m->ops++;
	if (b->kind != NONE) {
		if ((r >> 8) % 4 == 0 && queue_put(b)) {
			b->kind = NONE; /* another CPU frees it */
			m->handed++;
		} else {
			give_back(m, b);
		}
	} else if ((r >> 10) % 3 == 0 && queue_get(&other)) {
		m->taken++;
		give_back(m, &other);
	} else {
		take_block(m, b);
	}
}

static void mix_job(void *arg)
{
	struct mix *m = arg;

	for (unsigned long i = 0; i < ktest_scale(MIX_OPS); i++)
		mix_step(m);
	for (unsigned i = 0; i < MIX_SLOTS; i++)
		if (m->slot[i].kind != NONE)
			give_back(m, &m->slot[i]);
	__atomic_store_n(&m->done, 1, __ATOMIC_RELEASE);
}

KTEST(smp_alloc, "every CPU allocates and frees at once, a share freed on another CPU: stamps intact, checkers clean, all accounted")
{
	struct kmem_cache *c = kmem_cache_create("smp-mix", 40, 0, SLAB_NO_DEBUG, NULL);
	unsigned cpus = 0, checks = 0;
	unsigned long handed = 0, taken = 0, bad = 0, failed = 0, kmapped = 0;
	struct block b;

	ASSERT_NOT_NULL(c);
	spin_init(&queue.lock, "smp_alloc queue", LOCK_ORDER_NONE);
	queue.head = queue.count = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		mixes[cpu] = (struct mix){ .cpu = cpu, .rng = 0x9E3779B9u * (cpu + 1), .cache = c };
		if (cpu && mm_cpu_online(cpu) && smp_run_on(cpu, mix_job, &mixes[cpu]) == 0)
			cpus++;
	}
	/* the boot CPU takes its share, with the checkers now and then while
	 * the others go on */
	for (unsigned long i = 0, every = ktest_scale(MIX_OPS) / MIX_CHECKS + 1;
	     i < ktest_scale(MIX_OPS); i++) {
		mix_step(&mixes[0]);
		if (i % every == every - 1) {
			EXPECT_EQ(0, buddy_check());
			EXPECT_EQ(0, slab_check());
			checks++;
		}
	}
	mix_job(&mixes[0]);
	EXPECT_TRUE(smp_test_wait_flags(&mixes[0].done, sizeof(mixes[0]), cpus + 1));
	for (unsigned cpu = 1; cpu < NR_CPUS; cpu++)
		if (mm_cpu_online(cpu))
			smp_run_wait(cpu);
	while (queue_get(&b))
		give_back(&mixes[0], &b);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		handed += mixes[cpu].handed;
		taken += mixes[cpu].taken;
		bad += mixes[cpu].bad_stamps;
		failed += mixes[cpu].failed;
		kmapped += mixes[cpu].kmapped;
	}
	EXPECT_EQ(0, bad);
	/* with HIGHMEM, the HIGHPAGE blocks came from it, through kmap slots */
	if (zones[ZONE_HIGHMEM].managed_pages)
		EXPECT_GT(kmapped, 0);
	/* The mix may hold a few MiB at once: under 16 MiB running out is no
	 * bug (at 3 MiB about 20 of its allocations fail), and all the rest
	 * must hold all the same. */
	if (!frames_machine_small())
		EXPECT_EQ_WITH_MEMORY(0, failed);
	EXPECT_GT(handed, 0);
	if (cpus)
		EXPECT_GT(taken, 0);
	EXPECT_GT(checks, 0);
	EXPECT_EQ(0, buddy_check());
	EXPECT_EQ(0, slab_check());
	EXPECT_EQ(0, kmalloc_check());
	EXPECT_EQ(0, kmem_cache_destroy(c));
	/* and the hooks: every frame and object back where it was */
}

/* --- the remote drain -------------------------------------------------------- */

#define DRAIN_PAGES (1u << (MAX_ORDER - 1))

static struct page *drain_pages[DRAIN_PAGES];

struct drain_job {
	unsigned got;
	uint32_t done;
};

/* One CPU takes every frame of the one free block, a frame at a time, and
 * frees them: they merge, but for those its own lists keep. */
static void park_frames(void *arg)
{
	struct drain_job *j = arg;

	j->got = 0;
	while (j->got < DRAIN_PAGES &&
	       (drain_pages[j->got] = alloc_page(GFP_KERNEL | __GFP_NOWARN)) != NULL)
		j->got++;
	for (unsigned i = 0; i < j->got; i++)
		__free_page(drain_pages[i]);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
}

struct big_job {
	struct page *big;
	uint32_t done;
};

static void take_big(void *arg)
{
	struct big_job *j = arg;

	j->big = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_ORDER - 1);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
}

/* A taken block of the largest order, off the list; NULL if none. */
static struct page *take_largest(struct list_node *taken)
{
	struct list_node *pos;

	list_for_each(pos, taken) {
		struct page *p = list_entry(pos, struct page, lru);
		if (p->private_[0] == MAX_ORDER - 1) {
			list_del(&p->lru);
			return p;
		}
	}
	return NULL;
}

static unsigned long largest_blocks(void)
{
	unsigned long n = 0;

	for (int z = ZONE_DMA; z <= ZONE_NORMAL; z++)
		n += READ_ONCE(zones[z].free_area[MAX_ORDER - 1].nr_free);
	return n;
}

KTEST(smp_alloc, "remote drain: frames one CPU freed into its own lists let another CPU's large allocation succeed")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	unsigned ap = smp_test_ap(), third = 0;
	struct drain_job park = { 0, 0 };
	struct big_job big = { NULL, 0 };
	struct page *block;

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	for (unsigned cpu = ap + 1; cpu < NR_CPUS && !third; cpu++)
		if (mm_cpu_online(cpu))
			third = cpu;
	frames_take_all(GFP_KERNEL, &taken);
	block = take_largest(&taken);
	if (!block && frames_machine_small()) {
		frames_give_back(&taken);
		KTEST_SKIP(SMALL_NEEDS_4MIB_BLOCK);
	}
	if (!EXPECT_NOT_NULL(block))
		goto out;
	__free_pages(block, MAX_ORDER - 1); /* all the zones have now */
	if (!EXPECT_EQ(0, smp_run_on(ap, park_frames, &park)) ||
	    !EXPECT_TRUE(smp_test_wait_flag(&park.done)))
		goto out;
	smp_run_wait(ap);
	EXPECT_EQ(DRAIN_PAGES, park.got);
	/* the frames are free, but some on the AP's lists: no block whole */
	EXPECT_GT(buddy_pcp_frames(&zones[page_zone_id(block)], ap), 0);
	EXPECT_EQ(0, largest_blocks());
	if (third) { /* a CPU that had no part in it */
		if (EXPECT_EQ(0, smp_run_on(third, take_big, &big)))
			EXPECT_TRUE(smp_test_wait_flag(&big.done));
		smp_run_wait(third);
	} else {
		take_big(&big);
	}
	EXPECT_PTR_EQ(block, big.big);
	if (big.big)
		__free_pages(big.big, MAX_ORDER - 1);
out:
	frames_give_back(&taken);
}

/* --- the free storm ---------------------------------------------------------- */

#define STORM_OBJS 96
#define STORM_ROUNDS 4

static void *storm_objs[STORM_OBJS];

struct storm_job {
	struct kmem_cache *c;
	unsigned first, step; /* this CPU's share: first, first + step, ... */
	bool alloc; /* allocate its share (else free it) */
	unsigned failed;
	uint32_t done;
};

static struct storm_job storm_jobs[NR_CPUS];

static void storm_share(void *arg)
{
	struct storm_job *j = arg;

	for (unsigned i = j->first; i < STORM_OBJS; i += j->step) {
		if (j->alloc) {
			storm_objs[i] = kmem_cache_alloc(j->c, GFP_KERNEL | __GFP_NOWARN);
			j->failed += !storm_objs[i];
		} else {
			kmem_cache_free(j->c, storm_objs[i]);
			storm_objs[i] = NULL;
		}
	}
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
}

/* One round: the CPUs in `who` (a mask) each take their share of the
 * objects in turn; the others sit out.  False if a CPU did not finish;
 * the allocations that failed are added to *failed. */
static bool storm_round(struct kmem_cache *c, uint32_t who, bool alloc, unsigned *failed)
{
	unsigned n = 0, k = 0, started = 0;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		n += (who >> cpu) & 1;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!((who >> cpu) & 1))
			continue;
		storm_jobs[cpu] = (struct storm_job){ c, k++, n, alloc, 0, 0 };
		if (cpu)
			started += smp_run_on(cpu, storm_share, &storm_jobs[cpu]) == 0;
	}
	if (who & 1)
		storm_share(&storm_jobs[0]);
	if (!EXPECT_TRUE(smp_test_wait_flags(&storm_jobs[0].done, sizeof(storm_jobs[0]),
					     started + (who & 1))))
		return false;
	for (unsigned cpu = 1; cpu < NR_CPUS; cpu++)
		if ((who >> cpu) & 1)
			smp_run_wait(cpu);
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		if ((who >> cpu) & 1)
			*failed += storm_jobs[cpu].failed;
	return true;
}

KTEST(smp_alloc, "free storm: objects allocated on one CPU are freed on the others and back, at every magazine size")
{
	uint32_t online = 0, aps;
	unsigned sizes = 0;

	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		online |= (uint32_t)mm_cpu_online(cpu) << cpu;
	aps = online & ~1u;
	if (!aps)
		KTEST_SKIP(ONE_CPU_REASON);
	/* every array limit, each once, on objects of about 8 KiB / limit */
	for (unsigned limit = SLAB_MAG_LIMIT_MIN; limit <= SLAB_MAG_LIMIT_MAX; limit++) {
		struct kmem_cache *c = kmem_cache_create("smp-storm", (8192 / limit) & ~7u,
							 0, SLAB_NO_DEBUG, NULL);
		struct slab_info si;
		unsigned failed = 0;
		bool ok = c != NULL;

		if (!EXPECT_NOT_NULL(c))
			break;
		EXPECT_EQ(0, kmem_cache_set_array_limit(c, limit));
		kmem_cache_info(c, &si);
		EXPECT_EQ(limit, si.array_limit);
		for (unsigned r = 0; ok && !failed && r < STORM_ROUNDS; r++) {
			/* even rounds: the boot CPU allocates, the APs free;
			 * odd rounds: the APs allocate, the boot CPU frees */
			ok = storm_round(c, r % 2 ? aps : 1, true, &failed) &&
			     storm_round(c, r % 2 ? 1 : aps, false, &failed);
		}
		/* a round that could not allocate all its objects is the last */
		EXPECT_EQ_WITH_MEMORY(0, failed);
		EXPECT_EQ(0, kmem_cache_check(c));
		if (!ok || failed) { /* leave nothing behind */
			for (unsigned i = 0; i < STORM_OBJS; i++)
				kmem_cache_free(c, storm_objs[i]);
			memset(storm_objs, 0, sizeof(storm_objs));
		}
		kmem_cache_info(c, &si);
		EXPECT_EQ(0, si.active_objs);
		EXPECT_EQ(0, kmem_cache_destroy(c));
		sizes++;
	}
	EXPECT_EQ(SLAB_MAG_LIMIT_MAX - SLAB_MAG_LIMIT_MIN + 1, sizes);
}

/* --- fault injection on several CPUs ----------------------------------------- */

/* Two CPUs count at once, as fast as they can: every allocator's slow path
 * starts with the call below (with more virtual CPUs than host cores, a
 * contended ticket lock waits for the host to run its next holder, so
 * two). */
#define COUNTED_CALLS 30000 /* per CPU */

static uint32_t count_done[2];

static void count_share(void *arg)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < COUNTED_CALLS; i++)
		failed += mm_should_fail(MM_ALLOC_KMALLOC, (uintptr_t)count_share);
	__atomic_store_n((uint32_t *)arg, failed ? 2 : 1, __ATOMIC_RELEASE);
}

KTEST(smp_alloc, "fault injection counts the allocations of two CPUs at once, each once")
{
	struct mm_failinject cfg = { .kinds = 1u << MM_ALLOC_KMALLOC, .quiet = true };
	unsigned ap = smp_test_ap();
	bool ok;

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	memset(count_done, 0, sizeof(count_done));
	mm_failinject_set(&cfg); /* counting only: nothing fails */
	ok = smp_run_on(ap, count_share, &count_done[1]) == 0;
	count_share(&count_done[0]);
	ok = ok && smp_test_wait_flags(&count_done[0], sizeof(count_done[0]), 2);
	smp_run_wait(ap);
	mm_failinject_off();
	EXPECT_TRUE(ok);
	EXPECT_EQ(2ul * COUNTED_CALLS, mm_failinject_count());
	EXPECT_EQ(0, mm_failinject_injected());
	EXPECT_EQ(1, count_done[0]); /* nothing failed */
}

/* --- a double free across CPUs ----------------------------------------------- */

struct free_job {
	struct kmem_cache *c;
	void **objs;
	unsigned n;
};

static void free_share(void *arg)
{
	struct free_job *j = arg;

	for (unsigned i = 0; i < j->n; i++)
		kmem_cache_free(j->c, j->objs[i]);
}

#define XFREE_OBJS (3 * 32)

KTEST(smp_alloc, "an object freed on one CPU and again on another is a double free, in the other CPU's array or in the depot")
{
	static void *objs[XFREE_OBJS];
	unsigned ap = smp_test_ap();
	struct kmem_cache *c;
	struct free_job j;
	struct slab_info si;
	unsigned n = 0;

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	c = kmem_cache_create("smp-xfree", 64, 0, SLAB_NO_DEBUG, NULL);
	ASSERT_NOT_NULL(c);
	for (; n < XFREE_OBJS; n++)
		if (!(objs[n] = kmem_cache_alloc(c, GFP_KERNEL)))
			break;
	if (!EXPECT_EQ(XFREE_OBJS, n))
		goto out;
	kmem_cache_drain(c);
	/* the AP frees them all: the first 32 go to the depot in a magazine,
	 * the last ones stay in its arrays (limit 32) */
	j = (struct free_job){ c, objs, n };
	ASSERT_EQ(0, smp_run_on(ap, free_share, &j));
	smp_run_wait(ap);
	n = 0;
	kmem_cache_info(c, &si);
	EXPECT_EQ(XFREE_OBJS, si.array_objs + si.depot_objs);
	EXPECT_LE(32, si.depot_objs);
	/* here, on CPU 0, free one from the depot and one from the AP's
	 * array again: both reported, neither handed out twice */
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, objs[0]));
	EXPECT_REPORTS(REPORT_DOUBLE_FREE, 1, kmem_cache_free(c, objs[XFREE_OBJS - 1]));
	kmem_cache_info(c, &si);
	EXPECT_EQ(XFREE_OBJS, si.array_objs + si.depot_objs);
	EXPECT_EQ(0, kmem_cache_check(c));
out:
	while (n)
		kmem_cache_free(c, objs[--n]);
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

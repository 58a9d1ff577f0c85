/*
 * Suite lockstat: every lock in the kernel is listed -- the static ones for
 * good (the kernel's address space's among them), a slab cache's and a
 * free-list heap's while the object lives; not a user space's, which comes
 * and goes with every task -- the list survives entries it never saw or saw twice, and
 * a walk on one CPU never reads a cache that another CPU destroys
 * meanwhile (lib/lockstat.c).
 */
#include "tests/ktest.h"
#include "tests/smp_util.h"
#include "kernel/smp.h"
#include "lib/lockstat.h"
#include "lib/string.h"
#include "lib/printk.h"
#include "mm/slab.h"
#include "mm/slab_internal.h"
#include "mm/freelist.h"
#include "mm/vmm.h"

/* What a walk found of one lock: by its address, or (lock NULL) a static
 * lock by its name. */
struct seek {
	const struct spinlock *lock;
	const char *name;
	unsigned seen;
	const char *label; /* the last one's */
};

static void seek_one(const struct spinlock *l, const struct lockstat_entry *e, void *arg)
{
	struct seek *s = arg;

	if (s->lock ? l != s->lock : (e || strcmp(l->sl_name, s->name) != 0))
		return;
	s->seen++;
	s->label = e ? e->le_label : NULL;
}

/* How often a walk visits l (compared by address only: l may be gone). */
static unsigned times_listed(const struct spinlock *l, const char **label)
{
	struct seek s = { .lock = l };

	lockstat_walk(seek_one, &s);
	if (label)
		*label = s.label;
	return s.seen;
}

KTEST(lockstat, "the allocators' static locks are listed: zones, cache list, kmalloc, per-CPU space, reports, fault injection")
{
	static const char *const names[] = {
		"zone DMA", "zone Normal", "zone HighMem", "slab caches", "kmalloc large",
		"percpu space", "reports", "failinject", "buddy_check", "vmalloc",
		"kernel_as", "tasks", "shootdown", "console", "lockstat",
	};

	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		struct seek s = { .name = names[i] };
		lockstat_walk(seek_one, &s);
		if (!EXPECT_EQ(1, s.seen))
			ktest_check(false, __FILE__, __LINE__, "lock %s", names[i]);
	}
}

/* The walk's order: each lock's order no lower than the one before. */
static void check_rising(const struct spinlock *l, const struct lockstat_entry *e, void *arg)
{
	int *last = arg;

	(void)e;
	if (*last > (int)l->sl_order)
		*last = 0x1000; /* out of order: stays above every order */
	else if (*last != 0x1000)
		*last = l->sl_order;
}

KTEST(lockstat, "a walk visits the locks in the lock order, lowest first")
{
	int last = -1;

	lockstat_walk(check_rising, &last);
	EXPECT_NE(0x1000, last);
	EXPECT_EQ(LOCK_ORDER_CONSOLE, last);
}

KTEST(lockstat, "a slab cache's lock is listed under the cache's name from kmem_cache_create to kmem_cache_destroy")
{
	unsigned before = lockstat_nr_listed();
	struct kmem_cache *c = kmem_cache_create("lockstat-test", 48, 0, 0, NULL);
	const struct spinlock *lock;
	const char *label = NULL;

	ASSERT_NOT_NULL(c);
	lock = &c->c_lock;
	EXPECT_EQ(1, times_listed(lock, &label));
	EXPECT_STREQ("lockstat-test", label);
	EXPECT_EQ(before + 1, lockstat_nr_listed());
	EXPECT_EQ(0, kmem_cache_destroy(c));
	EXPECT_EQ(0, times_listed(lock, NULL));
	EXPECT_EQ(before, lockstat_nr_listed());
}

KTEST(lockstat, "a free-list heap's lock is listed from freelist_init to freelist_destroy, once when set up twice")
{
	unsigned before = lockstat_nr_listed();
	struct freelist heap;
	const char *label = NULL;

	memset(&heap, 0xA5, sizeof(heap)); /* what the stack held */
	freelist_init(&heap, "lockstat-heap", FREELIST_FIRST_FIT, NULL);
	freelist_init(&heap, "lockstat-heap", FREELIST_BEST_FIT, NULL);
	EXPECT_EQ(1, times_listed(&heap.fl_lock, &label));
	EXPECT_STREQ("lockstat-heap", label);
	EXPECT_EQ(before + 1, lockstat_nr_listed());
	EXPECT_EQ(0, freelist_destroy(&heap));
	EXPECT_EQ(0, times_listed(&heap.fl_lock, NULL));
	EXPECT_EQ(0, freelist_destroy(&heap)); /* destroyed twice: nothing to take off */
	EXPECT_EQ(before, lockstat_nr_listed());
}

KTEST(lockstat, "the kernel's address space's lock is listed; a user space's is not (one per task)")
{
	unsigned before = lockstat_nr_listed();
	struct addr_space *as = vmm_create();

	ASSERT_NOT_NULL(as);
	EXPECT_EQ(1, times_listed(&kernel_as.as_lock, NULL));
	EXPECT_EQ(0, times_listed(&as->as_lock, NULL));
	EXPECT_EQ(before, lockstat_nr_listed());
	EXPECT_EQ(0, vmm_destroy(as));
}

KTEST(lockstat, "an entry added twice is listed once; removing one never listed, full of garbage, changes nothing")
{
	struct spinlock l = SPINLOCK_INIT("lockstat-local", LOCK_ORDER_NONE);
	struct lockstat_entry e, stray;
	unsigned before = lockstat_nr_listed();
	const char *label = NULL;

	memset(&e, 0xA5, sizeof(e));
	memset(&stray, 0xA5, sizeof(stray)); /* le_next: an address nobody maps */
	lockstat_add(&e, &l, "first");
	lockstat_add(&e, &l, "second");
	EXPECT_EQ(1, times_listed(&l, &label));
	EXPECT_STREQ("second", label);
	lockstat_remove(&stray);
	EXPECT_EQ(before + 1, lockstat_nr_listed());
	lockstat_remove(&e);
	lockstat_remove(&e);
	EXPECT_EQ(0, times_listed(&l, NULL));
	EXPECT_EQ(before, lockstat_nr_listed());
}

KTEST(lockstat, "lockstat_drop_after cuts off the entries after the mark without reading them")
{
	struct spinlock a = SPINLOCK_INIT("lockstat-a", LOCK_ORDER_NONE);
	struct spinlock b = SPINLOCK_INIT("lockstat-b", LOCK_ORDER_NONE);
	struct lockstat_entry ea, eb;
	unsigned before = lockstat_nr_listed();

	lockstat_add(&ea, &a, NULL);
	lockstat_add(&eb, &b, NULL);
	memset(&eb, 0xA5, sizeof(eb)); /* as a test's stack may leave it */
	EXPECT_EQ(1, lockstat_drop_after(&ea));
	EXPECT_EQ(before + 1, lockstat_nr_listed());
	EXPECT_EQ(1, times_listed(&a, NULL));
	lockstat_remove(&ea);
	EXPECT_EQ(0, lockstat_drop_after(&ea)); /* no longer listed: nothing */
	EXPECT_EQ(before, lockstat_nr_listed());
}

/* --- several CPUs ------------------------------------------------------------ */

#define CHURN_CACHES 200
/* Walks at most: with one host thread taking the CPUs in turn (-icount),
 * a walk that holds the list when the other CPU's turn comes costs both
 * a whole turn, so the walks stop there and the churn goes on alone. */
#define CHURN_WALKS 1000

struct churn {
	uint32_t go; /* the walks have started */
	uint32_t done;
	unsigned made; /* caches made and destroyed */
};

static void churn_job(void *arg)
{
	struct churn *ch = arg;

	if (!smp_test_wait_flag(&ch->go))
		goto out;
	for (unsigned long i = 0; i < ktest_scale(CHURN_CACHES); i++) {
		struct kmem_cache *c = kmem_cache_create("lockstat-churn", 64, 0, 0, NULL);
		void *obj;
		if (!c)
			continue; /* out of memory, or fault injection: the next one */
		obj = kmem_cache_alloc(c, GFP_KERNEL);
		if (obj)
			kmem_cache_free(c, obj);
		if (kmem_cache_destroy(c) == 0)
			ch->made++;
	}
out:
	__atomic_store_n(&ch->done, 1, __ATOMIC_RELEASE);
}

struct watch {
	unsigned long dead; /* caches visited that were destroyed already */
	unsigned long churned; /* the other CPU's caches visited alive */
};

static void watch_one(const struct spinlock *l, const struct lockstat_entry *e, void *arg)
{
	struct watch *w = arg;
	const struct kmem_cache *c;

	if (!e || l->sl_order != LOCK_ORDER_SLAB)
		return;
	c = container_of(l, struct kmem_cache, c_lock);
	if (READ_ONCE(c->c_magic) != SLAB_CACHE_LIVE)
		w->dead++;
	else if (strcmp(c->c_name, "lockstat-churn") == 0)
		w->churned++;
}

KTEST(lockstat, "a walk on one CPU never reads a slab cache another CPU destroys meanwhile")
{
	unsigned ap = smp_test_ap();
	struct churn ch = { 0, 0, 0 };
	struct watch w = { 0, 0 };
	unsigned long walks = 0;

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	ASSERT_EQ(0, smp_run_on(ap, churn_job, &ch));
	__atomic_store_n(&ch.go, 1, __ATOMIC_RELEASE);
	do {
		lockstat_walk(watch_one, &w);
		walks++;
	} while (!__atomic_load_n(&ch.done, __ATOMIC_ACQUIRE) && walks < CHURN_WALKS);
	smp_run_wait(ap);
	EXPECT_EQ(0, w.dead);
	EXPECT_GT(ch.made, 0);
	printk("%lu walks saw the other CPU's caches %lu times; %u made and destroyed\n",
	       walks, w.churned, ch.made);
}

/* What lockstat_print_to's lines met: how many, and how many were handed
 * out while this CPU held a lock or had interrupts other than the caller
 * had them. */
struct table_watch {
	bool irqs_were_off;
	unsigned lines, irqs_changed, lock_held;
	bool cache_seen;
};

static void watch_line(const char *text, void *arg)
{
	struct table_watch *w = arg;

	w->lines++;
	w->irqs_changed += irqs_disabled() != w->irqs_were_off;
	w->lock_held += spin_first_held() != NULL;
	w->cache_seen |= strstr(text, "lockstat-table") != NULL;
}

KTEST(lockstat, "the table is made a line at a time: each line is handed out with no lock held, interrupts as they were")
{
	struct kmem_cache *c;

	ASSERT_TRUE(spin_debug_on); /* the tests run with lock debugging: holders are known */
	c = kmem_cache_create("lockstat-table", 40, 0, 0, NULL);
	ASSERT_NOT_NULL(c);
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL)); /* its lock taken: in both tables */
	for (int all = 0; all < 2; all++) {
		struct table_watch w = { .irqs_were_off = irqs_disabled() };
		lockstat_print_to(all, watch_line, &w);
		EXPECT_GT(w.lines, 10u);
		EXPECT_TRUE(w.cache_seen || !all);
		EXPECT_EQ(0u, w.irqs_changed);
		EXPECT_EQ(0u, w.lock_held);
	}
	EXPECT_EQ(0, kmem_cache_destroy(c));
}

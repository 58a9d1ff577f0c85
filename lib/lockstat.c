/*
 * lockstat: theory of operation.
 *
 * 1. Two kinds of locks.  A lock with static storage is listed for good by
 *    LOCK_REGISTER: a pointer to it in the linker section lock_registry.
 *    A lock inside an object made and freed at run time (a slab cache, a
 *    free-list heap, an address space) is listed by the object's owner
 *    with lockstat_add once the object is made, and taken off with
 *    lockstat_remove before it is freed.  The entry (struct
 *    lockstat_entry) lives in the object beside the lock, so listing
 *    allocates nothing and cannot fail.
 *
 * 2. Locking.  The listed entries form one doubly linked list, oldest
 *    first, guarded by registry_lock (LOCK_ORDER_LOCKSTAT: only the
 *    console nests inside it).  A walk holds registry_lock from the first
 *    lock to the last, and lockstat_remove takes it, so removal waits for
 *    a walk in progress and no walk reads an entry, or the lock beside
 *    it, after its remove returned: the object may be freed then.  A walk
 *    reads the other locks' statistics without taking them (each holder
 *    updates its own), so a line may be a moment old, never a freed one.
 *
 * 3. Membership is a keyed word, not a walk.  The memory of an entry holds
 *    anything before lockstat_add (a slab object that held another cache),
 *    so an entry says it is listed with le_listed == its own address XOR
 *    a key XOR the list's generation: listing it twice only renames it,
 *    removing one that is not listed does nothing, and each is O(1) (an
 *    address space is made and destroyed with every task).  Removal clears
 *    the word; lockstat_drop_after cuts entries off without reading them
 *    and starts a new generation, so their words no longer count.  No
 *    lock's fast path changes.
 *
 * 4. Order.  lockstat_walk visits the locks by their place in the lock
 *    order (lib/lock_order.h), lowest first, so the caches' locks sit
 *    together under the cache list's; within one order the static locks
 *    come first (in link order), then the listed ones, oldest first.
 */
#include "lib/lockstat.h"
#include "lib/printk.h"

#define ORDER_END 0x100 /* above every sl_order (a uint8_t) */

extern struct spinlock *const __start_lock_registry[], *const __stop_lock_registry[];

static struct spinlock registry_lock = SPINLOCK_INIT("lockstat", LOCK_ORDER_LOCKSTAT);
LOCK_REGISTER(registry_lock);
static struct lockstat_entry *listed, *newest; /* oldest first (registry_lock) */
static unsigned nr_listed; /* entries on it (registry_lock) */
static uintptr_t generation; /* lockstat_drop_after's cuts (registry_lock) */

#define LISTED_KEY 0x10c5a7u

/* What le_listed of an entry on the list holds (registry_lock held). */
static uintptr_t listed_word(const struct lockstat_entry *e)
{
	return (uintptr_t)e ^ LISTED_KEY ^ generation;
}

void lockstat_add(struct lockstat_entry *e, struct spinlock *l, const char *label)
{
	irqflags_t flags = spin_lock_irqsave(&registry_lock);

	e->le_lock = l;
	e->le_label = label;
	if (e->le_listed != listed_word(e)) {
		e->le_next = NULL;
		e->le_prev = newest;
		if (newest)
			newest->le_next = e;
		else
			listed = e;
		newest = e;
		e->le_listed = listed_word(e);
		nr_listed++;
	}
	spin_unlock_irqrestore(&registry_lock, flags);
}

void lockstat_remove(struct lockstat_entry *e)
{
	irqflags_t flags = spin_lock_irqsave(&registry_lock);

	if (e->le_listed == listed_word(e)) {
		if (e->le_prev)
			e->le_prev->le_next = e->le_next;
		else
			listed = e->le_next;
		if (e->le_next)
			e->le_next->le_prev = e->le_prev;
		else
			newest = e->le_prev;
		e->le_listed = 0;
		nr_listed--;
	}
	spin_unlock_irqrestore(&registry_lock, flags);
}

unsigned lockstat_nr_listed(void)
{
	return READ_ONCE(nr_listed);
}

const struct lockstat_entry *lockstat_mark(void)
{
	irqflags_t flags = spin_lock_irqsave(&registry_lock);
	const struct lockstat_entry *e = newest;

	spin_unlock_irqrestore(&registry_lock, flags);
	return e;
}

unsigned lockstat_drop_after(const struct lockstat_entry *mark)
{
	irqflags_t flags = spin_lock_irqsave(&registry_lock);
	unsigned kept = 0, dropped = 0;
	struct lockstat_entry *e = listed;

	if (mark) {
		for (; e && e != mark; e = e->le_next)
			kept++;
		if (!e)
			goto out; /* mark is gone: nothing to cut at */
		kept++;
		e->le_next = NULL; /* the entries after it are not read */
		newest = e;
	} else {
		listed = newest = NULL;
	}
	dropped = nr_listed - kept;
	nr_listed = kept;
	if (dropped) { /* the cut-off entries' words no longer count */
		generation += 0x100;
		for (e = listed; e; e = e->le_next)
			e->le_listed = listed_word(e);
	}
out:
	spin_unlock_irqrestore(&registry_lock, flags);
	return dropped;
}

/* The lowest lock order above `after` that some lock has; ORDER_END when
 * none has (registry_lock held). */
static unsigned __next_order(int after)
{
	unsigned best = ORDER_END;

	for (struct spinlock *const *p = __start_lock_registry; p < __stop_lock_registry; p++)
		if ((int)(*p)->sl_order > after && (*p)->sl_order < best)
			best = (*p)->sl_order;
	for (const struct lockstat_entry *e = listed; e; e = e->le_next)
		if ((int)e->le_lock->sl_order > after && e->le_lock->sl_order < best)
			best = e->le_lock->sl_order;
	return best;
}

/* Calls fn for each lock of the given order: the static ones, then the
 * listed ones (registry_lock held). */
static void __walk_order(unsigned order, lockstat_fn fn, void *arg, bool listed_too)
{
	for (struct spinlock *const *p = __start_lock_registry; p < __stop_lock_registry; p++)
		if ((*p)->sl_order == order)
			fn(*p, NULL, arg);
	for (const struct lockstat_entry *e = listed; e && listed_too; e = e->le_next)
		if (e->le_lock->sl_order == order)
			fn(e->le_lock, e, arg);
}

void lockstat_walk(lockstat_fn fn, void *arg)
{
	irqflags_t flags = spin_lock_irqsave(&registry_lock);

	for (unsigned order = __next_order(-1); order != ORDER_END;
	     order = __next_order((int)order))
		__walk_order(order, fn, arg, true);
	spin_unlock_irqrestore(&registry_lock, flags);
}

/* --- the table ------------------------------------------------------------ */

#define TOP_LISTED 5 /* listed locks of one order shown one by one, busiest first */

struct print_state {
	bool all; /* every lock, one line each */
	unsigned idle; /* locks never taken, left out */
	unsigned shown; /* lines of locks */
};

static void print_line(const char *name, unsigned order, unsigned long long acquired,
		       unsigned long long contended, unsigned long long spins,
		       const char *holder)
{
	printk("%-30s %5u %10llu %10llu %12llu  %s\n", name, order, acquired,
	       contended, spins, holder);
}

static void print_one(const struct spinlock *l, const struct lockstat_entry *e, void *arg)
{
	struct print_state *s = arg;
	uint32_t acquired = READ_ONCE(l->sl_stats.ls_acquired);
	char name[48], holder[120];

	if (!acquired && !s->all) {
		s->idle++;
		return;
	}
	s->shown++;
	if (!e)
		snprintf(name, sizeof(name), "%s", l->sl_name);
	else if (e->le_label)
		snprintf(name, sizeof(name), "%s %s", l->sl_name, e->le_label);
	else
		snprintf(name, sizeof(name), "%s %p", l->sl_name, (const void *)l);
	print_line(name, l->sl_order, acquired, READ_ONCE(l->sl_stats.ls_contended),
		   l->sl_stats.ls_spins, spin_holder(l, holder, sizeof(holder)));
}

/* The TOP_LISTED busiest listed locks of one order. */
struct busiest {
	const struct lockstat_entry *b_entry[TOP_LISTED];
	uint32_t b_acquired[TOP_LISTED]; /* as they were when chosen */
	unsigned b_nr;
};

static void busiest_consider(struct busiest *b, const struct lockstat_entry *e,
			     uint32_t acquired)
{
	unsigned i = b->b_nr < TOP_LISTED ? b->b_nr++ : TOP_LISTED;

	if (i == TOP_LISTED && acquired <= b->b_acquired[TOP_LISTED - 1])
		return;
	if (i == TOP_LISTED)
		i--; /* the least busy so far makes room */
	for (; i > 0 && b->b_acquired[i - 1] < acquired; i--) {
		b->b_entry[i] = b->b_entry[i - 1];
		b->b_acquired[i] = b->b_acquired[i - 1];
	}
	b->b_entry[i] = e;
	b->b_acquired[i] = acquired;
}

static bool busiest_has(const struct busiest *b, const struct lockstat_entry *e)
{
	for (unsigned i = 0; i < b->b_nr; i++)
		if (b->b_entry[i] == e)
			return true;
	return false;
}

/* The listed locks of one order that were taken: the busiest one line
 * each, the rest summed up in one (registry_lock held). */
static void __print_busiest(unsigned order, struct print_state *s)
{
	struct busiest b = { .b_nr = 0 };
	unsigned long long acquired = 0, contended = 0, spins = 0;
	const char *kind = NULL;
	unsigned rest = 0;
	char name[48];

	for (const struct lockstat_entry *e = listed; e; e = e->le_next)
		if (e->le_lock->sl_order == order)
			busiest_consider(&b, e, READ_ONCE(e->le_lock->sl_stats.ls_acquired));
	for (unsigned i = 0; i < b.b_nr; i++)
		print_one(b.b_entry[i]->le_lock, b.b_entry[i], s);
	for (const struct lockstat_entry *e = listed; e; e = e->le_next) {
		const struct spinlock *l = e->le_lock;
		if (l->sl_order != order || busiest_has(&b, e))
			continue;
		if (!READ_ONCE(l->sl_stats.ls_acquired)) {
			s->idle++;
			continue;
		}
		kind = l->sl_name;
		rest++;
		acquired += READ_ONCE(l->sl_stats.ls_acquired);
		contended += READ_ONCE(l->sl_stats.ls_contended);
		spins += l->sl_stats.ls_spins;
	}
	if (!rest)
		return;
	s->shown++;
	snprintf(name, sizeof(name), "%u more %s locks", rest, kind);
	print_line(name, order, acquired, contended, spins, "-");
}

void lockstat_print(bool all)
{
	struct print_state s = { .all = all };
	irqflags_t flags;

	printk("%-30s %5s %10s %10s %12s  %s\n", "lock", "order", "acquired",
	       "contended", "spins", "held by");
	flags = spin_lock_irqsave(&registry_lock);
	for (unsigned order = __next_order(-1); order != ORDER_END;
	     order = __next_order((int)order)) {
		__walk_order(order, print_one, &s, all);
		if (!all)
			__print_busiest(order, &s);
	}
	spin_unlock_irqrestore(&registry_lock, flags);
	if (!all)
		printk("(%u locks never taken left out; of the locks made at run time, each\n"
		       " order's %u busiest shown and the rest summed; lockstat all lists each)\n",
		       s.idle, TOP_LISTED);
	else
		printk("(%u locks, %u of them listed at run time)\n", s.shown,
		       lockstat_nr_listed());
	if (!spin_debug_on)
		printk("(lock debugging is off: holders are not recorded; boot with lock_debug)\n");
}

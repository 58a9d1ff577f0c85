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
 *
 * 5. The table (lockstat_print) is made a line at a time: each line is
 *    found and formatted with registry_lock held, and printed after it is
 *    dropped, because a line on the serial console takes long and a table
 *    of every cache takes hundreds of lines.  Between two lines the table
 *    remembers its place by lock order, index in the registry and an
 *    entry's le_seq (given at lockstat_add, rising along the list), never
 *    by a pointer to an entry that may be gone by the next line.
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
static uint32_t last_seq; /* the newest entry's le_seq (registry_lock) */

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
		e->le_seq = ++last_seq;
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

/*
 * Where lockstat_print_to is in the table between two lines.  Each line is
 * found and formatted with registry_lock held, and handed out after it is
 * dropped, so that a long table keeps neither the lock nor interrupts: a
 * CPU listing a new cache, or waiting for this one to answer a TLB
 * shootdown, waits for one line at most.  Entries come and go between two
 * lines; the cursor names the next one by place (a static lock's index in
 * the registry, a listed entry's le_seq, which rises along the list), never
 * by pointer, so a line is never one of an entry gone meanwhile.
 */
enum print_part { PART_STATIC, PART_LISTED, PART_REST, PART_DONE };

struct print_cursor {
	bool all; /* every lock, one line each */
	int order; /* the lock order being printed; -1 before the first */
	enum print_part part;
	unsigned next_static; /* the registry's index to look on from */
	uint32_t after_seq; /* all: the listed entries after this one */
	/* !all: the order's busiest listed locks, chosen as it starts */
	uint32_t top_seq[TOP_LISTED];
	unsigned top_nr, top_next;
	unsigned idle; /* locks never taken, left out */
	unsigned shown; /* lines of locks */
};

static void format_line(char *buf, size_t len, const char *name, unsigned order,
			unsigned long long acquired, unsigned long long contended,
			unsigned long long spins, const char *holder)
{
	snprintf(buf, len, "%-30s %5u %10llu %10llu %12llu  %s\n", name, order, acquired,
		 contended, spins, holder);
}

/* The line of one lock; false (and counted idle) for a lock never taken
 * when the table leaves those out. */
static bool format_one(struct print_cursor *c, const struct spinlock *l,
		       const struct lockstat_entry *e, char *buf, size_t len)
{
	uint32_t acquired = READ_ONCE(l->sl_stats.ls_acquired);
	char name[48], holder[120];

	if (!acquired && !c->all) {
		c->idle++;
		return false;
	}
	c->shown++;
	if (!e)
		snprintf(name, sizeof(name), "%s", l->sl_name);
	else if (e->le_label)
		snprintf(name, sizeof(name), "%s %s", l->sl_name, e->le_label);
	else
		snprintf(name, sizeof(name), "%s %p", l->sl_name, (const void *)l);
	format_line(buf, len, name, l->sl_order, acquired, READ_ONCE(l->sl_stats.ls_contended),
		    l->sl_stats.ls_spins, spin_holder(l, holder, sizeof(holder)));
	return true;
}

/* Keeps the TOP_LISTED busiest listed locks of the cursor's order, by
 * their sequence numbers, busiest first. */
static void busiest_consider(struct print_cursor *c, uint32_t *top_acquired,
			     const struct lockstat_entry *e, uint32_t acquired)
{
	unsigned i = c->top_nr < TOP_LISTED ? c->top_nr++ : TOP_LISTED;

	if (i == TOP_LISTED && acquired <= top_acquired[TOP_LISTED - 1])
		return;
	if (i == TOP_LISTED)
		i--; /* the least busy so far makes room */
	for (; i > 0 && top_acquired[i - 1] < acquired; i--) {
		c->top_seq[i] = c->top_seq[i - 1];
		top_acquired[i] = top_acquired[i - 1];
	}
	c->top_seq[i] = e->le_seq;
	top_acquired[i] = acquired;
}

static bool busiest_has(const struct print_cursor *c, uint32_t seq)
{
	for (unsigned i = 0; i < c->top_nr; i++)
		if (c->top_seq[i] == seq)
			return true;
	return false;
}

/* The next order's start: its busiest listed locks chosen (registry_lock
 * held); false past the last order. */
static bool __start_order(struct print_cursor *c)
{
	uint32_t top_acquired[TOP_LISTED];
	unsigned order = __next_order(c->order);

	if (order == ORDER_END)
		return false;
	c->order = (int)order;
	c->part = PART_STATIC;
	c->next_static = 0;
	c->after_seq = 0;
	c->top_nr = c->top_next = 0;
	if (!c->all)
		for (const struct lockstat_entry *e = listed; e; e = e->le_next)
			if (e->le_lock->sl_order == order)
				busiest_consider(c, top_acquired, e,
						 READ_ONCE(e->le_lock->sl_stats.ls_acquired));
	return true;
}

/* The listed entry of the cursor's order with sequence number seq, or
 * (seq 0) the first one after c->after_seq; NULL if none (registry_lock
 * held). */
static const struct lockstat_entry *__find_listed(const struct print_cursor *c, uint32_t seq)
{
	for (const struct lockstat_entry *e = listed; e; e = e->le_next)
		if ((int)e->le_lock->sl_order == c->order &&
		    (seq ? e->le_seq == seq : e->le_seq > c->after_seq))
			return e;
	return NULL;
}

/* The listed locks of the order that were taken and are not among the
 * busiest, summed up in one line; false if there are none (registry_lock
 * held). */
static bool __format_rest(struct print_cursor *c, char *buf, size_t len)
{
	unsigned long long acquired = 0, contended = 0, spins = 0;
	const char *kind = NULL;
	unsigned rest = 0;
	char name[48];

	for (const struct lockstat_entry *e = listed; e; e = e->le_next) {
		const struct spinlock *l = e->le_lock;
		if ((int)l->sl_order != c->order || busiest_has(c, e->le_seq))
			continue;
		if (!READ_ONCE(l->sl_stats.ls_acquired)) {
			c->idle++;
			continue;
		}
		kind = l->sl_name;
		rest++;
		acquired += READ_ONCE(l->sl_stats.ls_acquired);
		contended += READ_ONCE(l->sl_stats.ls_contended);
		spins += l->sl_stats.ls_spins;
	}
	if (!rest)
		return false;
	c->shown++;
	snprintf(name, sizeof(name), "%u more %s locks", rest, kind);
	format_line(buf, len, name, (unsigned)c->order, acquired, contended, spins, "-");
	return true;
}

/* Formats the table's next line into buf; false at its end (registry_lock
 * held).  Within an order: its static locks, then its listed ones -- all
 * of them, or the busiest and one line for the rest. */
static bool __format_next(struct print_cursor *c, char *buf, size_t len)
{
	struct spinlock *const *reg = __start_lock_registry;
	unsigned nr_static = (unsigned)(__stop_lock_registry - __start_lock_registry);
	const struct lockstat_entry *e;

	for (;;) {
		if (c->order < 0 || c->part == PART_DONE) {
			if (!__start_order(c))
				return false;
		}
		switch (c->part) {
		case PART_STATIC:
			while (c->next_static < nr_static &&
			       (int)reg[c->next_static]->sl_order != c->order)
				c->next_static++;
			if (c->next_static == nr_static) {
				c->part = PART_LISTED;
				break;
			}
			if (format_one(c, reg[c->next_static++], NULL, buf, len))
				return true;
			break;
		case PART_LISTED:
			if (!c->all && c->top_next == c->top_nr) {
				c->part = PART_REST;
				break;
			}
			e = __find_listed(c, c->all ? 0 : c->top_seq[c->top_next++]);
			if (c->all && !e) {
				c->part = PART_DONE;
				break;
			}
			if (!e) /* gone since the order started */
				break;
			c->after_seq = e->le_seq;
			if (format_one(c, e->le_lock, e, buf, len))
				return true;
			break;
		case PART_REST:
			c->part = PART_DONE;
			if (__format_rest(c, buf, len))
				return true;
			break;
		case PART_DONE:
			break;
		}
	}
}

#define LINE_MAX 200 /* a table line, the holder's description included */

void lockstat_print_to(bool all, lockstat_line_fn line, void *arg)
{
	struct print_cursor c = { .all = all, .order = -1 };
	char buf[LINE_MAX];

	snprintf(buf, sizeof(buf), "%-30s %5s %10s %10s %12s  %s\n", "lock", "order", "acquired",
		 "contended", "spins", "held by");
	line(buf, arg);
	for (;;) {
		irqflags_t flags = spin_lock_irqsave(&registry_lock);
		bool more = __format_next(&c, buf, sizeof(buf));

		spin_unlock_irqrestore(&registry_lock, flags);
		if (!more)
			break;
		line(buf, arg);
	}
	if (!all)
		snprintf(buf, sizeof(buf),
			 "(%u locks never taken left out; of the locks made at run time, each\n"
			 " order's %u busiest shown and the rest summed; lockstat all lists each)\n",
			 c.idle, TOP_LISTED);
	else
		snprintf(buf, sizeof(buf), "(%u locks, %u of them listed at run time)\n", c.shown,
			 lockstat_nr_listed());
	line(buf, arg);
	if (!spin_debug_on)
		line("(lock debugging is off: holders are not recorded; boot with lock_debug)\n", arg);
}

static void print_line(const char *text, void *arg)
{
	(void)arg;
	printk("%s", text);
}

void lockstat_print(bool all)
{
	lockstat_print_to(all, print_line, NULL);
}

/*
 * lockstat: every lock in the kernel, listed with its statistics (the
 * shell's lockstat; lib/lockstat.c has the theory of operation).
 *
 *   static struct spinlock table_lock = SPINLOCK_INIT("table", LOCK_ORDER_X);
 *   LOCK_REGISTER(table_lock);              // static storage: listed for good
 *
 *   spin_init(&obj->lock, "thing", LOCK_ORDER_Y);
 *   lockstat_add(&obj->lock_entry, &obj->lock, obj->name);  // once it is made
 *   ...
 *   lockstat_remove(&obj->lock_entry);      // before obj is freed
 */
#ifndef LIB_LOCKSTAT_H
#define LIB_LOCKSTAT_H

#include "lib/spinlock.h"

/* Lists a lock with static storage for good (a linker section). */
#define LOCK_REGISTER(lock)                                                 \
	static struct spinlock *const CONCAT(lock_registry_, __LINE__)      \
		__section("lock_registry") __used = &(lock)

/*
 * A lock in an object made and freed at run time, listed while the object
 * lives.  The entry lives in the object beside the lock; its fields are
 * the registry's (lib/lockstat.c), not the owner's.
 */
struct lockstat_entry {
	struct lockstat_entry *le_next, *le_prev; /* listed ones (registry lock) */
	uintptr_t le_listed; /* says "on the list" (lib/lockstat.c, 3) */
	uint32_t le_seq; /* rises along the list: where a listing is */
	struct spinlock *le_lock;
	const char *le_label; /* which one: "kmalloc-64"; NULL: its address */
};

/*
 * Lists l (already initialised) until lockstat_remove(e).  label names the
 * instance after the lock's own name ("slab cache" "kmalloc-64") and must
 * live as long as the entry; NULL prints the lock's address instead.
 * Listing an entry that is listed already changes only its lock and label,
 * so e may hold anything before (a recycled object).  Never fails, never
 * allocates; O(1).  Any context but a lockstat_walk callback.
 */
void lockstat_add(struct lockstat_entry *e, struct spinlock *l, const char *label);

/*
 * Takes e off the list; once this returns no walk reads e or its lock, so
 * the object holding them may be freed.  An entry that is not listed is
 * left alone.  Waits for a walk in progress.  Same context as
 * lockstat_add.
 */
void lockstat_remove(struct lockstat_entry *e);

/* How many locks lockstat_add lists now. */
unsigned lockstat_nr_listed(void);

/*
 * For a test harness.  lockstat_mark: the newest entry now (NULL: none).
 * lockstat_drop_after(mark): takes every entry listed after mark off the
 * list without reading one of them (a test that stopped early may have
 * left an entry in memory that is gone), and returns how many; when mark
 * itself is no longer listed, nothing and 0.
 */
const struct lockstat_entry *lockstat_mark(void);
unsigned lockstat_drop_after(const struct lockstat_entry *mark);

/*
 * Calls fn for every lock, static and listed, in the lock order (lowest
 * first; within one order the static ones, then the listed ones oldest
 * first).  e: the lock's entry (its label), NULL for a static lock.  fn
 * runs with the registry's lock held and interrupts off: it may print, but
 * may not take any other lock, add or remove an entry, or wait for
 * another CPU.
 */
typedef void (*lockstat_fn)(const struct spinlock *l, const struct lockstat_entry *e,
			    void *arg);
void lockstat_walk(lockstat_fn fn, void *arg);

/*
 * Prints a table of the locks with their statistics (the shell's
 * lockstat): all of them, or (all false) those taken at least once, with a
 * line saying how many are left out.  Each line is formatted with the
 * registry's lock held and printed after it is dropped: a long table keeps
 * neither the lock nor interrupts off for longer than a line.  Locks
 * listed or taken off meanwhile may be missing from it or in it.
 */
void lockstat_print(bool all);
/* The same lines, each handed to line(text, arg) instead of printed (with
 * no lock of lockstat's held: line may take locks and print). */
typedef void (*lockstat_line_fn)(const char *text, void *arg);
void lockstat_print_to(bool all, lockstat_line_fn line, void *arg);

#endif

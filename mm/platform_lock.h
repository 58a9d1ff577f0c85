/*
 * Part of mm/platform.h, the allocators' interface to the machine, which
 * includes it at its end: include mm/platform.h, never this file.  Locks
 * for shared data (mm_lock, mm_unlock, MM_LOCK_HELD), and the listing of
 * the allocators' locks for lockstat.  The lock order is lib/lock_order.h.
 */
#ifndef MM_PLATFORM_LOCK_H
#define MM_PLATFORM_LOCK_H

#ifndef MM_PLATFORM_H
#error "include mm/platform.h, which includes mm/platform_lock.h"
#endif

/*
 * Locks for shared data, always taken with interrupts off on this CPU (so
 * a holder is never interrupted into an allocator that wants it too).
 * The kernel's are ticket spinlocks, checked by lock debugging and counted
 * by lockstat (lib/spinlock.h; their place in lib/lock_order.h); the
 * host's are mutexes, which ThreadSanitizer understands.  "__" functions
 * say which they expect held with MM_LOCK_HELD.
 */
#ifdef STRATA_HOST
#include <pthread.h>
typedef struct mm_lock {
	pthread_mutex_t l_mutex;
	const char *l_name;
	unsigned long l_acquired;
} mm_lock_t;
#define MM_LOCK_INIT(name, order) { PTHREAD_MUTEX_INITIALIZER, (name), 0 }
void mm_lock_init(mm_lock_t *l, const char *name, unsigned order);
mm_irqflags_t mm_lock(mm_lock_t *l);
void mm_unlock(mm_lock_t *l, mm_irqflags_t flags);
#define MM_LOCK_HELD(l) ((void)0)
#define MM_LOCK_HELD_IF(cond, l) ((void)0)
static inline unsigned long mm_lock_acquisitions(const mm_lock_t *l)
{
	return l->l_acquired;
}

static inline unsigned long mm_lock_waits(const mm_lock_t *l)
{
	(void)l;
	return 0; /* not counted on the host */
}
#else
#include "lib/spinlock.h"
typedef struct spinlock mm_lock_t;
#define MM_LOCK_INIT(name, order) SPINLOCK_INIT(name, order)
static inline void mm_lock_init(mm_lock_t *l, const char *name, unsigned order)
{
	spin_init(l, name, order);
}

/*
 * While one CPU runs and lock debugging is off, masking interrupts is all
 * an allocator's lock has to exclude (as before there were other CPUs),
 * and mm_lock takes no ticket.  Each mm_lock and mm_unlock decides with
 * one instruction at a site listed in the section mm_lock_sites: a
 * five-byte no-op (take the ticket: what the kernel is built with) or a
 * jump past the ticket, which mm/platform_kernel.c patches in (Linux's
 * static branches, and its lock prefixes patched away on a one-CPU boot,
 * do the same).  mm_locks_update re-patches when the answer changes: lock
 * debugging switched on or off, or a second CPU about to start; never
 * while an allocator's lock is held.
 */
static __always_inline bool mm_one_cpu_jump(void)
{
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t" /* nopl 0(%%eax,%%eax) */
		 ".pushsection mm_lock_sites, \"a\"\n\t"
		 ".long 1b, %l[one]\n\t"
		 ".popsection"
		 : : : : one);
	return false;
one:
	return true;
}

/* Patches every site for the CPUs and lock debugging as they are now. */
void mm_locks_update(void);
/* A second CPU is about to start: every lock takes its ticket for good. */
void mm_locks_others_starting(void);
/* Whether the sites jump past the tickets now (for the tests). */
bool mm_locks_one_cpu(void);

static __always_inline mm_irqflags_t mm_lock(mm_lock_t *l)
{
	irqflags_t flags = irq_save();

	if (!mm_one_cpu_jump())
		spin_lock(l);
	return flags;
}

static __always_inline void mm_unlock(mm_lock_t *l, mm_irqflags_t flags)
{
	if (!mm_one_cpu_jump())
		spin_unlock(l);
	irq_restore((irqflags_t)flags);
}
#define MM_LOCK_HELD(l) LOCK_ASSERT_HELD(l)
/* The same, only where cond holds (evaluated only under lock debugging). */
#define MM_LOCK_HELD_IF(cond, l) ASSERT(!spin_debugged(l) || !(cond) || spin_held(l))
static inline unsigned long mm_lock_acquisitions(const mm_lock_t *l)
{
	return l->sl_stats.ls_acquired;
}

/* Acquisitions that had to wait for another CPU. */
static inline unsigned long mm_lock_waits(const mm_lock_t *l)
{
	return l->sl_stats.ls_contended;
}
#endif

/*
 * Listing the locks for lockstat (the kernel's lib/lockstat.h; the host
 * lists nothing).  MM_LOCK_REGISTER(lock) at file scope lists a lock with
 * static storage for good.  A lock inside an object made at run time has
 * an mm_lock_entry_t beside it: mm_lock_register(&entry, &lock, label)
 * once the lock is initialised and the object made, and
 * mm_lock_unregister(&entry) before the object is freed (after it returns
 * nothing reads the lock).  label (the cache's or heap's name) must live
 * as long as the entry.  Neither allocates nor fails, and registering an
 * entry twice or unregistering one never registered is harmless; both
 * walk the list of such locks, so they belong in create and destroy, never
 * on a fast path.  Not with an allocator's lock held above
 * LOCK_ORDER_LOCKSTAT (none is).
 */
#ifdef STRATA_HOST
typedef struct mm_lock_entry {
	const mm_lock_t *e_lock; /* unused: the host has no lockstat */
} mm_lock_entry_t;
#define MM_LOCK_REGISTER(lock) \
	static const mm_lock_t *const CONCAT(mm_lock_registry_, __LINE__) \
		__attribute__((unused)) = &(lock)
static inline void mm_lock_register(mm_lock_entry_t *e, mm_lock_t *l, const char *label)
{
	(void)label;
	e->e_lock = l;
}

static inline void mm_lock_unregister(mm_lock_entry_t *e)
{
	(void)e;
}
#else
#include "lib/lockstat.h"
typedef struct lockstat_entry mm_lock_entry_t;
#define MM_LOCK_REGISTER(lock) LOCK_REGISTER(lock)
static inline void mm_lock_register(mm_lock_entry_t *e, mm_lock_t *l, const char *label)
{
	lockstat_add(e, l, label);
}

static inline void mm_lock_unregister(mm_lock_entry_t *e)
{
	lockstat_remove(e);
}
#endif

#endif

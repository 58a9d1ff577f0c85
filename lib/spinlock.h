/*
 * Ticket spinlocks (lib/spinlock.c has the theory of operation; the lock
 * order is in lib/lock_order.h).
 *
 *   static struct spinlock table_lock = SPINLOCK_INIT("table", LOCK_ORDER_X);
 *   LOCK_REGISTER(table_lock);           // listed by lockstat (lib/lockstat.h)
 *
 *   irqflags_t flags = spin_lock_irqsave(&table_lock);
 *   __table_insert(t);                   // "__": the caller holds the lock
 *   spin_unlock_irqrestore(&table_lock, flags);
 *
 * A function named with a leading "__" expects its caller to hold the lock
 * and says so with LOCK_ASSERT_HELD, which lock debugging checks.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/atomic.h"
#include "lib/irqflags.h"
#include "lib/lock_order.h"
#include "lib/panic.h"

/* Per-lock statistics, updated by the holder (so under the lock itself). */
struct lock_stats {
	uint32_t ls_acquired; /* acquisitions */
	uint32_t ls_contended; /* acquisitions that had to wait */
	uint64_t ls_spins; /* iterations of the wait loop, all told */
};

#define SPIN_NODEBUG 0x1 /* sl_flags: lock debugging leaves it alone */

struct spinlock {
	union {
		uint32_t sl_word;
		struct {
			uint16_t sl_serving; /* the ticket allowed in */
			uint16_t sl_next; /* the ticket handed out next */
		};
	};
	uint8_t sl_order; /* LOCK_ORDER_*: its place in the lock order */
	uint8_t sl_flags; /* SPIN_NODEBUG */
	uint8_t sl_owner; /* lock debugging: the holder's CPU + 1; 0: none */
	uint8_t sl_nested; /* refused recursive acquisitions not yet released */
	const char *sl_name;
	uintptr_t sl_ip; /* lock debugging: where the holder took it */
	struct lock_stats sl_stats;
};

#define SPIN_NEXT_ONE (1u << 16) /* one ticket, added to sl_word */

#define SPINLOCK_INIT(name, order) { .sl_order = (order), .sl_name = (name) }
#define SPINLOCK_INIT_NODEBUG(name, order) \
	{ .sl_order = (order), .sl_flags = SPIN_NODEBUG, .sl_name = (name) }

/* A lock in memory that was not statically initialised: free, unowned. */
void spin_init(struct spinlock *l, const char *name, unsigned order);

/* Whether lock debugging is on (lib/spinlock.c; read on every lock). */
extern bool spin_debug_on;

/* Out of line: the slow and the debugging paths (lib/spinlock.c). */
void spin_wait(struct spinlock *l, uint16_t ticket);
void spin_lock_debug(struct spinlock *l);
bool spin_unlock_debug(struct spinlock *l);
void spin_trylock_debug(struct spinlock *l);

static __always_inline bool spin_debugged(const struct spinlock *l)
{
	return unlikely(spin_debug_on) && !(l->sl_flags & SPIN_NODEBUG);
}

/* Takes a ticket and waits for it to be served: first come, first served. */
static __always_inline void __spin_acquire(struct spinlock *l)
{
	uint32_t old = __atomic_fetch_add(&l->sl_word, SPIN_NEXT_ONE, __ATOMIC_ACQUIRE);

	if (unlikely((uint16_t)(old >> 16) != (uint16_t)old))
		spin_wait(l, (uint16_t)(old >> 16));
	l->sl_stats.ls_acquired++;
}

/*
 * Takes the lock, spinning while another CPU holds it.  Never from the
 * lock's own holder (lock debugging reports that, refuses it and goes on).
 * Any context; interrupts stay as they are (see spin_lock_irqsave).
 */
static __always_inline void spin_lock(struct spinlock *l)
{
	if (spin_debugged(l))
		spin_lock_debug(l);
	else
		__spin_acquire(l);
}

/* Takes the lock if it is free; returns whether it did.  Never waits. */
static __always_inline bool spin_trylock(struct spinlock *l)
{
	uint32_t old = READ_ONCE(l->sl_word);

	if ((uint16_t)(old >> 16) != (uint16_t)old ||
	    !__atomic_compare_exchange_n(&l->sl_word, &old, old + SPIN_NEXT_ONE,
					 false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	l->sl_stats.ls_acquired++;
	if (spin_debugged(l))
		spin_trylock_debug(l);
	return true;
}

/* Releases the lock for the next ticket.  Only its holder may (lock
 * debugging reports any other CPU and refuses). */
static __always_inline void spin_unlock(struct spinlock *l)
{
	if (spin_debugged(l) && !spin_unlock_debug(l))
		return;
	__atomic_store_n(&l->sl_serving, (uint16_t)(l->sl_serving + 1),
			 __ATOMIC_RELEASE);
}

/* Masks interrupts on this CPU, then takes the lock: for locks that an
 * interrupt handler may take too.  Returns what spin_unlock_irqrestore
 * needs. */
static __always_inline irqflags_t spin_lock_irqsave(struct spinlock *l)
{
	irqflags_t flags = irq_save();

	spin_lock(l);
	return flags;
}

static __always_inline void spin_unlock_irqrestore(struct spinlock *l,
						   irqflags_t flags)
{
	spin_unlock(l);
	irq_restore(flags);
}

/* Whether some CPU holds the lock (a snapshot). */
static inline bool spin_is_locked(const struct spinlock *l)
{
	uint32_t w = READ_ONCE(l->sl_word);

	return (uint16_t)(w >> 16) != (uint16_t)w;
}

/* Whether this CPU holds the lock.  Known only under lock debugging;
 * without it, whether anyone holds it. */
bool spin_held(const struct spinlock *l);

/* "The caller holds l": checked under lock debugging, free otherwise. */
#define LOCK_ASSERT_HELD(l) ASSERT(!spin_debugged(l) || spin_held(l))

/* --- lock debugging -------------------------------------------------------- */

enum spin_report {
	SPIN_REPORT_RECURSION, /* taking a lock this CPU already holds */
	SPIN_REPORT_NOT_OWNER, /* releasing a lock this CPU does not hold */
	SPIN_REPORT_SPIN, /* waiting far too long with interrupts off */
	SPIN_REPORT_ORDER, /* taking a lock against the documented order */
	SPIN_REPORT_KINDS
};

/*
 * What lock debugging needs from the layers above: the number of the
 * running CPU (below NR_CPUS), where a report goes (the kernel counts it
 * with the allocators' misuse reports), and what a CPU does on each turn
 * of a wait loop (answer TLB shootdowns).  Any may be NULL: CPU 0, printk,
 * nothing.
 */
struct spin_machine {
	unsigned (*cpu_id)(void);
	void (*report)(enum spin_report kind, const struct spinlock *l,
		       const char *msg);
	void (*relax)(void);
	/* Lock debugging was switched on or off (no lock held): a machine
	 * that takes some locks a cheaper way while it is off re-decides. */
	void (*debug_changed)(void);
};
void spin_set_machine(const struct spin_machine *m);

/* Turns lock debugging on or off.  Only while no lock is held (at boot). */
void spin_debug_enable(bool on);
/* Wait-loop turns with interrupts off before SPIN_REPORT_SPIN (default
 * 2^26, far longer than any critical section; the tests lower it). */
void spin_debug_set_limit(uint64_t spins);
uint64_t spin_debug_limit(void);

/* The first lock this CPU holds, as lock debugging saw it taken; NULL
 * when it holds none (or debugging is off). */
const struct spinlock *spin_first_held(void);

const char *spin_report_name(enum spin_report kind);
/* Reports of each kind since boot. */
unsigned long spin_report_count(enum spin_report kind);

/* Who holds l, for a listing: "CPU 1 at vfree+0x2a" or "nobody" under lock
 * debugging, else "someone" or "nobody"; written in buf when it needs to
 * be.  A snapshot, read without the lock. */
const char *spin_holder(const struct spinlock *l, char *buf, size_t size);

#endif

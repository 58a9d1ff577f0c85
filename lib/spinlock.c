/*
 * Ticket spinlocks: theory of operation.
 *
 * 1. Tickets.  A lock is two 16-bit counters in one word: the ticket it
 *    hands out next and the ticket it serves now.  spin_lock takes a ticket
 *    with one atomic add (lock xadd) and waits until it is served;
 *    spin_unlock serves the next ticket with a plain store (x86 keeps
 *    stores in order, so everything written under the lock is visible
 *    before the store that lets the next CPU in).  CPUs enter in the order
 *    they arrived, so none waits forever while others keep taking the lock,
 *    as can happen with a test-and-set lock.  The lock is free when the two
 *    counters are equal; a zeroed lock is a free lock.
 *
 * 2. Waiting.  The wait loop runs PAUSE and the machine's relax hook on
 *    each turn: the kernel answers TLB shootdowns there, so a CPU spinning
 *    with interrupts off cannot hold up a CPU that holds the lock and waits
 *    for that CPU's acknowledgement (lib/lock_order.h).
 *
 * 3. Statistics.  Each lock counts its acquisitions, the acquisitions that
 *    had to wait, and the turns of the wait loop.  The holder updates them,
 *    so the lock itself guards them; lockstat lists them (lib/lockstat.c).
 *
 * 4. Lock debugging (boot option lock_debug, always under ktest).  The
 *    holder's CPU and the place that took the lock are recorded in the
 *    lock, and each CPU keeps the locks it holds, innermost last.  Four
 *    kinds of misuse are reported through the machine's report hook, named,
 *    with both places, and none of them hangs the CPU that made it:
 *      - recursive acquisition: the lock is not taken again (a ticket lock
 *        would wait for itself for ever); the matching release is absorbed;
 *      - release by a CPU that does not hold the lock: refused, the lock
 *        stays with its holder;
 *      - waiting far too long with interrupts off: reported once, then the
 *        CPU goes on waiting (the holder may yet let go);
 *      - acquisition against the lock order: reported, then taken.
 *    Locks marked SPIN_NODEBUG (the console) are left out, so that a report
 *    can always be printed.
 */
#include "lib/spinlock.h"
#include "lib/cpumask.h"
#include "lib/printk.h"
#include "lib/symbol.h"

#define HELD_MAX 8 /* locks one CPU holds at once, as far as debugging sees */
#define SPIN_LIMIT_DEFAULT (1ull << 26)

bool spin_debug_on;
static uint64_t spin_limit = SPIN_LIMIT_DEFAULT;
static const struct spin_machine *machine;
static unsigned long report_counts[SPIN_REPORT_KINDS];

/* The locks each CPU holds, in the order it took them (debugging only). */
struct held_locks {
	const struct spinlock *locks[HELD_MAX];
	unsigned depth;
};
static struct held_locks held[NR_CPUS];

static const char *const report_names[SPIN_REPORT_KINDS] = {
	[SPIN_REPORT_RECURSION] = "recursive acquisition",
	[SPIN_REPORT_NOT_OWNER] = "release by a CPU that does not hold the lock",
	[SPIN_REPORT_SPIN] = "spinning too long with interrupts off",
	[SPIN_REPORT_ORDER] = "acquisition against the lock order",
};

void spin_init(struct spinlock *l, const char *name, unsigned order)
{
	*l = (struct spinlock)SPINLOCK_INIT(name, order);
}

void spin_set_machine(const struct spin_machine *m)
{
	machine = m;
}

void spin_debug_enable(bool on)
{
	spin_debug_on = on;
	if (machine && machine->debug_changed)
		machine->debug_changed();
}

void spin_debug_set_limit(uint64_t spins)
{
	spin_limit = spins;
}

uint64_t spin_debug_limit(void)
{
	return spin_limit;
}

const char *spin_report_name(enum spin_report kind)
{
	return kind < SPIN_REPORT_KINDS ? report_names[kind] : "unknown lock report";
}

unsigned long spin_report_count(enum spin_report kind)
{
	return kind < SPIN_REPORT_KINDS ? READ_ONCE(report_counts[kind]) : 0;
}

static unsigned this_cpu(void)
{
	unsigned cpu = machine && machine->cpu_id ? machine->cpu_id() : 0;

	return cpu < NR_CPUS ? cpu : 0;
}

static __printf(3, 4) void report(enum spin_report kind,
				  const struct spinlock *l, const char *fmt, ...)
{
	char msg[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&report_counts[kind], 1, __ATOMIC_RELAXED);
	if (machine && machine->report)
		machine->report(kind, l, msg);
	else
		printk("spinlock: %s: %s\n", report_names[kind], msg);
}

/* "CPU 1 at vfree+0x2a", for reports. */
static const char *where(char *buf, size_t size, unsigned owner, uintptr_t ip)
{
	char sym[80];

	if (!owner)
		return "nobody";
	snprintf(buf, size, "CPU %u at %s", owner - 1,
		 symbol_format(ip, sym, sizeof(sym)));
	return buf;
}

/* Waits until `ticket` is served; ip is where the waiter took its ticket. */
static void wait_turn(struct spinlock *l, uint16_t ticket, uintptr_t ip)
{
	uint64_t spins = 0;
	bool reported = false;

	while (READ_ONCE(l->sl_serving) != ticket) {
		cpu_relax();
		if (machine && machine->relax)
			machine->relax();
		if (unlikely(++spins > spin_limit) && !reported &&
		    spin_debugged(l) && irqs_disabled()) {
			char a[120], b[120];
			reported = true;
			report(SPIN_REPORT_SPIN, l,
			       "%s: %s has waited %llu turns with interrupts off; held by %s",
			       l->sl_name, where(a, sizeof(a), this_cpu() + 1, ip),
			       (unsigned long long)spins,
			       where(b, sizeof(b), READ_ONCE(l->sl_owner), READ_ONCE(l->sl_ip)));
		}
	}
	l->sl_stats.ls_contended++;
	l->sl_stats.ls_spins += spins;
}

__noinline void spin_wait(struct spinlock *l, uint16_t ticket)
{
	wait_turn(l, ticket, (uintptr_t)__builtin_return_address(0));
}

/* Reports the first lock this CPU holds that must not be held while
 * taking l. */
static void check_order(const struct spinlock *l, unsigned cpu, uintptr_t ip)
{
	const struct held_locks *h = &held[cpu];

	if (l->sl_order == LOCK_ORDER_NONE)
		return;
	for (unsigned i = 0; i < h->depth; i++) {
		const struct spinlock *o = h->locks[i];
		char a[120], b[120];
		if (o->sl_order == LOCK_ORDER_NONE || o->sl_order < l->sl_order)
			continue;
		report(SPIN_REPORT_ORDER, l,
		       "%s (order %u) taken by %s while holding %s (order %u), taken by %s",
		       l->sl_name, l->sl_order, where(a, sizeof(a), cpu + 1, ip),
		       o->sl_name, o->sl_order, where(b, sizeof(b), o->sl_owner, o->sl_ip));
		return;
	}
}

static void record_owner(struct spinlock *l, unsigned cpu, uintptr_t ip)
{
	struct held_locks *h = &held[cpu];

	l->sl_owner = (uint8_t)(cpu + 1);
	l->sl_ip = ip;
	if (h->depth < HELD_MAX)
		h->locks[h->depth] = l;
	h->depth++; /* counted even when not recorded, to stay balanced */
}

static void forget_owner(struct spinlock *l, unsigned cpu)
{
	struct held_locks *h = &held[cpu];
	unsigned n = MIN(h->depth, (unsigned)HELD_MAX);

	l->sl_owner = 0;
	for (unsigned i = 0; i < n; i++) {
		if (h->locks[i] != l)
			continue;
		for (; i + 1 < n; i++) /* locks may be released out of order */
			h->locks[i] = h->locks[i + 1];
		break;
	}
	h->depth--;
}

__noinline void spin_lock_debug(struct spinlock *l)
{
	uintptr_t ip = (uintptr_t)__builtin_return_address(0);
	unsigned cpu = this_cpu();
	uint16_t ticket;

	if (READ_ONCE(l->sl_owner) == cpu + 1) {
		char a[120], b[120];
		report(SPIN_REPORT_RECURSION, l, "%s taken again by %s; it holds it since %s",
		       l->sl_name, where(a, sizeof(a), cpu + 1, ip),
		       where(b, sizeof(b), cpu + 1, l->sl_ip));
		l->sl_nested++;
		return;
	}
	check_order(l, cpu, ip);
	ticket = (uint16_t)(__atomic_fetch_add(&l->sl_word, SPIN_NEXT_ONE,
					       __ATOMIC_ACQUIRE) >> 16);
	if (READ_ONCE(l->sl_serving) != ticket)
		wait_turn(l, ticket, ip);
	l->sl_stats.ls_acquired++;
	record_owner(l, cpu, ip);
}

__noinline void spin_trylock_debug(struct spinlock *l)
{
	record_owner(l, this_cpu(), (uintptr_t)__builtin_return_address(0));
}

__noinline bool spin_unlock_debug(struct spinlock *l)
{
	uintptr_t ip = (uintptr_t)__builtin_return_address(0);
	unsigned cpu = this_cpu();
	unsigned owner = READ_ONCE(l->sl_owner);

	if (owner != cpu + 1) {
		char a[120], b[120];
		report(SPIN_REPORT_NOT_OWNER, l, "%s released by %s; held by %s",
		       l->sl_name, where(a, sizeof(a), cpu + 1, ip),
		       where(b, sizeof(b), owner, READ_ONCE(l->sl_ip)));
		return false;
	}
	if (l->sl_nested) { /* the release of a refused recursive acquisition */
		l->sl_nested--;
		return false;
	}
	forget_owner(l, cpu);
	return true;
}

const struct spinlock *spin_first_held(void)
{
	const struct held_locks *h = &held[this_cpu()];

	return spin_debug_on && h->depth ? h->locks[0] : NULL;
}

bool spin_held(const struct spinlock *l)
{
	if (!spin_debugged(l))
		return spin_is_locked(l);
	return READ_ONCE(l->sl_owner) == this_cpu() + 1;
}

const char *spin_holder(const struct spinlock *l, char *buf, size_t size)
{
	if (!spin_debugged(l))
		return spin_is_locked(l) ? "someone" : "nobody";
	return where(buf, size, READ_ONCE(l->sl_owner), READ_ONCE(l->sl_ip));
}

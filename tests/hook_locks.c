/*
 * Lock debugging around every self-test: on while the test runs (also when
 * the shell's ktest runs the tests in a boot without lock_debug), and
 * after it, no lock may still be held by this CPU.  Between tests no CPU
 * holds a lock, so debugging can be switched on and off there.
 *
 * And lockstat's list of the locks made at run time must be as it was:
 * a cache, heap or address space the test made and did not destroy
 * leaves its lock listed, in memory that may be gone (a heap on the
 * test's stack).  Those entries are cut off unread, and the test fails.
 */
#include "tests/ktest.h"
#include "lib/lockstat.h"
#include "lib/printk.h"

static bool debugging_before;
static const struct lockstat_entry *listed_mark;
static unsigned listed_before;

static void locks_before(void)
{
	debugging_before = spin_debug_on;
	spin_debug_enable(true);
	listed_mark = lockstat_mark();
	listed_before = lockstat_nr_listed();
}

/* Whether lockstat lists the same locks as before the test. */
static bool listed_after(char *msg, size_t size)
{
	unsigned left = lockstat_drop_after(listed_mark);

	if (left) {
		snprintf(msg, size, "the test left %u lock(s) on lockstat's list "
			 "(a cache, free-list heap or address space not destroyed)", left);
		return false;
	}
	if (lockstat_nr_listed() != listed_before) {
		snprintf(msg, size, "lockstat lists %u lock(s) made at run time; %u before the test",
			 lockstat_nr_listed(), listed_before);
		return false;
	}
	return true;
}

static bool locks_after(char *msg, size_t size)
{
	const struct spinlock *l = spin_first_held();
	bool listed_ok = listed_after(msg, size); /* cuts the list in any case */

	spin_debug_enable(debugging_before);
	if (l) {
		snprintf(msg, size, "the test returned holding the lock %s", l->sl_name);
		return false;
	}
	return listed_ok;
}

KTEST_HOOK(locks, locks_before, locks_after);

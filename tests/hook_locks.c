/*
 * Lock debugging around every self-test: on while the test runs (also when
 * the shell's ktest runs the tests in a boot without lock_debug), and
 * after it, no lock may still be held by this CPU.  Between tests no CPU
 * holds a lock, so debugging can be switched on and off there.
 */
#include "tests/ktest.h"
#include "lib/spinlock.h"
#include "lib/printk.h"

static bool debugging_before;

static void locks_before(void)
{
	debugging_before = spin_debug_on;
	spin_debug_enable(true);
}

static bool locks_after(char *msg, size_t size)
{
	const struct spinlock *l = spin_first_held();

	spin_debug_enable(debugging_before);
	if (!l)
		return true;
	snprintf(msg, size, "the test returned holding the lock %s", l->sl_name);
	return false;
}

KTEST_HOOK(locks, locks_before, locks_after);

/*
 * Suite spinlock, part 2: the lock-debugging reports that take two CPUs
 * -- a release by a CPU that does not hold the lock, and a CPU waiting far
 * too long with interrupts off -- and "this CPU holds it" as seen from
 * another CPU.  One CPU: skipped (ONE_CPU_REASON).
 */
#include "tests/ktest.h"
#include "tests/smp_util.h"
#include "kernel/smp.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/report.h"

static struct spinlock shared = SPINLOCK_INIT("test-shared", LOCK_ORDER_NONE);

struct ap_seen {
	bool held_there;
	bool got_it;
};

static void ap_release(void *arg)
{
	struct ap_seen *s = arg;

	s->held_there = spin_held(&shared);
	spin_unlock(&shared); /* not this CPU's to release */
}

KTEST(spinlock, "a CPU that does not hold a lock cannot release it: reported and refused")
{
	unsigned ap = smp_test_ap();
	unsigned long was = spin_report_count(SPIN_REPORT_NOT_OWNER);
	struct ap_seen s = { true, false };

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	report_expect(1);
	spin_lock(&shared);
	ASSERT_EQ(0, smp_run_on(ap, ap_release, &s));
	smp_run_wait(ap);
	EXPECT_FALSE(s.held_there); /* held, but by CPU 0 */
	EXPECT_EQ(was + 1, spin_report_count(SPIN_REPORT_NOT_OWNER));
	EXPECT_NOT_NULL(strstr(report_last(), "test-shared released by CPU"));
	EXPECT_NOT_NULL(strstr(report_last(), "held by CPU 0 at"));
	EXPECT_TRUE(spin_held(&shared)); /* the release was refused */
	spin_unlock(&shared);
	EXPECT_FALSE(spin_is_locked(&shared));
}

static void ap_wait_irqs_off(void *arg)
{
	struct ap_seen *s = arg;
	irqflags_t flags = spin_lock_irqsave(&shared);

	s->got_it = true;
	spin_unlock_irqrestore(&shared, flags);
}

static unsigned long spin_reports(void)
{
	return spin_report_count(SPIN_REPORT_SPIN);
}

KTEST(spinlock, "waiting far too long with interrupts off is reported once; the lock is then taken")
{
	unsigned ap = smp_test_ap();
	unsigned long was = spin_reports();
	uint64_t limit = spin_debug_limit();
	uint32_t waits = shared.sl_stats.ls_contended;
	struct ap_seen s = { false, false };
	bool reported;

	if (!ap)
		KTEST_SKIP(ONE_CPU_REASON);
	report_expect(1);
	spin_debug_set_limit(1u << 12); /* "far too long", shortened for the test */
	spin_lock(&shared);
	ASSERT_EQ(0, smp_run_on(ap, ap_wait_irqs_off, &s));
	reported = smp_test_wait_count(spin_reports, was + 1);
	EXPECT_FALSE(s.got_it);
	spin_unlock(&shared);
	smp_run_wait(ap);
	spin_debug_set_limit(limit);
	EXPECT_TRUE(reported);
	EXPECT_EQ(was + 1, spin_reports());
	EXPECT_NOT_NULL(strstr(report_last(), "with interrupts off; held by CPU 0 at"));
	EXPECT_TRUE(s.got_it);
	EXPECT_EQ(waits + 1, shared.sl_stats.ls_contended);
	EXPECT_FALSE(spin_is_locked(&shared));
}

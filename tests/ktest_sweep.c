/*
 * The fault-injection sweep: out of memory survived at every allocation
 * site the self-tests reach.
 *
 * Each selected test runs once with injection armed and counting
 * (mm/failinject.h): it makes K allocations.  Then it runs again for each
 * k of 1..K (boot option faultsweep=every; plain faultsweep takes a sample
 * of the k), the kth allocation failing.  A run may end in two ways only:
 *   coped    the test passed anyway (or skipped): then it must also leave
 *            no leak and no misuse report behind, like any test;
 *   refused  the test failed, and said why: the allocation it needed
 *            failed.  It stopped early, so what it held may stay
 *            allocated, and fewer reports than it expected may be seen.
 * Anything else is a bug, and fails the test with k and the allocation
 * that failed: a panic (the "Bail out!" line names k), a broken invariant
 * (buddy_check, slab_check, kmalloc_check), a misuse report nobody
 * expected, a failure with nothing injected, a leak by a test that coped.
 *
 * Output is the usual TAP or KTAP, one line per test, a "# sweep:"
 * diagnostic before each, and the closing "N passed, M failed, K skipped";
 * then the line "sweep: R (test, k) runs: P passed (C coped, F refused,
 * L of these leaving what they held), B found a bug; I failures injected".
 */
#include "tests/ktest.h"
#include "mm/failinject.h"
#include "mm/report.h"
#include "mm/slab.h"
#include "mm/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/x86/qemu_exit.h"

#define SAMPLE_RUNS 8 /* runs per test in the sampled sweep */
#define EVERY_RUNS_MAX 1000 /* the full sweep samples a test above this */

static bool every; /* faultsweep=every */

static struct {
	unsigned long runs, injected, coped, refused, leaky, bugs;
} totals;

/*
 * The k of run i (0-based) of n, for a test making `count` allocations:
 * every k when there are few enough; otherwise the first quarter of the
 * runs takes the first allocations (a test's set-up, where the paths
 * differ most), the rest spread evenly up to the last allocation.
 */
static unsigned long pick(unsigned long i, unsigned long n, unsigned long count)
{
	unsigned long head = n / 4 ? n / 4 : 1;

	if (count <= n || i < head)
		return i + 1;
	return head + 1 + (i - head) * (count - head - 1) / (n - head - 1);
}

static void arm(unsigned long nth)
{
	struct mm_failinject cfg = { .nth = nth, .quiet = true };

	mm_failinject_set(&cfg);
}

/* What failed on purpose in the last run, for a message. */
static void describe_injection(char *buf, size_t size)
{
	char by[MM_SYMBOL_LEN];
	enum mm_alloc_kind kind;
	uintptr_t caller;

	if (!mm_failinject_last(&kind, &caller))
		snprintf(buf, size, "nothing injected");
	else
		snprintf(buf, size, "%s allocation by %s failed", mm_alloc_kind_name(kind),
			 mm_symbol(caller, by, sizeof(by)));
}

static bool is_invariant_hook(const char *hook)
{
	return !strcmp(hook, "buddy") || !strcmp(hook, "slab_check");
}

/*
 * Runs t with its kth allocation failing; false if the run found a bug
 * (described in msg).
 */
static bool run_failing(const struct ktest *t, int number, unsigned long k,
			unsigned long count, char *msg, size_t size)
{
	char context[48], what[MM_SYMBOL_LEN + 40];
	struct ktest_result r;
	unsigned long injected;
	const char *bug = NULL;

	snprintf(context, sizeof(context), "allocation %lu of %lu failing", k, count);
	ktest_set_context(context);
	arm(k);
	ktest_execute(t, number, &r);
	injected = mm_failinject_injected();
	describe_injection(what, sizeof(what));
	mm_failinject_off();
	ktest_set_context(NULL);

	totals.runs++;
	totals.injected += injected;
	if (r.hook && is_invariant_hook(r.hook))
		bug = "broke an invariant";
	else if (r.hook && !strcmp(r.hook, "reports") && report_test_surplus())
		bug = "caused a misuse report";
	else if (r.verdict == KTEST_FAILED && !injected)
		bug = "failed with nothing injected";
	else if (r.verdict != KTEST_FAILED && r.hook)
		bug = "coped, but left something behind";
	if (bug) {
		totals.bugs++;
		snprintf(msg, size, "allocation %lu of %lu (%s): %s: %s%s%s", k, count, what,
			 bug, r.hook ? r.hook : "", r.hook ? " check: " : "",
			 r.hook ? r.hook_msg : r.msg);
		return false;
	}
	if (r.verdict == KTEST_FAILED) {
		totals.refused++;
		totals.leaky += r.hook != NULL;
	} else {
		totals.coped++;
	}
	return true;
}

/*
 * The sweep of one test (a ktest_sweeper): the counting run, then the
 * failing ones.  Output is muted while the test runs: thousands of runs
 * would print thousands of out-of-memory reports.
 */
static enum ktest_verdict sweep_test(const struct ktest *t, int number, char *msg, size_t size)
{
	unsigned long count, runs, coped = totals.coped, refused = totals.refused;
	bool injects_itself;
	struct ktest_result r;

	printk_mute(true);
	arm(0);
	ktest_execute(t, number, &r);
	count = mm_failinject_count();
	injects_itself = !mm_failinject_armed; /* it disarmed what we armed */
	mm_failinject_off();
	printk_mute(false);
	if (injects_itself) {
		snprintf(msg, size, "arms fault injection itself");
		return KTEST_SKIPPED;
	}
	if (r.verdict == KTEST_SKIPPED && !r.hook) {
		strlcpy(msg, r.msg, size);
		return KTEST_SKIPPED;
	}
	if (r.verdict != KTEST_PASSED || r.hook) {
		snprintf(msg, size, "fails with injection armed, nothing injected: %s",
			 r.hook ? r.hook_msg : r.msg);
		return KTEST_FAILED;
	}

	runs = every ? (count < EVERY_RUNS_MAX ? count : EVERY_RUNS_MAX) :
		       (count < SAMPLE_RUNS ? count : SAMPLE_RUNS);
	for (unsigned long i = 0; i < runs; i++) {
		bool ok;

		printk_mute(true);
		ok = run_failing(t, number, pick(i, runs, count), count, msg, size);
		printk_mute(false);
		if (!ok)
			return KTEST_FAILED;
	}
	printk("sweep: %lu allocation(s), %lu run(s): %lu coped, %lu refused\n", count,
	       runs, totals.coped - coped, totals.refused - refused);
	return KTEST_PASSED;
}

__noreturn void ktest_sweep_main(const char *selection, bool ktap, bool sweep_every)
{
	int failed;

	every = sweep_every;
	ktest_set_sweeper(sweep_test);
	failed = ktest_run(selection, ktap);
	ktest_set_sweeper(NULL);
	printk("sweep: %lu (test, k) runs: %lu passed (%lu coped, %lu refused, %lu of "
	       "these leaving what they held), %lu found a bug; %lu failures injected\n",
	       totals.runs, totals.coped + totals.refused, totals.coped, totals.refused,
	       totals.leaky, totals.bugs, totals.injected);
	qemu_exit(failed == 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

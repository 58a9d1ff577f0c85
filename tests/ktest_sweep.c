/*
 * The fault-injection sweep: out of memory survived at every allocation
 * site the self-tests reach.
 *
 * Each selected test runs once with injection armed and counting
 * (mm/failinject.h): it makes K allocations.  Then it runs again for each
 * k of 1..K (boot option faultsweep=every; plain faultsweep takes a sample
 * of the k), the kth allocation failing.  A run may end in two ways only:
 *   coped    the test passed anyway (or skipped);
 *   refused  the test failed, and said why: an allocation it needed failed
 *            ("allocation failed (injected)" before its message).
 * Either way every after-hook must hold: nothing leaked, no lock held,
 * the checkers clean, no misuse report nobody expected (a test that
 * stopped early may have seen fewer than it announced).  Anything else is
 * a bug, and fails the test naming k and the allocation that failed: a
 * panic (the "Bail out!" line names k), a hook's finding, a failure with
 * nothing injected.
 *
 * Output is the usual TAP or KTAP, one line per test, a "# sweep:"
 * diagnostic before each, and the closing "N passed, M failed, K skipped";
 * then the line "sweep: R (test, k) runs: P passed (C coped, F refused),
 * B found a bug; I failures injected".
 */
#include "tests/ktest.h"
#include "mm/failinject.h"
#include "mm/report.h"
#include "mm/slab.h"
#include "mm/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "arch/x86/qemu_exit.h"

#define SAMPLE_RUNS 256 /* runs per test in the sampled sweep */

static bool every; /* faultsweep=every */

static struct {
	unsigned long runs, injected, coped, refused, bugs;
} totals;

/*
 * The k of run i (0-based) of n, for a test making `count` allocations:
 * every k when n is count; otherwise (the sample) the first quarter of
 * the runs takes the first allocations (a test's set-up, where the paths
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

extern char __tests_text_start[], __tests_text_end[];

/* Whether the failure injected last was of an allocation the self-test's
 * own code made (linker.ld puts the tests' code together): then the test
 * needed it, and may fail in any way; an allocation the kernel made for
 * it must be answered as out of memory (ktest.c: "unexplained"). */
static bool test_made_it(void)
{
	enum mm_alloc_kind kind;
	uintptr_t caller;

	return mm_failinject_last(&kind, &caller) &&
	       caller >= (uintptr_t)__tests_text_start && caller < (uintptr_t)__tests_text_end;
}

/*
 * The first after-hook of r that found a bug: any, except that a test
 * which stopped early (failed) may have seen fewer misuse reports than it
 * announced.  NULL if none; *i its index.
 */
static const char *hook_bug(const struct ktest_result *r, unsigned *i)
{
	for (*i = 0; *i < r->nr_hooks; (*i)++)
		if (r->verdict != KTEST_FAILED || !ktest_hook_failure_of_stopping(r->hooks[*i]))
			return r->hooks[*i];
	return NULL;
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
	bool by_test;
	const char *bug = NULL, *hook;
	unsigned i;

	snprintf(context, sizeof(context), "allocation %lu of %lu failing", k, count);
	ktest_set_context(context);
	arm(k);
	ktest_execute(t, number, &r);
	injected = mm_failinject_injected();
	by_test = test_made_it();
	describe_injection(what, sizeof(what));
	mm_failinject_off();
	ktest_set_context(NULL);

	totals.runs++;
	totals.injected += injected;
	hook = hook_bug(&r, &i);
	if (hook)
		bug = r.verdict == KTEST_FAILED ? "stopped, but left something behind" :
						   "coped, but left something behind";
	else if (r.verdict == KTEST_FAILED && !injected)
		bug = "failed with nothing injected";
	else if (r.verdict == KTEST_FAILED && r.unexplained && !by_test)
		bug = "failed on something the kernel's failed allocation does not explain";
	if (bug) {
		totals.bugs++;
		snprintf(msg, size, "allocation %lu of %lu (%s): %s: %s%s%s", k, count, what,
			 bug, hook ? hook : "", hook ? " check: " : "",
			 hook ? r.hook_msgs[i] : r.unexplained ? r.unexplained_msg : r.msg);
		return false;
	}
	if (r.verdict == KTEST_FAILED) {
		totals.refused++;
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
	if (r.verdict == KTEST_SKIPPED && !r.nr_hooks) {
		strlcpy(msg, r.msg, size);
		return KTEST_SKIPPED;
	}
	if (r.verdict != KTEST_PASSED || r.nr_hooks) {
		snprintf(msg, size, "fails with injection armed, nothing injected: %s",
			 r.nr_hooks ? r.hook_msgs[0] : r.msg);
		return KTEST_FAILED;
	}

	runs = every || count < SAMPLE_RUNS ? count : SAMPLE_RUNS;
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
	ktest_set_sweeping(true);
	failed = ktest_run(selection, ktap);
	ktest_set_sweeping(false);
	ktest_set_sweeper(NULL);
	printk("sweep: %lu (test, k) runs: %lu passed (%lu coped, %lu refused), %lu found "
	       "a bug; %lu failures injected\n", totals.runs, totals.coped + totals.refused,
	       totals.coped, totals.refused, totals.bugs, totals.injected);
	qemu_exit(failed == 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

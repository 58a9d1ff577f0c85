/*
 * The self-test runner: runs the selected tests suite by suite, each
 * between the hooks, and reports TAP or KTAP over the console (see
 * ktest.h; the selection is in tests/ktest_select.c).
 */
#include "tests/ktest.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "arch/x86/qemu_exit.h"
#include "mm/failinject.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "tests/frames_util.h"

#define FIRST_MSG_MAX 200

extern const struct ktest_hook __ktest_hooks_start[], __ktest_hooks_end[];


struct totals {
	int passed, failed, skipped;
};

static const struct ktest *current;
static int current_number;
static int current_failures;
static bool current_skipped;
static bool ktap; /* nested KTAP instead of TAP 13 */
static char first_msg[FIRST_MSG_MAX];
static char skip_reason[FIRST_MSG_MAX];
static int own_failures; /* of the test's own checks, not the hooks' */
/* What the failing check saw could be an out-of-memory result: a NULL
 * pointer, a zero or ERR_NO_MEMORY, a false condition (set by each check
 * before it fails). */
static bool check_oom_like;
/* A check failed after an injected failure in a way it does not explain:
 * a wrong error code, a wrong value, a string (ktest_sweep.c: a bug). */
static bool unexplained;
static char unexplained_msg[FIRST_MSG_MAX]; /* the first such check's */
static bool depends_on_memory; /* of the next integer check */

/*
 * Out of memory on a small machine.  Under 16 MiB a test may need more
 * memory than the machine has, and then its allocations fail as under the
 * fault sweep, but for real.  A test that failed only that way -- the
 * buddy allocator ran short (found no free block and reclaimed, not by
 * injection) before its first failing check, each failing check saw what
 * running out explains (as above: check_oom_like), and no after-hook
 * found anything but the misuse reports a test that stopped early did not
 * make -- stopped cleanly for want of memory: it is skipped, saying how
 * many frames were free when it began.  Anything else stays a failure (a
 * leak, a misuse report, a broken invariant, a wrong error), and on a
 * bigger machine running out always is one.
 */
static unsigned long short_at_start; /* buddy_reclaims() as the test began */
static unsigned long free_at_start; /* free frames, the caches shrunk */
static bool not_for_memory; /* a failing check that running out does not explain */

void ktest_depends_on_memory(void)
{
	depends_on_memory = true;
}
static const char *failed_hooks[KTEST_HOOKS_FAILED_MAX]; /* after-hooks that failed */
static char hook_msgs[KTEST_HOOKS_FAILED_MAX][FIRST_MSG_MAX]; /* what each found */
static unsigned nr_failed_hooks;

int ktest_failures(void)
{
	return current_failures;
}


static void vfail(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[FIRST_MSG_MAX];
	/* a failure after an injected one says so (mm/failinject.h), and
	 * whether the failed allocation explains what the check saw */
	bool injected = mm_failinject_armed && mm_failinject_injected();
	int n = snprintf(msg, sizeof(msg), "%s%s:%d: ",
			 !injected ? "" : check_oom_like ? "allocation failed (injected): " :
			 "not explained by the injected failure: ", file, line);

	if (injected && !check_oom_like && !unexplained) {
		unexplained = true;
		if (n < (int)sizeof(msg)) {
			va_list again;
			va_copy(again, ap);
			snprintf(unexplained_msg, sizeof(unexplained_msg), "%s:%d: ", file, line);
			vsnprintf(unexplained_msg + strlen(unexplained_msg),
				  sizeof(unexplained_msg) - strlen(unexplained_msg), fmt, again);
			va_end(again);
		}
	}
	if (!check_oom_like || buddy_reclaims() == short_at_start)
		not_for_memory = true;
	check_oom_like = true; /* the default for the next (bool) check */

	if (n < (int)sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	printk("%s\n", msg); /* a diagnostic: printk's line prefix says so */
	if (current_failures++ == 0)
		strlcpy(first_msg, msg, sizeof(first_msg));
}

static __printf(3, 4) void fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(file, line, fmt, ap);
	va_end(ap);
}

bool ktest_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	vfail(file, line, fmt, ap);
	va_end(ap);
	return false;
}

bool ktest_check_int(const char *file, int line, const char *op,
		     const char *exp_s, const char *act_s, long long exp,
		     long long act)
{
	bool ok, memory = depends_on_memory;

	depends_on_memory = false;
	if (!strcmp(op, "=="))
		ok = exp == act;
	else if (!strcmp(op, "!="))
		ok = exp != act;
	else if (!strcmp(op, "<"))
		ok = exp < act;
	else if (!strcmp(op, "<="))
		ok = exp <= act;
	else if (!strcmp(op, ">"))
		ok = exp > act;
	else
		ok = exp >= act;
	if (ok)
		return true;
	check_oom_like = memory || act == 0 || act == ERR_NO_MEMORY;
	if (!strcmp(op, "=="))
		fail(file, line, "expected %lld (%#llx), got %lld (%#llx): %s",
		     exp, (unsigned long long)exp, act, (unsigned long long)act,
		     act_s);
	else
		fail(file, line, "expected %s %s %s, got %lld %s %lld", exp_s,
		     op, act_s, exp, op, act);
	return false;
}

bool ktest_check_str(const char *file, int line, const char *act_s,
		     const char *exp, const char *act)
{
	if (act && !strcmp(exp, act))
		return true;
	check_oom_like = !act;
	fail(file, line, "expected \"%s\", got \"%s\": %s", exp,
	     act ? act : "(null)", act_s);
	return false;
}

bool ktest_check_ptr(const char *file, int line, const char *act_s,
		     const char *op, const void *exp, const void *act)
{
	bool equal = exp == act;

	if (op[0] == '=' ? equal : !equal)
		return true;
	check_oom_like = !act;
	if (op[0] == '=')
		fail(file, line, "expected %p, got %p: %s", exp, act, act_s);
	else
		fail(file, line, "expected not %p: %s", exp, act_s);
	return false;
}

void ktest_skip(const char *reason)
{
	current_skipped = true;
	strlcpy(skip_reason, reason, sizeof(skip_reason));
}

static const char *bail_context; /* ktest_set_context */

static void bail_out(const char *msg)
{
	printk_set_prefix(NULL);
	if (current)
		printk("%sBail out! panic in test %d (%s: %s)%s%s: %s\n", ktap ? "    " : "",
		       current_number, current->suite, current->name,
		       bail_context ? ", " : "", bail_context ? bail_context : "", msg);
}

void ktest_set_context(const char *context)
{
	bail_context = context;
}

static void run_hooks_before(void)
{
	for (const struct ktest_hook *h = __ktest_hooks_start;
	     h < __ktest_hooks_end; h++)
		if (h->before)
			h->before();
}

static void run_hooks_after(void)
{
	char msg[FIRST_MSG_MAX];

	for (const struct ktest_hook *h = __ktest_hooks_start;
	     h < __ktest_hooks_end; h++) {
		if (h->after && !h->after(msg, sizeof(msg))) {
			if (nr_failed_hooks < KTEST_HOOKS_FAILED_MAX) {
				failed_hooks[nr_failed_hooks] = h->name;
				strlcpy(hook_msgs[nr_failed_hooks++], msg, FIRST_MSG_MAX);
			}
			fail(current->file, current->line, "%s check: %s",
			     h->name, msg);
		}
	}
}

static void print_result(const struct ktest *t, int number, enum ktest_verdict o)
{
	const char *ok = o == KTEST_FAILED ? "not ok" : "ok";

	if (ktap)
		printk("    %s %d %s", ok, number, t->name);
	else
		printk("%s %d - %s: %s", ok, number, t->suite, t->name);
	if (o == KTEST_SKIPPED)
		printk(" # SKIP %s", skip_reason);
	else if (o == KTEST_FAILED && !ktap)
		printk(" # %s", first_msg);
	printk("\n");
}

bool ktest_hook_failure_of_stopping(const char *hook)
{
	return !strcmp(hook, "reports") && !report_test_surplus();
}

/* A failed test that ran out of memory on a small machine (see
 * short_at_start) becomes a skip, saying so. */
static void skip_if_out_of_memory(void)
{
	if (!own_failures || not_for_memory || !frames_machine_small())
		return;
	for (unsigned i = 0; i < nr_failed_hooks; i++)
		if (!ktest_hook_failure_of_stopping(failed_hooks[i]))
			return;
	printk("out of memory under 16 MiB: the failures above follow from it; skipped\n");
	snprintf(skip_reason, sizeof(skip_reason),
		 SMALL_MACHINE_REASON ": needs more than the %lu free frame(s) it started with (it ran out)",
		 free_at_start);
	current_skipped = true;
	current_failures = own_failures = 0;
}

/* Runs t between the hooks; its outcome.  Every test is called from here
 * (tests/test_traps.c finds it in a backtrace). */
static __noinline enum ktest_verdict execute(const struct ktest *t, int number)
{
	current = t;
	current_number = number;
	current_failures = 0;
	current_skipped = false;
	unexplained = false;
	not_for_memory = false;
	check_oom_like = true;
	nr_failed_hooks = 0;
	first_msg[0] = '\0';
	run_hooks_before(); /* the frames hook shrinks the caches */
	free_at_start = buddy_free_pages();
	short_at_start = buddy_reclaims();
	t->fn();
	own_failures = current_failures;
	run_hooks_after();
	skip_if_out_of_memory();
	current = NULL;
	return current_failures ? KTEST_FAILED : current_skipped ? KTEST_SKIPPED : KTEST_PASSED;
}

static ktest_sweeper sweeper; /* ktest_set_sweeper */
static bool sweeping; /* ktest_set_sweeping */

void ktest_set_sweeping(bool on)
{
	sweeping = on;
}

unsigned long ktest_scale(unsigned long n)
{
	if (!sweeping)
		return n;
	return n / KTEST_SWEEP_SCALE ? n / KTEST_SWEEP_SCALE : 1;
}

void ktest_set_sweeper(ktest_sweeper fn)
{
	sweeper = fn;
}

/* The sweeper's verdict on t, its message where print_result finds it. */
static enum ktest_verdict sweep(const struct ktest *t, int number)
{
	char msg[FIRST_MSG_MAX];
	enum ktest_verdict o = sweeper(t, number, msg, sizeof(msg));

	strlcpy(o == KTEST_SKIPPED ? skip_reason : first_msg, msg, FIRST_MSG_MAX);
	return o;
}

/* Everything the test and its hooks print is a diagnostic of the test. */
static __noinline enum ktest_verdict run_one(const struct ktest *t, int number)
{
	enum ktest_verdict o;

	printk_set_prefix(ktap ? "    # " : "# ");
	o = sweeper ? sweep(t, number) : execute(t, number);
	printk_set_prefix(NULL);
	print_result(t, number, o);
	return o;
}

void ktest_execute(const struct ktest *t, int number, struct ktest_result *r)
{
	enum ktest_verdict o = execute(t, number);

	r->verdict = own_failures ? KTEST_FAILED : o == KTEST_SKIPPED ? KTEST_SKIPPED : KTEST_PASSED;
	r->msg = own_failures ? first_msg : o == KTEST_SKIPPED ? skip_reason : "";
	r->nr_hooks = nr_failed_hooks;
	r->unexplained = unexplained;
	r->unexplained_msg = unexplained_msg;
	for (unsigned i = 0; i < nr_failed_hooks; i++) {
		r->hooks[i] = failed_hooks[i];
		r->hook_msgs[i] = hook_msgs[i];
	}
}

static void count(struct totals *tot, enum ktest_verdict o)
{
	tot->passed += o == KTEST_PASSED;
	tot->failed += o == KTEST_FAILED;
	tot->skipped += o == KTEST_SKIPPED;
}

/* The selected tests of the suite that starts at first. */
static int suite_size(const char *selection, const struct ktest *first)
{
	int n = 0;

	for (const struct ktest *t = first; t < __ktests_end; t++)
		n += !strcmp(t->suite, first->suite) && ktest_selected(selection, t);
	return n;
}

/* Runs the selected tests of one suite; in KTAP, as one subtest. */
static void run_suite(const char *selection, const struct ktest *first,
		      int *number, struct totals *all)
{
	struct totals tot = { 0, 0, 0 };
	int n = 0;

	if (ktap)
		printk("    KTAP version 1\n    # Subtest: %s\n    1..%d\n", first->suite,
		       suite_size(selection, first));
	for (const struct ktest *t = first; t < __ktests_end; t++)
		if (!strcmp(t->suite, first->suite) && ktest_selected(selection, t))
			count(&tot, run_one(t, ktap ? ++n : ++*number));
	all->passed += tot.passed;
	all->failed += tot.failed;
	all->skipped += tot.skipped;
	if (!ktap)
		return;
	printk("    # %s: pass:%d fail:%d skip:%d total:%d\n", first->suite, tot.passed,
	       tot.failed, tot.skipped, n);
	printk("%s %d %s\n", tot.failed ? "not ok" : "ok", ++*number, first->suite);
}

/* The plan: tests in TAP, suites in KTAP. */
static int plan(const char *selection)
{
	int n = 0;

	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		if (ktest_suite_first(t) == t && suite_size(selection, t))
			n += ktap ? 1 : suite_size(selection, t);
	return n;
}

void ktest_begin_run(void)
{
	panic_set_hook(bail_out);
	ktest_name_functions(true);
}

void ktest_end_run(void)
{
	ktest_name_functions(false);
	panic_set_hook(NULL);
}

static int run_selection(const char *selection)
{
	struct totals tot = { 0, 0, 0 };
	int number = 0;

	printk(ktap ? "KTAP version 1\n1..%d\n" : "TAP version 13\n1..%d\n", plan(selection));
	ktest_begin_run();
	for (const struct ktest *t = __ktests_start; t < __ktests_end; t++)
		if (ktest_suite_first(t) == t && suite_size(selection, t))
			run_suite(selection, t, &number, &tot);
	ktest_end_run();
	if (ktap)
		printk("# Totals: pass:%d fail:%d skip:%d total:%d\n", tot.passed,
		       tot.failed, tot.skipped, tot.passed + tot.failed + tot.skipped);
	printk("%d passed, %d failed, %d skipped\n", tot.passed, tot.failed, tot.skipped);
	return tot.failed;
}

static int run(const char *selection, bool want_ktap)
{
	ktap = want_ktap;
	if (selection && !strcmp(selection, "list")) {
		ktest_list();
		return 0;
	}
	if (!ktest_selection_valid(selection))
		return -1;
	return run_selection(selection);
}

int ktest_run(const char *selection, bool want_ktap)
{
	return run(selection, want_ktap);
}

/* A separate function so that GDB sessions have a place to stop. */
__noreturn void ktest_main(const char *selection, bool want_ktap)
{
	int failed = run(selection, want_ktap);

	qemu_exit(failed == 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

/*
 * In-kernel self-tests.
 *
 *   KTEST(buddy, "free merges with the buddy at address ^ size") {
 *           EXPECT_EQ(4, buddy_free_blocks(0));
 *   }
 *
 * KTEST registers the test in the .ktests linker section: no list to keep.
 * EXPECT_* record a failure (file:line, expected and actual) and go on;
 * ASSERT_* also return from the test.  KTEST_SKIP(reason) ends a test that
 * cannot run here (too little memory for it, say).  Before and after each test
 * every KTEST_HOOK runs; an after-hook that finds a leak fails the test.
 *
 * Each test has an id, "suite.name", the name being its description in
 * lower case with every run of other characters made one '_' (so the test
 * above is buddy.free_merges_with_the_buddy_at_address_size).  The command
 * line selects (tests/ktest_select.c):
 *   ktest                 every test
 *   ktest=buddy,slab      whole suites (globs allowed: ktest=slab*)
 *   ktest=buddy.free_*    tests by id glob, as KUnit's suite.test filter
 *   ktest=list            print the ids, run nothing
 * A word of the selection that matches no test is an error (Bail out!).
 *
 * Output is TAP version 13 over the serial port, or with the boot option
 * `ktap` Linux's nested KTAP version 1, one subtest per suite; whatever a
 * test prints is a "# " diagnostic.  Both end with the line
 * "N passed, M failed, K skipped" (passed not counting the skipped), and
 * QEMU's exit status carries the verdict (arch/x86/qemu_exit.h).
 */
#ifndef TESTS_KTEST_H
#define TESTS_KTEST_H

#include "lib/compiler.h"

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
} __aligned(32);

struct ktest_hook {
	const char *name;
	void (*before)(void);
	/* Returns true when all is well; otherwise fills msg. */
	bool (*after)(char *msg, size_t size);
} __aligned(16);

#define KTEST(suite, desc) \
	KTEST_(suite, desc, CONCAT(ktest_fn_, __LINE__), CONCAT(ktest_, __LINE__))
#define KTEST_(suite, desc, fn, rec)                                       \
	static void fn(void);                                              \
	static const struct ktest rec __section(".ktests") __used = {      \
		#suite, desc, fn, __FILE__, __LINE__                       \
	};                                                                 \
	static void fn(void)

#define KTEST_HOOK(id, before_fn, after_fn)                                \
	static const struct ktest_hook CONCAT(ktest_hook_, id)             \
		__section(".ktest_hooks") __used = { #id, before_fn, after_fn }

/* Runs the selection (NULL or "" for all; "list" lists), prints TAP (or
 * KTAP), exits QEMU with the verdict. */
__noreturn void ktest_main(const char *selection, bool ktap);
/* ktest_main, each test swept with fault injection (tests/ktest_sweep.c):
 * on every allocation it makes, or (every = false) on a sample. */
__noreturn void ktest_sweep_main(const char *selection, bool ktap, bool every);
/* Runs without exiting (for the shell), in TAP or KTAP; returns the number
 * of failures, or -1 when the selection is bad. */
int ktest_run(const char *selection, bool ktap);

/* --- selection (tests/ktest_select.c) ------------------------------------ */

#define KTEST_ID_MAX 160
/* The id "suite.name" of t in buf (truncated to size). */
void ktest_id(const struct ktest *t, char *buf, size_t size);
/* Whether t is selected (NULL or "" selects everything). */
bool ktest_selected(const char *selection, const struct ktest *t);
/* Whether every word of the selection selects some test; if not, prints
 * "Bail out!" naming the first that does not and returns false. */
bool ktest_selection_valid(const char *selection);
/* Prints the id of every test, suite by suite. */
void ktest_list(void);
/* The first test of t's suite, in registration order (suites are run
 * together even when their tests are spread over several files). */
const struct ktest *ktest_suite_first(const struct ktest *t);
/* While tests run, reports name a test function by the test's id (a glob
 * that selects it) instead of its symbol ktest_fn_NN. */
void ktest_name_functions(bool on);
extern const struct ktest __ktests_start[], __ktests_end[];

/*
 * For tests/ktest_sweep.c: runs test t (numbered `number`) between the
 * hooks, printing nothing of its own.  The verdict is that of the test's
 * own checks (msg: the first failure or the skip reason); hooks[] name the
 * after-hooks that failed, in order (hook_msgs[]: what each found).
 * ktest_begin_run and ktest_end_run go around a run of tests (the panic
 * hook, reports naming tests by their ids); while a context is set, a
 * panic's "Bail out!" line carries it.
 */
enum ktest_verdict { KTEST_PASSED, KTEST_SKIPPED, KTEST_FAILED };
#define KTEST_HOOKS_FAILED_MAX 8
struct ktest_result {
	enum ktest_verdict verdict;
	const char *msg;
	unsigned nr_hooks;
	/* a check failed after an injected failure, on something it does not
	 * explain (not NULL, 0, ERR_NO_MEMORY or false) */
	bool unexplained;
	const char *unexplained_msg; /* its check's message */
	const char *hooks[KTEST_HOOKS_FAILED_MAX];
	const char *hook_msgs[KTEST_HOOKS_FAILED_MAX];
};
void ktest_execute(const struct ktest *t, int number, struct ktest_result *r);
/* Whether after-hook `hook` failing is only what a test that stopped early
 * leaves: fewer misuse reports than it announced (report_expect). */
bool ktest_hook_failure_of_stopping(const char *hook);
void ktest_set_context(const char *context);
/* While set, the test runs call fn instead of running each test once:
 * its verdict and message (the failure or the skip reason) are the test's
 * (tests/ktest_sweep.c). */
typedef enum ktest_verdict (*ktest_sweeper)(const struct ktest *t, int number,
					    char *msg, size_t size);
void ktest_set_sweeper(ktest_sweeper fn);
void ktest_begin_run(void);
void ktest_end_run(void);

/*
 * How many iterations of a long loop a test runs: n, or in the
 * fault-injection sweep (which reruns a test once per allocation it
 * makes) n / KTEST_SWEEP_SCALE, at least 1.  For the loops that only
 * repeat what their first iterations do.
 */
#define KTEST_SWEEP_SCALE 100
unsigned long ktest_scale(unsigned long n);
void ktest_set_sweeping(bool sweeping);

/* Number of the checks that failed in the running test. */
int ktest_failures(void);

bool ktest_check(bool ok, const char *file, int line, const char *fmt, ...)
	__printf(4, 5);
bool ktest_check_int(const char *file, int line, const char *op,
		     const char *exp_s, const char *act_s, long long exp,
		     long long act);
bool ktest_check_str(const char *file, int line, const char *act_s,
		     const char *exp, const char *act);
bool ktest_check_ptr(const char *file, int line, const char *act_s,
		     const char *op, const void *exp, const void *act);
void ktest_skip(const char *reason);

#define KT_INT(file, line, op, exp, act)                                   \
	ktest_check_int(file, line, op, #exp, #act, (long long)(exp),      \
			(long long)(act))

#define EXPECT_EQ(exp, act) KT_INT(__FILE__, __LINE__, "==", exp, act)
/* An EXPECT_EQ that holds only while every allocation it depends on
 * succeeds, the kernel's own included (a count of allocations that
 * worked, of objects a cache kept): under the fault sweep, a failed
 * allocation explains its failure, as it explains a NULL. */
void ktest_depends_on_memory(void);
#define EXPECT_EQ_WITH_MEMORY(exp, act) (ktest_depends_on_memory(), EXPECT_EQ(exp, act))
#define EXPECT_NE(exp, act) KT_INT(__FILE__, __LINE__, "!=", exp, act)
#define EXPECT_LT(a, b) KT_INT(__FILE__, __LINE__, "<", a, b)
#define EXPECT_LE(a, b) KT_INT(__FILE__, __LINE__, "<=", a, b)
#define EXPECT_GT(a, b) KT_INT(__FILE__, __LINE__, ">", a, b)
#define EXPECT_GE(a, b) KT_INT(__FILE__, __LINE__, ">=", a, b)
#define EXPECT_TRUE(c) \
	ktest_check(!!(c), __FILE__, __LINE__, "expected true: %s", #c)
#define EXPECT_FALSE(c) \
	ktest_check(!(c), __FILE__, __LINE__, "expected false: %s", #c)
/* Each argument is evaluated exactly once. */
#define EXPECT_PTR_EQ(exp, act)                                            \
	ktest_check_ptr(__FILE__, __LINE__, #act, "==", (const void *)(exp), \
			(const void *)(act))
#define EXPECT_NULL(p)                                                     \
	ktest_check_ptr(__FILE__, __LINE__, #p, "==", NULL, (const void *)(p))
#define EXPECT_NOT_NULL(p)                                                 \
	ktest_check_ptr(__FILE__, __LINE__, #p, "!=", NULL, (const void *)(p))
#define EXPECT_STREQ(exp, act) \
	ktest_check_str(__FILE__, __LINE__, #act, exp, act)

#define ASSERT_EQ(exp, act) do { if (!EXPECT_EQ(exp, act)) return; } while (0)
#define ASSERT_NE(exp, act) do { if (!EXPECT_NE(exp, act)) return; } while (0)
#define ASSERT_LE(a, b) do { if (!EXPECT_LE(a, b)) return; } while (0)
#define ASSERT_GE(a, b) do { if (!EXPECT_GE(a, b)) return; } while (0)
#define ASSERT_TRUE(c) do { if (!EXPECT_TRUE(c)) return; } while (0)
#define ASSERT_FALSE(c) do { if (!EXPECT_FALSE(c)) return; } while (0)
#define ASSERT_NULL(p) do { if (!EXPECT_NULL(p)) return; } while (0)
#define ASSERT_NOT_NULL(p) do { if (!EXPECT_NOT_NULL(p)) return; } while (0)
#define ASSERT_STREQ(e, a) do { if (!EXPECT_STREQ(e, a)) return; } while (0)
#define KTEST_SKIP(reason) do { ktest_skip(reason); return; } while (0)

#endif

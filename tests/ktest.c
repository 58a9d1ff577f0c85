/*
 * The self-test runner: selects the registered tests by suite, runs each
 * between the hooks, and reports TAP over the console (see ktest.h).
 */
#include "tests/ktest.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "kernel/cmdline.h"
#include "lib/panic.h"
#include "arch/x86/qemu_exit.h"

#define FIRST_MSG_MAX 200

extern const struct ktest __ktests_start[], __ktests_end[];
extern const struct ktest_hook __ktest_hooks_start[], __ktest_hooks_end[];

static const struct ktest *current;
static int current_number;
static int current_failures;
static bool current_skipped;
static char first_msg[FIRST_MSG_MAX];
static char skip_reason[FIRST_MSG_MAX];

int ktest_failures(void)
{
	return current_failures;
}


static void vfail(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[FIRST_MSG_MAX];
	int n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);

	if (n < (int)sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	printk("# %s\n", msg);
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
	bool ok;

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

static void bail_out(const char *msg)
{
	if (current)
		printk("Bail out! panic in test %d (%s: %s): %s\n",
		       current_number, current->suite, current->name, msg);
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
		if (h->after && !h->after(msg, sizeof(msg)))
			fail(current->file, current->line, "%s check: %s",
			     h->name, msg);
	}
}

static __noinline bool run_one(const struct ktest *t, int number)
{
	current = t;
	current_number = number;
	current_failures = 0;
	current_skipped = false;
	first_msg[0] = '\0';
	run_hooks_before();
	t->fn();
	run_hooks_after();
	current = NULL;
	if (current_failures) {
		printk("not ok %d - %s: %s # %s\n", number, t->suite, t->name,
		       first_msg);
		return false;
	}
	if (current_skipped)
		printk("ok %d - %s: %s # SKIP %s\n", number, t->suite, t->name,
		       skip_reason);
	else
		printk("ok %d - %s: %s\n", number, t->suite, t->name);
	return true;
}

int ktest_run(const char *suites)
{
	int selected = 0, number = 0, passed = 0, failed = 0, skipped = 0;
	const struct ktest *t;

	for (t = __ktests_start; t < __ktests_end; t++)
		selected += list_contains(suites, t->suite);
	panic_set_hook(bail_out);
	printk("TAP version 13\n1..%d\n", selected);
	for (t = __ktests_start; t < __ktests_end; t++) {
		if (!list_contains(suites, t->suite))
			continue;
		if (run_one(t, ++number)) {
			passed++;
			skipped += current_skipped;
		} else {
			failed++;
		}
	}
	panic_set_hook(NULL);
	if (selected == 0)
		printk("# no test matches \"%s\"\n", suites ? suites : "");
	if (skipped)
		printk("# %d skipped\n", skipped);
	printk("%d passed, %d failed\n", passed, failed);
	return selected == 0 ? -1 : failed;
}

/* A separate function so that GDB sessions have a place to stop. */
__noreturn void ktest_main(const char *suites)
{
	int failed = ktest_run(suites);

	qemu_exit(failed == 0 ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

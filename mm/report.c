/* Misuse reports (see report.h).  Portable: also built into host tests. */
#include "mm/report.h"
#include "mm/platform.h"

static const char *const kind_names[REPORT_KIND_COUNT] = {
	[REPORT_DOUBLE_FREE] = "double free",
	[REPORT_NOT_ALLOCATED] = "free of memory never allocated",
	[REPORT_RESERVED] = "free of a reserved frame",
	[REPORT_WRONG_ORDER] = "free with the wrong order",
	[REPORT_MISALIGNED] = "misaligned block",
	[REPORT_OUT_OF_RANGE] = "address out of range",
	[REPORT_WRONG_CACHE] = "free to the wrong cache",
	[REPORT_INTERIOR_POINTER] = "free of an interior pointer",
	[REPORT_REDZONE] = "red zone overwritten",
	[REPORT_USE_AFTER_FREE] = "write after free",
	[REPORT_BAD_MAGIC] = "bad magic number",
	[REPORT_CORRUPTION] = "allocator corruption",
	[REPORT_LOCK] = "lock misuse",
	[REPORT_INVALID_ARG] = "invalid argument",
	[REPORT_BAD_HANDLE] = "bad handle",
	[REPORT_DEAD_HANDLE] = "use after destroy or free",
	[REPORT_IN_USE] = "destroyed while in use",
};

#define REPORT_MSG_LEN 320

static char last[REPORT_MSG_LEN];
static unsigned long counts[REPORT_KIND_COUNT];
static unsigned long total;
static unsigned long test_start_total;
static unsigned long test_expected;
/* counts, total and last, and the line printed (LOCK_ORDER_REPORTS: any
 * allocator may report with its own lock held) */
static mm_lock_t report_lock = MM_LOCK_INIT("reports", LOCK_ORDER_REPORTS);
MM_LOCK_REGISTER(report_lock);

const char *report_kind_name(enum report_kind kind)
{
	return kind < REPORT_KIND_COUNT ? kind_names[kind] : "unknown report";
}

/* Counts and prints one report, whose text is msg; under report_lock,
 * so that the counters, the line and report_last agree on every CPU. */
static void emit(enum report_kind kind, uintptr_t addr, const char *msg)
{
	mm_irqflags_t flags = mm_lock(&report_lock);

	if (kind < REPORT_KIND_COUNT)
		counts[kind]++;
	total++;
	mm_printf("mm: %s at %#lx: %s\n", report_kind_name(kind),
		  (unsigned long)addr, msg);
	memcpy(last, msg, sizeof(last));
	mm_unlock(&report_lock, flags);
}

void mm_report(enum report_kind kind, uintptr_t addr, const char *fmt, ...)
{
	char msg[REPORT_MSG_LEN]; /* on the stack: a report from an interrupt
				   * cannot garble one being written */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt ? fmt : "(no message)", ap);
	va_end(ap);
	emit(kind, addr, msg);
}

void mm_report_caller(enum report_kind kind, uintptr_t addr, uintptr_t caller,
		      const char *fmt, ...)
{
	char msg[REPORT_MSG_LEN], by[MM_SYMBOL_LEN];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = strlen(msg);
	snprintf(msg + len, sizeof(msg) - len, "; called by %s",
		 mm_symbol(caller, by, sizeof(by)));
	emit(kind, addr, msg);
}

void mm_report_finding(unsigned *count, uintptr_t addr, const char *prefix,
		       const char *fmt, va_list ap)
{
	char msg[REPORT_MSG_LEN];
	int n = snprintf(msg, sizeof(msg), "%s: ", prefix);

	if (n >= 0 && n < (int)sizeof(msg))
		vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
	emit(REPORT_CORRUPTION, addr, msg);
}

void mm_vreport_call(enum report_kind kind, uintptr_t addr, const char *op,
		     uintptr_t caller, const char *fmt, va_list ap)
{
	char msg[REPORT_MSG_LEN - MM_SYMBOL_LEN], by[MM_SYMBOL_LEN];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	mm_report(kind, addr, "%s by %s: %s", op, mm_symbol(caller, by, sizeof(by)), msg);
}

void mm_report_call(enum report_kind kind, uintptr_t addr, const char *op,
		    uintptr_t caller, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mm_vreport_call(kind, addr, op, caller, fmt, ap);
	va_end(ap);
}

const char *report_last(void)
{
	return last;
}

unsigned long report_count(enum report_kind kind)
{
	return kind < REPORT_KIND_COUNT ? counts[kind] : 0;
}

unsigned long report_total(void)
{
	return total;
}

void report_expect(unsigned long n)
{
	test_expected += n;
}

void report_test_begin(void)
{
	test_start_total = total;
	test_expected = 0;
}

bool report_test_end(char *msg, size_t size)
{
	unsigned long seen = total - test_start_total;

	if (seen == test_expected)
		return true;
	snprintf(msg, size, "%lu misuse report(s), expected %lu", seen,
		 test_expected);
	return false;
}

bool report_test_surplus(void)
{
	return total - test_start_total > test_expected;
}

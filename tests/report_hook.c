/*
 * Misuse reports around every self-test: a test that provokes reports says
 * how many with report_expect(n); any other number fails it (mm/report.h).
 */
#include "tests/ktest.h"
#include "mm/report.h"

KTEST_HOOK(reports, report_test_begin, report_test_end);

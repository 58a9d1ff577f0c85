/* Helpers shared by the slab and kmalloc suites. */
#ifndef TESTS_SLAB_TEST_H
#define TESTS_SLAB_TEST_H

#include "tests/ktest.h"
#include "mm/report.h"

/*
 * Runs `stmt` and expects it to cause exactly n reports of `kind`; announces
 * them to the per-test report check (report_expect).
 */
#define EXPECT_REPORTS(kind, n, stmt)                                      \
	do {                                                               \
		unsigned long before_ = report_count(kind);                \
		unsigned long total_ = report_total();                     \
		stmt;                                                      \
		EXPECT_EQ((unsigned long)(n), report_count(kind) - before_); \
		EXPECT_EQ((unsigned long)(n), report_total() - total_);    \
		report_expect(n);                                          \
	} while (0)

#endif

/*
 * The one reporting function for misuse of the memory allocators.
 *
 * Every allocator (buddy, slab, kmalloc, freelist, vmalloc, paging) reports
 * a double free, a foreign pointer, a wrong order or cache, or corrupted
 * memory through mm_report(): one named line with the address and what was
 * expected, e.g.
 *
 *   mm: double free: pfn 0x1234 order 0 (paddr 0x1234000): the block is already free
 *
 * The report never "fixes" anything by guessing: the caller refuses the
 * operation and leaves every structure as it was.  Counters per kind let the
 * self-tests prove that each misuse is detected (report_count), and let the
 * per-test hook fail any test that caused a report it did not expect
 * (report_expect).
 */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include "lib/compiler.h"
#include <stdarg.h>

enum report_kind {
	REPORT_DOUBLE_FREE, /* freeing what is already free */
	REPORT_NOT_ALLOCATED, /* freeing what was never handed out */
	REPORT_RESERVED, /* freeing a reserved frame (kernel image, firmware) */
	REPORT_WRONG_ORDER, /* freed with another order than allocated */
	REPORT_MISALIGNED, /* a block address not aligned to its size */
	REPORT_OUT_OF_RANGE, /* an address no allocator manages */
	REPORT_WRONG_CACHE, /* an object freed to another cache */
	REPORT_INTERIOR_POINTER, /* a pointer into the middle of an object */
	REPORT_REDZONE, /* bytes beyond an object were overwritten */
	REPORT_USE_AFTER_FREE, /* a free object's poison was overwritten */
	REPORT_BAD_MAGIC, /* a chunk header's magic number is wrong */
	REPORT_CORRUPTION, /* an allocator's own structure is inconsistent */
	REPORT_LOCK, /* a spinlock misused (lib/spinlock.h names which way) */
	REPORT_INVALID_ARG, /* a value no call takes: a size, order, flag,
			     * alignment, name or range out of bounds */
	REPORT_BAD_HANDLE, /* a pointer that is no live object of the kind
			    * expected: NULL, foreign, interior, overwritten */
	REPORT_DEAD_HANDLE, /* a handle used after it was destroyed (a cache,
			     * an address space), or a block after its free */
	REPORT_IN_USE, /* destroying what something still uses (a cache with
			* live objects, a space another CPU runs) */
	REPORT_KIND_COUNT
};

/* Prints "mm: <kind name>: <message>" and counts it.  addr is the address
 * the report is about (object, block or frame), printed with the message. */
void mm_report(enum report_kind kind, uintptr_t addr, const char *fmt, ...)
	__printf(3, 4);

/*
 * The same for a caller's bad input: the message, then "; called by
 * <symbol+offset>" naming the code that made the call (the return address
 * of the exported function the caller called, MM_CALLER() there).
 * Callable with any lock but the report and console locks held (it
 * takes those two, innermost in lib/lock_order.h).
 */
void mm_report_caller(enum report_kind kind, uintptr_t addr, uintptr_t caller,
		      const char *fmt, ...) __printf(4, 5);

/* A checker's finding: reports "prefix: <message>" as REPORT_CORRUPTION
 * and counts it in *count (atomically: the checkers run on every CPU). */
void mm_report_finding(unsigned *count, uintptr_t addr, const char *prefix,
		       const char *fmt, va_list ap);

/*
 * A call refused for a bad argument: "<op> by <caller>: <message>", the
 * caller named by its symbol (MM_CALLER() read in the exported function
 * that was called), so that the report says who passed what.
 */
void mm_report_call(enum report_kind kind, uintptr_t addr, const char *op,
		    uintptr_t caller, const char *fmt, ...) __printf(5, 6);
void mm_vreport_call(enum report_kind kind, uintptr_t addr, const char *op,
		     uintptr_t caller, const char *fmt, va_list ap) __printf(5, 0);

const char *report_kind_name(enum report_kind kind);
/* The message of the latest report (empty before the first), for tests. */
const char *report_last(void);
unsigned long report_count(enum report_kind kind);
unsigned long report_total(void);

/*
 * The self-test hook: a test announces how many reports it provokes; the
 * after-test hook fails the test if the number differs (a misuse that went
 * unnoticed, or a report nobody expected).
 */
void report_expect(unsigned long n);
/* Start of a test: forget any earlier expectation. */
void report_test_begin(void);
/* End of a test: true if the reports match the expectation. */
bool report_test_end(char *msg, size_t size);
/* After report_test_end: whether there were more reports than expected
 * (fewer is what a test that stopped early leaves). */
bool report_test_surplus(void);

#endif

/*
 * Distinct names for distinct things.  A physical address is 64 bits wide
 * even on i386 (firmware maps describe RAM above 4 GiB), so that it can never
 * silently become a pointer; a virtual address is an integer of pointer width.
 */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include "lib/compiler.h"

typedef uint64_t paddr_t; /* physical address */
typedef uintptr_t vaddr_t; /* virtual address as an integer */
typedef uint32_t pfn_t; /* physical frame number (paddr >> PAGE_SHIFT) */

/*
 * Overflow-safe range helpers: say whether [base, base + size) wraps past the
 * top of its type before anyone computes the end.
 */
static inline bool range_wraps_u64(uint64_t base, uint64_t size)
{
	return size != 0 && base + size - 1 < base;
}

/* Whether all of [base, base + size) lies below limit -- also when the
 * range ends exactly at 2^64, where base + size is 0. */
static inline bool range_below_u64(uint64_t base, uint64_t size, uint64_t limit)
{
	return size <= limit && base <= limit - size;
}

static inline bool range_wraps_u32(uint32_t base, uint32_t size)
{
	return size != 0 && base + size - 1 < base;
}

#endif

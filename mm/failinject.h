/*
 * Deterministic fault injection: make an allocation fail on purpose, in
 * the spirit of Linux's failslab and fail_page_alloc and of illumos'
 * kmem_mtbf, but systematic where they are random -- so that every
 * caller's out-of-memory path can be run, one allocation at a time
 * (tests/ktest_sweep.c sweeps every self-test that way).
 *
 * While armed, every allocation the kernel makes is counted, at the entry
 * of each allocator (nested ones too: a kmalloc that needs a new slab
 * counts as a kmalloc, a slab allocation and a page allocation), and one
 * may be made to fail:
 *   - the nth counted allocation (nth = 0: count only);
 *   - or each with a seeded probability (prob_ppm per million);
 * counting only the kinds in `kinds` (0: all).  A failure caused by
 * injection returns what real exhaustion returns (NULL, ERR_NO_MEMORY),
 * and says so in the out-of-memory report.  While armed the allocators'
 * fast paths step aside (their caches are not consulted), so that every
 * allocation is counted; nothing else changes.
 *
 * Armed and disarmed by one CPU, around work it controls (a self-test, a
 * boot, the shell); the allocations of every CPU meanwhile are counted,
 * each once (the counts and the generator are under a lock, taken only
 * while armed).
 */
#ifndef MM_FAILINJECT_H
#define MM_FAILINJECT_H

#include "lib/compiler.h"

enum mm_alloc_kind {
	MM_ALLOC_PAGES, /* alloc_pages and everything over it */
	MM_ALLOC_SLAB, /* kmem_cache_alloc */
	MM_ALLOC_KMALLOC, /* kmalloc, kzalloc, krealloc */
	MM_ALLOC_VMALLOC, /* vmalloc areas */
	MM_ALLOC_PGTABLE, /* page tables and directories */
	MM_ALLOC_KMAP, /* kmap slots */
	MM_ALLOC_ADDR_SPACE, /* vmm_create */
	MM_ALLOC_TASK, /* task_create */
	MM_ALLOC_BOOTMEM, /* bootmem_alloc, before the buddy exists */
	MM_ALLOC_KINDS
};

struct mm_failinject {
	unsigned long nth; /* fail the nth counted allocation (1..); 0: none */
	unsigned kinds; /* 1 << enum mm_alloc_kind of those counted; 0: all */
	uint32_t prob_ppm; /* fail each counted one with this probability */
	uint32_t seed; /* of the probability's generator */
	bool quiet; /* no line for each injected failure */
};

/* Arms (a copy of) cfg, counting from 0; disarm with mm_failinject_off.
 * The fast paths step aside while armed (mm_failinject_armed).  A NULL
 * cfg, kinds with bits past MM_ALLOC_KINDS and prob_ppm above 10^6 are
 * refused with a REPORT_INVALID_ARG, nothing armed (nor changed). */
void mm_failinject_set(const struct mm_failinject *cfg);
void mm_failinject_off(void);

/* Allocations counted since the last mm_failinject_set. */
unsigned long mm_failinject_count(void);
/* Failures injected since the last mm_failinject_set, and ever. */
unsigned long mm_failinject_injected(void);
unsigned long mm_failinject_injected_total(void);
const char *mm_alloc_kind_name(enum mm_alloc_kind kind);
/* The kind and the caller of the last failure injected since the last
 * mm_failinject_set; false if there was none (and, reported, if either
 * pointer is NULL). */
bool mm_failinject_last(enum mm_alloc_kind *kind, uintptr_t *caller);

/* Whether injection is armed: the fast paths read it (mm/platform.h's
 * hot-path variables go through the slow path while it is set). */
extern bool mm_failinject_armed;

/*
 * Counts one allocation of `kind` by `caller` and says whether it must
 * fail.  Called at the entry of every allocator's slow path; the inline
 * test keeps it to one load when nothing is armed.
 */
bool mm_should_fail_slow(enum mm_alloc_kind kind, uintptr_t caller);
static inline bool mm_should_fail(enum mm_alloc_kind kind, uintptr_t caller)
{
	return unlikely(mm_failinject_armed) && mm_should_fail_slow(kind, caller);
}

/* Hooks the allocators register to step their fast paths aside while
 * armed (on true) and back (on false).  A hook registered while armed is
 * called at once (a boot armed by failboot arms before the allocators
 * exist).  A NULL hook, and one past the table's four, are refused with
 * a REPORT_INVALID_ARG. */
void mm_failinject_on_arm(void (*fn)(bool armed));

#endif

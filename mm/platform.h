/*
 * The narrow interface between the portable allocators in mm/ and the
 * machine.  The same allocator source compiles into the kernel (implemented
 * by mm/platform_kernel.c) and into host test programs built with
 * AddressSanitizer and UBSan (tests/host/platform_host.c), where "physical
 * memory" is an ordinary buffer.  Nothing else in mm/'s portable files may
 * touch the hardware.
 */
#ifndef MM_PLATFORM_H
#define MM_PLATFORM_H

#include "lib/types.h"
#include <stdarg.h>

#ifdef STRATA_HOST
#include <stdio.h>
#include <string.h>
#else
#include "lib/printk.h"
#include "lib/string.h"
#endif

#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE 4096u

/*
 * The direct map: every frame below mm_direct_end() has a permanent
 * virtual address.  mm_virt_to_phys of an address outside the direct map's
 * window gives an impossible physical address (at or above
 * mm_direct_end()).  Inline in the kernel: the slab free path translates
 * every object it takes back.
 */
#ifdef STRATA_HOST
void *mm_phys_to_virt(paddr_t pa);
paddr_t mm_virt_to_phys(const void *va);
paddr_t mm_direct_end(void);
#else
#include "arch/x86/layout.h"

STATIC_ASSERT(LOWMEM_LIMIT <= 0x100000000ull - KERNEL_VBASE,
	      "a user address must translate beyond the direct map");

/* Set once by mm_set_direct_end (mm/platform_kernel.c); the direct map
 * lies below LOWMEM_LIMIT, so 32 bits hold it. */
extern uint32_t mm_direct_limit;

static inline void *mm_phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_VBASE);
}

/* Below KERNEL_VBASE the subtraction wraps to 0x40000000 or more, beyond
 * LOWMEM_LIMIT: one 32-bit comparison with mm_direct_end() rejects it. */
static inline paddr_t mm_virt_to_phys(const void *va)
{
	return (uint32_t)((uintptr_t)va - KERNEL_VBASE);
}

static inline paddr_t mm_direct_end(void)
{
	return mm_direct_limit;
}

/* Kernel-only controls (mm/platform_kernel.c).  The direct map now covers
 * [0, end). */
void mm_set_direct_end(paddr_t end);
/* mm/highmem's kmap takes over temporary frame mappings from the fixmap. */
void mm_set_frame_mapper(void *(*map)(paddr_t), void (*unmap)(void *));
#endif

/* A short-lived mapping of any frame, direct-mapped or not (kmap_atomic).
 * At most MM_MAP_FRAME_SLOTS at once, released in reverse order. */
#define MM_MAP_FRAME_SLOTS 4
void *mm_map_frame(paddr_t pa);
void mm_unmap_frame(void *va);

/* Interrupt-safe critical sections (one CPU: disabling interrupts is the
 * lock).  Nest freely.  Inline in the kernel: they sit on every fast path. */
typedef unsigned long mm_irqflags_t;
#ifdef STRATA_HOST
mm_irqflags_t mm_irq_save(void);
void mm_irq_restore(mm_irqflags_t flags);
#else
#include "arch/x86/cpu.h"
static inline mm_irqflags_t mm_irq_save(void)
{
	return irq_save();
}

static inline void mm_irq_restore(mm_irqflags_t flags)
{
	irq_restore((uint32_t)flags);
}
#endif

/*
 * The same, with the saved flags kept in memory (*slot, a local): on the
 * fast paths the register they would take is worth more (no spill and
 * no save of a callee-saved register).
 */
#ifdef STRATA_HOST
static inline void mm_irq_save_slot(mm_irqflags_t *slot)
{
	*slot = mm_irq_save();
}

static inline void mm_irq_restore_slot(const mm_irqflags_t *slot)
{
	mm_irq_restore(*slot);
}
#else
static inline void mm_irq_save_slot(mm_irqflags_t *slot)
{
	__asm__ volatile("pushfl; popl %0; cli" : "=m"(*slot) : : "memory");
}

static inline void mm_irq_restore_slot(const mm_irqflags_t *slot)
{
	__asm__ volatile("pushl %0; popfl" : : "m"(*slot) : "memory", "cc");
}
#endif

/*
 * The slab's array of free objects (mm/slab.c, 6), pushed and popped in
 * one critical section each, with interrupts masked.  Together they are
 * the slab's whole fast path, so the kernel writes them for the machine (a
 * few instructions of assembly each: compiled, the flags saved around the
 * section take a register that must first be freed) and the host in C.
 *
 * The array holds `a_avail` objects in a_slot[1..a_avail], at most
 * `a_limit`; a_slot[0] stays NULL.  Each object carries a free mark in the
 * word at `mark`: MM_MARK_IN_ARRAY while in an array, MM_MARK_ON_LIST (the
 * same but bit 0) while on a slab's free list.
 */
#define MM_ARRAY_SLOTS 16
#define MM_MARK_ON_LIST 0xF4EE5AB0u
#define MM_MARK_IN_ARRAY 0xF4EE5AB1u

struct mm_obj_array {
	unsigned a_avail;
	unsigned a_limit;
	void *a_slot[MM_ARRAY_SLOTS + 1];
};

/*
 * mm_array_push: puts obj on top, marking it MM_MARK_IN_ARRAY, unless its
 * mark says it is free already (either mark) or the array is full; false,
 * with nothing changed, then.  mm_array_pop: takes the top object off, or
 * NULL when the array is empty; its mark is the caller's to clear.
 */
#ifdef STRATA_HOST
static inline bool mm_array_push(struct mm_obj_array *a, void *obj, uintptr_t *mark)
{
	mm_irqflags_t flags = mm_irq_save();
	bool ok = (*mark | 1) != MM_MARK_IN_ARRAY && a->a_avail < a->a_limit;

	if (ok) {
		*mark = MM_MARK_IN_ARRAY;
		a->a_slot[++a->a_avail] = obj;
	}
	mm_irq_restore(flags);
	return ok;
}

static inline void *mm_array_pop(struct mm_obj_array *a)
{
	mm_irqflags_t flags = mm_irq_save();
	void *obj = a->a_slot[a->a_avail];

	if (obj)
		a->a_avail--;
	mm_irq_restore(flags);
	return obj;
}
#else
STATIC_ASSERT(offsetof(struct mm_obj_array, a_avail) == 0 &&
	      offsetof(struct mm_obj_array, a_limit) == 4 &&
	      offsetof(struct mm_obj_array, a_slot) == 8,
	      "the assembly below addresses the array's fields by offset");

static __always_inline bool mm_array_push(struct mm_obj_array *a, void *obj,
					  uintptr_t *mark)
{
	unsigned n;

	__asm__ volatile goto("pushfl\n\t"
			      "cli\n\t"
			      "movl (%[mark]), %[n]\n\t" /* marked free either way? */
			      "orl $1, %[n]\n\t"
			      "cmpl %[in], %[n]\n\t"
			      "je 1f\n\t"
			      "movl (%[a]), %[n]\n\t" /* room? */
			      "cmpl 4(%[a]), %[n]\n\t"
			      "jae 1f\n\t"
			      "movl %[in], (%[mark])\n\t"
			      "incl %[n]\n\t"
			      "movl %[obj], 8(%[a],%[n],4)\n\t"
			      "movl %[n], (%[a])\n\t"
			      "popfl\n\t"
			      ".pushsection .text.unlikely\n"
			      "1:\tpopfl\n\t"
			      "jmp %l[refused]\n\t"
			      ".popsection"
			      : [n] "=&r"(n)
			      : [a] "r"(a), [obj] "r"(obj), [mark] "r"(mark),
				[in] "i"(MM_MARK_IN_ARRAY)
			      : "memory", "cc"
			      : refused);
	return true;
refused:
	return false;
}

/* Branch-free, one register: a_slot[0] is NULL, and a_avail gains -1 plus
 * the carry of obj - 1, which is set exactly when obj is NULL. */
static __always_inline void *mm_array_pop(struct mm_obj_array *a)
{
	void *obj;

	__asm__ volatile("pushfl\n\t"
			 "cli\n\t"
			 "movl (%[a]), %[obj]\n\t"
			 "movl 8(%[a],%[obj],4), %[obj]\n\t"
			 "cmpl $1, %[obj]\n\t"
			 "adcl $-1, (%[a])\n\t"
			 "popfl"
			 : [obj] "=&r"(obj)
			 : [a] "r"(a)
			 : "memory", "cc");
	return obj;
}
#endif

/* Console output for reports and introspection tables. */
#ifdef STRATA_HOST
int mm_printf(const char *fmt, ...) __printf(1, 2);
#else
#define mm_printf printk
#endif

/* A fresh random word, for secrets that keep stray writes from forging
 * allocator metadata (the slab free lists' key).  Not cryptographic. */
uintptr_t mm_random(void);

/* The return address of the caller's caller, for "allocated by" records. */
#define MM_CALLER() ((uintptr_t)__builtin_return_address(0))

/* Names a code address for a report, into buf: "task_create+0x2a" in the
 * kernel (from its symbol table), the address in hex where no symbol is
 * known and on the host.  Returns buf. */
#define MM_SYMBOL_LEN 64
const char *mm_symbol(uintptr_t addr, char *buf, size_t size);

#endif

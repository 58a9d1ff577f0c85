/*
 * Part of mm/platform.h, the allocators' interface to the machine, which
 * includes it at its end: include mm/platform.h, never this file.  The
 * slab fast paths' primitives, written for the machine in the kernel and
 * in C on the host: the per-CPU arrays of free objects (mm/slab.c, 6) and
 * the fault-proof read of a handle a caller passed.
 */
#ifndef MM_PLATFORM_FAST_H
#define MM_PLATFORM_FAST_H

#ifndef MM_PLATFORM_H
#error "include mm/platform.h, which includes mm/platform_fast.h"
#endif

/*
 * The slab's per-CPU arrays of free objects (mm/slab.c, 6), pushed and
 * popped in one critical section each, with interrupts masked.  Together
 * they are the slab's whole fast path, so the kernel writes them for the
 * machine (a few instructions of assembly each: compiled, the flags saved
 * around the section take a register that must first be freed) and the
 * host in C.  `a` is a per-CPU pointer (mm_percpu_alloc): each operates
 * on the running CPU's copy -- in the kernel through %fs, no instruction
 * more than a plain array.
 *
 * The array holds `a_avail` objects in a_slot[1..a_avail], at most
 * `a_limit`; a_slot[0] stays NULL.  Each object carries a free mark in the
 * word at `mark`: MM_MARK_IN_ARRAY while in an array, MM_MARK_ON_LIST (the
 * same but bit 0) while on a slab's free list.
 */
#define MM_ARRAY_SLOTS 32
#define MM_MARK_ON_LIST 0xF4EE5AB0u
#define MM_MARK_IN_ARRAY 0xF4EE5AB1u

struct mm_obj_array {
	unsigned a_avail;
	unsigned a_limit;
	void *a_slot[MM_ARRAY_SLOTS + 1];
};

/*
 * mm_array_push: puts obj on top of this CPU's array, marking it
 * MM_MARK_IN_ARRAY, unless its mark says it is free already (either mark)
 * or the array is full; false, with nothing changed, then.  mm_array_pop:
 * takes the top object off, or NULL when the array is empty; its mark is
 * the caller's to clear.
 */
#ifdef STRATA_HOST
static inline bool mm_array_push(struct mm_obj_array *pa, void *obj, uintptr_t *mark)
{
	mm_irqflags_t flags = mm_irq_save();
	struct mm_obj_array *a = mm_this_cpu(pa);
	bool ok = (*mark | 1) != MM_MARK_IN_ARRAY && a->a_avail < a->a_limit;

	if (ok) {
		*mark = MM_MARK_IN_ARRAY;
		a->a_slot[++a->a_avail] = obj;
	}
	mm_irq_restore(flags);
	return ok;
}

static inline void *mm_array_pop(struct mm_obj_array *pa)
{
	mm_irqflags_t flags = mm_irq_save();
	struct mm_obj_array *a = mm_this_cpu(pa);
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
			      "movl %%fs:(%[a]), %[n]\n\t" /* room? */
			      "cmpl %%fs:4(%[a]), %[n]\n\t"
			      "jae 1f\n\t"
			      "movl %[in], (%[mark])\n\t"
			      "incl %[n]\n\t"
			      "movl %[obj], %%fs:8(%[a],%[n],4)\n\t"
			      "movl %[n], %%fs:(%[a])\n\t"
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
			 "movl %%fs:(%[a]), %[obj]\n\t"
			 "movl %%fs:8(%[a],%[obj],4), %[obj]\n\t"
			 "cmpl $1, %[obj]\n\t"
			 "adcl $-1, %%fs:(%[a])\n\t"
			 "popfl"
			 : [obj] "=&r"(obj)
			 : [a] "r"(a)
			 : "memory", "cc");
	return obj;
}
#endif

/*
 * A handle a caller passed (a cache) is read on a fast path before it can
 * be checked.  NULL, or a pointer to unmapped memory, must not fault
 * there, nor cost the fast path an instruction: these two read a word of
 * the handle as a plain load or test would, and a fault sends them
 * elsewhere (in the kernel, an exception fixup that keeps every register,
 * arch/x86/trap.h; on the host, a test for the NULL page):
 *   mm_handle_load(p, dflt)   *p, or *dflt if reading *p faults;
 *   MM_HANDLE_TEST(word, bit, clear, bad)
 *                             goto clear if (word & bit) == 0, goto bad if
 *                             word cannot be read.
 */
#ifdef STRATA_HOST
static inline uintptr_t mm_handle_load(const uintptr_t *p, const uintptr_t *dflt)
{
	return (uintptr_t)p < 4096 ? *dflt : *p;
}

#define MM_HANDLE_TEST(word, bit, clear, bad)                              \
	do {                                                               \
		if ((uintptr_t)&(word) < 4096)                             \
			goto bad;                                          \
		if (!((word) & (bit)))                                     \
			goto clear;                                        \
	} while (0)
#else
static __always_inline uintptr_t mm_handle_load(const uintptr_t *p, const uintptr_t *dflt)
{
	uintptr_t v;

	__asm__("1:\tmovl %[p], %[v]\n"
		"2:\n\t"
		".pushsection .text.unlikely\n"
		"3:\tmovl %[d], %[v]\n\t"
		"jmp 2b\n\t"
		".popsection\n\t"
		".pushsection .ex_table_keep,\"a\"\n\t"
		".long 1b, 3b\n\t"
		".popsection"
		: [v] "=r"(v)
		: [p] "m"(*p), [d] "m"(*dflt));
	return v;
}

#define MM_HANDLE_TEST(word, bit, clear, bad)                              \
	__asm__ goto("1:\ttestl %[b], %[w]\n\t"                            \
		     "jz %l[" #clear "]\n\t"                                 \
		     ".pushsection .ex_table_keep,\"a\"\n\t"                 \
		     ".long 1b, %l[" #bad "]\n\t"                             \
		     ".popsection"                                         \
		     : : [w] "m"(word), [b] "i"(bit) : "cc" : clear, bad)
#endif

#endif

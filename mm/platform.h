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
#include "lib/lock_order.h"
#include "lib/atomic.h"
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
 * At most MM_MAP_FRAME_SLOTS at once, released in reverse order.  NULL
 * when no slot is free (before kmap_init: a report past the fourth);
 * unmapping what is not mapped (twice, out of order before kmap_init) is
 * a report, and nothing is done. */
#define MM_MAP_FRAME_SLOTS 4
void *mm_map_frame(paddr_t pa);
void mm_unmap_frame(void *va);

/*
 * Interrupt-safe critical sections on this CPU: nothing else runs on it
 * in between (interrupts are masked).  They protect this CPU's per-CPU
 * data; shared data needs a lock (below).  Nest freely.  Inline in the
 * kernel: they sit on every fast path.  On the host each CPU is a thread
 * and the section holds that CPU's mutex, which a remote CPU's
 * mm_on_each_cpu takes too (tests/host/platform_host.c).
 */
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

/* --- several CPUs ---------------------------------------------------------
 *
 * mm_cpu_id() is the running CPU (the kernel's %fs-based number; on the
 * host the thread's, host_set_cpu).  MM_MAX_CPUS bounds every per-CPU
 * array; mm_cpu_online(cpu) says whether cpu runs.
 *
 * Per-CPU memory.  mm_percpu_alloc(size) gives a block of which every CPU
 * has its own copy, all zeroed; the pointer is CPU 0's copy, and
 * mm_per_cpu(ptr, cpu) is CPU cpu's.  A CPU changes its own copy inside
 * mm_irq_save; another CPU's only from a function mm_on_each_cpu runs
 * there.  A CPU started later finds its copies zeroed: users take zero to
 * mean "not set up yet".  In the kernel the copies lie in the per-CPU
 * areas, so "%fs:ptr" is the running CPU's copy (mm_array_push and
 * mm_array_pop address it so, one instruction); NULL when the per-CPU
 * space is used up.
 *
 * mm_on_each_cpu(fn, arg) runs fn(arg) on every online CPU in turn, each
 * with interrupts off there, and returns when all have: how one CPU
 * empties the others' per-CPU caches.  A cross-CPU call may be made only
 * with interrupts on (so holding no lock that is taken with interrupts
 * off, arch/x86/smp_call.h); elsewhere fn runs on this CPU alone and the
 * result is false.  mm_on_each_cpu_ok() says beforehand whether a call
 * now would reach every CPU.
 */
#ifdef STRATA_HOST
#define MM_MAX_CPUS 8
extern __thread unsigned mm_host_cpu;
static inline unsigned mm_cpu_id(void)
{
	return mm_host_cpu;
}
/* Twice the kernel's: a slab cache's arrays hold pointers, twice as wide
 * here, and the host must fit as many caches' arrays as the kernel. */
#define MM_PERCPU_BYTES 49152u
#else
#include "arch/x86/percpu.h"
#define MM_MAX_CPUS NR_CPUS
static inline unsigned mm_cpu_id(void)
{
	return smp_processor_id();
}
#define MM_PERCPU_BYTES 24576u
#endif
bool mm_cpu_online(unsigned cpu);
bool mm_on_each_cpu(void (*fn)(void *arg), void *arg);
bool mm_on_each_cpu_ok(void);
/*
 * mm/percpu.c hands out the platform's mm_percpu_space (CPU 0's copy of
 * MM_PERCPU_BYTES) past its first MM_PERCPU_FIXED bytes, which belong to
 * the buddy's page lists (mm/buddy.c): at a fixed address, which the
 * kernel's fast paths use as a constant.  mm_percpu_used: bytes handed
 * out.
 */
#define MM_PERCPU_FIXED 256u
void *mm_percpu_alloc(size_t size);
void mm_percpu_free(void *ptr, size_t size);
size_t mm_percpu_used(void);
#ifdef STRATA_HOST
void *mm_percpu_space(void);
#else
extern uint8_t mm_percpu_area[];
static inline void *mm_percpu_space(void)
{
	return mm_percpu_area;
}
#endif
/*
 * mm_per_cpu(ptr, cpu): CPU cpu's copy; mm_this_cpu(ptr): the running
 * CPU's, a plain pointer.  mm_local(ptr): the running CPU's as the fast
 * paths reach it, of type "T MM_LOCAL *" -- in the kernel a pointer in
 * the %fs address space, so that each access is one %fs-relative
 * instruction (gcc's __seg_fs) with no address computed first.
 */
#ifdef STRATA_HOST
#define mm_per_cpu(ptr, cpu) \
	((__typeof__(ptr))((uint8_t *)(ptr) + (size_t)(cpu) * MM_PERCPU_BYTES))
#define mm_this_cpu(ptr) mm_per_cpu((ptr), mm_host_cpu)
#define MM_LOCAL
#define mm_local(ptr) mm_this_cpu(ptr)
#else
#define mm_per_cpu(ptr, cpu) per_cpu_ptr((ptr), (cpu))
#define mm_this_cpu(ptr) this_cpu_ptr(ptr)
#define MM_LOCAL __seg_fs
#define mm_local(ptr) ((__typeof__(*(ptr)) __seg_fs *)(uintptr_t)(ptr))
#endif

/*
 * Locks for shared data, always taken with interrupts off on this CPU (so
 * a holder is never interrupted into an allocator that wants it too).
 * The kernel's are ticket spinlocks, checked by lock debugging and counted
 * by lockstat (lib/spinlock.h; their place in lib/lock_order.h); the
 * host's are mutexes, which ThreadSanitizer understands.  "__" functions
 * say which they expect held with MM_LOCK_HELD.
 */
#ifdef STRATA_HOST
#include <pthread.h>
typedef struct mm_lock {
	pthread_mutex_t l_mutex;
	const char *l_name;
	unsigned long l_acquired;
} mm_lock_t;
#define MM_LOCK_INIT(name, order) { PTHREAD_MUTEX_INITIALIZER, (name), 0 }
void mm_lock_init(mm_lock_t *l, const char *name, unsigned order);
mm_irqflags_t mm_lock(mm_lock_t *l);
void mm_unlock(mm_lock_t *l, mm_irqflags_t flags);
#define MM_LOCK_HELD(l) ((void)0)
#define MM_LOCK_HELD_IF(cond, l) ((void)0)
static inline unsigned long mm_lock_acquisitions(const mm_lock_t *l)
{
	return l->l_acquired;
}

static inline unsigned long mm_lock_waits(const mm_lock_t *l)
{
	(void)l;
	return 0; /* not counted on the host */
}
#else
#include "lib/spinlock.h"
typedef struct spinlock mm_lock_t;
#define MM_LOCK_INIT(name, order) SPINLOCK_INIT(name, order)
static inline void mm_lock_init(mm_lock_t *l, const char *name, unsigned order)
{
	spin_init(l, name, order);
}

/*
 * While one CPU runs and lock debugging is off, masking interrupts is all
 * an allocator's lock has to exclude (as before there were other CPUs),
 * and mm_lock takes no ticket.  Each mm_lock and mm_unlock decides with
 * one instruction at a site listed in the section mm_lock_sites: a
 * five-byte no-op (take the ticket: what the kernel is built with) or a
 * jump past the ticket, which mm/platform_kernel.c patches in (Linux's
 * static branches, and its lock prefixes patched away on a one-CPU boot,
 * do the same).  mm_locks_update re-patches when the answer changes: lock
 * debugging switched on or off, or a second CPU about to start; never
 * while an allocator's lock is held.
 */
static __always_inline bool mm_one_cpu_jump(void)
{
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00\n\t" /* nopl 0(%%eax,%%eax) */
		 ".pushsection mm_lock_sites, \"a\"\n\t"
		 ".long 1b, %l[one]\n\t"
		 ".popsection"
		 : : : : one);
	return false;
one:
	return true;
}

/* Patches every site for the CPUs and lock debugging as they are now. */
void mm_locks_update(void);
/* A second CPU is about to start: every lock takes its ticket for good. */
void mm_locks_others_starting(void);
/* Whether the sites jump past the tickets now (for the tests). */
bool mm_locks_one_cpu(void);

static __always_inline mm_irqflags_t mm_lock(mm_lock_t *l)
{
	irqflags_t flags = irq_save();

	if (!mm_one_cpu_jump())
		spin_lock(l);
	return flags;
}

static __always_inline void mm_unlock(mm_lock_t *l, mm_irqflags_t flags)
{
	if (!mm_one_cpu_jump())
		spin_unlock(l);
	irq_restore((irqflags_t)flags);
}
#define MM_LOCK_HELD(l) LOCK_ASSERT_HELD(l)
/* The same, only where cond holds (evaluated only under lock debugging). */
#define MM_LOCK_HELD_IF(cond, l) ASSERT(!spin_debugged(l) || !(cond) || spin_held(l))
static inline unsigned long mm_lock_acquisitions(const mm_lock_t *l)
{
	return l->sl_stats.ls_acquired;
}

/* Acquisitions that had to wait for another CPU. */
static inline unsigned long mm_lock_waits(const mm_lock_t *l)
{
	return l->sl_stats.ls_contended;
}
#endif

/*
 * Listing the locks for lockstat (the kernel's lib/lockstat.h; the host
 * lists nothing).  MM_LOCK_REGISTER(lock) at file scope lists a lock with
 * static storage for good.  A lock inside an object made at run time has
 * an mm_lock_entry_t beside it: mm_lock_register(&entry, &lock, label)
 * once the lock is initialised and the object made, and
 * mm_lock_unregister(&entry) before the object is freed (after it returns
 * nothing reads the lock).  label (the cache's or heap's name) must live
 * as long as the entry.  Neither allocates nor fails, and registering an
 * entry twice or unregistering one never registered is harmless; both
 * walk the list of such locks, so they belong in create and destroy, never
 * on a fast path.  Not with an allocator's lock held above
 * LOCK_ORDER_LOCKSTAT (none is).
 */
#ifdef STRATA_HOST
typedef struct mm_lock_entry {
	const mm_lock_t *e_lock; /* unused: the host has no lockstat */
} mm_lock_entry_t;
#define MM_LOCK_REGISTER(lock) \
	static const mm_lock_t *const CONCAT(mm_lock_registry_, __LINE__) \
		__attribute__((unused)) = &(lock)
static inline void mm_lock_register(mm_lock_entry_t *e, mm_lock_t *l, const char *label)
{
	(void)label;
	e->e_lock = l;
}

static inline void mm_lock_unregister(mm_lock_entry_t *e)
{
	(void)e;
}
#else
#include "lib/lockstat.h"
typedef struct lockstat_entry mm_lock_entry_t;
#define MM_LOCK_REGISTER(lock) LOCK_REGISTER(lock)
static inline void mm_lock_register(mm_lock_entry_t *e, mm_lock_t *l, const char *label)
{
	lockstat_add(e, l, label);
}

static inline void mm_lock_unregister(mm_lock_entry_t *e)
{
	lockstat_remove(e);
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

/*
 * The narrow interface between the portable allocators in mm/ and the
 * machine.  The same allocator source compiles into the kernel (implemented
 * by mm/platform_kernel.c) and into host test programs built with
 * AddressSanitizer and UBSan (tests/host/platform_host.c), where "physical
 * memory" is an ordinary buffer.  Nothing else in mm/'s portable files may
 * touch the hardware.  Two parts have files of their own, included at the
 * end: the locks (mm/platform_lock.h) and the slab fast paths' per-CPU
 * arrays and handle reads (mm/platform_fast.h).
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
 * data; shared data needs a lock (mm/platform_lock.h).  Nest freely.
 * Inline in the kernel: they sit on every fast path.  On the host each
 * CPU is a thread and the section holds that CPU's mutex, which a remote
 * CPU's mm_on_each_cpu takes too (tests/host/platform_host.c).
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

/* The locks (mm/platform_lock.h) and the slab fast paths' primitives
 * (mm/platform_fast.h), in files of their own. */
#include "mm/platform_lock.h"
#include "mm/platform_fast.h"

#endif

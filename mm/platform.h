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

/* Console output for reports and introspection tables. */
#ifdef STRATA_HOST
int mm_printf(const char *fmt, ...) __printf(1, 2);
#else
#define mm_printf printk
#endif

/* The return address of the caller's caller, for "allocated by" records. */
#define MM_CALLER() ((uintptr_t)__builtin_return_address(0))

/* Names a code address for a report, into buf: "task_create+0x2a" in the
 * kernel (from its symbol table), the address in hex where no symbol is
 * known and on the host.  Returns buf. */
#define MM_SYMBOL_LEN 64
const char *mm_symbol(uintptr_t addr, char *buf, size_t size);

#endif

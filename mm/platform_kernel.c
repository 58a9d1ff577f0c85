/*
 * The kernel's side of mm/platform.h: the direct map's extent (the
 * translations themselves are inline in platform.h), temporary frame
 * mappings, the per-CPU space and cross-CPU calls, and printk.
 * Until mm/paging installs kmap, frames beyond the direct map are reached
 * through fixmap slots.
 */
#include "mm/platform.h"
#include "arch/x86/layout.h"
#include "arch/x86/early_map.h"
#include "arch/x86/mmu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/smp.h"
#include "arch/x86/smp_call.h"
#include "lib/panic.h"
#include "lib/symbol.h"

#define FIXMAP_SLOT_FRAME0 1 /* slots 1..MM_MAP_FRAME_SLOTS */

uint32_t mm_direct_limit = BOOT_MAP_SIZE;
static unsigned frame_slots_used;
static void *(*map_frame_hook)(paddr_t pa);
static void (*unmap_frame_hook)(void *va);

void mm_set_direct_end(paddr_t end)
{
	ASSERT(end <= LOWMEM_LIMIT);
	mm_direct_limit = (uint32_t)end;
}

void mm_set_frame_mapper(void *(*map)(paddr_t), void (*unmap)(void *))
{
	map_frame_hook = map;
	unmap_frame_hook = unmap;
}

void *mm_map_frame(paddr_t pa)
{
	if (pa + PAGE_SIZE <= mm_direct_end())
		return mm_phys_to_virt(pa);
	if (map_frame_hook)
		return map_frame_hook(pa);
	ASSERT(frame_slots_used < MM_MAP_FRAME_SLOTS);
	return fixmap_set(FIXMAP_SLOT_FRAME0 + frame_slots_used++, pa, PTE_RW);
}

void mm_unmap_frame(void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VBASE && v < KERNEL_VBASE + mm_direct_limit)
		return;
	if (unmap_frame_hook) {
		unmap_frame_hook(va);
		return;
	}
	ASSERT(frame_slots_used > 0);
	ASSERT(v == FIXMAP_BASE + (FIXMAP_SLOT_FRAME0 + frame_slots_used - 1) * PAGE_SIZE);
	fixmap_clear(FIXMAP_SLOT_FRAME0 + --frame_slots_used);
}

const char *mm_symbol(uintptr_t addr, char *buf, size_t size)
{
	uint32_t off;
	const char *name = addr ? symbol_lookup(addr, &off) : NULL;

	if (name)
		snprintf(buf, size, "%s+%#x", name, (unsigned)off);
	else
		snprintf(buf, size, "%#lx", (unsigned long)addr);
	return buf;
}

/* The time stamp counter, a counter and the stack address, mixed
 * (splitmix's finaliser): different on every call, and different between
 * boots on real hardware (under -icount the same, which keeps runs
 * reproducible). */
uintptr_t mm_random(void)
{
	static uint32_t calls;
	uint32_t x = (uint32_t)rdtsc() ^ (++calls * 0x9E3779B9u) ^ (uint32_t)(uintptr_t)&x;

	x = (x ^ (x >> 16)) * 0x85EBCA6Bu;
	x = (x ^ (x >> 13)) * 0xC2B2AE35u;
	return x ^ (x >> 16);
}

/* The space mm/percpu.c hands out, in every CPU's per-CPU area. */
DEFINE_PER_CPU(uint8_t[MM_PERCPU_BYTES], mm_percpu_area) __aligned(64);

bool mm_cpu_online(unsigned cpu)
{
	return cpu < NR_CPUS && cpumask_test(&cpu_online_mask, cpu);
}

bool mm_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	irqflags_t flags;

	if (!irqs_disabled() && smp_others_online()) {
		smp_call_all(fn, arg);
		return true;
	}
	flags = irq_save();
	fn(arg);
	irq_restore(flags);
	return !smp_others_online();
}

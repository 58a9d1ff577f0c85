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
#include "mm/report.h"

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
	if (frame_slots_used >= MM_MAP_FRAME_SLOTS) {
		mm_report_caller(REPORT_INVALID_ARG, pa, MM_CALLER(),
				 "mm_map_frame(%#llx): %u frames are mapped already, the most at once",
				 (unsigned long long)pa, MM_MAP_FRAME_SLOTS);
		return NULL;
	}
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
	if (!frame_slots_used ||
	    v != FIXMAP_BASE + (FIXMAP_SLOT_FRAME0 + frame_slots_used - 1) * PAGE_SIZE) {
		mm_report_caller(REPORT_INVALID_ARG, v, MM_CALLER(),
				 "mm_unmap_frame(%p): not the frame mapped last (%u mapped)",
				 va, frame_slots_used);
		return;
	}
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

bool mm_on_each_cpu_ok(void)
{
	return !irqs_disabled() || !smp_others_online();
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

/* --- one CPU: the allocators' locks without tickets (mm/platform_lock.h) */

struct lock_site {
	uint32_t at; /* the five-byte instruction */
	uint32_t one; /* where it jumps while one CPU runs */
};
extern struct lock_site __start_mm_lock_sites[], __stop_mm_lock_sites[];

static bool others_starting, sites_jump;

/* Writes every site as a jump (one CPU) or the no-op; interrupts off and
 * CR0.WP cleared around it, for the text is read-only.  Writing CR0 again
 * serialises, so the new instructions are the ones that run next. */
static void patch_sites(bool jump)
{
	static const uint8_t nop5[5] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	irqflags_t flags = irq_save();
	uint32_t cr0 = read_cr0();

	write_cr0(cr0 & ~CR0_WP);
	for (struct lock_site *s = __start_mm_lock_sites; s < __stop_mm_lock_sites; s++) {
		uint8_t *p = (uint8_t *)(uintptr_t)s->at;
		if (jump) {
			uint32_t rel = s->one - (s->at + 5);
			p[0] = 0xe9; /* jmp rel32 */
			memcpy(p + 1, &rel, 4);
		} else {
			memcpy(p, nop5, 5);
		}
	}
	write_cr0(cr0);
	irq_restore(flags);
	sites_jump = jump;
}

void mm_locks_update(void)
{
	bool jump = !others_starting && !spin_debug_on;

	if (jump != sites_jump)
		patch_sites(jump);
}

void mm_locks_others_starting(void)
{
	others_starting = true;
	mm_locks_update();
}

bool mm_locks_one_cpu(void)
{
	return sites_jump;
}

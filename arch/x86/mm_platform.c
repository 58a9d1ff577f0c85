/*
 * The kernel's side of mm/platform.h: the direct map at KERNEL_VBASE,
 * temporary frame mappings, interrupt masking as the lock, and printk.
 * Until mm/paging installs kmap, frames beyond the direct map are reached
 * through fixmap slots.
 */
#include "mm/platform.h"
#include "arch/x86/mm_platform.h"
#include "arch/x86/layout.h"
#include "arch/x86/early_map.h"
#include "arch/x86/mmu.h"
#include "arch/x86/cpu.h"
#include "kernel/panic.h"

#define FIXMAP_SLOT_FRAME0 1 /* slots 1..MM_MAP_FRAME_SLOTS */

static paddr_t direct_end = BOOT_MAP_SIZE;
static unsigned frame_slots_used;
static void *(*map_frame_hook)(paddr_t pa);
static void (*unmap_frame_hook)(void *va);

void mm_set_direct_end(paddr_t end)
{
	direct_end = end;
}

void mm_set_frame_mapper(void *(*map)(paddr_t), void (*unmap)(void *))
{
	map_frame_hook = map;
	unmap_frame_hook = unmap;
}

paddr_t mm_direct_end(void)
{
	return direct_end;
}

void *mm_phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_VBASE);
}

paddr_t mm_virt_to_phys(const void *va)
{
	uintptr_t v = (uintptr_t)va;

	/* Not a direct-map address: an impossible physical address. */
	if (v < KERNEL_VBASE)
		return ~(paddr_t)0;
	return v - KERNEL_VBASE;
}

void *mm_map_frame(paddr_t pa)
{
	if (pa + PAGE_SIZE <= direct_end)
		return mm_phys_to_virt(pa);
	if (map_frame_hook)
		return map_frame_hook(pa);
	ASSERT(frame_slots_used < MM_MAP_FRAME_SLOTS);
	return fixmap_set(FIXMAP_SLOT_FRAME0 + frame_slots_used++, pa, PTE_RW);
}

void mm_unmap_frame(void *va)
{
	uintptr_t v = (uintptr_t)va;

	if (v >= KERNEL_VBASE && v < KERNEL_VBASE + direct_end)
		return;
	if (unmap_frame_hook) {
		unmap_frame_hook(va);
		return;
	}
	ASSERT(frame_slots_used > 0);
	ASSERT(v == FIXMAP_BASE + (FIXMAP_SLOT_FRAME0 + frame_slots_used - 1) * PAGE_SIZE);
	fixmap_clear(FIXMAP_SLOT_FRAME0 + --frame_slots_used);
}

/* Early physical reads through the boot map or the fixmap (see early_map.h). */
#include "arch/x86/early_map.h"
#include "arch/x86/layout.h"
#include "arch/x86/mmu.h"
#include "arch/x86/cpu.h"
#include "kernel/string.h"
#include "kernel/errno.h"

extern uint32_t fixmap_page_table[PTRS_PER_TABLE];
extern uint32_t boot_page_directory[PTRS_PER_TABLE];

paddr_t boot_pgdir_phys(void)
{
	return (uintptr_t)boot_page_directory - KERNEL_VBASE;
}

void *fixmap_set(unsigned slot, paddr_t pa, uint32_t flags)
{
	uintptr_t va = FIXMAP_BASE + (uintptr_t)slot * PAGE_SIZE;

	fixmap_page_table[slot] = (uint32_t)(pa & PTE_FRAME_MASK) | flags |
				  PTE_PRESENT;
	invlpg(va);
	return (void *)va;
}

void fixmap_clear(unsigned slot)
{
	uintptr_t va = FIXMAP_BASE + (uintptr_t)slot * PAGE_SIZE;

	fixmap_page_table[slot] = 0;
	invlpg(va);
}

int early_phys_read(paddr_t addr, void *dst, size_t len)
{
	uint8_t *out = dst;

	if (range_wraps_u64(addr, len) || addr + len > 0x100000000ULL)
		return ERR_RANGE;
	while (len) {
		size_t off = addr & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		if (addr + n <= BOOT_MAP_SIZE && addr >= PAGE_SIZE) {
			memcpy(out, (void *)(uintptr_t)(addr + KERNEL_VBASE), n);
		} else {
			uint8_t *va = fixmap_set(FIXMAP_SLOT_EARLY, addr, 0);
			memcpy(out, va + off, n);
			fixmap_clear(FIXMAP_SLOT_EARLY);
		}
		out += n;
		addr += n;
		len -= n;
	}
	return 0;
}

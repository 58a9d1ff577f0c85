/* Early physical reads through the boot map or the fixmap (see early_map.h). */
#include "arch/x86/early_map.h"
#include "arch/x86/layout.h"
#include "arch/x86/mmu.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "lib/errno.h"

/* Two-level paging reaches physical addresses below 4 GiB only. */
#define PHYS_ADDR_LIMIT 0x100000000ULL

/* Below this, physical memory is reached through the direct map: the boot
 * map at first, then whatever mm made the direct map (early_map_set_direct). */
static paddr_t direct_limit = BOOT_MAP_SIZE;

extern uint32_t fixmap_page_table[PTRS_PER_TABLE];
extern uint32_t boot_page_directory[PTRS_PER_TABLE];

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

void early_map_set_direct(paddr_t end)
{
	direct_limit = end;
}

int early_phys_read(paddr_t addr, void *dst, size_t len)
{
	uint8_t *out = dst;

	if (!range_below_u64(addr, len, PHYS_ADDR_LIMIT))
		return ERR_RANGE;
	while (len) {
		size_t off = addr & (PAGE_SIZE - 1);
		size_t n = MIN(len, PAGE_SIZE - off);
		if (addr + n <= direct_limit && addr >= PAGE_SIZE) {
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

int early_map_lowmem(paddr_t end, bool pse, paddr_t (*alloc_table)(void *ctx),
		     void *ctx)
{
	uint32_t first = BOOT_MAP_SIZE >> PGDIR_SHIFT;
	uint32_t last = (uint32_t)((end + PGDIR_SIZE - 1) >> PGDIR_SHIFT);

	if (pse)
		write_cr4(read_cr4() | CR4_PSE);
	for (uint32_t i = first; i < last; i++) {
		uint32_t *pde = &boot_page_directory[KERNEL_PDE_FIRST + i];
		uint32_t base = i << PGDIR_SHIFT;
		if (pse) {
			*pde = base | PDE_PS | PTE_RW | PTE_PRESENT;
		} else {
			paddr_t table = alloc_table(ctx);
			uint32_t *pt;
			if (!table || table + PAGE_SIZE > BOOT_MAP_SIZE)
				return ERR_NO_MEMORY;
			pt = (uint32_t *)(uintptr_t)(table + KERNEL_VBASE);
			for (uint32_t j = 0; j < PTRS_PER_TABLE; j++)
				pt[j] = (base + j * PAGE_SIZE) | PTE_RW | PTE_PRESENT;
			*pde = (uint32_t)table | PTE_RW | PTE_PRESENT;
		}
	}
	write_cr3(read_cr3());
	return 0;
}

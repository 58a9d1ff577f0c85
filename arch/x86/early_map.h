/*
 * Early access to physical memory, before mm/paging owns the page tables.
 * The boot page tables map the first BOOT_MAP_SIZE bytes at KERNEL_VBASE;
 * anything else below 4 GiB is reached through one slot of the fixmap, a
 * page table at FIXMAP_BASE that entry.asm installs.
 */
#ifndef ARCH_X86_EARLY_MAP_H
#define ARCH_X86_EARLY_MAP_H

#include "lib/types.h"

#define FIXMAP_SLOT_EARLY 0 /* used by early_phys_read */

/* Copies physical memory; returns 0 or ERR_RANGE above 4 GiB. */
int early_phys_read(paddr_t addr, void *dst, size_t len);

/* The direct map now covers [0, end) (it may be less than the boot map on
 * a small machine): early_phys_read uses the fixmap beyond. */
void early_map_set_direct(paddr_t end);

/* Maps frame `pa` at fixmap slot `slot` (PTE flags given); returns the VA. */
void *fixmap_set(unsigned slot, paddr_t pa, uint32_t flags);
void fixmap_clear(unsigned slot);

/*
 * Extends the boot page tables' direct map to cover [0, end): with 4 MiB
 * pages when `pse` (the CPU has PSE), otherwise with page tables whose
 * frames alloc_table returns (physical, already mapped, zeroed by us).
 * Returns 0 or ERR_NO_MEMORY.
 */
int early_map_lowmem(paddr_t end, bool pse, paddr_t (*alloc_table)(void *ctx),
		     void *ctx);

#endif

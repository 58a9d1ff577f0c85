/* Bringing up physical memory management at boot (kernel only). */
#ifndef MM_INIT_H
#define MM_INIT_H

#include "mm/memmap.h"

/*
 * What mm_init needs to know of this boot, in mm's own terms (the kernel
 * fills it in from the boot loader's information): the firmware's memory
 * map, and the regions the boot loader's structures and modules occupy,
 * which must never reach the buddy allocator.
 */
struct mm_boot_desc {
	const struct memmap_entry *map;
	unsigned map_count;
	const struct mem_region *in_use;
	unsigned nr_in_use;
};

/*
 * Sanitises the boot memory map, reserves what is in use, extends the
 * direct map over low memory, allocates the page array with bootmem and
 * hands every usable frame to the buddy allocator.  Prints each step.
 */
void mm_init(const struct mm_boot_desc *boot);

/*
 * Without PSE, mm_init maps low memory through page tables from bootmem;
 * once paging_init runs on its own tables they are garbage.  This gives
 * their frames to the buddy and drops their reserved region (called by
 * paging_init after the switch).  early_tables_freed says how many.
 */
void mm_free_early_tables(void);
extern unsigned long early_tables_freed;

/*
 * The slab layer and kmalloc's size classes (kmem_init), for the kernel's
 * boot: a class that could not be created stops the boot with a panic
 * naming it (kmem_init leaves it NULL, and the first kmalloc of its size
 * would dereference that).
 */
void kmem_boot_init(bool debug);

/* A page below 1 MiB that bootmem set aside for the AP start-up
 * trampoline (kernel/smp.c); 0 when low memory had none. */
extern paddr_t mm_trampoline_page;

/* The sanitised map and reserved regions of this boot. */
extern struct memmap boot_memmap;

/* Cost of buddy initialisation in TSC ticks (instructions under
 * QEMU -icount shift=0) and the number of frames it covered. */
extern uint64_t buddy_init_ticks;
extern unsigned long buddy_init_frames;

#endif

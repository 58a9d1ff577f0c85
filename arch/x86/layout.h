/*
 * The memory layout, in one place.  boot/entry.asm includes a NASM copy of
 * the plain "#define NAME value" lines below (the Makefile generates it), so
 * every number here is typed exactly once.  Keep values free of C-only
 * syntax (no casts, no U/UL suffixes) so both assemblers and compilers read
 * them alike.
 *
 *   0x00000000-0x00000FFF  never mapped: NULL dereferences fault
 *   0x00001000-0xBFFFFFFF  user half, per address space
 *   0xC0000000-...         direct map of low physical memory (phys + KERNEL_VBASE)
 *   0xC0100000             kernel image, loaded at 1 MiB physical
 *   VMALLOC_START-...      vmalloc areas, guard pages between them
 *   KMAP_BASE-...          temporary kmap window for high frames
 *   FIXMAP_BASE-4 GiB      fixed early mappings (boot-time peeks at physical memory)
 */
#ifndef ARCH_X86_LAYOUT_H
#define ARCH_X86_LAYOUT_H

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096
#define PGDIR_SHIFT 22
#define PGDIR_SIZE (1 << PGDIR_SHIFT) /* bytes one directory entry maps */
#define PTRS_PER_TABLE 1024

#define KERNEL_VBASE 0xC0000000
#define KERNEL_PHYS_LOAD 0x00100000
#define KERNEL_PDE_FIRST (KERNEL_VBASE >> PGDIR_SHIFT)

/* The boot page tables map the first BOOT_MAP_SIZE bytes of physical memory
 * (minus page 0) both at 0 and at KERNEL_VBASE, using 4 KiB pages so that no
 * CPU feature is needed to get into the higher half. */
#define BOOT_MAP_TABLES 4
#define BOOT_MAP_SIZE (BOOT_MAP_TABLES << PGDIR_SHIFT)

/* Low memory that may be direct-mapped: the rest of the top gigabyte is kept
 * for vmalloc, kmap and the fixmap, as on Linux/i386. */
#define LOWMEM_LIMIT 0x38000000
#define VMALLOC_START 0xF8800000
#define VMALLOC_END 0xFF800000
#define KMAP_BASE 0xFF800000
#define KMAP_SLOTS 512
#define FIXMAP_BASE 0xFFC00000
#define FIXMAP_SLOTS 1024

#define BOOT_STACK_SIZE 16384
#define DF_STACK_SIZE 8192

#endif

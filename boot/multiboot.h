/*
 * Multiboot 1 and 2 constants (Multiboot Specification 0.6.96 and 2.0),
 * shared by boot/entry.asm (through the generated NASM include) and the
 * boot-information parser.
 */
#ifndef BOOT_MULTIBOOT_H
#define BOOT_MULTIBOOT_H

#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_BOOTLOADER_MAGIC 0x2BADB002
#define MB1_HEADER_FLAGS 0x00000003 /* page-align modules, give memory info */

#define MB1_INFO_MEMORY 0x00000001
#define MB1_INFO_CMDLINE 0x00000004
#define MB1_INFO_MODS 0x00000008
#define MB1_INFO_MEM_MAP 0x00000040
#define MB1_INFO_BOOT_LOADER_NAME 0x00000200

#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_BOOTLOADER_MAGIC 0x36D76289
#define MB2_ARCH_I386 0
#define MB2_HEADER_TAG_ENTRY 3 /* header tag: entry address */

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_BOOT_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_MMAP 6

/*
 * What boot/early.asm reads to check that RAM covers the kernel image
 * (kernel/multiboot.c checks its structures against these offsets):
 * mem_upper is the KiB of memory from 1 MiB up to the first hole.
 */
#define MB_UPPER_MEMORY_BASE 0x100000
#define MB1_INFO_MEM_UPPER 8 /* offset in the Multiboot 1 information */
#define MB2_INFO_FIRST_TAG 8 /* after total_size and reserved */
#define MB2_TAG_ALIGN 8
#define MB2_BASIC_MEMINFO_UPPER 12 /* offset in the basic memory tag */

#define MB_MEMORY_AVAILABLE 1
#define MB_MEMORY_RESERVED 2
#define MB_MEMORY_ACPI_RECLAIMABLE 3
#define MB_MEMORY_NVS 4
#define MB_MEMORY_BADRAM 5

#endif

/*
 * What the boot loader told us, in one shape whichever Multiboot version
 * carried it.  kernel/multiboot.c fills it in and validates it; everything
 * after boot reads only this.
 */
#ifndef KERNEL_BOOTINFO_H
#define KERNEL_BOOTINFO_H

#include "lib/types.h"

#define BOOT_MMAP_MAX 64
#define BOOT_MODULES_MAX 8
/* A Multiboot 1 module count above this is taken for garbage: the
 * information is refused rather than read (and reserved) at random. */
#define BOOT_MODULES_CREDIBLE 1024
#define BOOT_CMDLINE_MAX 256
#define BOOT_NAME_MAX 64

struct boot_mmap_entry {
	paddr_t base;
	uint64_t length;
	uint32_t type; /* MB_MEMORY_* */
};

struct boot_module {
	paddr_t start, end; /* [start, end) */
	char name[BOOT_NAME_MAX];
};

struct boot_info {
	int version; /* 1 or 2 */
	paddr_t info_start, info_end; /* the Multiboot structure itself */
	char cmdline[BOOT_CMDLINE_MAX];
	char loader[BOOT_NAME_MAX];
	bool has_meminfo;
	uint32_t mem_lower_kb, mem_upper_kb;
	struct boot_mmap_entry mmap[BOOT_MMAP_MAX];
	unsigned mmap_count;
	struct boot_module modules[BOOT_MODULES_MAX];
	unsigned module_count;
	/*
	 * Modules listed past BOOT_MODULES_MAX: not in the table, but their
	 * memory must be kept from the allocators all the same, so the span
	 * [ignored_start, ignored_end) covering all of them is reserved whole.
	 */
	unsigned modules_ignored;
	paddr_t ignored_start, ignored_end;
	/* Multiboot 1's list of modules (and QEMU's command-line strings with
	 * it): outside the structure, and kept reserved like it. */
	paddr_t mods_list_start, mods_list_end;
	unsigned warnings; /* problems found and worked around */
	char last_warning[160];
};

/*
 * Reads len bytes of physical memory at addr into dst; returns 0 or a
 * negative error.  The kernel reads through the early mappings; the tests
 * hand the parser synthetic structures through their own reader.
 */
struct boot_mem_reader {
	int (*read)(void *ctx, paddr_t addr, void *dst, size_t len);
	void *ctx;
	bool quiet; /* collect warnings without printing them */
};

/*
 * Parses the Multiboot 1 or 2 information at physical address info, chosen
 * by magic.  Returns 0 (possibly with warnings counted in out->warnings) or
 * ERR_INVALID_ARGS (bad magic, unreadable or malformed structure, no memory
 * information at all); the reason is in out->last_warning either way.
 */
int bootinfo_parse(uint32_t magic, paddr_t info,
		   const struct boot_mem_reader *reader, struct boot_info *out);

/* Prints the boot information as a table. */
void bootinfo_print(const struct boot_info *bi);

const char *boot_mmap_type_name(uint32_t type);

/* The parsed information of this boot. */
extern struct boot_info boot_info;

#endif

/*
 * Multiboot 1 and 2 boot information -> struct boot_info.
 *
 * Nothing the boot loader hands us is trusted: every read goes through the
 * reader (which refuses addresses it cannot reach), every length is checked
 * before it is used, and each problem is either worked around with a
 * warning (a zero-length or wrapping memory map entry is dropped, overlaps
 * are reported and left to mm/memmap, a missing map falls back to the basic
 * memory size) or, when nothing sensible remains, returned as an error.
 * Layouts: Multiboot Specification 0.6.96 section 3.3, Multiboot2 section 3.6.
 */
#include "kernel/bootinfo.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "boot/multiboot.h"

#define MB1_INFO_SIZE 88 /* through vbe_interface_len */
#define MB1_MMAP_ENTRY_MIN 20 /* base, length, type after the size field */
#define MB2_INFO_MAX (1024 * 1024)
#define MB2_MMAP_ENTRY_MIN 24

/* 64-bit values for %llx/%llu, on the host (a fuzz target) as on i386. */
#define ULL(x) ((unsigned long long)(x))

struct boot_info boot_info;

struct mb1_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr, drives_length, drives_addr;
	uint32_t config_table, boot_loader_name, apm_table;
	uint32_t vbe[4];
} __packed;
STATIC_ASSERT(sizeof(struct mb1_info) == MB1_INFO_SIZE, "MB1 info layout");
STATIC_ASSERT(offsetof(struct mb1_info, mem_upper) == MB1_INFO_MEM_UPPER,
	      "boot/early.asm reads mem_upper there");

struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base, length;
	uint32_t type;
} __packed;

struct mb1_module {
	uint32_t start, end, string, reserved;
};

struct mb2_tag {
	uint32_t type, size;
};

struct mb2_mmap_entry {
	uint64_t base, length;
	uint32_t type, reserved;
} __packed;

const char *boot_mmap_type_name(uint32_t type)
{
	switch (type) {
	case MB_MEMORY_AVAILABLE:
		return "available";
	case MB_MEMORY_RESERVED:
		return "reserved";
	case MB_MEMORY_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MB_MEMORY_NVS:
		return "ACPI NVS";
	case MB_MEMORY_BADRAM:
		return "bad RAM";
	default:
		return "unknown (reserved)";
	}
}

static __printf(3, 4) void warn(struct boot_info *bi,
				const struct boot_mem_reader *r,
				const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bi->last_warning, sizeof(bi->last_warning), fmt, ap);
	va_end(ap);
	bi->warnings++;
	if (!r->quiet)
		printk("multiboot: %s\n", bi->last_warning);
}

static int rd(const struct boot_mem_reader *r, paddr_t addr, void *dst,
	      size_t len)
{
	if (range_wraps_u64(addr, len))
		return ERR_RANGE;
	return r->read(r->ctx, addr, dst, len);
}

/* Copies a NUL-terminated string; an unreadable one becomes "".  Returns
 * true if it did not fit (dst then holds its first size - 1 characters). */
static bool read_string(const struct boot_mem_reader *r, paddr_t addr,
			char *dst, size_t size)
{
	size_t i;
	char next;

	for (i = 0; i + 1 < size; i++) {
		if (rd(r, addr + i, &dst[i], 1) || dst[i] == '\0')
			break;
	}
	dst[i] = '\0';
	return i + 1 == size && !rd(r, addr + i, &next, 1) && next != '\0';
}

/* The command line is what the user asked for: a cut is said, with what
 * was lost (its start), never made silently. */
static void read_cmdline(struct boot_info *bi, const struct boot_mem_reader *r,
			 paddr_t addr)
{
	char tail[32];

	if (!read_string(r, addr, bi->cmdline, sizeof(bi->cmdline)))
		return;
	read_string(r, addr + sizeof(bi->cmdline) - 1, tail, sizeof(tail));
	warn(bi, r, "the command line is longer than %u characters; ignored from \"%s%s\" on",
	     (unsigned)sizeof(bi->cmdline) - 1, tail,
	     strlen(tail) == sizeof(tail) - 1 ? "..." : "");
}

static void add_mmap_entry(struct boot_info *bi,
			   const struct boot_mem_reader *r, unsigned index,
			   uint64_t base, uint64_t length, uint32_t type)
{
	if (length == 0) {
		warn(bi, r, "memory map entry %u at %#llx has zero length; ignored",
		     index, ULL(base));
		return;
	}
	if (range_wraps_u64(base, length)) {
		warn(bi, r, "memory map entry %u at %#llx, length %#llx, wraps past the end of the address space; ignored",
		     index, ULL(base), ULL(length));
		return;
	}
	if (bi->mmap_count == BOOT_MMAP_MAX) {
		warn(bi, r, "memory map entry %u: more than %d entries; the rest are ignored",
		     index, BOOT_MMAP_MAX);
		return;
	}
	bi->mmap[bi->mmap_count].base = base;
	bi->mmap[bi->mmap_count].length = length;
	bi->mmap[bi->mmap_count].type = type;
	bi->mmap_count++;
}

/* A module past the table: only its memory is recorded, in the span of
 * all such modules (said once, however many more the boot loader lists). */
static void add_ignored_module(struct boot_info *bi,
			       const struct boot_mem_reader *r,
			       uint32_t start, uint32_t end)
{
	if (!bi->modules_ignored++) {
		warn(bi, r, "more than %d modules; the rest are not listed, but their memory is reserved",
		     BOOT_MODULES_MAX);
		bi->ignored_start = start;
		bi->ignored_end = end;
		return;
	}
	bi->ignored_start = MIN(bi->ignored_start, (paddr_t)start);
	bi->ignored_end = MAX(bi->ignored_end, (paddr_t)end);
}

static void add_module(struct boot_info *bi, const struct boot_mem_reader *r,
		       uint32_t start, uint32_t end, paddr_t name)
{
	struct boot_module *m;

	if (end < start) {
		warn(bi, r, "module at %#x ends before it starts (%#x); ignored",
		     start, end);
		return;
	}
	if (bi->module_count == BOOT_MODULES_MAX) {
		add_ignored_module(bi, r, start, end);
		return;
	}
	m = &bi->modules[bi->module_count++];
	m->start = start;
	m->end = end;
	read_string(r, name, m->name, sizeof(m->name));
}

/* Two entries overlapping is legal but worth saying; memmap resolves it. */
static void check_overlaps(struct boot_info *bi, const struct boot_mem_reader *r)
{
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		for (unsigned j = i + 1; j < bi->mmap_count; j++) {
			const struct boot_mmap_entry *a = &bi->mmap[i];
			const struct boot_mmap_entry *b = &bi->mmap[j];
			if (a->base < b->base + b->length &&
			    b->base < a->base + a->length)
				warn(bi, r, "memory map entries %u (%s) and %u (%s) overlap at %#llx; the reserved type wins",
				     i, boot_mmap_type_name(a->type), j,
				     boot_mmap_type_name(b->type),
				     ULL(a->base > b->base ? a->base : b->base));
		}
	}
}

/* No map: describe low and upper memory from the basic sizes instead. */
static int fallback_meminfo(struct boot_info *bi,
			    const struct boot_mem_reader *r)
{
	uint64_t upper = (uint64_t)bi->mem_upper_kb * 1024;

	if (!bi->has_meminfo) {
		warn(bi, r, "no memory map and no memory size: cannot know where RAM is");
		return ERR_INVALID_ARGS;
	}
	warn(bi, r, "no memory map; using mem_lower %u KiB and mem_upper %u KiB",
	     bi->mem_lower_kb, bi->mem_upper_kb);
	add_mmap_entry(bi, r, 0, 0, (uint64_t)bi->mem_lower_kb * 1024,
		       MB_MEMORY_AVAILABLE);
	add_mmap_entry(bi, r, 1, 0x100000, upper, MB_MEMORY_AVAILABLE);
	return 0;
}

static int parse_mb1_mmap(struct boot_info *bi, const struct boot_mem_reader *r,
			  paddr_t addr, uint32_t length)
{
	paddr_t end = addr + length;
	unsigned index = 0;

	while (addr + sizeof(struct mb1_mmap_entry) <= end) {
		struct mb1_mmap_entry e;
		if (rd(r, addr, &e, sizeof(e))) {
			warn(bi, r, "memory map entry %u at %#llx is unreadable",
			     index, ULL(addr));
			return ERR_INVALID_ARGS;
		}
		if (e.size < MB1_MMAP_ENTRY_MIN) {
			warn(bi, r, "memory map entry %u has size %u, less than %d; map abandoned",
			     index, e.size, MB1_MMAP_ENTRY_MIN);
			break;
		}
		add_mmap_entry(bi, r, index++, e.base, e.length, e.type);
		addr += (paddr_t)e.size + 4;
	}
	return 0;
}

/* Every module is read, however many: each one's memory must be reserved. */
static int parse_mb1_modules(struct boot_info *bi,
			     const struct boot_mem_reader *r,
			     const struct mb1_info *mb)
{
	if (mb->mods_count > BOOT_MODULES_CREDIBLE) {
		warn(bi, r, "module count %u is not credible (more than %d); the information is refused",
		     mb->mods_count, BOOT_MODULES_CREDIBLE);
		return ERR_INVALID_ARGS;
	}
	if (mb->mods_count) {
		bi->mods_list_start = mb->mods_addr;
		bi->mods_list_end = (paddr_t)mb->mods_addr +
				    (paddr_t)mb->mods_count * sizeof(struct mb1_module);
	}
	for (uint32_t i = 0; i < mb->mods_count; i++) {
		struct mb1_module m;
		if (rd(r, (paddr_t)mb->mods_addr + (paddr_t)i * sizeof(m), &m,
		       sizeof(m))) {
			warn(bi, r, "module %u is unreadable", i);
			break;
		}
		add_module(bi, r, m.start, m.end, m.string);
	}
	return 0;
}

static int parse_mb1(struct boot_info *bi, const struct boot_mem_reader *r,
		     paddr_t info)
{
	struct mb1_info mb;

	if (rd(r, info, &mb, sizeof(mb))) {
		warn(bi, r, "Multiboot 1 information at %#llx is unreadable", ULL(info));
		return ERR_INVALID_ARGS;
	}
	bi->version = 1;
	bi->info_end = info + sizeof(mb);
	if (mb.flags & MB1_INFO_MEMORY) {
		bi->has_meminfo = true;
		bi->mem_lower_kb = mb.mem_lower;
		bi->mem_upper_kb = mb.mem_upper;
	}
	if (mb.flags & MB1_INFO_CMDLINE)
		read_cmdline(bi, r, mb.cmdline);
	if (mb.flags & MB1_INFO_BOOT_LOADER_NAME)
		read_string(r, mb.boot_loader_name, bi->loader,
			    sizeof(bi->loader));
	if ((mb.flags & MB1_INFO_MODS) && parse_mb1_modules(bi, r, &mb))
		return ERR_INVALID_ARGS;
	if (mb.flags & MB1_INFO_MEM_MAP)
		return parse_mb1_mmap(bi, r, mb.mmap_addr, mb.mmap_length);
	return fallback_meminfo(bi, r);
}

static void parse_mb2_mmap(struct boot_info *bi, const struct boot_mem_reader *r,
			   paddr_t tag, uint32_t size)
{
	uint32_t hdr[2]; /* entry_size, entry_version */
	unsigned index = 0;

	if (size < 16 || rd(r, tag + 8, hdr, sizeof(hdr)) ||
	    hdr[0] < MB2_MMAP_ENTRY_MIN) {
		warn(bi, r, "memory map tag at %#llx is malformed; ignored", ULL(tag));
		return;
	}
	for (uint32_t off = 16; off + hdr[0] <= size; off += hdr[0]) {
		struct mb2_mmap_entry e;
		if (rd(r, tag + off, &e, sizeof(e))) {
			warn(bi, r, "memory map entry %u is unreadable", index);
			return;
		}
		add_mmap_entry(bi, r, index++, e.base, e.length, e.type);
	}
}

/* Returns true if it found a memory map. */
static bool parse_mb2_tag(struct boot_info *bi, const struct boot_mem_reader *r,
			  paddr_t tag, const struct mb2_tag *t)
{
	uint32_t v[2];

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		read_cmdline(bi, r, tag + 8);
		break;
	case MB2_TAG_BOOT_LOADER_NAME:
		read_string(r, tag + 8, bi->loader, sizeof(bi->loader));
		break;
	case MB2_TAG_MODULE:
		if (t->size >= 16 && !rd(r, tag + 8, v, sizeof(v)))
			add_module(bi, r, v[0], v[1], tag + 16);
		break;
	case MB2_TAG_BASIC_MEMINFO:
		if (t->size >= 16 && !rd(r, tag + 8, v, sizeof(v))) {
			bi->has_meminfo = true;
			bi->mem_lower_kb = v[0];
			bi->mem_upper_kb = v[1];
		}
		break;
	case MB2_TAG_MMAP:
		parse_mb2_mmap(bi, r, tag, t->size);
		return true;
	}
	return false;
}

static int parse_mb2(struct boot_info *bi, const struct boot_mem_reader *r,
		     paddr_t info)
{
	uint32_t total;
	bool have_map = false, ended = false;
	paddr_t tag;

	if (rd(r, info, &total, sizeof(total)) || total < 16 ||
	    total > MB2_INFO_MAX) {
		warn(bi, r, "Multiboot 2 information at %#llx is unreadable or has a bad size",
		     ULL(info));
		return ERR_INVALID_ARGS;
	}
	bi->version = 2;
	bi->info_end = info + total;
	for (tag = info + MB2_INFO_FIRST_TAG; tag + 8 <= info + total;) {
		struct mb2_tag t;
		if (rd(r, tag, &t, sizeof(t)) || t.size < 8 ||
		    t.size > info + total - tag) {
			warn(bi, r, "tag at %#llx is unreadable or runs past the end; the rest is ignored",
			     ULL(tag));
			break;
		}
		if (t.type == MB2_TAG_END) {
			ended = true;
			break;
		}
		have_map |= parse_mb2_tag(bi, r, tag, &t);
		tag += ALIGN_UP((paddr_t)t.size, MB2_TAG_ALIGN);
	}
	if (!ended)
		warn(bi, r, "no end tag within %u bytes", total);
	if (!have_map)
		return fallback_meminfo(bi, r);
	return 0;
}

int bootinfo_parse(uint32_t magic, paddr_t info,
		   const struct boot_mem_reader *r, struct boot_info *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->info_start = out->info_end = info;
	if (magic == MB1_BOOTLOADER_MAGIC)
		err = parse_mb1(out, r, info);
	else if (magic == MB2_BOOTLOADER_MAGIC)
		err = parse_mb2(out, r, info);
	else {
		warn(out, r, "bad boot loader magic %#x: expected %#x (Multiboot 1) or %#x (Multiboot 2)",
		     magic, MB1_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
		return ERR_INVALID_ARGS;
	}
	if (err)
		return err;
	if (out->mmap_count == 0) {
		warn(out, r, "the memory map has no usable entries");
		return ERR_INVALID_ARGS;
	}
	check_overlaps(out, r);
	return 0;
}

static void print_size(uint64_t bytes)
{
	if (bytes >= (16ULL << 20) && !(bytes & ((1ULL << 20) - 1)))
		printk("%7llu MiB", ULL(bytes >> 20));
	else if (bytes >= 1024 && !(bytes & 1023))
		printk("%7llu KiB", ULL(bytes >> 10));
	else
		printk("%7llu B  ", ULL(bytes));
}

void bootinfo_print(const struct boot_info *bi)
{
	printk("Boot information: Multiboot %d from %s, at %#llx-%#llx\n",
	       bi->version, bi->loader[0] ? bi->loader : "(unnamed loader)",
	       ULL(bi->info_start), ULL(bi->info_end));
	printk("  command line: \"%s\"\n", bi->cmdline);
	if (bi->has_meminfo)
		printk("  basic memory: lower %u KiB, upper %u KiB\n",
		       bi->mem_lower_kb, bi->mem_upper_kb);
	printk("  memory map (%u entries):\n", bi->mmap_count);
	printk("    %-18s  %-18s  %-10s  %s\n", "start", "end", "size", "type");
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct boot_mmap_entry *e = &bi->mmap[i];
		printk("    0x%016llx  0x%016llx  ", ULL(e->base),
		       ULL(e->base + e->length - 1));
		print_size(e->length);
		printk("  %s\n", boot_mmap_type_name(e->type));
	}
	if (!bi->module_count)
		printk("  modules: none\n");
	for (unsigned i = 0; i < bi->module_count; i++)
		printk("  module %u: %#llx-%#llx \"%s\"\n", i,
		       ULL(bi->modules[i].start), ULL(bi->modules[i].end),
		       bi->modules[i].name);
	if (bi->modules_ignored)
		printk("  %u more module(s) in %#llx-%#llx, reserved whole\n",
		       bi->modules_ignored, ULL(bi->ignored_start),
		       ULL(bi->ignored_end));
	if (bi->warnings)
		printk("  %u warning(s); the last: %s\n", bi->warnings,
		       bi->last_warning);
}

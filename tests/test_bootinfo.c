/*
 * Suite bootinfo: the Multiboot parser on synthetic structures, good and
 * bad, for both versions.  The structures live in `fake`, which the test
 * reader presents as physical memory at FAKE_BASE; anything outside it is
 * unreadable, as memory beyond the machine's would be.
 */
#include "tests/ktest.h"
#include "kernel/bootinfo.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "boot/multiboot.h"
#include "kernel/cmdline.h"
#include "lib/printk.h"

#define FAKE_BASE 0x10000
#define FAKE_SIZE 4096

static uint8_t fake[FAKE_SIZE] __aligned(8);
static struct boot_info bi;

static int fake_read(void *ctx, paddr_t addr, void *dst, size_t len)
{
	(void)ctx;
	if (addr < FAKE_BASE || addr + len > FAKE_BASE + FAKE_SIZE)
		return ERR_RANGE;
	memcpy(dst, fake + (addr - FAKE_BASE), len);
	return 0;
}

static const struct boot_mem_reader reader = { fake_read, NULL, true };

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void put32(uint32_t off, uint32_t v)
{
	memcpy(fake + off, &v, 4);
}

static void put64(uint32_t off, uint64_t v)
{
	memcpy(fake + off, &v, 8);
}

static void put_str(uint32_t off, const char *s)
{
	memcpy(fake + off, s, strlen(s) + 1);
}

/* --- Multiboot 1 ------------------------------------------------------ */

#define MB1_MMAP 256
#define MB1_CMDLINE 1024
#define MB1_LOADER 1100
#define MB1_MODS 1200
#define MB1_MODNAME 1300

static void mb1_entry(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
	uint32_t off = MB1_MMAP + i * 24;

	put32(off, 20);
	put64(off + 4, base);
	put64(off + 12, len);
	put32(off + 20, type);
}

/* Header with a memory map of n entries (filled by the caller). */
static void mb1_build(unsigned n, uint32_t flags)
{
	memset(fake, 0, sizeof(fake));
	put32(0, flags);
	put32(4, 639);
	put32(8, 31 * 1024);
	put32(16, FAKE_BASE + MB1_CMDLINE);
	put32(20, 1);
	put32(24, FAKE_BASE + MB1_MODS);
	put32(44, n * 24);
	put32(48, FAKE_BASE + MB1_MMAP);
	put32(64, FAKE_BASE + MB1_LOADER);
	put_str(MB1_CMDLINE, "/boot/kernel.elf ktest=bootinfo");
	put_str(MB1_LOADER, "GRUB 2.06");
	put32(MB1_MODS, 0x400000);
	put32(MB1_MODS + 4, 0x401000);
	put32(MB1_MODS + 8, FAKE_BASE + MB1_MODNAME);
	put_str(MB1_MODNAME, "initrd");
}

#define MB1_ALL (MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | \
		 MB1_INFO_MEM_MAP | MB1_INFO_BOOT_LOADER_NAME)

KTEST(bootinfo, "Multiboot 1: map, command line, loader and module")
{
	mb1_build(3, MB1_ALL);
	mb1_entry(0, 0, 0x9fc00, MB_MEMORY_AVAILABLE);
	mb1_entry(1, 0xf0000, 0x10000, MB_MEMORY_RESERVED);
	mb1_entry(2, 0x100000, 0x1f00000, MB_MEMORY_AVAILABLE);
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(1, bi.version);
	EXPECT_EQ(0, bi.warnings);
	ASSERT_EQ(3, bi.mmap_count);
	EXPECT_EQ(0x100000, bi.mmap[2].base);
	EXPECT_EQ(0x1f00000, bi.mmap[2].length);
	EXPECT_EQ(MB_MEMORY_RESERVED, bi.mmap[1].type);
	EXPECT_STREQ("/boot/kernel.elf ktest=bootinfo", bi.cmdline);
	EXPECT_STREQ("GRUB 2.06", bi.loader);
	ASSERT_EQ(1, bi.module_count);
	EXPECT_EQ(0x400000, bi.modules[0].start);
	EXPECT_EQ(0x401000, bi.modules[0].end);
	EXPECT_STREQ("initrd", bi.modules[0].name);
	EXPECT_EQ(639, bi.mem_lower_kb);
	EXPECT_EQ(FAKE_BASE, bi.info_start);
}

KTEST(bootinfo, "bad magic is refused with a message naming both magics")
{
	mb1_build(1, MB1_ALL);
	EXPECT_EQ(ERR_INVALID_ARGS,
		  bootinfo_parse(0xDEADBEEF, FAKE_BASE, &reader, &bi));
	EXPECT_TRUE(starts_with(bi.last_warning, "bad boot loader magic 0xdeadbeef: expected 0x2badb002"));
}

KTEST(bootinfo, "Multiboot 1 without a map falls back to mem_lower/mem_upper")
{
	mb1_build(0, MB1_INFO_MEMORY);
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(1, bi.warnings);
	ASSERT_EQ(2, bi.mmap_count);
	EXPECT_EQ(639 * 1024, bi.mmap[0].length);
	EXPECT_EQ(0x100000, bi.mmap[1].base);
	EXPECT_EQ(31 * 1024 * 1024, bi.mmap[1].length);
}

KTEST(bootinfo, "no map and no memory size is an error, not a guess")
{
	mb1_build(0, MB1_INFO_CMDLINE);
	EXPECT_EQ(ERR_INVALID_ARGS,
		  bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_TRUE(starts_with(bi.last_warning, "no memory map and no memory size"));
}

KTEST(bootinfo, "zero-length and wrapping entries are dropped with a warning")
{
	mb1_build(4, MB1_ALL);
	mb1_entry(0, 0x100000, 0x100000, MB_MEMORY_AVAILABLE);
	mb1_entry(1, 0x300000, 0, MB_MEMORY_AVAILABLE);
	mb1_entry(2, 0xFFFFFFFFFFFFF000ULL, 0x2000, MB_MEMORY_AVAILABLE);
	mb1_entry(3, 0x400000, 0x1000, MB_MEMORY_AVAILABLE);
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(2, bi.mmap_count);
	EXPECT_EQ(2, bi.warnings);
	EXPECT_EQ(0x400000, bi.mmap[1].base);
}

KTEST(bootinfo, "overlapping entries are reported and kept for memmap")
{
	mb1_build(2, MB1_ALL);
	mb1_entry(0, 0x100000, 0x400000, MB_MEMORY_AVAILABLE);
	mb1_entry(1, 0x300000, 0x1000, MB_MEMORY_RESERVED);
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(2, bi.mmap_count);
	EXPECT_EQ(1, bi.warnings);
	EXPECT_TRUE(starts_with(bi.last_warning, "memory map entries 0 (available) and 1 (reserved) overlap at 0x300000;"));
}

KTEST(bootinfo, "a map entry with a short size field stops the walk safely")
{
	mb1_build(2, MB1_ALL);
	mb1_entry(0, 0x100000, 0x100000, MB_MEMORY_AVAILABLE);
	mb1_entry(1, 0x300000, 0x1000, MB_MEMORY_AVAILABLE);
	put32(MB1_MMAP + 24, 4); /* entry 1 claims 4 bytes */
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(1, bi.mmap_count);
	EXPECT_EQ(1, bi.warnings);
}

KTEST(bootinfo, "20 modules: 8 in the table, the span of the other 12 kept for reservation, one warning")
{
	mb1_build(1, MB1_ALL);
	mb1_entry(0, 0x100000, 0x100000, MB_MEMORY_AVAILABLE);
	put32(20, 20); /* mods_count: 20 modules of a page each, at offset 2048 */
	put32(24, FAKE_BASE + 2048);
	for (uint32_t i = 0; i < 20; i++) {
		memcpy(fake + 2048 + i * 16, fake + MB1_MODS, 16);
		put32(2048 + i * 16, 0x400000 + i * 0x1000);
		put32(2048 + i * 16 + 4, 0x401000 + i * 0x1000);
	}
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(BOOT_MODULES_MAX, bi.module_count);
	EXPECT_EQ(20 - BOOT_MODULES_MAX, bi.modules_ignored);
	EXPECT_EQ(0x400000 + BOOT_MODULES_MAX * 0x1000, bi.ignored_start);
	EXPECT_EQ(0x414000, bi.ignored_end);
	EXPECT_EQ(1, bi.warnings);
}

KTEST(bootinfo, "a module count past belief is refused, not read")
{
	mb1_build(1, MB1_ALL);
	mb1_entry(0, 0x100000, 0x100000, MB_MEMORY_AVAILABLE);
	put32(20, BOOT_MODULES_CREDIBLE + 1);
	EXPECT_EQ(ERR_INVALID_ARGS,
		  bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_TRUE(starts_with(bi.last_warning, "module count 1025 is not credible"));
}

/* A command line of `len` characters at offset 2048: "ktest=string xxx...x". */
static void mb1_long_cmdline(size_t len)
{
	char *line = (char *)fake + 2048;

	mb1_build(1, MB1_ALL);
	mb1_entry(0, 0x100000, 0x100000, MB_MEMORY_AVAILABLE);
	put32(16, FAKE_BASE + 2048);
	memset(line, 'x', len);
	memcpy(line, "ktest=string ", 13);
	line[len] = '\0';
}

KTEST(bootinfo, "a command line longer than 255 characters is cut with a warning naming what is lost")
{
	mb1_long_cmdline(BOOT_CMDLINE_MAX - 1);
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(0, bi.warnings); /* 255 fit */
	EXPECT_EQ(BOOT_CMDLINE_MAX - 1, strlen(bi.cmdline));
	mb1_long_cmdline(BOOT_CMDLINE_MAX + 40);
	memcpy(fake + 2048 + BOOT_CMDLINE_MAX - 1, "lost", 4);
	ASSERT_EQ(0, bootinfo_parse(MB1_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(1, bi.warnings);
	EXPECT_EQ(BOOT_CMDLINE_MAX - 1, strlen(bi.cmdline));
	EXPECT_TRUE(starts_with(bi.last_warning, "the command line is longer than 255 characters; ignored from \"lostxxx"));
}

KTEST(bootinfo, "a command line of more than 32 words keeps 32 and gives back the rest, for a warning")
{
	char line[160], *w[32];
	const char *ignored;
	size_t len = 0;

	for (unsigned i = 0; i < 40; i++)
		len += snprintf(line + len, sizeof(line) - len, "w%u ", i);
	ASSERT_EQ(32, cmdline_split(line, w, 32, &ignored));
	EXPECT_STREQ("w0", w[0]);
	EXPECT_STREQ("w31", w[31]); /* not "w31 w32 ..." */
	EXPECT_STREQ("w32 w33 w34 w35 w36 w37 w38 w39 ", ignored);
	strlcpy(line, "a b c  \t", sizeof(line)); /* as many words as room */
	EXPECT_EQ(3, cmdline_split(line, w, 3, &ignored));
	EXPECT_STREQ("c", w[2]);
	EXPECT_NULL(ignored);
}

KTEST(bootinfo, "information outside readable memory is an error")
{
	EXPECT_EQ(ERR_INVALID_ARGS, bootinfo_parse(MB1_BOOTLOADER_MAGIC,
						   FAKE_BASE + FAKE_SIZE - 8,
						   &reader, &bi));
	EXPECT_EQ(ERR_INVALID_ARGS,
		  bootinfo_parse(MB2_BOOTLOADER_MAGIC, 0x900000, &reader, &bi));
}

/* --- Multiboot 2 ------------------------------------------------------ */

static uint32_t mb2_off;

static uint32_t mb2_tag(uint32_t type, uint32_t size)
{
	uint32_t at = mb2_off;

	put32(at, type);
	put32(at + 4, size);
	mb2_off += ALIGN_UP(size, 8);
	return at;
}

static void mb2_build(bool with_map, bool with_end)
{
	uint32_t t;

	memset(fake, 0, sizeof(fake));
	mb2_off = 8;
	t = mb2_tag(MB2_TAG_CMDLINE, 8 + 6);
	put_str(t + 8, "ktest");
	t = mb2_tag(MB2_TAG_BOOT_LOADER_NAME, 8 + 10);
	put_str(t + 8, "GRUB 2.06");
	t = mb2_tag(MB2_TAG_BASIC_MEMINFO, 16);
	put32(t + 8, 639);
	put32(t + 12, 64 * 1024);
	t = mb2_tag(MB2_TAG_MODULE, 16 + 4);
	put32(t + 8, 0x500000);
	put32(t + 12, 0x502000);
	put_str(t + 16, "mod");
	if (with_map) {
		t = mb2_tag(MB2_TAG_MMAP, 16 + 3 * 24);
		put32(t + 8, 24);
		put32(t + 12, 0);
		put64(t + 16, 0);
		put64(t + 24, 0x9fc00);
		put32(t + 32, MB_MEMORY_AVAILABLE);
		put64(t + 40, 0x100000);
		put64(t + 48, 0x3f00000);
		put32(t + 56, MB_MEMORY_AVAILABLE);
		put64(t + 64, 0x100000000ULL);
		put64(t + 72, 0x40000000);
		put32(t + 80, MB_MEMORY_AVAILABLE);
	}
	if (with_end)
		mb2_tag(MB2_TAG_END, 8);
	put32(0, mb2_off);
}

KTEST(bootinfo, "Multiboot 2: tags for map, command line, loader, module")
{
	mb2_build(true, true);
	ASSERT_EQ(0, bootinfo_parse(MB2_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(2, bi.version);
	EXPECT_EQ(0, bi.warnings);
	ASSERT_EQ(3, bi.mmap_count);
	EXPECT_EQ(0x100000000ULL, bi.mmap[2].base);
	EXPECT_EQ(0x3f00000, bi.mmap[1].length);
	EXPECT_STREQ("ktest", bi.cmdline);
	EXPECT_STREQ("GRUB 2.06", bi.loader);
	ASSERT_EQ(1, bi.module_count);
	EXPECT_STREQ("mod", bi.modules[0].name);
	EXPECT_EQ(0x502000, bi.modules[0].end);
	EXPECT_EQ(FAKE_BASE + mb2_off, bi.info_end);
}

KTEST(bootinfo, "Multiboot 2: 21 module tags: 8 in the table, the span of the rest kept, one warning")
{
	mb2_build(true, false); /* one module already */
	for (unsigned i = 0; i < 20; i++) {
		uint32_t t = mb2_tag(MB2_TAG_MODULE, 16 + 4);
		put32(t + 8, 0x600000 + i * 0x1000);
		put32(t + 12, 0x601000 + i * 0x1000);
		put_str(t + 16, "m");
	}
	mb2_tag(MB2_TAG_END, 8);
	put32(0, mb2_off);
	ASSERT_EQ(0, bootinfo_parse(MB2_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(BOOT_MODULES_MAX, bi.module_count);
	EXPECT_EQ(21 - BOOT_MODULES_MAX, bi.modules_ignored);
	/* the table took "mod" and the first 7 of these */
	EXPECT_EQ(0x600000 + (BOOT_MODULES_MAX - 1) * 0x1000, bi.ignored_start);
	EXPECT_EQ(0x614000, bi.ignored_end);
	EXPECT_EQ(1, bi.warnings);
}

KTEST(bootinfo, "Multiboot 2 without a map tag uses the basic memory tag")
{
	mb2_build(false, true);
	ASSERT_EQ(0, bootinfo_parse(MB2_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(2, bi.mmap_count);
	EXPECT_EQ(64 * 1024 * 1024, bi.mmap[1].length);
}

KTEST(bootinfo, "Multiboot 2 tag running past total_size is cut off safely")
{
	mb2_build(true, false);
	put32(mb2_off - 16 - 3 * 24 + 4, 4000); /* the map tag's size */
	ASSERT_EQ(0, bootinfo_parse(MB2_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	EXPECT_EQ(2, bi.mmap_count); /* from the basic memory tag */
	EXPECT_GE(bi.warnings, 2);
}

KTEST(bootinfo, "Multiboot 2 with an absurd total_size is refused")
{
	mb2_build(true, true);
	put32(0, 4);
	EXPECT_EQ(ERR_INVALID_ARGS,
		  bootinfo_parse(MB2_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
	put32(0, 0x7fffffff);
	EXPECT_EQ(ERR_INVALID_ARGS,
		  bootinfo_parse(MB2_BOOTLOADER_MAGIC, FAKE_BASE, &reader, &bi));
}

KTEST(bootinfo, "this boot's own information has a memory map with RAM in it")
{
	bool ram = false;

	EXPECT_TRUE(boot_info.version == 1 || boot_info.version == 2);
	for (unsigned i = 0; i < boot_info.mmap_count; i++)
		ram |= boot_info.mmap[i].type == MB_MEMORY_AVAILABLE;
	EXPECT_TRUE(ram);
}

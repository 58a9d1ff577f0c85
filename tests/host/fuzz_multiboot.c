/*
 * libFuzzer target: the Multiboot 1 and 2 parser (kernel/multiboot.c) on
 * whatever a boot loader could hand over.
 *
 * The input is a magic selector, the offset of the information structure
 * and an image of physical memory at IMAGE_BASE; the reader refuses every
 * address outside the image, as memory beyond a machine's would be.  The
 * parser must never crash (AddressSanitizer, UBSan), must return 0 or
 * ERR_INVALID_ARGS with a reason, and on success its boot_info must be
 * sound: a known version, counts within their arrays, no zero-length or
 * wrapping map entry, modules (and the span of those past the table) that
 * end after they start, strings terminated.  Printing the result must not
 * crash either.
 */
#include "kernel/bootinfo.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "boot/multiboot.h"
#include "tests/host/platform_host.h"
#include "tests/host/fuzz_input.h"
#include <stdio.h>
#include <stdlib.h>

#define IMAGE_BASE 0x10000u
#define IMAGE_MAX 65536u

struct image {
	const uint8_t *bytes;
	size_t size;
};

static int image_read(void *ctx, paddr_t addr, void *dst, size_t len)
{
	const struct image *im = ctx;

	if (addr < IMAGE_BASE || addr - IMAGE_BASE > im->size ||
	    len > im->size - (addr - IMAGE_BASE))
		return ERR_RANGE;
	memcpy(dst, im->bytes + (addr - IMAGE_BASE), len);
	return 0;
}

static void die(const char *why, const struct boot_info *bi)
{
	fprintf(stderr, "fuzz_multiboot: %s (last warning: %.160s)\n", why, bi->last_warning);
	abort();
}

static bool terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void check_sound(const struct boot_info *bi)
{
	if (bi->version != 1 && bi->version != 2)
		die("unknown version", bi);
	if (bi->mmap_count > BOOT_MMAP_MAX || bi->module_count > BOOT_MODULES_MAX)
		die("a count past its array", bi);
	for (unsigned i = 0; i < bi->mmap_count; i++)
		if (!bi->mmap[i].length || range_wraps_u64(bi->mmap[i].base, bi->mmap[i].length))
			die("a zero-length or wrapping memory map entry was kept", bi);
	for (unsigned i = 0; i < bi->module_count; i++)
		if (bi->modules[i].end < bi->modules[i].start ||
		    !terminated(bi->modules[i].name, sizeof(bi->modules[i].name)))
			die("a module ends before it starts, or its name is unterminated", bi);
	if (bi->modules_ignored && bi->ignored_end < bi->ignored_start)
		die("the span of the modules past the table ends before it starts", bi);
	if (!terminated(bi->cmdline, sizeof(bi->cmdline)) ||
	    !terminated(bi->loader, sizeof(bi->loader)))
		die("an unterminated string", bi);
	if (bi->info_end < bi->info_start)
		die("the information ends before it starts", bi);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	host_set_quiet(true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi;
	struct input in = { data, size };
	unsigned sel = take(&in, 1);
	paddr_t info = IMAGE_BASE + take(&in, 2);
	uint32_t magic = (sel & 3) == 3 ? take(&in, 4) :
			 (sel & 3) == 2 ? MB2_BOOTLOADER_MAGIC : MB1_BOOTLOADER_MAGIC;
	struct image im = { in.p, in.left < IMAGE_MAX ? in.left : IMAGE_MAX };
	struct boot_mem_reader reader = { image_read, &im, true };
	int err;

	if (sel & 0x80) /* an information address far from the image */
		info = 0xFFFFF000u + (sel & 0x7F);
	memset(&bi, 0xA5, sizeof(bi)); /* the parser must set what it reports */
	err = bootinfo_parse(magic, info, &reader, &bi);
	if (err && err != ERR_INVALID_ARGS)
		die("an error other than ERR_INVALID_ARGS", &bi);
	if (!terminated(bi.last_warning, sizeof(bi.last_warning)))
		die("an unterminated warning", &bi);
	if (err) {
		if (!bi.last_warning[0])
			die("refused without a reason", &bi);
		return 0;
	}
	check_sound(&bi);
	bootinfo_print(&bi);
	return 0;
}

/*
 * Suite paging, boot memory: what boot set aside and gave back.  The
 * buddy manages exactly the usable ranges of the boot memory map, and the
 * early page tables a direct map without PSE needed (bootmem) are back in
 * the buddy once paging_init has switched to its own tables.
 */
#include "tests/ktest.h"
#include "mm/init.h"
#include "mm/paging.h"
#include "mm/buddy.h"
#include "arch/x86/layout.h"
#include "lib/string.h"

KTEST(paging, "the buddy manages exactly the usable ranges of the boot map, released bootmem included")
{
	unsigned early = 0;

	EXPECT_EQ(memmap_usable_bytes(&boot_memmap) / PAGE_SIZE, buddy_managed_pages());
	for (unsigned i = 0; i < boot_memmap.nr_reserved; i++)
		early += !strcmp(boot_memmap.reserved[i].name, "early page tables");
	EXPECT_EQ(0, early);
	/* without PSE, low memory past the boot map needed tables: freed */
	EXPECT_EQ(!paging_uses_pse() && mm_direct_end() > BOOT_MAP_SIZE, early_tables_freed != 0);
}

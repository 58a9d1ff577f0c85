/*
 * Boot-time memory set-up, in order:
 *   1. the firmware map -> sanitised usable ranges (mm/memmap);
 *   2. reserve the kernel image, the Multiboot information and modules,
 *      one page below 1 MiB for the APs' start-up code (bootmem: a
 *      STARTUP IPI can only start a CPU there), and then the rest of the
 *      first MiB (real-mode structures, and page 0 stays unused so that a
 *      NULL frame is never handed out);
 *   3. extend the boot direct map over low memory (4 MiB pages with PSE);
 *   4. the page array, one struct page per frame up to the top of RAM
 *      below 4 GiB, from bootmem;
 *   5. the buddy allocator: every usable frame, in the largest aligned
 *      blocks that fit.
 * Once paging_init has run, kmem_boot_init brings up the slab layer and
 * kmalloc.  Every allocation the boot cannot do without ends in a panic
 * that names it ("... no memory for X"; kernel/failboot.h fails each in
 * turn).
 */
#include "mm/init.h"
#include "mm/buddy.h"
#include "mm/page.h"
#include "mm/kmalloc.h"
#include "arch/x86/layout.h"
#include "arch/x86/early_map.h"
#include "arch/x86/cpu.h"
#include "lib/panic.h"
#include "lib/printk.h"

struct memmap boot_memmap;
uint64_t buddy_init_ticks;
unsigned long buddy_init_frames;
unsigned long early_tables_freed;
paddr_t mm_trampoline_page;

/* The no-PSE early page tables: bootmem until paging_init replaces them. */
static paddr_t early_tables_start, early_tables_end;

extern char __kernel_start[], __kernel_end[];

static void reserve(paddr_t start, paddr_t end, const char *name, int owner)
{
	if (memmap_reserve(&boot_memmap, start, end, name, owner))
		panic("mm: cannot reserve %s at %#llx-%#llx", name, start, end);
}

#define FIRST_MIB 0x100000

/* Whatever is in use comes first, so that the trampoline page is taken
 * from RAM nobody uses. */
static void reserve_in_use(const struct mm_boot_desc *boot)
{
	reserve((uintptr_t)__kernel_start - KERNEL_VBASE,
		(uintptr_t)__kernel_end - KERNEL_VBASE, "kernel image",
		OWNER_KERNEL_IMAGE);
	for (unsigned i = 0; i < boot->nr_in_use; i++)
		reserve(boot->in_use[i].start, boot->in_use[i].end,
			boot->in_use[i].name, boot->in_use[i].owner);
	mm_trampoline_page = bootmem_alloc(&boot_memmap, PAGE_SIZE, PAGE_SIZE,
					   FIRST_MIB, "AP start-up trampoline");
	if (!mm_trampoline_page) /* not fatal: one CPU can run the kernel */
		printk("mm: no page below 1 MiB for the AP start-up trampoline: the other CPUs will stay halted\n");
	reserve(0, FIRST_MIB, "first MiB (BIOS, page 0)", OWNER_FIRMWARE);
}

/* Without PSE the direct map needs a table per 4 MiB: one bootmem block
 * holds them all (one reservation each would fill the reserved table). */
struct early_tables {
	paddr_t next, end;
};

static paddr_t early_table(void *ctx)
{
	struct early_tables *t = ctx;

	if (t->next >= t->end)
		return 0;
	t->next += PAGE_SIZE;
	return t->next - PAGE_SIZE;
}

static void early_tables_reserve(struct early_tables *t, paddr_t direct_end, bool pse)
{
	uint64_t n = 0;

	if (direct_end > BOOT_MAP_SIZE)
		n = (direct_end - BOOT_MAP_SIZE + PGDIR_SIZE - 1) >> PGDIR_SHIFT;
	t->next = t->end = 0;
	if (n && !pse) {
		t->next = bootmem_alloc(&boot_memmap, n * PAGE_SIZE, PAGE_SIZE,
					BOOT_MAP_SIZE, "early page tables");
		t->end = t->next ? t->next + n * PAGE_SIZE : 0;
	}
	early_tables_start = t->next;
	early_tables_end = t->end;
}

void mm_free_early_tables(void)
{
	pfn_t start = (pfn_t)(early_tables_start >> PAGE_SHIFT);
	pfn_t end = (pfn_t)(early_tables_end >> PAGE_SHIFT);

	if (start == end)
		return;
	if (memmap_release(&boot_memmap, early_tables_start)) {
		printk("mm: the early page tables stay reserved (the memory map is full)\n");
		return;
	}
	buddy_add_range(start, end);
	early_tables_freed = end - start;
	early_tables_start = early_tables_end = 0;
	printk("mm: early page tables freed: %lu KiB back to the buddy\n",
	       early_tables_freed * (PAGE_SIZE / 1024));
}

/* Gives the reserved regions' frames their owner, for whatis and pictures. */
static void mark_reserved_owners(void)
{
	for (unsigned i = 0; i < boot_memmap.nr_reserved; i++) {
		const struct mem_region *r = &boot_memmap.reserved[i];
		for (paddr_t pa = r->start; pa < r->end; pa += PAGE_SIZE) {
			pfn_t pfn = (pfn_t)(pa >> PAGE_SHIFT);
			if (pfn_valid(pfn))
				page_set_owner(pfn_to_page(pfn),
					       (enum page_owner)r->owner);
		}
	}
}

void mm_init(const struct mm_boot_desc *boot)
{
	paddr_t top, direct_end, array;
	pfn_t nr_pfns;
	uint64_t array_bytes, t0;
	struct early_tables tables;
	bool pse;

	memmap_build(&boot_memmap, boot->map, boot->map_count);
	reserve_in_use(boot);
	top = memmap_top(&boot_memmap);
	if (!top)
		panic("mm: the memory map has no usable RAM");
	direct_end = MIN(top, (paddr_t)LOWMEM_LIMIT);
	pse = (cpu_features_edx() & CPUID_EDX_PSE) != 0; /* decided once, here */
	early_tables_reserve(&tables, direct_end, pse);
	if (early_map_lowmem(direct_end, pse, early_table, &tables))
		panic("mm: no memory for the early page tables");
	mm_set_direct_end(direct_end);
	early_map_set_direct(direct_end);

	nr_pfns = (pfn_t)(top >> PAGE_SHIFT);
	array_bytes = (uint64_t)nr_pfns * sizeof(struct page);
	array = bootmem_alloc(&boot_memmap, array_bytes, PAGE_SIZE, direct_end,
			      "page array (struct page)");
	if (!array)
		panic("mm: no memory for the page array (%llu KiB)", array_bytes >> 10);
	memmap_print(&boot_memmap);
	printk("mm: direct map 0-%#llx (%s), page array: %u frames x %u bytes = %llu KiB (%llu.%02llu%% of RAM)\n",
	       direct_end, pse ? "4 MiB pages" : "4 KiB pages", nr_pfns,
	       (unsigned)sizeof(struct page), array_bytes >> 10,
	       array_bytes * 100 / top, (array_bytes * 10000 / top) % 100);

	t0 = rdtsc();
	buddy_init_pages(mm_phys_to_virt(array), nr_pfns,
			 (pfn_t)(direct_end >> PAGE_SHIFT));
	for (unsigned i = 0; i < boot_memmap.nr_usable; i++)
		buddy_add_range((pfn_t)(boot_memmap.usable[i].start >> PAGE_SHIFT),
				(pfn_t)(boot_memmap.usable[i].end >> PAGE_SHIFT));
	buddy_init_ticks = rdtsc() - t0;
	buddy_init_frames = nr_pfns;
	mark_reserved_owners();

	buddy_print_zones();
	buddy_print_info();
	printk("mm: %lu of %u frames managed by the buddy allocator, %lu free\n",
	       buddy_managed_pages(), nr_pfns, buddy_free_pages());
}

void kmem_boot_init(bool debug)
{
	kmem_init(debug);
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++)
		if (!kmalloc_cache(i))
			panic("kmem: no memory for the kmalloc-%u cache", kmalloc_class_size(i));
}

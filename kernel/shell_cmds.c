/*
 * The shell's commands.  Each one calls the public API of a layer and
 * prints the answer; bad input gets "error: ..." and nothing else happens.
 * The shell keeps a table of what it allocated, and frees only from it.
 */
#include "kernel/shell_cmds.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/errno.h"
#include "kernel/whatis.h"
#include "kernel/memdump.h"
#include "kernel/smp.h"
#include "lib/spinlock.h"
#include "mm/buddy.h"
#include "mm/init.h"
#include "mm/report.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/paging.h"
#include "arch/x86/layout.h"
#include "arch/x86/qemu_exit.h"
#include "tests/ktest.h"
#include "tests/kbench.h"

#define SHELL_ALLOCS 64

struct shell_alloc {
	struct page *page; /* a buddy block, or NULL */
	unsigned order;
	void *obj; /* a kmalloc block, or NULL */
};

static struct shell_alloc allocs[SHELL_ALLOCS];

/* Parses a number no larger than a 32-bit address or size. */
static int parse_number(const char *s, uint64_t *v)
{
	if (parse_u64(s, v)) {
		printk("error: '%s' is not a number (decimal or 0x hex)\n", s);
		return -1;
	}
	if (*v > UINT32_MAX) {
		printk("error: %s does not fit in 32 bits\n", s);
		return -1;
	}
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct shell_cmd *c = shell_cmds; c->name; c++)
		printk("  %-10s %-18s %s\n", c->name, c->args, c->help);
	return 0;
}

static int cmd_meminfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	memmap_print(&boot_memmap);
	printk("frames: %u in the page array, %lu managed, %lu free (%lu KiB free)\n",
	       max_pfn, buddy_managed_pages(), buddy_free_pages(),
	       buddy_free_pages() * 4);
	printk("direct map: 0-%#llx at %#x\n", mm_direct_end(), KERNEL_VBASE);
	return 0;
}

static int cmd_zones(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	buddy_print_zones();
	return 0;
}

static int cmd_buddyinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	buddy_print_info();
	buddy_print_fragmentation();
	return 0;
}

static int free_slot(void)
{
	for (int i = 0; i < SHELL_ALLOCS; i++)
		if (!allocs[i].page && !allocs[i].obj)
			return i;
	printk("error: the shell holds %d blocks already; free some\n", SHELL_ALLOCS);
	return -1;
}

static int cmd_alloc(int argc, char **argv)
{
	uint64_t order;
	gfp_t gfp = GFP_KERNEL;
	struct page *page;
	int slot;

	if (parse_number(argv[1], &order))
		return -1;
	if (order >= MAX_ORDER) {
		printk("error: order %llu is too large (0..%d)\n", order, MAX_ORDER - 1);
		return -1;
	}
	if (argc == 3 && !strcmp(argv[2], "dma"))
		gfp = GFP_DMA;
	else if (argc == 3 && !strcmp(argv[2], "high"))
		gfp = GFP_HIGHUSER;
	else if (argc == 3) {
		printk("error: zone must be 'dma' or 'high'\n");
		return -1;
	}
	if ((slot = free_slot()) < 0)
		return -1;
	page = alloc_pages(gfp, (unsigned)order);
	if (!page) {
		printk("error: out of memory for order %llu\n", order);
		return -1;
	}
	allocs[slot].page = page;
	allocs[slot].order = (unsigned)order;
	printk("allocated order %llu: pfn %#x, phys %#llx, ", order,
	       page_to_pfn(page), page_to_phys(page));
	if (page_address(page))
		printk("virt %p\n", page_address(page));
	else
		printk("HIGHMEM (no permanent virtual address)\n");
	return 0;
}

/* free ADDR: a physical address, a pfn with "pfn:", or a direct-map address. */
static int cmd_free(int argc, char **argv)
{
	uint64_t v;
	bool by_pfn = !strncmp(argv[1], "pfn:", 4);
	(void)argc;

	if (parse_number(argv[1] + (by_pfn ? 4 : 0), &v))
		return -1;
	for (int i = 0; i < SHELL_ALLOCS; i++) {
		struct page *pg = allocs[i].page;
		/* A physical address, a pfn, or the block's direct-map address. */
		if (pg && (by_pfn ? page_to_pfn(pg) == v
				  : (page_to_phys(pg) == v ||
				     (uintptr_t)page_address(pg) == v))) {
			__free_pages(pg, allocs[i].order);
			printk("freed order %u at phys %#llx\n", allocs[i].order,
			       page_to_phys(pg));
			allocs[i].page = NULL;
			return 0;
		}
	}
	printk("error: %s was not allocated by this shell ('alloc' first)\n", argv[1]);
	return -1;
}

static int cmd_kmalloc(int argc, char **argv)
{
	uint64_t n;
	int slot;
	void *p;
	(void)argc;

	if (parse_number(argv[1], &n))
		return -1;
	if ((slot = free_slot()) < 0)
		return -1;
	p = kmalloc((size_t)n, GFP_KERNEL);
	if (!p) {
		printk("error: kmalloc(%llu) failed: out of memory or too large\n", n);
		return -1;
	}
	allocs[slot].obj = p;
	printk("kmalloc(%llu) = %p, usable size %u\n", n, p, (unsigned)ksize(p));
	return 0;
}

static int cmd_kfree(int argc, char **argv)
{
	uint64_t v;
	(void)argc;

	if (parse_number(argv[1], &v))
		return -1;
	for (int i = 0; i < SHELL_ALLOCS; i++) {
		if (allocs[i].obj && (uintptr_t)allocs[i].obj == v) {
			kfree(allocs[i].obj);
			allocs[i].obj = NULL;
			printk("kfree(%#llx) done\n", v);
			return 0;
		}
	}
	printk("error: %s was not returned by this shell's kmalloc\n", argv[1]);
	return -1;
}

static int cmd_slabinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	slab_print_info();
	return 0;
}

static int cmd_pt(int argc, char **argv)
{
	uint64_t va;
	(void)argc;

	if (parse_number(argv[1], &va))
		return -1;
	fault_print_walk((vaddr_t)va);
	return 0;
}

static int cmd_whatis(int argc, char **argv)
{
	uint64_t v;
	char buf[200];
	(void)argc;

	if (parse_number(argv[1], &v))
		return -1;
	if (v >= KERNEL_VBASE)
		whatis_virt((uintptr_t)v, buf, sizeof(buf));
	else
		whatis_phys(v, buf, sizeof(buf));
	printk("%#llx: %s\n", v, buf);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	unsigned problems;
	(void)argc;
	(void)argv;

	unsigned slab, large;

	problems = buddy_check();
	printk("buddy: %s (%u problems)\n", problems ? "FAILED" : "ok", problems);
	slab = slab_check();
	printk("slab: %s (%u problems)\n", slab ? "FAILED" : "ok", slab);
	large = kmalloc_check();
	printk("kmalloc: %s (%u problems in large blocks)\n", large ? "FAILED" : "ok", large);
	return problems || slab || large ? -1 : 0;
}

static int cmd_ktest(int argc, char **argv)
{
	int failed = ktest_run(argc > 1 ? argv[1] : NULL);

	if (failed < 0)
		printk("error: no test suite matches '%s'\n", argv[1]);
	return failed ? -1 : 0;
}

static int cmd_bench(int argc, char **argv)
{
	kbench_run(argc > 1 ? argv[1] : NULL);
	return 0;
}

static int cmd_reports(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (int k = 0; k < REPORT_KIND_COUNT; k++)
		if (report_count((enum report_kind)k))
			printk("  %-34s %lu\n", report_kind_name((enum report_kind)k),
			       report_count((enum report_kind)k));
	printk("%lu misuse reports in all\n", report_total());
	return 0;
}

static int cmd_memdump(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	memdump_print();
	return 0;
}

static int cmd_cpus(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	smp_print_cpus();
	return 0;
}

static int cmd_lockstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	spin_print_stats();
	return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("powering off\n");
	qemu_exit(QEMU_EXIT_PASS);
}

const struct shell_cmd shell_cmds[] = {
	{ "help", "", "this list", 0, 0, cmd_help },
	{ "meminfo", "", "RAM, reserved regions, free frames", 0, 0, cmd_meminfo },
	{ "zones", "", "zone spans, managed and free memory", 0, 0, cmd_zones },
	{ "buddyinfo", "", "free blocks per order per zone, fragmentation", 0, 0, cmd_buddyinfo },
	{ "alloc", "ORDER [dma|high]", "allocate 2^ORDER frames from the buddy", 1, 2, cmd_alloc },
	{ "free", "ADDR|pfn:N", "free a block this shell allocated", 1, 1, cmd_free },
	{ "slabinfo", "", "every slab cache: objects, sizes, slabs, waste", 0, 0, cmd_slabinfo },
	{ "kmalloc", "N", "allocate N bytes with kmalloc", 1, 1, cmd_kmalloc },
	{ "kfree", "ADDR", "free a block this shell kmalloc'ed", 1, 1, cmd_kfree },
	{ "pt", "VA", "walk the page tables for a virtual address", 1, 1, cmd_pt },
	{ "whatis", "ADDR", "who owns an address (virtual >= 0xc0000000, else physical)", 1, 1, cmd_whatis },
	{ "check", "", "run every invariant checker", 0, 0, cmd_check },
	{ "reports", "", "misuse reports so far, by kind", 0, 0, cmd_reports },
	{ "ktest", "[SUITES]", "run self-tests (all, or a,b,c)", 0, 1, cmd_ktest },
	{ "bench", "[NAMES]", "run benchmarks (meaningful under -icount)", 0, 1, cmd_bench },
	{ "memdump", "", "every frame's state, for make memmap", 0, 0, cmd_memdump },
	{ "cpus", "", "every CPU: APIC id, state, per-CPU area, stack, calls", 0, 0, cmd_cpus },
	{ "lockstat", "", "every registered lock: acquisitions, waits, holder", 0, 0, cmd_lockstat },
	{ "poweroff", "", "leave QEMU", 0, 0, cmd_poweroff },
	{ NULL, NULL, NULL, 0, 0, NULL },
};

/*
 * The shell's commands that look (the ones that allocate are in
 * kernel/shell_alloc.c, the misuse demonstrations in kernel/shell_misuse.c)
 * and the table of all of them.  Each command calls the public API of a
 * layer and prints the answer; bad input gets one "error: ..." line and
 * nothing else happens.
 */
#include "kernel/shell_cmds.h"
#include "kernel/shell.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "kernel/whatis.h"
#include "kernel/memdump.h"
#include "kernel/smp.h"
#include "kernel/failinject_cmd.h"
#include "lib/lockstat.h"
#include "mm/platform.h"
#include "mm/buddy.h"
#include "mm/init.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/paging.h"
#include "mm/vmalloc.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/qemu_exit.h"
#include "tests/ktest.h"
#include "tests/kbench.h"

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

static int cmd_slabinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	slab_print_info();
	return 0;
}

static int cmd_vmallocinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	vmalloc_print_info();
	return 0;
}

/* pt VA: the walk, level by level; pt VA1 VA2: the mappings of a range. */
static int cmd_pt(int argc, char **argv)
{
	uint64_t va, last;
	paddr_t dir = read_cr3() & PTE_FRAME_MASK;

	if (shell_parse_number(argv[1], &va))
		return -1;
	if (argc == 2) {
		fault_print_walk((vaddr_t)va);
		return 0;
	}
	if (shell_parse_number(argv[2], &last))
		return -1;
	if (last < va) {
		printk("error: the range %s-%s ends before it starts\n", argv[1], argv[2]);
		return -1;
	}
	va = ALIGN_DOWN(va, PAGE_SIZE);
	last = ALIGN_DOWN(last, PAGE_SIZE) + PAGE_SIZE; /* the page of VA2 included */
	printk("  mappings of %08llx-%08llx with cr3 %08llx (runs of pages with the same flags):\n",
	       va, last, dir);
	ptdump_print_range(mm_phys_to_virt(dir), (vaddr_t)va, last);
	return 0;
}

static int cmd_whatis(int argc, char **argv)
{
	uint64_t v;
	char buf[WHATIS_MAX];
	(void)argc;

	if (shell_parse_number(argv[1], &v))
		return -1;
	whatis(v, buf, sizeof(buf));
	printk("%#llx: %s\n", v, buf);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	unsigned buddy, slab, large;
	(void)argc;
	(void)argv;

	buddy = buddy_check();
	printk("buddy: %s (%u problems)\n", buddy ? "FAILED" : "ok", buddy);
	slab = slab_check();
	printk("slab: %s (%u problems)\n", slab ? "FAILED" : "ok", slab);
	large = kmalloc_check();
	printk("kmalloc: %s (%u problems in large blocks)\n", large ? "FAILED" : "ok", large);
	return buddy || slab || large ? -1 : 0;
}

static int cmd_ktest(int argc, char **argv)
{
	if (mm_failinject_armed) { /* the tests arm it themselves */
		printk("error: fault injection is armed: 'failinject off' first\n");
		return -1;
	}
	return ktest_run(argc > 1 ? argv[1] : NULL, false) ? -1 : 0;
}

static int cmd_bench(int argc, char **argv)
{
	if (mm_failinject_armed) { /* its figures would measure the failures */
		printk("error: fault injection is armed: 'failinject off' first\n");
		return -1;
	}
	return kbench_run(argc > 1 ? argv[1] : NULL) > 0 ? 0 : -1;
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
	failinject_print_status();
	return 0;
}

static int cmd_dmesg(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk_log_dump();
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
	bool all = argc == 2;

	if (all && strcmp(argv[1], "all") != 0) {
		printk("error: lockstat takes 'all' or nothing, not '%s'\n", argv[1]);
		return -1;
	}
	lockstat_print(all);
	if (mm_locks_one_cpu())
		printk("(one CPU and lock debugging off: the allocators' locks take no ticket now, and count nothing)\n");
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
	{ "help", "[CMD]", "the commands, or more about one", NULL, 0, 1, shell_help },
	{ "meminfo", "", "RAM, reserved regions, free frames",
	  "  The sanitised memory map (usable ranges, reserved regions in address\n"
	  "  order) and how many frames the buddy allocator manages.", 0, 0, cmd_meminfo },
	{ "zones", "", "zone spans, managed and free memory", NULL, 0, 0, cmd_zones },
	{ "buddyinfo", "", "free blocks per order per zone, fragmentation",
	  "  As /proc/buddyinfo: column k counts free blocks of 2^k frames.  The\n"
	  "  second table is the unusable free space index per order.", 0, 0, cmd_buddyinfo },
	{ "slabinfo", "", "every slab cache: objects, sizes, slabs, waste", NULL, 0, 0,
	  cmd_slabinfo },
	{ "vmallocinfo", "", "every vmalloc area and who made it", NULL, 0, 0, cmd_vmallocinfo },
	{ "pt", "VA [VA2]", "the page walk of VA, or the mappings of VA..VA2",
	  "  pt 0xc0100000             each level's entry and its flags\n"
	  "  pt 0xc0000000 0xc0400000  runs of mapped pages and the gaps between", 1, 2,
	  cmd_pt },
	{ "whatis", "ADDR", "who owns an address (virtual >= 0xc0000000, else physical)",
	  "  A free buddy block, a slab object (its cache, offset, callers with\n"
	  "  slab_debug), a page table, a vmalloc area or its guard page, a kmap\n"
	  "  slot, the kernel image and its section, a reserved range.", 1, 1, cmd_whatis },
	{ "alloc", "ORDER [dma|high]", "allocate 2^ORDER frames from the buddy",
	  "  alloc 3        8 frames from Normal (then DMA)\n"
	  "  alloc 0 high   one frame from HighMem, if the machine has any", 1, 2, cmd_alloc },
	{ "free", "ADDR|pfn:N", "free a block this shell allocated",
	  "  By the physical address 'alloc' printed (a block's name), its\n"
	  "  direct-map address, or pfn:N.", 1, 1, cmd_free },
	{ "kmalloc", "N", "allocate N bytes with kmalloc", NULL, 1, 1, cmd_kmalloc },
	{ "kfree", "ADDR", "free a block this shell kmalloc'ed", NULL, 1, 1, cmd_kfree },
	{ "vmalloc", "N", "allocate N bytes with vmalloc (a guard page follows)", NULL, 1, 1,
	  cmd_vmalloc },
	{ "vfree", "ADDR", "free an area this shell vmalloc'ed", NULL, 1, 1, cmd_vfree },
	{ "held", "", "what the shell holds now (blocks, objects, areas)", NULL, 0, 0, cmd_held },
	{ "misuse", "[NAME]", "provoke a misuse report on purpose, and clean up",
	  "  misuse             the list of demonstrations\n"
	  "  misuse double-free free a slab object twice and read the report", 0, 1,
	  cmd_misuse },
	{ "check", "", "run every invariant checker", NULL, 0, 0, cmd_check },
	{ "failinject", "[SPEC|off]", "make allocations fail on purpose, show or stop it",
	  "  failinject nth:3              the 3rd allocation from now fails\n"
	  "  failinject prob:50000,seed:7  each fails with 5 % chance (the same ones again)\n"
	  "  failinject nth:1,kind:kmalloc the next kmalloc fails (kinds: pages, slab,\n"
	  "                                kmalloc, vmalloc, pagetable, kmap, addr_space, task)\n"
	  "  failinject off                stop; alone, it shows what is armed", 0, 1,
	  cmd_failinject },
	{ "reports", "", "misuse reports so far, by kind", NULL, 0, 0, cmd_reports },
	{ "dmesg", "", "the kernel log: everything printed since boot", NULL, 0, 0, cmd_dmesg },
	{ "ktest", "[SELECTION]", "run self-tests: all, suites a,b, or suite.glob*",
	  "  ktest buddy,slab      two suites\n"
	  "  ktest buddy.free_*    the tests of buddy whose name starts free_\n"
	  "  ktest list            the names of every test", 0, 1, cmd_ktest },
	{ "bench", "[NAMES]", "run benchmarks (instruction counts only under -icount)", NULL, 0,
	  1, cmd_bench },
	{ "memdump", "", "every frame's state, for make memmap", NULL, 0, 0, cmd_memdump },
	{ "cpus", "", "every CPU: APIC id, state, per-CPU area, stack, IPIs",
	  "  One line per CPU: its local APIC id, online or not, its per-CPU area\n"
	  "  (what %fs reaches), its kernel stack, the cross-CPU calls and TLB\n"
	  "  shootdowns it answered, the shootdowns it sent, and its job.", 0, 0, cmd_cpus },
	{ "lockstat", "[all]", "the locks taken so far, or all: acquisitions, waits, holder",
	  "  In lock order (lib/lock_order.h): how often each lock was taken, how\n"
	  "  often a CPU waited and for how many turns, who holds it (lock_debug).\n"
	  "  lockstat      the locks taken; of those in slab caches, heaps and\n"
	  "                address spaces, each kind's 5 busiest, the rest summed\n"
	  "  lockstat all  every lock, with every cache, heap and space alive now",
	  0, 1, cmd_lockstat },
	{ "poweroff", "", "leave QEMU", NULL, 0, 0, cmd_poweroff },
	{ NULL, NULL, NULL, NULL, 0, 0, NULL },
};

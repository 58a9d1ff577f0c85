/*
 * kmain: the order in which Strata comes up, one call a line.  entry.asm
 * arrives here on the boot stack, in the higher half, with nothing mapped
 * below KERNEL_VBASE.
 */
#include "arch/x86/serial.h"
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/early_map.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/panic.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/bootopts.h"
#include "kernel/failboot.h"
#include "kernel/failinject_cmd.h"
#include "kernel/lockdebug.h"
#include "lib/errno.h"
#include "mm/init.h"
#include "mm/page.h"
#include "boot/multiboot.h"
#include "arch/x86/backtrace.h"
#include "kernel/ksyms.h"
#include "mm/paging.h"
#include "mm/kmalloc.h"
#include "mm/slab.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "kernel/task.h"
#include "kernel/smp.h"
#include "tests/ktest.h"
#include "tests/crash.h"
#include "tests/kbench.h"
#include "tests/soak.h"
#include "tests/witness.h"
#include "kernel/shell.h"
#include "kernel/memdump.h"
#include "arch/x86/qemu_exit.h"

static int boot_reader(void *ctx, paddr_t addr, void *dst, size_t len)
{
	(void)ctx;
	return early_phys_read(addr, dst, len);
}

static void boot_info_init(uint32_t magic, uint32_t info_phys)
{
	struct boot_mem_reader reader = { boot_reader, NULL, false };

	if (bootinfo_parse(magic, info_phys, &reader, &boot_info))
		panic("cannot use the boot information: %s",
		      boot_info.last_warning);
	/* QEMU's -kernel puts "path " before an empty -append */
	strip_trailing_spaces(boot_info.cmdline);
	bootinfo_print(&boot_info);
}

/* Hands mm_init the memory map and the regions the boot loader used. */
static void memory_init(const struct boot_info *bi)
{
	struct memmap_entry map[BOOT_MMAP_MAX];
	struct mem_region in_use[3 + BOOT_MODULES_MAX];
	struct mm_boot_desc boot = { map, bi->mmap_count, in_use, 0 };

	for (unsigned i = 0; i < bi->mmap_count; i++) {
		map[i].base = bi->mmap[i].base;
		map[i].length = bi->mmap[i].length;
		map[i].available = bi->mmap[i].type == MB_MEMORY_AVAILABLE;
	}
	in_use[boot.nr_in_use++] = (struct mem_region){
		bi->info_start, bi->info_end, "Multiboot information", OWNER_FIRMWARE
	};
	if (bi->mods_list_end > bi->mods_list_start)
		in_use[boot.nr_in_use++] = (struct mem_region){
			bi->mods_list_start, bi->mods_list_end, "Multiboot module list",
			OWNER_FIRMWARE
		};
	for (unsigned i = 0; i < bi->module_count; i++)
		in_use[boot.nr_in_use++] = (struct mem_region){
			bi->modules[i].start, bi->modules[i].end,
			"Multiboot module", OWNER_FIRMWARE
		};
	if (bi->modules_ignored) /* not in the table, still not free memory */
		in_use[boot.nr_in_use++] = (struct mem_region){
			bi->ignored_start, bi->ignored_end,
			"Multiboot modules past the table", OWNER_FIRMWARE
		};
	mm_init(&boot);
}

static void print_cpu(void)
{
	uint32_t edx = cpu_features_edx();

	printk("CPU: %s; PSE %s, PGE %s, PAE %s\n",
	       cpu_has_cpuid() ? "CPUID present" : "no CPUID",
	       edx & CPUID_EDX_PSE ? "yes" : "no",
	       edx & CPUID_EDX_PGE ? "yes" : "no",
	       edx & CPUID_EDX_PAE ? "yes" : "no");
}

static __noreturn void idle(void)
{
	printk("Nothing more to do: halting (in QEMU: Ctrl-A X quits).\n");
	for (;;) {
		cpu_cli();
		cpu_halt();
	}
}

/* Called from boot/entry.asm. */
__asmlinkage void kmain(uint32_t magic, uint32_t info_phys);

__asmlinkage void kmain(uint32_t magic, uint32_t info_phys)
{
	serial_init();
	printk_set_sink(serial_putc);
	panic_machine_init();
	ksyms_init();
	printk("\nStrata: a kernel about memory\n");
	gdt_init();
	pic_init();
	trap_init();
	print_cpu();
	boot_info_init(magic, info_phys);
	cmdline_init(boot_info.cmdline);
	bootopts_check(boot_info.cmdline);
	failboot_arm();
	lock_debug_init(cmdline_has("lock_debug") || cmdline_has("ktest"));
	memory_init(&boot_info);
	paging_init();
	kmem_boot_init(cmdline_has("slab_debug") || cmdline_has("ktest"));
	vmm_cache_init();
	vmalloc_init();
	task_init();
	smp_init();
	slab_print_info();
	failboot_done();

	if (cmdline_has("witness"))
		witness_run();
	if (cmdline_has("crash"))
		crash_run(cmdline_get("crash"));
	if (cmdline_has("ktest") && cmdline_has("faultsweep"))
		ktest_sweep_main(cmdline_get("ktest"), cmdline_has("ktap"),
				 !strcmp(cmdline_get("faultsweep"), "every"));
	if (cmdline_has("ktest"))
		ktest_main(cmdline_get("ktest"), cmdline_has("ktap"));
	if (cmdline_has("bench"))
		kbench_main(cmdline_get("bench"));
	if (cmdline_has("soak"))
		soak_main(cmdline_get("soak"), soak_seed(cmdline_get("soak_seed")));
	if (cmdline_has("memdump")) {
		memdump_demo();
		qemu_exit(QEMU_EXIT_PASS);
	}
	if (cmdline_has("halt"))
		idle();
	failinject_boot();
	shell_main();
}

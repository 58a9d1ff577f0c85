/*
 * Suite traps: exceptions that return, faults absorbed by the fixup table,
 * and backtraces that name functions.
 */
#include "tests/ktest.h"
#include "arch/x86/trap.h"
#include "arch/x86/mmu.h"
#include "arch/x86/layout.h"
#include "kernel/ksyms.h"
#include "lib/panic.h"
#include "arch/x86/backtrace.h"
#include "lib/string.h"
#include "lib/errno.h"

static volatile int breakpoints_seen;
static volatile uint32_t breakpoint_eip;

static bool count_breakpoint(struct trap_frame *tf)
{
	breakpoints_seen++;
	breakpoint_eip = tf->eip;
	return true;
}

KTEST(traps, "int3 raises a breakpoint exception that returns")
{
	ASSERT_EQ(0, trap_register(T_BREAKPOINT, count_breakpoint));
	breakpoints_seen = 0;
	__asm__ volatile("int3");
	__asm__ volatile("int3");
	trap_unregister(T_BREAKPOINT, count_breakpoint);
	EXPECT_EQ(2, breakpoints_seen);
	/* The saved EIP is just after the int3, inside this test. */
	uint32_t off;
	const char *name = ksym_lookup(breakpoint_eip, &off);
	EXPECT_NOT_NULL(name);
	EXPECT_EQ(0, strncmp(name ? name : "", "ktest_fn_", 9));
}

KTEST(traps, "reading the NULL page faults: not present, read, supervisor")
{
	uint32_t v;

	EXPECT_EQ(ERR_FAULT, probe_read(NULL, &v));
	EXPECT_EQ(T_PAGE_FAULT, last_fixed_fault.vector);
	EXPECT_EQ(0, last_fixed_fault.cr2);
	EXPECT_EQ(0, last_fixed_fault.error & (PF_ERR_PRESENT | PF_ERR_WRITE | PF_ERR_USER));
}

KTEST(traps, "writing the NULL page faults with the write bit set")
{
	EXPECT_EQ(ERR_FAULT, probe_write((void *)0x10, 1));
	EXPECT_EQ(T_PAGE_FAULT, last_fixed_fault.vector);
	EXPECT_EQ(0x10, last_fixed_fault.cr2);
	EXPECT_EQ(PF_ERR_WRITE, last_fixed_fault.error & (PF_ERR_PRESENT | PF_ERR_WRITE));
}

KTEST(traps, "a probe of mapped memory succeeds and returns the data")
{
	static volatile uint32_t word;
	uint32_t v = 0;

	word = 0x5a5a1234; /* set on every run: the last one wrote 77 */
	EXPECT_EQ(0, probe_read(&word, &v));
	EXPECT_EQ(0x5a5a1234, v);
	EXPECT_EQ(0, probe_write(&word, 77));
	EXPECT_EQ(77, word);
}

KTEST(traps, "the boot identity mapping is gone after the jump high")
{
	uint32_t v;

	/* The kernel's own physical load address, once mapped 1:1. */
	EXPECT_EQ(ERR_FAULT, probe_read((void *)KERNEL_PHYS_LOAD, &v));
	EXPECT_EQ(KERNEL_PHYS_LOAD, last_fixed_fault.cr2);
	/* ...while the same memory is there in the higher half. */
	EXPECT_EQ(0, probe_read((void *)(KERNEL_VBASE + KERNEL_PHYS_LOAD), &v));
}

KTEST(traps, "the page below the boot stack is an unmapped guard")
{
	extern uint8_t boot_stack_guard[], boot_stack_bottom[];
	uint32_t v;

	EXPECT_EQ(ERR_FAULT, probe_read(boot_stack_guard + PAGE_SIZE - 4, &v));
	EXPECT_EQ(0, probe_read(boot_stack_bottom, &v));
}

KTEST(traps, "loading a selector past the GDT raises #GP, caught by the fixup")
{
	uint32_t v;

	EXPECT_EQ(ERR_FAULT, probe_read_seg(0x7ff8, 0, &v));
	EXPECT_EQ(T_GPF, last_fixed_fault.vector);
	EXPECT_EQ(0x7ff8, last_fixed_fault.error); /* the selector index */
}

static __noinline int backtrace_inner(uintptr_t *pcs, int max)
{
	int n = backtrace_collect((uintptr_t)__builtin_frame_address(0), pcs, max);
	__asm__ volatile("" ::: "memory"); /* not a tail call */
	return n;
}

static __noinline int backtrace_outer(uintptr_t *pcs, int max)
{
	int n = backtrace_inner(pcs, max);
	__asm__ volatile("" ::: "memory");
	return n;
}

KTEST(traps, "a backtrace names its callers from the kernel's symbol table")
{
	uintptr_t pcs[8];
	uint32_t off;
	int n = backtrace_outer(pcs, 8);

	ASSERT_GE(n, 3);
	/* gcc may name a specialised copy "backtrace_outer.constprop.0" */
	EXPECT_EQ(0, strncmp(ksym_lookup(pcs[0] - 1, &off), "backtrace_outer", 15));
	EXPECT_EQ(0, strncmp(ksym_lookup(pcs[1] - 1, &off), "ktest_fn_", 9));
	EXPECT_STREQ("run_one", ksym_lookup(pcs[2] - 1, &off));
}

KTEST(traps, "symbol look-up finds kmain and refuses addresses outside text")
{
	uintptr_t a = ksym_address("kmain");
	uint32_t off = 99;

	ASSERT_NE(0, a);
	EXPECT_STREQ("kmain", ksym_lookup(a + 3, &off));
	EXPECT_EQ(3, off);
	EXPECT_NULL(ksym_lookup(0x1000, &off));
	EXPECT_NULL(ksym_lookup((uintptr_t)&off, &off));
}

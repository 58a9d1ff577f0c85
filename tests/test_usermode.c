/*
 * Suite paging, part 2: user/supervisor protection seen from ring 3.  A
 * test address space gets a user code page (a copy of user_probe_code), a
 * user stack and a user data page; user_enter irets to ring 3, and either
 * int 0x80 or a page fault brings the CPU back, which these handlers record
 * before user_return resumes the test.
 */
#include "tests/ktest.h"
#include "tests/paging_util.h"
#include "tests/frames_util.h"
#include "mm/paging.h"
#include "mm/vmm.h"
#include "arch/x86/trap.h"
#include "arch/x86/usermode.h"
#include "arch/x86/segments.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

STATIC_ASSERT(offsetof(struct tss, esp0) == 4,
	      "arch/x86/usermode.asm writes kernel_tss.esp0 at offset 4");

#define USER_CODE TEST_VA
#define USER_STACK (TEST_VA + 0x10000) /* one page below this */
#define USER_DATA (TEST_VA + 0x20000)
#define USER_RO (TEST_VA + 0x30000)
#define BACK_SYSCALL 1
#define BACK_FAULT 2

static struct {
	uint32_t eax, edx; /* int 0x80 */
	uint32_t error, cr2, eip, cs; /* page fault */
} back;

static bool user_syscall(struct trap_frame *tf)
{
	if (!trap_from_user(tf))
		return false;
	back.eax = tf->eax;
	back.edx = tf->edx;
	user_return(BACK_SYSCALL);
}

static bool user_fault(struct trap_frame *tf)
{
	if (!trap_from_user(tf))
		return false;
	back.error = tf->error;
	back.cr2 = read_cr2();
	back.eip = tf->eip;
	back.cs = tf->cs;
	user_return(BACK_FAULT);
}

/* Builds the user pages in `as` (running); returns 0 or an error. */
static int setup_user(struct addr_space *as)
{
	size_t len = (size_t)(user_probe_code_end - user_probe_code);
	int err = vmm_alloc(as, USER_CODE, PAGE_SIZE, VMM_WRITE, GFP_HIGHUSER);

	if (!err)
		err = vmm_alloc(as, USER_STACK - PAGE_SIZE, PAGE_SIZE,
				VMM_WRITE | VMM_USER, GFP_HIGHUSER);
	if (!err)
		err = vmm_alloc(as, USER_DATA, PAGE_SIZE, VMM_WRITE | VMM_USER,
				GFP_HIGHUSER | __GFP_ZERO);
	if (!err)
		err = vmm_alloc(as, USER_RO, PAGE_SIZE, VMM_USER,
				GFP_HIGHUSER | __GFP_ZERO);
	if (err)
		return err;
	memcpy((void *)USER_CODE, user_probe_code, len);
	/* The code page: user-readable, not writable from ring 3. */
	return vmm_protect(as, USER_CODE, PAGE_SIZE, VMM_USER);
}

/* Runs the probe: write val at waddr, then read raddr. */
static int run_probe(uint32_t waddr, uint32_t val, uint32_t raddr)
{
	uint32_t *sp = (uint32_t *)(USER_STACK - 16);

	sp[0] = waddr;
	sp[1] = val;
	sp[2] = raddr;
	memset(&back, 0, sizeof(back));
	return user_enter(USER_CODE, (uint32_t)sp);
}

KTEST(paging, "ring 3 touches user pages and faults on supervisor pages with the U bit set")
{
	static volatile uint32_t kernel_secret = 0x5EC;
	struct addr_space *as = vmm_create();
	uint32_t esp0 = kernel_tss.esp0;

	ASSERT_NOT_NULL(as);
	vmm_switch(as);
	if (!EXPECT_EQ(0, setup_user(as)))
		goto out;
	idt_set_user_gate(T_SYSCALL);
	if (!EXPECT_EQ(0, trap_register(T_SYSCALL, user_syscall)) ||
	    !EXPECT_EQ(0, trap_register(T_PAGE_FAULT, user_fault)))
		goto out;

	/* User pages: write, read back, read another user page. */
	EXPECT_EQ(BACK_SYSCALL, run_probe(USER_DATA, 0x1234, USER_DATA));
	EXPECT_EQ(0x1234, back.eax);
	EXPECT_EQ(0x1234, back.edx);
	EXPECT_EQ(0x1234, *(volatile uint32_t *)USER_DATA);
	/* A supervisor page (kernel data) faults: present, read, user. */
	EXPECT_EQ(BACK_FAULT, run_probe(USER_DATA, 1, (uint32_t)&kernel_secret));
	EXPECT_EQ(PF_ERR_PRESENT | PF_ERR_USER, back.error & 7);
	EXPECT_EQ((uint32_t)&kernel_secret, back.cr2);
	EXPECT_EQ(USER_CS, back.cs);
	EXPECT_GE(back.eip, USER_CODE);
	EXPECT_LT(back.eip, USER_CODE + PAGE_SIZE);
	/* A user page without the write bit: present, write, user. */
	EXPECT_EQ(BACK_FAULT, run_probe(USER_RO, 2, USER_DATA));
	EXPECT_EQ(PF_ERR_PRESENT | PF_ERR_WRITE | PF_ERR_USER, back.error & 7);
	EXPECT_EQ(USER_RO, back.cr2);
	/* Nothing mapped: not present, read, user. */
	EXPECT_EQ(BACK_FAULT, run_probe(USER_DATA, 3, TEST_VA + 0x50000));
	EXPECT_EQ(PF_ERR_USER, back.error & 7);

out:
	/* nothing to do for a handler not registered */
	trap_unregister(T_PAGE_FAULT, user_fault);
	trap_unregister(T_SYSCALL, user_syscall);
	EXPECT_EQ(esp0, kernel_tss.esp0);
	EXPECT_EQ(0x5EC, kernel_secret);
	vmm_destroy(as); /* switches back to the kernel's space */
}

#define USER_DZ (TEST_VA + 0x40000) /* a demand-zero page of ring 3's */

KTEST(paging, "ring 3 out of memory in a demand-zero fault: the fault's likely cause says so")
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct addr_space *as = vmm_create();
	char cause[160];

	ASSERT_NOT_NULL(as);
	vmm_switch(as);
	if (!EXPECT_EQ(0, setup_user(as)) ||
	    !EXPECT_EQ(0, vmm_demand_zero(as, USER_DZ, PAGE_SIZE, VMM_WRITE | VMM_USER)))
		goto out;
	idt_set_user_gate(T_SYSCALL);
	if (!EXPECT_EQ(0, trap_register(T_SYSCALL, user_syscall)) ||
	    !EXPECT_EQ(0, trap_register(T_PAGE_FAULT, user_fault)))
		goto out;
	frames_take_all(GFP_HIGHUSER, &taken);
	/* the demand-zero handler cannot serve it: the fault reaches ours,
	 * where a kernel without one would print the fatal report */
	EXPECT_EQ(BACK_FAULT, run_probe(USER_DATA, 1, USER_DZ));
	EXPECT_EQ(PF_ERR_USER, back.error & 7);
	EXPECT_EQ(USER_DZ, back.cr2);
	fault_likely_cause(back.error, back.cr2, cause, sizeof(cause));
	EXPECT_TRUE(strstr(cause, "out of memory in a demand-zero fault at 40040000, "
				  "region 40040000-40041000") != NULL);
	frames_give_back(&taken);
	/* memory back: ring 3 reads its zeroed page */
	EXPECT_EQ(BACK_SYSCALL, run_probe(USER_DATA, 2, USER_DZ));
	EXPECT_EQ(0, back.edx);
out:
	frames_give_back(&taken);
	trap_unregister(T_PAGE_FAULT, user_fault);
	trap_unregister(T_SYSCALL, user_syscall);
	vmm_destroy(as);
}

/* Deliberate crashes for the host runner (see crash.h). */
#include "tests/crash.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "kernel/task.h"
#include "kernel/smp.h"
#include "mm/vmm.h"
#include "tests/frames_util.h"
#include "tests/paging_util.h"

static __noinline int crash_null_deref(volatile int *p)
{
	return *p;
}

/* Recurses until `limit`, far more than any kernel stack holds. */
static __noinline unsigned crash_recurse(unsigned depth, unsigned limit)
{
	volatile char pad[256];

	pad[0] = (char)depth;
	if (depth == limit)
		return pad[0];
	return crash_recurse(depth + 1, limit) + pad[0];
}

/* A write to the kernel's own text: read-only since mm/paging (CR0.WP). */
static __noinline void crash_write_text(void)
{
	*(volatile uint8_t *)(uintptr_t)crash_write_text = 0xCC;
}

static __noinline void crash_panic_inner(void)
{
	panic("deliberate panic (crash=panic)");
}

static void crash_recurse_forever(void)
{
	crash_recurse(0, 1u << 30);
}

/* Moves onto a fresh task's vmalloc'ed kernel stack and overflows it. */
static __noinline void crash_task_stack(void)
{
	struct task *t = task_create("overflow");

	if (!t) {
		printk("crash: no task\n");
		return;
	}
	__asm__ volatile("mov %0, %%esp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%1"
			 :
			 : "r"((uintptr_t)t->t_kstack + TASK_KSTACK_SIZE),
			   "r"(crash_recurse_forever)
			 : "memory");
}

static void recurse_job(void *arg)
{
	(void)arg;
	crash_recurse_forever();
}

/* Overflows CPU 1's vmalloc'ed stack (a job in its idle loop). */
static void crash_ap_stack(void)
{
	if (smp_run_on(1, recurse_job, NULL)) {
		printk("crash: no CPU 1 (run QEMU with -smp 2)\n");
		return;
	}
	smp_run_wait(1); /* the double fault ends the run from CPU 1 */
}

/* Touches a demand-zero page with every frame taken: no frame, no
 * fixup, a fatal fault whose likely cause must say out of memory. */
static __noinline void crash_demand_oom(void)
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct addr_space *as = vmm_create();

	if (!as || vmm_demand_zero(as, TEST_VA, 2 * PAGE_SIZE, VMM_WRITE)) {
		printk("crash: no address space\n");
		return;
	}
	vmm_switch(as);
	frames_take_all(GFP_HIGHUSER | __GFP_NOWARN, &taken); /* kept: the end */
	*(volatile uint32_t *)TEST_VA = 1;
}

void crash_run(const char *name)
{
	printk("crash: running '%s' on purpose\n", name);
	if (!strcmp(name, "null"))
		crash_null_deref(NULL);
	else if (!strcmp(name, "stack"))
		crash_recurse(0, 1u << 30);
	else if (!strcmp(name, "text"))
		crash_write_text();
	else if (!strcmp(name, "panic"))
		crash_panic_inner();
	else if (!strcmp(name, "taskstack"))
		crash_task_stack();
	else if (!strcmp(name, "apstack"))
		crash_ap_stack();
	else if (!strcmp(name, "demandoom"))
		crash_demand_oom();
	printk("crash: unknown crash '%s' (null, stack, taskstack, apstack, text, panic, demandoom)\n",
	       name);
}

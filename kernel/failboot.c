/* Fault injection over the boot (see failboot.h). */
#include "kernel/failboot.h"
#include "kernel/cmdline.h"
#include "mm/failinject.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "kernel/task.h"
#include "arch/x86/qemu_exit.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/panic.h"
#include "lib/symbol.h"

static bool armed;
static unsigned long fail_nth; /* the allocation failboot=N fails */

/* After a panic's message and backtrace: whether injection caused it. */
static void say_injected(const char *msg)
{
	enum mm_alloc_kind kind;
	uintptr_t caller;
	char by[64];

	(void)msg;
	if (mm_failinject_last(&kind, &caller))
		printk("failboot: the panic follows allocation %lu of the boot (%s, for %s), failed by injection\n",
		       fail_nth, mm_alloc_kind_name(kind), symbol_format(caller, by, sizeof(by)));
	else
		printk("failboot: no failure was injected before this panic (%lu allocations so far)\n",
		       mm_failinject_count());
}

void failboot_arm(void)
{
	const char *value = cmdline_get("failboot");
	struct mm_failinject cfg = { 0 };
	uint32_t nth = 0;

	if (!value)
		return;
	if (*value && (parse_u32(value, &nth) || nth == 0)) {
		printk("failboot: '%s' is not an allocation number (1, 2, ...): counting only\n",
		       value);
		nth = 0;
	}
	cfg.nth = fail_nth = nth;
	mm_failinject_set(&cfg);
	panic_set_hook(say_injected);
	armed = true;
	if (nth)
		printk("failboot: allocation %lu of the boot will fail\n", cfg.nth);
	else
		printk("failboot: counting the boot's allocations\n");
}

/* Objects freed at once by use_the_kernel: more than a CPU's two arrays
 * hold (SLAB_MAG_LIMIT_MAX each), so that frees reach the depot. */
#define BURST (4 * SLAB_MAG_LIMIT_MAX)

/* What the kernel will do first: a boot that went on must be able to.  A
 * cache the boot failed to create without saying so shows here (a NULL
 * dereference) instead of in whatever runs next. */
static unsigned use_the_kernel(void)
{
	static void *burst[BURST];
	unsigned failed = 0;
	struct addr_space *as;
	struct task *t;
	void *p;

	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		p = kmalloc(kmalloc_class_size(i), GFP_KERNEL);
		failed += !p;
		kfree(p);
	}
	for (unsigned i = 0; i < BURST; i++)
		failed += !(burst[i] = kmalloc(64, GFP_KERNEL));
	for (unsigned i = 0; i < BURST; i++)
		kfree(burst[i]);
	p = vmalloc(2 * PAGE_SIZE);
	failed += !p;
	vfree(p);
	as = vmm_create();
	failed += !as;
	if (as)
		vmm_destroy(as);
	t = task_create("failboot");
	failed += !t;
	if (t)
		task_destroy(t);
	return failed;
}

void failboot_done(void)
{
	unsigned long made, failed;
	unsigned problems;

	if (!armed)
		return;
	made = mm_failinject_count();
	failed = mm_failinject_injected();
	mm_failinject_off();
	panic_set_hook(NULL);
	armed = false;
	problems = use_the_kernel();
	problems += buddy_check() + slab_check() + kmalloc_check();
	printk("failboot: the boot made %lu allocations, %lu failed (injected), %u problems\n",
	       made, failed, problems);
	qemu_exit(problems ? QEMU_EXIT_FAIL : QEMU_EXIT_PASS);
}

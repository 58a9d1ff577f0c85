/*
 * Suite task: struct task objects from the task_struct cache, each with its
 * own address space and a vmalloc kernel stack over an unmapped guard page,
 * come and go without leaking.
 */
#include "tests/ktest.h"
#include "kernel/task.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/buddy.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "arch/x86/trap.h"
#include "lib/errno.h"
#include "tests/frames_util.h"
#include "lib/printk.h"

#define BATCH 100

KTEST(task, "a task has a pid, its name, an address space and constructed links")
{
	struct task *a = task_create("init"), *b = task_create("a-rather-long-task-name");

	if (!EXPECT_NOT_NULL(a) || !EXPECT_NOT_NULL(b))
		goto out;
	EXPECT_EQ(TASK_MAGIC, a->t_magic);
	EXPECT_NE(a->t_pid, b->t_pid);
	EXPECT_STREQ("init", a->t_name);
	EXPECT_EQ(TASK_NAME_MAX - 1, strlen(b->t_name));
	EXPECT_EQ(TASK_RUNNABLE, a->t_state);
	ASSERT_NOT_NULL(a->t_as); /* not through out: task_destroy needs it */
	EXPECT_TRUE(a->t_as != b->t_as && a->t_as != &kernel_as);
	EXPECT_EQ(2, task_count());
out:
	task_destroy(a);
	task_destroy(b);
	EXPECT_EQ(0, task_count());
}

KTEST(task, "a kernel stack is mapped in every space with an unmapped guard page below")
{
	struct task *t = task_create("stack");
	vaddr_t lo;

	ASSERT_NOT_NULL(t);
	lo = (vaddr_t)t->t_kstack;
	EXPECT_EQ(0, lo % MM_PAGE_SIZE);
	for (vaddr_t va = lo; va < lo + TASK_KSTACK_SIZE; va += MM_PAGE_SIZE) {
		EXPECT_EQ(0, vmm_translate(&kernel_as, va, NULL, NULL));
		EXPECT_EQ(0, vmm_translate(t->t_as, va, NULL, NULL));
	}
	EXPECT_EQ(ERR_NOT_FOUND, vmm_translate(&kernel_as, lo - MM_PAGE_SIZE, NULL, NULL));
	memset(t->t_kstack, 0x5a, TASK_KSTACK_SIZE); /* all of it is writable */
	EXPECT_TRUE(kernel_stack_guard_hit(lo, lo - 4));
	EXPECT_FALSE(kernel_stack_guard_hit(lo + TASK_KSTACK_SIZE - 64, 0));
	task_destroy(t);
	EXPECT_FALSE(kernel_stack_guard_hit(lo, lo - 4));
}

static unsigned long task_objects(void)
{
	static struct slab_info info[64];
	unsigned n = slab_get_info(info, ARRAY_SIZE(info));

	for (unsigned i = 0; i < n && i < ARRAY_SIZE(info); i++)
		if (!strcmp(info[i].name, "task_struct"))
			return info[i].active_objs;
	return ~0ul;
}

/* Frames one task holds: its stack, its page directory, a share of slab. */
#define TASK_FRAMES (TASK_KSTACK_SIZE / MM_PAGE_SIZE + 2)

/* Tasks live at once in a round: BATCH, or on a machine under 16 MiB as
 * many as half its free frames hold (a 3 MiB machine has room for about
 * 40); 0 if not even two fit. */
static int task_batch(void)
{
	unsigned long fit = buddy_free_pages() / 2 / TASK_FRAMES;

	if (!frames_machine_small() || fit >= BATCH)
		return BATCH;
	return fit >= 2 ? (int)fit : 0;
}

KTEST(task, "creating and destroying 10,000 tasks leaks nothing")
{
	static struct task *live[BATCH];
	unsigned long free0, objs0 = task_objects();
	unsigned areas0 = vmalloc_nr_areas();
	int batch, n; /* live[0..n) were made in the round */

	kmem_shrink_all();
	free0 = buddy_free_pages();
	batch = n = task_batch();
	if (!batch) {
		char why[128];
		snprintf(why, sizeof(why), SMALL_MACHINE_REASON
			 ": needs %lu free frames (two tasks in half of them), has %lu",
			 4ul * TASK_FRAMES, free0);
		KTEST_SKIP(why);
	}
	/* A round that could not make all its tasks is the last. */
	for (unsigned long round = 0; round < ktest_scale(10000) / batch && n == batch; round++) {
		for (n = 0; n < batch; n++) {
			live[n] = task_create("worker");
			if (!EXPECT_NOT_NULL(live[n]))
				break;
		}
		if (n == batch)
			EXPECT_EQ(objs0 + batch, task_objects());
		for (int i = n; i-- > 0;)
			task_destroy(live[i]);
	}
	EXPECT_EQ(0, task_count());
	EXPECT_EQ(objs0, task_objects());
	EXPECT_EQ(areas0, vmalloc_nr_areas()); /* stacks */
	EXPECT_PTR_EQ(&kernel_as, vmm_current());
	kmem_shrink_all();
	/* Address spaces, page tables and stack frames all come from here. */
	EXPECT_EQ(free0, buddy_free_pages());
}

/*
 * Suite task: struct task objects from the task_struct cache, with their
 * kernel stacks from the buddy allocator, come and go without leaking.
 */
#include "tests/ktest.h"
#include "kernel/task.h"
#include "kernel/string.h"
#include "mm/slab.h"
#include "mm/buddy.h"

#define BATCH 100

KTEST(task, "a task has a pid, its name, a kernel stack and constructed links")
{
	struct task *a = task_create("init"), *b = task_create("a-rather-long-task-name");

	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	EXPECT_EQ(TASK_MAGIC, a->t_magic);
	EXPECT_NE(a->t_pid, b->t_pid);
	EXPECT_STREQ("init", a->t_name);
	EXPECT_EQ(TASK_NAME_MAX - 1, strlen(b->t_name));
	EXPECT_EQ(TASK_RUNNABLE, a->t_state);
	ASSERT_NOT_NULL(a->t_kstack);
	EXPECT_EQ(OWNER_STACK, page_owner(virt_to_page(a->t_kstack)));
	EXPECT_EQ(0, (uintptr_t)a->t_kstack % (MM_PAGE_SIZE << TASK_KSTACK_ORDER));
	EXPECT_NULL(a->t_as); /* no address spaces yet */
	EXPECT_EQ(2, task_count());
	task_destroy(a);
	task_destroy(b);
	EXPECT_EQ(0, task_count());
}

KTEST(task, "creating and destroying 10,000 tasks leaks nothing")
{
	static struct task *live[BATCH];
	unsigned long free0;

	kmem_shrink_all();
	free0 = buddy_free_pages();
	for (int round = 0; round < 10000 / BATCH; round++) {
		for (int i = 0; i < BATCH; i++)
			ASSERT_NOT_NULL(live[i] = task_create("worker"));
		for (int i = BATCH; i-- > 0;)
			task_destroy(live[i]);
	}
	EXPECT_EQ(0, task_count());
	kmem_shrink_all();
	EXPECT_EQ(free0, buddy_free_pages());
}

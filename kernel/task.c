/*
 * Tasks (see task.h).  The struct task cache shows what object caching is
 * for: the constructor runs once per object when its slab is made, and a
 * destroyed task goes back to the cache in that state, so task_create only
 * fills in what differs from task to task.
 *
 * The table of tasks (all_tasks, nr_tasks, next_pid) is shared by every
 * CPU: task_lock guards it, and each task's t_state.  The rest of a task
 * belongs to whoever created it until task_destroy.
 *
 * A live task is an object of the cache, at its start, with TASK_MAGIC and
 * t_state TASK_RUNNABLE.  task_destroy checks exactly that and, under
 * task_lock, moves the state to TASK_UNUSED before it gives anything back,
 * so a second destroy -- while the object sits free in the cache, in its
 * constructed state, or later -- finds TASK_UNUSED (or a free object) and
 * is refused with a report.  Once task_create hands the memory out again
 * the old pointer names the new task: that cannot be told.
 */
#include "kernel/task.h"
#include "mm/slab.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "mm/platform.h"
#include "arch/x86/trap.h"
#include "lib/errno.h"
#include "lib/lockstat.h"
#include "lib/panic.h"

static struct kmem_cache *task_cachep;
static struct spinlock task_lock = SPINLOCK_INIT("tasks", LOCK_ORDER_TASKS);
LOCK_REGISTER(task_lock);
static struct list_node all_tasks = LIST_HEAD_INIT(all_tasks); /* task_lock */
static unsigned long nr_tasks; /* task_lock */
static int next_pid = 1; /* task_lock */

static void task_ctor(void *obj)
{
	struct task *t = obj;

	t->t_magic = TASK_MAGIC;
	t->t_pid = 0;
	t->t_state = TASK_UNUSED;
	t->t_name[0] = '\0';
	t->t_kstack = NULL;
	t->t_as = NULL;
	list_init(&t->t_link);
}

void task_init(void)
{
	/* Word alignment: a 64-byte line per 44-byte task would waste a
	 * third of every slab. */
	task_cachep = kmem_cache_create("task_struct", sizeof(struct task), 0, 0,
					task_ctor);
	if (!task_cachep)
		panic("task: no memory for the task_struct cache");
	trap_set_stack_guard_check(kernel_stack_guard_hit);
}

/* Says, frame by frame, that the vmalloc'ed stack is a kernel stack (for
 * whatis and the memory picture); vfree gives the frames back either way. */
static void mark_stack(void *stack)
{
	for (size_t off = 0; off < TASK_KSTACK_SIZE; off += MM_PAGE_SIZE) {
		struct page *page = vmalloc_to_page((char *)stack + off);
		if (page)
			page_set_owner(page, OWNER_STACK);
	}
}

struct task *task_create(const char *name)
{
	struct task *t;
	size_t i;

	if (mm_should_fail(MM_ALLOC_TASK, MM_CALLER()) || !task_cachep)
		return NULL;
	t = kmem_cache_alloc(task_cachep, GFP_KERNEL);
	if (!t)
		return NULL;
	t->t_as = vmm_create();
	if (!t->t_as)
		goto fail_as;
	t->t_kstack = vmalloc(TASK_KSTACK_SIZE);
	if (!t->t_kstack)
		goto fail_stack;
	mark_stack(t->t_kstack);
	for (i = 0; name && name[i] && i + 1 < TASK_NAME_MAX; i++)
		t->t_name[i] = name[i];
	t->t_name[i] = '\0';
	t->t_state = TASK_RUNNABLE;
	spin_lock(&task_lock);
	t->t_pid = next_pid++;
	list_add_tail(&t->t_link, &all_tasks);
	nr_tasks++;
	spin_unlock(&task_lock);
	return t;

fail_stack:
	vmm_destroy(t->t_as);
	t->t_as = NULL;
fail_as:
	kmem_cache_free(task_cachep, t);
	return NULL;
}

/* Says what t is, when it is no live task. */
static void report_bad_task(const struct task *t, uintptr_t caller)
{
	void *start = NULL;
	struct kmem_cache *c = slab_find_object(t, &start);

	if (c != task_cachep)
		mm_report_caller(REPORT_BAD_HANDLE, (uintptr_t)t, caller,
				 "task_destroy(%p): not a task (%s%s)", (const void *)t,
				 c ? "an object of cache " : "not a task_struct object",
				 c ? kmem_cache_name(c) : "");
	else if (start != t)
		mm_report_caller(REPORT_BAD_HANDLE, (uintptr_t)t, caller,
				 "task_destroy(%p): points inside the task at %p",
				 (const void *)t, start);
	else if (kmem_object_is_free(task_cachep, t) || t->t_state == TASK_UNUSED)
		mm_report_caller(REPORT_DOUBLE_FREE, (uintptr_t)t, caller,
				 "task_destroy(%p): the task was destroyed already",
				 (const void *)t);
	else
		mm_report_caller(REPORT_BAD_HANDLE, (uintptr_t)t, caller,
				 "task_destroy(%p): magic %#x, state %d; expected %#x, %d: the task is overwritten",
				 (const void *)t, t->t_magic, t->t_state, TASK_MAGIC,
				 TASK_RUNNABLE);
}

/* Whether t is a live task, taking it off the table if so (so that no
 * other destroy can have it); false after one report. */
static bool unlink_task(struct task *t, uintptr_t caller)
{
	void *start;
	bool live;

	if (slab_find_object(t, &start) != task_cachep || start != t) {
		report_bad_task(t, caller);
		return false;
	}
	spin_lock(&task_lock);
	live = t->t_magic == TASK_MAGIC && t->t_state == TASK_RUNNABLE;
	if (live) {
		t->t_state = TASK_UNUSED;
		list_del(&t->t_link);
		nr_tasks--;
	}
	spin_unlock(&task_lock);
	if (!live)
		report_bad_task(t, caller);
	return live;
}

/* Puts t back on the table (its destroy was refused). */
static void relink_task(struct task *t)
{
	spin_lock(&task_lock);
	t->t_state = TASK_RUNNABLE;
	list_add_tail(&t->t_link, &all_tasks);
	nr_tasks++;
	spin_unlock(&task_lock);
}

int task_destroy(struct task *t)
{
	uintptr_t caller = MM_CALLER();
	int err;

	if (!t)
		return 0;
	if (!unlink_task(t, caller))
		return ERR_INVALID_ARGS;
	err = vmm_destroy_by(t->t_as, caller); /* refused while another CPU runs it */
	if (err) {
		relink_task(t);
		return err;
	}
	vfree(t->t_kstack);
	task_ctor(t); /* back to the constructed state the cache promises */
	kmem_cache_free(task_cachep, t);
	return 0;
}

unsigned long task_count(void)
{
	return READ_ONCE(nr_tasks);
}

/*
 * The double-fault report asks whether a fault hit a kernel stack's guard:
 * the page below some task's stack.  The list walk takes no lock: the
 * machine is about to panic.
 */
bool kernel_stack_guard_hit(uint32_t esp, uint32_t cr2)
{
	struct list_node *pos;

	list_for_each(pos, &all_tasks) {
		struct task *t = list_entry(pos, struct task, t_link);
		uintptr_t guard = (uintptr_t)t->t_kstack - MM_PAGE_SIZE;

		if ((cr2 >= guard && cr2 < guard + MM_PAGE_SIZE) ||
		    (esp >= guard && esp < guard + 2 * MM_PAGE_SIZE))
			return true;
	}
	return false;
}

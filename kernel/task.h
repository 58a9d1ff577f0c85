/*
 * Tasks: the kernel's showcase for object caching.  A struct task comes
 * from the `task_struct` slab cache, whose constructor leaves every object
 * ready to use (links initialised, nothing attached); task_create attaches
 * a pid, a name, an address space and a kernel stack, and task_destroy
 * gives them back and returns the object in that constructed state.
 *
 * Kernel stacks come from vmalloc, as with Linux's VMAP_STACK: every
 * vmalloc area has an unmapped page below it (the guard after the previous
 * area, or the hole below VMALLOC_START), so a task that overflows its
 * stack faults on that page instead of overwriting whatever the buddy
 * allocator placed next to it.  The fault cannot push its frame on the
 * dead stack, so it becomes a double fault, whose report names the task
 * (kernel_stack_guard_hit).  A buddy stack would sit in the direct map,
 * which uses 4 MiB pages where it can: no single page of it can be
 * unmapped to serve as a guard.
 */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

#include "lib/list.h"

#define TASK_NAME_MAX 16
#define TASK_KSTACK_SIZE 8192 /* bytes of kernel stack, page-aligned */
#define TASK_MAGIC 0x7a5c7a5cu

enum task_state { TASK_UNUSED, TASK_RUNNABLE };

struct addr_space;

struct task {
	uint32_t t_magic; /* TASK_MAGIC: set by the constructor, kept */
	int t_pid;
	enum task_state t_state;
	char t_name[TASK_NAME_MAX];
	void *t_kstack; /* lowest address of the kernel stack (vmalloc) */
	struct addr_space *t_as; /* the task's own address space */
	struct list_node t_link; /* on the list of all tasks */
};

/* Creates the task_struct cache.  Once, at boot, after kmem_init. */
void task_init(void);

/*
 * A new task in state TASK_RUNNABLE with a fresh pid, the name (truncated
 * to TASK_NAME_MAX - 1 characters), an address space of its own (the
 * kernel half shared) and a kernel stack of TASK_KSTACK_SIZE bytes with an
 * unmapped guard page below it; NULL when out of memory or vmalloc space
 * (nothing is kept).  A NULL name is an empty one; a name that is no
 * string cannot be detected.  A fault-injection site (MM_ALLOC_TASK).
 * Process context.
 */
struct task *task_create(const char *name);

/*
 * Gives back everything task_create took and returns 0; if the task's
 * address space is the running one, the kernel's space is switched to
 * first.  NULL is ignored (0).  Refused, with a report naming the caller
 * and the task left as it was: a pointer that is no task (NULL aside;
 * foreign, interior, overwritten: REPORT_BAD_HANDLE) or a task destroyed
 * already (REPORT_DOUBLE_FREE), ERR_INVALID_ARGS; a task whose space
 * another CPU is running (vmm_destroy's REPORT_IN_USE), ERR_BUSY.
 * Recognised as destroyed until task_create hands the memory out again.
 */
int task_destroy(struct task *t);

/* Tasks alive now. */
unsigned long task_count(void);

/* Whether cr2 or esp lies in (or esp just above) the guard page of a
 * task's kernel stack; the double-fault report asks. */
bool kernel_stack_guard_hit(uint32_t esp, uint32_t cr2);

#endif

/*
 * Tasks: the kernel's showcase for object caching.  A struct task comes
 * from the `task_struct` slab cache, whose constructor leaves every object
 * ready to use (links initialised, nothing attached); task_create attaches
 * a pid, a name and a kernel stack from the buddy allocator, and
 * task_destroy gives them back and returns the object in that constructed
 * state.
 */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

#include "kernel/list.h"

#define TASK_NAME_MAX 16
#define TASK_KSTACK_ORDER 1 /* kernel stacks of 2 frames (8 KiB) */
#define TASK_MAGIC 0x7a5c7a5cu

enum task_state { TASK_UNUSED, TASK_RUNNABLE, TASK_DEAD };

struct address_space;

struct task {
	uint32_t t_magic; /* TASK_MAGIC: set by the constructor, kept */
	int t_pid;
	enum task_state t_state;
	char t_name[TASK_NAME_MAX];
	void *t_kstack; /* lowest address of the kernel stack */
	/* TODO(paging): the task's own address space, created by
	 * task_create and destroyed by task_destroy once address-space
	 * objects exist.  NULL until then. */
	struct address_space *t_as;
	struct list_node t_link; /* on the list of all tasks */
};

/* Creates the task_struct cache.  Once, at boot, after kmem_init. */
void task_init(void);

/*
 * A new task in state TASK_RUNNABLE with a fresh pid, the name (truncated
 * to TASK_NAME_MAX - 1 characters) and a kernel stack of
 * 2^TASK_KSTACK_ORDER frames; NULL when out of memory (nothing is kept).
 * Process context.
 */
struct task *task_create(const char *name);

/* Gives back everything task_create took.  NULL is ignored. */
void task_destroy(struct task *t);

/* Tasks alive now. */
unsigned long task_count(void);

#endif

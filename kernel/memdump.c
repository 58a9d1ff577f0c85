/* Frame-state dump for the memory picture (see memdump.h). */
#include "kernel/memdump.h"
#include "lib/printk.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/vmalloc.h"
#include "kernel/task.h"
#include "lib/string.h"

struct run {
	pfn_t start, count;
	char state[12];
};

static void emit(struct run *r, pfn_t pfn, pfn_t count, const char *state)
{
	/* Runs merge, except free blocks: the picture shows each one. */
	if (r->count && r->start + r->count == pfn && !strcmp(r->state, state) &&
	    strncmp(state, "free-o", 6)) {
		r->count += count;
		return;
	}
	if (r->count)
		printk("MEMMAP %x %x %s\n", r->start, r->count, r->state);
	r->start = pfn;
	r->count = count;
	strlcpy(r->state, state, sizeof(r->state));
}

/* The state of the block starting at pfn, and how many frames it covers. */
static pfn_t classify(pfn_t pfn, char *state, size_t size)
{
	const struct page *p = pfn_to_page(pfn);
	unsigned order = page_order(p);

	if (p->flags & PG_BUDDY) {
		snprintf(state, size, "free-o%u", order);
		return 1u << order;
	}
	if (p->flags & PG_HOT) {
		strlcpy(state, "hot", size);
		return 1;
	}
	strlcpy(state, page_owner_id(page_owner(p)), size);
	if (p->flags & PG_ALLOCATED)
		return 1u << order;
	return 1;
}

void memdump_print(void)
{
	struct run run = { 0, 0, "" };
	char state[12];
	mm_irqflags_t flags;

	buddy_drain_hot();
	flags = mm_irq_save();
	printk("MEMMAP-BEGIN frames=%u direct_end_pfn=%x dma_end_pfn=%x\n",
	       max_pfn, zones[ZONE_NORMAL].end_pfn, DMA_LIMIT_PFN);
	for (pfn_t pfn = 0; pfn < max_pfn;) {
		pfn_t n = classify(pfn, state, sizeof(state));
		if (pfn + n > max_pfn || n == 0)
			n = 1;
		emit(&run, pfn, n, state);
		pfn += n;
	}
	emit(&run, max_pfn, 0, "");
	printk("MEMMAP-END\n");
	mm_irq_restore(flags);
}

#define DEMO_TASKS 8
#define DEMO_OBJECTS 64

void memdump_demo(void)
{
	struct task *tasks[DEMO_TASKS];
	void *objs[DEMO_OBJECTS];
	void *area = vmalloc(256 * 1024);
	void *large = kmalloc(64 * 1024, GFP_KERNEL);

	for (int i = 0; i < DEMO_TASKS; i++)
		tasks[i] = task_create("demo");
	for (int i = 0; i < DEMO_OBJECTS; i++)
		objs[i] = kmalloc(32u << (i % 6), GFP_KERNEL);
	memdump_print();
	for (int i = 0; i < DEMO_OBJECTS; i++)
		kfree(objs[i]);
	for (int i = 0; i < DEMO_TASKS; i++)
		task_destroy(tasks[i]);
	kfree(large);
	vfree(area);
}

/*
 * `misuse NAME`: a student's way to see a misuse report happen.  Each
 * demonstration makes what it needs (a debug cache, a few frames), commits
 * one classic mistake against it, lets the allocator report it, and then
 * undoes everything it made, so the allocators end as they began and
 * `check` stays clean.  The mistakes go through the public API only: the
 * same calls a buggy driver would make.
 */
#include "kernel/shell_cmds.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/report.h"
#include "mm/slab.h"

#define DEMO_OBJ_SIZE 48

struct misuse_demo {
	const char *name;
	const char *what;
	void (*run)(struct kmem_cache *a, struct kmem_cache *b);
};

/* noipa: the debug records name these functions as the callers. */
static __attribute__((noipa)) void *demo_alloc(struct kmem_cache *c)
{
	void *p = kmem_cache_alloc(c, GFP_KERNEL);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

static __attribute__((noipa)) void demo_free(struct kmem_cache *c, void *p)
{
	kmem_cache_free(c, p);
	__asm__ volatile("" : : : "memory");
}

static void demo_double_free(struct kmem_cache *a, struct kmem_cache *b)
{
	void *p = demo_alloc(a);
	(void)b;

	if (!p)
		return;
	demo_free(a, p);
	demo_free(a, p); /* the mistake */
}

static void demo_redzone(struct kmem_cache *a, struct kmem_cache *b)
{
	uint8_t *p = demo_alloc(a);
	(void)b;

	if (!p)
		return;
	p[DEMO_OBJ_SIZE] = 0x42; /* the mistake: one byte past the end */
	demo_free(a, p); /* the red zone is checked here */
}

static void demo_use_after_free(struct kmem_cache *a, struct kmem_cache *b)
{
	uint8_t *p = demo_alloc(a);
	(void)b;

	if (!p)
		return;
	demo_free(a, p);
	p[8] = 0x42; /* the mistake: the object is poison now */
	kmem_cache_check(a); /* the checker finds the poison disturbed */
}

static void demo_wrong_cache(struct kmem_cache *a, struct kmem_cache *b)
{
	void *p = demo_alloc(a);

	if (!p)
		return;
	demo_free(b, p); /* the mistake: refused, nothing changes */
	demo_free(a, p);
}

static void demo_interior(struct kmem_cache *a, struct kmem_cache *b)
{
	uint8_t *p = demo_alloc(a);
	(void)b;

	if (!p)
		return;
	demo_free(a, p + 8); /* the mistake: not the start of the object */
	demo_free(a, p);
}

static void demo_page_double_free(struct kmem_cache *a, struct kmem_cache *b)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 2);
	(void)a;
	(void)b;

	if (!pg)
		return;
	__free_pages(pg, 2);
	__free_pages(pg, 2); /* the mistake */
}

static void demo_wrong_order(struct kmem_cache *a, struct kmem_cache *b)
{
	struct page *pg = alloc_pages(GFP_KERNEL, 2);
	(void)a;
	(void)b;

	if (!pg)
		return;
	__free_pages(pg, 1); /* the mistake: refused, nothing changes */
	__free_pages(pg, 2);
}

static const struct misuse_demo demos[] = {
	{ "double-free", "free a slab object twice", demo_double_free },
	{ "redzone", "write one byte past a slab object, then free it", demo_redzone },
	{ "use-after-free", "write into a freed slab object", demo_use_after_free },
	{ "wrong-cache", "free an object to a cache it does not belong to", demo_wrong_cache },
	{ "interior", "free a pointer into the middle of an object", demo_interior },
	{ "page-double-free", "free a block of 4 frames twice", demo_page_double_free },
	{ "wrong-order", "free a block of order 2 as order 1", demo_wrong_order },
};

static void list_demos(void)
{
	printk("misuse demonstrations (each cleans up after itself):\n");
	for (unsigned i = 0; i < ARRAY_SIZE(demos); i++)
		printk("  %-18s %s\n", demos[i].name, demos[i].what);
}

static int run_demo(const struct misuse_demo *d)
{
	/* Debug caches whatever the boot options: red zones, poison and
	 * caller records are what make the reports worth reading. */
	struct kmem_cache *a = kmem_cache_create("misuse-demo", DEMO_OBJ_SIZE, 0, SLAB_DEBUG, NULL);
	struct kmem_cache *b = kmem_cache_create("misuse-other", DEMO_OBJ_SIZE, 0, SLAB_DEBUG, NULL);
	unsigned long before = report_total();
	int ret = -1;

	if (!a || !b) {
		printk("error: out of memory for the demonstration's caches\n");
		goto out;
	}
	printk("misuse %s: %s\n", d->name, d->what);
	d->run(a, b);
	printk("%lu report(s); everything the demonstration made is given back\n",
	       report_total() - before);
	ret = report_total() > before ? 0 : -1;
out:
	if (b)
		kmem_cache_destroy(b);
	if (a)
		kmem_cache_destroy(a);
	return ret;
}

int cmd_misuse(int argc, char **argv)
{
	if (argc == 1) {
		list_demos();
		return 0;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(demos); i++)
		if (!strcmp(argv[1], demos[i].name))
			return run_demo(&demos[i]);
	printk("error: no demonstration called '%s' (type 'misuse' for the list)\n", argv[1]);
	return -1;
}

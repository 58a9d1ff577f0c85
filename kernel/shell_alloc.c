/*
 * What the shell allocates and frees: buddy blocks, kmalloc objects and
 * vmalloc areas.  The shell keeps a table of everything it holds and frees
 * only from it, so that nothing typed can hand an allocator a pointer it
 * did not give out.
 *
 * Each holding has a name that no other holding shares: a buddy block its
 * physical address (a HighMem block has no virtual address at all), a
 * kmalloc object or a vmalloc area its virtual address.  `free` also
 * accepts a block's direct-map address or `pfn:N`; 0 names nothing.
 */
#include "kernel/shell_cmds.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"
#include "mm/kmalloc.h"
#include "mm/vmalloc.h"

#define SHELL_HOLD_MAX 64

enum hold_kind { HOLD_NONE, HOLD_BLOCK, HOLD_KMALLOC, HOLD_VMALLOC };

struct holding {
	enum hold_kind kind;
	struct page *page; /* HOLD_BLOCK */
	unsigned order;
	void *addr; /* HOLD_KMALLOC, HOLD_VMALLOC */
	size_t size; /* bytes asked for */
};

static struct holding held[SHELL_HOLD_MAX];

static struct holding *new_holding(void)
{
	for (int i = 0; i < SHELL_HOLD_MAX; i++)
		if (held[i].kind == HOLD_NONE)
			return &held[i];
	printk("error: the shell holds %d things already; free some ('held' lists them)\n",
	       SHELL_HOLD_MAX);
	return NULL;
}

/* The holding of `kind` whose virtual address is v, or NULL. */
static struct holding *find_by_address(enum hold_kind kind, uint64_t v)
{
	for (int i = 0; i < SHELL_HOLD_MAX; i++)
		if (held[i].kind == kind && (uintptr_t)held[i].addr == v)
			return &held[i];
	return NULL;
}

/* alloc's zone word: "dma", "high" or none. */
static int parse_zone(int argc, char **argv, gfp_t *gfp)
{
	*gfp = GFP_KERNEL;
	if (argc < 3)
		return 0;
	if (!strcmp(argv[2], "dma"))
		*gfp = GFP_DMA;
	else if (!strcmp(argv[2], "high"))
		*gfp = GFP_HIGHUSER;
	else {
		printk("error: zone must be 'dma' or 'high', not '%s'\n", argv[2]);
		return -1;
	}
	return 0;
}

static void print_block(const struct holding *h)
{
	struct page *page = h->page;
	void *va = page_address(page);

	printk("pfn %#x, phys %#llx, ", page_to_pfn(page), page_to_phys(page));
	if (va)
		printk("virt %p (%s)\n", va, zones[page_zone_id(page)].name);
	else
		printk("HighMem: no virtual address; free it by phys\n");
}

int cmd_alloc(int argc, char **argv)
{
	uint64_t order;
	gfp_t gfp;
	struct holding *h;
	struct page *page;

	if (shell_parse_number(argv[1], &order) || parse_zone(argc, argv, &gfp))
		return -1;
	if (order >= MAX_ORDER) {
		printk("error: order %llu is too large (0..%d)\n", order, MAX_ORDER - 1);
		return -1;
	}
	if (!(h = new_holding()))
		return -1;
	page = alloc_pages(gfp, (unsigned)order);
	if (!page) {
		printk("error: out of memory for order %llu\n", order);
		return -1;
	}
	*h = (struct holding){ HOLD_BLOCK, page, (unsigned)order, NULL, 0 };
	printk("allocated order %llu: ", order);
	print_block(h);
	if ((gfp & __GFP_HIGHMEM) && page_zone_id(page) != ZONE_HIGHMEM)
		printk("(no HighMem frames %s: it fell back to %s)\n",
		       zones[ZONE_HIGHMEM].managed_pages ? "free" : "on this machine",
		       zones[page_zone_id(page)].name);
	return 0;
}

/*
 * The block `free ARG` names: by pfn, by physical address, or by direct-map
 * address.  A number that is one block's physical address and another's
 * virtual address (possible above 3 GiB of RAM) is refused as ambiguous.
 */
static struct holding *find_block(const char *arg, uint64_t v, bool by_pfn)
{
	struct holding *phys = NULL, *virt = NULL;

	for (int i = 0; i < SHELL_HOLD_MAX; i++) {
		struct page *pg = held[i].page;
		if (held[i].kind != HOLD_BLOCK)
			continue;
		if (by_pfn ? page_to_pfn(pg) == v : page_to_phys(pg) == v)
			phys = &held[i];
		else if (!by_pfn && page_address(pg) && (uintptr_t)page_address(pg) == v)
			virt = &held[i];
	}
	if (phys && virt) {
		printk("error: %s is one block's physical address and another's virtual address; use pfn:N\n",
		       arg);
		return NULL;
	}
	if (!phys && !virt)
		printk("error: %s was not allocated by this shell ('held' lists what it holds)\n",
		       arg);
	return phys ? phys : virt;
}

int cmd_free(int argc, char **argv)
{
	bool by_pfn = !strncmp(argv[1], "pfn:", 4);
	struct holding *h;
	uint64_t v;
	(void)argc;

	if (shell_parse_number(argv[1] + (by_pfn ? 4 : 0), &v))
		return -1;
	if (v == 0 && !by_pfn) {
		printk("error: 0 is not the address of a block (frame 0 is never handed out)\n");
		return -1;
	}
	if (!(h = find_block(argv[1], v, by_pfn)))
		return -1;
	__free_pages(h->page, h->order);
	printk("freed order %u at phys %#llx\n", h->order, page_to_phys(h->page));
	h->kind = HOLD_NONE;
	return 0;
}

/*
 * The shell's calls, out of line and not tail calls (the empty asm after
 * each), so that slab_debug's records and vmallocinfo name them:
 * "allocated by shell_kmalloc+0x13".
 */
static __attribute__((noipa)) void *shell_kmalloc(size_t n)
{
	void *p = kmalloc(n, GFP_KERNEL);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

static __attribute__((noipa)) void shell_kfree(const void *p)
{
	kfree(p);
	__asm__ volatile("" : : : "memory");
}

static __attribute__((noipa)) void *shell_vmalloc(size_t n)
{
	void *p = vmalloc(n);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

/* kmalloc N and vmalloc N: one object held, named by its address. */
static void *hold_object(enum hold_kind kind, const char *arg, void *(*alloc)(size_t),
			 const char *what, const char *why)
{
	struct holding *h;
	uint64_t n;
	void *p;

	if (shell_parse_number(arg, &n) || !(h = new_holding()))
		return NULL;
	p = alloc((size_t)n);
	if (!p) {
		printk("error: %s(%llu) failed: %s\n", what, n,
		       n ? why : "0 bytes is not a request");
		return NULL;
	}
	*h = (struct holding){ kind, NULL, 0, p, (size_t)n };
	return p;
}

/* kfree ADDR and vfree ADDR: only what the shell holds. */
static int release_object(enum hold_kind kind, const char *arg, void (*release)(const void *),
			  const char *what)
{
	struct holding *h;
	uint64_t v;

	if (shell_parse_number(arg, &v))
		return -1;
	if (!(h = find_by_address(kind, v))) {
		printk("error: %s was not returned by this shell's %s\n", arg,
		       kind == HOLD_KMALLOC ? "kmalloc" : "vmalloc");
		return -1;
	}
	release(h->addr);
	h->kind = HOLD_NONE;
	printk("%s(%#llx) done\n", what, v);
	return 0;
}

int cmd_kmalloc(int argc, char **argv)
{
	void *p = hold_object(HOLD_KMALLOC, argv[1], shell_kmalloc, "kmalloc",
			      "out of memory or too large");
	(void)argc;

	if (!p)
		return -1;
	printk("kmalloc(%s) = %p, usable size %u\n", argv[1], p, (unsigned)ksize(p));
	return 0;
}

int cmd_kfree(int argc, char **argv)
{
	(void)argc;
	return release_object(HOLD_KMALLOC, argv[1], shell_kfree, "kfree");
}

int cmd_vmalloc(int argc, char **argv)
{
	void *p = hold_object(HOLD_VMALLOC, argv[1], shell_vmalloc, "vmalloc",
			      "out of memory or address space");
	size_t size;
	(void)argc;

	if (!p)
		return -1;
	size = ALIGN_UP(find_by_address(HOLD_VMALLOC, (uintptr_t)p)->size, (size_t)PAGE_SIZE);
	printk("vmalloc(%s) = %p: %u page(s), the guard page at %#lx\n", argv[1], p,
	       (unsigned)(size / PAGE_SIZE), (unsigned long)((uintptr_t)p + size));
	return 0;
}

int cmd_vfree(int argc, char **argv)
{
	(void)argc;
	return release_object(HOLD_VMALLOC, argv[1], vfree, "vfree");
}

static void print_holding(const struct holding *h)
{
	switch (h->kind) {
	case HOLD_BLOCK:
		printk("  block    %#010llx  order %u (%lu KiB): ", page_to_phys(h->page),
		       h->order, 4ul << h->order);
		print_block(h);
		break;
	case HOLD_KMALLOC:
		printk("  kmalloc  %p  %u bytes (asked for %u)\n", h->addr,
		       (unsigned)ksize(h->addr), (unsigned)h->size);
		break;
	case HOLD_VMALLOC:
		printk("  vmalloc  %p  %u bytes, %u page(s)\n", h->addr,
		       (unsigned)h->size, (unsigned)(ALIGN_UP(h->size, PAGE_SIZE) / PAGE_SIZE));
		break;
	case HOLD_NONE:
		break;
	}
}

int cmd_held(int argc, char **argv)
{
	int n = 0;
	(void)argc;
	(void)argv;

	for (int i = 0; i < SHELL_HOLD_MAX; i++)
		if (held[i].kind != HOLD_NONE) {
			if (!n++)
				printk("  kind     name (free it by this)\n");
			print_holding(&held[i]);
		}
	printk("the shell holds %d thing%s\n", n, n == 1 ? "" : "s");
	return 0;
}

/*
 * vmalloc: theory of operation.
 *
 * The address range [VMALLOC_START, VMALLOC_END) is handed out first-fit.
 * Each live area is a struct vm_area from the "vm_area" slab cache, on a
 * list kept sorted by address, so the gaps between neighbours are the free
 * ranges (Linux kept its areas on such a list, vmlist, for years before it
 * moved to trees).  Each area takes its pages plus one more, left unmapped,
 * so that running off the end of one area faults instead of landing in the
 * next (the range below VMALLOC_START is unmapped too).  The frames come
 * from alloc_page one at a time, HIGHMEM allowed, and are mapped through
 * kernel_as with vmm_alloc, so the kernel space owns them and vmm_unmap
 * frees them: vfree needs no list of frames.  The page tables already exist
 * (paging_init), so every address space sees an area the moment it is
 * mapped.  There is no limit on the number of areas but the address range
 * and memory for their descriptors.  vmalloc_map_area hands an area to a
 * mapping of the caller's choice instead (mm/ioremap.c maps device
 * registers there); vfree unmaps either kind, freeing only owned frames.
 *
 * Several CPUs: vmalloc_lock guards the list and the count, and is held
 * from the search for a gap until the area is mapped, and in vfree until it
 * is unmapped, so that no range is handed out twice or while its old
 * mapping may still sit in another CPU's TLB (vmm_unmap shoots it down
 * before it returns).  It is taken before the kernel space's lock.
 */
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/slab.h"
#include "mm/report.h"
#include "lib/list.h"
#include "lib/panic.h"
#include "lib/spinlock.h"
#include "lib/string.h"

struct vm_area {
	vaddr_t va_start;
	size_t va_pages; /* mapped pages; the guard page follows */
	uintptr_t va_caller; /* who called vmalloc, for vmallocinfo */
	struct list_node va_link; /* on `areas`, by address */
};

static struct spinlock vmalloc_lock = SPINLOCK_INIT("vmalloc", LOCK_ORDER_VMALLOC);
LOCK_REGISTER(vmalloc_lock);
static struct list_node areas = LIST_HEAD_INIT(areas); /* vmalloc_lock */
static unsigned nr_areas; /* vmalloc_lock */
static struct kmem_cache *area_cachep;

void vmalloc_init(void)
{
	area_cachep = kmem_cache_create("vm_area", sizeof(struct vm_area), 0, 0, NULL);
	if (!area_cachep)
		panic("vmalloc: no memory for the vm_area cache");
}

unsigned vmalloc_nr_areas(void)
{
	return READ_ONCE(nr_areas);
}

static vaddr_t area_end(const struct vm_area *a)
{
	return a->va_start + (a->va_pages + 1) * PAGE_SIZE;
}

/* First fit: the lowest gap that holds pages + a guard page.  Returns the
 * node the new area goes before (the list head: at the end), or NULL when
 * no gap is big enough; *va receives its address. */
static struct list_node *__find_gap(size_t pages, vaddr_t *va)
{
	uint64_t need = ((uint64_t)pages + 1) * PAGE_SIZE;
	uint64_t start = VMALLOC_START;
	struct list_node *pos;

	LOCK_ASSERT_HELD(&vmalloc_lock);
	list_for_each(pos, &areas) {
		const struct vm_area *a = list_entry(pos, struct vm_area, va_link);
		if (start + need <= a->va_start)
			break;
		start = area_end(a);
	}
	if (start + need > VMALLOC_END)
		return NULL;
	*va = (vaddr_t)start;
	return pos;
}

static void *__map_area(size_t pages, int (*map)(vaddr_t va, size_t size, void *ctx),
			void *ctx, uintptr_t caller)
{
	struct list_node *next;
	struct vm_area *a;
	vaddr_t va;

	LOCK_ASSERT_HELD(&vmalloc_lock);
	next = __find_gap(pages, &va);
	if (!next)
		return NULL;
	a = kmem_cache_alloc(area_cachep, GFP_KERNEL);
	if (!a)
		return NULL;
	if (map(va, pages * PAGE_SIZE, ctx)) {
		kmem_cache_free(area_cachep, a);
		return NULL;
	}
	a->va_start = va;
	a->va_pages = pages;
	a->va_caller = caller;
	list_add_tail(&a->va_link, next); /* just before `next` */
	nr_areas++;
	return (void *)va;
}

void *vmalloc_map_area(size_t size, int (*map)(vaddr_t va, size_t size, void *ctx),
		       void *ctx, uintptr_t caller)
{
	size_t pages = ALIGN_UP((uint64_t)size, PAGE_SIZE) / PAGE_SIZE;
	void *va;

	if (!size || size > VMALLOC_END - VMALLOC_START || !area_cachep)
		return NULL;
	spin_lock(&vmalloc_lock);
	va = __map_area(pages, map, ctx, caller);
	spin_unlock(&vmalloc_lock);
	return va;
}

/* Fresh frames from the buddy, owned by kernel_as. */
static int map_fresh_frames(vaddr_t va, size_t size, void *gfp)
{
	return vmm_alloc(&kernel_as, va, size, VMM_WRITE, *(gfp_t *)gfp);
}

static void *__vmalloc(size_t size, gfp_t gfp, uintptr_t caller)
{
	return vmalloc_map_area(size, map_fresh_frames, &gfp, caller);
}

void *vmalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM,
			 (uintptr_t)__builtin_return_address(0));
}

void *vzalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO,
			 (uintptr_t)__builtin_return_address(0));
}

static void __vfree(vaddr_t va)
{
	struct list_node *pos;

	LOCK_ASSERT_HELD(&vmalloc_lock);
	list_for_each(pos, &areas) {
		struct vm_area *a = list_entry(pos, struct vm_area, va_link);
		if (va == a->va_start) {
			vmm_unmap(&kernel_as, va, a->va_pages * PAGE_SIZE);
			list_del(&a->va_link);
			kmem_cache_free(area_cachep, a);
			nr_areas--;
			return;
		}
		if (va > a->va_start && va < area_end(a)) {
			mm_report(REPORT_INTERIOR_POINTER, va,
				  "vfree of an address inside the area at %#x (%u pages)",
				  (unsigned)a->va_start, (unsigned)a->va_pages);
			return;
		}
		if (va < a->va_start)
			break; /* sorted: no later area can hold it */
	}
	mm_report(REPORT_NOT_ALLOCATED, va, "vfree of an address vmalloc never returned");
}

void vfree(const void *addr)
{
	if (!addr)
		return;
	spin_lock(&vmalloc_lock);
	__vfree((vaddr_t)addr);
	spin_unlock(&vmalloc_lock);
}

bool vmalloc_find(vaddr_t va, struct vmalloc_area_info *out)
{
	struct list_node *pos;
	bool found = false;

	spin_lock(&vmalloc_lock);
	list_for_each(pos, &areas) {
		const struct vm_area *a = list_entry(pos, struct vm_area, va_link);
		if (va < a->va_start)
			break; /* sorted: no later area can hold it */
		if (va < area_end(a)) {
			*out = (struct vmalloc_area_info){ a->va_start, a->va_pages,
							   a->va_caller };
			found = true;
			break;
		}
	}
	spin_unlock(&vmalloc_lock);
	return found;
}

void vmalloc_print_info(void)
{
	struct list_node *pos;
	char by[MM_SYMBOL_LEN];

	spin_lock(&vmalloc_lock);
	mm_printf("vmallocinfo: %u area(s) in %#x-%#x, each followed by a guard page\n",
		  nr_areas, VMALLOC_START, VMALLOC_END);
	list_for_each(pos, &areas) {
		const struct vm_area *a = list_entry(pos, struct vm_area, va_link);
		mm_printf("  %#010x-%#010x %8u bytes in %u page(s), by %s\n",
			  (unsigned)a->va_start,
			  (unsigned)(a->va_start + a->va_pages * PAGE_SIZE),
			  (unsigned)(a->va_pages * PAGE_SIZE), (unsigned)a->va_pages,
			  mm_symbol(a->va_caller, by, sizeof(by)));
	}
	spin_unlock(&vmalloc_lock);
}

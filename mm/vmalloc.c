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
 * registers there); vmalloc_unmap_area releases those, vfree the others
 * (each refuses the other kind), freeing only owned frames.
 *
 * Bad input.  vfree and vmalloc_unmap_area report what they are given
 * when it is no live area of their kind, naming the caller, and change
 * nothing.  A freed area is recognised as such until its range is handed
 * out again: `freed` has a bit per page of the range, set at an area's
 * first page when it is freed and cleared over every new area and its
 * guard page, so a second free of the same address is a double free, not
 * "never allocated".
 *
 * Several CPUs: vmalloc_lock guards the list and the count, and is held
 * from the search for a gap until the area is mapped, and in vfree until it
 * is unmapped, so that no range is handed out twice or while its old
 * mapping may still sit in another CPU's TLB (vmm_unmap shoots it down
 * before it returns).  It is taken before the kernel space's lock; its
 * reports print under it (the console's lock is innermost).
 */
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/slab.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "mm/platform.h"
#include "lib/list.h"
#include "lib/panic.h"
#include "lib/lockstat.h"
#include "lib/string.h"

enum vm_area_kind {
	VM_AREA_ALLOC, /* vmalloc, vzalloc: owned frames; vfree */
	VM_AREA_MAP, /* vmalloc_map_area (ioremap): vmalloc_unmap_area */
};

struct vm_area {
	vaddr_t va_start;
	size_t va_pages; /* mapped pages; the guard page follows */
	uintptr_t va_caller; /* who called vmalloc, for vmallocinfo */
	enum vm_area_kind va_kind;
	struct list_node va_link; /* on `areas`, by address */
};

#define VMALLOC_PAGES ((VMALLOC_END - VMALLOC_START) / PAGE_SIZE)
STATIC_ASSERT(VMALLOC_PAGES % 32 == 0, "the freed bitmap has whole words");

static struct spinlock vmalloc_lock = SPINLOCK_INIT("vmalloc", LOCK_ORDER_VMALLOC);
LOCK_REGISTER(vmalloc_lock);
static struct list_node areas = LIST_HEAD_INIT(areas); /* vmalloc_lock */
static unsigned nr_areas; /* vmalloc_lock */
/* Bit i: page i of the range starts an area freed and not reused since. */
static uint32_t freed[VMALLOC_PAGES / 32]; /* vmalloc_lock */
static struct kmem_cache *area_cachep;

void vmalloc_init(void)
{
	area_cachep = kmem_cache_create("vm_area", sizeof(struct vm_area), 0, 0, NULL);
	if (!area_cachep)
		panic("vmalloc: no memory for the vm_area cache");
}

struct page *vmalloc_to_page(const void *addr)
{
	vaddr_t va = (vaddr_t)addr;
	pte_t *p;

	if (va < VMALLOC_START || va >= VMALLOC_END) {
		mm_report_caller(REPORT_OUT_OF_RANGE, va, MM_CALLER(),
				 "vmalloc_to_page(%#x): expected an address in the vmalloc range %#x-%#x",
				 va, VMALLOC_START, VMALLOC_END);
		return NULL;
	}
	p = pgt_lookup(kernel_as.as_pgdir, va);
	if (!p || !pte_present(*p))
		return NULL;
	return phys_to_page(pte_phys(*p));
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

static unsigned page_index(vaddr_t va)
{
	return (va - VMALLOC_START) / PAGE_SIZE;
}

static bool __freed_test(vaddr_t va)
{
	unsigned i = page_index(va);

	LOCK_ASSERT_HELD(&vmalloc_lock);
	return freed[i / 32] >> (i % 32) & 1;
}

/* The pages of [va, va + pages) are in use again: no freed area starts
 * there any more. */
static void __freed_forget(vaddr_t va, size_t pages)
{
	LOCK_ASSERT_HELD(&vmalloc_lock);
	for (unsigned i = page_index(va), end = i + (unsigned)pages; i < end; i++)
		freed[i / 32] &= ~(1u << (i % 32));
}

static void *__map_area(size_t pages, int (*map)(vaddr_t va, size_t size, void *ctx),
			void *ctx, uintptr_t caller, enum vm_area_kind kind)
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
	a->va_kind = kind;
	list_add_tail(&a->va_link, next); /* just before `next` */
	nr_areas++;
	__freed_forget(va, pages + 1);
	return (void *)va;
}

/* Whether a new area may have size bytes; false after one report. */
static bool size_ok(size_t size, const char *fn, uintptr_t caller)
{
	if (size && size <= VMALLOC_END - VMALLOC_START)
		return true;
	mm_report_caller(REPORT_INVALID_ARG, size, caller,
			 "%s(size %#zx): expected 1 to %#x bytes (the vmalloc range)", fn,
			 size, VMALLOC_END - VMALLOC_START);
	return false;
}

static void *map_area(size_t size, int (*map)(vaddr_t va, size_t size, void *ctx),
		      void *ctx, uintptr_t caller, enum vm_area_kind kind)
{
	size_t pages = ALIGN_UP((uint64_t)size, PAGE_SIZE) / PAGE_SIZE;
	void *va;

	if (mm_should_fail(MM_ALLOC_VMALLOC, caller) || !area_cachep)
		return NULL;
	spin_lock(&vmalloc_lock);
	va = __map_area(pages, map, ctx, caller, kind);
	spin_unlock(&vmalloc_lock);
	return va;
}

void *vmalloc_map_area(size_t size, int (*map)(vaddr_t va, size_t size, void *ctx),
		       void *ctx, uintptr_t caller)
{
	if (!size_ok(size, "vmalloc_map_area", caller))
		return NULL;
	if (!map) {
		mm_report_caller(REPORT_INVALID_ARG, 0, caller,
				 "vmalloc_map_area(map NULL): expected a function that maps the area");
		return NULL;
	}
	return map_area(size, map, ctx, caller, VM_AREA_MAP);
}

/* Fresh frames from the buddy, owned by kernel_as. */
static int map_fresh_frames(vaddr_t va, size_t size, void *gfp)
{
	return vmm_kernel_alloc(va, size, *(gfp_t *)gfp);
}

static void *__vmalloc(size_t size, gfp_t gfp, const char *fn, uintptr_t caller)
{
	if (!size_ok(size, fn, caller))
		return NULL;
	return map_area(size, map_fresh_frames, &gfp, caller, VM_AREA_ALLOC);
}

void *vmalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM, "vmalloc", MM_CALLER());
}

void *vzalloc(size_t size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO, "vzalloc",
			 MM_CALLER());
}

static const char *const kind_release[] = {
	[VM_AREA_ALLOC] = "vfree",
	[VM_AREA_MAP] = "iounmap (vmalloc_unmap_area)",
};

/* Says what is wrong with releasing va, which starts no live area. */
static void __report_bad_release(vaddr_t va, const char *fn, uintptr_t caller)
{
	struct list_node *pos;

	LOCK_ASSERT_HELD(&vmalloc_lock);
	if (va < VMALLOC_START || va >= VMALLOC_END) {
		mm_report_caller(REPORT_OUT_OF_RANGE, va, caller,
				 "%s(%#x): expected an address in the vmalloc range %#x-%#x",
				 fn, (unsigned)va, VMALLOC_START, VMALLOC_END);
		return;
	}
	list_for_each(pos, &areas) {
		const struct vm_area *a = list_entry(pos, struct vm_area, va_link);
		if (va < a->va_start)
			break; /* sorted: no later area can hold it */
		if (va < area_end(a)) {
			mm_report_caller(REPORT_INTERIOR_POINTER, va, caller,
					 "%s of an address inside the area at %#x (%u pages%s); expected its start",
					 fn, (unsigned)a->va_start, (unsigned)a->va_pages,
					 va >= area_end(a) - PAGE_SIZE ? ", in its guard page" : "");
			return;
		}
	}
	if (IS_ALIGNED(va, PAGE_SIZE) && __freed_test(va))
		mm_report_caller(REPORT_DOUBLE_FREE, va, caller,
				 "%s of the area at %#x, freed already (and not handed out since)",
				 fn, (unsigned)va);
	else
		mm_report_caller(REPORT_NOT_ALLOCATED, va, caller,
				 "%s of an address where no area starts", fn);
}

/* Releases the area at va if it is a live one of `kind`; else reports. */
static void __release(vaddr_t va, enum vm_area_kind kind, const char *fn, uintptr_t caller)
{
	struct list_node *pos;

	LOCK_ASSERT_HELD(&vmalloc_lock);
	list_for_each(pos, &areas) {
		struct vm_area *a = list_entry(pos, struct vm_area, va_link);
		if (va > a->va_start)
			continue;
		if (va < a->va_start)
			break; /* sorted: no later area starts there */
		if (a->va_kind != kind) {
			mm_report_caller(REPORT_BAD_HANDLE, va, caller,
					 "%s of the area at %#x, which %s releases", fn,
					 (unsigned)va, kind_release[a->va_kind]);
			return;
		}
		vmm_kernel_unmap(va, a->va_pages * PAGE_SIZE);
		list_del(&a->va_link);
		kmem_cache_free(area_cachep, a);
		nr_areas--;
		freed[page_index(va) / 32] |= 1u << (page_index(va) % 32);
		return;
	}
	__report_bad_release(va, fn, caller);
}

void vfree(const void *addr)
{
	if (!addr)
		return;
	spin_lock(&vmalloc_lock);
	__release((vaddr_t)addr, VM_AREA_ALLOC, "vfree", MM_CALLER());
	spin_unlock(&vmalloc_lock);
}

void vmalloc_unmap_area(const void *addr, uintptr_t caller)
{
	if (!addr)
		return;
	spin_lock(&vmalloc_lock);
	__release((vaddr_t)addr, VM_AREA_MAP, "iounmap", caller);
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
			if (out)
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

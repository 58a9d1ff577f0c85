/*
 * What the address-space operations accept from their callers (mm/vmm.c,
 * 7), and the one report each bad argument gets: the call, what was
 * passed, what was expected, the caller.  Everything here runs before the
 * operation touches anything, so a refused call changes nothing.
 */
#include "mm/vmm_internal.h"
#include "mm/report.h"
#include "mm/platform.h"
#include "lib/panic.h"

/* What a pointer that is no address space is, for the report. */
static const char *describe(const void *p, char *buf, size_t size)
{
	struct page *pg = virt_to_page_checked(p);
	struct kmem_cache *c = slab_find_object(p, NULL);

	if (c)
		snprintf(buf, size, "an object of cache %s", kmem_cache_name(c));
	else if (pg)
		snprintf(buf, size, "memory of a frame owned by %s",
			 page_owner_name(page_owner(compound_head(pg))));
	else
		snprintf(buf, size, "not in the direct map, where spaces live");
	return buf;
}

/* Whether the object at as (of the cache) has been destroyed: the slab
 * holds it as free, or vmm_destroy's mark is still there. */
static bool destroyed(const struct addr_space *as)
{
	return kmem_object_is_free(vmm_as_cachep, as) || as->as_magic == AS_DEAD;
}

int __vmm_check_as(const struct addr_space *as, unsigned how, const char *fn,
		   uintptr_t caller)
{
	char what[64];
	void *start = NULL;

	if (as == &kernel_as) {
		mm_report_caller(REPORT_INVALID_ARG, (uintptr_t)as, caller,
				 "%s(&kernel_as): the kernel's space is changed only through vmalloc, ioremap and kmap; expected a space from vmm_create",
				 fn);
	} else if (!as) {
		mm_report_caller(REPORT_BAD_HANDLE, 0, caller,
				 "%s(NULL): expected an address space from vmm_create", fn);
	} else if (slab_find_object(as, &start) != vmm_as_cachep) {
		mm_report_caller(REPORT_BAD_HANDLE, (uintptr_t)as, caller,
				 "%s(%p): not an address space (%s)", fn, (const void *)as,
				 describe(as, what, sizeof(what)));
	} else if (start != as) {
		mm_report_caller(REPORT_BAD_HANDLE, (uintptr_t)as, caller,
				 "%s(%p): points inside the address space at %p", fn,
				 (const void *)as, start);
	} else if (destroyed(as)) { /* before the magic: vmm_destroy changed it */
		mm_report_caller(how & VMM_CHECK_DESTROY ? REPORT_DOUBLE_FREE : REPORT_DEAD_HANDLE,
				 (uintptr_t)as, caller,
				 "%s(%p): the address space was destroyed by vmm_destroy", fn,
				 (const void *)as);
	} else {
		mm_report_caller(REPORT_BAD_HANDLE, (uintptr_t)as, caller,
				 "%s(%p): magic %#x and self %p, expected %#x and %p: the address space is overwritten",
				 fn, (const void *)as, as->as_magic, (const void *)as->as_self,
				 AS_MAGIC, (const void *)as);
	}
	return ERR_INVALID_ARGS;
}

static int bad_range(int err, vaddr_t va, size_t size, const char *fn, uintptr_t caller,
		     const char *why)
{
	mm_report_caller(REPORT_INVALID_ARG, va, caller, "%s(va %#x, size %#zx): %s", fn,
			 (unsigned)va, size, why);
	return err;
}

int __vmm_bad_range(vaddr_t va, size_t size, unsigned prot, unsigned prot_ok,
		    const char *fn, uintptr_t caller)
{
	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || !size)
		return bad_range(ERR_INVALID_ARGS, va, size, fn, caller,
				 "expected va and size page-aligned, size > 0");
	if (range_wraps_u32(va, size) || va < PAGE_SIZE || va + size - 1 >= KERNEL_VBASE)
		return bad_range(ERR_RANGE, va, size, fn, caller,
				 "expected a range inside the user half [0x1000, 0xc0000000)");
	if (prot & ~prot_ok) {
		mm_report_caller(REPORT_INVALID_ARG, va, caller,
				 "%s(va %#x, prot %#x): unknown protection bits %#x (expected within %#x)",
				 fn, (unsigned)va, prot, prot & ~prot_ok, prot_ok);
		return ERR_INVALID_ARGS;
	}
	ASSERT(!"__vmm_bad_range called with good arguments");
	return ERR_INVALID_ARGS;
}

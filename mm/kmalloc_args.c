/*
 * kmalloc's checks of what its callers pass (see mm/kmalloc.c): gfp bits
 * no flag has, and a size no buddy block holds.  Each refused call is one
 * REPORT_INVALID_ARG naming the call and its caller; a size too large is
 * said only without __GFP_NOWARN, for a caller that tries sizes downwards.
 */
#include "mm/slab_internal.h"
#include "mm/report.h"

STATIC_ASSERT(KMALLOC_MAX_SIZE == (size_t)MM_PAGE_SIZE << (MAX_ORDER - 1),
	      "kmalloc's largest request is the largest buddy block");

void __kmalloc_args_refused(size_t size, gfp_t gfp, const char *op,
			    uintptr_t caller)
{
	if (gfp & ~__GFP_BITS)
		mm_report_call(REPORT_INVALID_ARG, gfp, op, caller,
			       "gfp %#x has bits no flag has (%#x)", gfp, gfp & ~__GFP_BITS);
	else if (!(gfp & __GFP_NOWARN))
		mm_report_call(REPORT_INVALID_ARG, size, op, caller,
			       "%lu bytes: the largest request is %lu",
			       (unsigned long)size, (unsigned long)KMALLOC_MAX_SIZE);
}

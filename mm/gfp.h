/*
 * Allocation flags (Linux's names).  A request is served from the highest
 * zone its flags allow, falling back to lower zones:
 *   GFP_KERNEL                 NORMAL -> DMA
 *   GFP_KERNEL | __GFP_HIGHMEM HIGHMEM -> NORMAL -> DMA
 *   GFP_DMA                    DMA only (below 16 MiB, for ISA devices)
 */
#ifndef MM_GFP_H
#define MM_GFP_H

typedef unsigned int gfp_t;

#define __GFP_DMA 0x01u /* only below 16 MiB */
#define __GFP_HIGHMEM 0x02u /* may come from above the direct map */
#define __GFP_ZERO 0x04u /* zero the memory before returning it */
#define __GFP_NOWARN 0x08u /* do not print on failure */
/* Every flag there is: a request with any other bit set is refused (a
 * named report, NULL). */
#define __GFP_BITS (__GFP_DMA | __GFP_HIGHMEM | __GFP_ZERO | __GFP_NOWARN)

#define GFP_KERNEL 0x00u
#define GFP_DMA __GFP_DMA
#define GFP_HIGHUSER __GFP_HIGHMEM

#endif

/*
 * A dump of every physical frame's state, run-length encoded, for
 * tools/memmap_render.py to draw (make memmap):
 *   MEMMAP-BEGIN frames=N direct_end_pfn=D dma_end_pfn=16M/4K
 *   MEMMAP <first pfn, hex> <count, hex> <state>
 *   MEMMAP-END
 * States: free-oK (a free buddy block of order K), hot (free, on a hot
 * list), kernel, bootmem, reserved (firmware, holes), and for allocated
 * frames their owner: slab, kmalloc, pagetable, vmalloc, user, stack,
 * freelist, allocated (anyone else).
 */
#ifndef KERNEL_MEMDUMP_H
#define KERNEL_MEMDUMP_H

void memdump_print(void);

/*
 * For the picture (`memdump` on the command line): puts a little of
 * everything in memory first -- tasks with their stacks, a vmalloc area, a
 * large kmalloc block, small kmalloc objects -- dumps, and gives it back.
 */
void memdump_demo(void);

#endif

/*
 * whatis: who owns an address.  Answers for physical addresses (a free
 * buddy block of order k, a page on a hot list, a reserved range and its
 * name, an allocated block and its owner: a slab object of cache X, a page
 * table, a kernel stack...) and for kernel virtual addresses (the kernel
 * image and its section, the direct map, a vmalloc area or its guard page,
 * a kmap slot, the fixmap).  GDB's `strata whatis` (tools/gdb) gives the
 * same answer, word for word, from the same structures; the runner
 * compares the two.
 */
#ifndef KERNEL_WHATIS_H
#define KERNEL_WHATIS_H

#include "lib/types.h"

#define WHATIS_MAX 240 /* bytes of an answer, NUL included */

/* Describes addr in buf (one line, no newline): a virtual address if it is
 * KERNEL_VBASE or above, else a physical one -- the shell's rule. */
void whatis(uint64_t addr, char *buf, size_t size);
/* Describes physical address pa. */
void whatis_phys(paddr_t pa, char *buf, size_t size);
/* Describes a virtual address (the user half is per address space: it only
 * says so). */
void whatis_virt(uintptr_t va, char *buf, size_t size);
/* Describes an address of the kernel image by section (and says when its
 * page is not mapped, as the boot stack's guard page is not). */
void whatis_image(uintptr_t va, char *buf, size_t size);

#endif

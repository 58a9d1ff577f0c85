/*
 * whatis: who owns an address.  Answers for kernel virtual addresses (the
 * image, the direct map) and physical addresses alike: a free buddy block
 * of order k, a page on a hot list, a reserved range and its name, the
 * kernel image and its section, an allocated block and its owner (a slab of
 * cache X, a page table, a vmalloc area...).
 */
#ifndef KERNEL_WHATIS_H
#define KERNEL_WHATIS_H

#include "lib/types.h"

/* Describes physical address pa in buf (one line, no newline). */
void whatis_phys(paddr_t pa, char *buf, size_t size);
/* Describes a virtual address: the kernel image, or through the direct map. */
void whatis_virt(uintptr_t va, char *buf, size_t size);

#endif

/* Kernel-only controls of the mm platform layer (arch/x86/mm_platform.c). */
#ifndef ARCH_X86_MM_PLATFORM_H
#define ARCH_X86_MM_PLATFORM_H

#include "kernel/types.h"

/* The direct map now covers [0, end). */
void mm_set_direct_end(paddr_t end);
/* mm/paging's kmap takes over temporary frame mappings from the fixmap. */
void mm_set_frame_mapper(void *(*map)(paddr_t), void (*unmap)(void *));

#endif

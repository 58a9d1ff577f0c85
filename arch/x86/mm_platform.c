/*
 * The kernel side of mm/platform.h.  Minimal for now: the direct map is the
 * boot mapping of the first BOOT_MAP_SIZE bytes at KERNEL_VBASE, and
 * mm_map_frame can only reach frames inside it (the kmap window comes with
 * mm/paging).
 */
#include "mm/platform.h"
#include "arch/x86/layout.h"
#include "arch/x86/cpu.h"
#include "kernel/panic.h"

void *mm_phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)(pa + KERNEL_VBASE);
}

paddr_t mm_virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - KERNEL_VBASE);
}

paddr_t mm_direct_end(void)
{
	return BOOT_MAP_SIZE;
}

void *mm_map_frame(paddr_t pa)
{
	if (pa >= mm_direct_end())
		panic("mm_map_frame(%#llx): no kmap window yet",
		      (unsigned long long)pa);
	return mm_phys_to_virt(pa);
}

void mm_unmap_frame(void *va)
{
	(void)va;
}

mm_irqflags_t mm_irq_save(void)
{
	return irq_save();
}

void mm_irq_restore(mm_irqflags_t flags)
{
	irq_restore((uint32_t)flags);
}

int mm_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

/*
 * kmap: theory of operation.
 *
 * The window [KMAP_BASE, KMAP_BASE + KMAP_SLOTS pages) lies in the kernel
 * half, so its one page table is shared by every address space (made by
 * paging_init).  A bitmap says which slots are in use.  kmap of a HIGHMEM
 * frame takes the first free slot and maps it through kernel_as (vmm_map:
 * the frame stays the caller's); kunmap unmaps it, which invalidates the
 * TLB entry, and frees the slot.  Filling an empty slot needs no invlpg.
 * Interrupts are masked around the bitmap (one CPU: that is the lock).
 *
 * After kmap_init, mm_map_frame (the buddy's __GFP_ZERO on HIGHMEM pages)
 * uses these slots instead of the boot fixmap.
 */
#include "mm/highmem.h"
#include "mm/vmm.h"
#include "arch/x86/layout.h"
#include "lib/panic.h"

#define KMAP_WORDS (KMAP_SLOTS / 32)

static uint32_t slot_bits[KMAP_WORDS];
static unsigned slots_used;

static vaddr_t slot_va(unsigned slot)
{
	return KMAP_BASE + (vaddr_t)slot * PAGE_SIZE;
}

static int take_slot(void)
{
	for (unsigned w = 0; w < KMAP_WORDS; w++) {
		if (slot_bits[w] == ~0u)
			continue;
		unsigned b = (unsigned)__builtin_ctz(~slot_bits[w]);
		slot_bits[w] |= 1u << b;
		slots_used++;
		return (int)(w * 32 + b);
	}
	return -1;
}

static void *kmap_phys(paddr_t pa)
{
	mm_irqflags_t flags;
	int slot;

	if (pa + PAGE_SIZE <= mm_direct_end())
		return mm_phys_to_virt(pa);
	flags = mm_irq_save();
	slot = take_slot();
	if (slot >= 0 &&
	    vmm_map(&kernel_as, slot_va((unsigned)slot), pa, PAGE_SIZE, VMM_WRITE))
		panic("kmap: the kmap window has no page table");
	mm_irq_restore(flags);
	return slot < 0 ? NULL : (void *)slot_va((unsigned)slot);
}

void *kmap(struct page *page)
{
	return kmap_phys(page_to_phys(page));
}

void kunmap(void *addr)
{
	vaddr_t va = ALIGN_DOWN((vaddr_t)addr, PAGE_SIZE);
	unsigned slot = (va - KMAP_BASE) / PAGE_SIZE;
	mm_irqflags_t flags;

	if (va < KMAP_BASE || va >= slot_va(KMAP_SLOTS))
		return; /* a direct-map address */
	flags = mm_irq_save();
	ASSERT(slot_bits[slot / 32] & (1u << (slot % 32)));
	vmm_unmap(&kernel_as, va, PAGE_SIZE);
	slot_bits[slot / 32] &= ~(1u << (slot % 32));
	slots_used--;
	mm_irq_restore(flags);
}

unsigned kmap_slots_used(void)
{
	return slots_used;
}

void kmap_init(void)
{
	mm_set_frame_mapper(kmap_phys, kunmap);
}

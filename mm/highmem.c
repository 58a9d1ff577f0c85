/*
 * kmap: theory of operation.
 *
 * The window [KMAP_BASE, KMAP_BASE + KMAP_SLOTS pages) lies in the kernel
 * half, so its one page table is shared by every address space (made by
 * paging_init).  Slots are per CPU: CPU n owns KMAP_SLOTS_PER_CPU slots in a
 * row and a bitmap of them in its per-CPU area, so taking a slot needs no
 * lock and no other CPU's cache line.  A slot's page-table entry belongs
 * to whoever holds the slot, so kmap writes it directly (no address-space
 * lock: kmap runs inside the allocators, under other spaces' locks).
 * Filling an empty slot needs no invlpg.
 *
 * Releasing a slot needs care on several CPUs.  kunmap: the address may
 * have been handed to other CPUs, which may have cached the translation,
 * so the entry is shot down on every other CPU before the slot can be
 * taken again.  The allocators' short-lived mappings (mm_map_frame, the
 * buddy's __GFP_ZERO of HIGHMEM frames) are used only by the CPU that made
 * them, between map and unmap, and no other CPU ever learns the address:
 * no other TLB can hold it, so a local invlpg is enough (Linux's
 * kmap_local_page makes the same argument).
 *
 * The bitmap is changed with atomic operations: kunmap may run on another
 * CPU than the kmap it undoes.
 *
 * Bad input.  kmap checks that it was given a struct page of the page
 * array; kunmap, that its address is a slot in use (or a direct-map
 * address, which kmap hands out for low frames).  Anything else is one
 * report naming the caller, and nothing changes.  Not detected: a kunmap
 * of a slot someone else holds (the bitmap cannot say whose it is), and
 * two kunmaps of one slot racing on two CPUs.  The allocators' own
 * mappings keep an assertion: their slot is their invariant.
 */
#include "mm/highmem.h"
#include "mm/vmm.h"
#include "mm/paging.h"
#include "arch/x86/layout.h"
#include "arch/x86/percpu.h"
#include "arch/x86/tlb.h"
#include "mm/report.h"
#include "mm/failinject.h"
#include "lib/panic.h"

#define KMAP_SLOTS_PER_CPU (KMAP_SLOTS / NR_CPUS)
STATIC_ASSERT(KMAP_SLOTS_PER_CPU == 32, "one 32-bit bitmap per CPU");
STATIC_ASSERT(KMAP_SLOTS <= PTRS_PER_TABLE && (KMAP_BASE & (PGDIR_SIZE - 1)) == 0,
	      "the window is the start of one page table");

static DEFINE_PER_CPU(uint32_t, kmap_used); /* bit i: this CPU's slot i */
static unsigned slots_used; /* over all CPUs, for the leak checks */
static pte_t *window; /* the window's page table */
static uint32_t slot_flags;

static vaddr_t slot_va(unsigned slot)
{
	return KMAP_BASE + (vaddr_t)slot * PAGE_SIZE;
}

/* One of this CPU's slots, or -1.  Interrupts off: no other context of
 * this CPU takes its slots meanwhile. */
static int take_slot(void)
{
	unsigned cpu = smp_processor_id();
	uint32_t *used = per_cpu_ptr(&kmap_used, cpu);
	uint32_t free = ~READ_ONCE(*used);
	unsigned b;

	if (!free)
		return -1;
	b = (unsigned)__builtin_ctz(free);
	atomic_or32(used, 1u << b);
	__atomic_add_fetch(&slots_used, 1, __ATOMIC_RELAXED);
	return (int)(cpu * KMAP_SLOTS_PER_CPU + b);
}

static void *map_slot(paddr_t pa)
{
	irqflags_t flags;
	int slot;

	if (pa + PAGE_SIZE <= mm_direct_end())
		return mm_phys_to_virt(pa);
	flags = irq_save();
	slot = take_slot();
	if (slot >= 0)
		pgt_set(&window[slot], make_pte(pa, slot_flags), slot_va((unsigned)slot), false);
	irq_restore(flags);
	return slot < 0 ? NULL : (void *)slot_va((unsigned)slot);
}

/* Whether page is a struct page of the page array; false after a report. */
static bool page_ok(const struct page *page, uintptr_t caller)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)mem_map;

	if (page >= mem_map && page < mem_map + max_pfn && off % sizeof(*page) == 0)
		return true;
	mm_report_caller(REPORT_OUT_OF_RANGE, (uintptr_t)page, caller,
			 "kmap(%p): expected a struct page of the page array (%p, %u frames)",
			 (const void *)page, (void *)mem_map, (unsigned)max_pfn);
	return false;
}

void *kmap(struct page *page)
{
	uintptr_t caller = MM_CALLER();

	if (!page_ok(page, caller))
		return NULL;
	if (!page_address(page) && mm_should_fail(MM_ALLOC_KMAP, caller))
		return NULL; /* as if every slot of this CPU were taken */
	return map_slot(page_to_phys(page));
}

static bool is_slot(vaddr_t va)
{
	return va >= KMAP_BASE && va < slot_va(KMAP_SLOTS);
}

static bool slot_in_use(unsigned slot)
{
	return READ_ONCE(*per_cpu_ptr(&kmap_used, slot / KMAP_SLOTS_PER_CPU)) &
	       (1u << (slot % KMAP_SLOTS_PER_CPU));
}

/* Empties the slot at va (a slot in use). */
static void unmap_slot(vaddr_t va)
{
	pgt_set(&window[(va - KMAP_BASE) / PAGE_SIZE], (pte_t){ 0 }, va, true);
}

static void release_slot(vaddr_t va)
{
	unsigned slot = (va - KMAP_BASE) / PAGE_SIZE;

	atomic_andnot32(per_cpu_ptr(&kmap_used, slot / KMAP_SLOTS_PER_CPU),
			1u << (slot % KMAP_SLOTS_PER_CPU));
	__atomic_sub_fetch(&slots_used, 1, __ATOMIC_RELAXED);
}

/* Whether kunmap may take addr: a slot in use, or a direct-map address
 * (true, *va 0); false after one report. */
static bool kunmap_ok(const void *addr, vaddr_t *va, uintptr_t caller)
{
	*va = ALIGN_DOWN((vaddr_t)addr, PAGE_SIZE);
	if (is_slot(*va)) {
		if (slot_in_use((*va - KMAP_BASE) / PAGE_SIZE))
			return true;
		mm_report_caller(REPORT_DOUBLE_FREE, (uintptr_t)addr, caller,
				 "kunmap(%p): the kmap slot is not in use (unmapped already?)",
				 addr);
		return false;
	}
	*va = 0;
	if (!addr || virt_addr_managed(addr))
		return true;
	mm_report_caller(REPORT_NOT_ALLOCATED, (uintptr_t)addr, caller,
			 "kunmap(%p): expected an address kmap returned (a slot in %#x-%#x, or the direct map)",
			 addr, KMAP_BASE, (unsigned)slot_va(KMAP_SLOTS));
	return false;
}

void kunmap(void *addr)
{
	vaddr_t va;

	if (!kunmap_ok(addr, &va, MM_CALLER()) || !va)
		return;
	unmap_slot(va);
	tlb_shootdown(tlb_other_cpus(), va, 1);
	release_slot(va);
}

/* mm_map_frame's undo: the address never left this CPU (see above).  A
 * slot that is not in use (unmapped twice) is a report, and nothing. */
static void unmap_local(void *addr)
{
	vaddr_t va = ALIGN_DOWN((vaddr_t)addr, PAGE_SIZE);

	if (!is_slot(va))
		return;
	if (!slot_in_use((va - KMAP_BASE) / PAGE_SIZE)) {
		mm_report(REPORT_DOUBLE_FREE, va,
			  "mm_unmap_frame(%p): the kmap slot is not in use (unmapped already?)",
			  addr);
		return;
	}
	unmap_slot(va);
	release_slot(va);
}

unsigned kmap_slots_used(void)
{
	return READ_ONCE(slots_used);
}

void kmap_init(void)
{
	window = pgt_lookup(kernel_as.as_pgdir, KMAP_BASE);
	ASSERT(window); /* paging_init made the table */
	slot_flags = PTE_PRESENT | PTE_RW | (paging_uses_pge() ? PTE_GLOBAL : 0);
	mm_set_frame_mapper(map_slot, unmap_local);
}

/*
 * The kernel's half of the outside witness (see witness.h).  Lines:
 *   WITNESS info text=S-E direct_end=X guard=G pse=0|1 pge=0|1
 *   WITNESS vmalloc=V kmap=K     (areas mapped on purpose for the check)
 *   WITNESS range S-E uw         one per run of equal protection, "info mem"
 *                                style ('u'/'-' user, 'w'/'-' writable)
 *   WITNESS ready                QEMU may now be inspected
 */
#include "tests/witness.h"
#include "mm/paging.h"
#include "mm/vmm.h"
#include "mm/vmalloc.h"
#include "mm/highmem.h"
#include "mm/buddy.h"
#include "arch/x86/cpu.h"
#include "lib/printk.h"

extern char __text_start[], __data_start[], boot_stack_guard[];

static void print_range(const struct pt_range *r, void *ctx)
{
	(void)ctx;
	printk("WITNESS range %08x-%09llx %c%c\n", (unsigned)r->r_start,
	       r->r_end, r->r_flags & PTE_USER ? 'u' : '-',
	       r->r_flags & PTE_RW ? 'w' : '-');
}

/* A vmalloc area and (with HIGHMEM) a kmap slot, so that the parts of the
 * kernel half that are normally empty are compared too. */
static void map_samples(void)
{
	struct page *high = alloc_page(GFP_HIGHUSER);
	void *v = vmalloc(3 * PAGE_SIZE);
	void *k = high && !page_address(high) ? kmap(high) : NULL;

	printk("WITNESS vmalloc=%08x kmap=%08x\n", (unsigned)(uintptr_t)v,
	       (unsigned)(uintptr_t)k);
}

void witness_run(void)
{
	printk("WITNESS info text=%08x-%08x direct_end=%08llx guard=%08x pse=%d pge=%d\n",
	       (unsigned)(uintptr_t)__text_start,
	       (unsigned)(uintptr_t)__data_start, mm_direct_end(),
	       (unsigned)(uintptr_t)boot_stack_guard, paging_uses_pse(),
	       paging_uses_pge());
	map_samples();
	ptdump_walk(kernel_as.as_pgdir, 0, 0x100000000ULL, true, print_range,
		    NULL);
	printk("WITNESS ready\n");
	for (;;) {
		cpu_cli();
		cpu_halt();
	}
}

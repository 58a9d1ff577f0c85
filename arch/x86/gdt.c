/*
 * The global descriptor table: flat 4 GiB code and data segments for ring 0
 * and ring 3, the kernel's TSS (its ring-0 stack for traps from ring 3), a
 * second TSS that the double-fault task gate switches to, and two slots the
 * segmentation tests fill with segments of their own.
 * Descriptor format: SDM Vol. 3A, 3.4.5.
 */
#include "arch/x86/trap.h"
#include "arch/x86/segments.h"
#include "arch/x86/layout.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

/* Access byte. */
#define SEG_PRESENT 0x80
#define SEG_DPL(d) ((d) << 5)
#define SEG_CODE_DATA 0x10 /* S=1: code or data, not a system segment */
#define SEG_DATA_RW 0x02
#define SEG_DATA_EXPAND_DOWN 0x04
#define SEG_CODE_RX 0x0A
#define SEG_TSS32_AVAIL 0x09
/* Flags nibble. */
#define SEG_GRAN_4K 0x8
#define SEG_32BIT 0x4

struct gdt_entry {
	uint16_t limit_lo;
	uint16_t base_lo;
	uint8_t base_mid;
	uint8_t access;
	uint8_t limit_hi_flags;
	uint8_t base_hi;
} __packed;
STATIC_ASSERT(sizeof(struct gdt_entry) == 8, "GDT entries are 8 bytes");

struct descriptor_ptr {
	uint16_t limit;
	uint32_t base;
} __packed;

static struct gdt_entry gdt[GDT_ENTRIES] __aligned(8);
struct tss kernel_tss __aligned(128);
struct tss df_tss __aligned(128);
uint8_t df_stack[DF_STACK_SIZE] __aligned(16);

extern uint8_t boot_stack_top[];
void double_fault_task(void);

static void set_entry(unsigned i, uint32_t base, uint32_t limit,
		      uint8_t access, uint8_t flags)
{
	gdt[i].limit_lo = limit & 0xFFFF;
	gdt[i].base_lo = base & 0xFFFF;
	gdt[i].base_mid = (base >> 16) & 0xFF;
	gdt[i].access = access;
	gdt[i].limit_hi_flags = (uint8_t)(((limit >> 16) & 0x0F) | (flags << 4));
	gdt[i].base_hi = (base >> 24) & 0xFF;
}

void gdt_set_data_segment(unsigned index, uint32_t base, uint32_t limit,
			  bool page_granular, bool expand_down, unsigned dpl)
{
	uint8_t access = SEG_PRESENT | SEG_DPL(dpl) | SEG_CODE_DATA | SEG_DATA_RW;

	if (expand_down)
		access |= SEG_DATA_EXPAND_DOWN;
	set_entry(index, base, limit, access,
		  SEG_32BIT | (page_granular ? SEG_GRAN_4K : 0));
}

void gdt_set_code_segment(unsigned index, uint32_t base, uint32_t limit,
			  bool page_granular, unsigned dpl)
{
	set_entry(index, base, limit,
		  SEG_PRESENT | SEG_DPL(dpl) | SEG_CODE_DATA | SEG_CODE_RX,
		  SEG_32BIT | (page_granular ? SEG_GRAN_4K : 0));
}

void gdt_set_raw(unsigned index, uint32_t low, uint32_t high)
{
	memcpy(&gdt[index], &low, 4);
	memcpy((char *)&gdt[index] + 4, &high, 4);
}

static void set_tss(unsigned index, struct tss *tss)
{
	set_entry(index, (uint32_t)(uintptr_t)tss, sizeof(*tss) - 1,
		  SEG_PRESENT | SEG_TSS32_AVAIL, 0);
}

/*
 * The double-fault task runs on its own stack with a page directory of its
 * own (the boot directory at first, the kernel's once paging_init switches:
 * gdt_set_df_cr3), so it works even when the faulting task's stack is bad.
 */
static void init_df_tss(void)
{
	memset(&df_tss, 0, sizeof(df_tss));
	df_tss.eip = (uint32_t)(uintptr_t)double_fault_task;
	df_tss.esp = (uint32_t)(uintptr_t)(df_stack + sizeof(df_stack));
	df_tss.ss = KERNEL_DS;
	df_tss.ds = df_tss.es = df_tss.fs = df_tss.gs = KERNEL_DS;
	df_tss.cs = KERNEL_CS;
	df_tss.eflags = 0x2; /* reserved bit; interrupts off */
	df_tss.cr3 = read_cr3();
	df_tss.iomap_base = sizeof(df_tss);
}

void gdt_set_df_cr3(uint32_t cr3)
{
	df_tss.cr3 = cr3;
}

void gdt_init(void)
{
	struct descriptor_ptr ptr = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };

	memset(gdt, 0, sizeof(gdt));
	gdt_set_code_segment(GDT_KERNEL_CODE, 0, 0xFFFFF, true, 0);
	gdt_set_data_segment(GDT_KERNEL_DATA, 0, 0xFFFFF, true, false, 0);
	gdt_set_code_segment(GDT_USER_CODE, 0, 0xFFFFF, true, 3);
	gdt_set_data_segment(GDT_USER_DATA, 0, 0xFFFFF, true, false, 3);

	memset(&kernel_tss, 0, sizeof(kernel_tss));
	kernel_tss.ss0 = KERNEL_DS;
	kernel_tss.esp0 = (uint32_t)(uintptr_t)boot_stack_top;
	kernel_tss.iomap_base = sizeof(kernel_tss);
	set_tss(GDT_TSS, &kernel_tss);
	init_df_tss();
	set_tss(GDT_DF_TSS, &df_tss);

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "mov %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"(KERNEL_CS), "i"(KERNEL_DS),
			   "r"(TSS_SEL)
			 : "eax", "memory");
}

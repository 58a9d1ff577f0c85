/*
 * The global descriptor tables, one per CPU and alike but for three slots:
 * flat 4 GiB code and data segments for ring 0 and ring 3; the CPU's TSS
 * (its ring-0 stack for traps from ring 3); a second TSS that the
 * double-fault task gate switches to, with a stack of its own; the per-CPU
 * segment whose base is the CPU's per-CPU offset (arch/x86/percpu.h); and
 * two slots the segmentation tests fill with segments of their own.  The
 * tables, the TSSs and the double-fault stack are per-CPU variables.
 * Descriptor format: SDM Vol. 3A, 3.4.5.
 */
#include "arch/x86/trap.h"
#include "arch/x86/segments.h"
#include "arch/x86/layout.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
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

static DEFINE_PER_CPU(struct gdt_entry[GDT_ENTRIES], cpu_gdt) __aligned(8);
DEFINE_PER_CPU(struct tss, kernel_tss) __aligned(128);
static DEFINE_PER_CPU(struct tss, df_tss) __aligned(128);
static DEFINE_PER_CPU(uint8_t[DF_STACK_SIZE], df_stack) __aligned(16);

extern uint8_t boot_stack_top[];
void double_fault_task(void);

static void set_entry(struct gdt_entry *e, uint32_t base, uint32_t limit,
		      uint8_t access, uint8_t flags)
{
	e->limit_lo = limit & 0xFFFF;
	e->base_lo = base & 0xFFFF;
	e->base_mid = (base >> 16) & 0xFF;
	e->access = access;
	e->limit_hi_flags = (uint8_t)(((limit >> 16) & 0x0F) | (flags << 4));
	e->base_hi = (base >> 24) & 0xFF;
}

static void set_data(struct gdt_entry *e, uint32_t base, uint32_t limit,
		     bool page_granular, bool expand_down, unsigned dpl)
{
	uint8_t access = SEG_PRESENT | SEG_DPL(dpl) | SEG_CODE_DATA | SEG_DATA_RW;

	if (expand_down)
		access |= SEG_DATA_EXPAND_DOWN;
	set_entry(e, base, limit, access,
		  SEG_32BIT | (page_granular ? SEG_GRAN_4K : 0));
}

static void set_code(struct gdt_entry *e, uint32_t base, uint32_t limit,
		     bool page_granular, unsigned dpl)
{
	set_entry(e, base, limit,
		  SEG_PRESENT | SEG_DPL(dpl) | SEG_CODE_DATA | SEG_CODE_RX,
		  SEG_32BIT | (page_granular ? SEG_GRAN_4K : 0));
}

/* The running CPU's GDT. */
static struct gdt_entry *this_gdt(void)
{
	return *this_cpu_ptr(&cpu_gdt);
}

void gdt_set_data_segment(unsigned index, uint32_t base, uint32_t limit,
			  bool page_granular, bool expand_down, unsigned dpl)
{
	set_data(&this_gdt()[index], base, limit, page_granular, expand_down, dpl);
}

void gdt_set_code_segment(unsigned index, uint32_t base, uint32_t limit,
			  bool page_granular, unsigned dpl)
{
	set_code(&this_gdt()[index], base, limit, page_granular, dpl);
}

void gdt_set_raw(unsigned index, uint32_t low, uint32_t high)
{
	memcpy(&this_gdt()[index], &low, 4);
	memcpy((char *)&this_gdt()[index] + 4, &high, 4);
}

static void set_tss(struct gdt_entry *e, struct tss *tss)
{
	set_entry(e, (uint32_t)(uintptr_t)tss, sizeof(*tss) - 1,
		  SEG_PRESENT | SEG_TSS32_AVAIL, 0);
}

/*
 * The double-fault task runs on its own stack with a page directory of its
 * own (the boot directory at first, the kernel's once paging_init switches:
 * gdt_set_df_cr3), so it works even when the faulting task's stack is bad.
 * Its %fs is the per-CPU segment, so its report can find this CPU's TSS.
 */
static void init_df_tss(struct tss *t, uint8_t *stack_top, uint32_t cr3)
{
	memset(t, 0, sizeof(*t));
	t->eip = (uint32_t)(uintptr_t)double_fault_task;
	t->esp = (uint32_t)(uintptr_t)stack_top;
	t->ss = KERNEL_DS;
	t->ds = t->es = t->gs = KERNEL_DS;
	t->fs = PERCPU_SEL;
	t->cs = KERNEL_CS;
	t->eflags = 0x2; /* reserved bit; interrupts off */
	t->cr3 = cr3;
	t->iomap_base = sizeof(*t);
}

void gdt_set_df_cr3(uint32_t cr3)
{
	this_cpu_ptr(&df_tss)->cr3 = cr3;
}

void gdt_setup_cpu(unsigned cpu, uint32_t esp0, uint32_t cr3)
{
	struct gdt_entry *gdt = *per_cpu_ptr(&cpu_gdt, cpu);
	struct tss *tss = per_cpu_ptr(&kernel_tss, cpu);
	uint8_t *stack = *per_cpu_ptr(&df_stack, cpu);

	memset(gdt, 0, sizeof(cpu_gdt));
	set_code(&gdt[GDT_KERNEL_CODE], 0, 0xFFFFF, true, 0);
	set_data(&gdt[GDT_KERNEL_DATA], 0, 0xFFFFF, true, false, 0);
	set_code(&gdt[GDT_USER_CODE], 0, 0xFFFFF, true, 3);
	set_data(&gdt[GDT_USER_DATA], 0, 0xFFFFF, true, false, 3);
	/* Base + offset wraps at 4 GiB, so any base reaches all memory. */
	set_data(&gdt[GDT_PERCPU], (uint32_t)percpu_offset[cpu], 0xFFFFF, true,
		 false, 0);

	memset(tss, 0, sizeof(*tss));
	tss->ss0 = KERNEL_DS;
	tss->esp0 = esp0;
	tss->iomap_base = sizeof(*tss);
	set_tss(&gdt[GDT_TSS], tss);
	init_df_tss(per_cpu_ptr(&df_tss, cpu), stack + DF_STACK_SIZE, cr3);
	set_tss(&gdt[GDT_DF_TSS], per_cpu_ptr(&df_tss, cpu));
}

void gdt_pointer(unsigned cpu, uint16_t *limit, uint32_t *base)
{
	*limit = sizeof(cpu_gdt) - 1;
	*base = (uint32_t)(uintptr_t)*per_cpu_ptr(&cpu_gdt, cpu);
}

/* Until it runs, %fs may not reach this CPU's area: cpu says which it is. */
void gdt_load(unsigned cpu)
{
	struct descriptor_ptr ptr = { sizeof(cpu_gdt) - 1,
				      (uint32_t)(uintptr_t)*per_cpu_ptr(&cpu_gdt, cpu) };

	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%gs\n\t"
			 "mov %%ax, %%ss\n\t"
			 "mov %3, %%ax\n\t"
			 "mov %%ax, %%fs\n\t"
			 "ltr %w4"
			 :
			 : "m"(ptr), "i"(KERNEL_CS), "i"(KERNEL_DS),
			   "i"(PERCPU_SEL), "r"(TSS_SEL)
			 : "eax", "memory");
}

void gdt_init(void)
{
	gdt_setup_cpu(0, (uint32_t)(uintptr_t)boot_stack_top, read_cr3());
	gdt_load(0);
}

/*
 * Trap dispatch.  trapentry.asm builds a struct trap_frame and calls
 * trap_dispatch(), which tries, in order:
 *   1. the handlers registered for the vector (page faults of demand-zero
 *      regions, the self-tests' breakpoint counter, IRQs...);
 *   2. the exception fixup table, for kernel instructions allowed to fault
 *      (the probes): resume at the fixup with EAX = ERR_FAULT;
 *   3. a fatal report: the trap's name, the decoded error code, every
 *      register, CR2 for page faults, and a backtrace; then panic.
 */
#include "arch/x86/trap.h"
#include "arch/x86/segments.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "arch/x86/mmu.h"
#include "arch/x86/layout.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vectors.h"
#include "lib/lockstat.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/errno.h"
#include "lib/symbol.h"

#define IDT_INTERRUPT_GATE 0x8E /* present, DPL 0, 32-bit, IF cleared */
#define IDT_TASK_GATE 0x85 /* present, DPL 0, task gate */
#define IDT_DPL3 0x60
#define HANDLERS_PER_VECTOR 4

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type_attr;
	uint16_t offset_hi;
} __packed;
STATIC_ASSERT(sizeof(struct idt_entry) == 8, "IDT entries are 8 bytes");
STATIC_ASSERT(offsetof(struct trap_frame, vector) == 48,
	      "trapentry.asm pushes 4 segment registers and pusha first");
STATIC_ASSERT(offsetof(struct trap_frame, eip) == 56,
	      "the CPU's frame follows vector and error");

/* One IDT for every CPU.  The handler table is read by every CPU's
 * trap_dispatch without a lock (one aligned word per handler); writers
 * take handlers_lock so that two registrations never claim one slot. */
static struct idt_entry idt[T_NUM_VECTORS] __aligned(8);
static trap_handler_t handlers[T_NUM_VECTORS][HANDLERS_PER_VECTOR];
static struct spinlock handlers_lock = SPINLOCK_INIT("trap handlers", LOCK_ORDER_TRAPS);
LOCK_REGISTER(handlers_lock);
DEFINE_PER_CPU(struct fault_info, cpu_last_fixed_fault);

extern const uint32_t trap_stub_table[48];
extern const uint32_t trap_stub_syscall;
extern const uint32_t trap_stub_apic[3];
extern const struct extable_entry __ex_table_start[], __ex_table_end[];
extern const struct extable_entry __ex_table_keep_start[], __ex_table_keep_end[];

static const char *const trap_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"BOUND range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault", "general protection",
	"page fault", "reserved 15", "x87 FPU error", "alignment check",
	"machine check", "SIMD floating-point", "virtualization",
	"control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "hypervisor injection",
	"VMM communication", "security", "reserved 31",
};

const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return trap_names[vector];
	if (vector >= T_IRQ_BASE && vector < T_IRQ_BASE + 16)
		return "IRQ";
	if (vector == T_SYSCALL)
		return "system call";
	if (vector == T_APIC_SPURIOUS)
		return "spurious APIC interrupt";
	if (vector == T_IPI_CALL || vector == T_IPI_TLB)
		return "inter-processor interrupt";
	return "unknown";
}

static void set_gate(unsigned vector, uint32_t offset, uint16_t sel,
		     uint8_t type_attr)
{
	idt[vector].offset_lo = offset & 0xFFFF;
	idt[vector].selector = sel;
	idt[vector].zero = 0;
	idt[vector].type_attr = type_attr;
	idt[vector].offset_hi = offset >> 16;
}

void idt_set_user_gate(unsigned vector)
{
	idt[vector].type_attr |= IDT_DPL3;
}

int trap_register(unsigned vector, trap_handler_t handler)
{
	irqflags_t flags;
	int err = ERR_NO_MEMORY;

	if (vector >= T_NUM_VECTORS)
		return ERR_INVALID_ARGS;
	flags = spin_lock_irqsave(&handlers_lock);
	for (int i = 0; i < HANDLERS_PER_VECTOR; i++) {
		if (!handlers[vector][i]) {
			WRITE_ONCE(handlers[vector][i], handler);
			err = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&handlers_lock, flags);
	return err;
}

void trap_unregister(unsigned vector, trap_handler_t handler)
{
	irqflags_t flags;

	if (vector >= T_NUM_VECTORS)
		return;
	flags = spin_lock_irqsave(&handlers_lock);
	for (int i = 0; i < HANDLERS_PER_VECTOR; i++)
		if (handlers[vector][i] == handler)
			WRITE_ONCE(handlers[vector][i], NULL);
	spin_unlock_irqrestore(&handlers_lock, flags);
}

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20 /* OCW2: non-specific end of interrupt */

/* 8259A: ICW1..ICW4, then mask every line; drivers unmask theirs
 * (pic_unmask; the serial port's receive line for the idle shell). */
void pic_init(void)
{
	outb(0x20, 0x11);
	io_wait();
	outb(0xA0, 0x11);
	io_wait();
	outb(0x21, T_IRQ_BASE);
	io_wait();
	outb(0xA1, T_IRQ_BASE + 8);
	io_wait();
	outb(0x21, 0x04);
	io_wait();
	outb(0xA1, 0x02);
	io_wait();
	outb(0x21, 0x01);
	io_wait();
	outb(0xA1, 0x01);
	io_wait();
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

	outb(port, inb(port) & ~(1u << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(0xA0, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __packed ptr = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(ptr));
}

void trap_init(void)
{
	static const unsigned apic_vectors[] = { T_IPI_CALL, T_IPI_TLB, T_APIC_SPURIOUS };

	for (unsigned v = 0; v < 48; v++)
		set_gate(v, trap_stub_table[v], KERNEL_CS, IDT_INTERRUPT_GATE);
	set_gate(T_SYSCALL, trap_stub_syscall, KERNEL_CS, IDT_INTERRUPT_GATE);
	for (unsigned i = 0; i < ARRAY_SIZE(apic_vectors); i++)
		set_gate(apic_vectors[i], trap_stub_apic[i], KERNEL_CS, IDT_INTERRUPT_GATE);
	/* A double fault means the kernel stack may be gone: switch tasks.
	 * The gate names a selector; each CPU's GDT has its own task there. */
	set_gate(T_DOUBLE_FAULT, 0, DF_TSS_SEL, IDT_TASK_GATE);
	idt_load();
}

bool trap_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) != 0;
}

uint32_t trap_frame_esp(const struct trap_frame *tf)
{
	if (trap_from_user(tf))
		return tf->user_esp;
	/* Same-privilege traps push no SS:ESP: the old stack ends there. */
	return (uint32_t)(uintptr_t)&tf->user_esp;
}

/* The entry of [start, end) for the instruction at eip, or NULL. */
static const struct extable_entry *find_fixup(const struct extable_entry *start,
					      const struct extable_entry *end,
					      uint32_t eip)
{
	for (const struct extable_entry *e = start; e < end; e++)
		if (e->insn == eip)
			return e;
	return NULL;
}

bool trap_fixup(struct trap_frame *tf, int err)
{
	const struct extable_entry *e;
	bool keep = false;

	if (trap_from_user(tf))
		return false;
	e = find_fixup(__ex_table_start, __ex_table_end, tf->eip);
	if (!e) {
		e = find_fixup(__ex_table_keep_start, __ex_table_keep_end, tf->eip);
		keep = true;
	}
	if (!e)
		return false;
	last_fixed_fault.vector = tf->vector;
	last_fixed_fault.error = tf->error;
	last_fixed_fault.cr2 = tf->vector == T_PAGE_FAULT ? read_cr2() : 0;
	last_fixed_fault.eip = tf->eip;
	tf->eip = e->fixup;
	if (!keep)
		tf->eax = (uint32_t)err;
	return true;
}

static void print_pf_error(uint32_t err)
{
	printk("  error %#x: %s, %s, %s mode%s\n", err,
	       err & PF_ERR_PRESENT ? "protection violation" : "page not present",
	       err & PF_ERR_FETCH ? "instruction fetch"
				  : (err & PF_ERR_WRITE ? "write" : "read"),
	       err & PF_ERR_USER ? "user" : "supervisor",
	       err & PF_ERR_RSVD ? ", reserved bit set" : "");
}

void trap_dump(const struct trap_frame *tf)
{
	char sym[96];

	symbol_format(tf->eip, sym, sizeof(sym));
	printk("TRAP %u (%s) at eip %08x <%s>\n", tf->vector,
	       trap_name(tf->vector), tf->eip, sym);
	if (tf->vector == T_PAGE_FAULT) {
		printk("  cr2 %08x: the address that faulted\n", read_cr2());
		print_pf_error(tf->error);
	} else {
		printk("  error code %08x\n", tf->error);
	}
	printk("  eax %08x ebx %08x ecx %08x edx %08x\n", tf->eax, tf->ebx,
	       tf->ecx, tf->edx);
	printk("  esi %08x edi %08x ebp %08x esp %08x\n", tf->esi, tf->edi,
	       tf->ebp, trap_frame_esp(tf));
	printk("  cs %04x ds %04x es %04x fs %04x gs %04x eflags %08x\n",
	       tf->cs, tf->ds, tf->es, tf->fs, tf->gs, tf->eflags);
	printk("  cr0 %08x cr3 %08x cr4 %08x\n", read_cr0(), read_cr3(),
	       read_cr4());
}

/* Hooks that add to a fatal report (the page walk, from mm/paging). */
static void (*fatal_trap_hook)(const struct trap_frame *tf);

void trap_set_fatal_hook(void (*hook)(const struct trap_frame *tf))
{
	fatal_trap_hook = hook;
}

static bool default_breakpoint(struct trap_frame *tf)
{
	char sym[96];

	symbol_format(tf->eip - 1, sym, sizeof(sym));
	printk("breakpoint at %08x <%s>, continuing\n", tf->eip - 1, sym);
	return true;
}

__asmlinkage void trap_dispatch(struct trap_frame *tf)
{
	trap_handler_t *h = handlers[tf->vector & 0xFF];

	for (int i = 0; i < HANDLERS_PER_VECTOR; i++) {
		trap_handler_t fn = READ_ONCE(h[i]);
		if (fn && fn(tf))
			return;
	}
	if (tf->vector >= T_IRQ_BASE && tf->vector < T_IRQ_BASE + 16)
		return; /* masked lines only raise spurious IRQs 7 and 15 */
	if (trap_fixup(tf, ERR_FAULT))
		return;
	if (tf->vector == T_BREAKPOINT && default_breakpoint(tf))
		return;
	trap_dump(tf);
	if (fatal_trap_hook)
		fatal_trap_hook(tf);
	panic_from_frame(tf->ebp, tf->eip, "unhandled %s in %s mode",
			 trap_name(tf->vector),
			 trap_from_user(tf) ? "user" : "kernel");
}

extern uint8_t boot_stack_guard[];

static bool (*stack_guard_hit)(uint32_t esp, uint32_t cr2);
/* The guard page below each AP's kernel stack (0: CPU 0, whose boot stack
 * has boot_stack_guard). */
static DEFINE_PER_CPU(uint32_t, cpu_stack_guard);

void trap_set_cpu_stack_guard(unsigned cpu, uint32_t guard)
{
	*per_cpu_ptr(&cpu_stack_guard, cpu) = guard;
}

/* Whether esp points into or just above the guard page at guard, or cr2
 * into it: the stack below guard + PAGE_SIZE overflowed. */
static bool in_guard(uint32_t guard, uint32_t esp, uint32_t cr2)
{
	return guard && ((esp >= guard && esp < guard + 2 * PAGE_SIZE) ||
			 (cr2 >= guard && cr2 < guard + PAGE_SIZE));
}

void trap_set_stack_guard_check(bool (*hit)(uint32_t esp, uint32_t cr2))
{
	stack_guard_hit = hit;
}

/*
 * The double-fault task: the CPU saved the faulting task's registers in
 * kernel_tss before switching here.  The usual cause is a kernel stack that
 * overflowed into its guard page, so that the page fault could not push its
 * frame; say so when ESP points into or just above a guard page.
 */
__asmlinkage __noreturn void double_fault_report(uint32_t error)
{
	const struct tss *tss = this_cpu_ptr(&kernel_tss);
	uint32_t esp = tss->esp;
	uint32_t guard = (uint32_t)(uintptr_t)boot_stack_guard;
	char sym[96];

	symbol_format(tss->eip, sym, sizeof(sym));
	printk("\nDOUBLE FAULT (error %u) at eip %08x <%s>, esp %08x, cr2 %08x\n",
	       error, tss->eip, sym, esp, read_cr2());
	if (esp >= guard && esp < guard + 2 * PAGE_SIZE)
		printk("  kernel stack overflow: esp %08x ran into the guard page at %08x\n",
		       esp, guard);
	else if (in_guard(this_cpu_read(cpu_stack_guard), esp, read_cr2()))
		printk("  kernel stack overflow: CPU %u's stack ran into its guard page at %08x\n",
		       smp_processor_id(), this_cpu_read(cpu_stack_guard));
	else if (stack_guard_hit && stack_guard_hit(esp, read_cr2()))
		printk("  kernel stack overflow: a task stack ran into its guard page (cr2 %08x)\n",
		       read_cr2());
	panic_from_frame(tss->ebp, tss->eip, "double fault");
}

/*
 * Traps: the IDT, the trap frame built by arch/x86/trapentry.asm, dispatch
 * to handlers, the exception fixup table, and the register dump.
 */
#ifndef ARCH_X86_TRAP_H
#define ARCH_X86_TRAP_H

#include "lib/compiler.h"
#include "arch/x86/percpu.h"

#define T_DIVIDE 0
#define T_DEBUG 1
#define T_NMI 2
#define T_BREAKPOINT 3
#define T_OVERFLOW 4
#define T_BOUND 5
#define T_INVALID_OPCODE 6
#define T_DEVICE_NA 7
#define T_DOUBLE_FAULT 8
#define T_INVALID_TSS 10
#define T_SEGMENT_NP 11
#define T_STACK_FAULT 12
#define T_GPF 13
#define T_PAGE_FAULT 14
#define T_FPU 16
#define T_ALIGNMENT 17
#define T_MACHINE_CHECK 18
#define T_SIMD 19
#define T_IRQ_BASE 32 /* the two PICs are remapped to 32..47 */
#define T_SYSCALL 0x80
#define T_NUM_VECTORS 256

/* Pushed by trapentry.asm, lowest address first; see trap_common there. */
struct trap_frame {
	uint32_t gs, fs, es, ds;
	uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss; /* only there when coming from ring 3 */
};

/* The stack pointer at the moment of the trap. */
uint32_t trap_frame_esp(const struct trap_frame *tf);
bool trap_from_user(const struct trap_frame *tf);

/*
 * A handler returns true when it dealt with the trap (execution resumes at
 * tf->eip); false lets the next handler, then the fixup table, then the
 * fatal report have a go.
 */
typedef bool (*trap_handler_t)(struct trap_frame *tf);
int trap_register(unsigned vector, trap_handler_t handler);
void trap_unregister(unsigned vector, trap_handler_t handler);

/* Sets a gate's privilege so that `int vector` works from ring 3. */
void idt_set_user_gate(unsigned vector);

/* Builds the IDT (shared by every CPU) and loads it; idt_load loads it on
 * another CPU. */
void trap_init(void);
void idt_load(void);
void gdt_init(void);
void pic_init(void);
/* Lets IRQ line irq (0..15) through the PICs. */
void pic_unmask(unsigned irq);
/* Ends the handling of IRQ irq (the PIC then delivers the next one). */
void pic_eoi(unsigned irq);

const char *trap_name(unsigned vector);
void trap_dump(const struct trap_frame *tf);

/*
 * Exception fixups.  An instruction listed in the .ex_table section may
 * fault in ring 0: instead of a panic, execution resumes at its fixup
 * address with EAX = ERR_FAULT, and the fault is recorded here for the
 * caller to inspect.  One listed in .ex_table_keep resumes there with
 * every register as it was (mm/platform_fast.h's handle loads: a load that
 * faults takes a default instead, at no cost to the load itself).
 */
struct extable_entry {
	uint32_t insn;
	uint32_t fixup;
};

struct fault_info {
	unsigned vector;
	uint32_t error;
	uint32_t cr2;
	uint32_t eip;
};

/*
 * Resumes a kernel instruction listed in the fixup table at its fixup with
 * EAX = err (the probes return it; an .ex_table_keep entry keeps every
 * register), recording the fault in
 * last_fixed_fault; false, changing nothing, when the trap came from ring 3
 * or the instruction has no fixup.  trap_dispatch applies it with
 * ERR_FAULT; a handler that knows better (a demand-zero fault out of
 * memory: ERR_NO_MEMORY) may apply it first.
 */
bool trap_fixup(struct trap_frame *tf, int err);

/* The most recent fault that a fixup absorbed on this CPU. */
extern struct fault_info cpu_last_fixed_fault; /* per CPU */
#define last_fixed_fault (*this_cpu_ptr(&cpu_last_fixed_fault))

/*
 * Probes: read or write one 32-bit word at addr.  Return 0, or ERR_FAULT if
 * the access faulted (last_fixed_fault then says how).  Callable anywhere,
 * including on unmapped and read-only addresses.
 */
__asmlinkage int probe_read(const volatile void *addr, uint32_t *out);
__asmlinkage int probe_write(volatile void *addr, uint32_t val);
/* Reads with the segment selector `sel` loaded into FS: fs:[offset]. */
__asmlinkage int probe_read_seg(uint16_t sel, uint32_t offset, uint32_t *out);
/* Writes with the segment selector `sel` loaded into FS: fs:[offset]. */
__asmlinkage int probe_write_seg(uint16_t sel, uint32_t offset, uint32_t val);

/* Task state segment, as the CPU lays it out (SDM 7.2.1). */
struct tss {
	uint16_t link, link_hi;
	uint32_t esp0;
	uint16_t ss0, ss0_hi;
	uint32_t esp1;
	uint16_t ss1, ss1_hi;
	uint32_t esp2;
	uint16_t ss2, ss2_hi;
	uint32_t cr3, eip, eflags;
	uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, es_hi, cs, cs_hi, ss, ss_hi, ds, ds_hi;
	uint16_t fs, fs_hi, gs, gs_hi, ldt, ldt_hi;
	uint16_t trap, iomap_base;
} __packed;

/* This CPU's TSS is *this_cpu_ptr(&kernel_tss) (arch/x86/percpu.h). */
extern struct tss kernel_tss;

/*
 * Fills in CPU cpu's GDT, TSS (ring-0 stack esp0) and double-fault task
 * (page directory cr3); on the boot CPU, before cpu runs.  gdt_load then
 * makes the running CPU (cpu) use its own: the segment registers, %fs the
 * per-CPU segment, and the task register.  gdt_init does both for the
 * boot CPU.
 */
void gdt_setup_cpu(unsigned cpu, uint32_t esp0, uint32_t cr3);
void gdt_load(unsigned cpu);
/* What lgdt needs for CPU cpu's GDT: its limit and (virtual) base. */
void gdt_pointer(unsigned cpu, uint16_t *limit, uint32_t *base);

/* Installs a data segment descriptor in GDT slot `index` (GDT_TEST0/1). */
void gdt_set_data_segment(unsigned index, uint32_t base, uint32_t limit,
			  bool page_granular, bool expand_down, unsigned dpl);
/* The directory the double-fault task runs on: it must map the task's
 * stack (mm/paging sets its own kernel directory here). */
void gdt_set_df_cr3(uint32_t cr3);
/* Writes the two raw words of a descriptor into GDT slot `index` (for
 * tests that must not depend on the encoders above). */
void gdt_set_raw(unsigned index, uint32_t low, uint32_t high);

/* Installs a code segment descriptor in GDT slot `index`. */
void gdt_set_code_segment(unsigned index, uint32_t base, uint32_t limit,
			  bool page_granular, unsigned dpl);

/*
 * Far-calls sel:offset (a code segment whose code returns with lret and a
 * value in EAX) and stores that value.  Returns 0, or ERR_FAULT when the
 * call faults (an offset past the segment's limit raises #GP).
 */
__asmlinkage int probe_far_call(uint16_t sel, uint32_t offset, uint32_t *result);
/* Code for the segmentation tests: returns 0x2A with a far return. */
extern const char seg_demo_routine[];


/* Entry points called from trapentry.asm. */
__asmlinkage void trap_dispatch(struct trap_frame *tf);
__asmlinkage __noreturn void double_fault_report(uint32_t error);

void trap_set_fatal_hook(void (*hook)(const struct trap_frame *tf));
/*
 * The double-fault report asks this hook whether cr2 or esp lies in the
 * guard page of a task's kernel stack (kernel/task.c installs it; the boot
 * stack's guard is checked in trap.c).
 */
void trap_set_stack_guard_check(bool (*hit)(uint32_t esp, uint32_t cr2));
/* The unmapped page below CPU cpu's kernel stack, for the same report. */
void trap_set_cpu_stack_guard(unsigned cpu, uint32_t guard);

#endif

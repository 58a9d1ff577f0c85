/*
 * The page-fault handler.  trap_dispatch offers every #PF first to
 * demand_fault(): a not-present fault inside a demand-zero region of the
 * running address space gets a zeroed frame and the instruction runs again.
 * Anything else falls through to the exception fixups (the probes) and then
 * to the fatal report, to which fatal_report() adds what the generic trap
 * dump cannot know: the faulting instruction's bytes, the page walk level by
 * level with the entry where it stopped, and the likely cause.
 *
 * A demand-zero fault that finds its region but cannot be served -- no
 * frame even after reclaim, or an access the region forbids -- is noted
 * per CPU, so that the likely cause tells the truth ("out of memory in a
 * demand-zero fault ...", not "nothing is mapped there").  Out of memory
 * under a probe resumes its fixup with ERR_NO_MEMORY, so the probing code
 * learns why; a fault from ring 3 goes on to the next handler or the fatal
 * report like any other.
 */
#include "mm/paging.h"
#include "mm/vmm.h"
#include "mm/platform.h"
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pat.h"
#include "arch/x86/percpu.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"

extern char boot_stack_guard[];

/* The last demand-zero fault of this CPU that found a region and failed. */
struct demand_failure {
	vaddr_t df_page; /* the faulting page; 0: none */
	int df_err; /* ERR_NO_MEMORY or ERR_FAULT (access not allowed) */
	struct vmm_region df_region;
};
static DEFINE_PER_CPU(struct demand_failure, demand_failed);

static bool demand_fault(struct trap_frame *tf)
{
	struct demand_failure *note = this_cpu_ptr(&demand_failed);
	vaddr_t va = read_cr2();
	struct vmm_region r = { 0, 0, 0 };
	int err;

	if (tf->error & (PF_ERR_PRESENT | PF_ERR_RSVD))
		return false;
	err = vmm_demand_fault(va, tf->error, &r);
	note->df_page = !err || err == ERR_NOT_FOUND ? 0 : ALIGN_DOWN(va, PAGE_SIZE);
	note->df_err = err;
	note->df_region = r;
	return !err || (err == ERR_NO_MEMORY && trap_fixup(tf, ERR_NO_MEMORY));
}

/* "present writable supervisor pcd accessed..." for the bits set in an
 * entry; bit 7 is PS in a directory entry, PAT in a table entry. */
static void format_bits(uint32_t v, bool pde, char *buf, size_t size)
{
	bool large = pde && (v & PDE_PS);

	if (!(v & PTE_PRESENT)) {
		snprintf(buf, size, "not present");
		return;
	}
	snprintf(buf, size, "%s%s%s%s%s%s%s%s%s%s%s",
		 "present",
		 v & PTE_RW ? " writable" : " read-only",
		 v & PTE_USER ? " user" : " supervisor",
		 v & PTE_PWT ? " pwt" : "", v & PTE_PCD ? " pcd" : "",
		 v & PTE_ACCESSED ? " accessed" : "",
		 v & PTE_DIRTY ? " dirty" : "", v & PTE_GLOBAL ? " global" : "",
		 large ? " 4MiB-page" : "",
		 (large ? v & PDE_PAT_LARGE : !pde && (v & PTE_PAT)) ? " pat" : "",
		 v & PTE_OWNED ? " owned" : "");
}

static void print_leaf(const struct pgt_walk *w)
{
	uint32_t leaf = w->w_level == 1 ? w->w_pde.pde : w->w_pte.pte;

	if (!w->w_present) {
		/* w_level 0: the directory entry was absent; 2: the table's */
		printk("    -> the walk stops at level %d: entry not present\n",
		       w->w_level == 0 ? 1 : 2);
		return;
	}
	printk("    -> frame %08llx, effective %s%s, memory type %s\n", w->w_pa,
	       w->w_flags & PTE_RW ? "writable" : "read-only",
	       w->w_flags & PTE_USER ? ", user" : ", supervisor only",
	       pat_type_name(pat_type_of(leaf, w->w_level == 1)));
}

void fault_print_walk(vaddr_t va)
{
	paddr_t dir = read_cr3() & PTE_FRAME_MASK;
	struct pgt_walk w;
	char bits[96];

	printk("  page walk of %08x with cr3 %08llx:\n", (unsigned)va, dir);
	if (dir + PAGE_SIZE > mm_direct_end()) {
		printk("    the directory is outside the direct map\n");
		return;
	}
	pgt_walk(mm_phys_to_virt(dir), va, &w);
	format_bits(w.w_pde.pde, true, bits, sizeof(bits));
	printk("    level 1: PDE[%u] = %08x  %s\n", pde_index(va), w.w_pde.pde,
	       bits);
	if (w.w_level == 2) {
		format_bits(w.w_pte.pte, false, bits, sizeof(bits));
		printk("    level 2: PTE[%u] of the table at %08llx = %08x  %s\n",
		       pte_index(va), pde_table_phys(w.w_pde), w.w_pte.pte, bits);
	}
	print_leaf(&w);
}

static void print_instruction(uint32_t eip)
{
	uint32_t words[2];

	if (probe_read((void *)(uintptr_t)eip, &words[0]) ||
	    probe_read((void *)(uintptr_t)(eip + 4), &words[1])) {
		printk("  instruction at %08x: unreadable\n", eip);
		return;
	}
	const uint8_t *b = (const uint8_t *)words;
	printk("  instruction at %08x: %02x %02x %02x %02x %02x %02x %02x %02x\n",
	       eip, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

/* Why a demand-zero region did not serve a fault at va, if one did not. */
static bool demand_cause(uint32_t err, vaddr_t va, char *buf, size_t size)
{
	const struct demand_failure *note = this_cpu_ptr(&demand_failed);
	const struct vmm_region *r = &note->df_region;

	if ((err & PF_ERR_PRESENT) || !note->df_page ||
	    note->df_page != ALIGN_DOWN(va, PAGE_SIZE))
		return false;
	if (note->df_err == ERR_NO_MEMORY)
		snprintf(buf, size,
			 "out of memory in a demand-zero fault at %08x, region %08x-%08x: no frame or page table, even after reclaim",
			 (unsigned)va, (unsigned)r->r_start, (unsigned)r->r_end);
	else
		snprintf(buf, size,
			 "a %s access to the demand-zero region %08x-%08x, which allows %s%s",
			 err & PF_ERR_USER ? "ring-3" : "kernel",
			 (unsigned)r->r_start, (unsigned)r->r_end,
			 r->r_prot & VMM_WRITE ? "writes" : "reads only",
			 r->r_prot & VMM_USER ? "" : " and no ring 3");
	return true;
}

const char *fault_likely_cause(uint32_t err, vaddr_t va, char *buf, size_t size)
{
	const char *cause;

	if (demand_cause(err, va, buf, size))
		return buf;
	if (ALIGN_DOWN(va, PAGE_SIZE) == (vaddr_t)boot_stack_guard)
		cause = "the boot stack's guard page: a kernel stack overflow";
	else if (va < PAGE_SIZE)
		cause = "the NULL page: a NULL pointer dereference";
	else if (!(err & PF_ERR_PRESENT))
		cause = "nothing is mapped there (and no demand-zero region covers it)";
	else if (err & PF_ERR_USER)
		cause = "ring 3 touched a supervisor page, or wrote a read-only one";
	else if (err & PF_ERR_WRITE)
		cause = "a write to a read-only page (CR0.WP is on)";
	else
		cause = "a protection violation";
	strlcpy(buf, cause, size);
	return buf;
}

static void fatal_report(const struct trap_frame *tf)
{
	vaddr_t va = read_cr2();
	char cause[160];

	if (tf->vector != T_PAGE_FAULT)
		return;
	print_instruction(tf->eip);
	fault_print_walk(va);
	printk("  likely cause: %s\n", fault_likely_cause(tf->error, va, cause, sizeof(cause)));
}

void fault_init(void)
{
	trap_register(T_PAGE_FAULT, demand_fault);
	trap_set_fatal_hook(fatal_report);
}

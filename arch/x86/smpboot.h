/*
 * Starting an application processor (arch/x86/smpboot.c): INIT, then
 * STARTUP twice, into the real-mode trampoline (arch/x86/trampoline.asm),
 * which brings the AP onto paging and into ap_start.
 */
#ifndef ARCH_X86_SMPBOOT_H
#define ARCH_X86_SMPBOOT_H

#include "lib/types.h"

/* What an AP needs to start; the boot CPU prepares it. */
struct ap_boot {
	unsigned ab_cpu;
	uint32_t ab_stack_top; /* its kernel stack (mapped in the kernel half) */
	uint32_t ab_startup_cr3; /* identity-maps the trampoline page */
	uint32_t ab_kernel_cr3; /* the kernel's directory, loaded at once */
	void (*ab_main)(unsigned cpu); /* never returns */
};

extern const char trampoline_start[], trampoline_end[];

/*
 * Copies the trampoline into its page (page: where the kernel reaches it;
 * phys: its physical address, page-aligned, below 1 MiB).  Once.
 */
void smpboot_install(void *page, paddr_t phys);

/*
 * Starts the AP b->ab_cpu, whose per-CPU area (in low memory) and GDT
 * (gdt_setup_cpu) are ready, and waits until it marks itself online (its
 * ab_main does so), for at most timeout_ms.  Returns 0, or ERR_BUSY when it
 * did not come up in time (it may yet: its stack and area must stay).
 * Boot CPU, one AP at a time.
 */
int smpboot_start(const struct ap_boot *b, unsigned timeout_ms);

#endif

/*
 * Finding the CPUs: the firmware's tables that list the processors and
 * interrupt controllers.  The ACPI MADT first (arch/x86/acpi.c: ACPI 6.5,
 * 5.2.5 RSDP, 5.2.7/5.2.8 RSDT/XSDT, 5.2.12 MADT), the MultiProcessor
 * Specification 1.4's tables as the fallback (arch/x86/mptable.c: 4.1
 * floating pointer, 4.2 configuration table, 4.3.1 processor entries).
 * QEMU's firmware provides both, with -kernel and through GRUB.
 */
#ifndef ARCH_X86_CPU_TABLES_H
#define ARCH_X86_CPU_TABLES_H

#include "lib/types.h"
#include "lib/cpumask.h"

#define LAPIC_DEFAULT_PHYS 0xFEE00000u /* where the local APIC sits at reset */

struct cpu_tables {
	const char *ct_source; /* "ACPI MADT", "MP table", or "none" */
	paddr_t ct_table; /* physical address of the table read */
	unsigned ct_nr; /* usable CPUs, at most NR_CPUS */
	uint8_t ct_apic_id[NR_CPUS]; /* their local APIC ids, in table order */
	unsigned ct_ignored; /* enabled CPUs beyond NR_CPUS */
	unsigned ct_disabled; /* CPUs the table lists as unusable */
	paddr_t ct_lapic; /* the local APICs' registers (each CPU sees its own) */
	paddr_t ct_ioapic; /* the first I/O APIC's registers; 0: none */
	unsigned ct_nr_ioapics;
};

/*
 * Fills *t from the MADT, or (when there is none, or use_acpi is false:
 * boot option acpi=off) from the MP table.  Returns 0, or ERR_NOT_FOUND
 * when neither lists a CPU (t then says one CPU, source "none").  Boot
 * CPU, at boot; reads physical memory through the fixmap.
 */
int cpu_tables_find(struct cpu_tables *t, bool use_acpi);

/* The two readers; each returns 0 or ERR_NOT_FOUND. */
int acpi_read_madt(struct cpu_tables *t);
int mptable_read(struct cpu_tables *t);

/* Helpers the two readers share (arch/x86/cpu_tables.c). */
/* Whether the len bytes at pa sum to 0 modulo 256 (and can be read). */
bool fw_checksum_ok(paddr_t pa, size_t len);
/* The first 16-byte-aligned place in [start, start + len) where sig (n
 * bytes) begins and check(pa) agrees; 0 if none. */
paddr_t fw_scan(paddr_t start, size_t len, const char *sig, size_t n,
		bool (*check)(paddr_t pa));
/* The base of the Extended BIOS Data Area, from the word at 0x40E; 0 if
 * it makes no sense. */
paddr_t fw_ebda(void);
/* Records one enabled CPU (or counts it as ignored beyond NR_CPUS). */
void cpu_tables_add(struct cpu_tables *t, unsigned apic_id);

#endif

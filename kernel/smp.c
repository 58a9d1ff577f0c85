/*
 * Bringing up the CPUs: theory of operation.
 *
 * 1. Finding them.  The ACPI MADT lists every processor's local APIC id
 *    (the MP table when there is no MADT, or with acpi=off); the boot CPU
 *    becomes CPU 0 and the others follow (arch/x86/smp.c).
 */
#include "kernel/smp.h"
#include "kernel/cmdline.h"
#include "arch/x86/smp.h"
#include "arch/x86/pat.h"
#include "lib/printk.h"
#include "lib/string.h"

static struct cpu_tables tables;

static void report_cpus(void)
{
	printk("smp: %u CPU%s from the %s", smp_nr_cpus, smp_nr_cpus == 1 ? "" : "s",
	       tables.ct_source);
	if (tables.ct_table)
		printk(" at %#llx", tables.ct_table);
	printk(": APIC id%s", smp_nr_cpus == 1 ? "" : "s");
	for (unsigned cpu = 0; cpu < smp_nr_cpus; cpu++)
		printk(" %u%s", smp_apic_id[cpu], cpu == 0 ? " (boot)" : "");
	printk("; local APIC at %#llx", tables.ct_lapic);
	if (tables.ct_nr_ioapics)
		printk("; I/O APIC at %#llx", tables.ct_ioapic);
	printk("\n");
	if (tables.ct_ignored)
		printk("smp: %u more CPU%s left halted: the kernel runs at most %d\n",
		       tables.ct_ignored, tables.ct_ignored == 1 ? "" : "s", NR_CPUS);
	if (tables.ct_disabled)
		printk("smp: %u CPU%s listed as disabled\n", tables.ct_disabled,
		       tables.ct_disabled == 1 ? "" : "s");
}

void smp_init(void)
{
	const char *acpi = cmdline_get("acpi");

	cpu_tables_find(&tables, !acpi || strcmp(acpi, "off"));
	smp_set_cpus(&tables);
	report_cpus();
	pat_init();
}

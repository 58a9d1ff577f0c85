/*
 * Finding the CPUs (see cpu_tables.h): the order in which the tables are
 * tried, and the helpers both readers use to search the BIOS areas and
 * check a table's checksum.  The tables are read with early_phys_read, a
 * few bytes at a time, so nothing of them needs mapping.
 */
#include "arch/x86/cpu_tables.h"
#include "arch/x86/early_map.h"
#include "lib/errno.h"
#include "lib/string.h"

#define EBDA_SEGMENT_PTR 0x40E /* BIOS data area: the EBDA's segment */
#define CHUNK 64

bool fw_checksum_ok(paddr_t pa, size_t len)
{
	uint8_t buf[CHUNK], sum = 0;

	while (len) {
		size_t n = MIN(len, sizeof(buf));
		if (early_phys_read(pa, buf, n))
			return false;
		for (size_t i = 0; i < n; i++)
			sum = (uint8_t)(sum + buf[i]);
		pa += n;
		len -= n;
	}
	return sum == 0;
}

paddr_t fw_scan(paddr_t start, size_t len, const char *sig, size_t n,
		bool (*check)(paddr_t pa))
{
	char head[16];

	for (paddr_t pa = start; pa + 16 <= start + len; pa += 16) {
		if (early_phys_read(pa, head, sizeof(head)))
			return 0;
		if (!memcmp(head, sig, n) && check(pa))
			return pa;
	}
	return 0;
}

paddr_t fw_ebda(void)
{
	uint16_t seg;
	paddr_t base;

	if (early_phys_read(EBDA_SEGMENT_PTR, &seg, sizeof(seg)))
		return 0;
	base = (paddr_t)seg << 4;
	/* Below the 640 KiB line and above the BIOS data area, or not one. */
	return base >= 0x80000 && base < 0xA0000 ? base : 0;
}

void cpu_tables_add(struct cpu_tables *t, unsigned apic_id)
{
	if (t->ct_nr < NR_CPUS)
		t->ct_apic_id[t->ct_nr++] = (uint8_t)apic_id;
	else
		t->ct_ignored++;
}

static void reset(struct cpu_tables *t)
{
	memset(t, 0, sizeof(*t));
	t->ct_source = "none";
	t->ct_lapic = LAPIC_DEFAULT_PHYS;
}

int cpu_tables_find(struct cpu_tables *t, bool use_acpi)
{
	reset(t);
	if (use_acpi && acpi_read_madt(t) == 0 && t->ct_nr)
		return 0;
	reset(t);
	if (mptable_read(t) == 0 && t->ct_nr)
		return 0;
	reset(t);
	t->ct_nr = 1; /* the boot CPU is there, listed or not */
	return ERR_NOT_FOUND;
}

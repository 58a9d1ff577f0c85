/*
 * The MultiProcessor Specification 1.4's tables, the fallback when there
 * is no MADT: the floating pointer "_MP_" in the EBDA's first KiB, the
 * last KiB of base memory or the BIOS ROM (4.1), and the configuration
 * table "PCMP" it points at (4.2), whose processor entries (4.3.1) give
 * the CPUs.  A floating pointer that asks for one of the default
 * configurations (no table) describes two CPUs with APIC ids 0 and 1.
 */
#include "arch/x86/cpu_tables.h"
#include "arch/x86/early_map.h"
#include "lib/errno.h"
#include "lib/string.h"

#define BASE_MEM_KIB_PTR 0x413 /* BIOS data area: base memory in KiB */
#define BIOS_ROM 0xF0000
#define BIOS_ROM_LEN 0x10000

struct mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t config; /* physical address of the table; 0: default config */
	uint8_t length; /* in 16-byte paragraphs: 1 */
	uint8_t revision;
	uint8_t checksum;
	uint8_t feature1; /* non-zero: a default configuration, no table */
	uint8_t feature2[4];
} __packed;
STATIC_ASSERT(sizeof(struct mp_floating) == 16, "MP spec 4.1");

struct mp_config {
	char signature[4]; /* "PCMP" */
	uint16_t length; /* of the base table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_size;
	uint16_t entries;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __packed;
STATIC_ASSERT(sizeof(struct mp_config) == 44, "MP spec 4.2");

#define MP_PROCESSOR 0 /* 20 bytes; every other entry type is 8 */
#define MP_IOAPIC 2
#define MP_PROCESSOR_SIZE 20
#define MP_OTHER_SIZE 8
#define MP_CPU_ENABLED 0x1

static bool floating_valid(paddr_t pa)
{
	struct mp_floating f;

	if (early_phys_read(pa, &f, sizeof(f)) || f.length == 0)
		return false;
	return fw_checksum_ok(pa, (size_t)f.length * 16);
}

static paddr_t find_floating(void)
{
	paddr_t ebda = fw_ebda(), pa = 0;
	uint16_t base_kib = 0;

	if (ebda)
		pa = fw_scan(ebda, 1024, "_MP_", 4, floating_valid);
	if (!pa && !ebda && !early_phys_read(BASE_MEM_KIB_PTR, &base_kib, 2) &&
	    base_kib >= 1)
		pa = fw_scan(((paddr_t)base_kib - 1) * 1024, 1024, "_MP_", 4,
			     floating_valid);
	return pa ? pa : fw_scan(BIOS_ROM, BIOS_ROM_LEN, "_MP_", 4, floating_valid);
}

/* Reads the entries after the header; false if the table is cut short. */
static bool read_entries(struct cpu_tables *t, paddr_t pa, const struct mp_config *c)
{
	paddr_t p = pa + sizeof(*c), end = pa + c->length;

	for (unsigned i = 0; i < c->entries; i++) {
		uint8_t e[MP_PROCESSOR_SIZE];
		size_t size;
		if (p >= end || early_phys_read(p, e, 1))
			return false;
		size = e[0] == MP_PROCESSOR ? MP_PROCESSOR_SIZE : MP_OTHER_SIZE;
		if (p + size > end || early_phys_read(p, e, size))
			return false;
		if (e[0] == MP_PROCESSOR && (e[3] & MP_CPU_ENABLED))
			cpu_tables_add(t, e[1]);
		else if (e[0] == MP_PROCESSOR)
			t->ct_disabled++;
		else if (e[0] == MP_IOAPIC && (e[3] & MP_CPU_ENABLED) &&
			 !t->ct_nr_ioapics++)
			t->ct_ioapic = (uint32_t)e[4] | (uint32_t)e[5] << 8 |
				       (uint32_t)e[6] << 16 | (uint32_t)e[7] << 24;
		p += size;
	}
	return true;
}

int mptable_read(struct cpu_tables *t)
{
	paddr_t fp = find_floating();
	struct mp_floating f;
	struct mp_config c;

	if (!fp || early_phys_read(fp, &f, sizeof(f)))
		return ERR_NOT_FOUND;
	t->ct_source = "MP table";
	t->ct_table = fp;
	if (f.feature1 || !f.config) { /* a default configuration: two CPUs */
		cpu_tables_add(t, 0);
		cpu_tables_add(t, 1);
		return 0;
	}
	if (early_phys_read(f.config, &c, sizeof(c)) || memcmp(c.signature, "PCMP", 4) ||
	    c.length < sizeof(c) || !fw_checksum_ok(f.config, c.length))
		return ERR_NOT_FOUND;
	t->ct_table = f.config;
	t->ct_lapic = c.lapic;
	return read_entries(t, f.config, &c) ? 0 : ERR_NOT_FOUND;
}

/*
 * The ACPI MADT (Multiple APIC Description Table), found through the RSDP
 * and the RSDT or XSDT (ACPI 6.5, 5.2.5 to 5.2.8 and 5.2.12).  Only what
 * finding the CPUs needs: the processors' local APIC ids and whether they
 * are enabled, the local APIC's address and the I/O APICs.  Every table is
 * checked against its checksum before it is believed.
 */
#include "arch/x86/cpu_tables.h"
#include "arch/x86/early_map.h"
#include "lib/errno.h"
#include "lib/printk.h"
#include "lib/string.h"

#define BIOS_AREA 0xE0000 /* the RSDP lies in 0xE0000-0xFFFFF ... */
#define BIOS_AREA_LEN 0x20000
#define EBDA_SEARCH_LEN 1024 /* ... or in the EBDA's first KiB */

struct rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum; /* of the first 20 bytes */
	char oem[6];
	uint8_t revision; /* 0: ACPI 1.0 (20 bytes); 2 or more: 36 bytes */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum; /* of all `length` bytes */
	uint8_t reserved[3];
} __packed;
STATIC_ASSERT(sizeof(struct rsdp) == 36, "ACPI 5.2.5.3");

struct sdt_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* the whole table sums to 0 */
	char oem[6];
	char oem_table[8];
	uint32_t oem_revision;
	uint32_t creator, creator_revision;
} __packed;
STATIC_ASSERT(sizeof(struct sdt_header) == 36, "ACPI 5.2.6");

/* MADT: the header, the local APIC address and flags, then entries. */
#define MADT_LAPIC_ADDR 36
#define MADT_ENTRIES 44
#define MADT_LOCAL_APIC 0 /* uid, apic id, flags (u32) */
#define MADT_IO_APIC 1 /* id, reserved, address (u32), GSI base */
#define MADT_LAPIC_OVERRIDE 5 /* reserved (u16), address (u64) */
#define MADT_CPU_ENABLED 0x1
#define MADT_CPU_ONLINE_CAPABLE 0x2 /* may be enabled later: not by us */

static bool rsdp_valid(paddr_t pa)
{
	struct rsdp r;

	if (early_phys_read(pa, &r, sizeof(r)) || !fw_checksum_ok(pa, 20))
		return false;
	return r.revision < 2 || (r.length >= sizeof(r) && fw_checksum_ok(pa, r.length));
}

static paddr_t find_rsdp(void)
{
	paddr_t ebda = fw_ebda(), pa = 0;

	if (ebda)
		pa = fw_scan(ebda, EBDA_SEARCH_LEN, "RSD PTR ", 8, rsdp_valid);
	return pa ? pa : fw_scan(BIOS_AREA, BIOS_AREA_LEN, "RSD PTR ", 8, rsdp_valid);
}

/* Whether the table at pa has the signature and a good checksum. */
static bool table_is(paddr_t pa, const char *sig, struct sdt_header *h)
{
	if (early_phys_read(pa, h, sizeof(*h)) || memcmp(h->signature, sig, 4))
		return false;
	return h->length >= sizeof(*h) && fw_checksum_ok(pa, h->length);
}

/* The MADT among the root table's entries (4 bytes each in the RSDT,
 * 8 in the XSDT); 0 if none. */
static paddr_t find_madt(paddr_t root, unsigned entry_size)
{
	struct sdt_header h;
	unsigned n;

	if (!table_is(root, entry_size == 8 ? "XSDT" : "RSDT", &h))
		return 0;
	n = (h.length - sizeof(h)) / entry_size;
	for (unsigned i = 0; i < n; i++) {
		uint64_t pa = 0;
		if (early_phys_read(root + sizeof(h) + i * entry_size, &pa, entry_size))
			return 0;
		if (table_is(pa, "APIC", &h))
			return pa;
	}
	return 0;
}

static void madt_entry(struct cpu_tables *t, const uint8_t *e)
{
	uint32_t flags, addr;
	uint64_t addr64;

	switch (e[0]) {
	case MADT_LOCAL_APIC:
		memcpy(&flags, e + 4, 4);
		if (flags & MADT_CPU_ENABLED)
			cpu_tables_add(t, e[3]);
		else
			t->ct_disabled++;
		break;
	case MADT_IO_APIC:
		memcpy(&addr, e + 4, 4);
		if (!t->ct_nr_ioapics++)
			t->ct_ioapic = addr;
		break;
	case MADT_LAPIC_OVERRIDE:
		memcpy(&addr64, e + 4, 8);
		t->ct_lapic = addr64;
		break;
	}
}

static void read_madt(struct cpu_tables *t, paddr_t madt, uint32_t length)
{
	uint32_t lapic;
	uint8_t e[16];

	if (!early_phys_read(madt + MADT_LAPIC_ADDR, &lapic, 4))
		t->ct_lapic = lapic;
	for (uint32_t off = MADT_ENTRIES; off + 2 <= length; off += e[1]) {
		if (early_phys_read(madt + off, e, 2) || e[1] < 2 || off + e[1] > length)
			break; /* a zero length would loop for ever */
		memset(e + 2, 0, sizeof(e) - 2);
		early_phys_read(madt + off + 2, e + 2, MIN((size_t)e[1], sizeof(e)) - 2);
		madt_entry(t, e);
	}
}

int acpi_read_madt(struct cpu_tables *t)
{
	paddr_t rsdp = find_rsdp(), madt = 0;
	struct sdt_header h;
	struct rsdp r;

	if (!rsdp || early_phys_read(rsdp, &r, sizeof(r)))
		return ERR_NOT_FOUND;
	if (r.revision >= 2 && r.xsdt && r.xsdt < 0x100000000ull)
		madt = find_madt(r.xsdt, 8);
	if (!madt && r.rsdt)
		madt = find_madt(r.rsdt, 4);
	if (!madt || early_phys_read(madt, &h, sizeof(h)))
		return ERR_NOT_FOUND;
	t->ct_source = "ACPI MADT";
	t->ct_table = madt;
	read_madt(t, madt, h.length);
	return 0;
}

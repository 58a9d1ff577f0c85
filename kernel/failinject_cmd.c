/* Fault injection from the command line and the shell (failinject_cmd.h). */
#include "kernel/failinject_cmd.h"
#include "kernel/cmdline.h"
#include "mm/failinject.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/symbol.h"

static struct mm_failinject armed_cfg; /* what is armed, for the status */

/* The kind called name, or MM_ALLOC_KINDS. */
static enum mm_alloc_kind kind_named(const char *name, size_t n)
{
	for (unsigned k = 0; k < MM_ALLOC_KINDS; k++) {
		const char *kn = mm_alloc_kind_name((enum mm_alloc_kind)k);

		if (strlen(kn) == n && !strncmp(kn, name, n))
			return (enum mm_alloc_kind)k;
	}
	return MM_ALLOC_KINDS;
}

/* One item "key:value" of a SPEC (len bytes at item) into cfg; false, with
 * an error printed, if it is none. */
static bool parse_item(const char *item, size_t len, struct mm_failinject *cfg)
{
	char value[24];
	size_t klen = 0, vlen;
	uint32_t v = 0;

	while (klen < len && item[klen] != ':')
		klen++;
	if (klen == len)
		goto bad;
	vlen = len - klen - 1;
	if (!vlen || vlen >= sizeof(value))
		goto bad;
	memcpy(value, item + klen + 1, vlen);
	value[vlen] = '\0';
	if (klen == 4 && !strncmp(item, "kind", 4)) {
		enum mm_alloc_kind k = kind_named(value, vlen);

		if (k == MM_ALLOC_BOOTMEM) {
			printk("error: failinject: no bootmem allocation happens after the boot (failboot=N fails those)\n");
			return false;
		}
		if (k == MM_ALLOC_KINDS) {
			printk("error: failinject: no allocation kind '%s' (pages, slab, kmalloc, vmalloc, pagetable, kmap, addr_space, task)\n",
			       value);
			return false;
		}
		cfg->kinds |= 1u << k;
		return true;
	}
	if (parse_u32(value, &v))
		goto bad;
	if (klen == 3 && !strncmp(item, "nth", 3) && v)
		cfg->nth = v;
	else if (klen == 4 && !strncmp(item, "prob", 4) && v <= 1000000)
		cfg->prob_ppm = v;
	else if (klen == 4 && !strncmp(item, "seed", 4))
		cfg->seed = v;
	else
		goto bad;
	return true;
bad:
	vlen = MIN(len, sizeof(value) - 1);
	memcpy(value, item, vlen);
	value[vlen] = '\0';
	printk("error: failinject: '%s%s' is not nth:N (1, 2, ...), prob:PPM (0 to 1000000), seed:S or kind:K\n",
	       value, len > vlen ? "..." : "");
	return false;
}

/* SPEC into cfg; false, with an error printed and cfg cleared, if it is
 * not one or fails nothing. */
static bool parse_spec(const char *spec, struct mm_failinject *cfg)
{
	const char *whole = spec;

	memset(cfg, 0, sizeof(*cfg));
	while (*spec) {
		const char *comma = strchr(spec, ',');
		size_t len = comma ? (size_t)(comma - spec) : strlen(spec);

		if (comma && !comma[1]) {
			printk("error: failinject: '%s' ends in a comma\n", whole);
			memset(cfg, 0, sizeof(*cfg));
			return false;
		}
		if (!parse_item(spec, len, cfg)) {
			memset(cfg, 0, sizeof(*cfg));
			return false;
		}
		spec += comma ? len + 1 : len;
	}
	if (!cfg->nth && !cfg->prob_ppm) {
		printk("error: failinject: nothing would fail: give nth:N or prob:PPM\n");
		return false;
	}
	return true;
}

static void print_config(const struct mm_failinject *cfg)
{
	if (cfg->nth)
		printk(" the allocation numbered %lu", cfg->nth);
	if (cfg->prob_ppm)
		printk("%s %u in a million (seed %u)", cfg->nth ? " and" : "", cfg->prob_ppm,
		       cfg->seed);
	if (!cfg->kinds) {
		printk(", of every kind");
		return;
	}
	printk(", of kind");
	for (unsigned k = 0; k < MM_ALLOC_KINDS; k++)
		if (cfg->kinds & (1u << k))
			printk(" %s", mm_alloc_kind_name((enum mm_alloc_kind)k));
}

static void arm(const struct mm_failinject *cfg)
{
	armed_cfg = *cfg;
	mm_failinject_set(cfg);
	printk("failinject: armed: will fail");
	print_config(cfg);
	printk("\n");
}

void failinject_print_status(void)
{
	enum mm_alloc_kind kind;
	uintptr_t caller;
	char by[64];

	if (mm_failinject_armed) {
		printk("failinject: armed:");
		print_config(&armed_cfg);
		printk("; %lu allocations counted, %lu failed (injected)\n",
		       mm_failinject_count(), mm_failinject_injected());
	} else {
		printk("failinject: off\n");
	}
	if (mm_failinject_last(&kind, &caller))
		printk("failinject: the last injected failure: %s, for %s\n",
		       mm_alloc_kind_name(kind), symbol_format(caller, by, sizeof(by)));
	printk("failinject: allocation failures injected since boot: %lu\n",
	       mm_failinject_injected_total());
}

void failinject_boot(void)
{
	const char *spec = cmdline_get("failinject");
	struct mm_failinject cfg;

	if (!spec)
		return;
	if (parse_spec(spec, &cfg))
		arm(&cfg);
	else
		printk("failinject: not armed\n");
}

int cmd_failinject(int argc, char **argv)
{
	struct mm_failinject cfg;

	if (argc < 2) {
		failinject_print_status();
		return 0;
	}
	if (!strcmp(argv[1], "off")) {
		mm_failinject_off();
		printk("failinject: off (allocation failures injected since boot: %lu)\n",
		       mm_failinject_injected_total());
		return 0;
	}
	if (!parse_spec(argv[1], &cfg))
		return -1;
	arm(&cfg);
	return 0;
}

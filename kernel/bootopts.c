/*
 * The table of boot options.  One OPT(...) line each, on one line, because
 * tools/make_help.py reads them from this file for `make help`.
 */
#include "kernel/bootopts.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "lib/printk.h"
#include "lib/string.h"

#define MAX_WORDS 32 /* as kernel/cmdline.c keeps */

struct boot_option {
	const char *name;
	const char *value; /* NULL: a bare word; "[=X]": optional; "=a|b": one of; "=X": any */
	const char *help;
};

#define OPT(name, value, help) { name, value, help }

static const struct boot_option options[] = {
	OPT("ktest", "[=SELECTION]", "run the self-tests: all, suites a,b, suite.glob*, or list"),
	OPT("ktap", NULL, "with ktest: report in nested KTAP instead of TAP"),
	OPT("failboot", "[=N]", "fail the boot's Nth allocation (alone: count them), check, and exit"),
	OPT("failinject", "=SPEC", "for the shell: fail allocations (nth:N,prob:PPM,seed:S,kind:K; see help failinject)"),
	OPT("faultsweep", "[=every]", "with ktest: rerun each test failing its allocations in turn (a sample, or every one)"),
	OPT("bench", "[=NAMES]", "run the benchmarks (make bench adds -icount shift=0)"),
	OPT("soak", "[=NAMES]", "the soak: 10^6 seeded random operations per allocator (buddy,slab,kmalloc,vmalloc,vmm)"),
	OPT("soak_seed", "[=N]", "with soak: the seed of the operation mixes"),
	OPT("slab_debug", NULL, "red zones, poison and caller records in every cache"),
	OPT("crash", "=null|stack|taskstack|apstack|text|panic|demandoom", "crash on purpose, to see the report"),
	OPT("witness", NULL, "pause for the QEMU witness (make test)"),
	OPT("memdump", NULL, "dump every frame's state for make memmap, then exit"),
	OPT("halt", NULL, "stop after booting, without the shell"),
	OPT("lock_debug", NULL, "record lock holders; report misuse and the lock order (on under ktest)"),
	OPT("acpi", "=off", "find the CPUs in the MP table, not the ACPI MADT"),
	OPT("nosmp", NULL, "run on the boot CPU only, leaving the others halted"),
	OPT("no_shootdown", NULL, "test only: send no TLB shootdowns (the shootdown tests must fail)"),
};

/* Whether value is one of the '|'-separated choices after the '='. */
static bool value_allowed(const char *choices, const char *value)
{
	size_t n = strlen(value);

	for (const char *p = choices + 1; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !strncmp(p, value, n))
			return true;
		p += bar ? len + 1 : len;
	}
	return false;
}

/* Whether a value is a placeholder (SPEC, N: capitals) that any value
 * fills, rather than the choices a value must be one of. */
static bool is_placeholder(const char *v)
{
	return *v >= 'A' && *v <= 'Z';
}

/* A warning for word, or none (returns whether it warned). */
static bool check_word(const char *word)
{
	const char *eq = strchr(word, '=');
	size_t n = eq ? (size_t)(eq - word) : strlen(word);

	for (unsigned i = 0; i < ARRAY_SIZE(options); i++) {
		const struct boot_option *o = &options[i];
		if (strlen(o->name) != n || strncmp(o->name, word, n))
			continue;
		if (eq && !o->value)
			printk("warning: boot option '%s' takes no value\n", o->name);
		else if (o->value && o->value[0] == '=' && is_placeholder(o->value + 1) &&
			 (!eq || !eq[1]))
			printk("warning: boot option %s needs a value (%s=%s)\n", word, o->name,
			       o->value + 1);
		else if (o->value && o->value[0] == '=' && !is_placeholder(o->value + 1) &&
			 (!eq || !value_allowed(o->value, eq + 1)))
			printk("warning: boot option %s: the value must be one of %s\n", word,
			       o->value + 1);
		else
			return false;
		return true;
	}
	printk("warning: unknown boot option '%s' (make help lists them)\n", word);
	return true;
}

unsigned bootopts_check(const char *cmdline)
{
	char copy[BOOT_CMDLINE_MAX];
	char *words[MAX_WORDS];
	const char *ignored; /* cmdline_init has said so already */
	unsigned warnings = 0, n;

	strlcpy(copy, cmdline, sizeof(copy));
	n = cmdline_split(copy, words, MAX_WORDS, &ignored);
	for (unsigned i = 0; i < n; i++)
		if (!strchr(words[i], '/'))
			warnings += check_word(words[i]);
	return warnings;
}

/* Deterministic fault injection (see mm/failinject.h). */
#include "mm/failinject.h"
#include "mm/platform.h"
#include "mm/report.h"

#define ARM_HOOKS_MAX 4

bool mm_failinject_armed;
/* The configuration, the counts and the generator, under inject_lock:
 * every CPU's allocations are counted, each once. */
static mm_lock_t inject_lock = MM_LOCK_INIT("failinject", LOCK_ORDER_FAILINJECT);
MM_LOCK_REGISTER(inject_lock);
static struct mm_failinject config;
static unsigned long counted, injected, injected_total;
static uint32_t rng;
static enum mm_alloc_kind last_kind; /* of the last injected failure */
static uintptr_t last_caller;
static void (*arm_hooks[ARM_HOOKS_MAX])(bool armed);

static const char *const kind_names[MM_ALLOC_KINDS] = {
	[MM_ALLOC_PAGES] = "pages", [MM_ALLOC_SLAB] = "slab",
	[MM_ALLOC_KMALLOC] = "kmalloc", [MM_ALLOC_VMALLOC] = "vmalloc",
	[MM_ALLOC_PGTABLE] = "pagetable", [MM_ALLOC_KMAP] = "kmap",
	[MM_ALLOC_ADDR_SPACE] = "addr_space", [MM_ALLOC_TASK] = "task",
	[MM_ALLOC_BOOTMEM] = "bootmem",
};

bool mm_failinject_last(enum mm_alloc_kind *kind, uintptr_t *caller)
{
	if (!kind || !caller) {
		mm_report_call(REPORT_INVALID_ARG, 0, "mm_failinject_last", MM_CALLER(),
			       "NULL where the kind and the caller go");
		return false;
	}
	*kind = last_kind;
	*caller = last_caller;
	return injected != 0;
}

const char *mm_alloc_kind_name(enum mm_alloc_kind kind)
{
	return kind < MM_ALLOC_KINDS ? kind_names[kind] : "?";
}

void mm_failinject_on_arm(void (*fn)(bool armed))
{
	if (!fn) {
		mm_report_call(REPORT_INVALID_ARG, 0, "mm_failinject_on_arm", MM_CALLER(),
			       "a NULL hook");
		return;
	}
	for (unsigned i = 0; i < ARM_HOOKS_MAX; i++) {
		if (!arm_hooks[i] || arm_hooks[i] == fn) {
			arm_hooks[i] = fn;
			if (mm_failinject_armed)
				fn(true);
			return;
		}
	}
	/* its fast path would not step aside: counts would be wrong */
	mm_report_call(REPORT_INVALID_ARG, (uintptr_t)fn, "mm_failinject_on_arm", MM_CALLER(),
		       "no room for a hook past %u: not registered", ARM_HOOKS_MAX);
}

static void tell_allocators(bool armed)
{
	for (unsigned i = 0; i < ARM_HOOKS_MAX && arm_hooks[i]; i++)
		arm_hooks[i](armed);
}

/* What is wrong with a configuration, or NULL. */
static const char *config_wrong(const struct mm_failinject *cfg)
{
	if (!cfg)
		return "a NULL configuration";
	if (cfg->kinds & ~((1u << MM_ALLOC_KINDS) - 1))
		return "kinds has bits for kinds that do not exist";
	if (cfg->prob_ppm > 1000000u)
		return "a probability above one million per million";
	return NULL;
}

void mm_failinject_set(const struct mm_failinject *cfg)
{
	const char *why = config_wrong(cfg);
	mm_irqflags_t flags;

	if (why) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)cfg, "mm_failinject_set",
			       MM_CALLER(), "%s: nothing armed", why);
		return;
	}
	flags = mm_lock(&inject_lock);
	config = *cfg;
	counted = injected = 0;
	rng = cfg->seed ? cfg->seed : 1;
	mm_unlock(&inject_lock, flags);
	if (!mm_failinject_armed)
		tell_allocators(true);
	mm_failinject_armed = true;
}

void mm_failinject_off(void)
{
	if (mm_failinject_armed)
		tell_allocators(false);
	mm_failinject_armed = false;
}

unsigned long mm_failinject_count(void)
{
	return counted;
}

unsigned long mm_failinject_injected(void)
{
	return injected;
}

unsigned long mm_failinject_injected_total(void)
{
	return injected_total;
}

/* xorshift32: the same failures for the same seed. */
static uint32_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

bool mm_should_fail_slow(enum mm_alloc_kind kind, uintptr_t caller)
{
	mm_irqflags_t flags = mm_lock(&inject_lock);
	char by[MM_SYMBOL_LEN];
	unsigned long n = 0;
	bool fail = false, quiet = config.quiet;

	if (!config.kinds || (config.kinds & (1u << kind))) {
		n = ++counted;
		fail = n == config.nth ||
		       (config.prob_ppm && next_random() % 1000000u < config.prob_ppm);
	}
	if (fail) {
		injected++;
		injected_total++;
		last_kind = kind;
		last_caller = caller;
	}
	mm_unlock(&inject_lock, flags);
	if (fail && !quiet) /* printed outside the lock: the console's is innermost */
		mm_printf("mm: injected failure of allocation %lu (%s) for %s\n", n,
			  mm_alloc_kind_name(kind), mm_symbol(caller, by, sizeof(by)));
	return fail;
}

/* The soak's driver: runs each mix, checks, compares (see tests/soak.h). */
#include "tests/soak.h"
#include "tests/ktest.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/vmalloc.h"
#include "mm/report.h"
#include "kernel/cmdline.h"
#include "arch/x86/qemu_exit.h"
#include "lib/printk.h"
#include "lib/string.h"

#define PROBLEMS_SHOWN 10 /* per mix; the rest are only counted */
#define CACHES_MAX 64

static const struct soak_mix *const mixes[] = {
	&soak_buddy_mix, &soak_slab_mix, &soak_kmalloc_mix, &soak_vmalloc_mix, &soak_vmm_mix,
};

/* xorshift32 */
uint32_t soak_rand(struct soak *s)
{
	uint32_t x = s->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rng = x;
}

uint32_t soak_below(struct soak *s, uint32_t n)
{
	return soak_rand(s) % n;
}

void soak_problem(struct soak *s, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (s->problems++ >= PROBLEMS_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("soak: %s: problem after %lu operations: %s\n", s->name, s->ops, msg);
}

void soak_checker(struct soak *s, const char *checker, unsigned problems)
{
	if (problems)
		soak_problem(s, "%s found %u problem(s)", checker, problems);
}

/* What must be the same before and after a mix: free frames (the caches'
 * empty slabs given back first), live slab objects, caches, vmalloc areas,
 * large kmalloc blocks. */
struct soak_state {
	unsigned long frames, objects, caches, areas, large;
};

static void snapshot(struct soak_state *st)
{
	static struct slab_info info[CACHES_MAX];
	unsigned n;

	kmem_shrink_all();
	st->frames = buddy_free_pages();
	n = slab_get_info(info, CACHES_MAX);
	st->caches = n;
	st->objects = 0;
	for (unsigned i = 0; i < n && i < CACHES_MAX; i++)
		st->objects += info[i].active_objs;
	st->areas = vmalloc_nr_areas();
	st->large = kmalloc_large_blocks();
}

static void compare(struct soak *s, const struct soak_state *a, const struct soak_state *b)
{
	if (a->frames != b->frames)
		soak_problem(s, "%lu free frames at the start, %lu at the end", a->frames, b->frames);
	if (a->objects != b->objects || a->caches != b->caches)
		soak_problem(s, "%lu objects in %lu caches at the start, %lu in %lu at the end",
			     a->objects, a->caches, b->objects, b->caches);
	if (a->areas != b->areas || a->large != b->large)
		soak_problem(s, "%lu vmalloc areas and %lu large kmalloc blocks at the start, %lu and %lu at the end",
			     a->areas, a->large, b->areas, b->large);
}

/* A check round: the mix's model and checkers; it passed if it added no
 * problem. */
static void check_round(struct soak *s, void (*check)(struct soak *s))
{
	unsigned long before = s->problems;

	if (check)
		check(s);
	if (s->problems == before)
		s->checks++;
}

/* The allocators' own checkers, once the mix has given everything back. */
static void check_empty(struct soak *s)
{
	soak_checker(s, "buddy_check", buddy_check());
	soak_checker(s, "slab_check", slab_check());
	soak_checker(s, "kmalloc_check", kmalloc_check());
}

unsigned long soak_run(const struct soak_mix *m, unsigned long ops, unsigned long every,
		       uint32_t seed, bool quiet, struct soak *out)
{
	struct soak s = { .name = m->name, .rng = seed ? seed : 1, .quiet = quiet };
	struct soak_state before, after;
	unsigned long reports;

	snapshot(&before);
	reports = report_total();
	if (!m->start(&s)) {
		s.no_memory = true;
		soak_problem(&s, "cannot start: no memory for its set-up");
		*out = s;
		return s.problems;
	}
	while (s.ops < ops) {
		m->op(&s);
		if (++s.ops % every == 0)
			check_round(&s, m->check);
	}
	m->finish(&s);
	check_round(&s, check_empty);
	snapshot(&after);
	compare(&s, &before, &after);
	reports = report_total() - reports;
	if (reports)
		soak_problem(&s, "%lu misuse report(s)", reports);
	if (!quiet)
		printk("soak: %s: %lu operations (%lu failed for want of memory), %lu invariant checks passed, "
		       "%lu problems; final state %s the initial one (%lu free frames, %lu live objects, "
		       "%lu vmalloc areas)\n", s.name, s.ops, s.failed, s.checks, s.problems,
		       s.problems ? "compared with" : "equal to", after.frames, after.objects, after.areas);
	*out = s;
	return s.problems;
}

uint32_t soak_seed(const char *value)
{
	uint32_t v;

	if (!value || !*value)
		return SOAK_SEED;
	if (parse_u32(value, &v)) {
		printk("soak: soak_seed=%s is not a 32-bit number: seed %#x\n", value, SOAK_SEED);
		return SOAK_SEED;
	}
	return v;
}

__noreturn void soak_main(const char *which, uint32_t seed)
{
	unsigned long ops = 0, checks = 0, problems = 0;
	unsigned n = 0;

	printk("soak: seed %#x, %lu operations per allocator, the checkers every %lu and at the end\n",
	       seed, SOAK_OPS, SOAK_CHECK_EVERY);
	for (unsigned i = 0; i < ARRAY_SIZE(mixes); i++) {
		struct soak s;
		if (!list_contains(which, mixes[i]->name))
			continue;
		problems += soak_run(mixes[i], SOAK_OPS, SOAK_CHECK_EVERY, seed + i, false, &s);
		ops += s.ops;
		checks += s.checks;
		n++;
	}
	printk("soak: %u allocators, %lu operations, %lu invariant checks passed, %lu problems\n", n, ops,
	       checks, problems);
	qemu_exit(n && !problems ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
}

/* The same mixes, short, among the self-tests: so that make test keeps
 * them working (and the fault sweep fails their allocations). */
KTEST(soak, "a short seeded mix over each allocator keeps its invariants and ends where it began")
{
	for (unsigned i = 0; i < ARRAY_SIZE(mixes); i++) {
		struct soak s;
		unsigned long problems = soak_run(mixes[i], ktest_scale(3000), 500, SOAK_SEED + i, true, &s);
		bool ok = s.no_memory ? EXPECT_EQ_WITH_MEMORY(0, problems) : EXPECT_EQ(0, problems);

		if (!ok)
			printk("soak: %s: %lu problem(s)\n", mixes[i]->name, problems);
	}
}

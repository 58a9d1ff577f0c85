/*
 * The soak (boot option `soak`, make soak): for each allocator, a long
 * seeded random mix of its operations, with its invariant checkers run
 * every SOAK_CHECK_EVERY operations and at the end, and a final state
 * equal to the initial one.
 *
 * Each mix keeps a model of what it holds (tests/soak_*.c): a table of
 * slots, each empty or holding one allocation with a tag written into its
 * memory.  An operation picks a slot at random: an empty one gets a new
 * allocation (of a random size, order, kind), a full one is checked and
 * freed or changed (resized, remapped, touched).  Running out of memory is
 * not a problem: the operation is counted as failed and the slot stays
 * empty.  A problem is an allocator breaking its contract: a tag
 * overwritten, a block misaligned or in the wrong zone, memory not zeroed,
 * a checker's complaint, a misuse report, a mapping the model does not
 * expect, a frame or object missing at the end.
 *
 * Output, per mix, then a total (tests/testrun/soak.py reads them):
 *   soak: buddy: 1000000 operations (1234 failed for want of memory), 101 invariant checks passed, 0 problems; final state equal to the initial one (3100 free frames, 12 live objects, 2 vmalloc areas)
 *   soak: 5 allocators, 5000000 operations, 505 invariant checks passed, 0 problems
 */
#ifndef TESTS_SOAK_H
#define TESTS_SOAK_H

#include "lib/compiler.h"

#define SOAK_OPS 1000000ul
#define SOAK_CHECK_EVERY 10000ul
#define SOAK_SEED 0x50a15eedu

/* One mix's run: its generator, and what it has counted. */
struct soak {
	const char *name;
	uint32_t rng;
	unsigned long ops, failed, checks, problems;
	bool quiet; /* the self-test's short run: problems only */
	bool no_memory; /* its set-up found no memory: it did not run */
};

struct soak_mix {
	const char *name;
	/* Sets the mix up (its caches, its spaces); false if it cannot run. */
	bool (*start)(struct soak *s);
	/* One random operation. */
	void (*op)(struct soak *s);
	/* The model against the allocator, and the allocator's own checkers;
	 * every disagreement goes through soak_problem. */
	void (*check)(struct soak *s);
	/* Gives back everything the mix holds and undoes start. */
	void (*finish)(struct soak *s);
};

extern const struct soak_mix soak_buddy_mix, soak_slab_mix, soak_kmalloc_mix,
	soak_vmalloc_mix, soak_vmm_mix;

/* A random number from the mix's seeded generator; below n (n > 0). */
uint32_t soak_rand(struct soak *s);
uint32_t soak_below(struct soak *s, uint32_t n);
/* Counts a problem and says what it is (the first few of each mix). */
void soak_problem(struct soak *s, const char *fmt, ...) __printf(2, 3);
/* Adds a checker's count of problems (it has reported each itself). */
void soak_checker(struct soak *s, const char *checker, unsigned problems);

/*
 * Runs one mix: ops operations from seed, the checks every `every` and at
 * the end, then compares the final state with the initial one.  Returns
 * the problems found (0: the mix passed); *out receives the counts.
 */
unsigned long soak_run(const struct soak_mix *m, unsigned long ops, unsigned long every,
		       uint32_t seed, bool quiet, struct soak *out);

/* The seed the boot option soak_seed=N gives (SOAK_SEED without it). */
uint32_t soak_seed(const char *value);

/* The boot option: the mixes named (NULL or "": all), each SOAK_OPS
 * operations; prints the lines above and leaves QEMU with the verdict. */
__noreturn void soak_main(const char *which, uint32_t seed);

#endif

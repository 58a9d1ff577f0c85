/*
 * The fragmentation trace and its replay.
 *
 * The trace.  Object i is allocated at step i (one allocation a step); its
 * size and lifetime are drawn when it is born, from a seeded generator that
 * depends on nothing but the seed, so every allocator sees the same events
 * in the same order on every run.  Before object i is allocated, every
 * object whose lifetime has run out is freed, oldest first.  After the last
 * allocation comes "the end", where the benchmark looks at what is left;
 * then a teardown frees the survivors, oldest first.  The mix, loosely
 * after the object sizes of a small kernel:
 *
 *   sizes      25%  the phase's popular size (the trace has four phases,
 *                   each with its own: 40, 200, 720, then 2600 bytes),
 *              45%  small, 8 to 256 bytes,
 *              22%  medium, 257 to 2048,
 *               6%  2049 to 4096,
 *               2%  large, 4097 to 16384;
 *   lifetimes  55%  short, 1 to 16 steps,
 *              33%  medium, 16 to 415 steps,
 *              12%  permanent: alive at the end, freed by the teardown.
 *
 * Phases are what make real heaps fragment (Johnstone and Wilson, "The
 * Memory Fragmentation Problem: Solved?", 1998): when the popular size
 * changes, the medium-lived objects of the old one die and leave holes of
 * a size nobody asks for any more, between permanent objects.
 *
 * The replay.  frag_replay does the events and nothing else, for timing;
 * frag_measure does them with the bookkeeping of tests/bench_frag.c.
 */
#include "tests/frag.h"
#include "lib/string.h"

#define FRAG_PHASES 4
#define FRAG_NEVER 0xFFFFu /* a permanent object's step of death */

static const uint32_t phase_size[FRAG_PHASES] = { 40, 200, 720, 2600 };

/* Scratch for frag_trace_build: each object's size and step of death,
 * and the live objects in order of birth. */
static uint32_t obj_size[FRAG_MAX_OBJECTS];
static uint16_t obj_death[FRAG_MAX_OBJECTS];
static uint16_t live[FRAG_MAX_OBJECTS];

/* A counter through an integer hash (Wellons' lowbias32): the n-th number
 * depends only on the seed and n. */
static uint32_t frag_rand(uint32_t *state)
{
	uint32_t x = (*state += 0x9E3779B9u);

	x ^= x >> 16;
	x *= 0x7FEB352Du;
	x ^= x >> 15;
	x *= 0x846CA68Bu;
	x ^= x >> 16;
	return x;
}

static uint32_t rand_between(uint32_t *state, uint32_t lo, uint32_t hi)
{
	return lo + frag_rand(state) % (hi - lo + 1);
}

static uint32_t draw_size(uint32_t *state, unsigned phase)
{
	uint32_t pick = frag_rand(state) % 100;

	if (pick < 25)
		return phase_size[phase];
	if (pick < 70)
		return rand_between(state, 8, 256);
	if (pick < 92)
		return rand_between(state, 257, 2048);
	if (pick < 98)
		return rand_between(state, 2049, 4096);
	return rand_between(state, 4097, 16384);
}

/* The step at which an object born at `step` dies. */
static uint16_t draw_death(uint32_t *state, size_t step)
{
	uint32_t pick = frag_rand(state) % 100;

	if (pick < 55)
		return (uint16_t)(step + rand_between(state, 1, 16));
	if (pick < 88)
		return (uint16_t)(step + rand_between(state, 16, 415));
	return FRAG_NEVER;
}

static void emit(struct frag_trace *t, uint16_t id, bool is_free)
{
	struct frag_event *e = &t->ft_events[t->ft_nr_events++];

	e->fe_size = obj_size[id];
	e->fe_id = id;
	e->fe_free = is_free;
}

/* Frees the live objects dead by `step` (all of them when all is set),
 * oldest first; returns the bytes they held. */
static size_t reap(struct frag_trace *t, size_t *nr_live, size_t step,
		   bool all)
{
	size_t kept = 0, freed = 0;

	for (size_t i = 0; i < *nr_live; i++) {
		uint16_t id = live[i];

		if (all || obj_death[id] <= step) {
			emit(t, id, true);
			freed += obj_size[id];
		} else {
			live[kept++] = id;
		}
	}
	*nr_live = kept;
	return freed;
}

void frag_trace_build(struct frag_trace *t, struct frag_event *events,
		      size_t nr_objects, uint32_t seed)
{
	uint32_t state = seed;
	size_t nr_live = 0, bytes = 0;

	memset(t, 0, sizeof(*t));
	t->ft_events = events;
	t->ft_nr_objects = MIN(nr_objects, (size_t)FRAG_MAX_OBJECTS);
	t->ft_seed = seed;
	for (size_t step = 0; step < t->ft_nr_objects; step++) {
		uint16_t id = (uint16_t)step;

		bytes -= reap(t, &nr_live, step, false);
		obj_size[id] = draw_size(&state, step * FRAG_PHASES /
							 t->ft_nr_objects);
		obj_death[id] = draw_death(&state, step);
		emit(t, id, false);
		live[nr_live++] = id;
		bytes += obj_size[id];
		t->ft_peak_requested = MAX(t->ft_peak_requested, bytes);
		t->ft_peak_live = MAX(t->ft_peak_live, nr_live);
	}
	t->ft_nr_main = t->ft_nr_events;
	t->ft_end_requested = bytes;
	reap(t, &nr_live, 0, true);
}

/* --- replay -------------------------------------------------------------- */

void frag_replay(struct frag_run *r, const struct frag_trace *t,
		 size_t first, size_t last)
{
	const struct frag_allocator *a = r->fr_alloc;
	void **obj = r->fr_objects;

	for (size_t i = first; i < last; i++) {
		const struct frag_event *e = &t->ft_events[i];

		if (!e->fe_free)
			obj[e->fe_id] = a->fa_alloc(r, e->fe_size);
		else if (obj[e->fe_id])
			a->fa_free(r, obj[e->fe_id], e->fe_size);
	}
}

static void measure_one(struct frag_run *r, const struct frag_event *e,
			struct frag_result *res, frag_watch_fn watch)
{
	const struct frag_allocator *a = r->fr_alloc;
	void **slot = &r->fr_objects[e->fe_id];

	if (e->fe_free) {
		if (!*slot)
			return;
		if (watch)
			watch(r, e, *slot);
		a->fa_free(r, *slot, e->fe_size);
		*slot = NULL;
		return;
	}
	*slot = a->fa_alloc(r, e->fe_size);
	if (watch)
		watch(r, e, *slot);
	if (!*slot) {
		res->failures++;
		return;
	}
	res->peak_used = MAX(res->peak_used, a->fa_used(r, *slot, e->fe_size));
}

void frag_measure(struct frag_run *r, const struct frag_trace *t,
		  struct frag_result *res, frag_watch_fn watch)
{
	memset(res, 0, sizeof(*res));
	res->peak_requested = t->ft_peak_requested;
	for (size_t i = 0; i < t->ft_nr_main; i++)
		measure_one(r, &t->ft_events[i], res, watch);
	res->largest = r->fr_alloc->fa_largest(r);
	for (size_t i = t->ft_nr_main; i < t->ft_nr_events; i++)
		measure_one(r, &t->ft_events[i], res, watch);
}

bool frag_in_arena(const struct frag_run *r, const void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p;

	if (!p)
		return false;
	if (!r->fr_base)
		return true;
	return a >= r->fr_base && a <= r->fr_end && size <= r->fr_end - a;
}

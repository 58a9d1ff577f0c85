/*
 * The fragmentation comparison's common half: one seeded allocation trace
 * and the allocators it is replayed against (tests/frag_trace.c,
 * tests/frag_alloc.c).  The benchmark
 * (tests/bench_frag.c) times and measures the replays; the suite `frag`
 * (tests/test_frag.c) checks what must hold for every one of them.  The
 * definitions of "used", "requested" and "largest" are given at the top of
 * tests/bench_frag.c.
 */
#ifndef TESTS_FRAG_H
#define TESTS_FRAG_H

#include "lib/types.h"
#include "mm/freelist.h"
#include "mm/buddy.h"

#define FRAG_MAX_OBJECTS 4096u /* objects in the longest trace */
#define FRAG_ARENA_ORDER (MAX_ORDER - 1) /* 4 MiB for the arena allocators */
#define FRAG_ARENA_BYTES ((size_t)MM_PAGE_SIZE << FRAG_ARENA_ORDER)

/* One step of the trace: object fe_id is allocated, or freed.  A free
 * repeats the object's size, which the buddy needs for its order. */
struct frag_event {
	uint32_t fe_size; /* bytes requested, 8 or more */
	uint16_t fe_id; /* the object: the number of its allocation */
	uint16_t fe_free; /* 0: allocate, 1: free */
};

struct frag_trace {
	struct frag_event *ft_events; /* 2 * ft_nr_objects of them */
	size_t ft_nr_objects;
	size_t ft_nr_events;
	size_t ft_nr_main; /* events before the teardown: "the end" */
	size_t ft_peak_requested; /* most bytes live at once */
	size_t ft_peak_live; /* most objects live at once */
	size_t ft_end_requested; /* bytes live at the end */
	uint32_t ft_seed;
};

/*
 * Builds the trace of nr_objects allocations (at most FRAG_MAX_OBJECTS)
 * from seed into events (room for 2 * nr_objects).  The same arguments
 * give the same trace, event for event, on every run.  Not reentrant.
 */
void frag_trace_build(struct frag_trace *t, struct frag_event *events,
		      size_t nr_objects, uint32_t seed);

struct frag_run;

/* An allocator under comparison.  fa_open returns false when it cannot get
 * its arena; fa_close returns true when everything went back to where it
 * was at fa_open (and gives the arena back). */
struct frag_allocator {
	const char *fa_name; /* in BENCH names: frag_<fa_name>_waste */
	const char *fa_title; /* in tables */
	enum freelist_policy fa_policy; /* freelist heaps only */
	bool (*fa_open)(struct frag_run *r);
	void *(*fa_alloc)(struct frag_run *r, size_t size);
	void (*fa_free)(struct frag_run *r, void *p, size_t size);
	/* The memory in use after p (size bytes) was allocated, in bytes. */
	size_t (*fa_used)(struct frag_run *r, void *p, size_t size);
	/* The usable size of p, which was allocated for size bytes. */
	size_t (*fa_usable)(void *p, size_t size);
	/* The largest request that succeeds now without new memory. */
	size_t (*fa_largest)(struct frag_run *r);
	bool (*fa_close)(struct frag_run *r);
};

extern const struct frag_allocator frag_allocators[];
extern const size_t frag_nr_allocators;

/* One replay's state.  fr_objects has a slot per object of the trace. */
struct frag_run {
	const struct frag_allocator *fr_alloc;
	void **fr_objects;
	struct page *fr_block; /* the arena (freelist, buddy): a 4 MiB block */
	struct zone fr_zone; /* the arena as a private buddy zone */
	uintptr_t fr_base, fr_end; /* its addresses; both 0 for kmalloc */
	uintptr_t fr_mark; /* buddy: one past the highest byte handed out */
	size_t fr_held; /* freelist: frames held from the arena */
	struct freelist_page_source fr_source; /* freelist: the arena */
	unsigned long fr_start_frames; /* kmalloc: free buddy frames at open */
	struct freelist fr_heap;
};

struct frag_result {
	size_t peak_requested, peak_used; /* bytes */
	size_t largest; /* bytes, at the end */
	size_t failures; /* allocations that returned NULL */
};

/* Called by frag_measure after every allocation (p may be NULL) and
 * before every free of a non-NULL object. */
typedef void (*frag_watch_fn)(struct frag_run *r, const struct frag_event *e,
			      void *p);

/* Opens and closes an allocator for a replay; objects has room for the
 * trace's objects. */
bool frag_open(struct frag_run *r, const struct frag_allocator *a,
	       void **objects);
bool frag_close(struct frag_run *r);

/* Replays events [first, last) of the trace, nothing else (timed). */
void frag_replay(struct frag_run *r, const struct frag_trace *t,
		 size_t first, size_t last);

/* Replays the whole trace, measuring as it goes (watch may be NULL). */
void frag_measure(struct frag_run *r, const struct frag_trace *t,
		  struct frag_result *res, frag_watch_fn watch);

/* Whether [p, p + size) lies inside the run's arena (kmalloc: p != NULL). */
bool frag_in_arena(const struct frag_run *r, const void *p, size_t size);

#endif

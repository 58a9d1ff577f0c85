/*
 * A synthetic machine for host tests of the buddy allocator, and the
 * simple reference model every buddy operation is compared with.
 *
 * The model knows nothing of free lists: it keeps one byte per frame
 * (hole, free or used) and the order of each allocated head, and derives
 * from that alone what the allocator must do -- which blocks may be handed
 * out, when running out of memory is legitimate, which report a misuse
 * deserves, and what buddyinfo a fully coalesced allocator shows.  A
 * mismatch is recorded in machine.why (the first one wins); the caller
 * turns it into a TAP failure or, in a fuzz target, an abort().
 */
#ifndef TESTS_HOST_BUDDY_MODEL_H
#define TESTS_HOST_BUDDY_MODEL_H

#include "mm/buddy.h"
#include "mm/report.h"

/*
 * struct pages on each side of the page array, so that the model can form
 * pointers just outside it (out-of-range frees, which the buddy must refuse
 * without touching them).  They are poisoned: a read of a struct page
 * outside the array -- a merge looking at a buddy past the last frame, as
 * the kernel's would read whatever follows its page array -- stops the
 * program with AddressSanitizer's report.
 */
#define MODEL_SLACK 8

enum frame_state { FRAME_HOLE, FRAME_FREE, FRAME_USED };

struct model_block {
	pfn_t pfn;
	unsigned order;
};

struct machine {
	pfn_t nr_pfns, direct_end;
	struct page *pages; /* page array with MODEL_SLACK on each side */
	uint8_t *frame; /* enum frame_state per frame */
	uint8_t *head_order; /* order + 1 at an allocated head, else 0 */
	struct model_block *live; /* allocated blocks, in no order */
	unsigned nr_live, live_cap;
	unsigned long nr_free, nr_usable;
	unsigned long steps, allocs, failed_allocs, bad_frees;
	unsigned long init_info[MAX_NR_ZONES][MAX_ORDER];
	bool failed;
	char why[256];
};

/* Deterministic pseudo-random numbers (splitmix64). */
static inline uint64_t model_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A machine of nr_pfns frames, direct map up to direct_end, no RAM yet. */
void machine_init(struct machine *m, pfn_t nr_pfns, pfn_t direct_end);
void machine_destroy(struct machine *m);
/* Hands [start, end) to the buddy; ranges must not overlap earlier ones. */
void machine_add_range(struct machine *m, pfn_t start, pfn_t end);
/* Records the buddyinfo after set-up and checks it against the model. */
void machine_snapshot(struct machine *m);

/* Operations, each checked against the model. */
bool machine_alloc(struct machine *m, gfp_t gfp, unsigned order);
void machine_free(struct machine *m, unsigned index);
/* A wrong free: checks for exactly one report of the kind the model
 * expects, and returns that kind (REPORT_KIND_COUNT if it was valid). */
enum report_kind machine_bad_free(struct machine *m, long pfn, unsigned order);
void machine_free_all(struct machine *m);
/* One operation decoded from a 32-bit word (random or fuzzer input). */
void machine_step(struct machine *m, uint32_t op);
#define STEP_KINDS 16 /* op % STEP_KINDS selects the operation */
#define STEP_FREE 8 /* a kind that frees a live block */

/* Full sweeps: buddy_check, free counts, buddyinfo of the coalesced state. */
void machine_check(struct machine *m);
/* After machine_free_all: buddyinfo equals the snapshot. */
void machine_check_restored(struct machine *m);

void model_fail(struct machine *m, const char *fmt, ...) __printf(2, 3);

#endif

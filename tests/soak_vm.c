/*
 * The virtual-memory soak mixes.
 *
 * vmalloc: areas of 1 to 256 pages, vmalloc and vzalloc, each page tagged
 * in its first word, freed in random order.  The checks: every area is
 * where vmalloc_find says, its guard page unmapped, its tags intact, and
 * the count of areas what the model holds.
 *
 * vmm: a few address spaces, created and destroyed, each with a window of
 * CHUNKS chunks of CHUNK_PAGES pages (two chunks to a page table, so that
 * tables come and go) in one of four states: empty; mapped to frames of
 * the soak's own (vmm_map); filled with frames the space owns (vmm_alloc);
 * a demand-zero region whose pages get a frame on first touch.  Pages are
 * touched through the space itself (switched to, with probes, so that a
 * fault the kernel cannot serve is an error, not a panic), made read-only
 * and writable again, unmapped.  The checks: every page translates as its
 * chunk's state says (to the soak's frame where it mapped one), the space
 * owns exactly the frames the model counts, and every page written reads
 * back its tag.
 */
#include "tests/soak.h"
#include "mm/vmalloc.h"
#include "mm/vmm.h"
#include "mm/buddy.h"
#include "arch/x86/trap.h"
#include "lib/errno.h"
#include "lib/string.h"

/* --- vmalloc -------------------------------------------------------------- */

#define AREA_SLOTS 64

static struct area {
	uint32_t *a_ptr;
	size_t a_pages;
	uint32_t a_tag;
} areas[AREA_SLOTS];
static unsigned long areas_at_start;

#define WORDS_PER_PAGE (PAGE_SIZE / 4)

static size_t random_pages(struct soak *s)
{
	uint32_t r = soak_below(s, 100);

	if (r < 70)
		return 1 + soak_below(s, 4);
	if (r < 97)
		return 5 + soak_below(s, 28);
	return 64 + soak_below(s, 193);
}

static void area_check(struct soak *s, const struct area *a)
{
	struct vmalloc_area_info info;
	vaddr_t guard = (vaddr_t)a->a_ptr + a->a_pages * PAGE_SIZE;

	if (!vmalloc_find((vaddr_t)a->a_ptr, &info) || info.start != (vaddr_t)a->a_ptr ||
	    info.pages != a->a_pages)
		soak_problem(s, "vmalloc area %p of %zu pages is not where vmalloc_find says", a->a_ptr,
			     a->a_pages);
	if (vmm_translate(&kernel_as, guard, NULL, NULL) != ERR_NOT_FOUND)
		soak_problem(s, "the guard page after vmalloc area %p is mapped", a->a_ptr);
	for (size_t i = 0; i < a->a_pages; i++) {
		if (a->a_ptr[i * WORDS_PER_PAGE] != a->a_tag + i) {
			soak_problem(s, "vmalloc area %p page %zu: tag %#x, expected %#x", a->a_ptr, i,
				     a->a_ptr[i * WORDS_PER_PAGE], (uint32_t)(a->a_tag + i));
			return;
		}
	}
}

static bool vmalloc_start(struct soak *s)
{
	(void)s;
	memset(areas, 0, sizeof(areas));
	areas_at_start = vmalloc_nr_areas();
	return true;
}

static void vmalloc_new(struct soak *s, struct area *a)
{
	bool zero = soak_below(s, 4) == 0;
	size_t pages = random_pages(s), bytes = pages * PAGE_SIZE - soak_below(s, PAGE_SIZE);

	a->a_ptr = zero ? vzalloc(bytes) : vmalloc(bytes);
	if (!a->a_ptr) {
		s->failed++;
		return;
	}
	a->a_pages = pages;
	a->a_tag = soak_rand(s);
	for (size_t i = 0; i < pages; i++) {
		uint32_t *w = a->a_ptr + i * WORDS_PER_PAGE;
		if (zero && (w[0] || w[WORDS_PER_PAGE - 1]))
			soak_problem(s, "vzalloc area %p page %zu is not zero", a->a_ptr, i);
		w[0] = a->a_tag + (uint32_t)i;
	}
}

static void vmalloc_op(struct soak *s)
{
	struct area *a = &areas[soak_below(s, AREA_SLOTS)];

	if (!a->a_ptr) {
		vmalloc_new(s, a);
		return;
	}
	area_check(s, a);
	vfree(a->a_ptr);
	a->a_ptr = NULL;
}

static void vmalloc_soak_check(struct soak *s)
{
	unsigned long live = 0;

	for (unsigned i = 0; i < AREA_SLOTS; i++) {
		if (areas[i].a_ptr) {
			area_check(s, &areas[i]);
			live++;
		}
	}
	if (vmalloc_nr_areas() != areas_at_start + live)
		soak_problem(s, "%u vmalloc areas, the model expects %lu", vmalloc_nr_areas(),
			     areas_at_start + live);
	soak_checker(s, "buddy_check", buddy_check());
}

static void vmalloc_finish(struct soak *s)
{
	(void)s;
	for (unsigned i = 0; i < AREA_SLOTS; i++) {
		vfree(areas[i].a_ptr);
		areas[i].a_ptr = NULL;
	}
}

const struct soak_mix soak_vmalloc_mix = {
	.name = "vmalloc",
	.start = vmalloc_start,
	.op = vmalloc_op,
	.check = vmalloc_soak_check,
	.finish = vmalloc_finish,
};

/* --- address spaces ------------------------------------------------------- */

#define SPACES 4
#define CHUNKS 8
#define CHUNK_ORDER 3
#define CHUNK_PAGES (1u << CHUNK_ORDER)
#define CHUNK_STRIDE 0x200000u /* two chunks to a page table */
#define WINDOW_BASE 0x40000000u

enum chunk_state { C_EMPTY, C_MAPPED, C_ALLOC, C_DEMAND };

struct chunk {
	enum chunk_state c_state;
	struct page *c_frames; /* C_MAPPED: the soak's block of CHUNK_PAGES */
	/* per page: mapped (C_ALLOC always, C_DEMAND once touched), and the
	 * word at its start if known (written, or zero) */
	bool c_present[CHUNK_PAGES];
	bool c_known[CHUNK_PAGES];
	uint32_t c_word[CHUNK_PAGES];
};

static struct space {
	struct addr_space *sp_as;
	struct chunk sp_chunks[CHUNKS];
} spaces[SPACES];

static vaddr_t page_va(unsigned c, unsigned i)
{
	return WINDOW_BASE + c * CHUNK_STRIDE + i * PAGE_SIZE;
}

static void chunk_reset(struct chunk *ch)
{
	memset(ch, 0, sizeof(*ch));
}

/* The frames of a chunk the soak mapped go back after the unmap. */
static void chunk_release(struct chunk *ch)
{
	if (ch->c_state == C_MAPPED)
		__free_pages(ch->c_frames, CHUNK_ORDER);
	chunk_reset(ch);
}

static void space_destroy(struct space *sp)
{
	vmm_destroy(sp->sp_as);
	sp->sp_as = NULL;
	for (unsigned c = 0; c < CHUNKS; c++)
		chunk_release(&sp->sp_chunks[c]);
}

/* An error a call may return when memory runs out; anything else is a
 * problem. */
static bool out_of_memory(struct soak *s, int err, const char *what)
{
	if (err == ERR_NO_MEMORY) {
		s->failed++;
		return true;
	}
	soak_problem(s, "%s returned %d", what, err);
	return false;
}

static void chunk_map(struct soak *s, struct space *sp, unsigned c)
{
	struct chunk *ch = &sp->sp_chunks[c];
	struct page *frames = alloc_pages(GFP_KERNEL | __GFP_NOWARN, CHUNK_ORDER);
	int err;

	if (!frames) {
		s->failed++;
		return;
	}
	for (unsigned i = 0; i < CHUNK_PAGES; i++) {
		ch->c_word[i] = soak_rand(s);
		*(uint32_t *)page_address(frames + i) = ch->c_word[i];
		ch->c_present[i] = ch->c_known[i] = true;
	}
	err = vmm_map(sp->sp_as, page_va(c, 0), page_to_phys(frames), CHUNK_PAGES * PAGE_SIZE, VMM_WRITE);
	if (err) {
		__free_pages(frames, CHUNK_ORDER);
		chunk_reset(ch);
		out_of_memory(s, err, "vmm_map");
		return;
	}
	ch->c_state = C_MAPPED;
	ch->c_frames = frames;
}

static void chunk_alloc(struct soak *s, struct space *sp, unsigned c)
{
	static const gfp_t kinds[] = { GFP_KERNEL, GFP_KERNEL | __GFP_ZERO, GFP_HIGHUSER,
				       GFP_HIGHUSER | __GFP_ZERO };
	struct chunk *ch = &sp->sp_chunks[c];
	gfp_t gfp = kinds[soak_below(s, ARRAY_SIZE(kinds))];
	int err = vmm_alloc(sp->sp_as, page_va(c, 0), CHUNK_PAGES * PAGE_SIZE, VMM_WRITE,
			    gfp | __GFP_NOWARN);

	if (err) {
		out_of_memory(s, err, "vmm_alloc");
		return;
	}
	ch->c_state = C_ALLOC;
	for (unsigned i = 0; i < CHUNK_PAGES; i++) {
		ch->c_present[i] = true;
		ch->c_known[i] = (gfp & __GFP_ZERO) != 0;
		ch->c_word[i] = 0;
	}
}

static void chunk_demand(struct soak *s, struct space *sp, unsigned c)
{
	int err = vmm_demand_zero(sp->sp_as, page_va(c, 0), CHUNK_PAGES * PAGE_SIZE, VMM_WRITE);

	if (err) {
		soak_problem(s, "vmm_demand_zero of a free range returned %d", err);
		return;
	}
	sp->sp_chunks[c].c_state = C_DEMAND;
	for (unsigned i = 0; i < CHUNK_PAGES; i++) {
		sp->sp_chunks[c].c_known[i] = true; /* a demand-zero page reads 0 */
		sp->sp_chunks[c].c_word[i] = 0;
	}
}

static void chunk_unmap(struct soak *s, struct space *sp, unsigned c)
{
	int err = vmm_unmap(sp->sp_as, page_va(c, 0), CHUNK_PAGES * PAGE_SIZE);

	if (err)
		soak_problem(s, "vmm_unmap of chunk %u returned %d", c, err);
	chunk_release(&sp->sp_chunks[c]);
}

/* Reads page i of the chunk through the space, checks the word if known,
 * writes a new one.  A demand-zero page that cannot get a frame (out of
 * memory) faults: the probe says so and the page stays untouched. */
static void chunk_touch(struct soak *s, struct space *sp, unsigned c, unsigned i)
{
	struct chunk *ch = &sp->sp_chunks[c];
	volatile uint32_t *w = (volatile uint32_t *)page_va(c, i);
	uint32_t v = soak_rand(s), got;
	int err;

	vmm_switch(sp->sp_as);
	err = probe_read(w, &got);
	if (!err)
		err = probe_write(w, v);
	vmm_switch(&kernel_as);
	if (err && ch->c_state == C_DEMAND && !ch->c_present[i]) {
		s->failed++; /* no frame for the fault */
		return;
	}
	if (err) {
		soak_problem(s, "page %#x of a chunk in state %d faulted", (unsigned)(uintptr_t)w, ch->c_state);
		return;
	}
	if (ch->c_known[i] && got != ch->c_word[i])
		soak_problem(s, "page %#x read %#x, expected %#x", (unsigned)(uintptr_t)w, got, ch->c_word[i]);
	ch->c_present[i] = ch->c_known[i] = true;
	ch->c_word[i] = v;
}

/* Read-only: a write must fault and change nothing; then writable again. */
static void chunk_protect(struct soak *s, struct space *sp, unsigned c)
{
	struct chunk *ch = &sp->sp_chunks[c];
	unsigned i = soak_below(s, CHUNK_PAGES);
	int err = vmm_protect(sp->sp_as, page_va(c, 0), CHUNK_PAGES * PAGE_SIZE, 0);

	if (err) {
		soak_problem(s, "vmm_protect read-only of chunk %u returned %d", c, err);
		return;
	}
	vmm_switch(sp->sp_as);
	err = probe_write((volatile uint32_t *)page_va(c, i), ~ch->c_word[i]);
	vmm_switch(&kernel_as);
	if (err != ERR_FAULT)
		soak_problem(s, "a write to read-only page %#x did not fault", (unsigned)page_va(c, i));
	err = vmm_protect(sp->sp_as, page_va(c, 0), CHUNK_PAGES * PAGE_SIZE, VMM_WRITE);
	if (err)
		soak_problem(s, "vmm_protect writable of chunk %u returned %d", c, err);
}

static void vmm_soak_op(struct soak *s)
{
	struct space *sp = &spaces[soak_below(s, SPACES)];
	unsigned c = soak_below(s, CHUNKS);
	struct chunk *ch = &sp->sp_chunks[c];
	uint32_t r = soak_below(s, 100);

	if (!sp->sp_as) {
		sp->sp_as = vmm_create();
		s->failed += !sp->sp_as;
		return;
	}
	if (r < 2) {
		space_destroy(sp);
		return;
	}
	if (ch->c_state == C_EMPTY) {
		if (r < 35)
			chunk_map(s, sp, c);
		else if (r < 70)
			chunk_alloc(s, sp, c);
		else
			chunk_demand(s, sp, c);
	} else if (r < 40) {
		chunk_unmap(s, sp, c);
	} else if (r < 92) {
		chunk_touch(s, sp, c, soak_below(s, CHUNK_PAGES));
	} else {
		chunk_protect(s, sp, c);
	}
}

/* One page against the model: translation, and through the space its
 * word; returns whether the space owns it. */
static bool page_check(struct soak *s, struct space *sp, unsigned c, unsigned i)
{
	const struct chunk *ch = &sp->sp_chunks[c];
	vaddr_t va = page_va(c, i);
	paddr_t pa;
	uint32_t flags, got;
	int err = vmm_translate(sp->sp_as, va, &pa, &flags);
	bool present = ch->c_state != C_EMPTY && ch->c_present[i];

	if (present != (err == 0)) {
		soak_problem(s, "page %#x of a chunk in state %d: translate says %d", (unsigned)va, ch->c_state,
			     err);
		return false;
	}
	if (!present)
		return false;
	if (ch->c_state == C_MAPPED && pa != page_to_phys(ch->c_frames + i))
		soak_problem(s, "page %#x maps %#llx, not the soak's frame %#llx", (unsigned)va, pa,
			     page_to_phys(ch->c_frames + i));
	if (!(flags & PTE_RW))
		soak_problem(s, "page %#x is not writable", (unsigned)va);
	if (ch->c_known[i]) {
		vmm_switch(sp->sp_as);
		err = probe_read((const volatile void *)va, &got);
		vmm_switch(&kernel_as);
		if (err || got != ch->c_word[i])
			soak_problem(s, "page %#x reads %#x (error %d), expected %#x", (unsigned)va, got, err,
				     ch->c_word[i]);
	}
	return ch->c_state != C_MAPPED;
}

static void vmm_soak_check(struct soak *s)
{
	for (unsigned k = 0; k < SPACES; k++) {
		struct space *sp = &spaces[k];
		unsigned long owned = 0;
		if (!sp->sp_as)
			continue;
		for (unsigned c = 0; c < CHUNKS; c++)
			for (unsigned i = 0; i < CHUNK_PAGES; i++)
				owned += page_check(s, sp, c, i);
		if (owned != sp->sp_as->as_owned_pages)
			soak_problem(s, "space %u owns %lu frames, the model expects %lu", k,
				     sp->sp_as->as_owned_pages, owned);
	}
	soak_checker(s, "buddy_check", buddy_check());
}

static bool vmm_soak_start(struct soak *s)
{
	(void)s;
	memset(spaces, 0, sizeof(spaces));
	return true;
}

static void vmm_soak_finish(struct soak *s)
{
	(void)s;
	for (unsigned k = 0; k < SPACES; k++)
		if (spaces[k].sp_as)
			space_destroy(&spaces[k]);
}

const struct soak_mix soak_vmm_mix = {
	.name = "vmm",
	.start = vmm_soak_start,
	.op = vmm_soak_op,
	.check = vmm_soak_check,
	.finish = vmm_soak_finish,
};

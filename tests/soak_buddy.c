/*
 * The buddy allocator's soak mix: blocks of every order and every kind of
 * request (GFP_KERNEL, GFP_DMA, HIGHMEM, zeroed), held in slots and freed
 * in random order.  Each block carries its tag in the first word of its
 * first frame (written through mm_map_frame, so HIGHMEM blocks too), its
 * complement in the last word of its last frame: a block handed out twice,
 * or overlapping another, shows as a tag overwritten.
 */
#include "tests/soak.h"
#include "tests/frames_util.h"
#include "mm/buddy.h"

#define SLOTS 256

static struct block {
	struct page *b_page;
	unsigned b_order;
	uint32_t b_tag;
} blocks[SLOTS];

/* Mostly single frames, as a kernel asks for them; now and then a large
 * block, up to 4 MiB. */
static unsigned random_order(struct soak *s)
{
	uint32_t r = soak_below(s, 100);

	if (r < 60)
		return 0;
	if (r < 80)
		return 1;
	if (r < 90)
		return 2 + soak_below(s, 2);
	if (r < 97)
		return 4 + soak_below(s, 3);
	return 7 + soak_below(s, MAX_ORDER - 7);
}

static gfp_t random_gfp(struct soak *s)
{
	static const gfp_t kinds[] = {
		GFP_KERNEL, GFP_KERNEL, GFP_KERNEL, GFP_KERNEL | __GFP_ZERO,
		GFP_DMA, GFP_HIGHUSER, GFP_HIGHUSER, GFP_HIGHUSER | __GFP_ZERO,
	};

	return kinds[soak_below(s, ARRAY_SIZE(kinds))];
}

#define LAST_WORD (MM_PAGE_SIZE / 4 - 1)

static void write_word(struct page *p, unsigned i, uint32_t v)
{
	uint32_t *w = mm_map_frame(page_to_phys(p));

	w[i] = v;
	mm_unmap_frame(w);
}

static uint32_t read_word(struct page *p, unsigned i)
{
	uint32_t *w = mm_map_frame(page_to_phys(p)), v = w[i];

	mm_unmap_frame(w);
	return v;
}

static bool tag_intact(struct soak *s, const struct block *b)
{
	struct page *last = b->b_page + (1u << b->b_order) - 1;
	uint32_t first = read_word(b->b_page, 0), end = read_word(last, LAST_WORD);

	if (first == b->b_tag && end == ~b->b_tag)
		return true;
	soak_problem(s, "block pfn %#x order %u: tags %#x %#x, expected %#x %#x", page_to_pfn(b->b_page),
		     b->b_order, first, end, b->b_tag, ~b->b_tag);
	return false;
}

/* What the contract promises of a block just allocated with gfp. */
static void check_new(struct soak *s, struct page *p, unsigned order, gfp_t gfp)
{
	pfn_t pfn = page_to_pfn(p);

	if (pfn & ((1u << order) - 1))
		soak_problem(s, "block pfn %#x of order %u is not aligned to its size", pfn, order);
	if ((gfp & __GFP_DMA) && pfn + (1u << order) > DMA_LIMIT_PFN)
		soak_problem(s, "GFP_DMA block pfn %#x order %u lies above 16 MiB", pfn, order);
	if (!(gfp & __GFP_HIGHMEM) && page_zone_id(p) == ZONE_HIGHMEM)
		soak_problem(s, "block pfn %#x came from HIGHMEM without __GFP_HIGHMEM", pfn);
	if ((gfp & __GFP_ZERO) && !frames_all_zero(p, order))
		soak_problem(s, "__GFP_ZERO block pfn %#x order %u is not zero", pfn, order);
}

/* Now and then the DMA zone runs dry: every GFP_DMA block handed out on the
 * way must still lie below 16 MiB (no falling back to another zone), and
 * the next GFP_DMA request fails; then everything goes back. */
static void exhaust_dma(struct soak *s)
{
	struct list_node taken = LIST_HEAD_INIT(taken);
	struct list_node *pos;

	frames_take_all(GFP_DMA, &taken);
	list_for_each(pos, &taken) {
		struct page *p = list_entry(pos, struct page, lru);
		check_new(s, p, (unsigned)p->private_[0], GFP_DMA);
	}
	if (!frames_none_left(GFP_DMA))
		soak_problem(s, "GFP_DMA still succeeds after the DMA zone was taken whole");
	frames_give_back(&taken);
}

static bool buddy_start(struct soak *s)
{
	(void)s;
	memset(blocks, 0, sizeof(blocks));
	return true;
}

static void buddy_op(struct soak *s)
{
	struct block *b = &blocks[soak_below(s, SLOTS)];
	unsigned order;
	gfp_t gfp;

	if (soak_below(s, 1000) == 0)
		buddy_drain_hot(); /* the hot lists' frames back into the free areas */
	if (soak_below(s, 20000) == 0)
		exhaust_dma(s);
	if (b->b_page) {
		tag_intact(s, b);
		__free_pages(b->b_page, b->b_order);
		b->b_page = NULL;
		return;
	}
	order = random_order(s);
	gfp = random_gfp(s);
	b->b_page = alloc_pages(gfp | __GFP_NOWARN, order);
	if (!b->b_page) {
		s->failed++;
		return;
	}
	check_new(s, b->b_page, order, gfp);
	b->b_order = order;
	b->b_tag = soak_rand(s);
	write_word(b->b_page, 0, b->b_tag);
	write_word(b->b_page + (1u << order) - 1, LAST_WORD, ~b->b_tag);
}

static void buddy_soak_check(struct soak *s)
{
	for (unsigned i = 0; i < SLOTS; i++)
		if (blocks[i].b_page)
			tag_intact(s, &blocks[i]);
	soak_checker(s, "buddy_check", buddy_check());
}

static void buddy_finish(struct soak *s)
{
	(void)s;
	for (unsigned i = 0; i < SLOTS; i++) {
		if (blocks[i].b_page)
			__free_pages(blocks[i].b_page, blocks[i].b_order);
		blocks[i].b_page = NULL;
	}
}

const struct soak_mix soak_buddy_mix = {
	.name = "buddy",
	.start = buddy_start,
	.op = buddy_op,
	.check = buddy_soak_check,
	.finish = buddy_finish,
};

/*
 * Looking at the slab allocator: statistics, slabinfo, object look-up and
 * kmem_cache_check(), the invariant sweep run after every self-test.
 */
#include "mm/slab_internal.h"
#include "mm/report.h"

const char *kmem_cache_name(const struct kmem_cache *c)
{
	if (!slab_cache_check_handle(c, "kmem_cache_name", MM_CALLER()))
		return "(not a cache)";
	return c->c_name;
}

unsigned kmem_cache_size(const struct kmem_cache *c)
{
	if (!slab_cache_check_handle(c, "kmem_cache_size", MM_CALLER()))
		return 0;
	return c->c_size;
}

static unsigned long list_length(const struct list_node *list)
{
	const struct list_node *pos;
	unsigned long n = 0;

	for (pos = list->next; pos != list; pos = pos->next)
		n++;
	return n;
}

/* kmem_cache_info without the checks (every cache on the list). */
static void cache_info_unchecked(const struct kmem_cache *c, struct slab_info *out)
{
	struct kmem_cache *cc = (struct kmem_cache *)c;
	mm_irqflags_t flags = mm_lock(&cc->c_lock);
	unsigned long slab_bytes = (unsigned long)MM_PAGE_SIZE << c->c_order;
	unsigned long depot, cached = slab_cpu_objects(c, &depot);

	out->cache = c;
	out->name = c->c_name;
	/* objects in arrays and magazines are free (a racy count of other
	 * CPUs' arrays: exact when they are quiet) */
	out->active_objs = c->c_active - MIN(cached, c->c_active);
	out->total_objs = c->c_slabs * c->c_per_slab;
	out->object_size = c->c_size;
	out->stride = c->c_stride;
	out->objs_per_slab = c->c_per_slab;
	out->pages_per_slab = 1u << c->c_order;
	out->slabs = c->c_slabs;
	out->empty_slabs = c->c_nr_empty;
	out->quarantined_slabs = c->c_nr_quarantined;
	out->array_objs = cached - depot;
	out->depot_objs = depot;
	out->depot_magazines = c->c_depot_nr_full + c->c_depot_nr_empty;
	out->array_limit = c->c_array_limit;
	out->lock_acquired = mm_lock_acquisitions(&cc->c_lock);
	out->lock_waits = mm_lock_waits(&cc->c_lock);
	out->partial_slabs = list_length(&c->c_partial);
	out->full_slabs = list_length(&c->c_full);
	out->waste_permille = (unsigned)((slab_bytes - (unsigned long)c->c_per_slab *
					  c->c_size) * 1000 / slab_bytes);
	out->flags = c->c_flags;
	mm_unlock(&cc->c_lock, flags);
}

void kmem_cache_info(const struct kmem_cache *c, struct slab_info *out)
{
	uintptr_t caller = MM_CALLER();

	if (!out) {
		mm_report_call(REPORT_INVALID_ARG, 0, "kmem_cache_info", caller,
			       "a NULL struct slab_info to fill");
		return;
	}
	if (!slab_cache_check_handle(c, "kmem_cache_info", caller)) {
		memset(out, 0, sizeof(*out));
		out->name = "(not a cache)";
		return;
	}
	cache_info_unchecked(c, out);
}

struct info_req {
	struct slab_info *out;
	unsigned max, n;
};

static void info_one(struct kmem_cache *c, void *arg)
{
	struct info_req *req = arg;

	if (req->n < req->max)
		cache_info_unchecked(c, &req->out[req->n]);
	req->n++;
}

unsigned slab_get_info(struct slab_info *out, unsigned max)
{
	struct info_req req = { out, max, 0 };

	if (!out && max) {
		mm_report_call(REPORT_INVALID_ARG, 0, "slab_get_info", MM_CALLER(),
			       "a NULL array for %u entries", max);
		return 0;
	}
	slab_for_each_cache(info_one, &req);
	return req.n;
}

static void print_one(struct kmem_cache *c, void *arg)
{
	struct slab_info si;

	(void)arg;
	cache_info_unchecked(c, &si);
	mm_printf("%-20s %8lu %8lu %7u %8u %6u %6lu %3u.%u%% %6lu %6lu %6u\n", si.name,
		  si.active_objs, si.total_objs, si.object_size, si.objs_per_slab,
		  si.pages_per_slab, si.slabs, si.waste_permille / 10, si.waste_permille % 10,
		  si.array_objs, si.depot_objs, si.array_limit);
}

static void print_quarantined(struct kmem_cache *c, void *arg)
{
	struct slab_info si;

	(void)arg;
	cache_info_unchecked(c, &si);
	if (si.quarantined_slabs)
		mm_printf("%s: %lu slab(s) quarantined (a corrupted free list; their memory is kept out of use)\n",
			  si.name, si.quarantined_slabs);
}

void slab_print_info(void)
{
	mm_printf("slabinfo (waste: bytes of a slab not holding objects%s;\n"
		  "  cpus: free objects in the CPUs' arrays, depot: in the depot's magazines)\n",
		  slab_debug_enabled() ? "; debug areas count as waste" : "");
	mm_printf("%-20s %8s %8s %7s %8s %6s %6s %6s %6s %6s %6s\n", "name", "active",
		  "total", "objsize", "obj/slab", "pages", "slabs", "waste", "cpus", "depot",
		  "limit");
	slab_for_each_cache(print_one, NULL);
	slab_for_each_cache(print_quarantined, NULL);
}

struct kmem_cache *slab_find_object(const void *addr, void **start)
{
	struct page *page = slab_page_of(addr);
	struct kmem_cache *c;
	uintptr_t slots, off, obj;

	if (!page)
		return NULL;
	c = page->s_cache;
	slots = slab_first_obj(c, page) - c->c_obj_off;
	if ((uintptr_t)addr < slots)
		return NULL;
	off = (uintptr_t)addr - slots;
	if (off / c->c_stride >= c->c_per_slab)
		return NULL;
	obj = slots + off - off % c->c_stride + c->c_obj_off;
	if (start)
		*start = (void *)obj;
	return c;
}

/* --- the invariant checker ------------------------------------------------ */

static bool count_one(void *obj, void *arg)
{
	(void)obj;
	++*(unsigned long *)arg;
	return false;
}

static unsigned corrupt(struct kmem_cache *c, const struct page *page,
			const char *what)
{
	mm_report(REPORT_CORRUPTION, (uintptr_t)page_address(page),
		  "slab of cache %s (pfn %#x, %u in use): %s", c->c_name,
		  (unsigned)page_to_pfn(page), page->s_inuse, what);
	return 1;
}

/* Walks a slab's free list, checking every link and mark (a corrupt list
 * is reported and the slab quarantined); then its length must match the
 * use count. */
static unsigned check_freelist(struct kmem_cache *c, struct page *page)
{
	unsigned long n = 0;

	if (__slab_walk_free(c, page, count_one, &n) < 0)
		return 1;
	if (n != c->c_per_slab - page->s_inuse)
		return corrupt(c, page, "free list length disagrees with the use count");
	return 0;
}

static unsigned check_objects(struct kmem_cache *c, struct page *page)
{
	uintptr_t first = slab_first_obj(c, page);
	unsigned problems = 0, free_objs = 0;

	for (unsigned i = 0; i < c->c_per_slab; i++) {
		void *obj = (void *)(first + (uintptr_t)i * c->c_stride);
		free_objs += slab_track_at(page, i)->t_free.f_mark == SLAB_MARK_ON_SLAB;
		problems += debug_check_object(c, page, obj);
	}
	if (free_objs != c->c_per_slab - page->s_inuse)
		problems += corrupt(c, page, "free records disagree with the use count");
	return problems;
}

static unsigned check_slab(struct kmem_cache *c, struct page *page,
			   unsigned min_inuse, unsigned max_inuse)
{
	unsigned problems;

	if ((page->flags & SLAB_KEY_MASK) != c->c_key ||
	    page_order(page) != c->c_order || page->s_cache != c)
		return corrupt(c, page, "head page is not a slab of this cache");
	if (page->s_inuse < min_inuse || page->s_inuse > max_inuse)
		return corrupt(c, page, "on the wrong list for its use count");
	problems = check_freelist(c, page);
	if (!problems && cache_debug(c))
		problems += check_objects(c, page);
	return problems;
}

/* Checks every slab of a list; a slab that the check quarantines leaves
 * the list (and the counts) as it goes. */
static unsigned check_list(struct kmem_cache *c, struct list_node *list,
			   unsigned lo, unsigned hi, unsigned long *slabs,
			   unsigned long *inuse)
{
	struct list_node *pos = list->next;
	unsigned problems = 0;

	while (pos != list) {
		struct page *page = list_entry(pos, struct page, lru);
		pos = pos->next;
		problems += check_slab(c, page, lo, hi);
		if (slab_quarantined(page))
			continue;
		(*slabs)++;
		*inuse += page->s_inuse;
	}
	return problems;
}

/*
 * The cache's lists and counters under its lock, so that other CPUs may
 * go on allocating; each CPU's arrays by that CPU, and the depot
 * (slab_cpu_check), before.
 */
static unsigned cache_check_unchecked(struct kmem_cache *c)
{
	unsigned problems = slab_cpu_check(c), n = c->c_per_slab;
	mm_irqflags_t flags = mm_lock(&c->c_lock);
	unsigned long slabs = 0, inuse = 0, empty = 0;

	problems += check_list(c, &c->c_empty, 0, 0, &empty, &inuse);
	problems += check_list(c, &c->c_partial, 1, n - 1, &slabs, &inuse);
	problems += check_list(c, &c->c_full, n, n, &slabs, &inuse);
	if (empty != c->c_nr_empty || slabs + empty != c->c_slabs ||
	    inuse != c->c_active) {
		mm_report(REPORT_CORRUPTION, (uintptr_t)c,
			  "cache %s: counters (%lu slabs, %lu empty, %lu objects) disagree with the lists (%lu, %lu, %lu)",
			  c->c_name, c->c_slabs, c->c_nr_empty, c->c_active,
			  slabs + empty, empty, inuse);
		problems++;
	}
	mm_unlock(&c->c_lock, flags);
	slab_after_quarantine(c); /* the check quarantines what it finds broken */
	return problems;
}

unsigned kmem_cache_check(struct kmem_cache *c)
{
	if (!slab_cache_check_handle(c, "kmem_cache_check", MM_CALLER()))
		return 1;
	return cache_check_unchecked(c);
}

static void check_one(struct kmem_cache *c, void *problems)
{
	*(unsigned *)problems += cache_check_unchecked(c);
}

unsigned slab_check(void)
{
	unsigned problems = 0;

	slab_for_each_cache(check_one, &problems);
	return problems;
}

static bool is_target(void *obj, void *target)
{
	return obj == target;
}

bool kmem_object_is_free(const struct kmem_cache *c, const void *obj)
{
	struct page *page = slab_page_of(obj);
	struct kmem_cache *cc = (struct kmem_cache *)c;
	mm_irqflags_t flags;
	bool is_free;

	if (!page || page->s_cache != c || slab_index(c, page, obj) < 0)
		return false;
	flags = mm_lock(&cc->c_lock);
	if (slab_quarantined(page))
		is_free = slab_free_rec(c, page, (void *)obj)->f_mark == SLAB_MARK_ON_SLAB;
	else
		is_free = __slab_cpu_holds(cc, obj) ||
			  __slab_walk_free(cc, page, is_target, (void *)obj) == 1;
	mm_unlock(&cc->c_lock, flags);
	slab_after_quarantine(cc);
	return is_free;
}

bool kmem_object_callers(const struct kmem_cache *c, const void *obj,
			 uintptr_t *alloc_by, uintptr_t *free_by)
{
	struct page *page = slab_page_of(obj);
	const struct slab_track *t;

	/* the page first: c is read only if obj is in one of its slabs */
	if (!page || page->s_cache != c || !cache_debug(c) ||
	    slab_index(c, page, obj) < 0)
		return false;
	t = debug_track((struct kmem_cache *)c, page, obj);
	if (!t)
		return false;
	*alloc_by = t->t_alloc_by;
	*free_by = t->t_free_by;
	return true;
}

struct page *slab_page_of(const void *addr)
{
	struct page *page = virt_to_page_checked(addr);

	if (!page)
		return NULL;
	page = compound_head(page);
	return page_is_slab(page) ? page : NULL;
}

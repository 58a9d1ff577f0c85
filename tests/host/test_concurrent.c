/*
 * The portable allocators on several CPUs at once, under ThreadSanitizer.
 *
 * Theory of operation
 * -------------------
 * The host platform (tests/host/platform_host.c) makes each thread a CPU:
 * "interrupts off" is holding that CPU's mutex, the allocators' locks are
 * mutexes, and a cross-CPU call takes each CPU's mutex in turn.  So every
 * exclusion the allocators rely on -- a lock, a CPU's own critical
 * section, a function run on another CPU -- is a pthread operation
 * ThreadSanitizer follows, and every access they make is instrumented
 * (this program and the mm sources are built with -fsanitize=thread,
 * tests/host/host.mk).  Two accesses to the same memory from two threads,
 * one a write, not ordered by any of these, is a data race: TSan prints
 * it, with both stacks, and ends the program with status 66
 * (__tsan_default_options below); a lock-order inversion between the
 * allocators' locks is reported the same way.
 *
 * NR_THREADS threads, each its own CPU, each run a seeded mix (the same
 * sequence of choices on every run; the interleaving differs) of:
 *  - pages: alloc_pages/__free_pages of orders 0-3 (the per-CPU lists)
 *    and 4-7 (the zones), from every zone (GFP_DMA, GFP_KERNEL,
 *    __GFP_HIGHMEM), some zeroed, some through __get_free_pages;
 *  - slab caches shared by all threads: with and without constructors,
 *    tiled, DMA, one debug cache (no arrays), and caches given the
 *    array limits the others lack, so that every limit from
 *    SLAB_MAG_LIMIT_MIN to SLAB_MAG_LIMIT_MAX is someone's (checked first);
 *  - kmalloc, kzalloc, krealloc and kfree of sizes across every class
 *    and large blocks;
 *  - a free-list heap shared by all threads, growing from the buddy.
 * Every object is painted with a byte of its own when handed out and
 * checked when freed (a constructed object: its constructed bytes checked
 * on allocation and restored before the free), so two threads given the
 * same memory is a wrong byte, if TSan has not already seen the race.
 * About a quarter of the frees are handed to another thread through its
 * inbox (a ring under a mutex) and freed there: on another CPU than the
 * allocation, into that CPU's page lists and magazines.  Every
 * MAINT_EVERY operations a thread runs, in turn, kmem_cache_drain,
 * kmem_cache_shrink, kmem_shrink_all, buddy_drain_hot (cross-CPU calls)
 * or one of the checkers -- buddy_check, slab_check, kmalloc_check,
 * freelist_check -- while the other threads go on allocating; each must
 * find nothing.  Once in the run each thread in turn takes every block
 * of HOG_ORDER it can get and holds them for HOG_OPS operations: its last
 * request, and many of the others' meanwhile, find no memory, each after
 * the buddy has reclaimed every CPU's caches (a cross-CPU call from the
 * allocation path).
 *
 * At the end (the threads joined, every object freed): after
 * kmem_shrink_all and buddy_drain_hot every checker is clean, every
 * cache is empty, the buddy has exactly the free frames it had before the
 * threads started, and no misuse was reported.  A second run, in a child
 * process, does the same with slab debugging on for every cache (red
 * zones, poison and caller records checked while other CPUs allocate).
 *
 * What it cannot see: TSan finds the races of the interleavings this run
 * happens to take (every access is watched, but two of them must meet);
 * and a READ_ONCE is a racy look by design, not counted (lib/atomic.h).
 * Arguments, to look further: a seed and the operations per thread.
 */
#include "tests/host/platform_host.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "mm/freelist.h"
#include "mm/report.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every report stops the run with a status the runner sees (66). */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:exitcode=66:second_deadlock_stack=1";
}

#define NR_THREADS 4
#define FRAMES 16384u /* 64 MiB */
#define DIRECT_FRAMES 14336u /* the last 8 MiB are HIGHMEM */
#define LIVE_MAX 320 /* objects a thread holds at most */
#define MAINT_EVERY 500 /* operations between maintenance calls */
#define INBOX_SLOTS 128
#define PHASE 1000 /* operations between growing and shrinking */
#define HOG_ORDER 4 /* the blocks a thread takes to run the machine dry */
#define HOG_MAX (FRAMES >> HOG_ORDER)
#define HOG_OPS 300 /* operations it holds them for */
#define PAINT 16 /* bytes painted at each end of an object or frame */
#define CTOR_BYTES 32 /* bytes a constructor sets (no cache is smaller) */
#define CTOR_BYTE 0x3c

/* --- the shared caches ------------------------------------------------------ */

static void ctor(void *obj)
{
	memset(obj, CTOR_BYTE, CTOR_BYTES);
}

struct cache_def {
	const char *name;
	size_t size;
	unsigned flags;
	bool ctor;
	struct kmem_cache *c;
};

/*
 * The caches of every kind: constructors (the free record after the
 * object), a tiled one, cache-line alignment, DMA slabs, order-1 slabs
 * (the 1500-byte one), a debug one (no arrays).  Then, at set-up, one
 * for each array limit (SLAB_MAG_LIMIT_MIN..MAX, set on objects of about 8
 * KiB / limit) that neither these nor the kmalloc classes have
 * (limit_caches).
 */
#define NR_SPECIAL 8
static struct cache_def caches[NR_SPECIAL + SLAB_MAG_LIMIT_MAX] = {
	{ "conc-40-ctor", 40, 0, true, NULL },
	{ "conc-64-tiled", 64, 0, false, NULL },
	{ "conc-520-ctor", 520, 0, true, NULL },
	{ "conc-700-hw", 700, SLAB_HWCACHE_ALIGN, false, NULL },
	{ "conc-872-ctor", 872, 0, true, NULL },
	{ "conc-1100-dma", 1100, SLAB_CACHE_DMA, false, NULL },
	{ "conc-1500-ctor", 1500, 0, true, NULL },
	{ "conc-136-debug", 136, SLAB_DEBUG, false, NULL },
};
static unsigned nr_caches = NR_SPECIAL;
static char limit_names[SLAB_MAG_LIMIT_MAX + 1][SLAB_NAME_MAX];

/* --- the shared heap, growing from the buddy -------------------------------- */

static void *heap_get_pages(void *ctx, size_t *pages)
{
	unsigned order = 0;
	struct page *page;

	(void)ctx;
	while (((size_t)1 << order) < *pages)
		order++;
	page = order < MAX_ORDER ? alloc_pages(GFP_KERNEL, order) : NULL;
	if (!page)
		return NULL;
	*pages = (size_t)1 << order;
	return page_address(page);
}

static void heap_put_pages(void *ctx, void *addr, size_t pages)
{
	unsigned order = 0;

	(void)ctx;
	while (((size_t)1 << order) < pages)
		order++;
	__free_pages(virt_to_page(addr), order);
}

static const struct freelist_page_source heap_source = {
	.get_pages = heap_get_pages, .put_pages = heap_put_pages, .ctx = NULL,
};
static struct freelist heap;

/* --- objects ------------------------------------------------------------------ */

enum kind { K_PAGES, K_CACHE, K_KMALLOC, K_HEAP, K_KINDS };
static const char *const kind_names[K_KINDS] = { "page blocks", "cache objects",
						 "kmalloc blocks", "heap chunks" };

struct obj {
	uint8_t kind;
	uint8_t idx; /* K_PAGES: the order; K_CACHE: the cache */
	uint8_t fill;
	uint8_t from; /* the thread that allocated it */
	uint32_t size; /* bytes painted (K_KMALLOC, K_HEAP) */
	void *p; /* K_PAGES: the struct page */
};

/* Operation counts of one thread, summed at the end. */
struct counts {
	unsigned long alloc[K_KINDS], freed[K_KINDS];
	unsigned long oom; /* allocations that found no memory */
	unsigned long hogged; /* frames taken to run the machine dry */
	unsigned long zeroed, reallocs, sent, received;
	unsigned long drains, shrinks, shrink_alls, drain_hots;
	unsigned long buddy_checks, slab_checks, kmalloc_checks, heap_checks;
	unsigned long problems; /* found by the checkers */
};

struct thread {
	pthread_t tid;
	unsigned cpu;
	uint64_t rng;
	struct counts n;
	struct obj live[LIVE_MAX];
	unsigned nr_live;
	struct page *hog[HOG_MAX];
	unsigned nr_hog;
};

/* Another thread's objects to free: a ring under a mutex. */
struct inbox {
	pthread_mutex_t lock;
	unsigned head, count;
	struct obj ring[INBOX_SLOTS];
};

static struct thread threads[NR_THREADS];
static struct inbox inboxes[NR_THREADS];
static pthread_barrier_t all_done;
static unsigned long ops_per_thread;
static unsigned long failures; /* atomic */

/* In the child that makes the debug run: its results are comments, and
 * its exit status is the parent's one result for it. */
static bool in_child;
static unsigned child_failed;

static __printf(2, 3) void result(bool ok, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!in_child) {
		tap_ok(ok, "%s", msg);
		return;
	}
	child_failed += !ok;
	printf("#   %s - %s\n", ok ? "ok" : "not ok", msg);
}

static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	fprintf(stderr, "CPU %u: ", mm_cpu_id());
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

static uint32_t rnd(struct thread *t)
{
	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 7;
	t->rng ^= t->rng << 17;
	return (uint32_t)(t->rng >> 16);
}

/* Paints (or checks) the first and last `PAINT` bytes of [p, p + n). */
static void paint(uint8_t *p, size_t n, uint8_t fill)
{
	memset(p, fill, MIN(n, (size_t)PAINT));
	if (n > PAINT)
		memset(p + n - MIN(n - PAINT, (size_t)PAINT), fill, MIN(n - PAINT, (size_t)PAINT));
}

static bool painted(const uint8_t *p, size_t n, uint8_t fill)
{
	size_t head = MIN(n, (size_t)PAINT), tail = n > PAINT ? MIN(n - PAINT, (size_t)PAINT) : 0;

	for (size_t i = 0; i < head; i++)
		if (p[i] != fill)
			return false;
	for (size_t i = n - tail; i < n; i++)
		if (p[i] != fill)
			return false;
	return true;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* The frames of a block, HIGHMEM ones too (the host maps every frame). */
static uint8_t *frame_va(struct page *page, unsigned i)
{
	return mm_phys_to_virt(page_to_phys(page + i));
}

/* A cache object's bytes that are the owner's: past the constructed
 * state when the cache has a constructor. */
static uint8_t *cache_bytes(const struct obj *o, size_t *n)
{
	const struct cache_def *d = &caches[o->idx];
	size_t skip = d->ctor ? CTOR_BYTES : 0;

	*n = d->size - skip;
	return (uint8_t *)o->p + skip;
}

/* --- allocation ------------------------------------------------------------- */

static bool alloc_pages_op(struct thread *t, struct obj *o)
{
	static const gfp_t zone_gfp[] = { GFP_KERNEL, GFP_KERNEL, __GFP_HIGHMEM, GFP_DMA };
	uint32_t r = rnd(t);
	unsigned order = r % 100 < 80 ? r % 4 : 4 + r % 4;
	gfp_t gfp = zone_gfp[(r >> 8) % 4];
	bool zero = (r >> 12) % 8 == 0;
	struct page *page;

	if ((r >> 16) % 4 == 0 && !(gfp & __GFP_HIGHMEM)) {
		uintptr_t va = __get_free_pages(gfp | (zero ? __GFP_ZERO : 0), order);
		page = va ? virt_to_page((void *)va) : NULL;
	} else if (order == 0 && gfp == GFP_KERNEL && !zero) {
		page = alloc_page(GFP_KERNEL); /* the constant-flags fast path */
	} else {
		page = alloc_pages(gfp | (zero ? __GFP_ZERO : 0), order);
	}
	if (!page)
		return false;
	if (zero) {
		t->n.zeroed++;
		for (unsigned i = 0; i < (1u << order); i++)
			if (!all_bytes(frame_va(page, i), 256, 0))
				fail("a __GFP_ZERO block of order %u is not zeroed (frame %u)", order, i);
	}
	o->p = page;
	o->idx = (uint8_t)order;
	for (unsigned i = 0; i < (1u << order); i++)
		paint(frame_va(page, i), MM_PAGE_SIZE, o->fill);
	return true;
}

static bool alloc_cache_op(struct thread *t, struct obj *o)
{
	unsigned i = rnd(t) % nr_caches;
	const struct cache_def *d = &caches[i];
	size_t n;
	uint8_t *bytes;

	o->p = kmem_cache_alloc(d->c, GFP_KERNEL);
	if (!o->p)
		return false;
	o->idx = (uint8_t)i;
	if (d->ctor && !all_bytes(o->p, CTOR_BYTES, CTOR_BYTE))
		fail("cache %s handed out %p not in its constructed state", d->name, o->p);
	bytes = cache_bytes(o, &n);
	paint(bytes, n, o->fill);
	return true;
}

/* Sizes across every class, now and then a large block. */
static size_t kmalloc_size(struct thread *t)
{
	uint32_t r = rnd(t);

	switch (r % 16) {
	case 0:
		return 0;
	case 1:
		return KMALLOC_MAX_CACHE_SIZE + 1 + (r >> 8) % (60 * 1024);
	case 2: case 3: case 4: case 5:
		return 513 + (r >> 8) % (KMALLOC_MAX_CACHE_SIZE - 512);
	default:
		return 1 + (r >> 8) % 512;
	}
}

static bool alloc_kmalloc_op(struct thread *t, struct obj *o)
{
	size_t size = kmalloc_size(t);
	bool zero = rnd(t) % 8 == 0;

	o->p = zero ? kzalloc(size, GFP_KERNEL) : kmalloc(size, GFP_KERNEL);
	if (!o->p)
		return false;
	if (zero) {
		t->n.zeroed++;
		if (!all_bytes(o->p, MIN(size, (size_t)256), 0))
			fail("kzalloc(%zu) gave bytes that are not zero", size);
	}
	o->size = (uint32_t)size;
	paint(o->p, size, o->fill);
	return true;
}

static bool alloc_heap_op(struct thread *t, struct obj *o)
{
	size_t size = 1 + rnd(t) % 2000;

	o->p = freelist_alloc(&heap, size);
	if (!o->p)
		return false;
	o->size = (uint32_t)size;
	paint(o->p, size, o->fill);
	return true;
}

static void alloc_one(struct thread *t)
{
	uint32_t r = rnd(t) % 100;
	struct obj *o = &t->live[t->nr_live];
	bool ok;

	memset(o, 0, sizeof(*o));
	o->fill = (uint8_t)(rnd(t) | 1);
	o->from = (uint8_t)t->cpu;
	o->kind = r < 25 ? K_PAGES : r < 55 ? K_CACHE : r < 85 ? K_KMALLOC : K_HEAP;
	switch (o->kind) {
	case K_PAGES:
		ok = alloc_pages_op(t, o);
		break;
	case K_CACHE:
		ok = alloc_cache_op(t, o);
		break;
	case K_KMALLOC:
		ok = alloc_kmalloc_op(t, o);
		break;
	default:
		ok = alloc_heap_op(t, o);
		break;
	}
	if (!ok) {
		t->n.oom++;
		return;
	}
	t->n.alloc[o->kind]++;
	t->nr_live++;
}

/* --- freeing ------------------------------------------------------------------ */

/* Checks the object's paint and frees it, on whichever CPU runs this. */
static void free_obj(struct counts *n, const struct obj *o)
{
	size_t bytes_n;
	uint8_t *bytes;

	switch (o->kind) {
	case K_PAGES: {
		struct page *page = o->p;
		for (unsigned i = 0; i < (1u << o->idx); i++)
			if (!painted(frame_va(page, i), MM_PAGE_SIZE, o->fill))
				fail("block of order %u at pfn %#x (from CPU %u): frame %u overwritten",
				     o->idx, page_to_pfn(page), o->from, i);
		__free_pages(page, o->idx);
		break;
	}
	case K_CACHE:
		bytes = cache_bytes(o, &bytes_n);
		if (!painted(bytes, bytes_n, o->fill))
			fail("object %p of %s (from CPU %u) overwritten", o->p,
			     caches[o->idx].name, o->from);
		if (caches[o->idx].ctor && !all_bytes(o->p, CTOR_BYTES, CTOR_BYTE))
			fail("object %p of %s: its constructed bytes changed while in use", o->p,
			     caches[o->idx].name);
		kmem_cache_free(caches[o->idx].c, o->p);
		break;
	case K_KMALLOC:
		if (!painted(o->p, o->size, o->fill))
			fail("kmalloc(%u) block %p (from CPU %u) overwritten", o->size, o->p, o->from);
		kfree(o->p);
		break;
	default:
		if (!painted(o->p, o->size, o->fill))
			fail("heap chunk %p of %u bytes (from CPU %u) overwritten", o->p, o->size, o->from);
		freelist_free(&heap, o->p);
		break;
	}
	n->freed[o->kind]++;
}

/* Hands o to another thread's inbox; false if that one is full. */
static bool send_obj(struct thread *t, const struct obj *o)
{
	unsigned to = (t->cpu + 1 + rnd(t) % (NR_THREADS - 1)) % NR_THREADS;
	struct inbox *in = &inboxes[to];
	bool sent = false;

	pthread_mutex_lock(&in->lock);
	if (in->count < INBOX_SLOTS) {
		in->ring[(in->head + in->count++) % INBOX_SLOTS] = *o;
		sent = true;
	}
	pthread_mutex_unlock(&in->lock);
	t->n.sent += sent;
	return sent;
}

/* Frees what the other threads sent here. */
static void drain_inbox(struct thread *t)
{
	struct inbox *in = &inboxes[t->cpu];
	struct obj got[INBOX_SLOTS];
	unsigned n = 0;

	pthread_mutex_lock(&in->lock);
	while (in->count) {
		got[n++] = in->ring[in->head];
		in->head = (in->head + 1) % INBOX_SLOTS;
		in->count--;
	}
	pthread_mutex_unlock(&in->lock);
	for (unsigned i = 0; i < n; i++)
		free_obj(&t->n, &got[i]);
	t->n.received += n;
}

/* A random live object: freed here, or now and then on another CPU. */
static void free_one(struct thread *t, bool may_send)
{
	unsigned i = rnd(t) % t->nr_live;
	struct obj o = t->live[i];

	t->live[i] = t->live[--t->nr_live];
	if (may_send && rnd(t) % 4 == 0 && send_obj(t, &o))
		return;
	free_obj(&t->n, &o);
}

/* krealloc of a live kmalloc block: the painted head must survive. */
static void realloc_one(struct thread *t)
{
	unsigned i = rnd(t) % t->nr_live;
	struct obj *o = &t->live[i];
	size_t size = 1 + kmalloc_size(t);
	void *q;

	if (o->kind != K_KMALLOC || !o->size)
		return;
	q = krealloc(o->p, size, GFP_KERNEL);
	if (!q) {
		t->n.oom++;
		return;
	}
	if (!all_bytes(q, MIN(MIN(size, (size_t)o->size), (size_t)PAINT), o->fill))
		fail("krealloc(%u -> %zu) lost the block's contents", o->size, size);
	o->p = q;
	o->size = (uint32_t)size;
	paint(q, size, o->fill);
	t->n.reallocs++;
}

/* --- maintenance, while the other threads allocate ---------------------------- */

static struct kmem_cache *any_cache(struct thread *t)
{
	unsigned i = rnd(t) % (nr_caches + KMALLOC_NR_CLASSES);

	return i < nr_caches ? caches[i].c : kmalloc_cache(i - nr_caches);
}

static void checked(struct thread *t, const char *what, unsigned problems)
{
	if (problems) {
		t->n.problems += problems;
		fail("%s found %u problem(s) while the other CPUs allocated", what, problems);
	}
}

static void maintain(struct thread *t, unsigned turn)
{
	switch (turn % 8) {
	case 0:
		kmem_cache_drain(any_cache(t));
		t->n.drains++;
		break;
	case 1:
		kmem_cache_shrink(any_cache(t));
		t->n.shrinks++;
		break;
	case 2:
		kmem_shrink_all();
		t->n.shrink_alls++;
		break;
	case 3:
		buddy_drain_hot();
		t->n.drain_hots++;
		break;
	case 4:
		checked(t, "buddy_check", buddy_check());
		t->n.buddy_checks++;
		break;
	case 5:
		checked(t, "slab_check", slab_check());
		t->n.slab_checks++;
		break;
	case 6:
		checked(t, "kmalloc_check", kmalloc_check());
		t->n.kmalloc_checks++;
		break;
	default:
		checked(t, "freelist_check", freelist_check(&heap));
		t->n.heap_checks++;
		break;
	}
}

/* --- running out of memory ------------------------------------------------------ */

/*
 * Takes every block of HOG_ORDER the buddy can give, the last request
 * failing only after every CPU's caches went back (buddy_reclaim: a
 * cross-CPU call); for HOG_OPS operations of this thread the others then
 * run out of memory too, and reclaim in turn.
 */
static void hog_take(struct thread *t)
{
	struct page *page;

	while (t->nr_hog < HOG_MAX &&
	       (page = alloc_pages(__GFP_HIGHMEM | __GFP_NOWARN, HOG_ORDER)) != NULL)
		t->hog[t->nr_hog++] = page;
	t->n.hogged += (unsigned long)t->nr_hog << HOG_ORDER;
}

static void hog_free(struct thread *t)
{
	while (t->nr_hog)
		__free_pages(t->hog[--t->nr_hog], HOG_ORDER);
}

/* --- a thread ------------------------------------------------------------------ */

static void *run_thread(void *arg)
{
	struct thread *t = arg;

	/* each thread's turn to run the machine dry: one after another */
	unsigned long hog_at = ops_per_thread / (NR_THREADS + 1) * (t->cpu + 1);

	host_set_cpu(t->cpu);
	for (unsigned long i = 0; i < ops_per_thread; i++) {
		bool shrinking = (i / PHASE) & 1;
		uint32_t r = rnd(t) % 100;

		if (i == hog_at)
			hog_take(t);
		else if (i == hog_at + HOG_OPS)
			hog_free(t);
		if (i % MAINT_EVERY == MAINT_EVERY / NR_THREADS * t->cpu)
			maintain(t, (unsigned)(i / MAINT_EVERY) + t->cpu);
		if (i % 64 == t->cpu)
			drain_inbox(t);
		if (t->nr_live && (t->nr_live == LIVE_MAX || r < (shrinking ? 60u : 35u)))
			free_one(t, true);
		else if (t->nr_live && r >= 95)
			realloc_one(t);
		else
			alloc_one(t);
	}
	/* Nobody sends after the barrier: each inbox then holds its last. */
	pthread_barrier_wait(&all_done);
	drain_inbox(t);
	while (t->nr_live)
		free_one(t, false);
	return NULL;
}

/* --- the run ------------------------------------------------------------------- */

/* The array limits of every cache so far, kmalloc's too: bit n for n. */
static uint64_t limits_seen(void)
{
	uint64_t seen = 0;

	for (unsigned i = 0; i < nr_caches + KMALLOC_NR_CLASSES; i++) {
		struct kmem_cache *c = i < nr_caches ? caches[i].c : kmalloc_cache(i - nr_caches);
		struct slab_info si;
		kmem_cache_info(c, &si);
		seen |= 1ull << si.array_limit;
	}
	return seen;
}

/* A cache for each array limit no cache has yet. */
static void limit_caches(void)
{
	uint64_t seen = limits_seen();

	for (unsigned limit = SLAB_MAG_LIMIT_MIN; limit <= SLAB_MAG_LIMIT_MAX; limit++) {
		struct cache_def *d = &caches[nr_caches];
		if ((seen >> limit) & 1)
			continue;
		snprintf(limit_names[limit], SLAB_NAME_MAX, "conc-limit-%u", limit);
		d->name = limit_names[limit];
		d->size = (8192 / limit) & ~7u; /* about the objects of that limit */
		d->c = kmem_cache_create(d->name, d->size, 0, 0, NULL);
		if (d->c && !slab_debug_enabled()) /* a debug cache has no arrays */
			kmem_cache_set_array_limit(d->c, limit);
		nr_caches++;
	}
}

static void machine(bool debug)
{
	static struct page *map;

	host_set_cpus(NR_THREADS);
	host_phys_init((size_t)FRAMES * MM_PAGE_SIZE, (paddr_t)DIRECT_FRAMES * MM_PAGE_SIZE);
	map = calloc(FRAMES, sizeof(*map));
	buddy_init_pages(map, FRAMES, DIRECT_FRAMES);
	buddy_add_range(1, FRAMES);
	kmem_init(debug);
	for (unsigned i = 0; i < nr_caches; i++)
		caches[i].c = kmem_cache_create(caches[i].name, caches[i].size, 0,
						caches[i].flags, caches[i].ctor ? ctor : NULL);
	limit_caches();
	freelist_init(&heap, "concurrent", FREELIST_FIRST_FIT, &heap_source);
	for (unsigned i = 0; i < NR_THREADS; i++)
		pthread_mutex_init(&inboxes[i].lock, NULL);
}

/* Every array limit is some cache's (without debugging: a debug cache has
 * no arrays). */
static void check_limits(void)
{
	uint64_t want = ((2ull << SLAB_MAG_LIMIT_MAX) - 1) & ~((1ull << SLAB_MAG_LIMIT_MIN) - 1);
	uint64_t seen = limits_seen();

	result((seen & want) == want,
	       "set-up: %u caches and the kmalloc classes: their array limits cover %u..%u (seen %#llx)",
	       nr_caches, SLAB_MAG_LIMIT_MIN, SLAB_MAG_LIMIT_MAX, (unsigned long long)seen);
}

static void sum(struct counts *a, const struct counts *b)
{
	const unsigned long *from = (const unsigned long *)b;
	unsigned long *to = (unsigned long *)a;

	for (size_t i = 0; i < sizeof(*a) / sizeof(unsigned long); i++)
		to[i] += from[i];
}

/* Every cache (kmalloc classes too) holds no slab. */
static bool caches_empty(void)
{
	bool empty = true;

	for (unsigned i = 0; i < nr_caches + KMALLOC_NR_CLASSES; i++) {
		struct kmem_cache *c = i < nr_caches ? caches[i].c : kmalloc_cache(i - nr_caches);
		struct slab_info si;
		kmem_cache_info(c, &si);
		if (si.slabs || si.active_objs || si.array_objs || si.depot_objs) {
			fprintf(stderr, "cache %s: %lu slabs, %lu objects in use, %lu in arrays, %lu in the depot\n",
				si.name, si.slabs, si.active_objs, si.array_objs, si.depot_objs);
			empty = false;
		}
	}
	return empty;
}

static void run(const char *label, bool debug, unsigned long ops, uint64_t seed)
{
	unsigned long free0, free1;
	struct counts n = { 0 };
	unsigned b, s, k, h;

	host_set_quiet(!getenv("VERBOSE"));
	machine(debug);
	if (!debug)
		check_limits();
	kmem_shrink_all();
	buddy_drain_hot();
	free0 = buddy_free_pages();
	ops_per_thread = ops;
	pthread_barrier_init(&all_done, NULL, NR_THREADS);
	for (unsigned i = 0; i < NR_THREADS; i++) {
		threads[i].cpu = i;
		threads[i].rng = seed * 0x9E3779B97F4A7C15ull + i + 1;
		pthread_create(&threads[i].tid, NULL, run_thread, &threads[i]);
	}
	for (unsigned i = 0; i < NR_THREADS; i++) {
		pthread_join(threads[i].tid, NULL);
		sum(&n, &threads[i].n);
	}
	host_set_cpu(0);
	printf("# %s: %u CPUs, %lu operations each (seed %#llx)\n", label, NR_THREADS, ops,
	       (unsigned long long)seed);
	for (unsigned k2 = 0; k2 < K_KINDS; k2++)
		printf("#   %-15s %7lu allocated, %7lu freed\n", kind_names[k2], n.alloc[k2], n.freed[k2]);
	printf("#   %lu zeroed, %lu krealloc; %lu handed to another CPU, %lu freed there\n",
	       n.zeroed, n.reallocs, n.sent, n.received);
	printf("#   %lu frames taken in turn to run the machine dry: %lu allocations found no memory\n",
	       n.hogged, n.oom);
	printf("#   meanwhile: %lu kmem_cache_drain, %lu kmem_cache_shrink, %lu kmem_shrink_all, %lu buddy_drain_hot\n",
	       n.drains, n.shrinks, n.shrink_alls, n.drain_hots);
	printf("#   and %lu buddy_check, %lu slab_check, %lu kmalloc_check, %lu freelist_check\n",
	       n.buddy_checks, n.slab_checks, n.kmalloc_checks, n.heap_checks);
	result(!failures, "%s: every object intact from allocation to free, on whichever CPU freed it (%lu problems)",
	       label, failures);
	result(n.problems == 0 && n.buddy_checks && n.slab_checks && n.kmalloc_checks && n.heap_checks,
	       "%s: the checkers ran %lu times while the other CPUs allocated and found nothing",
	       label, n.buddy_checks + n.slab_checks + n.kmalloc_checks + n.heap_checks);
	result(n.sent > 0 && n.sent == n.received,
	       "%s: %lu objects freed on another CPU than the one that allocated them", label, n.received);
	result(n.hogged > 0 && n.oom > 0 && buddy_oom_failures() >= NR_THREADS,
	       "%s: one CPU after another took every block it could: %lu allocations found no memory (the buddy counted %lu failures, each after reclaiming every CPU's caches)",
	       label, n.oom, buddy_oom_failures());
	kmem_shrink_all();
	buddy_drain_hot();
	b = buddy_check();
	s = slab_check();
	k = kmalloc_check();
	h = freelist_check(&heap);
	result(!b && !s && !k && !h, "%s: at the end buddy_check, slab_check, kmalloc_check and freelist_check are clean (%u, %u, %u, %u)",
	       label, b, s, k, h);
	free1 = buddy_free_pages();
	result(free1 == free0 && kmalloc_large_blocks() == 0 && freelist_chunk_count(&heap) == 0 &&
	       caches_empty(),
	       "%s: every object freed: every cache empty, %lu free frames as before the run (%lu)",
	       label, free1, free0);
	result(report_total() == 0, "%s: no misuse reported (%lu)", label, report_total());
}

/* The debug run, in a child: a machine is set up once per process, so
 * before the parent sets up its own. */
static void run_in_child(const char *label, unsigned long ops, uint64_t seed)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		in_child = true;
		run(label, true, ops, seed);
		fflush(stdout);
		_exit(child_failed ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "%s: every check above passed (a child process: exit status %d)", label,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 0xC0C0A;
	unsigned long ops = argc > 2 ? strtoul(argv[2], NULL, 0) : 40000;

	run_in_child("slab debugging", ops / 2, seed + 1);
	run("magazines", false, ops, seed);
	return tap_done();
}

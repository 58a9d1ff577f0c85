/*
 * Slab, kmalloc and task benchmarks (issue 5).  An operation is one call
 * (an alloc or a free, a create or a destroy), so a pair costs twice the
 * figure.  `make bench` boots without `ktest`, so slab debugging is off
 * and these measure the fast paths.
 */
#include "tests/kbench.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "kernel/task.h"
#include "lib/printk.h"

#define PAIRS 10000
#define BATCH 4096
#define WASTE_SLOTS 4096
#define WASTE_STEPS 50000
#define BENCH_SEED 0x5eed5eedu

static void *objs[BATCH];
static uint32_t rand_state;

/* xorshift32: the same sequence on every run. */
static uint32_t bench_rand(void)
{
	uint32_t x = rand_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rand_state = x;
}

static struct kmem_cache *bench_cache(void)
{
	return kmem_cache_create("bench-64", 64, 0, 0, NULL);
}

/*
 * A cache in use: one object stays allocated, so the pair neither empties
 * nor fills its slab and both calls take the fast path.  (With nothing
 * else live, every free would empty the slab and every allocation revive
 * it: two list moves a pair, on the slow paths.)
 */
/*
 * Memory the benchmarks below need, checked before they start: one pair
 * of slab_alloc_free frees what it took, so its first object is the test;
 * a batch holds BATCH objects of 64 bytes (64 frames), and the tasks'
 * pairs a task's stack, directory and objects.
 */
#define BATCH_FRAMES (BATCH * 64 / MM_PAGE_SIZE + 2)
#define TASK_FRAMES 8

/* The bench cache, or NULL having said why the benchmark does not run. */
static struct kmem_cache *bench_cache_for(const char *name, unsigned long frames)
{
	struct kmem_cache *c;

	if (!bench_need_frames(name, frames))
		return NULL;
	c = bench_cache();
	if (!c)
		bench_skip(name, "no memory for its cache");
	return c;
}

KBENCH(slab_alloc_free)
{
	struct kmem_cache *c = bench_cache_for("slab_alloc_free", 2);
	void *keep;
	uint64_t t;

	if (!c)
		return;
	keep = kmem_cache_alloc(c, GFP_KERNEL);
	if (!keep) {
		bench_skip("slab_alloc_free", "no memory for its first object");
		kmem_cache_destroy(c);
		return;
	}
	t = bench_start();
	for (unsigned i = 0; i < PAIRS; i++)
		kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	bench_report("slab_alloc_free", bench_stop(t), 2 * PAIRS, "insn/op");
	kmem_cache_free(c, keep);
	kmem_cache_destroy(c);
}

/* 4096 objects (64 slabs) allocated, then freed in objs[] order. */
static uint64_t batch_round(struct kmem_cache *c)
{
	uint64_t t = bench_start();

	for (unsigned i = 0; i < BATCH; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (unsigned i = 0; i < BATCH; i++)
		kmem_cache_free(c, objs[i]);
	return bench_stop(t);
}

KBENCH(slab_alloc_free_batch)
{
	struct kmem_cache *c = bench_cache_for("slab_alloc_free_batch", BATCH_FRAMES);

	if (!c)
		return;
	bench_report("slab_alloc_free_batch", batch_round(c), 2 * BATCH,
		     "insn/op");
	kmem_cache_destroy(c);
}

/* The same, the frees in a seeded random order (Fisher-Yates between the
 * two halves, kept out of the count). */
KBENCH(slab_alloc_free_batch_random)
{
	struct kmem_cache *c = bench_cache_for("slab_alloc_free_batch_random", BATCH_FRAMES);
	uint64_t t, total;

	if (!c)
		return;
	rand_state = BENCH_SEED;
	t = bench_start();
	for (unsigned i = 0; i < BATCH; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	total = bench_stop(t);
	for (unsigned i = BATCH - 1; i > 0; i--) {
		unsigned j = bench_rand() % (i + 1);
		void *tmp = objs[i];
		objs[i] = objs[j];
		objs[j] = tmp;
	}
	t = bench_start();
	for (unsigned i = 0; i < BATCH; i++)
		kmem_cache_free(c, objs[i]);
	total += bench_stop(t);
	bench_report("slab_alloc_free_batch_random", total, 2 * BATCH, "insn/op");
	kmem_cache_destroy(c);
}

static void kmalloc_pairs(const char *name, size_t size)
{
	void *keep = kmalloc(size, GFP_KERNEL | __GFP_NOWARN); /* as in slab_alloc_free */
	void *first = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
	uint64_t t;

	kfree(first); /* what each pair will take and give back */
	if (!keep || !first) {
		kfree(keep);
		bench_skip(name, "no memory for two objects of %zu bytes", size);
		return;
	}
	t = bench_start();

	for (unsigned i = 0; i < PAIRS; i++)
		kfree(kmalloc(size, GFP_KERNEL));
	bench_report(name, bench_stop(t), 2 * PAIRS, "insn/op");
	kfree(keep);
}

KBENCH(kmalloc_free_64)
{
	kmalloc_pairs("kmalloc_free_64", 64);
}

KBENCH(kmalloc_free_4096)
{
	kmalloc_pairs("kmalloc_free_4096", 4096);
}

/* LARGE_BATCH objects of a large size class allocated, then freed in
 * order: the cost of a burst past the arrays, which hold one such object
 * a CPU until contention grows them (mm/slab.c, 6). */
#define LARGE_BATCH 256

KBENCH(kmalloc_batch_1024)
{
	unsigned n = 0;
	uint64_t t;

	if (!bench_need_frames("kmalloc_batch_1024", LARGE_BATCH / 4 + 2))
		return;
	t = bench_start();
	for (; n < LARGE_BATCH; n++)
		if (!(objs[n] = kmalloc(1024, GFP_KERNEL | __GFP_NOWARN)))
			break;
	for (unsigned i = 0; i < n; i++)
		kfree(objs[i]);
	t = bench_stop(t);
	if (n < LARGE_BATCH)
		bench_skip("kmalloc_batch_1024", "no memory for %u objects of 1024 bytes", LARGE_BATCH);
	else
		bench_report("kmalloc_batch_1024", t, 2 * LARGE_BATCH, "insn/op");
}

KBENCH(task_create_destroy)
{
	unsigned n = 1000;
	struct task *warm;
	uint64_t t;

	if (!bench_need_frames("task_create_destroy", TASK_FRAMES))
		return;
	warm = task_create("warm"); /* and the proof that a task fits */
	if (!warm) {
		bench_skip("task_create_destroy", "no memory for a task");
		return;
	}
	task_destroy(warm);
	t = bench_start();
	for (unsigned i = 0; i < n; i++)
		task_destroy(task_create("bench"));
	bench_report("task_create_destroy", bench_stop(t), 2 * n, "insn/op");
}

/* A request size: mostly small, some medium, a few near a page. */
static size_t waste_size(void)
{
	uint32_t r = bench_rand() % 100;

	if (r < 50)
		return 1 + bench_rand() % 64;
	if (r < 75)
		return 65 + bench_rand() % 192;
	if (r < 90)
		return 257 + bench_rand() % 768;
	return 1025 + bench_rand() % 3072;
}

/* Where the kmalloc classes' slab bytes go: objects in use (at their
 * class size), free objects in the CPUs' arrays and the depots, free
 * objects on the slabs (empty slabs kept for reuse included), and the
 * slabs' leftover (no object slot). */
struct slab_bytes {
	unsigned long slab, in_use, arrays, free_slots, leftover;
};

static void kmalloc_slab_bytes(struct slab_bytes *b)
{
	struct slab_info si;

	*b = (struct slab_bytes){ 0 };
	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		unsigned long slab;
		kmem_cache_info(kmalloc_cache(i), &si);
		slab = si.slabs * si.pages_per_slab * (unsigned long)MM_PAGE_SIZE;
		b->slab += slab;
		b->in_use += si.active_objs * si.object_size;
		b->arrays += (si.array_objs + si.depot_objs) * si.object_size;
		b->free_slots += (si.total_objs - si.active_objs - si.array_objs - si.depot_objs) *
				 (unsigned long)si.object_size;
		b->leftover += slab - si.total_objs * (unsigned long)si.stride;
	}
}

/* One line per class, as tools/slab_waste_model.py reads them: slabs,
 * objects in use, free objects the CPUs' arrays and the depot hold. */
static void waste_print_classes(void)
{
	struct slab_info si;

	for (unsigned i = 0; i < KMALLOC_NR_CLASSES; i++) {
		kmem_cache_info(kmalloc_cache(i), &si);
		printk("slab_waste: class %u: %lu slabs of %u pages, %lu objects in use, %lu cached\n",
		       si.object_size, si.slabs, si.pages_per_slab,
		       si.active_objs, si.array_objs + si.depot_objs);
	}
}

static void report_share(const char *name, unsigned long part, unsigned long whole)
{
	bench_report(name, (uint64_t)part * 100, whole, "pct");
}

/*
 * Fragmentation as Bonwick measured it: after a seeded random trace of
 * kmalloc and kfree over mixed sizes (each step frees the slot it picks if
 * it is full, else fills it), the share of the kmalloc slabs' bytes that
 * do not hold requested bytes.  It is reported whole and in its parts:
 * rounding up to a size class, free objects kept in the CPUs' arrays and
 * the depots, free slots on the slabs, and the slabs' leftover bytes.
 */
/* Frees what the trace left, emptying the slots for the next run (the
 * shell's `bench` may run it again in the same boot). */
static void waste_free_all(void **slot)
{
	for (unsigned s = 0; s < WASTE_SLOTS; s++) {
		kfree(slot[s]);
		slot[s] = NULL;
	}
	kmem_shrink_all();
}

/* Frames the trace's slabs take at their peak (about 1.3 MiB at any memory
 * size: the trace is seeded), with room to spare. */
#define WASTE_FRAMES 448

KBENCH(slab_waste)
{
	static void *slot[WASTE_SLOTS];
	static size_t req[WASTE_SLOTS];
	unsigned long held = 0, failed = 0;
	struct slab_bytes before, after;

	if (!bench_need_frames("slab_waste", WASTE_FRAMES))
		return;
	kmem_shrink_all();
	kmalloc_slab_bytes(&before); /* objects not ours count as held */
	rand_state = BENCH_SEED;
	for (unsigned i = 0; i < WASTE_STEPS; i++) {
		unsigned s = bench_rand() % WASTE_SLOTS;
		if (slot[s]) {
			kfree(slot[s]);
			slot[s] = NULL;
			held -= req[s];
		} else {
			req[s] = waste_size();
			slot[s] = kmalloc(req[s], GFP_KERNEL | __GFP_NOWARN);
			held += slot[s] ? req[s] : 0;
			failed += !slot[s];
		}
	}
	if (failed) { /* the figures would measure running out */
		bench_skip("slab_waste", "%lu allocations of the trace failed: too little memory", failed);
		waste_free_all(slot);
		return;
	}
	kmalloc_slab_bytes(&after);
	held += before.in_use;
	waste_print_classes();
	printk("slab_waste: %lu slab bytes, %lu in objects, %lu requested\n",
	       after.slab, after.in_use, held);
	report_share("slab_waste", after.slab - held, after.slab);
	report_share("slab_waste_rounding", after.in_use - held, after.slab);
	report_share("slab_waste_arrays", after.arrays, after.slab);
	report_share("slab_waste_free_slots", after.free_slots, after.slab);
	report_share("slab_waste_leftover", after.leftover, after.slab);
	waste_free_all(slot);
}

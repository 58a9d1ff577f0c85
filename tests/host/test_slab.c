/*
 * Host tests of mm/slab*.c and mm/kmalloc.c under ASan and UBSan: random
 * operation sequences checked against the reference model (slab_model.h),
 * with and without slab debugging (each in a child process, since a
 * machine is set up once), and the misuse reports.
 */
#include "tests/host/slab_model.h"
#include <sys/wait.h>
#include <unistd.h>

#define FRAMES 4096 /* 16 MiB */
#define OPS 200000

static uint32_t rng = 2463534242u;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Mostly small sizes, some up to a page, a few large and a few zero. */
static size_t random_size(void)
{
	uint32_t r = next_rand() % 100;

	if (r < 3)
		return 0;
	if (r < 70)
		return 1 + next_rand() % 256;
	if (r < 95)
		return 1 + next_rand() % 4096;
	return 4097 + next_rand() % 40000;
}

static void random_op(struct model *m)
{
	uint32_t r = next_rand() % 100;
	unsigned slot = next_rand();

	if (r < 40)
		model_alloc(m, slot, -1, random_size(), (uint8_t)next_rand());
	else if (r < 55)
		model_alloc(m, slot, (int)(next_rand() % MODEL_CACHES), 0,
			    (uint8_t)next_rand());
	else if (r < 90)
		model_free(m, slot);
	else if (r < 99)
		model_realloc(m, slot, random_size());
	else
		model_shrink(m);
}

/* Runs in a child: exit status 0 when the model agrees throughout. */
static int random_run(bool debug, uint32_t seed)
{
	static struct model m;

	host_set_quiet(true);
	model_machine(FRAMES, debug);
	model_init(&m);
	rng = seed;
	for (unsigned long i = 0; i < OPS && !m.failures; i++) {
		random_op(&m);
		if (i % 20000 == 0 && slab_check())
			model_fail(&m, "slab_check failed after %lu ops", i);
	}
	model_finish(&m);
	if (report_total())
		model_fail(&m, "%lu misuse reports from valid operations", report_total());
	return m.failures ? 1 : 0;
}

static void in_child(bool debug, uint32_t seed)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(random_run(debug, seed));
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "slab: %d random operations (seed %u, debug %s) agree with the model",
	       OPS, seed, debug ? "on" : "off");
}

static bool reports(enum report_kind kind, unsigned long before)
{
	return report_count(kind) == before + 1;
}

static void misuse_tests(void)
{
	struct kmem_cache *a = kmem_cache_create("host-a", 40, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("host-b", 40, 0, 0, NULL);
	uint8_t *p = kmem_cache_alloc(a, GFP_KERNEL), *q;
	unsigned long n;

	host_set_quiet(true);
	n = report_count(REPORT_WRONG_CACHE);
	kmem_cache_free(b, p);
	tap_ok(reports(REPORT_WRONG_CACHE, n), "slab: free to the wrong cache is reported");
	n = report_count(REPORT_INTERIOR_POINTER);
	kmem_cache_free(a, p + 1);
	tap_ok(reports(REPORT_INTERIOR_POINTER, n), "slab: an interior pointer is reported");
	p[40] = 0;
	n = report_count(REPORT_REDZONE);
	kmem_cache_free(a, p);
	tap_ok(reports(REPORT_REDZONE, n), "slab: one byte past the object is reported");
	n = report_count(REPORT_DOUBLE_FREE);
	kmem_cache_free(a, p);
	tap_ok(reports(REPORT_DOUBLE_FREE, n), "slab: a double free is reported");
	p[5] = 0;
	n = report_count(REPORT_USE_AFTER_FREE);
	q = kmem_cache_alloc(a, GFP_KERNEL);
	tap_ok(reports(REPORT_USE_AFTER_FREE, n) && q == p,
	       "slab: a write after free is reported on the next allocation");
	n = report_count(REPORT_IN_USE);
	tap_ok(kmem_cache_destroy(a) < 0 && reports(REPORT_IN_USE, n),
	       "slab: destroying a busy cache is reported and refused");
	kmem_cache_free(a, q);
	p = kmalloc(18, GFP_KERNEL);
	p[20] = 0;
	n = report_count(REPORT_REDZONE);
	kfree(p);
	tap_ok(reports(REPORT_REDZONE, n), "kmalloc: kmalloc(18) treats byte 20 as red zone");
	n = report_count(REPORT_OUT_OF_RANGE);
	kfree(&n);
	tap_ok(reports(REPORT_OUT_OF_RANGE, n), "kmalloc: kfree of a stack address is reported");
	tap_ok(kmem_cache_destroy(a) == 0 && kmem_cache_destroy(b) == 0 &&
	       slab_check() == 0, "slab: caches destroyed, invariants hold");
	host_set_quiet(false);
}

/*
 * Colouring: successive slabs start their first object SLAB_CACHE_LINE
 * bytes further, while the slab's leftover bytes allow.  300-byte objects
 * leave 144 bytes here (304-byte slots, 13 a page): colours 0, 64, 128.
 */
static void colour_test(void)
{
	struct kmem_cache *c = kmem_cache_create("host-colour", 300, 0, SLAB_NO_DEBUG, NULL);
	static void *objs[64];
	struct slab_info si;
	unsigned seen = 0, colours, n;
	bool all = c != NULL;

	if (c)
		kmem_cache_info(c, &si);
	colours = c ? (MM_PAGE_SIZE - si.objs_per_slab * si.stride) / SLAB_CACHE_LINE + 1 : 0;
	n = c ? MIN(colours * si.objs_per_slab, 64u) : 0;
	for (unsigned i = 0; all && i < n; i++) {
		uintptr_t off;
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		all = objs[i] != NULL;
		off = (uintptr_t)objs[i] & (MM_PAGE_SIZE - 1);
		if (all && off < si.stride)
			seen |= 1u << (off / SLAB_CACHE_LINE);
	}
	for (unsigned i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	tap_ok(all && colours >= 3 && seen == (1u << colours) - 1 && kmem_cache_destroy(c) == 0,
	       "slab: colouring: successive slabs start their objects at 0, 64, ... (%u colours, seen %#x)",
	       colours, seen);
}

/* ksize of a large block says its order: exactly 2^k pages is order k. */
static void large_size_tests(void)
{
	bool ok = true;

	for (unsigned k = 1; k < MAX_ORDER - 1; k++) {
		size_t exact = (size_t)MM_PAGE_SIZE << k;
		void *p = kmalloc(exact, GFP_KERNEL), *q = kmalloc(exact + 1, GFP_KERNEL);
		ok &= p && q && ksize(p) == exact && ksize(q) == 2 * exact;
		kfree(p);
		kfree(q);
	}
	tap_ok(ok, "kmalloc: 2^k pages take order k, one byte more order k + 1 (k = 1..%d)",
	       MAX_ORDER - 2);
}

int main(void)
{
	in_child(false, 1);
	in_child(true, 2);
	in_child(true, 3);
	model_machine(FRAMES, true);
	misuse_tests();
	colour_test();
	large_size_tests();
	return tap_done();
}

/*
 * Benchmarks on several CPUs (`make bench` boots them on -smp 4 with
 * -icount, and on -smp 2 with one host thread per CPU):
 *
 *  smpN_hot_*    the hot paths -- a page of order 0, a slab object, a
 *                kmalloc(64) -- allocated and freed in pairs on each CPU in
 *                turn, the others idle: instructions per operation (under
 *                -icount), to compare with the one-CPU figures; and the
 *                acquisitions of shared locks (the zones', the cache's)
 *                per 1000 operations, which only refills and drains take.
 *  smp_mix_*     a mix of the same on every CPU at once, with and without
 *                the per-CPU caches (buddy_set_pcp, slab_set_arrays):
 *                operations per million ticks on one CPU and on all, the
 *                ratio, and the lock waits (contended acquisitions).  Under
 *                multi-threaded emulation the ticks are the host's time,
 *                so these figures vary from run to run; the ratio is what
 *                they are for.
 * With one CPU, smp1_hot_* gives CPU 0's figures (the reference the others
 * are held to) and smp_mix_* a line saying there is no figure.
 */
#include "tests/kbench.h"
#include "tests/smp_util.h"
#include "kernel/smp.h"
#include "arch/x86/smp.h"
#include "arch/x86/cpu.h"
#include "mm/buddy.h"
#include "mm/slab.h"
#include "mm/kmalloc.h"
#include "lib/printk.h"

#define HOT_PAIRS 4000
#define MIX_OPS 20000
#define MIX_TRIES 3

enum hot { HOT_PAGE, HOT_SLAB, HOT_KMALLOC, HOTS };
static const char *const hot_names[HOTS] = { "page_o0", "slab", "kmalloc_64" };

struct run {
	enum hot what;
	struct kmem_cache *cache;
	unsigned long ops;
	uint64_t ticks;
	uint32_t done;
};

static void hot_pairs(struct run *r)
{
	for (unsigned i = 0; i < HOT_PAIRS; i++) {
		switch (r->what) {
		case HOT_PAGE:
			__free_page(alloc_page(GFP_KERNEL));
			break;
		case HOT_SLAB:
			kmem_cache_free(r->cache, kmem_cache_alloc(r->cache, GFP_KERNEL));
			break;
		default:
			kfree(kmalloc(64, GFP_KERNEL));
			break;
		}
	}
	r->ops = 2 * HOT_PAIRS;
}

/* Runs the pairs on this CPU, timed, a warm-up pair first. */
static void hot_job(void *arg)
{
	struct run *r = arg;
	void *keep = r->what == HOT_SLAB ? kmem_cache_alloc(r->cache, GFP_KERNEL) : NULL;
	uint64_t t;

	hot_pairs(r); /* warm: the arrays and lists filled */
	t = bench_start();
	hot_pairs(r);
	r->ticks = bench_stop(t);
	if (keep)
		kmem_cache_free(r->cache, keep);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

/* Acquisitions of the shared locks a hot path may take. */
static unsigned long shared_locks(const struct kmem_cache *c)
{
	unsigned long n = 0;
	struct slab_info si;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		n += mm_lock_acquisitions(&zones[z].lock);
	kmem_cache_info(c, &si);
	n += si.lock_acquired;
	kmem_cache_info(kmalloc_cache((unsigned)kmalloc_index(64)), &si);
	return n + si.lock_acquired;
}

/* Runs r on cpu (0: here) and waits for it. */
static bool run_on(unsigned cpu, smp_call_fn fn, struct run *r)
{
	r->done = 0;
	if (!cpu) {
		fn(r);
		return true;
	}
	if (smp_run_on(cpu, fn, r))
		return false;
	smp_run_wait(cpu);
	return r->done;
}

static bool enough_cpus(const char *name)
{
	if (smp_num_online() > 1)
		return true;
	printk("bench %s: no figure: one CPU online\n", name);
	return false;
}

KBENCH(smp_hot_paths)
{
	struct kmem_cache *c = kmem_cache_create("bench-smp-64", 64, 0, 0, NULL);
	char name[64];

	if (!c) /* on one CPU too: the reference figures, from the same loop */
		return;
	for (enum hot h = 0; h < HOTS; h++) {
		for (unsigned cpu = 0; cpu < NR_CPUS; cpu++) {
			struct run r = { h, c, 0, 0, 0 };
			unsigned long locks;

			if (!mm_cpu_online(cpu))
				continue;
			locks = shared_locks(c);
			if (!run_on(cpu, hot_job, &r))
				continue;
			locks = shared_locks(c) - locks;
			snprintf(name, sizeof(name), "smp%u_hot_%s_cpu%u", smp_num_online(),
				 hot_names[h], cpu);
			bench_report(name, r.ticks, r.ops, "insn/op");
			snprintf(name, sizeof(name), "smp%u_hot_%s_cpu%u_locks", smp_num_online(),
				 hot_names[h], cpu);
			/* both runs, warm-up included, over their operations */
			bench_report(name, (uint64_t)locks * 1000, 2 * r.ops, "per 1000 ops");
		}
	}
	kmem_cache_destroy(c);
}

/* --- the mix, on every CPU at once ----------------------------------------- */

static struct run mix_runs[NR_CPUS];
static struct kmem_cache *mix_cache;
static volatile uint32_t mix_go;

static void mix_job(void *arg)
{
	struct run *r = arg;
	void *held[8] = { NULL };
	uint32_t x = 0x9E3779B9u + (uint32_t)(r - mix_runs);

	while (!mix_go)
		cpu_relax();
	for (unsigned i = 0; i < MIX_OPS; i++) {
		unsigned slot = i % 8;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		switch (x % 3) {
		case 0:
			__free_page(alloc_page(GFP_KERNEL));
			break;
		case 1:
			kmem_cache_free(mix_cache, held[slot]);
			held[slot] = kmem_cache_alloc(mix_cache, GFP_KERNEL);
			break;
		default:
			kfree(kmalloc(32 + x % 200, GFP_KERNEL));
			break;
		}
	}
	for (unsigned i = 0; i < 8; i++)
		kmem_cache_free(mix_cache, held[i]);
	r->ops = MIX_OPS;
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

static unsigned long lock_waits(void)
{
	unsigned long n = 0;
	struct slab_info si;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		n += mm_lock_waits(&zones[z].lock);
	kmem_cache_info(mix_cache, &si);
	n += si.lock_waits;
	kmem_cache_info(kmalloc_cache((unsigned)kmalloc_index(32)), &si);
	return n + si.lock_waits;
}

/* The mix on `cpus` CPUs (0..cpus-1) at once: operations per million
 * ticks, from the boot CPU's start to the last one's end. */
static uint64_t mix_throughput(unsigned cpus, unsigned long *waits)
{
	unsigned started = 0;
	unsigned long w = lock_waits();
	uint64_t t;

	mix_go = 0;
	for (unsigned cpu = 0; cpu < NR_CPUS; cpu++)
		mix_runs[cpu] = (struct run){ 0 };
	for (unsigned cpu = 1; cpu < cpus; cpu++)
		started += smp_run_on(cpu, mix_job, &mix_runs[cpu]) == 0;
	t = rdtsc();
	mix_go = 1;
	mix_job(&mix_runs[0]);
	smp_test_wait_flags(&mix_runs[0].done, sizeof(mix_runs[0]), started + 1);
	t = rdtsc() - t;
	for (unsigned cpu = 1; cpu < cpus; cpu++)
		smp_run_wait(cpu);
	*waits = lock_waits() - w;
	return t ? (uint64_t)(started + 1) * MIX_OPS * 1000000 / t : 0;
}

/* The best of MIX_TRIES runs (the host's other work only ever slows one
 * down); *waits of that run. */
static uint64_t best_throughput(unsigned cpus, unsigned long *waits)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < MIX_TRIES; i++) {
		unsigned long w;
		uint64_t t = mix_throughput(cpus, &w);
		if (t > best) {
			best = t;
			*waits = w;
		}
	}
	return best;
}

KBENCH(smp_mix_scaling)
{
	unsigned cpus = smp_num_online();
	uint64_t all_cpus[2] = { 0, 0 };
	char name[64];

	mix_cache = kmem_cache_create("bench-smp-mix", 96, 0, 0, NULL);
	if (!mix_cache || !enough_cpus("smp_mix_scaling"))
		goto out;
	for (int on = 1; on >= 0; on--) {
		const char *mode = on ? "cached" : "nocache";
		unsigned long w1, wn;
		uint64_t one, all;

		buddy_set_pcp(on);
		slab_set_arrays(on);
		mix_throughput(cpus, &wn); /* warm-up */
		one = best_throughput(1, &w1);
		all = best_throughput(cpus, &wn);
		snprintf(name, sizeof(name), "smp_mix_%s_1cpu", mode);
		bench_report(name, one, 1, "ops/Mtick");
		snprintf(name, sizeof(name), "smp_mix_%s_%ucpu", mode, cpus);
		bench_report(name, all, 1, "ops/Mtick");
		snprintf(name, sizeof(name), "smp_mix_%s_ratio", mode);
		bench_report(name, one ? all * 100 / one : 0, 100, "x");
		snprintf(name, sizeof(name), "smp_mix_%s_%ucpu_lock_waits", mode, cpus);
		bench_report(name, wn, 1, "waits");
		all_cpus[on] = all;
	}
	/* what the per-CPU caches buy with every CPU at work */
	snprintf(name, sizeof(name), "smp_mix_%ucpu_cached_over_nocache", cpus);
	bench_report(name, all_cpus[0] ? all_cpus[1] * 100 / all_cpus[0] : 0, 100, "x");
	buddy_set_pcp(true);
	slab_set_arrays(true);
out:
	if (mix_cache)
		kmem_cache_destroy(mix_cache);
}

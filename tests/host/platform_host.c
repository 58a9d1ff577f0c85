/* Host implementation of mm/platform.h (see platform_host.h). */
#include "tests/host/platform_host.h"
#include <stdlib.h>
#include <stdio.h>
#include <stdarg.h>
#include <pthread.h>

static uint8_t *arena;
static size_t arena_size;
static paddr_t direct_end;
static bool quiet;

void host_phys_init(size_t bytes, paddr_t direct)
{
	free(arena);
	arena = aligned_alloc(4096, bytes);
	if (!arena) {
		fprintf(stderr, "host_phys_init: cannot allocate %zu bytes\n", bytes);
		exit(2);
	}
	memset(arena, 0xA5, bytes); /* "uninitialised RAM" */
	arena_size = bytes;
	direct_end = direct;
}

void host_phys_free(void)
{
	free(arena);
	arena = NULL;
	arena_size = 0;
}

uint8_t *host_phys_base(void)
{
	return arena;
}

size_t host_phys_size(void)
{
	return arena_size;
}

void host_set_quiet(bool q)
{
	quiet = q;
}

bool host_quiet(void)
{
	return quiet;
}

void *mm_phys_to_virt(paddr_t pa)
{
	if (pa >= arena_size) {
		fprintf(stderr, "mm_phys_to_virt(%#llx): beyond the arena\n",
			(unsigned long long)pa);
		abort();
	}
	return arena + pa;
}

paddr_t mm_virt_to_phys(const void *va)
{
	return (paddr_t)((const uint8_t *)va - arena);
}

paddr_t mm_direct_end(void)
{
	return direct_end;
}

void *mm_map_frame(paddr_t pa)
{
	return mm_phys_to_virt(pa);
}

void mm_unmap_frame(void *va)
{
	(void)va;
}

/*
 * CPUs.  Each host thread says which CPU it is (host_set_cpu; 0 unless it
 * does).  "Interrupts off on CPU n" is holding CPU n's mutex, so that
 * mm_on_each_cpu, which takes it to run a function "on" CPU n, excludes
 * that CPU's own critical sections exactly as an interrupt would wait for
 * them in the kernel.  A thread's sections nest (irq_depth).
 */
__thread unsigned mm_host_cpu;
static __thread unsigned irq_depth;
static pthread_mutex_t cpu_mutex[MM_MAX_CPUS] = {
	[0 ... MM_MAX_CPUS - 1] = PTHREAD_MUTEX_INITIALIZER
};
static unsigned nr_cpus = 1;
static uint8_t percpu_space[MM_MAX_CPUS][MM_PERCPU_BYTES] __attribute__((aligned(64)));

void host_set_cpus(unsigned n)
{
	nr_cpus = n < 1 ? 1 : n > MM_MAX_CPUS ? MM_MAX_CPUS : n;
}

void host_set_cpu(unsigned cpu)
{
	mm_host_cpu = cpu;
}

bool mm_cpu_online(unsigned cpu)
{
	return cpu < nr_cpus;
}

void *mm_percpu_space(void)
{
	return percpu_space[0];
}

mm_irqflags_t mm_irq_save(void)
{
	if (irq_depth++ == 0)
		pthread_mutex_lock(&cpu_mutex[mm_host_cpu]);
	return 0;
}

void mm_irq_restore(mm_irqflags_t flags)
{
	(void)flags;
	if (--irq_depth == 0)
		pthread_mutex_unlock(&cpu_mutex[mm_host_cpu]);
}

/* As the kernel's: a cross-CPU call only from outside every critical
 * section; within one, fn runs on this CPU alone. */
bool mm_on_each_cpu_ok(void)
{
	return !irq_depth || nr_cpus == 1;
}

bool mm_on_each_cpu(void (*fn)(void *arg), void *arg)
{
	unsigned self = mm_host_cpu;
	mm_irqflags_t flags;

	if (irq_depth) {
		fn(arg);
		return nr_cpus == 1;
	}
	for (unsigned cpu = 0; cpu < nr_cpus; cpu++) {
		mm_host_cpu = cpu; /* fn runs "on" cpu, in its section */
		flags = mm_irq_save();
		fn(arg);
		mm_irq_restore(flags);
	}
	mm_host_cpu = self;
	return true;
}

void mm_lock_init(mm_lock_t *l, const char *name, unsigned order)
{
	(void)order;
	pthread_mutex_init(&l->l_mutex, NULL);
	l->l_name = name;
	l->l_acquired = 0;
}

mm_irqflags_t mm_lock(mm_lock_t *l)
{
	mm_irqflags_t flags = mm_irq_save();

	pthread_mutex_lock(&l->l_mutex);
	l->l_acquired++;
	return flags;
}

void mm_unlock(mm_lock_t *l, mm_irqflags_t flags)
{
	pthread_mutex_unlock(&l->l_mutex);
	mm_irq_restore(flags);
}

int mm_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (quiet)
		return 0;
	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

static int tap_count, tap_failed;

void tap_ok(bool ok, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!ok)
		tap_failed++;
	printf("%s %d - ", ok ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int tap_done(void)
{
	printf("1..%d\n", tap_count);
	printf("%d passed, %d failed, 0 skipped\n", tap_count - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

const char *mm_symbol(uintptr_t addr, char *buf, size_t size)
{
	snprintf(buf, size, "%#lx", (unsigned long)addr);
	return buf;
}

/* Deterministic (splitmix64 over a counter), so that host runs repeat. */
uintptr_t mm_random(void)
{
	static uint64_t state = 0x5eed5eed5eed5eedull;
	uint64_t z = (state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uintptr_t)(z ^ (z >> 31));
}

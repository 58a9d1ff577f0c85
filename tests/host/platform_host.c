/* Host implementation of mm/platform.h (see platform_host.h). */
#include "tests/host/platform_host.h"
#include <stdlib.h>
#include <stdio.h>
#include <stdarg.h>

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

mm_irqflags_t mm_irq_save(void)
{
	return 0;
}

void mm_irq_restore(mm_irqflags_t flags)
{
	(void)flags;
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

/*
 * Slab debugging: red zones, poison and caller records (see mm/slab.c, 8).
 *
 * A debug cache lays out each object slot as
 *
 *   | left red zone | object (c_size) | right red zone | struct slab_track |
 *   ^ slot          ^ obj             ^ obj + c_size   ^ obj + c_track
 *
 * Red zones hold SLAB_RED_BYTE.  A kmalloc object that asked for fewer
 * bytes than its size class (kmalloc(18) from the 32-byte class) has its
 * right red zone start right after the bytes it asked for (t_req), so a
 * write to byte 18 is caught.  A free object holds SLAB_POISON_FREE in
 * every byte unless the cache has a constructor (then it must keep its
 * constructed state and only the red zones are checked).  The track record
 * holds the free list link, so writes to a free object never corrupt the
 * list, and the callers of the last allocation and free, printed in every
 * report.
 *
 * Poison is checked when an object is handed out, red zones when it comes
 * back; kmem_cache_check checks every object.  A damaged red zone or
 * poison is reported and then repaired, so one overwrite is one report.
 */
#include "mm/slab_internal.h"
#include "mm/report.h"

typedef uint32_t __attribute__((may_alias)) word_alias_t;

/* The offset of the first byte in [p, p + n) that is not v, or n. */
static size_t first_diff(const uint8_t *p, size_t n, uint8_t v)
{
	uint32_t pattern = v * 0x01010101u;
	size_t i = 0;

	for (; i < n && ((uintptr_t)(p + i) & 3); i++)
		if (p[i] != v)
			return i;
	for (; i + 4 <= n; i += 4)
		if (*(const word_alias_t *)(p + i) != pattern)
			break;
	for (; i < n; i++)
		if (p[i] != v)
			return i;
	return n;
}

static inline uint8_t *left_zone(const struct kmem_cache *c, void *obj)
{
	return (uint8_t *)obj - c->c_obj_off;
}

void debug_init_object(struct kmem_cache *c, void *obj)
{
	struct slab_track *t = obj_track(c, obj);

	memset(left_zone(c, obj), SLAB_RED_BYTE, c->c_obj_off);
	memset((uint8_t *)obj + c->c_size, SLAB_RED_BYTE, c->c_track - c->c_size);
	if (!c->c_ctor)
		memset(obj, SLAB_POISON_FREE, c->c_size);
	t->t_next = NULL;
	t->t_alloc_by = t->t_free_by = 0;
	t->t_req = 0;
	t->t_state = TRACK_FREE;
}

/* Checks (and repairs) both red zones of obj with `req` bytes in use. */
static unsigned check_red_zones(struct kmem_cache *c, void *obj, size_t req)
{
	struct slab_track *t = obj_track(c, obj);
	uint8_t *right = (uint8_t *)obj + req;
	size_t right_len = c->c_track - req, off;
	unsigned problems = 0;
	char by[MM_SYMBOL_LEN];

	off = first_diff(left_zone(c, obj), c->c_obj_off, SLAB_RED_BYTE);
	if (off < c->c_obj_off) {
		mm_report(REPORT_REDZONE, (uintptr_t)obj,
			  "object of cache %s: red zone before the object overwritten at offset -%lu (allocated by %s)",
			  c->c_name, (unsigned long)(c->c_obj_off - off),
			  mm_symbol(t->t_alloc_by, by, sizeof(by)));
		memset(left_zone(c, obj), SLAB_RED_BYTE, c->c_obj_off);
		problems++;
	}
	off = first_diff(right, right_len, SLAB_RED_BYTE);
	if (off < right_len) {
		mm_report(REPORT_REDZONE, (uintptr_t)obj,
			  "object of cache %s (%lu of %u bytes in use): red zone after the object overwritten at offset %lu (allocated by %s)",
			  c->c_name, (unsigned long)req, c->c_size,
			  (unsigned long)(req + off), mm_symbol(t->t_alloc_by, by, sizeof(by)));
		memset(right, SLAB_RED_BYTE, right_len);
		problems++;
	}
	return problems;
}

/* Checks (and restores) the poison of a free object. */
static unsigned check_poison(struct kmem_cache *c, void *obj)
{
	struct slab_track *t = obj_track(c, obj);
	char by[MM_SYMBOL_LEN], freed[MM_SYMBOL_LEN];
	size_t off;

	if (c->c_ctor)
		return 0;
	off = first_diff(obj, c->c_size, SLAB_POISON_FREE);
	if (off == c->c_size)
		return 0;
	mm_report(REPORT_USE_AFTER_FREE, (uintptr_t)obj,
		  "free object of cache %s written at offset %lu (allocated by %s, freed by %s)",
		  c->c_name, (unsigned long)off, mm_symbol(t->t_alloc_by, by, sizeof(by)),
		  mm_symbol(t->t_free_by, freed, sizeof(freed)));
	memset(obj, SLAB_POISON_FREE, c->c_size);
	return 1;
}

static void report_bad_track(struct kmem_cache *c, void *obj, const char *when)
{
	mm_report(REPORT_CORRUPTION, (uintptr_t)obj,
		  "object of cache %s: tracking record overwritten (state %#x) %s",
		  c->c_name, (unsigned)obj_track(c, obj)->t_state, when);
}

void debug_on_alloc(struct kmem_cache *c, void *obj, size_t req,
		    uintptr_t caller)
{
	struct slab_track *t = obj_track(c, obj);

	if (t->t_state != TRACK_FREE)
		report_bad_track(c, obj, "on allocation");
	check_poison(c, obj);
	check_red_zones(c, obj, c->c_size);
	t->t_state = TRACK_LIVE;
	t->t_alloc_by = caller;
	t->t_req = (uint32_t)MIN(req, (size_t)c->c_size);
	memset((uint8_t *)obj + t->t_req, SLAB_RED_BYTE, c->c_size - t->t_req);
}

bool debug_on_free(struct kmem_cache *c, void *obj, uintptr_t caller)
{
	struct slab_track *t = obj_track(c, obj);

	if (t->t_state == TRACK_FREE) {
		char by[MM_SYMBOL_LEN], freed[MM_SYMBOL_LEN], again[MM_SYMBOL_LEN];
		mm_report(REPORT_DOUBLE_FREE, (uintptr_t)obj,
			  "object of cache %s is already free (allocated by %s, freed by %s, freed again by %s)",
			  c->c_name, mm_symbol(t->t_alloc_by, by, sizeof(by)),
			  mm_symbol(t->t_free_by, freed, sizeof(freed)),
			  mm_symbol(caller, again, sizeof(again)));
		return false;
	}
	if (t->t_state != TRACK_LIVE) {
		report_bad_track(c, obj, "on free");
		return false;
	}
	check_red_zones(c, obj, t->t_req);
	t->t_state = TRACK_FREE;
	t->t_free_by = caller;
	if (!c->c_ctor)
		memset(obj, SLAB_POISON_FREE, c->c_size);
	return true;
}

unsigned debug_check_object(struct kmem_cache *c, void *obj, bool is_free)
{
	struct slab_track *t = obj_track(c, obj);
	uint32_t want = is_free ? TRACK_FREE : TRACK_LIVE;

	if (t->t_state != want) {
		report_bad_track(c, obj, is_free ? "(on the free list)" : "(in use)");
		return 1;
	}
	if (is_free)
		return check_poison(c, obj) + check_red_zones(c, obj, c->c_size);
	return check_red_zones(c, obj, t->t_req);
}

void __kmem_cache_resize(struct kmem_cache *c, void *obj, size_t req)
{
	struct slab_track *t;

	if (!cache_debug(c))
		return;
	t = obj_track(c, obj);
	req = MIN(req, (size_t)c->c_size);
	if (req > t->t_req) {
		check_red_zones(c, obj, t->t_req);
		memset((uint8_t *)obj + t->t_req, 0, req - t->t_req);
	} else {
		memset((uint8_t *)obj + req, SLAB_RED_BYTE, t->t_req - req);
	}
	t->t_req = (uint32_t)req;
}

size_t __kmem_cache_req_size(struct kmem_cache *c, const void *obj)
{
	return cache_debug(c) ? obj_track(c, obj)->t_req : c->c_size;
}

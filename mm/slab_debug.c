/*
 * Slab debugging: red zones, poison and caller records (see mm/slab.c, 8).
 *
 * A debug cache lays out each slab as
 *
 *   | records[0..n) | colour | slot 0 | slot 1 | ... |
 *
 * and each object slot as
 *
 *   | left red zone | object (c_size) | right red zone |
 *   ^ slot          ^ obj             ^ obj + c_size   ^ slot + c_stride
 *
 * Red zones hold SLAB_RED_BYTE.  A kmalloc object that asked for fewer
 * bytes than its size class (kmalloc(18) from the 32-byte class) has its
 * right red zone start right after the bytes it asked for (t_req), so a
 * write to byte 18 is caught.  A free object holds SLAB_POISON_FREE in
 * every byte unless the cache has a constructor (then it must keep its
 * constructed state and only the red zones are checked).
 *
 * The records (struct slab_track) hold the free record -- the mark and the
 * free-list link -- and the callers of the last allocation and free,
 * printed in every report.  They sit apart from the objects, so an
 * overflow runs from an object's right red zone into the next slot's left
 * red zone, never into a record: it is reported as what it is, the
 * overflowing object's red zone, naming that object and its allocating
 * caller, and the link stays sound.  A stray write that reaches a record
 * anyway breaks its seal (t_check, keyed with the cache's secret and the
 * record's address): the record is reported and never trusted.
 *
 * Poison is checked when an object is handed out, red zones when it comes
 * back; kmem_cache_check checks every object.  A damaged red zone or
 * poison is reported and then repaired, so one overwrite is one report.
 * Records and red zones change only under the cache's lock, which the
 * checker holds while it reads (and repairs) them, so that it may run
 * while other CPUs allocate.
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

static uint32_t seal(const struct kmem_cache *c, const struct slab_track *t)
{
	uintptr_t h = c->c_secret ^ (uintptr_t)t;

	h = (h ^ t->t_alloc_by) * 0x9E3779B1u;
	h = (h ^ t->t_free_by) * 0x85EBCA77u;
	h = (h ^ t->t_req) * 0xC2B2AE3Du;
	return (uint32_t)(h ^ (h >> 15));
}

static void reseal(const struct kmem_cache *c, struct slab_track *t)
{
	t->t_check = seal(c, t);
}

struct slab_track *debug_track(struct kmem_cache *c, struct page *page,
			       const void *obj)
{
	struct slab_track *t = slab_track_at(page, slab_index(c, page, obj));

	if (t->t_check == seal(c, t))
		return t;
	mm_report(REPORT_CORRUPTION, (uintptr_t)obj,
		  "object of cache %s: its debug record at %p is overwritten (seal %#x); the record is not trusted",
		  c->c_name, (void *)t, (unsigned)t->t_check);
	return NULL;
}

static inline uint8_t *left_zone(const struct kmem_cache *c, void *obj)
{
	return (uint8_t *)obj - c->c_obj_off;
}

static inline size_t right_zone_len(const struct kmem_cache *c, size_t req)
{
	return c->c_stride - c->c_obj_off - req;
}

void debug_init_object(struct kmem_cache *c, struct page *page, void *obj)
{
	struct slab_track *t = slab_track_at(page, slab_index(c, page, obj));

	memset(left_zone(c, obj), SLAB_RED_BYTE, c->c_obj_off);
	memset((uint8_t *)obj + c->c_size, SLAB_RED_BYTE, right_zone_len(c, c->c_size));
	if (!c->c_ctor)
		memset(obj, SLAB_POISON_FREE, c->c_size);
	t->t_alloc_by = t->t_free_by = 0;
	t->t_req = 0;
	reseal(c, t);
}

static const char *caller_of(struct kmem_cache *c, struct page *page,
			     const void *obj, char *buf)
{
	struct slab_track *t = debug_track(c, page, obj);

	if (!t)
		return "(unknown: its record is overwritten)";
	return mm_symbol(t->t_alloc_by, buf, MM_SYMBOL_LEN);
}

/* The bytes in use of the object at index i of slab page: its request
 * while live, its size while free (and while its record is not trusted). */
static size_t used_at(const struct kmem_cache *c, const struct page *page, long i)
{
	const struct slab_track *t = slab_track_at(page, i);

	if (t->t_check != seal(c, t) || t->t_free.f_mark != SLAB_MARK_LIVE)
		return c->c_size;
	return t->t_req;
}

/* The left red zone of the object after obj, if obj is not the slab's
 * last; NULL otherwise. */
static uint8_t *next_left_zone(const struct kmem_cache *c, const struct page *page,
			       void *obj)
{
	long i = slab_index(c, page, obj);

	if (i < 0 || (unsigned long)i + 1 >= c->c_per_slab)
		return NULL;
	return left_zone(c, (uint8_t *)obj + c->c_stride);
}

/*
 * Checks obj's right red zone, `req` bytes in use.  An overflow that ran
 * through it to the end of the slot and on into the next object's left
 * red zone is one overwrite, reported once, as obj's: the object and its
 * allocating caller.  Repairs what it reports; the number of reports.
 */
static unsigned check_right_zone(struct kmem_cache *c, struct page *page,
				 void *obj, size_t req)
{
	uint8_t *zone = (uint8_t *)obj + req, *next = next_left_zone(c, page, obj);
	size_t len = right_zone_len(c, req), off = first_diff(zone, len, SLAB_RED_BYTE);
	bool through = false;
	char by[MM_SYMBOL_LEN];

	if (off == len)
		return 0;
	if (next && zone[len - 1] != SLAB_RED_BYTE &&
	    first_diff(next, c->c_obj_off, SLAB_RED_BYTE) < c->c_obj_off) {
		through = true;
		memset(next, SLAB_RED_BYTE, c->c_obj_off);
	}
	mm_report(REPORT_REDZONE, (uintptr_t)obj,
		  "object of cache %s (%lu of %u bytes in use): red zone after the object overwritten at offset %lu%s (allocated by %s)",
		  c->c_name, (unsigned long)req, c->c_size, (unsigned long)(req + off),
		  through ? ", through into the next object's slot" : "",
		  caller_of(c, page, obj, by));
	memset(zone, SLAB_RED_BYTE, len);
	return 1;
}

/* Checks (and repairs) both red zones of obj with `req` bytes in use.  A
 * damaged left zone is first taken for the object before's overflow. */
static unsigned check_red_zones(struct kmem_cache *c, struct page *page,
				void *obj, size_t req)
{
	long i = slab_index(c, page, obj);
	size_t off = first_diff(left_zone(c, obj), c->c_obj_off, SLAB_RED_BYTE);
	unsigned problems = 0;
	char by[MM_SYMBOL_LEN];

	if (off < c->c_obj_off && i > 0) {
		void *prev = (uint8_t *)obj - c->c_stride;
		problems = check_right_zone(c, page, prev, used_at(c, page, i - 1));
		off = first_diff(left_zone(c, obj), c->c_obj_off, SLAB_RED_BYTE);
	}
	if (off < c->c_obj_off) {
		mm_report(REPORT_REDZONE, (uintptr_t)obj,
			  "object of cache %s: red zone before the object overwritten at offset -%lu (allocated by %s)",
			  c->c_name, (unsigned long)(c->c_obj_off - off),
			  caller_of(c, page, obj, by));
		memset(left_zone(c, obj), SLAB_RED_BYTE, c->c_obj_off);
		problems++;
	}
	return problems + check_right_zone(c, page, obj, req);
}

/* Checks (and restores) the poison of a free object. */
static unsigned check_poison(struct kmem_cache *c, struct slab_track *t, void *obj)
{
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

void debug_on_alloc(struct kmem_cache *c, struct page *page, void *obj,
		    size_t req, uintptr_t caller)
{
	struct slab_track *t = debug_track(c, page, obj);

	/* The zones first: an overflow into this slot is the object
	 * before's, and is reported as such before the poison is looked at. */
	check_red_zones(c, page, obj, c->c_size);
	if (t)
		check_poison(c, t, obj);
	t = slab_track_at(page, slab_index(c, page, obj)); /* rewritten now */
	t->t_alloc_by = caller;
	t->t_req = (uint32_t)MIN(req, (size_t)c->c_size);
	memset((uint8_t *)obj + t->t_req, SLAB_RED_BYTE, c->c_size - t->t_req);
	reseal(c, t);
}

bool debug_on_free(struct kmem_cache *c, struct page *page, void *obj,
		   uintptr_t caller)
{
	struct slab_track *t = debug_track(c, page, obj);

	if (!t)
		return false;
	if (t->t_free.f_mark == SLAB_MARK_ON_SLAB) {
		char by[MM_SYMBOL_LEN], freed[MM_SYMBOL_LEN], again[MM_SYMBOL_LEN];
		mm_report(REPORT_DOUBLE_FREE, (uintptr_t)obj,
			  "object of cache %s is already free (allocated by %s, freed by %s, freed again by %s)",
			  c->c_name, mm_symbol(t->t_alloc_by, by, sizeof(by)),
			  mm_symbol(t->t_free_by, freed, sizeof(freed)),
			  mm_symbol(caller, again, sizeof(again)));
		return false;
	}
	if (t->t_free.f_mark != SLAB_MARK_LIVE) {
		mm_report(REPORT_CORRUPTION, (uintptr_t)obj,
			  "object of cache %s: its record's mark is overwritten (%#lx) on free",
			  c->c_name, (unsigned long)t->t_free.f_mark);
		return false;
	}
	check_red_zones(c, page, obj, t->t_req);
	t->t_free_by = caller;
	reseal(c, t);
	if (!c->c_ctor)
		memset(obj, SLAB_POISON_FREE, c->c_size);
	return true;
}

unsigned debug_check_object(struct kmem_cache *c, struct page *page, void *obj)
{
	struct slab_track *t = debug_track(c, page, obj);

	if (!t)
		return 1;
	if (t->t_free.f_mark == SLAB_MARK_LIVE)
		return check_red_zones(c, page, obj, t->t_req);
	if (t->t_free.f_mark != SLAB_MARK_ON_SLAB) {
		mm_report(REPORT_CORRUPTION, (uintptr_t)obj,
			  "object of cache %s: its record's mark is overwritten (%#lx)",
			  c->c_name, (unsigned long)t->t_free.f_mark);
		return 1;
	}
	return check_red_zones(c, page, obj, c->c_size) + check_poison(c, t, obj);
}

/* The record of a live object now says req bytes (lock held). */
static void __debug_resize(struct kmem_cache *c, struct page *page, void *obj,
			   struct slab_track *t, size_t req)
{
	MM_LOCK_HELD(&c->c_lock);
	if (req > t->t_req) {
		check_red_zones(c, page, obj, t->t_req);
		memset((uint8_t *)obj + t->t_req, 0, req - t->t_req);
	} else {
		memset((uint8_t *)obj + req, SLAB_RED_BYTE, t->t_req - req);
	}
	t->t_req = (uint32_t)req;
	reseal(c, t);
}

void __kmem_cache_resize(struct kmem_cache *c, void *obj, size_t req)
{
	struct page *page;
	struct slab_track *t;
	mm_irqflags_t flags;

	if (!cache_debug(c))
		return;
	page = slab_page_of(obj);
	flags = mm_lock(&c->c_lock);
	t = debug_track(c, page, obj);
	if (t)
		__debug_resize(c, page, obj, t, MIN(req, (size_t)c->c_size));
	mm_unlock(&c->c_lock, flags);
}

size_t __kmem_cache_req_size(struct kmem_cache *c, const void *obj)
{
	struct slab_track *t;

	if (!cache_debug(c))
		return c->c_size;
	t = debug_track(c, slab_page_of(obj), obj);
	return t ? t->t_req : c->c_size;
}

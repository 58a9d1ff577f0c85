/*
 * The slab allocator's magazine layer (mm/slab.c, 6): each CPU's two
 * arrays of free objects for each cache, and each cache's depot of full
 * and empty magazines -- Bonwick and Adams, "Magazines and Vmem" (USENIX
 * 2001).  The fast paths (slab_internal.h) pop and push the running CPU's
 * loaded array; this file is everything around them:
 *
 *  - an allocation that finds the loaded array empty takes the previous
 *    array's objects if it has any, else a full magazine from the depot
 *    (its empty shell stays in the depot), else a batch off the partial
 *    slabs (mm/slab.c);
 *  - a free that finds the loaded array full moves it to the previous
 *    array if that is empty, else first sends the previous array's
 *    objects to the depot in an empty magazine -- or to their slabs when
 *    the depot is full or no magazine can be had;
 *  - shrinking, destroying and reclaiming drain every CPU's arrays (one
 *    cross-CPU call) and the depot back to the slabs;
 *  - a cache's array limit set by hand (kmem_cache_set_array_limit).
 *
 * A CPU touches only its own arrays, with interrupts masked; the depot is
 * under the cache's lock.  Another CPU's arrays are reached by running on
 * it (slab_cpu_drain, slab_cpu_check), or read without a lock where a
 * racy look is all that is claimed (statistics; the double-free
 * confirmation, which proves "free" only when it finds the object).
 * Magazines come from a cache of their own, which has no arrays.
 */
#include "mm/slab_internal.h"
#include "mm/report.h"

struct slab_cpu *slab_no_arrays;
static struct kmem_cache *magazine_cache;
static bool arrays_on = true; /* slab_set_arrays */

void slab_cpu_setup(void)
{
	slab_no_arrays = mm_percpu_alloc(sizeof(struct slab_cpu));
}

void slab_cpu_setup_magazines(void)
{
	magazine_cache = __kmem_cache_create("slab_magazine", sizeof(struct slab_magazine),
					     0, SLAB_NO_ARRAYS | SLAB_NO_DEBUG, NULL, SLAB_ID_ANY);
	if (!magazine_cache) /* not fatal: without magazines frees go to the slabs */
		mm_printf("slab: no memory for the magazine cache: the depots stay empty\n");
}

struct kmem_cache *slab_magazine_cache(void)
{
	return magazine_cache;
}

/* The objects an array of a cache of this stride holds. */
static unsigned array_limit(unsigned stride)
{
	return MAX(2u, MIN(SLAB_MAG_LIMIT_MAX, SLAB_ARRAY_BYTES / stride));
}

/* Full magazines the depot of c keeps, with its arrays as they are now. */
static unsigned depot_max(const struct kmem_cache *c)
{
	if (c->c_stride > SLAB_LARGE_OBJECT)
		return 1;
	return MAX(2u, SLAB_DEPOT_BYTES / (c->c_array_limit * c->c_stride));
}

void slab_cpu_init(struct kmem_cache *c)
{
	struct slab_cpu *cpu = NULL;

	if (!cache_debug(c) && !(c->c_flags & SLAB_NO_ARRAYS))
		cpu = mm_percpu_alloc(sizeof(struct slab_cpu));
	c->c_cpu = cpu ? cpu : slab_no_arrays;
	c->c_array_limit = cpu ? array_limit(c->c_stride) : 0;
	c->c_depot_full = c->c_depot_empty = NULL;
	c->c_depot_nr_full = c->c_depot_nr_empty = 0;
	c->c_depot_max = c->c_array_limit ? depot_max(c) : 0;
	c->c_depot_exchanges = 0;
	c->c_users = 0;
	c->c_drain_pending = false;
}

void slab_cpu_fini(struct kmem_cache *c)
{
	if (c->c_array_limit)
		mm_percpu_free(c->c_cpu, sizeof(struct slab_cpu));
	c->c_cpu = slab_no_arrays;
	c->c_array_limit = 0;
}

/* This CPU's arrays of c, given their limit on the first use. */
static struct slab_cpu *local_arrays(struct kmem_cache *c)
{
	struct slab_cpu *sc = mm_this_cpu(c->c_cpu);

	if (unlikely(!sc->sc_loaded.a_limit) && READ_ONCE(arrays_on))
		sc->sc_loaded.a_limit = sc->sc_prev.a_limit = c->c_array_limit;
	return sc;
}

/* Moves every object of `from` onto the empty `to`. */
static void array_move(struct mm_obj_array *to, struct mm_obj_array *from)
{
	memcpy(&to->a_slot[1], &from->a_slot[1], from->a_avail * sizeof(void *));
	to->a_avail = from->a_avail;
	from->a_avail = 0;
}

/* --- allocation ----------------------------------------------------------- */

/* A full magazine's objects onto the empty array l (c_lock held); false
 * if the depot has none. */
static bool __depot_take(struct kmem_cache *c, struct mm_obj_array *l)
{
	struct slab_magazine *m = c->c_depot_full;

	MM_LOCK_HELD(&c->c_lock);
	if (!m)
		return false;
	c->c_depot_full = m->m_next;
	c->c_depot_nr_full--;
	memcpy(&l->a_slot[1], m->m_obj, m->m_rounds * sizeof(void *));
	l->a_avail = m->m_rounds;
	m->m_rounds = 0;
	m->m_next = c->c_depot_empty;
	c->c_depot_empty = m;
	c->c_depot_nr_empty++;
	c->c_depot_exchanges++;
	return true;
}

void *slab_cpu_alloc_refill(struct kmem_cache *c)
{
	mm_irqflags_t flags = mm_irq_save();
	struct slab_cpu *sc = local_arrays(c);
	struct mm_obj_array *l = &sc->sc_loaded;
	void *obj;

	if (!l->a_avail && sc->sc_prev.a_avail)
		array_move(l, &sc->sc_prev);
	if (!l->a_limit) { /* arrays off: one object straight off a slab */
		mm_irqflags_t f = mm_lock(&c->c_lock);
		obj = NULL;
		__slab_fill(c, &obj, 1);
		mm_unlock(&c->c_lock, f);
		mm_irq_restore(flags);
		return obj;
	}
	if (!l->a_avail) {
		mm_irqflags_t f = mm_lock(&c->c_lock);
		if (!__depot_take(c, l))
			l->a_avail = __slab_fill(c, &l->a_slot[1], l->a_limit);
		mm_unlock(&c->c_lock, f);
	}
	obj = l->a_slot[l->a_avail];
	if (obj)
		l->a_avail--;
	mm_irq_restore(flags);
	return obj;
}

/* --- freeing -------------------------------------------------------------- */

/* The full array p goes to the depot in an empty magazine (spare, or one
 * of the depot's), or back to its slabs when the depot is full or there
 * is no magazine (c_lock held).  Returns spare if it was not used. */
static struct slab_magazine *__depot_put(struct kmem_cache *c, struct mm_obj_array *p,
					 struct slab_magazine *spare,
					 struct page **dead, unsigned *nr_dead)
{
	struct slab_magazine *m = c->c_depot_empty;

	MM_LOCK_HELD(&c->c_lock);
	if (c->c_depot_nr_full >= c->c_depot_max || (!m && !spare)) {
		__slab_return(c, &p->a_slot[1], p->a_avail, dead, nr_dead);
		p->a_avail = 0;
		return spare;
	}
	if (m) {
		c->c_depot_empty = m->m_next;
		c->c_depot_nr_empty--;
	} else {
		m = spare;
		spare = NULL;
	}
	memcpy(m->m_obj, &p->a_slot[1], p->a_avail * sizeof(void *));
	m->m_rounds = p->a_avail;
	p->a_avail = 0;
	m->m_next = c->c_depot_full;
	c->c_depot_full = m;
	c->c_depot_nr_full++;
	c->c_depot_exchanges++;
	return spare;
}

bool slab_cpu_free_slow(struct kmem_cache *c, void *obj)
{
	uintptr_t *mark = &slab_obj_rec(c, obj)->f_mark;
	struct slab_magazine *spare = NULL;
	struct page *dead[SLAB_MAG_SIZE];
	unsigned nr_dead = 0;
	mm_irqflags_t flags;
	struct slab_cpu *sc;

	if (slab_mark_free(*mark))
		return false;
	flags = mm_irq_save();
	sc = local_arrays(c);
	if (!sc->sc_loaded.a_limit) { /* arrays off: straight back to its slab */
		mm_irqflags_t f = mm_lock(&c->c_lock);
		*mark = SLAB_MARK_IN_ARRAY; /* as __slab_return expects */
		__slab_return(c, &obj, 1, dead, &nr_dead);
		mm_unlock(&c->c_lock, f);
		mm_irq_restore(flags);
		while (nr_dead)
			release_slab(c, dead[--nr_dead]);
		return true;
	}
	if (sc->sc_loaded.a_avail >= sc->sc_loaded.a_limit) {
		if (sc->sc_prev.a_avail) {
			mm_irqflags_t f;
			/* a magazine before the lock: its cache has a lock of
			 * the same rank */
			if (magazine_cache && !READ_ONCE(c->c_depot_empty) &&
			    READ_ONCE(c->c_depot_nr_full) < c->c_depot_max)
				spare = kmem_cache_alloc(magazine_cache, GFP_KERNEL | __GFP_NOWARN);
			f = mm_lock(&c->c_lock);
			spare = __depot_put(c, &sc->sc_prev, spare, dead, &nr_dead);
			if (spare) {
				spare->m_next = c->c_depot_empty;
				c->c_depot_empty = spare;
				c->c_depot_nr_empty++;
			}
			mm_unlock(&c->c_lock, f);
		}
		array_move(&sc->sc_prev, &sc->sc_loaded);
	}
	*mark = SLAB_MARK_IN_ARRAY;
	sc->sc_loaded.a_slot[++sc->sc_loaded.a_avail] = obj;
	mm_irq_restore(flags);
	while (nr_dead)
		release_slab(c, dead[--nr_dead]);
	return true;
}

/* --- draining ------------------------------------------------------------- */

struct drain_req {
	struct kmem_cache *const *caches;
	unsigned n;
};

/* This CPU's arrays of every cache of the request back to their slabs
 * (on each CPU, interrupts off). */
static void drain_local(void *arg)
{
	const struct drain_req *req = arg;

	for (unsigned i = 0; i < req->n; i++) {
		struct kmem_cache *c = req->caches[i];
		struct slab_cpu *sc;
		struct page *dead[2 * SLAB_MAG_SIZE];
		unsigned nr_dead = 0;
		mm_irqflags_t f;

		if (!c->c_array_limit)
			continue;
		sc = mm_this_cpu(c->c_cpu);
		if (!sc->sc_loaded.a_avail && !sc->sc_prev.a_avail)
			continue;
		f = mm_lock(&c->c_lock);
		__slab_return(c, &sc->sc_loaded.a_slot[1], sc->sc_loaded.a_avail, dead, &nr_dead);
		__slab_return(c, &sc->sc_prev.a_slot[1], sc->sc_prev.a_avail, dead, &nr_dead);
		sc->sc_loaded.a_avail = sc->sc_prev.a_avail = 0;
		mm_unlock(&c->c_lock, f);
		while (nr_dead)
			release_slab(c, dead[--nr_dead]);
	}
}

unsigned slab_cpu_objects_on(const struct kmem_cache *c, unsigned cpu)
{
	const struct slab_cpu *sc = mm_per_cpu(c->c_cpu, cpu);

	return READ_ONCE(sc->sc_loaded.a_avail) + READ_ONCE(sc->sc_prev.a_avail);
}

/* Whether a CPU but this one holds objects of one of the caches. */
static bool others_hold(const struct drain_req *req)
{
	unsigned self = mm_cpu_id();

	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		if (cpu == self || !mm_cpu_online(cpu))
			continue;
		for (unsigned i = 0; i < req->n; i++)
			if (req->caches[i]->c_array_limit && slab_cpu_objects_on(req->caches[i], cpu))
				return true;
	}
	return false;
}

/* Every magazine of c's depot: the full ones' objects back to their slabs,
 * all the shells back to the magazine cache. */
static void depot_drain(struct kmem_cache *c)
{
	for (;;) {
		mm_irqflags_t f = mm_lock(&c->c_lock);
		struct slab_magazine *m = c->c_depot_full;
		struct page *dead[SLAB_MAG_SIZE];
		unsigned nr_dead = 0;

		if (m) {
			c->c_depot_full = m->m_next;
			c->c_depot_nr_full--;
			__slab_return(c, m->m_obj, m->m_rounds, dead, &nr_dead);
		} else if ((m = c->c_depot_empty) != NULL) {
			c->c_depot_empty = m->m_next;
			c->c_depot_nr_empty--;
		}
		mm_unlock(&c->c_lock, f);
		if (!m)
			return;
		while (nr_dead)
			release_slab(c, dead[--nr_dead]);
		kmem_cache_free(magazine_cache, m);
	}
}

void slab_cpu_drain(struct kmem_cache *const *caches, unsigned n)
{
	struct drain_req req = { caches, n };
	mm_irqflags_t flags;

	if (others_hold(&req)) {
		mm_on_each_cpu(drain_local, &req);
	} else {
		flags = mm_irq_save();
		drain_local(&req);
		mm_irq_restore(flags);
	}
	for (unsigned i = 0; i < n; i++)
		if (caches[i]->c_array_limit)
			depot_drain(caches[i]);
}

void __kmem_cache_drain(struct kmem_cache *c)
{
	slab_cpu_drain(&c, 1);
}

void slab_cpu_drain_quarantined(struct kmem_cache *c)
{
	if (!mm_on_each_cpu_ok())
		return; /* the next slow path with interrupts on */
	WRITE_ONCE(c->c_drain_pending, false); /* a quarantine meanwhile sets it again */
	slab_cpu_drain(&c, 1);
}

/* This CPU's arrays of one cache: emptied, and given their limit back
 * (arrays on) or a limit of 0 (off: the fast paths fail over). */
static void set_local_arrays(void *arg)
{
	struct kmem_cache *c = arg;
	struct drain_req req = { &c, 1 };
	struct slab_cpu *sc = mm_this_cpu(c->c_cpu);

	drain_local(&req);
	sc->sc_loaded.a_limit = sc->sc_prev.a_limit = arrays_on ? c->c_array_limit : 0;
}

static void set_arrays(struct kmem_cache *c, void *arg)
{
	(void)arg;
	if (c->c_array_limit) {
		mm_on_each_cpu(set_local_arrays, c);
		depot_drain(c);
	}
}

int kmem_cache_set_array_limit(struct kmem_cache *c, unsigned limit)
{
	const char *op = "kmem_cache_set_array_limit";
	uintptr_t caller = MM_CALLER();
	mm_irqflags_t f;

	if (!slab_cache_check_handle(c, op, caller))
		return -1;
	if (!c->c_array_limit) {
		mm_report_call(REPORT_INVALID_ARG, (uintptr_t)c, op, caller,
			       "cache %s has no per-CPU arrays (a debug cache, or made without)",
			       c->c_name);
		return -1;
	}
	if (limit < SLAB_MAG_LIMIT_MIN || limit > SLAB_MAG_LIMIT_MAX) {
		mm_report_call(REPORT_INVALID_ARG, limit, op, caller,
			       "cache %s: an array limit of %u (it takes %u to %u)",
			       c->c_name, limit, SLAB_MAG_LIMIT_MIN, SLAB_MAG_LIMIT_MAX);
		return -1;
	}
	f = mm_lock(&c->c_lock);
	WRITE_ONCE(c->c_array_limit, limit);
	c->c_depot_max = depot_max(c);
	mm_unlock(&c->c_lock, f);
	set_arrays(c, NULL); /* every CPU's arrays, and the depot, drained */
	return 0;
}

void slab_set_arrays(bool on)
{
	WRITE_ONCE(arrays_on, on);
	slab_for_each_cache(set_arrays, NULL);
}

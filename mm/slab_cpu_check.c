/*
 * The magazine layer seen from outside (mm/slab_cpu.c has the layer):
 * whether an object is in an array or the depot, the objects a slab gives
 * up taken out of them, their count, and the checker of every CPU's
 * arrays and the depot.
 */
#include "mm/slab_internal.h"
#include "mm/report.h"

/* --- looking -------------------------------------------------------------- */

static bool array_holds(const struct mm_obj_array *a, const void *obj)
{
	unsigned n = MIN(READ_ONCE(a->a_avail), (unsigned)SLAB_MAG_SIZE);

	for (unsigned i = 1; i <= n; i++)
		if (READ_ONCE(a->a_slot[i]) == obj)
			return true;
	return false;
}

bool __slab_cpu_holds(struct kmem_cache *c, const void *obj)
{
	MM_LOCK_HELD(&c->c_lock);
	for (const struct slab_magazine *m = c->c_depot_full; m; m = m->m_next)
		for (unsigned i = 0; i < m->m_rounds; i++)
			if (m->m_obj[i] == obj)
				return true;
	for (unsigned cpu = 0; c->c_array_limit && cpu < MM_MAX_CPUS; cpu++) {
		const struct slab_cpu *sc = mm_per_cpu(c->c_cpu, cpu);
		if (mm_cpu_online(cpu) &&
		    (array_holds(&sc->sc_loaded, obj) || array_holds(&sc->sc_prev, obj)))
			return true;
	}
	return false;
}

/* Keeps the objects of slot[0..n) that are not in slab page, marking the
 * others free on their slab; how many it dropped. */
static unsigned array_purge(struct kmem_cache *c, void **slot, unsigned n,
			    const struct page *page)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < n; i++) {
		if (slab_page_of(slot[i]) != page)
			slot[kept++] = slot[i];
		else
			slab_obj_rec(c, slot[i])->f_mark = SLAB_MARK_ON_SLAB;
	}
	return n - kept;
}

unsigned __slab_cpu_purge(struct kmem_cache *c, const struct page *page)
{
	struct slab_cpu *sc;
	unsigned gone, total;

	MM_LOCK_HELD(&c->c_lock);
	if (!c->c_array_limit)
		return 0;
	sc = mm_this_cpu(c->c_cpu);
	total = gone = array_purge(c, &sc->sc_loaded.a_slot[1], sc->sc_loaded.a_avail, page);
	sc->sc_loaded.a_avail -= gone;
	total += gone = array_purge(c, &sc->sc_prev.a_slot[1], sc->sc_prev.a_avail, page);
	sc->sc_prev.a_avail -= gone;
	/* a depot magazine keeps what is left (m_rounds says how many) */
	for (struct slab_magazine *m = c->c_depot_full; m; m = m->m_next) {
		total += gone = array_purge(c, m->m_obj, m->m_rounds, page);
		m->m_rounds -= gone;
	}
	return total;
}

unsigned long slab_cpu_objects(const struct kmem_cache *c, unsigned long *depot)
{
	unsigned long n = 0;

	*depot = 0;
	if (!c->c_array_limit)
		return 0;
	for (unsigned cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		if (mm_cpu_online(cpu))
			n += slab_cpu_objects_on(c, cpu);
	for (const struct slab_magazine *m = READ_ONCE(c->c_depot_full); m; m = READ_ONCE(m->m_next))
		*depot += READ_ONCE(m->m_rounds);
	return n + *depot;
}

/* --- checking ------------------------------------------------------------- */

struct check_req {
	struct kmem_cache *c;
	unsigned problems;
};

static __printf(3, 4) void array_bad(struct check_req *req, const void *obj,
				     const char *fmt, ...)
{
	char prefix[24 + SLAB_NAME_MAX];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "slab_check: cache %s", req->c->c_name);
	va_start(ap, fmt);
	mm_report_finding(&req->problems, (uintptr_t)obj, prefix, fmt, ap);
	va_end(ap);
}

/* One array (or magazine): n objects of c, free and marked so, each once. */
static void check_objects(struct check_req *req, void *const *slot, unsigned n,
			  unsigned limit, const char *where)
{
	struct kmem_cache *c = req->c;

	if (n > limit) {
		array_bad(req, slot, "%s holds %u objects, more than its %u", where, n, limit);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		struct page *page = slab_page_of(slot[i]);
		if (!page || page->s_cache != c || slab_index(c, page, slot[i]) < 0)
			array_bad(req, slot[i], "%s holds %p, not an object of the cache", where, slot[i]);
		else if (slab_obj_rec(c, slot[i])->f_mark != SLAB_MARK_IN_ARRAY)
			array_bad(req, slot[i], "%s holds %p, whose free mark reads %#lx (written after free?)",
				  where, slot[i], (unsigned long)slab_obj_rec(c, slot[i])->f_mark);
		for (unsigned j = 0; j < i; j++)
			if (slot[j] == slot[i])
				array_bad(req, slot[i], "%s holds %p twice", where, slot[i]);
	}
}

static void check_local(void *arg)
{
	struct check_req *req = arg;
	struct slab_cpu *sc = mm_this_cpu(req->c->c_cpu);

	if (sc->sc_loaded.a_slot[0] || sc->sc_prev.a_slot[0])
		array_bad(req, sc, "CPU %u's array guard slot is not NULL", mm_cpu_id());
	check_objects(req, &sc->sc_loaded.a_slot[1], sc->sc_loaded.a_avail,
		      req->c->c_array_limit, "a CPU's loaded array");
	check_objects(req, &sc->sc_prev.a_slot[1], sc->sc_prev.a_avail,
		      req->c->c_array_limit, "a CPU's previous array");
}

unsigned slab_cpu_check(struct kmem_cache *c)
{
	struct check_req req = { c, 0 };
	unsigned full = 0, empty = 0;
	mm_irqflags_t f;

	if (!c->c_array_limit)
		return 0;
	mm_on_each_cpu(check_local, &req);
	f = mm_lock(&c->c_lock);
	for (const struct slab_magazine *m = c->c_depot_full; m && full <= c->c_depot_nr_full; m = m->m_next, full++)
		check_objects(&req, m->m_obj, m->m_rounds, c->c_array_limit, "a depot magazine");
	for (const struct slab_magazine *m = c->c_depot_empty; m && empty <= c->c_depot_nr_empty; m = m->m_next)
		empty++;
	if (full != c->c_depot_nr_full || empty != c->c_depot_nr_empty)
		array_bad(&req, c, "the depot lists %u full and %u empty magazines, its counts say %u and %u",
			  full, empty, c->c_depot_nr_full, c->c_depot_nr_empty);
	mm_unlock(&c->c_lock, f);
	return req.problems;
}

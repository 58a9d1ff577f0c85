"""`strata check`: the allocators' invariants, checked from GDB.

The kernel's own checkers (buddy_check, slab_check) run inside the kernel;
this one reads memory, so it works on a kernel stopped anywhere -- in a
panic, in the middle of a free -- and cannot be fooled by the code it checks.
It checks what the data structures promise each other:

  buddy  every block on the free list of order k of a zone is the head of a
         free block (BUDDY, order k, that zone), aligned to 2^k frames, inside
         the zone; the list holds nr_free blocks; no two blocks overlap; the
         blocks add up to the zone's free_pages; each CPU's list of order k
         holds as many blocks as its count, each marked HOT with order k.
  slab   every slab on a cache's lists belongs to the cache; full slabs have
         every object in use, empty ones none, partial ones some; each free
         list is as long as the objects not in use; the slabs add up to
         c_slabs, the empty ones to c_nr_empty, and the objects in use
         (plus those in the CPUs' arrays and the depot) to c_active.
"""
from strata_mem import (PG_BUDDY, PG_HOT, ev, free_list, list_entries, max_order, page_flags,
                        page_order, page_zone, pcp_lists, slab_free_list, zones)

LIST_LIMIT = 1 << 20


def _check_free_lists(z, zid, problems):
    """Returns the (start, end) of every free block of zone z."""
    name, blocks = z["name"].string(), []
    lo, hi = int(z["start_pfn"]), int(z["end_pfn"])
    for k in range(max_order()):
        pfns = free_list(z, k)
        if len(pfns) != int(z["free_area"][k]["nr_free"]):
            problems.append("%s order %d: %d blocks on the list, nr_free says %d"
                            % (name, k, len(pfns), int(z["free_area"][k]["nr_free"])))
        for pfn in pfns:
            f = page_flags(pfn)
            if not f & PG_BUDDY or page_order(f) != k or page_zone(f) != zid:
                problems.append("%s order %d: pfn %#x is on the list but its page says flags %#x"
                                % (name, k, pfn, f))
            if pfn % (1 << k) or not lo <= pfn < hi or pfn + (1 << k) > hi:
                problems.append("%s order %d: pfn %#x is misaligned or outside the zone %#x-%#x"
                                % (name, k, pfn, lo, hi))
            blocks.append((pfn, pfn + (1 << k)))
    return blocks


def _check_pcp(z, zid, problems):
    for cpu, k, count, pfns in pcp_lists(zid):
        for pfn in pfns:
            f = page_flags(pfn)
            if not f & PG_HOT or page_order(f) != k or page_zone(f) != zid:
                problems.append("%s: pfn %#x is on CPU %d's list of order %d with flags %#x"
                                % (z["name"].string(), pfn, cpu, k, f))
        if len(pfns) != count:
            problems.append("%s: %d blocks on CPU %d's list of order %d, its count says %d"
                            % (z["name"].string(), len(pfns), cpu, k, count))


def check_buddy(problems):
    nblocks = 0
    for zid, z in enumerate(zones()):
        if int(z["managed_pages"]) == 0:
            continue
        blocks = sorted(_check_free_lists(z, zid, problems))
        nblocks += len(blocks)
        for (s1, e1), (s2, _) in zip(blocks, blocks[1:]):
            if s2 < e1:
                problems.append("%s: free blocks at pfn %#x and %#x overlap"
                                % (z["name"].string(), s1, s2))
        pages = sum(e - s for s, e in blocks)
        if pages != int(z["free_pages"]):
            problems.append("%s: %d pages in free blocks, free_pages says %d"
                            % (z["name"].string(), pages, int(z["free_pages"])))
        _check_pcp(z, zid, problems)
    return nblocks


def _slab_pfn(page):
    base, size = int(ev("(unsigned)mem_map")), int(ev("sizeof(struct page)"))
    return (int(page.address) - base) // size


def _check_cache(c, problems):
    name, per = c["c_name"].string(), int(c["c_per_slab"])
    nslabs, inuse_total, nempty = 0, 0, 0
    for lst, want in (("c_partial", "partial"), ("c_full", "full"), ("c_empty", "empty")):
        expr = "((struct kmem_cache *)%d)->%s" % (int(c.address), lst)
        for page in list_entries(expr, "struct page", "lru") or []:
            nslabs += 1
            nempty += want == "empty"
            inuse = int(page["s_inuse"])
            inuse_total += inuse
            ok = {"full": inuse == per, "empty": inuse == 0, "partial": 0 < inuse < per}[want]
            if int(page["s_cache"]) != int(c.address) or not ok:
                problems.append("cache %s: a slab with %d of %d in use is on its %s list"
                                % (name, inuse, per, want))
            if len(slab_free_list(c, _slab_pfn(page))) != per - inuse:
                problems.append("cache %s: a slab's free list disagrees with its use count %d"
                                % (name, inuse))
    if nslabs != int(c["c_slabs"]):
        problems.append("cache %s: %d slabs on its lists, c_slabs says %d" % (name, nslabs, int(c["c_slabs"])))
    if nempty != int(c["c_nr_empty"]):
        problems.append("cache %s: %d slabs on its empty list, c_nr_empty says %d"
                        % (name, nempty, int(c["c_nr_empty"])))
    if inuse_total != int(c["c_active"]):
        problems.append("cache %s: %d objects in use on its slabs, c_active says %d"
                        % (name, inuse_total, int(c["c_active"])))
    return nslabs


def check_slab(problems, caches):
    return sum(_check_cache(c, problems) for c in caches)

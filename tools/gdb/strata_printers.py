"""Pretty-printers: `print mem_map[256]`, `print zones[1]`, `print *cache`
and `print *task` show what the fields mean (states, zones and owners by
name) instead of raw numbers.  A printer that cannot read what it needs
falls back to a short note, never an exception."""
import gdb

from strata_mem import (STATE_BITS, owner_name, page_order, page_owner, page_zone, pcp_frames, slab_row,
                        zone_name)


def describe_page(pfn, flags):
    state = " ".join(n for b, n in STATE_BITS if flags & b) or "none"
    return "pfn %#x: %s order %d zone %s owner %s" % (
        pfn, state, page_order(flags), zone_name(page_zone(flags)), owner_name(page_owner(flags)))


class PagePrinter:
    """struct page: its flags decoded, the owner by name."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        flags = int(self.val["flags"])
        state = "|".join(n for b, n in STATE_BITS if flags & b) or "none"
        return "struct page {state=%s, order=%d, zone=%s, owner=%s}" % (
            state, page_order(flags), zone_name(page_zone(flags)), owner_name(page_owner(flags)))


class CachePrinter:
    """struct kmem_cache: the slabinfo line of the cache."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        name, active, total, size, per, pages, slabs = slab_row(self.val)
        return ("struct kmem_cache %s {objects %d/%d, size %d, %d per slab of %d page(s), "
                "%d slabs}" % (name, active, total, size, per, pages, slabs))


class ZonePrinter:
    """struct zone: its span, memory, and free blocks per order."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        z = self.val
        fa = z["free_area"]
        orders = int(fa.type.sizeof // fa[0].type.sizeof)
        free = " ".join(str(int(fa[k]["nr_free"])) for k in range(orders))
        return ("struct zone %s {pfn %#x-%#x, managed %d, free %d + %d on CPU lists, "
                "free blocks by order [%s]}" % (
                    z["name"].string(), int(z["start_pfn"]), int(z["end_pfn"]),
                    int(z["managed_pages"]), int(z["free_pages"]), pcp_frames(int(z["id"])), free))


class TaskPrinter:
    """struct task: pid, name, state."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        t = self.val
        return "struct task {pid %d, \"%s\", %s, stack %#x}" % (
            int(t["t_pid"]), t["t_name"].string(), t["t_state"], int(t["t_kstack"]))


PRINTERS = {"page": PagePrinter, "kmem_cache": CachePrinter, "zone": ZonePrinter,
            "task": TaskPrinter}


class Guarded:
    """Wraps a printer so that unreadable memory gives a note, not a traceback."""

    def __init__(self, printer):
        self.printer = printer

    def to_string(self):
        try:
            return self.printer.to_string()
        except (gdb.error, gdb.MemoryError, ValueError) as e:
            return "<unreadable: %s>" % e


def lookup(val):
    t = val.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag in PRINTERS:
        return Guarded(PRINTERS[t.tag](val))
    return None

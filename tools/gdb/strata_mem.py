"""Reading the kernel's structures from GDB, for the Strata helpers.

Everything here reads memory (the page tables through QEMU's physical-memory
mode, the rest through the kernel's own mappings) and never calls into the
kernel, so it works at any breakpoint, even in a kernel that is stuck.  Bad
input and a kernel that is not far enough along raise gdb.GdbError with a
one-line message, which GDB prints without a traceback.
"""
import os
import re

import gdb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read_defines(header):
    """The plain "#define NAME number" lines of a header of the tree (GDB
    sees no macros: the numbers come from where they are typed once)."""
    out = {}
    with open(os.path.join(ROOT, header)) as f:
        for line in f:
            m = re.match(r"#define (\w+) (0x[0-9a-fA-F]+|\d+)\b", line)
            if m:
                out[m.group(1)] = int(m.group(2), 0)
    return out


LAYOUT = read_defines("arch/x86/layout.h")
KERNEL_VBASE = LAYOUT["KERNEL_VBASE"]
PAGE_SHIFT = LAYOUT["PAGE_SHIFT"]
PAGE_SIZE = LAYOUT["PAGE_SIZE"]
CR0_PG = 1 << 31

PTE_BITS = [(0x001, "P"), (0x002, "RW"), (0x004, "U"), (0x008, "PWT"), (0x010, "PCD"),
            (0x020, "A"), (0x040, "D"), (0x080, "PAT"), (0x100, "G")]
# Bit 7 of a directory entry is PS; a 4 MiB page keeps its PAT bit in bit 12.
PDE_BITS = PTE_BITS[:7] + [(0x080, "PS"), (0x100, "G")]
PDE_4M_BITS = PDE_BITS + [(0x1000, "PAT")]


def entry_bits(level, entry):
    """The bit names that apply to an entry of the walk at `level`."""
    if level == "PTE":
        return PTE_BITS
    return PDE_4M_BITS if entry & 0x80 else PDE_BITS

# mm/page.h
PG_BUDDY, PG_ALLOCATED, PG_HOT, PG_RESERVED, PG_TAIL = 0x01, 0x02, 0x04, 0x08, 0x10
STATE_BITS = [(PG_BUDDY, "BUDDY"), (PG_ALLOCATED, "ALLOCATED"), (PG_HOT, "HOT"),
              (PG_RESERVED, "RESERVED"), (PG_TAIL, "TAIL")]


class Error(gdb.GdbError):
    """A one-line message for the user, printed by GDB without a traceback."""


def value(expr):
    """The integer value of a GDB expression, or a one-line error."""
    try:
        return int(gdb.parse_and_eval(expr)) & 0xFFFFFFFF
    except gdb.error as e:
        raise Error("error: cannot evaluate '%s': %s" % (expr, e))


def ev(expr):
    return gdb.parse_and_eval(expr)


def read_u32(addr):
    mem = gdb.selected_inferior().read_memory(addr, 4)
    return int.from_bytes(bytes(mem), "little")


def read_phys_u32(pa):
    """Reads a 32-bit word of physical memory through QEMU's PhyMemMode."""
    gdb.execute("maint packet Qqemu.PhyMemMode:1", to_string=True)
    try:
        mem = gdb.selected_inferior().read_memory(pa, 4)
    finally:
        gdb.execute("maint packet Qqemu.PhyMemMode:0", to_string=True)
    return int.from_bytes(bytes(mem), "little")


def require_paging():
    """The kernel's structures live in the higher half: paging must be on."""
    try:
        cr0 = int(ev("$cr0"))
    except gdb.error:
        raise Error("error: no CPU to read (attach to QEMU first: make debug, then make gdb)")
    if not cr0 & CR0_PG:
        raise Error("error: paging is not on yet (CR0.PG is clear), so the kernel's "
                    "structures are out of reach: break at kmain and continue")


def require_mm():
    require_paging()
    if value("max_pfn") == 0:
        raise Error("error: the page array does not exist yet (mm_init has not run)")


def cr3():
    return int(ev("$cr3")) & 0xFFFFF000


def walk(va):
    """Returns (list of (level, index, address, entry), physical address or None)."""
    require_paging()
    steps = []
    pd = cr3()
    pdi = va >> 22
    pde = read_phys_u32(pd + pdi * 4)
    steps.append(("PDE", pdi, pd + pdi * 4, pde))
    if not pde & 1:
        return steps, None
    if pde & 0x80:  # a 4 MiB page
        return steps, (pde & 0xFFC00000) | (va & 0x3FFFFF)
    pt = pde & 0xFFFFF000
    pti = (va >> 12) & 0x3FF
    pte = read_phys_u32(pt + pti * 4)
    steps.append(("PTE", pti, pt + pti * 4, pte))
    if not pte & 1:
        return steps, None
    return steps, (pte & 0xFFFFF000) | (va & 0xFFF)


def flag_names(entry, bits=PTE_BITS):
    return " ".join(name for bit, name in bits if entry & bit) or "-"


# --- symbols: the kernel's own table, so names match its reports --------------

_ksyms = None


def symbol(addr):
    """"name+0xoff" as the kernel's symbol_format prints it, or "?"."""
    global _ksyms
    if _ksyms is None:
        count = value("ksyms_count")
        table = ev("ksyms_table")
        names = int(ev("(unsigned)ksyms_names"))
        _ksyms = [(int(table[i]["addr"]), names + int(table[i]["name"])) for i in range(count)]
    lo_text, hi_text = value("(unsigned)&__text_start"), value("(unsigned)&__text_end")
    if not _ksyms or not lo_text <= addr < hi_text or addr < _ksyms[0][0]:
        return "?"
    lo, hi = 0, len(_ksyms)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _ksyms[mid][0] <= addr else (lo, mid)
    name = gdb.Value(_ksyms[lo][1]).cast(gdb.lookup_type("char").pointer()).string()
    return "%s+%#x" % (name, addr - _ksyms[lo][0])


# --- zones and the page array -----------------------------------------------

def zones():
    z = ev("zones")
    n = int(z.type.sizeof // z[0].type.sizeof)
    return [z[i] for i in range(n)]


def zone_name(zid):
    names = [z["name"].string() for z in zones()]
    return names[zid] if zid < len(names) else "?"


def max_order():
    fa = ev("zones[0].free_area")
    return int(fa.type.sizeof // fa[0].type.sizeof)


def page_flags(pfn):
    return int(ev("mem_map[%d].flags" % pfn))


def page_order(flags):
    return (flags >> 8) & 0xF


def page_zone(flags):
    return (flags >> 12) & 3


def page_owner(flags):
    return (flags >> 16) & 0xF


def owner_name(owner):
    """mm/page.c's name for an owner id, read from its table."""
    try:
        if owner >= int(ev("OWNER_COUNT")):
            return "?"
        return ev("'mm/page.c'::owners[%d].name" % owner).string()
    except gdb.error:
        return str(owner)


def owner_id(name):
    return int(ev(name))


def online_cpus():
    """The CPUs in cpu_online_mask."""
    bits = int(ev("cpu_online_mask.bits"))
    return [c for c in range(32) if bits >> c & 1]


def pcp_lists(zid):
    """Every online CPU's per-CPU lists of zone zid (mm/buddy.c): a list
    of (cpu, order, count, pfns), read from the per-CPU space's start in
    each CPU's area."""
    base, size = int(ev("(unsigned)mem_map")), int(ev("sizeof(struct page)"))
    lists = []
    for cpu in online_cpus():
        addr = int(ev("(unsigned)mm_percpu_area")) + int(ev("percpu_offset")[cpu])
        pcp = gdb.Value(addr).cast(gdb.lookup_type("struct pcp").pointer())[zid]
        arr = pcp["p_list"]
        for k in range(int(arr.type.sizeof // arr[0].type.sizeof)):
            lst = arr[k]
            node, pfns = int(lst["p_head"]), []
            while node and len(pfns) < (1 << 20):
                pfn = (node - base) // size
                pfns.append(pfn)
                node = int(ev("mem_map[%d].lru.next" % pfn))
            lists.append((cpu, k, int(lst["p_count"]), pfns))
    return lists


def pcp_frames(zid):
    """Frames of zone zid on every CPU's lists, by their counts."""
    return sum(count << k for _, k, count, _ in pcp_lists(zid))


def free_list(zone, order):
    """The pfns on one buddy free list, in list order."""
    head = zone["free_area"][order]["list"]
    head_addr = int(head.address)
    off = int(ev("(unsigned)&((struct page *)0)->lru"))
    base = int(ev("(unsigned)mem_map"))
    size = int(ev("sizeof(struct page)"))
    node, pfns = head["next"], []
    while int(node) != head_addr and len(pfns) < (1 << 20):
        pfns.append((int(node) - off - base) // size)
        node = node["next"]
    return pfns


def list_entries(head_expr, type_name, member, limit=1 << 16):
    """The structures of type_name on the kernel list at head_expr, linked
    through member (a struct list_node)."""
    head = ev(head_expr)
    if int(head["next"]) == 0:
        return None  # not initialised yet
    off = int(ev("(unsigned)&((%s *)0)->%s" % (type_name, member)))
    ptype = gdb.lookup_type(type_name).pointer()
    node, out = head["next"], []
    while int(node) != int(head.address) and len(out) < limit:
        out.append(gdb.Value(int(node) - off).cast(ptype).dereference())
        node = node["next"]
    return out


def caches():
    """Every struct kmem_cache on the kernel's slab_caches list."""
    found = list_entries("slab_caches", "struct kmem_cache", "c_link", 1024)
    if found is None:
        raise Error("error: no slab caches yet (kmem_init has not run)")
    return found


def slab_row(c):
    """name, active, total, object size, objects per slab, pages, slabs."""
    per = int(c["c_per_slab"])
    slabs = int(c["c_slabs"])
    # c_active counts objects off the slabs' free lists; those in the
    # CPUs' arrays and the depot are free, as the kernel's slabinfo says.
    active = int(c["c_active"]) - len(slab_array(c))
    return (c["c_name"].string(), active, per * slabs, int(c["c_size"]),
            per, 1 << int(c["c_order"]), slabs)


# --- a slab's objects (mm/slab_layout.h, mm/slab_record.h) ---------------------

SLAB_DEBUG = 0x02  # mm/slab.h
SLAB_FRESH = 1  # a free-list entry standing for this object and all after it


def slab_first(c, pfn):
    """The first object of the slab at pfn (slab_first_obj)."""
    return (KERNEL_VBASE + (pfn << PAGE_SHIFT) + int(c["c_rec_bytes"])
            + int(ev("mem_map[%d].s_colour" % pfn)) + int(c["c_obj_off"]))


def slab_track(c, pfn, obj):
    """The debug record of obj: an array at the start of its slab."""
    index = (obj - slab_first(c, pfn)) // int(c["c_stride"])
    addr = KERNEL_VBASE + (pfn << PAGE_SHIFT) + index * int(ev("sizeof(struct slab_track)"))
    return gdb.Value(addr).cast(gdb.lookup_type("struct slab_track").pointer()).dereference()


def _free_rec(c, pfn, obj):
    """The address of obj's free record (slab_free_rec)."""
    if int(c["c_flags"]) & SLAB_DEBUG:
        return int(slab_track(c, pfn, obj)["t_free"].address)
    return obj + int(c["c_fp"])


def slab_free_list(c, pfn):
    """The objects on the free list of the slab at pfn, in list order: an
    entry with bit 0 set is a fresh run (it and every object after it in
    the slab); other links are encoded with the cache's secret and the
    link's own address (slab_list_step).  Stops after c_per_slab + 1."""
    first, stride = slab_first(c, pfn), int(c["c_stride"])
    span, secret = int(c["c_span"]), int(c["c_secret"])
    link_off = int(ev("(unsigned)&((struct slab_free_rec *)0)->f_link"))
    entry, out = int(ev("(unsigned)mem_map[%d].s_freelist" % pfn)), []
    while entry and len(out) <= int(c["c_per_slab"]):
        obj = entry & ~SLAB_FRESH
        out.append(obj)
        if entry & SLAB_FRESH:
            entry = entry + stride
            if ((entry & ~SLAB_FRESH) - first) & 0xFFFFFFFF >= span:
                entry = 0
        else:
            where = _free_rec(c, pfn, obj) + link_off
            entry = read_u32(where) ^ secret ^ where
    return out


def _array_objects(a):
    last = a["a_slot"].type.range()[1]  # a_slot[1..SLAB_MAG_SIZE]
    return [int(a["a_slot"][i]) for i in range(1, min(int(a["a_avail"]), last) + 1)]


def slab_array(c):
    """The free objects in every online CPU's arrays of the cache (its
    per-CPU struct slab_cpu, c_cpu being CPU 0's copy) and in its depot's
    full magazines."""
    objs = []
    if int(c["c_array_limit"]) == 0:
        return objs
    for cpu in online_cpus():
        addr = int(c["c_cpu"]) + int(ev("percpu_offset")[cpu])
        sc = gdb.Value(addr).cast(gdb.lookup_type("struct slab_cpu").pointer()).dereference()
        objs += _array_objects(sc["sc_loaded"]) + _array_objects(sc["sc_prev"])
    m, n = int(c["c_depot_full"]), 0
    while m and n <= int(c["c_depot_nr_full"]):
        mag = gdb.Value(m).cast(gdb.lookup_type("struct slab_magazine").pointer()).dereference()
        rounds = min(int(mag["m_rounds"]), mag["m_obj"].type.range()[1] + 1)
        objs += [int(mag["m_obj"][i]) for i in range(rounds)]
        m, n = int(mag["m_next"]), n + 1
    return objs

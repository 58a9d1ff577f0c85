"""GDB helpers for Strata.  `make gdb` loads them; `help strata` lists them.

They read the kernel's own data structures (the page tables through
physical memory, the buddy zones, the page array), never its printed
output, so they work at any breakpoint, even when the kernel is stuck.

  strata-pt VA          walk the two-level page tables of the current CR3
  strata-buddyinfo      free blocks per order per zone (and hot lists)
  strata-freelist Z K   the free blocks of order K in zone Z (0 DMA, 1 Normal, 2 HighMem)
  strata-whatis ADDR    who owns an address (virtual >= 0xc0000000, else physical)
  strata-page PFN       the struct page of a frame, decoded
  strata-slabinfo       every slab cache (when the kernel has them)
  strata-cpus           every CPU: APIC id, online, per-CPU area, space, where it is
"""
import gdb

KERNEL_VBASE = 0xC0000000
PAGE_SHIFT = 12

PTE_BITS = [(0x001, "P"), (0x002, "RW"), (0x004, "U"), (0x008, "PWT"), (0x010, "PCD"),
            (0x020, "A"), (0x040, "D"), (0x080, "PAT"), (0x100, "G")]
# Bit 7 of a directory entry is PS; a 4 MiB page keeps its PAT bit in bit 12.
PDE_BITS = PTE_BITS[:7] + [(0x080, "PS"), (0x100, "G")]
PDE_4M_BITS = PDE_BITS + [(0x1000, "PAT")]


def flag_names(entry, bits=PTE_BITS):
    return " ".join(name for bit, name in bits if entry & bit) or "-"


def read_phys_u32(pa):
    """Reads a 32-bit word of physical memory through QEMU's PhyMemMode."""
    gdb.execute("maint packet Qqemu.PhyMemMode:1", to_string=True)
    try:
        mem = gdb.selected_inferior().read_memory(pa, 4)
    finally:
        gdb.execute("maint packet Qqemu.PhyMemMode:0", to_string=True)
    return int.from_bytes(bytes(mem), "little")


def cr3():
    return int(gdb.parse_and_eval("$cr3")) & 0xFFFFF000


def walk(va):
    """Returns (list of (level, index, address, entry), physical address or None)."""
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


class StrataPrefix(gdb.Command):
    """Strata kernel helpers: strata-pt, strata-buddyinfo, strata-freelist,
strata-whatis, strata-page, strata-slabinfo."""

    def __init__(self):
        super().__init__("strata", gdb.COMMAND_USER, prefix=True)


class PageWalk(gdb.Command):
    """strata-pt VA: walk the page tables of the current CR3 for VA."""

    def __init__(self):
        super().__init__("strata-pt", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        va = int(gdb.parse_and_eval(arg)) & 0xFFFFFFFF
        steps, pa = walk(va)
        print("va %#010x  cr3 %#x" % (va, cr3()))
        for level, index, addr, entry in steps:
            bits = PTE_BITS if level == "PTE" else PDE_4M_BITS if entry & 0x80 else PDE_BITS
            print("  %s[%4d] @phys %#010x = %#010x  %s" % (level, index, addr, entry, flag_names(entry, bits)))
        if pa is None:
            print("  -> not mapped (the walk stops at the %s)" % steps[-1][0])
        else:
            print("  -> phys %#x" % pa)


def zones():
    z = gdb.parse_and_eval("zones")
    n = int(z.type.sizeof // z[0].type.sizeof)
    return [z[i] for i in range(n)]


def max_order():
    fa = gdb.parse_and_eval("zones[0].free_area")
    return int(fa.type.sizeof // fa[0].type.sizeof)


class BuddyInfo(gdb.Command):
    """strata-buddyinfo: free blocks per order per zone, read from `zones`."""

    def __init__(self):
        super().__init__("strata-buddyinfo", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        orders = max_order()
        print("%-8s" % "zone" + "".join(" %6d" % k for k in range(orders)) + "   hot")
        for z in zones():
            if int(z["managed_pages"]) == 0:
                continue
            row = "".join(" %6d" % int(z["free_area"][k]["nr_free"]) for k in range(orders))
            print("%-8s%s %5d" % (z["name"].string(), row, int(z["hot_count"])))


def page_size():
    return int(gdb.parse_and_eval("sizeof(struct page)"))


def page_at(pfn):
    return gdb.parse_and_eval("mem_map[%d]" % pfn)


class FreeList(gdb.Command):
    """strata-freelist ZONE ORDER: the free blocks on one buddy free list."""

    def __init__(self):
        super().__init__("strata-freelist", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        zi, order = [int(gdb.parse_and_eval(a)) for a in arg.split()]
        z = zones()[zi]
        head = z["free_area"][order]["list"]
        head_addr = int(head.address)
        off = int(gdb.parse_and_eval("&((struct page *)0)->lru"))
        base = int(gdb.parse_and_eval("mem_map"))
        node = head["next"]
        pfns = []
        while int(node) != head_addr and len(pfns) < 4096:
            pfns.append((int(node) - off - base) // page_size())
            node = node["next"]
        print("%s order %d: %d blocks" % (z["name"].string(), order, len(pfns)))
        print(" ".join("%#x" % p for p in pfns))


STATE_BITS = [(0x01, "BUDDY"), (0x02, "ALLOCATED"), (0x04, "HOT"), (0x08, "RESERVED"), (0x10, "TAIL")]
ZONES = ["DMA", "Normal", "HighMem", "?"]


def owner_name(owner):
    """mm/page.c's name for an owner id, read from its table (no call into
    the kernel: the kernel passes arguments in registers, -mregparm=3)."""
    try:
        if owner >= int(gdb.parse_and_eval("OWNER_COUNT")):
            return str(owner)
        return gdb.parse_and_eval("'mm/page.c'::owners[%d].name" % owner).string()
    except gdb.error:
        return str(owner)


def describe_page(pfn):
    flags = int(page_at(pfn)["flags"])
    state = " ".join(n for b, n in STATE_BITS if flags & b) or "none"
    return "pfn %#x: %s order %d zone %s owner %d" % (
        pfn, state, (flags >> 8) & 0xF, ZONES[(flags >> 12) & 3], (flags >> 16) & 0xF), flags


class PagePrinter:
    """Pretty-printer for struct page: its flags decoded."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        flags = int(self.val["flags"])
        state = "|".join(n for b, n in STATE_BITS if flags & b) or "none"
        return "struct page {state=%s, order=%d, zone=%s, owner=%d}" % (
            state, (flags >> 8) & 0xF, ZONES[(flags >> 12) & 3], (flags >> 16) & 0xF)


class CachePrinter:
    """Pretty-printer for struct kmem_cache: the slabinfo line of the cache."""

    def __init__(self, val):
        self.val = val

    def to_string(self):
        name, active, total, size, per, pages, slabs = slab_row(self.val)
        return ("struct kmem_cache %s {objects %d/%d, size %d, %d per slab of %d page(s), "
                "%d slabs}" % (name, active, total, size, per, pages, slabs))


def lookup(val):
    t = val.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag == "page":
        return PagePrinter(val)
    if t.code == gdb.TYPE_CODE_STRUCT and t.tag == "kmem_cache":
        return CachePrinter(val)
    return None


class PageCmd(gdb.Command):
    """strata-page PFN: the struct page of a frame."""

    def __init__(self):
        super().__init__("strata-page", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        pfn = int(gdb.parse_and_eval(arg))
        print(describe_page(pfn)[0])
        print(page_at(pfn))


def whatis_phys(pa):
    pfn = pa >> PAGE_SHIFT
    if pfn >= int(gdb.parse_and_eval("max_pfn")):
        return "beyond the page array"
    flags = int(page_at(pfn)["flags"])
    owner = owner_name((flags >> 16) & 0xF)
    if flags & 0x08:
        return "reserved (%s)" % owner
    if flags & 0x04:
        return "free: on a hot list"
    for k in range(max_order()):
        head = pfn & ~((1 << k) - 1)
        f = int(page_at(head)["flags"])
        order = (f >> 8) & 0xF
        if f & 0x01 and order >= k and pfn < head + (1 << order):
            return "free: inside a buddy block of order %d at pfn %#x" % (order, head)
        if f & 0x02 and order >= k and pfn < head + (1 << order):
            return "%s: allocated block of order %d at pfn %#x" % (
                owner_name((f >> 16) & 0xF), order, head)
    return "no owner found"


class WhatIs(gdb.Command):
    """strata-whatis ADDR: who owns an address (the kernel image, a free
buddy block, an allocated block and its owner, a reserved range)."""

    def __init__(self):
        super().__init__("strata-whatis", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        addr = int(gdb.parse_and_eval(arg)) & 0xFFFFFFFF
        for sec in ("text", "rodata", "data", "bss"):
            lo = int(gdb.parse_and_eval("(unsigned)&__%s_start" % sec))
            hi = int(gdb.parse_and_eval("(unsigned)&__%s_end" % sec))
            if lo <= addr < hi:
                print("%#x: kernel image: .%s" % (addr, sec))
                return
        pa = addr - KERNEL_VBASE if addr >= KERNEL_VBASE else addr
        print("%#x: %s" % (addr, whatis_phys(pa)))


def caches():
    """Every struct kmem_cache on the kernel's slab_caches list."""
    head = gdb.parse_and_eval("slab_caches")
    off = int(gdb.parse_and_eval("(unsigned)&((struct kmem_cache *)0)->c_link"))
    ctype = gdb.lookup_type("struct kmem_cache").pointer()
    node, out = head["next"], []
    while int(node) != int(head.address) and len(out) < 1024:
        out.append(gdb.Value(int(node) - off).cast(ctype).dereference())
        node = node["next"]
    return out


def slab_row(c):
    """name, active, total, object size, objects per slab, pages, slabs."""
    per = int(c["c_per_slab"])
    slabs = int(c["c_slabs"])
    # c_active counts objects off the slabs' free lists; those in the
    # cache's array (c_array) are free, as the kernel's slabinfo says.
    active = int(c["c_active"]) - int(c["c_array"]["a_avail"])
    return (c["c_name"].string(), active, per * slabs, int(c["c_size"]),
            per, 1 << int(c["c_order"]), slabs)


class SlabInfo(gdb.Command):
    """strata-slabinfo: every slab cache, read from the kernel's cache list."""

    def __init__(self):
        super().__init__("strata-slabinfo", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        print("%-20s %8s %8s %7s %8s %6s %6s" % ("name", "active", "total", "objsize",
                                                  "obj/slab", "pages", "slabs"))
        for c in caches():
            print("%-20s %8d %8d %7d %8d %6d %6d" % slab_row(c))


def per_cpu(name, cpu):
    """CPU cpu's copy of the per-CPU variable `name` (its plain name is
    CPU 0's copy; the others lie percpu_offset[cpu] bytes away)."""
    var = gdb.parse_and_eval(name)
    addr = int(var.address) + int(gdb.parse_and_eval("percpu_offset")[cpu])
    return gdb.Value(addr).cast(var.type.pointer()).dereference()


class Cpus(gdb.Command):
    """strata-cpus: every CPU the kernel knows, from its per-CPU areas, and
where each is now (QEMU's gdbstub shows CPU n as thread n + 1)."""

    def __init__(self):
        super().__init__("strata-cpus", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        online = int(gdb.parse_and_eval("cpu_online_mask")["bits"])
        threads = {t.num: t for t in gdb.selected_inferior().threads()}
        here = gdb.selected_thread()
        print("%3s %4s %-7s %-10s %-10s %s" % ("cpu", "apic", "state", "area", "space cr3",
                                                "eip"))
        for cpu in range(int(gdb.parse_and_eval("smp_nr_cpus"))):
            area = int(gdb.parse_and_eval("&__percpu_start")) + \
                int(gdb.parse_and_eval("percpu_offset")[cpu])
            space = per_cpu("current_as", cpu)
            cr3 = "-" if int(space) == 0 else "%#x" % int(space["as_pgdir_phys"])
            where = "-"
            if cpu + 1 in threads:
                threads[cpu + 1].switch()
                where = str(gdb.parse_and_eval("$eip")).split(" ", 1)[-1]
            print("%3d %4d %-7s %#010x %-10s %s" % (
                cpu, int(gdb.parse_and_eval("smp_apic_id")[cpu]),
                "online" if online >> cpu & 1 else "offline", area, cr3, where))
        here.switch()


StrataPrefix()
PageWalk()
BuddyInfo()
FreeList()
PageCmd()
WhatIs()
SlabInfo()
Cpus()
gdb.pretty_printers.append(lookup)

"""`strata whatis`: who owns an address, read from the kernel's structures.

The answer is the kernel's own, word for word: each sentence here has a twin
in kernel/whatis.c or kernel/whatis_virt.c, and the runner compares the two
(the shell's `whatis` and this, on the same addresses).  Change both.
"""
import gdb

from strata_mem import (KERNEL_VBASE, LAYOUT, PAGE_SHIFT, PAGE_SIZE, PG_ALLOCATED, PG_BUDDY, PG_HOT,
                        PG_RESERVED, PG_TAIL, SLAB_DEBUG, ev, list_entries, max_order, owner_id,
                        owner_name, page_flags, page_order, page_owner, page_zone, require_mm,
                        slab_array, slab_first, slab_free_list, slab_track, symbol, value, walk,
                        zone_name)


def _section(va):
    for start, end, name in ((".text", "__text", ".text"), (".rodata", "__rodata", ".rodata"),
                             (".data", "__data", ".data"), (".bss", "__bss", ".bss"),
                             (".ksyms", "__ksyms", ".ksyms (the symbol table)")):
        lo = value("(unsigned)&%s_start" % end)
        hi = value("(unsigned)&%s_end" % end)
        if lo <= va < hi:
            return name
    return "between its sections"


def whatis_image(va):
    guard = value("(unsigned)&boot_stack_guard")
    if guard <= va < guard + PAGE_SIZE:
        return "kernel image: %s, the boot stack's guard page (never mapped)" % _section(va)
    if walk(va)[1] is None:
        return "kernel image: %s, not mapped" % _section(va)
    return "kernel image: %s" % _section(va)


# --- slabs -------------------------------------------------------------------

def _slab_head(va):
    """The head page (pfn) of the slab holding va, or None (slab_page_of)."""
    pa = (va - KERNEL_VBASE) & 0xFFFFFFFF
    if pa >= value("mm_direct_limit") or pa >> PAGE_SHIFT >= value("max_pfn"):
        return None
    pfn = pa >> PAGE_SHIFT
    if page_flags(pfn) & PG_TAIL:
        pfn = (int(ev("mem_map[%d].head" % pfn)) - int(ev("(unsigned)mem_map"))) \
            // int(ev("sizeof(struct page)"))
    f = page_flags(pfn)
    slab_bits = (owner_id("OWNER_SLAB") << 16) | PG_ALLOCATED
    return pfn if f & (0xF0000 | PG_ALLOCATED) == slab_bits else None


def _find_object(va, pfn):
    """(cache, object start) for va in the slab at pfn, or (None, None)."""
    c = ev("mem_map[%d].s_cache" % pfn).dereference()
    obj_off, stride = int(c["c_obj_off"]), int(c["c_stride"])
    slots = slab_first(c, pfn) - obj_off
    if va < slots:
        return None, None
    off = va - slots
    if off // stride >= int(c["c_per_slab"]):
        return None, None
    return c, slots + off - off % stride + obj_off


def _is_free(c, pfn, obj):
    return obj in slab_array(c) or obj in slab_free_list(c, pfn)


def _callers(c, pfn, obj, is_free):
    if not int(c["c_flags"]) & SLAB_DEBUG:
        return ""
    track = slab_track(c, pfn, obj)
    alloc_by, free_by = int(track["t_alloc_by"]), int(track["t_free_by"])
    out = ", allocated by %s" % symbol(alloc_by) if alloc_by else ""
    if is_free and free_by:
        out += ", freed by %s" % symbol(free_by)
    return out


def _describe_slab(head, pa):
    va = KERNEL_VBASE + pa
    c, start = _find_object(va, head)
    if c is None:
        cache = ev("mem_map[%d].s_cache" % head)
        name = cache.dereference()["c_name"].string() if int(cache) else "?"
        return "slab: cache %s, outside every object (colour, padding or metadata)" % name
    is_free = _is_free(c, head, start)
    state = "a free" if is_free else "an allocated"
    name, size, off = c["c_name"].string(), int(c["c_size"]), va - start
    if off < 0:
        text = ("slab: %d bytes before %s object of cache %s (%d bytes) at %#010x, in its left red zone"
                % (-off, state, name, size, start))
    else:
        past = "" if off < size else (": past its end, in its right red zone or debug record"
                                      if int(c["c_flags"]) & SLAB_DEBUG else ": past its end, in padding")
        text = ("slab: %s object of cache %s (%d bytes) at %#010x, offset %d%s"
                % (state, name, size, start, off, past))
    return text + _callers(c, head, start, is_free)


# --- physical addresses ---------------------------------------------------------

def _reserved_name(pa):
    regions = ev("boot_memmap.reserved")
    for i in range(value("boot_memmap.nr_reserved")):
        if int(regions[i]["start"]) <= pa < int(regions[i]["end"]):
            return regions[i]["name"].string()
    return None


def _free_block(pfn):
    for k in range(max_order()):
        h = pfn & ~((1 << k) - 1)
        f = page_flags(h)
        if f & (PG_BUDDY | PG_HOT) and page_order(f) >= k and pfn < h + (1 << page_order(f)):
            return h, page_order(f)
    return None


def _allocated_head(pfn):
    for k in range(max_order()):
        h = pfn & ~((1 << k) - 1)
        f = page_flags(h)
        if f & PG_ALLOCATED and pfn < h + (1 << page_order(f)):
            return h
    return None


def whatis_phys(pa):
    require_mm()
    pfn = pa >> PAGE_SHIFT
    if pfn >= value("max_pfn"):
        return "beyond the page array: no RAM the kernel manages"
    f = page_flags(pfn)
    if f & PG_RESERVED:
        if page_owner(f) == owner_id("OWNER_KERNEL_IMAGE"):
            return whatis_image(KERNEL_VBASE + pa)
        name = _reserved_name(pa) or "not RAM (a hole in the memory map)"
        boot = ", taken from bootmem at boot" if page_owner(f) == owner_id("OWNER_BOOTMEM") else ""
        return "reserved: %s%s" % (name, boot)
    if f & PG_HOT:
        return "free: a block of order %d on a CPU's %s list" % (page_order(f), zone_name(page_zone(f)))
    block = _free_block(pfn)
    if block:
        return "free: inside a buddy block of order %d at pfn %#x (%s)" % (
            block[1], block[0], zone_name(page_zone(f)))
    head = _allocated_head(pfn)
    if head is None:
        return "pfn %#x: no owner found" % pfn
    hf = page_flags(head)
    if page_owner(hf) == owner_id("OWNER_SLAB"):
        return _describe_slab(head, pa)
    return "%s: allocated block of order %d at pfn %#x (%s)" % (
        owner_name(page_owner(hf)), page_order(hf), head, zone_name(page_zone(hf)))


# --- virtual addresses ------------------------------------------------------------

def vmalloc_areas():
    """(start, pages, caller) of every live vmalloc area, by address."""
    found = list_entries("'mm/vmalloc.c'::areas", "struct vm_area", "va_link") or []
    return [(int(a["va_start"]), int(a["va_pages"]), int(a["va_caller"])) for a in found]


def _vmalloc(va):
    for start, pages, caller in vmalloc_areas():
        if va < start:
            break
        if va < start + (pages + 1) * PAGE_SIZE:
            page, frame = (va - start) // PAGE_SIZE, walk(va)[1]
            if page == pages or frame is None:
                return ("vmalloc: the guard page after the area at %#x (%d page(s), by %s), never mapped"
                        % (start, pages, symbol(caller)))
            f = page_flags(frame >> PAGE_SHIFT)
            return ("vmalloc: page %d of the area at %#x (%d page(s), by %s), frame pfn %#x (%s)"
                    % (page, start, pages, symbol(caller), frame >> PAGE_SHIFT, zone_name(page_zone(f))))
    return "vmalloc: no area here (free address space)"


def _slot(region, va, base):
    frame = walk(va)[1]
    slot = (va - base) // PAGE_SIZE
    if frame is None:
        return "%s: slot %d, not in use" % (region, slot)
    return "%s: slot %d, maps pfn %#x" % (region, slot, frame >> PAGE_SHIFT)


def whatis_virt(va):
    require_mm()
    kmap_base, fixmap_base = LAYOUT["KMAP_BASE"], LAYOUT["FIXMAP_BASE"]
    kmap_end = kmap_base + LAYOUT["KMAP_SLOTS"] * PAGE_SIZE
    if va < PAGE_SIZE:
        return "the NULL page: never mapped"
    if va < KERNEL_VBASE:
        return "the user half: each address space maps its own"
    if value("(unsigned)&__kernel_start") <= va < value("(unsigned)&__kernel_end"):
        return whatis_image(va)
    if va - KERNEL_VBASE < value("mm_direct_limit"):
        return whatis_phys(va - KERNEL_VBASE)
    if va < LAYOUT["VMALLOC_START"]:
        return "not mapped: above the direct map, below the vmalloc area"
    if va < LAYOUT["VMALLOC_END"]:
        return _vmalloc(va)
    if va < kmap_end:
        return _slot("kmap", va, kmap_base)
    if va < fixmap_base:
        return "not mapped: between the kmap window and the fixmap"
    return _slot("fixmap", va, fixmap_base)


def whatis(addr):
    """The shell's rule: KERNEL_VBASE and above is virtual, below physical."""
    return whatis_virt(addr) if addr >= KERNEL_VBASE else whatis_phys(addr)

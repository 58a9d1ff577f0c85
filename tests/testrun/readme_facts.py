"""What a shell session's answers must satisfy whatever the addresses:
kmalloc's usable size is the size of the cache whatis names for the
object; whatis places the address in the object it names; a page walk's
indices are the address's, its table is the one the directory entry
points to, its frame is the address's physical page (the direct map's
arithmetic for a kmalloc object).  Checked on the README's sample (a
sample with a made-up address must still add up) and on the real run (a
kernel whose answers do not add up has a bug the README would hide)."""
import re

from testrun.common import read_defines

KERNEL_VBASE = read_defines("arch/x86/layout.h")["KERNEL_VBASE"]
PAGE_MASK, PGDIR_MASK = 0xfffff000, 0xffc00000


def session_facts(pairs):
    """The problems of a session, given as (typed line, answer lines)."""
    objects, problems = {}, []  # kmalloc'd address -> usable size
    for typed, answer in pairs:
        words, text = typed.split(), "\n".join(answer)
        if len(words) != 2:
            continue
        if words[0] == "kmalloc":
            problems += kmalloc_facts(words[1], text, objects)
        elif words[0] == "whatis":
            problems += whatis_facts(int(words[1], 16), text, objects)
        elif words[0] == "pt":
            problems += walk_facts(int(words[1], 16), text, int(words[1], 16) in objects)
    return problems


def kmalloc_facts(n, text, objects):
    m = re.search(r"kmalloc\((\d+)\) = (0x[0-9a-f]+), usable size (\d+)", text)
    if not m:
        return []
    objects[int(m.group(2), 16)] = int(m.group(3))
    if m.group(1) != n or int(m.group(3)) < int(n):
        return ["kmalloc %s answers kmalloc(%s), usable size %s" % (n, m.group(1), m.group(3))]
    return []


def whatis_facts(addr, text, objects):
    m = re.search(r"an allocated object of cache (\S+) \((\d+) bytes\) at (0x[0-9a-f]+), offset (\d+)", text)
    if not m:
        return ["whatis %#x: kmalloc returned it, whatis does not call it an allocated object" % addr] \
            if addr in objects else []
    problems = []
    if int(m.group(3), 16) + int(m.group(4)) != addr:
        problems.append("whatis %#x names the object at %s, offset %s" % (addr, m.group(3), m.group(4)))
    size = objects.get(int(m.group(3), 16))
    if size is not None and (m.group(1) != "kmalloc-%d" % size or int(m.group(2)) != size):
        problems.append("kmalloc said usable size %d, whatis names the cache %s (%s bytes)"
                        % (size, m.group(1), m.group(2)))
    return problems


def walk_facts(addr, text, direct):
    """A page walk of addr (`pt ADDR`); `direct`: addr is in the direct
    map, so its frame is addr - KERNEL_VBASE."""
    head = re.search(r"page walk of ([0-9a-f]{8}) with cr3 ([0-9a-f]{8})", text)
    pde = re.search(r"level 1: PDE\[(\d+)\] = ([0-9a-f]{8})", text)
    pte = re.search(r"level 2: PTE\[(\d+)\] of the table at ([0-9a-f]{8}) = ([0-9a-f]{8})", text)
    leaf = re.search(r"-> frame ([0-9a-f]{8})", text)
    if not (head and pde and leaf):
        return []
    where = "pt %#x: " % addr
    problems = []
    if int(head.group(1), 16) != addr:
        problems.append(where + "the walk is of %s" % head.group(1))
    if int(head.group(2), 16) & ~PAGE_MASK:
        problems.append(where + "cr3 %s is not page-aligned" % head.group(2))
    if int(pde.group(1)) != addr >> 22:
        problems.append(where + "PDE[%s], where the address's index is %d" % (pde.group(1), addr >> 22))
    entry = int(pde.group(2), 16)
    if pte:
        if int(pte.group(1)) != (addr >> 12) & 0x3ff:
            problems.append(where + "PTE[%s], where the address's index is %d"
                            % (pte.group(1), (addr >> 12) & 0x3ff))
        if int(pte.group(2), 16) != entry & PAGE_MASK:
            problems.append(where + "the table at %s, where the PDE %08x points to %08x"
                            % (pte.group(2), entry, entry & PAGE_MASK))
        frame, offset = int(pte.group(3), 16) & PAGE_MASK, addr & ~PAGE_MASK
    else:
        frame, offset = entry & PGDIR_MASK, addr & ~PGDIR_MASK
    phys = frame | offset
    if direct and phys != (addr - KERNEL_VBASE) & 0xffffffff:
        problems.append(where + "the entries lead to %08x, where the direct map puts %#x at %08x"
                        % (phys, addr, (addr - KERNEL_VBASE) & 0xffffffff))
    if int(leaf.group(1), 16) != phys:
        problems.append(where + "'-> frame %s', where the entries lead to %08x" % (leaf.group(1), phys))
    return problems

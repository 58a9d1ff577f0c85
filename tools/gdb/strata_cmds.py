"""The `strata` commands of GDB (`help strata` lists them).

Each is `strata NAME` (and `strata-NAME`, the same command, one word for
tab completion).  Every helper checks its arguments and the state of the
kernel first and answers bad input with its usage or a one-line error,
never a Python traceback.
"""
import socket
import time

import gdb

import strata_check
from strata_mem import (LAYOUT, PAGE_SIZE, Error, caches, cr3, entry_bits, ev, flag_names, free_list,
                        list_entries, max_order, page_flags, pcp_frames, read_defines, require_mm,
                        require_paging, slab_row, symbol, value, walk, zones)
from strata_printers import describe_page
from strata_whatis import vmalloc_areas, whatis

TASK = read_defines("kernel/task.h")


class Helper(gdb.Command):
    """A strata helper: subclasses set NAME, USAGE, ARGS = (min, max) and run()."""
    NAME, USAGE, ARGS = "", "", (0, 0)

    def __init__(self, name=None):
        # `help strata NAME` shows the usage under the description
        self.__doc__ = "%s\nUsage: strata %s%s" % (type(self).__doc__, self.NAME,
                                                    " " + self.USAGE if self.USAGE else "")
        super().__init__(name or "strata " + self.NAME, gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if not self.ARGS[0] <= len(argv) <= self.ARGS[1]:
            raise Error("usage: strata %s%s" % (self.NAME, " " + self.USAGE if self.USAGE else ""))
        try:
            self.run(argv)
        except gdb.GdbError:
            raise
        except gdb.MemoryError as e:
            raise Error("error: cannot read the kernel's memory (%s): has it got that far?" % e)
        except gdb.error as e:
            raise Error("error: %s" % e)
        except Exception as e:  # a helper's bug: still one line, never a traceback
            raise Error("error: strata %s failed: %s: %s" % (self.NAME, type(e).__name__, e))

    def run(self, argv):
        raise NotImplementedError


def number(text, what):
    """The value of a number or expression; a function stands for its address."""
    try:
        v = gdb.parse_and_eval(text)
        if v.type.code == gdb.TYPE_CODE_FUNC:
            v = v.address
        return int(v) & 0xFFFFFFFF
    except gdb.error as e:
        raise Error("error: %s: '%s' is not a number or an expression GDB knows (%s)" % (what, text, e))


class PageWalk(Helper):
    """Walk the page tables of the current CR3 for a virtual address."""
    NAME, USAGE, ARGS = "pt", "VA", (1, 1)

    def run(self, argv):
        va = number(argv[0], "VA")
        steps, pa = walk(va)
        print("va %#010x  cr3 %#x" % (va, cr3()))
        for level, index, addr, entry in steps:
            print("  %s[%4d] @phys %#010x = %#010x  %s" % (level, index, addr, entry,
                                                       flag_names(entry, entry_bits(level, entry))))
        if pa is None:
            print("  -> not mapped (the walk stops at the %s)" % steps[-1][0])
        else:
            print("  -> phys %#x" % pa)


class BuddyInfo(Helper):
    """Free blocks per order per zone (and the frames on the CPUs' lists), read from `zones`."""
    NAME = "buddyinfo"

    def run(self, argv):
        require_mm()
        orders = max_order()
        print("%-8s" % "zone" + "".join(" %6d" % k for k in range(orders)) + "   pcp")
        for zid, z in enumerate(zones()):
            if int(z["managed_pages"]) == 0:
                continue
            row = "".join(" %6d" % int(z["free_area"][k]["nr_free"]) for k in range(orders))
            print("%-8s%s %5d" % (z["name"].string(), row, pcp_frames(zid)))


class FreeList(Helper):
    """The free blocks on one buddy free list: ZONE by name (DMA, Normal, HighMem) or number."""
    NAME, USAGE, ARGS = "freelist", "ZONE ORDER   (ZONE: DMA, Normal, HighMem or 0..2)", (2, 2)

    def run(self, argv):
        require_mm()
        zs = zones()
        names = [z["name"].string() for z in zs]
        if argv[0].lower() in [n.lower() for n in names]:
            zi = [n.lower() for n in names].index(argv[0].lower())
        else:
            zi = number(argv[0], "ZONE")
        if zi >= len(zs):
            raise Error("error: no zone %s (the zones: %s)" % (argv[0], ", ".join(names)))
        order = number(argv[1], "ORDER")
        if order >= max_order():
            raise Error("error: order %d is too large (0..%d)" % (order, max_order() - 1))
        pfns = free_list(zs[zi], order)
        print("%s order %d: %d blocks" % (names[zi], order, len(pfns)))
        print(" ".join("%#x" % p for p in pfns))


class WhatIs(Helper):
    """Who owns an address (virtual from 0xc0000000, else physical), as the shell's whatis says."""
    NAME, USAGE, ARGS = "whatis", "ADDR", (1, 1)

    def run(self, argv):
        addr = number(argv[0], "ADDR")
        print("%#x: %s" % (addr, whatis(addr)))


class PageCmd(Helper):
    """The struct page of a frame, decoded."""
    NAME, USAGE, ARGS = "page", "PFN", (1, 1)

    def run(self, argv):
        require_mm()
        pfn = number(argv[0], "PFN")
        if pfn >= value("max_pfn"):
            raise Error("error: pfn %#x is beyond the page array (max_pfn %#x)" % (pfn, value("max_pfn")))
        print(describe_page(pfn, page_flags(pfn)))
        print(ev("mem_map[%d]" % pfn))


class SlabInfo(Helper):
    """Every slab cache, read from the kernel's cache list."""
    NAME = "slabinfo"

    def run(self, argv):
        require_paging()
        found = caches()
        print("%-20s %8s %8s %7s %8s %6s %6s" % ("name", "active", "total", "objsize",
                                                  "obj/slab", "pages", "slabs"))
        for c in found:
            print("%-20s %8d %8d %7d %8d %6d %6d" % slab_row(c))


def log_text():
    """The kernel log (lib/printk.c): the last LOG_BUF_SIZE characters."""
    require_paging()
    size = int(ev("sizeof(log_buf)"))
    head = value("log_head")
    raw = bytes(gdb.selected_inferior().read_memory(int(ev("(unsigned)log_buf")), size))
    kept = min(head, size)
    start = (head - kept) % size
    data = (raw[start:] + raw[:start])[:kept] if kept == size else raw[start:start + kept]
    return data.decode("utf-8", "replace")


class Dmesg(Helper):
    """The kernel log: everything printk printed (the last N lines with N)."""
    NAME, USAGE, ARGS = "dmesg", "[LINES]", (0, 1)

    def run(self, argv):
        text = log_text()
        if argv:
            text = "\n".join(text.split("\n")[-number(argv[0], "LINES") - 1:])
        gdb.write(text)
        if text and not text.endswith("\n"):
            gdb.write("\n")


class Tasks(Helper):
    """Every task: pid, name, state, kernel stack and address space."""
    NAME = "tasks"

    def run(self, argv):
        require_paging()
        tasks = list_entries("'kernel/task.c'::all_tasks", "struct task", "t_link")
        if tasks is None:
            raise Error("error: no task list yet (task_init has not run)")
        print("%5s  %-16s %-14s %-23s %s" % ("pid", "name", "state", "kernel stack", "cr3"))
        for t in tasks:
            stack = int(t["t_kstack"])
            space = t["t_as"]
            cr3_ = "%#010x" % int(space["as_pgdir_phys"]) if int(space) else "-"
            print("%5d  %-16s %-14s %#010x-%#010x  %s" % (
                int(t["t_pid"]), t["t_name"].string(), str(t["t_state"]),
                stack, stack + TASK["TASK_KSTACK_SIZE"], cr3_))
        print("%d task(s)" % len(tasks))


class VmallocInfo(Helper):
    """Every vmalloc area, as the shell's vmallocinfo prints it."""
    NAME = "vmallocinfo"

    def run(self, argv):
        require_mm()
        areas = vmalloc_areas()
        print("vmallocinfo: %d area(s) in %#x-%#x, each followed by a guard page"
              % (value("'mm/vmalloc.c'::nr_areas"), LAYOUT["VMALLOC_START"], LAYOUT["VMALLOC_END"]))
        for start, pages, caller in areas:
            print("  %#010x-%#010x %8d bytes in %d page(s), by %s"
                  % (start, start + pages * PAGE_SIZE, pages * PAGE_SIZE, pages, symbol(caller)))


class Check(Helper):
    """Check the buddy allocator's and the slab caches' invariants from GDB."""
    NAME = "check"

    def run(self, argv):
        require_mm()
        problems = []
        blocks = strata_check.check_buddy(problems)
        found = caches()
        slabs = strata_check.check_slab(problems, found)
        for p in problems:
            print("problem: " + p)
        print("strata check: %d free blocks, %d caches, %d slabs: %d problem(s)"
              % (blocks, len(found), slabs, len(problems)))


def per_cpu(name, cpu):
    """CPU cpu's copy of the per-CPU variable `name` (its plain name is
    CPU 0's copy; the others lie percpu_offset[cpu] bytes away)."""
    var = gdb.parse_and_eval(name)
    addr = int(var.address) + int(gdb.parse_and_eval("percpu_offset")[cpu])
    return gdb.Value(addr).cast(var.type.pointer()).dereference()


class Cpus(Helper):
    """Every CPU the kernel knows, from its per-CPU areas, and where each is
now (QEMU's gdbstub shows CPU n as thread n + 1)."""
    NAME = "cpus"

    def run(self, argv):
        online = int(ev("cpu_online_mask")["bits"])
        threads = {t.num: t for t in gdb.selected_inferior().threads()}
        here = gdb.selected_thread()
        print("%3s %4s %-7s %-10s %-10s %s" % ("cpu", "apic", "state", "area", "space cr3", "eip"))
        try:
            for cpu in range(value("smp_nr_cpus")):
                area = int(ev("&__percpu_start")) + int(ev("percpu_offset")[cpu])
                space = per_cpu("current_as", cpu)
                cr3_of = "-" if int(space) == 0 else "%#x" % int(space["as_pgdir_phys"])
                where = "-"
                if cpu + 1 in threads:
                    threads[cpu + 1].switch()
                    where = str(ev("$eip")).split(" ", 1)[-1]
                print("%3d %4d %-7s %#010x %-10s %s" % (
                    cpu, int(ev("smp_apic_id")[cpu]), "online" if online >> cpu & 1 else "offline",
                    area, cr3_of, where))
        finally:
            here.switch()


HELPERS = [PageWalk, BuddyInfo, FreeList, WhatIs, PageCmd, SlabInfo, Dmesg, Tasks, VmallocInfo,
           Check, Cpus]


class StrataPrefix(gdb.Command):
    """Strata kernel helpers.  Each reads the kernel's own structures (never
its printed output), so it works at any breakpoint.  Each is also
`strata-NAME`.  Bad arguments get the usage; a kernel not far enough along
(paging off, no page array yet) gets a one-line error."""

    def __init__(self):
        super().__init__("strata", gdb.COMMAND_USER, prefix=True)


def attach(port, wait=0.0):
    """Attaches to QEMU's gdbstub on localhost:port, or says how to start it
    (GDB itself would retry for a long while and then time out).  `wait`
    seconds are allowed for a QEMU that is still starting (scripts)."""
    deadline = time.time() + wait
    while True:
        try:
            with socket.create_connection(("localhost", port), timeout=2):
                break
        except OSError:
            if time.time() >= deadline:
                print("Nothing listens on localhost:%d: start `make debug` first (in another "
                      "terminal), then `make gdb` again -- or here: target remote localhost:%d"
                      % (port, port))
                return False
            time.sleep(0.1)
    gdb.execute("target remote localhost:%d" % port)
    return True


def register():
    StrataPrefix()
    for cls in HELPERS:
        cls()
        cls("strata-" + cls.NAME)

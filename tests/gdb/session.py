# Scripted GDB session, run by tests/runner.py:
#   gdb -batch -x tests/gdb/session.py build/kernel.elf
# with QEMU paused (-S) on its gdbstub at $STRATA_GDB_PORT, two CPUs
# (-smp 2) and the kernel command line "ktest=printk,task".  Prints TAP and a closing line.
import os
import re

import gdb

results = []


def check(name, ok, detail=""):
    results.append((bool(ok), name, detail))


def value(expr):
    return gdb.parse_and_eval(expr)


def helper(command):
    """What a helper printed, or its error: (ok, text).  A Python traceback
    shows as "Error occurred in Python" in the error text."""
    try:
        return True, gdb.execute(command, to_string=True)
    except gdb.error as e:
        return False, str(e)


def clean_error(command, want):
    """A helper given bad input must say `want` in one line: no traceback."""
    ok, text = helper(command)
    check("%s: a one-line error, no traceback" % command,
          not ok and want in text and "\n" not in text.strip() and "Python" not in text, text)


def before_paging():
    """At the reset vector nothing of the kernel is reachable yet."""
    for command in ("strata pt 0xc0100000", "strata buddyinfo", "strata slabinfo", "strata whatis 0x1000",
                    "strata dmesg", "strata check", "strata-freelist Normal 4"):
        clean_error(command, "paging is not on yet")
    ok, text = helper("help strata")
    names = ["pt", "buddyinfo", "freelist", "whatis", "page", "slabinfo", "dmesg", "tasks",
             "vmallocinfo", "check"]
    check("help strata lists every helper", all("strata %s --" % n in text for n in names), text)


def bad_arguments():
    clean_error("strata-freelist", "usage: strata freelist ZONE ORDER")
    clean_error("strata-freelist 5 0", "no zone 5")
    clean_error("strata-freelist 1 11", "order 11 is too large")
    clean_error("strata freelist Normal x", "not a number")
    clean_error("strata-page 99999999", "beyond the page array")
    clean_error("strata pt", "usage: strata pt VA")
    clean_error("strata whatis 1 2", "usage: strata whatis ADDR")
    ok, text = helper("strata freelist Normal 4")
    check("strata freelist takes the zone by name", ok and text.startswith("Normal order 4:"), text)
    ok, text = helper("strata pt kmain")
    check("strata pt of a function walks its address", ok and "-> phys" in text, text)


def tables_and_printers(strata):
    gdb.execute("break buddy_print_info")
    gdb.execute("continue")
    gdb.execute("finish", to_string=True)  # the kernel has printed its table
    table = gdb.execute("strata-buddyinfo", to_string=True)
    for line in table.splitlines()[1:]:
        print("GDB-BUDDYINFO " + " ".join(line.split()[:-1]))  # less the hot column
    check("strata-buddyinfo reads the zones (the runner compares it with the kernel's table)",
          "Normal" in table or "DMA" in table, table)
    printed = gdb.execute("print zones[1]", to_string=True)
    check("the struct zone pretty-printer shows the zone's span and free blocks",
          "struct zone Normal {pfn 0x" in printed and "free blocks by order [" in printed, printed)

    gdb.execute("break slab_print_info")
    gdb.execute("continue")
    gdb.execute("finish", to_string=True)  # the kernel has printed slabinfo
    slabs = gdb.execute("strata-slabinfo", to_string=True)
    for line in slabs.splitlines()[1:]:
        print("GDB-SLABINFO " + " ".join(line.split()))
    check("strata-slabinfo lists the task_struct cache", "task_struct" in slabs, slabs)
    cpus = gdb.execute("strata cpus", to_string=True)
    cr3 = int(gdb.parse_and_eval("$cr3")) & ~0xFFF
    check("strata cpus shows CPU 0 online, in the space whose directory CR3 holds",
          re.search(r"^\s+0\s+\d+ online\s+0x[0-9a-f]+ %#x " % cr3, cpus, re.M), cpus)
    # The session boots two CPUs: the AP idles in the kernel's space, and
    # its eip comes from its own gdbstub thread (CPU n is thread n + 1).
    check("strata cpus shows CPU 1 online too, in the kernel's space, its eip read from its thread",
          re.search(r"^\s+1\s+1 online\s+0x[0-9a-f]+ %#x\s+<\w+\+\d+>$" % cr3, cpus, re.M), cpus)
    threads = gdb.execute("info threads", to_string=True)
    check("QEMU's gdbstub shows each of the two CPUs as a thread",
          len(gdb.selected_inferior().threads()) == 2 and "CPU#1" in threads, threads)
    printed = gdb.execute("print *(struct kmem_cache *)%d" % int(strata.caches()[0].address),
                          to_string=True)
    check("the kmem_cache pretty-printer shows the cache's slabinfo line",
          "struct kmem_cache kmem_cache {objects" in printed, printed)
    said = gdb.execute("strata-whatis (unsigned)mem_map", to_string=True)
    dynamic = [c for c in strata.caches() if int(c.address) >= int(value("(unsigned)&__kernel_end"))]
    if dynamic:
        said += gdb.execute("strata-whatis %d" % int(dynamic[0].address), to_string=True)
    check("strata-whatis names the page array bootmem and a cache's own memory a slab object",
          "page array (struct page), taken from bootmem" in said
          and "object of cache kmem_cache" in said, said)
    printed = gdb.execute("print mem_map[0]", to_string=True)
    check("the struct page pretty-printer decodes page 0: reserved, owner by name",
          "state=RESERVED" in printed and "owner=firmware/reserved" in printed, printed)


def walks(strata):
    def gva2gpa(va):
        out = gdb.execute("monitor gva2gpa %#x" % va, to_string=True)
        return int(out.split()[-1], 16) if out.startswith("gpa:") else None

    probe_vas = [0xC0100000, int(value("(unsigned)&boot_info")), 0xC0000000 + 0x5000000,
                 int(value("(unsigned)mem_map")), 0x0, 0x1000, 0xBFFFF000]
    for va in probe_vas:
        mine = strata.walk(va)[1]
        qemu = gva2gpa(va)
        check("strata-pt agrees with QEMU's gva2gpa for %#010x" % va, mine == qemu,
              "strata-pt %s, gva2gpa %s" % (mine, qemu))


def checker():
    """strata check passes, finds a broken free list entry, passes again."""
    ok, text = helper("strata check")
    check("strata check finds the allocators consistent", ok and "0 problem(s)" in text, text)
    pfns = gdb.execute("strata freelist Normal 10", to_string=True).split("\n")[1].split()
    pfn = int(pfns[0], 16)
    flags = int(value("mem_map[%d].flags" % pfn))
    gdb.execute("set var mem_map[%d].flags = %d" % (pfn, (flags & ~0xF00) | (9 << 8)))
    ok, text = helper("strata check")
    gdb.execute("set var mem_map[%d].flags = %d" % (pfn, flags))
    check("strata check reports a free block whose page says the wrong order",
          ok and ("pfn %#x is on the list but its page says" % pfn) in text and "0 problem(s)" not in text, text)
    ok, text = helper("strata check")
    check("strata check is clean again once the page is restored", ok and "0 problem(s)" in text, text)


def ktest_and_tasks():
    gdb.execute("delete")
    gdb.execute("break ktest_main")
    gdb.execute("continue")
    frame = gdb.selected_frame()
    check("a breakpoint on the higher-half C function ktest_main is hit",
          frame.name() == "ktest_main" and int(frame.pc()) >= 0xC0000000,
          "frame %s at %#x" % (frame.name(), int(frame.pc())))
    names, f = [], frame
    while f is not None:
        names.append(f.name())
        f = f.older()
    check("the backtrace is ktest_main <- kmain", names[:2] == ["ktest_main", "kmain"], names)
    selection = value("selection").string()
    check("the argument 'selection' holds the command-line value", selection == "printk,task",
          "selection = %r" % selection)
    count = int(value("boot_info.mmap_count"))
    first_type = int(value("boot_info.mmap[0].type"))
    check("boot_info.mmap_count and an entry read back from kernel memory",
          count >= 3 and first_type == 1, "mmap_count = %d, mmap[0].type = %d" % (count, first_type))
    for line in gdb.execute("strata dmesg", to_string=True).rstrip("\n").split("\n"):
        print("GDB-DMESG " + line)

    gdb.execute("break run_one")
    gdb.execute("continue")
    number, suite = int(value("number")), value("t->suite").string()
    check("stepping on to run_one shows test 1 of suite printk",
          number == 1 and suite == "printk", "number %d, suite %s" % (number, suite))
    gdb.execute("delete")
    gdb.execute("break task_destroy")
    gdb.execute("continue")
    ok, text = helper("strata tasks")
    alive = int(value("'kernel/task.c'::nr_tasks"))
    check("strata tasks lists the tasks alive, by name, with their address spaces",
          ok and alive == 2 and "init" in text and "a-rather-long-t" in text
          and "%d task(s)" % alive in text and "TASK_RUNNABLE" in text, text)
    printed = gdb.execute("print *t", to_string=True)
    check("the struct task pretty-printer shows pid, name and state",
          "struct task {pid" in printed and "TASK_RUNNABLE" in printed, printed)


def session():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set architecture i386")
    strata = __import__("strata")
    check("strata.attach connects to QEMU's gdbstub (as .gdbinit does)",
          strata.attach(int(os.environ["STRATA_GDB_PORT"]), wait=20))
    pc = int(gdb.parse_and_eval("$pc"))
    check("attaches to QEMU's gdbstub, stopped at the reset vector (eip 0xfff0)",
          pc == 0xFFF0, "eip %#x" % pc)
    before_paging()
    tables_and_printers(strata)
    bad_arguments()
    walks(strata)
    checker()
    ktest_and_tasks()


try:
    session()
except Exception as e:  # a broken session must fail, not pass quietly
    print("Bail out! the GDB session stopped: %r" % (e,))
    gdb.execute("quit 1")

gdb.execute("delete")
print("TAP version 13")
print("1..%d" % len(results))
for i, (ok, name, detail) in enumerate(results, 1):
    if ok:
        print("ok %d - gdb: %s" % (i, name))
    else:
        print("not ok %d - gdb: %s # %s" % (i, name, str(detail).replace("\n", " | ")[:600]))
passed = sum(1 for r in results if r[0])
print("%d passed, %d failed, 0 skipped" % (passed, len(results) - passed))
gdb.execute("kill")

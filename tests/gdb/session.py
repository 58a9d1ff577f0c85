# Scripted GDB session, run by tests/runner.py:
#   gdb -batch -x tests/gdb/session.py build/kernel.elf
# with QEMU paused (-S) on its gdbstub at $STRATA_GDB_PORT and the kernel
# command line "ktest=printk".  Prints TAP and a closing line.
import os
import re
import gdb

results = []


def check(name, ok, detail=""):
    results.append((bool(ok), name, detail))


def value(expr):
    return gdb.parse_and_eval(expr)



def session():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set architecture i386")
    gdb.execute("target remote 127.0.0.1:%s" % os.environ["STRATA_GDB_PORT"])

    # Stopped at the reset vector, before the firmware has run at all.
    pc = int(gdb.parse_and_eval("$pc"))
    check("attaches to QEMU's gdbstub, stopped at the reset vector (eip 0xfff0)",
          pc == 0xFFF0, "eip %#x" % pc)

    # --- the helpers against QEMU's own view and the kernel's own dump -------
    strata = __import__("strata")
    gdb.execute("break buddy_print_info")
    gdb.execute("continue")
    gdb.execute("finish", to_string=True)  # the kernel has printed its table
    table = gdb.execute("strata-buddyinfo", to_string=True)
    for line in table.splitlines()[1:]:
        print("GDB-BUDDYINFO " + " ".join(line.split()[:-1]))  # less the hot column
    check("strata-buddyinfo reads the zones (the runner compares it with the kernel's table)",
          "Normal" in table or "DMA" in table, table)

    gdb.execute("break slab_print_info")
    gdb.execute("continue")
    gdb.execute("finish", to_string=True)  # the kernel has printed slabinfo
    slabs = gdb.execute("strata-slabinfo", to_string=True)
    for line in slabs.splitlines()[1:]:
        print("GDB-SLABINFO " + " ".join(line.split()))
    check("strata-slabinfo lists the task_struct cache", "task_struct" in slabs, slabs)
    cpus = gdb.execute("strata-cpus", to_string=True)
    cr3 = int(gdb.parse_and_eval("$cr3")) & ~0xFFF
    check("strata-cpus shows CPU 0 online, in the space whose directory CR3 holds",
          re.search(r"^\s+0\s+\d+ online\s+0x[0-9a-f]+ %#x " % cr3, cpus, re.M), cpus)
    printed = gdb.execute("print *(struct kmem_cache *)%d" % int(strata.caches()[0].address),
                          to_string=True)
    check("the kmem_cache pretty-printer shows the cache's slabinfo line",
          "struct kmem_cache kmem_cache {objects" in printed, printed)
    # whatis names owners from mm/page.c's table: the page array is bootmem,
    # a cache made at run time sits in a slab page
    said = gdb.execute("strata-whatis (unsigned)mem_map", to_string=True)
    dynamic = [c for c in strata.caches() if int(c.address) >= int(value("(unsigned)&__kernel_end"))]
    if dynamic:
        said += gdb.execute("strata-whatis %d" % int(dynamic[0].address), to_string=True)
    check("strata-whatis names the page array bootmem and a cache's own memory slab",
          "reserved (bootmem)" in said and "slab: allocated block" in said, said)
    printed = gdb.execute("print mem_map[0]", to_string=True)
    check("the struct page pretty-printer decodes page 0 as reserved",
          "state=RESERVED" in printed, printed)


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

    gdb.execute("delete")
    gdb.execute("break ktest_main")
    gdb.execute("continue")
    frame = gdb.selected_frame()
    check("a breakpoint on the higher-half C function ktest_main is hit",
          frame.name() == "ktest_main" and int(frame.pc()) >= 0xC0000000,
          "frame %s at %#x" % (frame.name(), int(frame.pc())))

    bt = gdb.execute("backtrace", to_string=True)
    names = []
    f = frame
    while f is not None:
        names.append(f.name())
        f = f.older()
    check("the backtrace is ktest_main <- kmain", names[:2] == ["ktest_main", "kmain"],
          "backtrace: %s" % bt.strip().replace("\n", " | "))

    suites = value("suites").string()
    check("the argument 'suites' holds the command-line value \"printk\"",
          suites == "printk", "suites = %r" % suites)

    count = int(value("boot_info.mmap_count"))
    first_type = int(value("boot_info.mmap[0].type"))
    check("boot_info.mmap_count and an entry read back from kernel memory",
          count >= 3 and first_type == 1, "mmap_count = %d, mmap[0].type = %d" % (count, first_type))

    gdb.execute("break run_one")
    gdb.execute("continue")
    number = int(value("number"))
    suite = value("t->suite").string()
    check("stepping on to run_one shows test 1 of suite printk",
          number == 1 and suite == "printk", "number %d, suite %s" % (number, suite))



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
        print("not ok %d - gdb: %s # %s" % (i, name, detail))
passed = sum(1 for r in results if r[0])
print("%d passed, %d failed" % (passed, len(results) - passed))
gdb.execute("kill")

"""Interactive sessions: the scripted serial shell and the scripted GDB
session against QEMU's gdbstub."""
import os
import re
import socket
import subprocess
import time

from testrun.common import EXIT_PASS, ROOT, Result, parse_tap, qemu_cmd, run, save_log, tally


SHELL_STEPS = [
    (b"help\r", r"buddyinfo.*\n(.*\n)*.*poweroff", "help lists the commands"),
    (b"buddyinfo\r", r"Normal\s+\d+(\s+\d+){10}", "buddyinfo prints a row of 11 orders for Normal"),
    (b"zones\r", r"DMA\s+0x", "zones shows the DMA zone"),
    (b"alloc 3\r", r"allocated order 3: pfn 0x[0-9a-f]+, phys (?P<phys>0x[0-9a-f]+), virt (?P<virt>0x[0-9a-f]+)",
     "alloc 3 returns a block with its addresses"),
    (b"whatis {virt}\r", r"allocated block of order 3", "whatis on the block names it allocated, order 3"),
    (b"whatis 0xc0100000\r", r"kernel image: \.text", "whatis on kernel text says so"),
    (b"whatis 0x0\r", r"reserved: first MiB", "whatis on page 0 names the reserved first MiB"),
    (b"free {virt}\r", r"freed order 3 at phys {phys}", "free by the direct-map address gives the block back"),
    (b"whatis {phys}\r", r"free: ", "whatis now says free"),
    (b"free {phys}\r", r"\nerror: [^\n]*not allocated by this shell[^\n]*\n\Z",
     "a second free is refused, not passed on"),
    (b"kmalloc 100\r", r"kmalloc\(100\) = (?P<obj>0x[0-9a-f]+), usable size 128",
     "kmalloc 100 comes from the 128-byte class"),
    (b"whatis {obj}\r", r"slab: an allocated object of cache kmalloc-128 \(128 bytes\) at {obj}",
     "whatis names the object's cache and says it is allocated"),
    (b"slabinfo\r", r"kmalloc-128\s+1\s+\d+\s+128(.*\n)*task_struct",
     "slabinfo lists the caches, task_struct among them"),
    (b"pt {obj}\r", r"level 1: PDE\[\d+\] = [0-9a-f]+  present(.*\n)*\s+-> frame",
     "pt walks the page tables level by level"),
    (b"pt 0x0\r", r"with cr3 (?P<cr3>[0-9a-f]+):\n(.*\n)*.*the walk stops at level 1",
     "pt of the NULL page stops at the directory"),
    (b"whatis 0x{cr3}\r", r"page table: allocated block of order 0",
     "whatis on the page directory (CR3) says page table"),
    (b"kfree {obj}\r", r"kfree\({obj}\) done", "kfree gives the object back"),
    (b"whatis {obj}\r", r"slab: a free object of cache kmalloc-128", "whatis now says the object is free"),
    (b"kfree {obj}\r", r"\nerror: [^\n]*not returned by this shell's kmalloc[^\n]*\n\Z",
     "a second kfree is refused by the shell"),
    (b"frobnicate\r", r"\nerror: unknown command[^\n]*\n\Z", "an unknown command gets one error line"),
    (b"alloc 99\r", r"\nerror: order 99 is too large[^\n]*\n\Z", "a bad order gets one error line"),
    (b"alloc x\r", r"\nerror: 'x' is not a number[^\n]*\n\Z", "a bad number gets one error line"),
    (b"kmalloc 0x100000008\r", r"\nerror: 0x100000008 does not fit in 32 bits\n\Z",
     "a number too large for 32 bits is refused, not truncated"),
    (b"whatis\r", r"\nerror: usage: whatis ADDR\n\Z", "a missing argument gets the usage"),
    (b"helq\x7fp\r", r"buddyinfo", "backspace edits the line"),
    (b"frobnicate\x15check\r", r"buddy: ok.*\nslab: ok", "Ctrl-U erases the line; check runs every checker"),
    (b"\x1b[A\r", r"buddy: ok", "the up arrow recalls the last command"),
    (b"ktest string\r", r"\d+ passed, 0 failed", "ktest runs a suite from the shell"),
    (b"ktest\r", r"(?m)^(?P<ktest_n>\d+) passed, 0 failed$", "ktest runs every suite from the shell"),
    (b"ktest\r", r"(?m)^{ktest_n} passed, 0 failed$",
     "ktest runs every suite again in the same boot, with the same result: every test is repeatable"),
    (b"reports\r", r"misuse reports in all", "reports lists misuse reports"),
    (b"cpus\r", r"cpu apic  state.*\n\s+0\s+\d+\s+online", "cpus lists the boot CPU, online"),
    (b"lockstat\r", r"\nvmalloc\s+20\s+\d+\s+\d+", "lockstat lists each lock with its order and counts"),
    (b"poweroff\r", r"", "poweroff"),
]


def shell_job(args):
    from testrun import shell_session
    name = "serial shell session"
    t0 = time.time()
    results, status, log = shell_session.run_session(
        qemu_cmd("128M", ["-kernel", args.kernel, "-append", ""]), 30, SHELL_STEPS)
    r = Result(name, secs=time.time() - t0)
    r.log = save_log(args, name, log)
    tally(r, [(ok, "shell: %s # %s" % (desc, detail)) for ok, desc, detail in results])
    if status != EXIT_PASS:
        r.failed += 1
        r.notes.append("poweroff: QEMU exit status %s, expected %d" % (status, EXIT_PASS))
    else:
        r.passed += 1
    return r


GDB_CHECKS = 19  # tests/gdb/session.py's own checks; a lost one is a failure


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_job(args):
    name = "GDB session"
    t0 = time.time()
    port = free_port()
    qemu = subprocess.Popen(qemu_cmd("128M", ["-kernel", args.kernel, "-append", "ktest=printk",
                                              "-S", "-gdb", "tcp:127.0.0.1:%d" % port]),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    env = dict(os.environ, STRATA_GDB_PORT=str(port),
               PYTHONPATH=os.path.join(ROOT, "tools/gdb"))
    try:
        status, out = run(["gdb", "-nx", "-q", "-batch", "-x",
                           os.path.join(ROOT, "tests/gdb/session.py"), args.kernel],
                          args.timeout, env=env)
    finally:
        qemu.kill()
        serial = qemu.communicate()[0].decode("utf-8", "replace").replace("\r", "")
    r = parse_tap(name, out, status, 0)
    if r.passed + r.failed < GDB_CHECKS:
        r.failed += 1
        r.notes.append("the GDB session made %d checks, expected %d" % (r.passed + r.failed, GDB_CHECKS))
    # The kernel's own buddyinfo table (printed at boot, before the
    # breakpoint) against the one GDB read from memory at that breakpoint.
    row = r"^(DMA|Normal|HighMem)((?:\s+\d+){%d})$"
    kernel_rows = [" ".join(m.group(0).split()) for m in re.finditer(row % 11, serial, re.M)]
    gdb_rows = [l[len("GDB-BUDDYINFO "):] for l in out.splitlines() if l.startswith("GDB-BUDDYINFO ")]
    # The same for slabinfo: name and the six counts before the waste column.
    slab_row = r"^(\S+)((?:\s+\d+){6})\s+\d+\.\d%$"
    kernel_slabs = [" ".join(m.group(0).split()[:7]) for m in re.finditer(slab_row, serial, re.M)]
    gdb_slabs = [l[len("GDB-SLABINFO "):] for l in out.splitlines() if l.startswith("GDB-SLABINFO ")]
    tally(r, [(bool(kernel_rows) and kernel_rows == gdb_rows,
               "gdb: buddyinfo from GDB %s equals the kernel's %s" % (gdb_rows, kernel_rows)),
              (bool(kernel_slabs) and kernel_slabs == gdb_slabs,
               "gdb: slabinfo from GDB %s equals the kernel's %s" % (gdb_slabs, kernel_slabs))])
    r.log, r.secs = save_log(args, name, out + "\n--- serial ---\n" + serial), time.time() - t0
    return r

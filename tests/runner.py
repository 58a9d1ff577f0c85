#!/usr/bin/env python3
"""Strata's test runner: every job `make test` runs, and the grand total.

Jobs (each reports `N passed, M failed`):
  host     host test programs of the portable allocators (TAP on stdout)
  fuzz     libFuzzer targets: their regression inputs, then a fixed number of
           seeded runs (or, for `make fuzz`, a timed search)
  kernel   the in-kernel self-tests under QEMU -kernel, at several memory sizes
  iso      the self-tests booted through GRUB from an ISO, Multiboot 1 and 2
  witness  the kernel's account of its page tables against QEMU's "info mem"
           and "info tlb" (QMP), with the kernel paused at a known point
  crash    deliberate crashes that must end in a clear report, never a triple
           fault or a hang
  gdb      a scripted GDB session against QEMU's gdbstub

A kernel run passes only when QEMU exits through the isa-debug-exit device
with the pass value from arch/x86/qemu_exit.h, the TAP plan is complete, every
test is `ok`, and the closing line `N passed, 0 failed` is there.  A timeout,
a triple fault (exit status 0 under -no-reboot) or a missing line is a failure.
"""
import argparse
import concurrent.futures
import json
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
QEMU = os.environ.get("QEMU", "qemu-system-i386")


def read_exit_codes():
    vals = {}
    with open(os.path.join(ROOT, "arch/x86/qemu_exit.h")) as f:
        for line in f:
            m = re.match(r"#define (QEMU_EXIT_\w+) (0x[0-9a-fA-F]+|\d+)", line)
            if m:
                vals[m.group(1)] = int(m.group(2), 0)
    return (vals["QEMU_EXIT_PASS"] << 1) | 1, (vals["QEMU_EXIT_FAIL"] << 1) | 1


EXIT_PASS, EXIT_FAIL = read_exit_codes()


# Skips that are expected, by reason; any other skip fails its run.
ALLOWED_SKIPS = [
    r"QEMU TCG\) does not check data segment limits",  # tests/test_segment.c
    r"no HIGHMEM at this memory size",  # below 896 MiB there is none
]
# Allowed only on a run with less than 16 MiB (tests/frames_util.h): on a
# bigger machine the same skip would hide a failure.
SMALL_MACHINE_SKIP = r"under 16 MiB of RAM: too small for this test"


def mem_mib(mem):
    """QEMU's -m value in MiB ("4M" -> 4, "1G" -> 1024)."""
    return int(mem[:-1]) * (1024 if mem[-1] in "Gg" else 1)


class Result:
    def __init__(self, name, passed=0, failed=0, notes=None, log=None, secs=0.0):
        self.name, self.passed, self.failed = name, passed, failed
        self.skipped = 0
        self.notes = notes or []
        self.log, self.secs = log, secs


def qemu_cmd(mem, extra):
    return [QEMU, "-display", "none", "-no-reboot", "-m", mem,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-serial", "stdio", "-monitor", "none"] + extra


def run(cmd, timeout, **kw):
    """Runs cmd; returns (exit status or None on timeout, output text)."""
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, **kw)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out


def parse_tap(name, out, status, expect_status=None, allowed=()):
    """Counts a TAP run; protocol problems count as failures with a note.
    `allowed` adds skip reasons to ALLOWED_SKIPS for this run."""
    r = Result(name)
    plan = None
    numbers = []
    closing = None
    for line in out.replace("\r", "").split("\n"):
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            plan = int(m.group(1))
        m = re.match(r"^(not ok|ok) (\d+) - (.*)$", line)
        if m:
            numbers.append(int(m.group(2)))
            skip = re.search(r" # SKIP (.*)$", line)
            if m.group(1) == "ok" and skip and not any(re.search(a, skip.group(1))
                                                       for a in ALLOWED_SKIPS + list(allowed)):
                r.failed += 1
                r.notes.append("a skip nobody allowed: " + line)
            elif m.group(1) == "ok":
                r.passed += 1
                r.skipped += bool(skip)
            else:
                r.failed += 1
                r.notes.append(line)
        m = re.match(r"^(\d+) passed, (\d+) failed$", line)
        if m:
            closing = (int(m.group(1)), int(m.group(2)))
        if line.startswith("Bail out!"):
            r.notes.append(line)
    if status is None:
        r.notes.append("timed out (a hang)")
    elif expect_status is not None and status != expect_status:
        if status == 0:
            r.notes.append("QEMU exit status 0: a triple fault (or no debug-exit)")
        else:
            r.notes.append("exit status %d, expected %d" % (status, expect_status))
    if plan is None:
        r.notes.append("no TAP plan line")
    elif sorted(numbers) != list(range(1, plan + 1)):
        missing = plan - len(set(numbers) & set(range(1, plan + 1)))
        if missing > 0:
            r.failed += missing
        r.notes.append("plan says tests 1..%d, saw %d numbered %s..." % (plan, len(numbers),
                                                                        sorted(numbers)[:5]))
    if closing is None:
        r.notes.append("no closing 'N passed, M failed' line")
    elif closing != (r.passed, r.failed) and not r.notes:
        r.notes.append("closing line says %d passed, %d failed" % closing)
    if r.notes and r.failed == 0:
        r.failed = 1  # a protocol failure is a failure even if every line said ok
    return r


def tally(r, checks):
    """Counts (ok, description) pairs into r; failures become notes."""
    for ok, desc in checks:
        if ok:
            r.passed += 1
        else:
            r.failed += 1
            r.notes.append("not ok - " + desc)


def save_log(args, name, out):
    d = os.path.join(args.build, "test-logs")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, re.sub(r"[^\w.-]+", "_", name) + ".log")
    with open(path, "w") as f:
        f.write(out)
    return path


def kernel_job(args, mem, cmdline="ktest", extra=(), label=None):
    name = label or "kernel -m %s" % mem
    t0 = time.time()
    status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", cmdline] + list(extra)),
                      args.timeout)
    small = [SMALL_MACHINE_SKIP] if mem_mib(mem) < 16 else []
    r = parse_tap(name, out, status, EXIT_PASS, small)
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


def make_test_iso(args, entry, name):
    src = os.path.join(args.build, "isodir")
    d = os.path.join(args.build, "test-iso-" + name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(src, d)
    with open(os.path.join(d, "boot/grub/test.cfg"), "w") as f:
        f.write("set default=%d\nset timeout=0\n" % entry)
    iso = d + ".iso"
    subprocess.run(["grub-mkrescue", "-o", iso, d], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return iso


def iso_job(args, entry, version):
    name = "GRUB ISO, multiboot%s" % ("2" if version == 2 else "")
    t0 = time.time()
    iso = make_test_iso(args, entry, "mb%d" % version)
    status, out = run(qemu_cmd("128M", ["-cdrom", iso]), args.timeout + 60)
    r = parse_tap(name, out, status, EXIT_PASS)
    want = "Boot information: Multiboot %d from GRUB" % version
    if want not in out:
        r.failed += 1
        r.notes.append("the kernel did not report '%s'" % want)
    else:
        r.passed += 1
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


CRASHES = [
    ("null", "a NULL dereference is a page-fault report naming the function",
     [r"TRAP 14 \(page fault\) at eip [0-9a-f]+ <crash_null_deref\+",
      r"cr2 00000000", r"page not present, read, supervisor mode",
      r"#1 [0-9a-f]+ (crash_run|kmain)\+",
      r"page walk of 00000000", r"level 1: PDE\[0\] = 00000000  not present",
      r"walk stops at level 1", r"likely cause: the NULL page"]),
    ("text", "a write to kernel text is a protection violation with the page walk",
     [r"TRAP 14 \(page fault\) at eip [0-9a-f]+ <crash_write_text\+",
      r"protection violation, write, supervisor mode",
      r"instruction at [0-9a-f]+: [0-9a-f]{2} [0-9a-f]{2}",
      r"level 2: PTE\[\d+\] of the table at [0-9a-f]+ = [0-9a-f]+  present read-only supervisor",
      r"effective read-only", r"likely cause: a write to a read-only page"]),
    ("stack", "a kernel stack overflow is caught by the guard page and the double-fault task",
     [r"DOUBLE FAULT", r"kernel stack overflow: esp [0-9a-f]+ ran into the guard page",
      r"crash_recurse\+"]),
    ("taskstack", "a task's kernel stack overflows into its vmalloc guard page: reported as such",
     [r"DOUBLE FAULT", r"kernel stack overflow: a task stack ran into its guard page",
      r"crash_recurse\+"]),
    ("panic", "panic prints a backtrace with symbol names",
     [r"PANIC: deliberate panic", r"#0 [0-9a-f]+ crash_panic_inner\+",
      r"kmain\+"]),
]


def crash_job(args):
    r = Result("crash reports")
    t0 = time.time()
    for crash, desc, patterns in CRASHES:
        status, out = run(qemu_cmd("32M", ["-kernel", args.kernel, "-append", "crash=" + crash]),
                          args.timeout)
        save_log(args, "crash-" + crash, out)
        problems = [p for p in patterns if not re.search(p, out)]
        if status != EXIT_FAIL:
            problems.append("exit status %s (expected %d from panic; 0 is a triple fault)"
                            % (status, EXIT_FAIL))
        if problems:
            r.failed += 1
            r.notes.append("not ok - %s: missing %s" % (desc, "; ".join(problems)))
        else:
            r.passed += 1
    r.secs = time.time() - t0
    return r


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
    (b"reports\r", r"misuse reports in all", "reports lists misuse reports"),
    (b"poweroff\r", r"", "poweroff"),
]


def shell_job(args):
    import shell_session
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


def memmap_job(args):
    """make memmap's pipeline at 1 GiB: the picture exists and shows the regions."""
    name = "memory picture"
    t0 = time.time()
    status, out = run(qemu_cmd("1G", ["-kernel", args.kernel, "-append", "memdump"]), args.timeout)
    log = save_log(args, name, out)
    svg = os.path.join(args.build, "test-memmap.svg")
    r = Result(name, log=log)
    render = subprocess.run([sys.executable, os.path.join(ROOT, "tools/memmap_render.py"), log, svg],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = open(svg).read() if os.path.exists(svg) else ""
    checks = [("QEMU exits through debug-exit after the dump", status == EXIT_PASS),
              ("the renderer succeeds and writes an SVG", render.returncode == 0 and text.startswith("<svg"))]
    for cls in ARGS_MEMMAP_CLASSES:
        checks.append(("the picture shows %s frames" % cls, 'class="%s"' % cls in text))
    checks.append(("the legend is there", "legend-highmem" in text and "kernel image" in text))
    tally(r, [(ok, "memmap: " + desc) for desc, ok in checks])
    r.secs = time.time() - t0
    return r


ARGS_MEMMAP_CLASSES = ["reserved", "kernel", "bootmem", "free-o10", "slab", "kmalloc", "vmalloc",
                        "pagetable", "stack", "highmem"]


GDB_CHECKS = 18  # tests/gdb/session.py's own checks; a lost one is a failure


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


# The outside witness: the kernel's account of its mappings against QEMU's.
WITNESS_RUNS = [("128M", []), ("4G", []), ("128M", ["-cpu", "pentium2,-pse,-pge"])]
KERNEL_VBASE = 0xC0000000


def qmp_session(path):
    """Connects to QEMU's QMP socket; returns a function running one command."""
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(30)
    sock.connect(path)
    f = sock.makefile("rwb")
    f.readline()  # the greeting

    def command(name, **arguments):
        f.write((json.dumps({"execute": name, "arguments": arguments}) + "\n").encode())
        f.flush()
        while True:  # skip asynchronous events
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                return reply.get("return", reply.get("error"))
    command("qmp_capabilities")
    return command


def wait_for_line(proc, marker, timeout):
    """Reads the kernel's serial output until marker, the process ends or
    the timeout passes (a silent hang cannot block it); returns the text."""
    out, deadline = b"", time.time() + timeout
    fd = proc.stdout.fileno()
    while marker.encode() not in out:
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        out += chunk
    return out.decode("utf-8", "replace")


def merge_ranges(ranges):
    merged = []
    for start, end, prot in ranges:
        if merged and merged[-1][1] == start and merged[-1][2] == prot:
            merged[-1] = (merged[-1][0], end, prot)
        else:
            merged.append((start, end, prot))
    return merged


def covered(ranges, start, end, holes=()):
    """Whether [start, end) minus the hole pages is inside the ranges."""
    for a in range(start, end, 0x1000):
        if a not in holes and not any(s <= a < e for s, e, _ in ranges):
            return "%08x" % a
    return None


def witness_checks(out, mem_text, tlb_text):
    """(description, problem or None) for each property the witness proves."""
    info = dict(re.findall(r"(\w+)=([0-9a-f]+(?:-[0-9a-f]+)?)", re.search(r"WITNESS info (.*)", out).group(1)))
    text_start, text_end = (int(x, 16) for x in info["text"].split("-"))
    direct_end, guard = int(info["direct_end"], 16), int(info["guard"], 16)
    pse, pge = info["pse"] == "1", info["pge"] == "1"
    mine = merge_ranges([(int(a, 16), int(b, 16), u + w) for a, b, u, w in
                         re.findall(r"WITNESS range ([0-9a-f]+)-([0-9a-f]+) ([u-])([w-])", out)])
    qemu = merge_ranges([(int(a, 16), int(b, 16), u + w) for a, b, u, w in
                         re.findall(r"^([0-9a-f]+)-([0-9a-f]+) [0-9a-f]+ ([u-])r([w-])$", mem_text, re.M)])
    tlb = [(int(v, 16), int(p, 16), fl) for v, p, fl in
           re.findall(r"^([0-9a-f]+): ([0-9a-f]+) ([-A-Z]{9})$", tlb_text, re.M)]
    direct = [(v, p, fl) for v, p, fl in tlb if KERNEL_VBASE <= v < KERNEL_VBASE + direct_end]
    checks = [
        ("the kernel's account equals QEMU's info mem (%d runs)" % len(qemu),
         None if mine == qemu and qemu else "kernel %s / qemu %s" % (mine[:6], qemu[:6])),
        ("the NULL page is unmapped", None if not any(s < 0x1000 for s, e, _ in qemu) else "mapped"),
        ("kernel text is not writable",
         next(("writable run %08x-%08x" % (s, e) for s, e, p in qemu
               if s < text_end and e > text_start and "w" in p), None)
         or covered([(s, e, p) for s, e, p in qemu], text_start, text_end)),
        ("the direct map covers low memory except page 0 and the stack guard",
         covered(qemu, KERNEL_VBASE + 0x1000, KERNEL_VBASE + direct_end, {guard})),
        ("the stack guard page is unmapped", None if covered(qemu, guard, guard + 0x1000) else "mapped"),
        ("nothing in the kernel half is user-accessible",
         next(("user run %08x-%08x" % (s, e) for s, e, p in qemu if e > KERNEL_VBASE and "u" in p), None)),
        ("info tlb: direct-map pages point at virtual - 0xC0000000",
         next(("%08x -> %08x" % (v, p) for v, p, fl in direct if p != v - KERNEL_VBASE), None)
         if direct else "no direct-map entries"),
        ("info tlb: kernel pages are global exactly when PGE is used (pge=%d)" % pge,
         next(("%08x %s" % (v, fl) for v, p, fl in tlb if v >= KERNEL_VBASE and (fl[1] == "G") != pge), None)),
        ("info tlb: 4 MiB pages exactly when PSE is used (pse=%d)" % pse,
         None if any(fl[2] == "P" for v, p, fl in tlb) == pse else "mismatch"),
    ]
    return checks


def witness_job(args, mem, extra):
    name = "QEMU witness -m %s%s" % (mem, ", " + " ".join(extra) if extra else "")
    t0 = time.time()
    sock = os.path.join(args.build, "qmp-%d.sock" % os.getpid() + re.sub(r"\W", "", mem + "".join(extra)))
    if os.path.exists(sock):
        os.unlink(sock)
    qemu = subprocess.Popen(qemu_cmd(mem, ["-kernel", args.kernel, "-append", "witness",
                                           "-qmp", "unix:%s,server=on,wait=off" % sock] + extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    r = Result(name)
    try:
        out = wait_for_line(qemu, "WITNESS ready", args.timeout)
        if "WITNESS ready" not in out:
            r.failed, r.notes = 1, ["the kernel never reached 'WITNESS ready'"]
        else:
            command = qmp_session(sock)
            command("stop")
            mem_text = command("human-monitor-command", **{"command-line": "info mem"}).replace("\r", "")
            tlb_text = command("human-monitor-command", **{"command-line": "info tlb"}).replace("\r", "")
            out += "\n--- info mem ---\n" + mem_text
            for desc, problem in witness_checks(out, mem_text, tlb_text):
                if problem:
                    r.failed += 1
                    r.notes.append("not ok - %s: %s" % (desc, problem))
                else:
                    r.passed += 1
    finally:
        qemu.kill()
        qemu.wait()
        if os.path.exists(sock):
            os.unlink(sock)
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


def host_job(args, path):
    name = "host " + os.path.basename(path)
    t0 = time.time()
    status, out = run([path], args.timeout * 4)
    r = parse_tap(name, out, status, 0)
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


def fuzz_job(args, spec):
    """One libFuzzer target: first every input in its regression corpus
    (tests/host/corpus/<target>/, inputs that once found a bug), then either
    a fixed number of runs from seed 1 and an empty corpus -- the same inputs
    on every machine, so `make test` gives the same answer everywhere, and
    bounded in time as well -- or,
    with --fuzz-seconds, an open-ended search from a random seed that keeps
    its corpus between runs (`make fuzz`)."""
    path, _, runs = spec.partition(":")
    target = os.path.basename(path)
    name = "fuzz " + target
    t0 = time.time()
    regress = os.path.join(ROOT, "tests", "host", "corpus", target)
    artifacts = os.path.join(args.build, "fuzz-artifacts", target, "")
    os.makedirs(artifacts, exist_ok=True)
    if args.fuzz_seconds:
        corpus = os.path.join(args.build, "fuzz-corpus-explore", target)
        limits, limit_secs = ["-max_total_time=%d" % args.fuzz_seconds, "-seed=0"], args.fuzz_seconds
    else:
        corpus = os.path.join(args.build, "fuzz-corpus", target)
        shutil.rmtree(corpus, ignore_errors=True)  # every run starts the same way
        # the time limit only guards a machine far slower than this one
        limits = ["-runs=%d" % int(runs or args.fuzz_runs), "-seed=1", "-max_total_time=%d" % args.timeout]
        limit_secs = args.timeout
    os.makedirs(corpus, exist_ok=True)
    dirs = [corpus] + ([regress] if os.path.isdir(regress) else [])
    status, out = run([path] + limits + ["-print_final_stats=1", "-artifact_prefix=" + artifacts]
                      + dirs, limit_secs + 120)
    r = Result(name, secs=time.time() - t0)
    r.log = save_log(args, name, out)
    if status == 0 and "Done " in out:
        r.passed = 1
    else:
        r.failed = 1
        r.notes.append("libFuzzer exit status %s; the input is in %s (add it to %s once fixed)"
                       % (status, artifacts, os.path.relpath(regress, ROOT)))
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--build", default="build")
    ap.add_argument("--mem", default="4M,16M,128M,1G,4G")
    ap.add_argument("--only", default="host,fuzz,kernel,crash,iso,gdb,shell,memmap")
    ap.add_argument("--host-test", action="append", default=[])
    ap.add_argument("--fuzz", action="append", default=[], metavar="PATH[:RUNS]")
    ap.add_argument("--fuzz-runs", type=int, default=20000,
                    help="inputs per fuzz target in the reproducible run")
    ap.add_argument("--fuzz-seconds", type=int, default=0,
                    help="fuzz each target this long from a random seed instead")
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--extra-kernel", action="append", default=[],
                    help="LABEL:MEM:QEMU-ARGS:CMDLINE for more kernel runs")
    args = ap.parse_args()
    only = set(args.only.split(","))

    jobs = []
    if "host" in only:
        jobs += [(host_job, (args, p)) for p in args.host_test]
    if "fuzz" in only:
        jobs += [(fuzz_job, (args, p)) for p in args.fuzz]
    if "kernel" in only:
        jobs += [(kernel_job, (args, m)) for m in args.mem.split(",") if m]
        for spec in args.extra_kernel:
            label, mem, qargs, cmdline = spec.split(":", 3)
            jobs.append((kernel_job, (args, mem, cmdline, qargs.split(), label)))
    if "kernel" in only or "witness" in only:
        jobs += [(witness_job, (args, m, x)) for m, x in WITNESS_RUNS]
    if "crash" in only:
        jobs.append((crash_job, (args,)))
    if "iso" in only:
        jobs += [(iso_job, (args, 2, 2)), (iso_job, (args, 3, 1))]
    if "gdb" in only:
        jobs.append((gdb_job, (args,)))
    if "shell" in only:
        jobs.append((shell_job, (args,)))
    if "memmap" in only:
        jobs.append((memmap_job, (args,)))

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(fn, *a) for fn, a in jobs]
        for fut in futures:
            try:
                r = fut.result()
            except Exception as e:  # a runner bug must not look like a pass
                r = Result("runner error", failed=1, notes=[repr(e)])
            results.append(r)
            skipped = " (%d skipped)" % r.skipped if r.skipped else ""
            print("%-34s %4d passed%s, %d failed  (%.1f s)" % (r.name, r.passed, skipped,
                                                               r.failed, r.secs))
            for n in r.notes[:20]:
                print("    " + n)
            if r.failed and r.log:
                print("    log: " + r.log)
            sys.stdout.flush()

    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    if skipped:
        print("(%d of the passed were skipped, each for an allowed reason shown in its log)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())

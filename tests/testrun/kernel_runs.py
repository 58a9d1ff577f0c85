"""QEMU runs of the kernel: the self-tests at each memory size, the GRUB
ISO boots, the deliberate crashes, and the memory picture."""
import os
import shutil
import subprocess
import sys
import time

from testrun.common import (EXIT_FAIL, EXIT_PASS, ROOT, Result, count_ending, kernel_skips,
                            parse_tap, qemu_cmd, run, save_log, smp_cpus, tally)


def kernel_job(args, mem, cmdline="ktest", extra=(), label=None, refuse=()):
    """The self-tests under QEMU with -m mem.  `refuse` names skips (of
    common.SKIPS) that fail this run although its memory size allows them."""
    name = label or "kernel -m %s" % mem
    t0 = time.time()
    status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", cmdline] + list(extra)),
                      args.timeout)
    r = parse_tap(name, out, status, EXIT_PASS, kernel_skips(mem, refuse, smp_cpus(extra)),
                  refuse)
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
    r = parse_tap(name, out, status, EXIT_PASS, kernel_skips("128M"))
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
    ("apstack", "CPU 1's vmalloc'ed stack overflows into its guard page: reported as such",
     [r"CPU 1 online", r"DOUBLE FAULT", r"kernel stack overflow: CPU 1's stack ran into its guard page",
      r"crash_recurse\+"], ["-smp", "2"]),
]


def crash_job(args):
    r = Result("crash reports")
    t0 = time.time()
    for crash, desc, patterns, *extra in CRASHES:
        status, out = run(qemu_cmd("32M", ["-kernel", args.kernel, "-append", "crash=" + crash]
                                   + (extra[0] if extra else [])), args.timeout)
        save_log(args, "crash-" + crash, out)
        count_ending(r, desc, out, status, patterns, EXIT_FAIL)
    r.secs = time.time() - t0
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

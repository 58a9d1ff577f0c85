"""QEMU runs of the kernel: the self-tests at each memory size, the GRUB
ISO boots, the deliberate crashes, and the memory picture."""
import os
import re
import shutil
import subprocess
import sys
import time

from testrun.common import (EXIT_FAIL, EXIT_PASS, ROOT, Result, count_ending, kernel_skips,
                            mem_mib, qemu_cmd, run, save_log, smp_cpus, tally)
from testrun.readme_samples import check_line_sample
from testrun.tap import parse_tap


def boot(args, mem, cmdline, extra=()):
    return run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", cmdline] + list(extra)),
               args.timeout)


def kernel_job(args, mem, cmdline="ktest", extra=(), label=None, refuse=(), allow=()):
    """The self-tests at one memory size: in TAP on the smallest machine,
    in KTAP elsewhere, so that the runner reads both.  `refuse` names skips
    (of common.SKIPS) that fail this run although its memory size allows
    them; `allow`, skips only this run's set-up proves legitimate."""
    name = label or "kernel -m %s" % mem
    t0 = time.time()
    if cmdline == "ktest" and mem_mib(mem) >= 16:
        cmdline = "ktest ktap"
    status, out = boot(args, mem, cmdline, extra)
    r = parse_tap(name, out, status, EXIT_PASS, kernel_skips(mem, refuse, smp_cpus(extra), allow),
                  refuse)
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


SWEEP_SUMMARY = re.compile(r"^sweep: (\d+) \(test, k\) runs: (\d+) passed \(.*\), (\d+) found a bug; "
                           r"(\d+) failures injected$", re.M)


def faultsweep_job(args, every=False, mem="128M"):
    """The fault-injection sweep (tests/ktest_sweep.c): every test again with
    its allocations failing one at a time -- a sample of them in make test,
    every one in make faultsweep.  Besides the TAP, its summary line must be
    there and count runs that injected failures."""
    name = "fault sweep%s -m %s" % (" (every allocation)" if every else "", mem)
    t0 = time.time()
    status, out = boot(args, mem, "ktest faultsweep" + ("=every" if every else ""))
    r = parse_tap(name, out, status, EXIT_PASS, kernel_skips(mem) + ["injects-itself"])
    m = SWEEP_SUMMARY.search(out.replace("\r", ""))
    r.check(bool(m) and int(m.group(1)) > 0 and int(m.group(4)) > 0 and m.group(3) == "0"
            and m.group(1) == m.group(2),
            "the sweep's summary: every (test, k) run passed, with failures injected",
            m.group(0) if m else "no summary line")
    if m:
        r.notes.append(m.group(0))
    check_line_sample(r, "sweep:", out, "faultsweep_job in tests/testrun/kernel_runs.py")
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


def test_id(suite, description):
    """tests/ktest_select.c's id of a test: the description in lower case,
    every run of other characters one '_'."""
    return suite + "." + "_".join(re.findall(r"[a-z0-9]+", description.lower()))


def listed_ids(out):
    return [l for l in out.replace("\r", "").split("\n") if re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", l)]


def ran_ids(out):
    """The ids of the tests a KTAP run reported, from its suite and test lines."""
    ids, suite = [], None
    for line in out.replace("\r", "").split("\n"):
        m = re.match(r"^    # Subtest: (\S+)$", line)
        suite = m.group(1) if m else suite
        m = re.match(r"^    (?:not ok|ok) \d+ (.*?)(?: # SKIP.*)?$", line)
        if m and suite:
            ids.append(test_id(suite, m.group(1)))
    return ids


def selection_job(args):
    """ktest=list, selections by suite and by id glob, a selection word that
    selects nothing, and unknown boot options."""
    r = Result("test selection and listing")
    t0 = time.time()
    status, listing = boot(args, "128M", "ktest=list")
    ids = listed_ids(listing)
    r.check(status == EXIT_PASS and len(ids) > 100 and len(set(ids)) == len(ids),
            "ktest=list lists every test once, by id", "%d ids, %d distinct, status %s"
            % (len(ids), len(set(ids)), status))
    status, full = boot(args, "128M", "ktest ktap")
    r.check(sorted(ran_ids(full)) == sorted(ids), "the ids listed are exactly the tests a full run runs",
            "listed %d, ran %d: %s" % (len(ids), len(ran_ids(full)),
                                        sorted(set(ids) ^ set(ran_ids(full)))[:4]))
    after = full.replace("\r", "").split("KTAP version 1", 1)[-1]
    bare = [l for l in after.split("\n") if l.startswith("mm: ")]
    r.check(not bare and re.search(r"^    # mm: double free at ", after, re.M),
            "the reports tests provoke on purpose are '# ' diagnostics of their test", "%s" % bare[:3])
    r.check("ktest_fn_" not in after and re.search(r"allocated by slab\.debug_[a-z0-9_]+\*?\+0x", after),
            "reports name a test function by the test's id, not ktest_fn_NN",
            re.findall(r"allocated by \S+", after)[:3])
    one = next((i for i in ids if i.startswith("buddy.")), "buddy.none")
    glob = one[:len("buddy.") + 12] + "*"
    want = [i for i in ids if re.fullmatch(re.escape(glob[:-1]) + ".*", i)]
    status, out = boot(args, "128M", "ktest=" + glob + " ktap")
    sub = parse_tap("glob", out, status, EXIT_PASS, kernel_skips("128M"))
    r.check(sub.failed == 0 and sorted(ran_ids(out)) == sorted(want),
            "ktest=%s runs exactly the tests whose id matches" % glob, "%s; %s" % (ran_ids(out), sub.notes))
    status, out = boot(args, "128M", "ktest=str*")
    sub = parse_tap("suite glob", out, status, EXIT_PASS, kernel_skips("128M"))
    r.check(sub.failed == 0 and sub.passed == sum(1 for i in ids if i.startswith("string.")),
            "ktest=str* runs the suite string and nothing else", "%d passed; %s" % (sub.passed, sub.notes))
    status, out = boot(args, "128M", "ktest=buddy,slb")
    r.check(status == EXIT_FAIL and "Bail out! ktest=buddy,slb: 'slb' selects no test" in out,
            "ktest=buddy,slb fails, naming 'slb', instead of running buddy alone",
            "status %s, %s" % (status, out[-200:]))
    status, out = boot(args, "32M", "ktest=string ktset crash=bogus")
    r.check(status == EXIT_PASS and "warning: unknown boot option 'ktset'" in out
            and "warning: boot option crash=bogus: the value must be one of" in out,
            "unknown boot options get a warning at boot", out[-300:])
    r.log, r.secs = save_log(args, r.name, listing), time.time() - t0
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
    r.check(want in out, "the kernel reports '%s'" % want)
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
    ("demandoom", "out of memory in a demand-zero fault is reported as such, not as nothing mapped",
     [r"TRAP 14 \(page fault\) at eip [0-9a-f]+ <crash_demand_oom\+",
      r"page not present, write, supervisor mode",
      r"likely cause: out of memory in a demand-zero fault at 40000000, region 40000000-40002000"]),
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
        checks.append(("the picture shows %s frames" % cls, re.search(r'class="%s[" ]' % cls, text)))
    checks += picture_checks(out, text)
    checks += frag_chart_checks(args)
    tally(r, [(ok, "memmap: " + desc) for desc, ok in checks])
    r.secs = time.time() - t0
    return r


def frag_chart_checks(args):
    """make bench's chart, drawn from a small log in the benchmark's format:
    each measure says which way is better, figures have one decimal, the
    best bar is marked."""
    log = os.path.join(args.build, "test-frag.log")
    svg = os.path.join(args.build, "test-frag.svg")
    figures = {"first": (524, 16.9, 2.25, 632.8), "buddy": (1808, 303.3, 8, 130.7)}
    with open(log, "w") as f:
        f.write("BENCH frag_requested 448.3 KiB\n")
        for name, (used, waste, largest, ops) in figures.items():
            f.write("BENCH frag_%s_used %s KiB\nBENCH frag_%s_waste %s pct\n"
                    "BENCH frag_%s_largest %s KiB\nBENCH frag_%s_ops %s insn/op\n"
                    % (name, used, name, waste, name, largest, name, ops))
    subprocess.run([sys.executable, os.path.join(ROOT, "tools/frag_render.py"), log, svg],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = open(svg).read() if os.path.exists(svg) else ""
    labels = re.findall(r">([^<>]*(?:%|KiB|insn/op)(?: \(best\))?)</text>", text)
    return [("the fragmentation chart says which way is better for each measure",
             text.count("lower is better") == 2 and text.count("higher is better") == 1),
            ("the fragmentation chart gives every figure one decimal",
             len(labels) == 6 and all(re.match(r"\d+\.\d [^\d]", l) for l in labels)),
            ("the fragmentation chart marks the best of each measure",
             "16.9 % (best)" in text and "8.0 KiB (best)" in text and "130.7 insn/op (best)" in text)]


def picture_checks(dump, text):
    """The picture is legible: long uniform stretches collapsed, the zone
    boundaries drawn, a tooltip on every block, only the legend it needs."""
    states = set(re.findall(r"^MEMMAP [0-9a-f]+ [0-9a-f]+ (\S+)", dump.replace("\r", ""), re.M))
    legend = set(re.findall(r'class="legend-([\w-]+)"', text))
    height = re.search(r'<svg[^>]* height="(\d+)"', text)
    blocks = re.findall(r"<rect class=\"(?!legend|highmem)[^>]*>(<title>)?", text)
    return [
        ("the stretches of free 4 MiB blocks are collapsed into bands that say so",
         re.search(r"MiB: \d+ free blocks of order 10 \(4 MiB each\), collapsed", text)),
        ("the picture of 1 GiB stays within 600 pixels", height and int(height.group(1)) <= 600),
        ("the DMA/Normal and Normal/HighMem boundaries are drawn",
         text.count('class="zone-boundary"') == 2 and "DMA | Normal" in text and "Normal | HighMem" in text),
        ("every block has a tooltip", blocks and all(blocks)),
        ("the legend lists exactly the states shown (and HighMem)",
         legend == {s for s in states} | {"highmem"}),
        ("the legend names the kernel image", "kernel image" in text),
    ]


ARGS_MEMMAP_CLASSES = ["reserved", "kernel", "bootmem", "free-o10", "slab", "kmalloc", "vmalloc",
                        "pagetable", "stack", "highmem"]

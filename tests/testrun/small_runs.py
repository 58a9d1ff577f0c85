"""Machines with little memory, or little of one zone: the self-tests at
3 MiB, at 2800K, at the smallest -m the kernel boots at (on one CPU and on
two), and at 128 MiB with a 50 MiB boot module filling the DMA zone; the
benchmarks at 4 MiB.  Where a test or benchmark needs more memory than
there is, it must say so and skip (a skip the runner allows for that
machine, saying how much), never fail where the allocator rightly
returned NULL, and never hand a failed allocation to a free.  (At 2 MiB
RAM ends inside the kernel image, and just past the image the boot runs
out of memory: the boot job checks that each says so.)  make small-sweep
runs the self-tests at every 64 KiB from the smallest that boots to
4 MiB (small_sweep_jobs)."""
import os
import re
import time

from testrun.boot_checks import FIRMWARE_KIB, NO_RAM, image_end_kib
from testrun.common import EXIT_FAIL, EXIT_PASS, Result, count_ending, count_run, qemu_cmd, run, save_log
from testrun.kernel_runs import kernel_job

DMA_MODULE_MIB = 50
# Where a self-test once failed instead of skipping for want of memory
# (the vmalloc test scattering 64 frames: 95 free when it starts).
GAP_MEM = "2800K"
# The smallest -m that boots is searched for in steps this big, from where
# RAM ends at the image's end; a boot that does not get that far must say
# why (boot_checks: the refusal, or a panic naming what it could not have).
SEARCH_STEP_KIB, SEARCH_STEPS = 16, 64
REFUSED = NO_RAM + r"|PANIC: [^\n]*no memory for"


def small_kernel_job(args, mem="3M"):
    """Every self-test at 3 MiB (and at GAP_MEM): what needs more skips."""
    return kernel_job(args, mem)


def smp_args(cpus):
    return ["-smp", str(cpus)] if cpus > 1 else []


def refused(out, status):
    """Whether a boot stopped before the tests, saying why, as it must."""
    return "TAP version 13" not in out and status == EXIT_FAIL and re.search(REFUSED, out)


def smallest_boot(args, cpus, start_kib=None):
    """(the smallest -m in KiB at which the kernel reaches its self-tests
    with `cpus` CPUs, problems): from start_kib (by default where RAM ends
    with the image) upwards in SEARCH_STEP_KIB steps; each boot short of it
    must refuse, saying why.  None if none boots within SEARCH_STEPS."""
    kib = start_kib or image_end_kib(args.kernel) + FIRMWARE_KIB
    problems = []
    for _ in range(SEARCH_STEPS):
        status, out = run(qemu_cmd("%dK" % kib, ["-kernel", args.kernel, "-append", "ktest=string"]
                                   + smp_args(cpus)), args.timeout)
        if "TAP version 13" in out:
            return kib, problems
        if not refused(out, status):
            problems.append("-m %dK: neither the tests nor a refusal (status %s): %r"
                            % (kib, status, out[-200:]))
        kib += SEARCH_STEP_KIB
    return None, problems + ["no -m up to %dK boots" % kib]


def smallest_kernel_job(args):
    """Every self-test at the smallest -m that boots, on one CPU and on two
    (2428K and 2508K today): the tests that need more skip, or run out and
    are skipped for it (tests/ktest.c), saying how much they had."""
    r = Result("kernel at the smallest -m that boots")
    t0 = time.time()
    start = None
    for cpus in (1, 2):
        kib, problems = smallest_boot(args, cpus, start)
        count_run(r, "with %d CPU(s): every -m short of the smallest refuses, saying why" % cpus, problems)
        if kib is None:
            continue
        run_r = kernel_job(args, "%dK" % kib, "ktest", smp_args(cpus),
                           "kernel -m %dK (the smallest that boots), -smp %d" % (kib, cpus))
        r.notes.append("-smp %d: the smallest -m that boots is %dK: %d passed, %d failed, %d skipped"
                       % (cpus, kib, run_r.passed, run_r.failed, run_r.skipped))
        r.notes += run_r.notes
        r.passed, r.failed, r.skipped = (r.passed + run_r.passed, r.failed + run_r.failed,
                                         r.skipped + run_r.skipped)
        r.cases += run_r.cases
        r.log = run_r.log
        start = kib
    r.secs = time.time() - t0
    return r


def sweep_size_job(args, kib, cpus, boots):
    """One size of make small-sweep: every self-test passes or skips for a
    reason this size allows; below the smallest that boots (boots false),
    the boot refuses, saying why."""
    mem, extra = "%dK" % kib, smp_args(cpus)
    name = "small sweep -m %s -smp %d" % (mem, cpus)
    if boots:
        return kernel_job(args, mem, "ktest", extra, name)
    t0 = time.time()
    r = Result(name)
    status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", "ktest"] + extra), args.timeout)
    r.log = save_log(args, name, out)
    count_ending(r, "-m %s -smp %d: short of the smallest that boots, the boot refuses, saying why"
                 % (mem, cpus), out, status, [REFUSED], EXIT_FAIL, ["TAP version 13"])
    r.secs = time.time() - t0
    return r


SWEEP_TOP_KIB, SWEEP_STEP_KIB = 4096, 64
# A few sizes off the 64 KiB steps (the two of the issue), and how often
# the sweep repeats a size with two CPUs.
SWEEP_ODD = [2800, 2900]
SWEEP_SMP_EVERY = 2


def small_sweep_jobs(args):
    """make small-sweep (runner job smallsweep, not in make test): the
    self-tests at every SWEEP_STEP_KIB from the smallest -m that boots up
    to 4 MiB, and at SWEEP_ODD, on one CPU; on two at every other size;
    and the size just short of the smallest, which must refuse.  Each size
    is one job; the search for the smallest runs first, here."""
    jobs = []
    for cpus in (1, 2):
        low, problems = smallest_boot(args, cpus)
        search = Result("small sweep: the smallest -m, -smp %d: %sK" % (cpus, low))
        count_run(search, "every -m short of the smallest that boots refuses, saying why", problems)
        jobs.append((lambda s=search: s, ()))
        if low is None:
            continue
        sizes = list(range(low, SWEEP_TOP_KIB + 1, SWEEP_STEP_KIB))
        if cpus == 1:
            sizes = sorted(set(sizes + [k for k in SWEEP_ODD if k >= low]))
        else:
            sizes = sizes[::SWEEP_SMP_EVERY]
        jobs.append((sweep_size_job, (args, low - SEARCH_STEP_KIB, cpus, False)))
        jobs += [(sweep_size_job, (args, kib, cpus, True)) for kib in sizes]
    return jobs


def dma_module_job(args):
    """Every self-test with a 50 MiB boot module, which the loader puts
    just above the kernel image: the DMA zone (below 16 MiB) is left with
    no free frame, or one, as the image's end falls.  Only here may a test
    skip for want of a DMA frame."""
    d = os.path.join(args.build, "test-modules")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "fill-dma")
    with open(path, "wb") as f:
        f.truncate(DMA_MODULE_MIB << 20)
    r = kernel_job(args, "128M", "ktest", ["-initrd", path],
                   "kernel -m 128M, a %d MiB module filling the DMA zone" % DMA_MODULE_MIB,
                   allow=["dma-full"])
    out = open(r.log).read().replace("\r", "") if r.log else ""
    m = re.search(r"^DMA +0x[0-9a-f]+-0x[0-9a-f]+ +(\d+) KiB", out, re.M)
    count_run(r, "the module leaves the DMA zone less than 1 MiB",
              [] if m and int(m.group(1)) < 1024 else ["DMA zone: %s" % (m.group(0) if m else "no zone line")])
    return r


# A misuse report (mm/report.h: "mm: <kind> at 0x...: ...") or an
# out-of-memory report (mm/buddy_oom.c).
MM_REPORT = re.compile(r"^mm: (?:out of memory: |[a-z -]+ at 0x[0-9a-f]+: ).*$", re.M)
BENCH_CLOSING = re.compile(r"^(\d+) benchmarks \((\d+) skips?\), (\d+) misuse report\(s\)$", re.M)
BENCH_SKIP = re.compile(r"^bench (\S+): skipped: (.*)$", re.M)
# The reasons a benchmark may give for not running on a small machine.
BENCH_SKIP_REASONS = r"needs \d+ free frames|no free block of order \d+|no free 4 MiB block"


def bench_small_job(args, mem="4M"):
    """`bench` at 4 MiB: the benchmarks that need more memory skip, saying
    why; nothing runs out of memory half way, nothing frees a NULL (no
    misuse report, no out-of-memory report)."""
    r = Result("bench -m %s" % mem)
    t0 = time.time()
    status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", "bench"]), args.timeout)
    out = out.replace("\r", "")
    r.log = save_log(args, r.name, out)
    m = BENCH_CLOSING.search(out)
    problems = [] if m else ["no closing line 'N benchmarks (K skips), R misuse report(s)'"]
    if m and m.group(3) != "0":
        problems.append("%s misuse report(s)" % m.group(3))
    problems += ["printed %r" % l for l in MM_REPORT.findall(out)][:5]
    if status != EXIT_PASS:
        problems.append("exit status %s, expected %d" % (status, EXIT_PASS))
    count_run(r, "bench at %s: no misuse, no out-of-memory report, a closing line" % mem, problems)
    skips = BENCH_SKIP.findall(out)
    bad = ["%s: %s" % s for s in skips if not re.search(BENCH_SKIP_REASONS, s[1])]
    count_run(r, "bench at %s: every skip is for want of memory, and says how much" % mem, bad)
    r.check(bool(m) and int(m.group(2)) == len(skips) and len(skips) > 0,
            "bench at %s: the closing line counts the skips printed" % mem,
            "%s; %d skip lines" % (m.group(0) if m else "no closing line", len(skips)))
    r.secs = time.time() - t0
    return r

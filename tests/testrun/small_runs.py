"""Machines with little memory, or little of one zone: the self-tests at
3 MiB, the self-tests at 128 MiB with a 50 MiB boot module filling the DMA
zone, and the benchmarks at 4 MiB.  Where a test or benchmark needs more
memory than there is, it must say so and skip (a skip the runner allows for
that machine), never fail where the allocator rightly returned NULL, and
never hand a failed allocation to a free.  (At 2 MiB RAM ends inside the
kernel image, and just past the image the boot runs out of memory: the boot
job checks that each says so.)"""
import os
import re
import time

from testrun.common import EXIT_PASS, Result, count_run, qemu_cmd, run, save_log
from testrun.kernel_runs import kernel_job

DMA_MODULE_MIB = 50


def small_kernel_job(args):
    """Every self-test at 3 MiB, about the least they pass on (the kernel
    boots to its shell from about 2.3 MiB)."""
    return kernel_job(args, "3M")


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

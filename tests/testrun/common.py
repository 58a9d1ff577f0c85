"""What every job of the test runner shares: running a command with a
timeout, QEMU's command line and exit codes, the skips a run may show, the
Result of a job, and its log file.  The TAP and KTAP readers are in tap.py."""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU = os.environ.get("QEMU", "qemu-system-i386")


def read_defines(header):
    """The plain numeric #defines of a header of the tree, by name."""
    vals = {}
    with open(os.path.join(ROOT, header)) as f:
        for line in f:
            m = re.match(r"#define (\w+) (0x[0-9a-fA-F]+|\d+)\s*(/\*.*)?$", line)
            if m:
                vals[m.group(1)] = int(m.group(2), 0)
    return vals


_EXIT = read_defines("arch/x86/qemu_exit.h")
EXIT_PASS, EXIT_FAIL = [(_EXIT[n] << 1) | 1 for n in ("QEMU_EXIT_PASS", "QEMU_EXIT_FAIL")]
# The end of the direct map (arch/x86/layout.h): RAM above it is HIGHMEM.
LOWMEM_MIB = read_defines("arch/x86/layout.h")["LOWMEM_LIMIT"] >> 20

# The skips a kernel run may show, by name, with the reason the test gives.
# A run allows each only where its condition is proven (kernel_skips), and
# the kernel skips only after checking the condition itself; any other
# skip fails the run.
SKIPS = {
    # tests/test_segment.c: QEMU's TCG does not check data-segment limits.
    # Allowed on every QEMU run; a run on a CPU model that checks them
    # (Bochs) refuses it.
    "tcg-data-limits": r"QEMU TCG\) does not check data segment limits",
    # tests/test_vmalloc.c: only where the memory ends below the direct
    # map's end, so that no frame can be HIGHMEM (the kernel checks that
    # its page array ends there before skipping).
    "no-highmem": r"no HIGHMEM at this memory size",
    # tests/frames_util.h: only under 16 MiB (the kernel checks that it
    # manages less than 12 MiB); on a bigger machine it would hide a failure.
    # Also the skip of a test that ran out of memory there and failed only
    # as running out explains (tests/ktest.c), saying how many frames it had.
    "small-machine": r"^under 16 MiB of RAM: too small for this test: needs (a free 4 MiB block"
                     r"|\d+ free frames|more than the \d+ free frame\(s\) it started with \(it ran out\))",
    # tests/ktest_sweep.c: the fault-injection sweep leaves alone the tests
    # that arm injection themselves (it finds them disarming its own).
    # Allowed only in the sweep.
    "injects-itself": r"^arms fault injection itself$",
    # tests/smp_util.h: only on a run with one CPU; with two or more the
    # tests that need a second must run.
    "one-cpu": r"one CPU online: the test needs a second",
    # tests/frames_util.h: a test that needs a GFP_DMA frame, when the DMA
    # zone has none free (the kernel checks).  Allowed only on the run whose
    # 50 MiB boot module fills the first 16 MiB (small_runs.py).
    "dma-full": r"no free frame in the DMA zone \(boot modules fill it\)",
}


def smp_cpus(qemu_args):
    """The CPU count a QEMU command line asks for with -smp (1 without)."""
    args = list(qemu_args)
    for i, a in enumerate(args[:-1]):
        if a == "-smp":
            m = re.match(r"(?:cpus=)?(\d+)", args[i + 1])
            return int(m.group(1)) if m else 1
    return 1


def mem_mib(mem):
    """QEMU's -m value in MiB ("4M" -> 4, "1G" -> 1024, "2800K" -> 2.734375)."""
    if mem[-1] in "Kk":
        return int(mem[:-1]) / 1024
    return int(mem[:-1]) * (1024 if mem[-1] in "Gg" else 1)


def kernel_skips(mem, refuse=(), cpus=1, allow=()):
    """The names of the skips a kernel run with `-m mem` and `cpus` CPUs may
    show.  `refuse` names skips this run must not show although its size
    would allow them (a run on a CPU that checks data-segment limits refuses
    "tcg-data-limits"); `allow` names those only this run's set-up proves
    (a boot module that fills the DMA zone: "dma-full").  A name that is
    not in SKIPS is a runner bug."""
    unknown = sorted((set(refuse) | set(allow)) - set(SKIPS))
    if unknown:
        raise ValueError("no such skip: %s" % ", ".join(unknown))
    names = ["tcg-data-limits"]
    if mem_mib(mem) < 16:
        names.append("small-machine")
    if mem_mib(mem) <= LOWMEM_MIB:
        names.append("no-highmem")
    if cpus == 1:
        names.append("one-cpu")
    names += list(allow)
    return [n for n in names if n not in refuse]


def skip_refusal(reason, allowed, refused):
    """None if a skip for `reason` is allowed, else why it is not."""
    for name, pattern in SKIPS.items():
        if re.search(pattern, reason):
            if name in allowed:
                return None
            if name in refused:
                return "a skip this run refuses (%s)" % name
            return "a skip not allowed at this memory size (%s)" % name
    return "a skip nobody allowed"


class Result:
    """What one job found: counts (passed does not include skipped), one
    case per check for the JUnit file, notes for the summary, its log."""

    def __init__(self, name, passed=0, failed=0, notes=None, log=None, secs=0.0):
        self.name, self.passed, self.failed = name, passed, failed
        self.skipped = 0
        self.cases = []  # (group, name, "passed"|"failed"|"skipped", message)
        self.notes = notes or []
        self.log, self.secs = log, secs

    def case(self, group, name, outcome, message=""):
        self.cases.append((group, name, outcome, message or ""))

    def check(self, ok, name, detail=""):
        """Counts one check; a failure also becomes a note."""
        detail = detail if isinstance(detail, str) else repr(detail)
        if ok:
            self.passed += 1
            self.case("", name, "passed")
        else:
            self.failed += 1
            self.notes.append("not ok - %s%s" % (name, ": " + detail if detail else ""))
            self.case("", name, "failed", detail)


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


def count_run(r, desc, problems):
    """One check that passes with no problems; otherwise a note lists them."""
    r.check(not problems, desc, "; ".join(problems))


def count_ending(r, desc, out, status, patterns, want_status, forbidden=()):
    """One run that must print every pattern and none of `forbidden`, and
    leave QEMU with want_status."""
    problems = ["missing " + p for p in patterns if not re.search(p, out)]
    problems += ["printed %r" % f for f in forbidden if f in out]
    if status != want_status:
        problems.append("exit status %s, expected %d (0: a triple fault, None: a hang)"
                        % (status, want_status))
    count_run(r, desc, problems)


def tally(r, checks):
    """Counts (ok, description) pairs into r; failures become notes."""
    for ok, desc in checks:
        name, _, detail = desc.partition(" # ")
        r.check(ok, name, detail)


def save_log(args, name, out):
    d = os.path.join(args.build, "test-logs")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, re.sub(r"[^\w.-]+", "_", name) + ".log")
    with open(path, "w") as f:
        f.write(out)
    return path

"""Boots with each of the boot's allocations failing in turn (boot option
failboot, kernel/failboot.h): each must stop the boot with a panic that
names what could not be allocated -- never a triple fault, a hang, a trap
or a NULL dereference later on -- or, for the one allocation the kernel can
do without, go on and say what it does without."""
import concurrent.futures
import re
import time

from testrun.common import EXIT_FAIL, EXIT_PASS, Result, qemu_cmd, run, save_log

# (label, -m, more QEMU arguments, sample): the machine with the most boot
# allocations (two CPUs: the second CPU's per-CPU area, stack and start-up
# address space), and one without PSE, whose direct map takes early page
# tables from bootmem and 4 KiB page tables throughout.
CONFIGS = [
    ("-m 128M -smp 2", "128M", ["-smp", "2"], "every"),
    ("-m 16M, no PSE", "16M", ["-cpu", "qemu32,-pse"], "sample"),
]

# A sampled configuration fails each of its first SAMPLE_HEAD allocations
# (bootmem and the direct map's tables: what is particular to it), then
# every SAMPLE_STEP-th, and the last: the same k on every run.
SAMPLE_HEAD, SAMPLE_STEP = 12, 5

COUNTED = re.compile(r"^failboot: the boot made (\d+) allocations, (\d+) failed \(injected\), (\d+) problems$",
                     re.M)
PANIC = re.compile(r"^PANIC: (\w+: no memory for .+)$", re.M)
# The allocations the kernel can do without, and the line that says so.
FALLBACKS = [
    r"mm: no page below 1 MiB for the AP start-up trampoline: the other CPUs will stay halted",
    r"slab: no memory for the magazine cache: the depots stay empty",
]
FORBIDDEN = ["TRAP ", "DOUBLE FAULT", "nested panic", "assertion failed", "page fault"]
# Boots at once: most of a boot's time is QEMU and the firmware starting,
# waiting more than computing.  -nodefaults (no VGA, no network card: the
# firmware has less to set up) saves about a fifth of each.
PARALLEL_BOOTS = 2
QUICK = ["-nodefaults"]


def sample(n, how):
    """The k to fail among n allocations, by the configuration's rule."""
    if how == "every":
        return list(range(1, n + 1))
    ks = set(range(1, min(n, SAMPLE_HEAD) + 1)) | set(range(SAMPLE_STEP, n + 1, SAMPLE_STEP))
    return sorted(ks | {n})


def judge(out, status, k):
    """The problems of the boot that failed allocation k; [] when it ended
    as it must.  Also returns what the panic named (or the fallback)."""
    out = out.replace("\r", "")
    problems = ["printed %r" % f for f in FORBIDDEN if f in out]
    if not re.search(r"^mm: injected failure of allocation %d \(" % k, out, re.M):
        problems.append("no line 'mm: injected failure of allocation %d'" % k)
    panic, counted = PANIC.search(out), COUNTED.search(out)
    if panic:
        named = panic.group(1)
        if status != EXIT_FAIL:
            problems.append("exit status %s after the panic, expected %d" % (status, EXIT_FAIL))
        if not re.search(r"^failboot: the panic follows allocation %d of the boot \(.*\), failed by injection$"
                         % k, out, re.M):
            problems.append("the panic does not say it follows the injected failure")
    elif counted:
        fallback = [f for f in FALLBACKS if re.search(f, out)]
        named = "went on: " + (fallback[0] if fallback else "?")
        if not fallback:
            problems.append("the boot went on without allocation %d and did not say what it did without" % k)
        if status != EXIT_PASS or counted.group(2) != "1" or counted.group(3) != "0":
            problems.append("%r, exit status %s" % (counted.group(0), status))
    else:
        named = None
        last = out.strip().split("\n")[-1:] if out.strip() else ["(nothing)"]
        problems.append("neither a panic naming an allocation nor the end of the boot "
                        "(exit status %s: 0 is a triple fault, None a hang); last line %r" % (status, last[0]))
    return problems, named


def failboot_job(args):
    r = Result("boot allocations failing")
    t0 = time.time()
    logs = []
    for label, mem, extra, how in CONFIGS:
        def boot(cmdline):
            return run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", cmdline] + extra + QUICK), 30)
        status, out = boot("failboot")
        logs.append("=== %s: failboot\n%s" % (label, out))
        m = COUNTED.search(out.replace("\r", ""))
        r.check(bool(m) and status == EXIT_PASS and m.group(2) == "0" and m.group(3) == "0",
                "%s: failboot counts the boot's allocations and the boot checks clean" % label,
                m.group(0) if m else "no count line, exit status %s" % status)
        if not m:
            continue
        n = int(m.group(1))
        ks = sample(n, how)
        named = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL_BOOTS) as pool:
            runs = list(pool.map(lambda k: boot("failboot=%d" % k), ks))
        for k, (status, out) in zip(ks, runs):
            logs.append("=== %s: failboot=%d\n%s" % (label, k, out))
            problems, what = judge(out, status, k)
            r.check(not problems, "%s: failing allocation %d of %d ends in a named panic" % (label, k, n),
                    "; ".join(problems))
            if what:
                named.setdefault(what, []).append(k)
        status, out = boot("failboot=%d" % (n + 1))
        m = COUNTED.search(out.replace("\r", ""))
        r.check(bool(m) and status == EXIT_PASS and m.group(1) == str(n) and m.group(2) == "0",
                "%s: the count is exact: failboot=%d fails nothing" % (label, n + 1),
                m.group(0) if m else "no count line, exit status %s" % status)
        r.notes.append("%s: %d allocations at boot, %d failed in turn (%s); %d distinct endings"
                       % (label, n, len(ks), "every one" if how == "every" else
                          "the first %d, every %dth, the last" % (SAMPLE_HEAD, SAMPLE_STEP), len(named)))
    r.log = save_log(args, "failboot", "\n".join(logs))
    r.secs = time.time() - t0
    return r

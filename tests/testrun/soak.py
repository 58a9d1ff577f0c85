"""make soak (runner job soak, not in make test): the kernel's soak
(tests/soak.h) at several memory sizes -- 10^6 seeded random operations per
allocator, the checkers every 10^4 and at the end, the final state equal to
the initial one.  A run passes only with every allocator's line there, its
counts complete and no problem, the total line, and QEMU's pass status."""
import re
import time

from testrun.common import EXIT_PASS, Result, qemu_cmd, run, save_log
from testrun.readme_samples import check_line_sample

SOAK_MIXES = ["buddy", "slab", "kmalloc", "vmalloc", "vmm"]
SOAK_OPS, SOAK_CHECK_EVERY = 10 ** 6, 10 ** 4
# (-m, more words on the command line): the four sizes of the brief, and
# 128 MiB again with slab debugging (red zones and poison checked by every
# slab_check, the object arrays out of the way).
SOAK_RUNS = [("16M", ""), ("128M", ""), ("1G", ""), ("4G", ""), ("128M", "slab_debug")]

MIX_LINE = re.compile(r"^soak: (\w+): (\d+) operations \((\d+) failed for want of memory\), "
                      r"(\d+) invariant checks passed, (\d+) problems; final state (equal to|compared with) "
                      r"the initial one", re.M)
TOTAL_LINE = re.compile(r"^soak: (\d+) allocators, (\d+) operations, (\d+) invariant checks passed, "
                        r"(\d+) problems$", re.M)


def judge(out, status):
    """(ok, check, detail) for each allocator's line of one soak boot, and
    for its end (the total line, no problem printed, the pass status)."""
    out = out.replace("\r", "")
    mixes = {m.group(1): m for m in MIX_LINE.finditer(out)}
    want_checks = SOAK_OPS // SOAK_CHECK_EVERY + 1
    checks = []
    for name in SOAK_MIXES:
        m = mixes.get(name)
        problems = re.findall(r"^soak: %s: problem .*$" % name, out, re.M)[:3]
        if not m:
            problems.append("no line for %s" % name)
        elif (int(m.group(2)), int(m.group(4)), int(m.group(5)), m.group(6)) != \
                (SOAK_OPS, want_checks, 0, "equal to"):
            problems.append(m.group(0))
        checks.append((not problems, "%s: %d operations, %d invariant checks passed, no problem, "
                       "the final state the initial one" % (name, SOAK_OPS, want_checks), "; ".join(problems)))
    total = TOTAL_LINE.search(out)
    problems = [] if total and total.group(4) == "0" else [total.group(0) if total else "no total line"]
    if status != EXIT_PASS:
        problems.append("exit status %s, expected %d (0: a triple fault, None: a hang)" % (status, EXIT_PASS))
    checks.append((not problems, "the total line, no problem, QEMU's pass status", "; ".join(problems)))
    return checks, total.group(0) if total else "no total line"


def soak_job(args, mem, words=""):
    name = "soak -m %s%s" % (mem, " " + words if words else "")
    r = Result(name)
    t0 = time.time()
    status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", ("soak " + words).strip()]),
                      args.timeout)
    r.log = save_log(args, name, out)
    checks, summary = judge(out, status)
    for ok, desc, detail in checks:
        r.check(ok, "%s: %s" % (name, desc), detail)
    r.notes.append(summary)
    check_line_sample(r, "soak: vmm:", out, "soak_job in tests/testrun/soak.py")
    r.secs = time.time() - t0
    return r

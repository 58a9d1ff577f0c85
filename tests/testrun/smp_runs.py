"""Runs on several CPUs: every kernel suite with -smp 1, -smp 2 and
-smp 4, under both of QEMU's ways of emulating several CPUs, the MP-table
fallback, a machine with more CPUs than that, and the proof that the TLB
shootdown tests can fail.

  -accel tcg,thread=multi  one host thread per virtual CPU, really in
                           parallel, each with its own TLB
  -icount shift=0          one host thread taking the CPUs in turn, every
                           instruction counted (QEMU refuses icount with
                           thread=multi)
"""
import math
import os
import re
import time

from testrun.common import (EXIT_FAIL, EXIT_PASS, Result, kernel_skips, qemu_cmd, run, save_log,
                            smp_cpus, tally)
from testrun.tap import parse_tap

MTTCG = ["-accel", "tcg,thread=multi"]
ICOUNT = ["-icount", "shift=0"]

# label, memory, QEMU arguments: the full suite on each.  One run has 1 GiB,
# so that there is HIGHMEM (above 896 MiB): kmap hands out real slots, and
# kunmap's shootdown and the HIGHMEM tests run on several CPUs (at 1 GiB
# with two CPUs the runner allows neither the no-HIGHMEM nor the one-CPU
# skip, so they must).
SMP_RUNS = [
    ("kernel -smp 1, thread=multi", "128M", ["-smp", "1"] + MTTCG),
    ("kernel -smp 1, icount", "128M", ["-smp", "1"] + ICOUNT),
    ("kernel -smp 2 -m 1G, thread=multi", "1G", ["-smp", "2"] + MTTCG),
    ("kernel -smp 4, thread=multi", "128M", ["-smp", "4"] + MTTCG),
    ("kernel -smp 2, icount", "128M", ["-smp", "2"] + ICOUNT),
    ("kernel -smp 4, icount", "128M", ["-smp", "4"] + ICOUNT),
]

# The tests that must fail when shootdowns are switched off.
POISON_TESTS = [
    r"not ok \d+ - shootdown: unmapped in a space running on CPU 1.*(al_poison|al_faulted)",
    r"not ok \d+ - shootdown: vfree while CPU 1 reads the area.*(al_poison|al_faulted)",
    r"not ok \d+ - shootdown: made read-only while CPU 1 writes.*al_faulted",
    r"not ok \d+ - shootdown: kunmap of a HIGHMEM page while CPU 1 reads.*(al_poison|al_faulted)",
]


def run_timeout(args, qargs):
    """Seconds one run may take: args.timeout, times more where the run is
    multi-threaded with more virtual CPUs than the host has cores.  There
    a CPU spinning for a lock often waits for a holder whose host thread
    is not running, and the run takes several times as long (4 CPUs on 2
    busy cores: 70-110 s where 2 CPUs take 5-20 s and -icount runs 7 s).
    The factor is the square of the oversubscription, at most 4: enough
    for that, while a hang (a mutant's) still ends in bounded time."""
    if "tcg,thread=multi" not in qargs:
        return args.timeout
    over = math.ceil(smp_cpus(qargs) / len(os.sched_getaffinity(0)))
    return args.timeout * min(4, over * over)


def boot_checks(out, cpus, source="ACPI MADT"):
    """(ok, description) pairs about the CPUs' bring-up in the boot output.
    With one CPU nothing is started: no AP and no count of those online."""
    checks = [(re.search(r"smp: %d CPUs? from the %s" % (cpus, source), out) is not None,
               "the %s lists %d CPU(s)" % (source, cpus))]
    if cpus == 1:
        return checks + [(re.search(r"CPUs online|CPU \d+ online", out) is None,
                          "one CPU: no other is started")]
    checks.append(("smp: %d of %d CPUs online" % (cpus, cpus) in out,
                   "all %d CPUs come online" % cpus))
    for cpu in range(1, cpus):
        checks.append(("CPU %d online" % cpu in out, "CPU %d says it is online" % cpu))
    return checks


def smp_kernel_job(args, label, mem, qargs, cmdline="ktest", source="ACPI MADT"):
    t0 = time.time()
    cpus = smp_cpus(qargs)
    status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", cmdline] + qargs),
                      run_timeout(args, qargs))
    r = parse_tap(label, out, status, EXIT_PASS, kernel_skips(mem, cpus=cpus))
    tally(r, [(ok, "%s: %s" % (label, d)) for ok, d in boot_checks(out, cpus, source)])
    r.log, r.secs = save_log(args, label, out), time.time() - t0
    return r


def mp_table_job(args):
    """acpi=off: the CPUs come from the MP table.  SeaBIOS lists one CPU
    per package there (for old systems), so the CPUs are sockets here."""
    return smp_kernel_job(args, "kernel -smp 3 from the MP table", "128M",
                          ["-smp", "3,sockets=3"] + MTTCG, "ktest=smp,spinlock,shootdown acpi=off",
                          "MP table")


def many_cpus_job(args):
    """More CPUs than the other runs: 8 come up and answer."""
    return smp_kernel_job(args, "kernel -smp 8", "128M", ["-smp", "8"] + MTTCG,
                          "ktest=smp,shootdown")


def shootdown_off_job(args):
    """With the test-only switch no_shootdown the poison tests must fail:
    proof that they can, and that QEMU keeps a TLB per CPU.  At 1 GiB, so
    that the kunmap test has a HIGHMEM page to map."""
    name = "shootdown off: the tests catch it"
    t0 = time.time()
    qargs = ["-smp", "2"] + MTTCG
    status, out = run(qemu_cmd("1G", ["-kernel", args.kernel, "-append",
                                      "ktest=shootdown no_shootdown"] + qargs),
                      run_timeout(args, qargs))
    r = Result(name)
    checks = [(status == EXIT_FAIL, "QEMU exits with the failing status (%s)" % status)]
    for pattern in POISON_TESTS:
        checks.append((re.search(pattern, out) is not None, "fails: " + pattern))
    tally(r, checks)
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


def smp_jobs(args):
    jobs = [(smp_kernel_job, (args, label, mem, qargs)) for label, mem, qargs in SMP_RUNS]
    return jobs + [(mp_table_job, (args,)), (many_cpus_job, (args,)),
                   (shootdown_off_job, (args,))]

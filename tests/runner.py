#!/usr/bin/env python3
"""Strata's test runner: every job `make test` runs, and the grand total.

Jobs (each reports `N passed, M failed, K skipped`):
  host     host test programs of the portable allocators (TAP on stdout)
  fuzz     libFuzzer targets: their regression inputs, then a fixed number of
           seeded runs (or, for `make fuzz`, a timed search)
  faultsweep  every self-test again with its allocations failing one at a
           time (a sample; every one with --sweep-every, make faultsweep)
  kernel   the in-kernel self-tests under QEMU -kernel, at several memory sizes
           (TAP on the smallest, KTAP on the others); the test listing and
           selection (ktest=list, suites, id globs, a word that selects
           nothing) and the warning for unknown boot options
  smp      the same on 1, 2, 3, 4 and 8 CPUs, multi-threaded and with -icount,
           and the shootdown tests failing with shootdowns switched off
  iso      the self-tests booted through GRUB from an ISO, Multiboot 1 and 2
  bochs    the same ISO under Bochs, a second x86 model, where the segment
           tests that skip under QEMU's TCG must run
  witness  the kernel's account of its page tables against QEMU's "info mem"
           and "info tlb" (QMP), with the kernel paused at a known point
  crash    deliberate crashes that must end in a clear report, never a triple
           fault or a hang
  boot     machines the kernel must refuse (an old CPU, too little RAM) and
           unusual boot information: a message each, never silence
  failboot the boot again with each of its allocations failing in turn
           (boot option failboot=k): a panic naming what, never silence
  soak     (not in the default list; make soak) the kernel's soak: 10^6
           seeded random operations per allocator, the checkers every 10^4,
           at 16 MiB, 128 MiB (also with slab_debug), 1 GiB and 4 GiB
  small    small machines: the self-tests at 3 MiB, at 2800K, at the
           smallest -m that boots (searched for, on one CPU and on two) and
           at 128 MiB with a 50 MiB boot module filling the DMA zone, the
           benchmarks at 4 MiB: what needs more memory skips, saying how
           much; no misuse reports
  smallsweep  (not in the default list; make small-sweep) the self-tests at
           every 64 KiB from the smallest -m that boots to 4 MiB, on one CPU
           and at every other size on two; short of it, the boot refuses
  gdb      a scripted GDB session against QEMU's gdbstub
  shell    a scripted session of the serial shell; half way, GDB attaches
           and must give the shell's answers
  memmap   the memory picture
  make     the README's sample outputs against the runs that make them
           (make run with the self-tests, shell sessions, a crash, four
           CPUs, a failed boot: readme_samples.py), make run (failing,
           poweroff), make run-iso (poweroff), make test-list, make help,
           make DEBUG=1 (in build/debug), and GDB from the generated
           .gdbinit with no QEMU to attach to

A kernel run passes only when QEMU exits through the isa-debug-exit device
with the pass value from arch/x86/qemu_exit.h, the TAP (or KTAP) plan is
complete, every test is `ok` or skipped for an allowed reason, and the
closing line `N passed, 0 failed, K skipped` is there.  A timeout, a triple
fault (exit status 0 under -no-reboot) or a missing line is a failure.
Skipped tests are counted apart from passed ones, in every summary.  Every
check also goes into a JUnit XML file (--junit, build/test-results.xml).
"""
import argparse
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testrun.bochs import bochs_job  # noqa: E402
from testrun.boot_checks import cmdline_job, modules_job, refusal_job  # noqa: E402
from testrun.common import Result  # noqa: E402
from testrun.failboot import failboot_job  # noqa: E402
from testrun.junit import write_junit  # noqa: E402
from testrun.host_runs import fuzz_job, host_job  # noqa: E402
from testrun.layering import layering_job  # noqa: E402
from testrun.make_runs import make_job  # noqa: E402
from testrun.kernel_runs import (crash_job, faultsweep_job, iso_job, kernel_job,  # noqa: E402
                                 memmap_job, selection_job)
from testrun.sessions import gdb_job, shell_job  # noqa: E402
from testrun.smp_runs import smp_jobs  # noqa: E402
from testrun.soak import SOAK_RUNS, soak_job  # noqa: E402
from testrun.model_runs import slab_model_job  # noqa: E402
from testrun.small_runs import (GAP_MEM, bench_small_job, dma_module_job,  # noqa: E402
                                small_kernel_job, small_sweep_jobs, smallest_kernel_job)
from testrun.witness import WITNESS_RUNS, witness_job  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--build", default="build")
    ap.add_argument("--mem", default="4M,16M,128M,1G,4G")
    ap.add_argument("--only", default="layering,host,fuzz,kernel,faultsweep,smp,crash,boot,failboot,small,"
                    "iso,bochs,gdb,shell,memmap,make")
    ap.add_argument("--sweep-every", action="store_true",
                    help="the fault sweep fails every allocation of each test, not a sample")
    ap.add_argument("--host-test", action="append", default=[])
    ap.add_argument("--fuzz", action="append", default=[], metavar="PATH[:RUNS]")
    ap.add_argument("--fuzz-runs", type=int, default=20000,
                    help="inputs per fuzz target in the reproducible run")
    ap.add_argument("--fuzz-seconds", type=int, default=0,
                    help="fuzz each target this long from a random seed instead")
    ap.add_argument("--timeout", type=int, default=180)
    ap.add_argument("--bochs-timeout", type=int, default=240,
                    help="seconds for the whole Bochs run (about 30 on an idle machine)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--extra-kernel", action="append", default=[],
                    help="LABEL:MEM:QEMU-ARGS:CMDLINE for more kernel runs")
    ap.add_argument("--junit", default=None,
                    help="JUnit XML file to write (default: BUILD/test-results.xml)")
    args = ap.parse_args()
    only = set(args.only.split(","))

    jobs = []
    if "layering" in only:
        jobs.append((layering_job, (args,)))
    if "host" in only:
        jobs += [(host_job, (args, p)) for p in args.host_test]
    if "fuzz" in only:
        jobs += [(fuzz_job, (args, p)) for p in args.fuzz]
    if "kernel" in only:
        jobs += [(kernel_job, (args, m)) for m in args.mem.split(",") if m]
        for spec in args.extra_kernel:
            label, mem, qargs, cmdline = spec.split(":", 3)
            jobs.append((kernel_job, (args, mem, cmdline, qargs.split(), label)))
        jobs.append((selection_job, (args,)))
    if "faultsweep" in only:
        jobs.append((faultsweep_job, (args, args.sweep_every)))
    if "smp" in only:
        jobs += smp_jobs(args)
    if "kernel" in only or "witness" in only:
        jobs += [(witness_job, (args, m, x)) for m, x in WITNESS_RUNS]
    if "crash" in only:
        jobs.append((crash_job, (args,)))
    if "boot" in only:
        jobs += [(refusal_job, (args,)), (modules_job, (args,)), (cmdline_job, (args,))]
    if "failboot" in only:
        jobs.append((failboot_job, (args,)))
    if "soak" in only:
        jobs += [(soak_job, (args, mem, words)) for mem, words in SOAK_RUNS]
    if "small" in only:
        jobs += [(small_kernel_job, (args,)), (small_kernel_job, (args, GAP_MEM)),
                 (smallest_kernel_job, (args,)), (dma_module_job, (args,)), (bench_small_job, (args,))]
    if "smallsweep" in only:
        jobs += small_sweep_jobs(args)
    if "iso" in only:
        jobs += [(iso_job, (args, 2, 2)), (iso_job, (args, 3, 1))]
    if "bochs" in only:
        jobs.append((bochs_job, (args,)))
    if "gdb" in only:
        jobs.append((gdb_job, (args,)))
    if "shell" in only:
        jobs.append((shell_job, (args,)))
    if "memmap" in only:
        jobs.append((memmap_job, (args,)))
    if "make" in only:
        jobs += [(make_job, (args,)), (slab_model_job, (args,))]

    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(fn, *a) for fn, a in jobs]
        for fut in futures:
            try:
                r = fut.result()
            except Exception as e:  # a runner bug must not look like a pass
                r = Result("runner error", failed=1, notes=[repr(e)])
            results.append(r)
            print("%-34s %4d passed, %d failed, %d skipped  (%.1f s)"
                  % (r.name, r.passed, r.failed, r.skipped, r.secs))
            for n in r.notes[:20]:
                print("    " + n)
            if r.failed and r.log:
                print("    log: " + r.log)
            sys.stdout.flush()

    junit = args.junit or os.path.join(args.build, "test-results.xml")
    write_junit(junit, results)
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    print("(each skip is for an allowed reason, shown in its log; JUnit XML: %s)" % junit)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())

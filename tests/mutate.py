#!/usr/bin/env python3
"""make mutants: are the tests good enough to catch the next bug?

Each mutant of tests/mutants.txt (format: tests/testrun/mutant_list.py) is
a small, plausible bug in the allocators.  They are put one at a time into
a scratch copy of the tree (build/mutants/tree; the working tree is never
touched), which is rebuilt and run against a fast subset of `make test`:
the kernel suites at MUTANT_MEM, then on several CPUs, the host test
programs and a short run of every fuzz target, in that order, stopping at
the first failure.  A mutant that makes something fail is killed; one that passes everything
survived: a bug the tests would let through.  A mutant whose snippet is no
longer in its file exactly once is stale, and one whose code does not
build is broken: both must be refreshed, and count against the suite.

Before any mutant the unmutated copy must pass the same subset, or every
mutant would look killed.  Prints one line a mutant, then the score;
exits 0 only when every mutant was killed.
"""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testrun.mutant_list import ListError, Stale, parse  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB_LINE = re.compile(r"^(\S.*?)\s+\d+ passed(?: \(\d+ skipped\))?, (\d+) failed")


def tree_files():
    """The working tree's files as git sees them: tracked or not ignored."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], cwd=ROOT, check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return [f for f in out.split("\0") if f and os.path.isfile(os.path.join(ROOT, f))]


def write_if_changed(path, data):
    """Writes only what differs, so make rebuilds only what changed."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() == data:
                return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def sync_scratch(scratch):
    """Makes the scratch copy's sources equal to the working tree's."""
    files = tree_files()
    for rel in files:
        with open(os.path.join(ROOT, rel), "rb") as f:
            data = f.read()
        write_if_changed(os.path.join(scratch, rel), data)
        os.chmod(os.path.join(scratch, rel), os.stat(os.path.join(ROOT, rel)).st_mode)
    keep = set(files)
    for dirpath, dirs, names in os.walk(scratch):
        rel_dir = os.path.relpath(dirpath, scratch)
        if rel_dir == ".":
            dirs[:] = [d for d in dirs if d != "build"]
        for n in names:
            rel = os.path.normpath(os.path.join(rel_dir, n))
            if rel not in keep and rel != "compile_commands.json":
                os.remove(os.path.join(dirpath, n))


class Subset:
    """The fast subset of make test, run in the scratch copy by stages."""

    def __init__(self, args, scratch):
        self.args, self.scratch = args, scratch

    def make(self, targets):
        p = subprocess.run(["make", "-s", "-j2"] + targets, cwd=self.scratch,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.returncode == 0, p.stdout.decode("utf-8", "replace")

    def runner(self, extra, timeout):
        cmd = [sys.executable, "tests/runner.py", "--kernel", "build/kernel.elf",
               "--build", "build", "--timeout", str(timeout)] + extra
        p = subprocess.run(cmd, cwd=self.scratch, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        out = p.stdout.decode("utf-8", "replace")
        return p.returncode == 0, first_failure(out)

    def stage(self, name):
        """(built, passed, what failed) for one stage."""
        a = self.args
        if name == "kernel":
            targets, extra = ["build/kernel.elf"], ["--only", "kernel", "--mem", a.mem]
        elif name == "smp":  # the suites on 1, 2, 3, 4 and 8 CPUs, both modes
            targets, extra = ["build/kernel.elf"], ["--only", "smp"]
        elif name == "host":
            targets = a.host_test
            extra = ["--only", "host"] + sum((["--host-test", t] for t in a.host_test), [])
        else:
            targets = [spec.partition(":")[0] for spec in a.fuzz]
            extra = ["--only", "fuzz"] + sum((["--fuzz", short_fuzz(s, a.fuzz_share)]
                                              for s in a.fuzz), [])
        built, log = self.make(targets)
        if not built:
            return False, False, "does not build: " + last_error(log)
        # A fuzz job that its time limit stops fails: on a busy machine
        # that must not pass for a kill, so fuzzing gets a generous limit.
        passed, what = self.runner(extra, a.fuzz_timeout if name == "fuzz" else a.timeout)
        return True, passed, what

    def run(self, stages, all_stages=False):
        """('pass', '') or (outcome, what): the first stage that fails
        (with all_stages, every stage that fails and those that passed)."""
        kills, passes = [], []
        for s in stages:
            built, passed, what = self.stage(s)
            if not built:
                return "broken", what
            if passed:
                passes.append(s)
                continue
            kills.append("%s: %s" % (s, what))
            if not all_stages:
                break
        if not kills:
            return "pass", ""
        if all_stages and passes:
            kills.append("passed: " + ", ".join(passes))
        return "killed", "; ".join(kills)


def short_fuzz(spec, share):
    path, _, runs = spec.partition(":")
    return "%s:%d" % (path, max(1000, int(int(runs or 20000) * share)))


def first_failure(out):
    """The first job that failed, with its first note."""
    lines = out.split("\n")
    for i, line in enumerate(lines):
        m = JOB_LINE.match(line)
        if m and int(m.group(2)):
            note = lines[i + 1].strip() if i + 1 < len(lines) else ""
            return "%s: %s" % (m.group(1), note[:150])
    return out.strip().split("\n")[-1][:150] if out.strip() else "the runner failed"


def last_error(log):
    errs = [l for l in log.split("\n") if "error" in l]
    return (errs[0] if errs else log.strip().split("\n")[-1])[:150]


def try_mutant(m, subset, scratch, stages, all_stages):
    """(outcome, what) for one mutant; the scratch file is restored after."""
    path = os.path.join(scratch, m.path)
    if not os.path.isfile(path):
        return "stale", "no file %s" % m.path
    with open(path) as f:
        original = f.read()
    try:
        mutated = m.apply(original)
    except Stale as e:
        return "stale", str(e)
    try:
        with open(path, "w") as f:
            f.write(mutated)
        return subset.run(stages, all_stages)
    finally:
        with open(path, "w") as f:  # a new mtime: make rebuilds it
            f.write(original)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--list", default=os.path.join(ROOT, "tests/mutants.txt"))
    ap.add_argument("--build", default="build", help="where the scratch copy lives")
    ap.add_argument("--only", default="", help="comma-separated mutant names")
    ap.add_argument("--stages", default="kernel,smp,host,fuzz")
    ap.add_argument("--all-stages", action="store_true",
                    help="run every stage even after one kills the mutant")
    ap.add_argument("--mem", default="4M,1G")
    ap.add_argument("--host-test", action="append", default=[])
    ap.add_argument("--fuzz", action="append", default=[], metavar="PATH[:RUNS]")
    ap.add_argument("--fuzz-share", type=float, default=0.1,
                    help="share of each fuzz target's make-test runs")
    ap.add_argument("--timeout", type=int, default=40,
                    help="seconds a kernel run may take (a hang is a kill); the SMP stage's "
                    "multi-threaded runs with more CPUs than the host has cores get up to 4 "
                    "times as long (tests/testrun/smp_runs.py: run_timeout)")
    ap.add_argument("--fuzz-timeout", type=int, default=180)
    ap.add_argument("--no-baseline", action="store_true")
    return ap.parse_args()


def report(results, secs):
    killed = [n for n, o, _ in results if o == "killed"]
    print("mutation score: %d of %d killed (%.1f %%) in %.0f s"
          % (len(killed), len(results), 100.0 * len(killed) / max(1, len(results)), secs))
    for outcome in ("survived", "stale", "broken"):
        names = [n for n, o, _ in results if o == outcome]
        if names:
            print("%s: %s" % (outcome, ", ".join(names)))
    return 0 if results and len(killed) == len(results) else 1


def main():
    args = parse_args()
    try:
        with open(args.list) as f:
            mutants = parse(f.read())
    except ListError as e:
        print("%s: %s" % (args.list, e))
        return 2
    only = set(filter(None, args.only.split(",")))
    mutants = [m for m in mutants if not only or m.name in only]
    stages = [s for s in args.stages.split(",") if s]
    scratch = os.path.join(os.path.abspath(args.build), "mutants", "tree")
    t0 = time.time()
    sync_scratch(scratch)
    subset = Subset(args, scratch)
    print("mutants: %d from %s; stages %s; scratch copy %s" % (
        len(mutants), os.path.relpath(args.list, ROOT), ",".join(stages), scratch))
    if not args.no_baseline:
        outcome, what = subset.run(stages)
        print("baseline (no mutant): %s%s (%.1f s)" % (
            "passes" if outcome == "pass" else "FAILS", what and ": " + what, time.time() - t0))
        if outcome != "pass":
            return 2
        sys.stdout.flush()
    results = []
    for i, m in enumerate(mutants, 1):
        t1 = time.time()
        outcome, what = try_mutant(m, subset, scratch, stages, args.all_stages)
        outcome = "survived" if outcome == "pass" else outcome
        results.append((m.name, outcome, what))
        print("%3d/%d %-8s %-34s %s (%.1f s)" % (i, len(mutants), outcome, m.name,
                                                 what or "-- " + m.why, time.time() - t1))
        sys.stdout.flush()
    return report(results, time.time() - t0)


if __name__ == "__main__":
    sys.exit(main())

"""Host programs: the allocators' test programs (TAP) and the libFuzzer
targets."""
import os
import re
import shutil
import time

from testrun.common import ROOT, Result, run, save_log
from testrun.tap import parse_tap


# A sanitizer's report: AddressSanitizer's and UBSan's errors, and
# ThreadSanitizer's warnings (a data race, a lock-order inversion).
SANITIZER_REPORT = re.compile(r"^(?:WARNING|ERROR): \w*Sanitizer: (.*)$|^.*: runtime error: .*$", re.M)


def host_job(args, path):
    """One host test program: its TAP, exit status 0, and no sanitizer
    report.  ThreadSanitizer stops the program at its first report with
    status 66 (forced here, whatever TSAN_OPTIONS says otherwise)."""
    name = "host " + os.path.basename(path)
    t0 = time.time()
    env = dict(os.environ)
    env["TSAN_OPTIONS"] = env.get("TSAN_OPTIONS", "") + ":halt_on_error=1:exitcode=66"
    status, out = run([path], args.timeout * 4, env=env)
    r = parse_tap(name, out, status, 0)
    reports = [m.group(0).strip() for m in SANITIZER_REPORT.finditer(out)]
    if reports:
        r.check(False, "no sanitizer report", "; ".join(reports[:3]))
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r


def fuzz_job(args, spec):
    """One libFuzzer target: first every input in its regression corpus
    (tests/host/corpus/<target>/, inputs that once found a bug), then either
    a fixed number of runs from seed 1 and an empty corpus -- the same inputs
    on every machine, so `make test` gives the same answer everywhere, and
    bounded in time as well -- or,
    with --fuzz-seconds, an open-ended search from a random seed that keeps
    its corpus between runs (`make fuzz`)."""
    path, _, runs = spec.partition(":")
    target = os.path.basename(path)
    name = "fuzz " + target
    t0 = time.time()
    regress = os.path.join(ROOT, "tests", "host", "corpus", target)
    artifacts = os.path.join(args.build, "fuzz-artifacts", target, "")
    os.makedirs(artifacts, exist_ok=True)
    want = 0  # runs asked for (0: a timed search)
    if args.fuzz_seconds:
        corpus = os.path.join(args.build, "fuzz-corpus-explore", target)
        limits, limit_secs = ["-max_total_time=%d" % args.fuzz_seconds, "-seed=0"], args.fuzz_seconds
    else:
        corpus = os.path.join(args.build, "fuzz-corpus", target)
        shutil.rmtree(corpus, ignore_errors=True)  # every run starts the same way
        # the time limit only guards a machine far slower than this one
        want = int(runs or args.fuzz_runs)
        limits = ["-runs=%d" % want, "-seed=1", "-max_total_time=%d" % args.timeout]
        limit_secs = args.timeout
    os.makedirs(corpus, exist_ok=True)
    dirs = [corpus] + ([regress] if os.path.isdir(regress) else [])
    status, out = run([path] + limits + ["-print_final_stats=1", "-artifact_prefix=" + artifacts]
                      + dirs, limit_secs + 120)
    r = Result(name, secs=time.time() - t0)
    r.log = save_log(args, name, out)
    done = re.search(r"^Done (\d+) runs", out, re.M)
    if status != 0 or not done:
        r.check(False, "%s finds nothing" % target,
                "libFuzzer exit status %s; the input is in %s (add it to %s once fixed)"
                % (status, artifacts, os.path.relpath(regress, ROOT)))
    else:
        # -max_total_time may stop it: the inputs not tried are not a pass
        r.check(int(done.group(1)) >= want, "%s finds nothing in %d inputs" % (target, want),
                "libFuzzer ran %s of the %d inputs asked before its %d s limit"
                % (done.group(1), want, args.timeout))
    return r

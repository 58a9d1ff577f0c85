"""What every job of the test runner shares: running a command with a
timeout, QEMU's command line and exit codes, the list of allowed skips, the
Result of a job, and its log file.  The TAP and KTAP readers are in tap.py."""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU = os.environ.get("QEMU", "qemu-system-i386")


def read_exit_codes():
    vals = {}
    with open(os.path.join(ROOT, "arch/x86/qemu_exit.h")) as f:
        for line in f:
            m = re.match(r"#define (QEMU_EXIT_\w+) (0x[0-9a-fA-F]+|\d+)", line)
            if m:
                vals[m.group(1)] = int(m.group(2), 0)
    return (vals["QEMU_EXIT_PASS"] << 1) | 1, (vals["QEMU_EXIT_FAIL"] << 1) | 1


EXIT_PASS, EXIT_FAIL = read_exit_codes()


# tests/test_segment.c, on a CPU that does not check data-segment limits
# (QEMU's TCG); refused where the CPU does check them (Bochs).
TCG_SEGMENT_SKIP = r"QEMU TCG\) does not check data segment limits"
# Skips that are expected, by reason; any other skip fails its run.
ALLOWED_SKIPS = [
    TCG_SEGMENT_SKIP,
    r"no HIGHMEM at this memory size",  # below 896 MiB there is none
]
# Allowed only on a run with less than 16 MiB (tests/frames_util.h): on a
# bigger machine the same skip would hide a failure.
SMALL_MACHINE_SKIP = r"under 16 MiB of RAM: too small for this test"


def mem_mib(mem):
    """QEMU's -m value in MiB ("4M" -> 4, "1G" -> 1024)."""
    return int(mem[:-1]) * (1024 if mem[-1] in "Gg" else 1)


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

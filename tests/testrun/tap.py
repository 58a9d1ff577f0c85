"""The runner's readers of the kernel's test protocols: TAP version 13 and
Linux's nested KTAP version 1 (one subtest per suite), each closed by the
line "N passed, M failed, K skipped".  Both fill a Result with one case per
test (for the totals and the JUnit file) and treat every protocol problem
-- a missing plan, a gap in the numbering, a closing line that disagrees, a
skip for a reason nobody allowed, "Bail out!", a hang, the wrong exit
status -- as a failure with a note."""
import re

from testrun.common import Result, skip_refusal

CLOSING = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$")
RESULT = re.compile(r"^(not ok|ok) (\d+)(?: - | )(.*?)(?: # (SKIP|TODO)\b ?(.*))?$")


def _record(r, group, name, line, m, skips):
    """Counts one result line (m matched RESULT; name is its test) into r;
    `skips` is (allowed, refused): the names of the skips (common.SKIPS)
    this run accepts, and those it refuses."""
    ok, directive, reason = m.group(1) == "ok", m.group(4), m.group(5)
    if ok and directive == "SKIP":
        refusal = skip_refusal(reason or "", *skips)
        if not refusal:
            r.skipped += 1
            r.case(group, name, "skipped", reason)
        else:
            r.failed += 1
            r.notes.append("%s: %s" % (refusal, line))
            r.case(group, name, "failed", "%s: %s" % (refusal, reason or ""))
    elif ok:
        r.passed += 1
        r.case(group, name, "passed")
    else:
        r.failed += 1
        r.notes.append(line.strip())
        r.case(group, name, "failed", line.strip())


def _check_numbers(r, what, plan, numbers):
    """The results must be numbered 1..plan, each once."""
    if plan is None:
        r.notes.append("no plan line for %s" % what)
        r.failed += 1
    elif sorted(numbers) != list(range(1, plan + 1)):
        missing = plan - len(set(numbers) & set(range(1, plan + 1)))
        r.failed += max(missing, 1)
        r.notes.append("%s: the plan says 1..%d, saw %d results numbered %s..."
                       % (what, plan, len(numbers), sorted(numbers)[:5]))


def _tap_body(r, lines, skips):
    plan, numbers = None, []
    for line in lines:
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            plan = int(m.group(1))
        m = RESULT.match(line)
        if m:
            numbers.append(int(m.group(2)))
            group, _, name = m.group(3).partition(": ")
            if not name:  # no "suite: " before the description
                group, name = "", group
            _record(r, group, name, line, m, skips)
    _check_numbers(r, "TAP", plan, numbers)


def _ktap_body(r, lines, skips):
    """Top level: a plan of suites and one result per suite; inside each
    suite (indented four spaces): its own plan and results."""
    plan, numbers = None, []
    suite, sub_plan, sub_numbers, sub_notok = None, None, [], 0
    for line in lines:
        if line.startswith("    "):
            inner = line[4:]
            m = re.match(r"^# Subtest: (\S+)$", inner)
            if m:
                suite, sub_plan, sub_numbers, sub_notok = m.group(1), None, [], 0
            m = re.match(r"^1\.\.(\d+)$", inner)
            if m:
                sub_plan = int(m.group(1))
            m = RESULT.match(inner)
            if m:
                sub_numbers.append(int(m.group(2)))
                sub_notok += m.group(1) == "not ok"
                _record(r, suite or "?", m.group(3), inner, m, skips)
            continue
        if re.match(r"^1\.\.(\d+)$", line):
            plan = int(line[3:])
        m = RESULT.match(line)
        if m:
            numbers.append(int(m.group(2)))
            _check_numbers(r, "suite " + m.group(3), sub_plan, sub_numbers)
            if (m.group(1) == "ok") != (sub_notok == 0) or m.group(3) != suite:
                r.failed += 1
                r.notes.append("suite result %r disagrees with its tests" % line)
            suite = None
    _check_numbers(r, "KTAP", plan, numbers)


def parse_tap(name, out, status, expect_status=None, allowed=(), refused=()):
    """Counts a TAP or KTAP run (whichever its first line names) into a
    Result.  `allowed` names the skips (of common.SKIPS) this run may show,
    usually kernel_skips(mem); `refused`, those it refuses explicitly (only
    to word the failure: Bochs checks what TCG does not)."""
    skips = (list(allowed), list(refused))
    r = Result(name)
    lines = out.replace("\r", "").split("\n")
    closing = None
    for line in lines:
        m = CLOSING.match(line)
        if m:
            closing = tuple(int(g) for g in m.groups())
        if line.lstrip().startswith("Bail out!"):
            r.notes.append(line.strip())
            r.case("", "bail out", "failed", line.strip())
    if "KTAP version 1" in lines:
        _ktap_body(r, lines, skips)
    else:
        _tap_body(r, lines, skips)
    if status is None:
        r.notes.append("timed out (a hang)")
    elif expect_status is not None and status != expect_status:
        if status == 0:
            r.notes.append("QEMU exit status 0: a triple fault (or no debug-exit)")
        else:
            r.notes.append("exit status %d, expected %d" % (status, expect_status))
    if closing is None:
        r.notes.append("no closing 'N passed, M failed, K skipped' line")
    elif closing != (r.passed, r.failed, r.skipped) and not r.notes:
        r.notes.append("the closing line says %d passed, %d failed, %d skipped" % closing)
    if r.notes and r.failed == 0:
        r.failed = 1  # a protocol failure is a failure even if every line said ok
        r.case("", "protocol", "failed", "; ".join(r.notes))
    return r

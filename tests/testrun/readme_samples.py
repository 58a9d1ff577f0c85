"""The README's sample outputs against real runs, made as the README says
to make them, so that they cannot drift unnoticed.

Each sample of SAMPLES is an indented block of README.md, found by the
start of its first line.  It is made with the last `make run VAR=...`
that the paragraph just above it quotes (plain `make run` if it quotes
none): MEM=128M and one CPU unless that says otherwise.  Then, by kind:

  session  the lines before the first `strata> ` are the boot, compared
           literally and in order (README lines may be left out); every
           `strata> CMD` is typed into the real shell and its answer
           compared line for line with the README's; an address the sample
           typed is replaced by the one the run printed where the sample
           got it (readme_compare.Binding), and the answers must add up
           (readme_facts.py);
  tap      the TAP sample: the plan, each test line shown, the closing
           counts; the last test line shown must be the plan's last; and
           the paragraph after it must count the skips by reason as the
           run's `# SKIP` lines do;
  output   the sample's lines, in order, among the run's;
  reports  each line like one of the `# ` diagnostics of the TAP sample's
           run (misuse reports, provoked on purpose by the self-tests).

A sample that is gone from the README fails its check: take it out of
SAMPLES then.  How lines compare (literal, moving, numbers) is in
readme_compare.py."""
import os
import re
import shlex

from testrun.common import ROOT, SKIPS, kernel_skips
from testrun.readme_compare import LITERAL, Binding, Mode, anywhere, blocks, exactly, number, subsequence
from testrun.readme_facts import session_facts
from testrun.tap import RESULT, parse_tap

# (start of the sample's first line, kind, mode of comparison)
SAMPLES = [
    ("Boot information:", "session", "moving"),
    ("TAP version 13", "tap", "literal"),
    ("TRAP 14 (page fault)", "output", "moving"),
    ("mm: double free at", "reports", "numbers"),
    ("strata> misuse double-free", "session", "moving"),
    ("mm: use after destroy or free", "reports", "numbers"),
    ("smp: 4 CPUs", "output", "literal"),
    ("strata> alloc 8", "session", "numbers"),
    ("strata> failinject", "session", "moving"),
    ("mm: injected failure", "output", "numbers"),
]
PROMPT = "strata> "
# The paragraph after the TAP sample counts the skips of a one-CPU run at
# 128 MiB by reason, each reason (a name of common.SKIPS) in its words.
SKIP_PHRASES = {
    "one-cpu": r"the (\S+) (?:tests? )?that needs? a second",
    "no-highmem": r"the (\S+) (?:tests? )?that needs? HIGHMEM",
    "tcg-data-limits": r"the (\S+) (?:tests? )?that needs? a CPU checking data-segment limits",
}
MAX_PROBLEMS = 8


def make_defaults():
    """make run's defaults (MEM, SMP) as the Makefile sets them."""
    with open(os.path.join(ROOT, "Makefile")) as f:
        return dict(re.findall(r"^(MEM|SMP) \?= (\S+)$", f.read(), re.M))


def make_vars(paragraph):
    """The variables of the last `make run VAR=...` a paragraph quotes
    ([] if it quotes none: plain `make run`)."""
    runs = re.findall(r"`make run((?: [A-Z]+=(?:\"[^\"]*\"|[^\s`]+))+)`", paragraph)
    return shlex.split(runs[-1]) if runs else []


def what(variables):
    """The command that makes a sample, as the README quotes it."""
    return "`%s`" % " ".join(["make run"] + variables)


def report(r, key, kind, variables, problems):
    r.check(not problems, "README's sample '%s' (%s) is what %s prints" % (key, kind, what(variables)),
            "; ".join(problems[:MAX_PROBLEMS])
            + (" (and %d more)" % (len(problems) - MAX_PROBLEMS) if len(problems) > MAX_PROBLEMS else ""))


def check_samples(r, args, log, make):
    """Every sample of SAMPLES against its run; `make` is make_runs.make."""
    with open(os.path.join(ROOT, "README.md")) as f:
        found = blocks(f.read())
    tap_out, tap_vars = "", []
    order = sorted(SAMPLES, key=lambda s: s[1] != "tap")  # the reports need the TAP run
    for key, kind, mode in order:
        block = next((b for b in found if b.lines[0][1].startswith(key)), None)
        if block is None:
            r.check(False, "README's sample '%s' is there" % key,
                    "README.md has no indented block starting '%s' any more: take it out of SAMPLES "
                    "in tests/testrun/readme_samples.py, or put it back" % key)
            continue
        variables = make_vars(block.before)
        typed = [text[len(PROMPT):] for _, text in block.lines if text.startswith(PROMPT)]
        mode = Mode(mode, re.findall(r"\d+", " ".join(variables + typed)) if kind != "reports" else ())
        if kind == "reports":
            diagnostics = [l[2:] for l in tap_out.split("\n") if l.startswith("# ")]
            report(r, key, "misuse reports of the TAP sample's run", tap_vars,
                   anywhere(block.lines, diagnostics, mode))
            continue
        if kind == "session":
            problems, out = session(args, make, block, mode, variables)
        elif kind == "tap":
            problems, out = tap_sample(r, args, make, block, variables)
            tap_out, tap_vars = out, variables
        else:
            status, out = make(args, ["run"] + variables, typed=[(PROMPT.encode(), b"poweroff\r")],
                               timeout=args.timeout)
            problems = subsequence(block.lines, out.split("\n"), mode, Binding())
        log.append("README sample '%s' (%s):\n%s" % (key, what(variables), out))
        report(r, key, kind, variables, problems)


def check_line_sample(r, key, out, job):
    """A sample another job's run prints (the fault sweep's summary, the
    soak's line), which its paragraph does not say how to make: each of
    its lines must have the form of one line `out` printed, decimal
    numbers as placeholders (they count tests and frames)."""
    with open(os.path.join(ROOT, "README.md")) as f:
        block = next((b for b in blocks(f.read()) if b.lines[0][1].startswith(key)), None)
    problems = anywhere(block.lines, out.replace("\r", "").split("\n"), Mode("numbers")) if block else \
        ["README.md has no indented block starting '%s' any more: take it out of %s" % (key, job)]
    r.check(not problems, "README's sample '%s' has the form of what this run printed" % key, "; ".join(problems))


def steps(block):
    """(boot lines, [(README line, typed, answer lines)]) of a session sample."""
    boot, shell = [], []
    for n, text in block.lines:
        if text.startswith(PROMPT):
            shell.append((n, text[len(PROMPT):], []))
        elif shell:
            shell[-1][2].append((n, text))
        else:
            boot.append((n, text))
    return boot, shell


def answers(out):
    """(boot output lines, [(echoed line, answer lines)]) of a session."""
    parts = out.replace("\r", "").split(PROMPT)
    pairs = [(p.split("\n", 1)[0], [l for l in p.split("\n")[1:] if l.strip()]) for p in parts[1:]]
    return parts[0].split("\n"), pairs


def replay(shell, pairs, mode):
    """The README's answers against the run's so far: (binding, problems)."""
    binding, problems = Binding(), []
    for (n, _, sample), (_, real) in zip(shell, pairs):
        problems += exactly(sample, real, mode, binding, n)
    return binding, problems


def session(args, make, block, mode, variables):
    """A session sample: the boot, then each command typed and answered."""
    boot, shell = steps(block)
    unbound = []

    def typer(i):
        def keys(out):
            binding, _ = replay(shell, answers(out.decode("utf-8", "replace"))[1], mode)
            typed, missing = binding.substitute(shell[i][1])
            unbound.extend("README.md:%d types %s, which no earlier line of the sample printed (a typed "
                           "address must be one the sample got from an earlier command)" % (shell[i][0], v)
                           for v in missing)
            return typed.encode() + b"\r"
        return keys
    typed = [(PROMPT.encode(), typer(i)) for i in range(len(shell))] + [(PROMPT.encode(), b"poweroff\r")]
    status, out = make(args, ["run"] + variables, typed=typed, timeout=args.timeout)
    boot_out, pairs = answers(out)
    problems = boot_problems(args, boot, boot_out) if boot else []
    if len(pairs) < len(shell) + 1:
        problems.append("the run ended after %d of the sample's %d commands (status %s): `%s`"
                        % (max(len(pairs) - 1, 0), len(shell), status, out.strip()[-200:]))
    _, compared = replay(shell, pairs, mode)
    readme_pairs = [(typed, [text for _, text in sample]) for _, typed, sample in shell]
    return (problems + unbound + compared
            + ["the README's sample does not add up: " + p for p in session_facts(readme_pairs)]
            + ["the run's answers do not add up (a kernel bug?): " + p for p in session_facts(pairs)]), out


def boot_problems(args, boot, boot_out):
    """The boot part of a session sample, compared literally.  The DMA row
    of buddyinfo moves with the kernel image's end (order 0 to 9): close
    enough is the same largest blocks and a total within 2 %, and it is
    compared only for the default build (i686-linux-gnu-gcc, -O2)."""
    try:
        with open(os.path.join(args.build, "flags.stamp")) as f:
            default_build = re.match(r"i686-linux-gnu-gcc .* -O2 ", f.read()) is not None
    except OSError:
        default_build = False
    boot = [(n, text.replace('"build/', '"%s/' % args.build)) for n, text in boot]

    def dma_row(mine, real):
        if not (mine.startswith("DMA ") and real.startswith("DMA ")):
            return None
        a, b = mine.split()[1:], real.split()[1:]
        if len(a) != len(b) or not all(x.isdigit() for x in a + b):
            return None
        if not default_build:
            return ""
        kib = [sum(int(c) * 4 << k for k, c in enumerate(row)) for row in (a, b)]
        if a[-1] != b[-1] or abs(kib[0] - kib[1]) * 50 > kib[1]:
            return "%d KiB free in the README, %d KiB in the run" % tuple(kib)
        return ""
    return subsequence(boot, boot_out, LITERAL, Binding(), dma_row)


def tap_sample(r, args, make, block, variables):
    """The TAP sample, and the skips the paragraph after it counts."""
    status, out = make(args, ["run"] + variables, timeout=args.timeout)
    settings = dict(make_defaults(), **dict(v.split("=", 1) for v in variables))
    parsed = parse_tap("TAP", out, status, None, kernel_skips(settings["MEM"], cpus=int(settings["SMP"])))
    r.check(status == 0 and parsed.failed == 0 and "Error" not in out,
            "%s: a passing run ends with status 0, no 'Error 33'" % what(variables),
            "status %s, %d failed: %s" % (status, parsed.failed, "; ".join(parsed.notes[:3]) or out[-200:]))
    lines = out.replace("\r", "").split("\n")
    problems = subsequence(block.lines, lines, LITERAL, Binding())
    plan = [int(l[3:]) for l in lines if re.fullmatch(r"1\.\.\d+", l)]
    shown = [(n, RESULT.match(text)) for n, text in block.lines if RESULT.match(text)]
    if plan and shown and int(shown[-1][1].group(2)) != plan[0]:
        problems.append("README.md:%d shows test %s as the last, the run's last is %d"
                        % (shown[-1][0], shown[-1][1].group(2), plan[0]))
    skipped = [m.group(5) or "" for m in map(RESULT.match, lines) if m and m.group(4) == "SKIP"]
    return problems + skip_counts(block, skipped, settings), out


def skip_counts(block, reasons, settings):
    """The paragraph after the TAP sample against the run's skips."""
    where = "the paragraph after the TAP sample (README.md:%d)" % block.after_line
    real = {}
    for reason in reasons:
        name = next((k for k, p in SKIPS.items() if re.search(p, reason)), reason)
        real[name] = real.get(name, 0) + 1
    problems = []
    for name in sorted(set(real) | set(SKIP_PHRASES)):
        m = re.search(SKIP_PHRASES[name], block.after) if name in SKIP_PHRASES else None
        said = number(m.group(1)) if m else None
        if m and said != real.get(name, 0):
            problems.append("%s says '%s'; the run (-m %s, %s CPU) skipped %d for that reason"
                            % (where, m.group(0), settings["MEM"], settings["SMP"], real.get(name, 0)))
        elif not m and real.get(name):
            problems.append("the run skipped %d test(s) for '%s' (%s); %s does not count them"
                            % (real[name], SKIPS.get(name, name), name, where))
    return problems

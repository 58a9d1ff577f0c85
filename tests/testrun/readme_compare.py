"""Comparing the README's sample output with what a real run printed.

A sample is an indented block of README.md.  Its lines are compared with
the run's in one of three modes:

  literal   the line exactly (the boot's memory map, the CPUs found);
  moving    hexadecimal values (0x... and 8-digit words: addresses, page
            table entries, CR3), the offsets after `symbol+` and bracketed
            indices (PDE[799]) are placeholders, since they move with every
            change of the code; the rest of the line, decimal numbers
            included, must be the same;
  numbers   as moving, and every decimal number is a placeholder too (a
            report's counts, which follow the machine and the image size),
            but for the numbers the sample was made with (Mode.keep: typed
            at the prompt or on make's command line: `alloc 8` prints
            "order 8" whatever the machine).

Placeholders are not free: within one sample, one README value must stand
for one run value and the other way round (Binding), so that the address
kmalloc returned in the sample is the one whatis and pt are then given and
describe.  What the values must satisfy beyond that (a page walk's indices
and frame) is in readme_facts.py.

Messages name the README line (README.md:N) and quote what the run printed,
or the nearest line it printed, so that whoever changed the kernel knows
which line to update and to what."""
import collections
import difflib
import re

# Offsets after `symbol+`, hexadecimal values, bracketed indices, and (in
# the numbers mode) decimal numbers, in that order of preference.
TOKEN = re.compile(r"(?P<off>(?<=\+)0x[0-9a-f]+)|(?P<hex>\b0x[0-9a-f]+\b|\b[0-9a-f]{8}\b)"
                   r"|(?P<idx>\[\d+\])|(?P<num>\b\d+\b)")
NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen").split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


class Mode(collections.namedtuple("Mode", "name keep")):
    """A mode of comparison (above), and the decimal numbers it keeps."""

    def __new__(cls, name, keep=()):
        return super().__new__(cls, name, frozenset(keep))


LITERAL = Mode("literal")


def number(word):
    """A count as the README writes it ("13", "thirteen", "twenty-one");
    None when the word is no number."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in NUMBER_WORDS:
        return NUMBER_WORDS.index(word)
    tens, _, ones = word.partition("-")
    if tens in TENS and (not ones or ones in NUMBER_WORDS[1:10]):
        return 20 + 10 * TENS.index(tens) + (NUMBER_WORDS.index(ones) if ones else 0)
    return None


class Block:
    """One indented block: `lines` are (README line number, text without
    the indent); `before` and `after` are the paragraphs around it."""

    def __init__(self, lines, before, after):
        self.lines, self.before, (self.after, self.after_line) = lines, before[0], after
        self.first = lines[0][0]


def blocks(text):
    """Every indented (four spaces) block of a Markdown text, in order.  A
    blank line inside a block belongs to it when indented lines follow."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("    ") or (i and lines[i - 1].strip()):
            i += 1
            continue
        start, body = i, []
        while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
            if lines[i].strip():
                body.append((i + 1, lines[i][4:].rstrip()))
            i += 1
        out.append(Block(body, paragraph(lines, start - 1, -1), paragraph(lines, i, 1)))
    return out


def paragraph(lines, i, step):
    """The paragraph of unindented lines next to line i (going by step),
    and the README line number where it starts (going down) or ends."""
    while 0 <= i < len(lines) and not lines[i].strip():
        i += step
    par, start = [], i + 1
    while 0 <= i < len(lines) and lines[i].strip() and not lines[i].startswith("    "):
        par.append(lines[i])
        i += step
    return " ".join(par[::step]), start


def shape(line, mode):
    """(skeleton, hexadecimal values in order) of a line in a mode."""
    if mode.name == "literal":
        return line.rstrip(), []
    values = []

    def one(m):
        kind = m.lastgroup
        if kind == "num" and (mode.name != "numbers" or m.group(0) in mode.keep):
            return m.group(0)
        if kind == "hex":
            values.append(int(m.group(0), 16))
        return "\0%s\0" % kind
    return TOKEN.sub(one, line.rstrip()), values


def plain(skeleton):
    """A skeleton as a reader sees it: each placeholder as '#'."""
    return re.sub(r"\0\w+\0", "#", skeleton)


class Binding:
    """README value <-> run value, one to one, over one sample."""

    def __init__(self):
        self.mine, self.real = {}, {}  # value -> (other value, README line)

    def bind(self, mine, real, where):
        """None, or why the pair contradicts an earlier one."""
        if mine in self.mine and self.mine[mine][0] != real:
            other, line = self.mine[mine]
            return ("README.md:%d and README.md:%d both show %#x, where the run printed %#x and %#x"
                    % (line, where, mine, other, real))
        if real in self.real and self.real[real][0] != mine:
            other, line = self.real[real]
            return ("README.md:%d shows %#x and README.md:%d shows %#x, where the run printed %#x "
                    "at both: the sample should show one value" % (line, other, where, mine, real))
        self.mine[mine] = (real, where)
        self.real[real] = (mine, where)
        return None

    def substitute(self, text):
        """`text` (a typed command) with each README value bound so far
        replaced by the run's; also the values nothing bound."""
        unbound = []

        def one(m):
            v = int(m.group(0), 16)
            if v not in self.mine:
                unbound.append(m.group(0))
                return m.group(0)
            return "%#x" % self.mine[v][0]
        return re.sub(r"\b0x[0-9a-f]+\b", one, text), unbound


def compare(n, mine, real, mode, binding):
    """None when README line n (text `mine`) matches the run's line `real`
    in `mode`, values bound consistently; else what is wrong."""
    a, av = shape(mine, mode)
    b, bv = shape(real, mode)
    problems = [binding.bind(x, y, n) for x, y in zip(av, bv)] if len(av) == len(bv) else []
    if a != b:  # the values are bound all the same, for the lines after it
        return "README.md:%d `%s`: the run printed `%s`" % (n, mine, real.rstrip())
    return next((p for p in problems if p), None)


def nearest(line, real_lines):
    """The run's line most like `line`, for a message."""
    best = difflib.get_close_matches(line, [l for l in real_lines if l.strip()], n=1, cutoff=0.4)
    return best[0].rstrip() if best else "(nothing like it)"


def subsequence(sample, real_lines, mode, binding, counterpart=None):
    """The problems of a sample whose lines must appear in the run's output
    in the same order, not necessarily next to each other ("..." in the
    sample is only a reminder that lines were left out).  For a line that
    may differ a little (the DMA row), `counterpart(mine, real)` says None
    when `real` is not its counterpart, "" when it is and is close enough,
    else why it is not."""
    problems, at = [], 0
    for n, mine in sample:
        if mine.strip() == "...":
            continue
        found = None
        for i in range(at, len(real_lines)):
            near = counterpart(mine, real_lines[i]) if counterpart else None
            if shape(mine, mode)[0] == shape(real_lines[i], mode)[0]:
                found = compare(n, mine, real_lines[i], mode, binding) or ""
            elif near is not None:
                found = near and "README.md:%d `%s`: the run printed `%s`: %s" % (n, mine, real_lines[i], near)
            if found is not None:
                at = i + 1
                break
        if found is None:
            after = " after README.md:%d's" % prev_line(sample, n) if at else ""
            found = ("README.md:%d `%s`: the run printed no such line%s; nearest: `%s`"
                     % (n, mine, after, nearest(mine, real_lines[at:] or real_lines)))
        if found:
            problems.append(found)
    return problems


def prev_line(sample, n):
    """The README line number of the sample line before line n."""
    earlier = [m for m, text in sample if m < n and text.strip() != "..."]
    return earlier[-1] if earlier else n


def exactly(sample, real_lines, mode, binding, after):
    """The problems of a sample that must be the run's lines, one for one
    (`after`: the README line before the sample, for a message)."""
    problems = []
    for (n, mine), real in zip(sample, real_lines):
        problem = compare(n, mine, real, mode, binding)
        if problem:
            problems.append(problem)
    if len(real_lines) > len(sample):
        problems.append("after README.md:%d the run printed %d more line(s): `%s`"
                        % (sample[-1][0] if sample else after, len(real_lines) - len(sample),
                           "` `".join(l.rstrip() for l in real_lines[len(sample):][:3])))
    elif len(sample) > len(real_lines):
        n, mine = sample[len(real_lines)]
        problems.append("README.md:%d `%s`: the run printed nothing more there" % (n, mine))
    return problems


def anywhere(sample, real_lines, mode):
    """The problems of a sample each of whose lines must be like one line
    of the run (reports from different tests: values bound line by line)."""
    shapes = {}
    for real in real_lines:
        shapes.setdefault(shape(real, mode)[0], real)
    problems = []
    for n, mine in sample:
        skeleton = shape(mine, mode)[0]
        if skeleton not in shapes:
            problems.append("README.md:%d `%s`: the run printed no line of that form (`%s`); nearest: `%s`"
                            % (n, mine, plain(skeleton), nearest(mine, real_lines)))
        else:
            problem = compare(n, mine, shapes[skeleton], mode, Binding())
            if problem:
                problems.append(problem)
    return problems

"""The mutant list of `make mutants` (tests/mutants.txt): its format, its
parser, and applying one mutant to a file's text.

A mutant is a small bug put into the source on purpose.  Each is written
as a change of one exact snippet of one file, never as a line number or a
patch with offsets, so that unrelated edits to the same file leave it
applying; a snippet that is gone, or that occurs more than once, makes the
mutant stale and it must be refreshed.  The format, one block a mutant:

    == buddy-split-keeps-upper
    why: a split hands out the upper half and frees the lower one
    in: mm/buddy.c
     |			upper = page + (1u << k);
    -|			...the line as it is...
    +|			...the line as the bug has it...

`-|` lines are only in the code today, `+|` lines only in the mutant,
` |` lines (a space first) in both, for context; what follows the bar is
the exact text of the line, tabs included.  The snippet is the context and
`-` lines in order, the replacement the context and `+` lines in order.
Blank lines and lines starting with `#` between blocks are ignored.
"""
import re


class ListError(Exception):
    """A malformed list: the message names the line."""


class Mutant:
    def __init__(self, name, line):
        self.name, self.line = name, line
        self.why = self.path = None
        self.old, self.new = [], []

    def snippet(self):
        return "\n".join(self.old) + "\n"

    def replacement(self):
        return "\n".join(self.new) + "\n" if self.new else ""

    def apply(self, text):
        """The mutated text, or raises Stale saying why it cannot apply."""
        snip = self.snippet()
        n = text.count(snip)
        if n != 1:
            raise Stale("%s: the snippet occurs %d times in %s (expected once)"
                        % (self.name, n, self.path))
        return text.replace(snip, self.replacement(), 1)


class Stale(Exception):
    """A mutant whose snippet is not in its file exactly once."""


_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _check(m):
    where = "mutant %s (line %d)" % (m.name, m.line)
    if not m.why or not m.path:
        raise ListError("%s: needs a 'why:' and an 'in:' line" % where)
    if not m.old:
        raise ListError("%s: no snippet (' |' or '-|' lines)" % where)
    if m.old == m.new:
        raise ListError("%s: the replacement equals the snippet" % where)


def _add_code(m, kind, text, lineno):
    if m is None:
        raise ListError("line %d: code outside a mutant" % lineno)
    if kind in " -":
        m.old.append(text)
    if kind in " +":
        m.new.append(text)


def _field(m, line, lineno):
    key, _, value = line.partition(":")
    if m is None or key not in ("why", "in") or not value.strip():
        raise ListError("line %d: expected '== name', 'why: ...', 'in: ...' or code: %r"
                        % (lineno, line))
    if key == "why":
        m.why = value.strip()
    else:
        m.path = value.strip()


def parse(text):
    """The mutants of a list, in order; raises ListError on a bad list."""
    mutants, m = [], None
    for lineno, line in enumerate(text.split("\n"), 1):
        if line[:2] in (" |", "-|", "+|"):
            _add_code(m, line[0], line[2:], lineno)
        elif line.startswith("== "):
            if m:
                _check(m)
            m = Mutant(line[3:].strip(), lineno)
            if not _NAME.match(m.name) or any(x.name == m.name for x in mutants):
                raise ListError("line %d: bad or repeated name %r" % (lineno, m.name))
            mutants.append(m)
        elif line.strip() and not line.startswith("#"):
            _field(m, line, lineno)
    if m:
        _check(m)
    return mutants

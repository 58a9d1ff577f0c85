#!/usr/bin/env python3
"""Print and draw the fragmentation comparison from the benchmark log.

Usage: frag_render.py BENCH_LOG OUT.svg

The kernel's `frag` benchmark (tests/bench_frag.c, where the measures are
defined) prints BENCH lines: frag_requested, then for every allocator
frag_<a>_used, _waste, _largest and _ops.  This prints them as a table and
draws three bar charts side by side -- waste, the largest block left at the
end, instructions per operation -- one bar per allocator, each saying which
way is better and marking the best, every figure with one decimal.  A log without
the benchmark (make bench BENCH=other) is not an error: nothing is written.
The output is SVG: it opens in any browser.
"""
import re
import sys

ORDER = ["first", "next", "best", "worst", "kmalloc", "buddy"]
TITLES = {"first": "first fit", "next": "next fit", "best": "best fit",
          "worst": "worst fit", "kmalloc": "kmalloc (slab)", "buddy": "buddy"}
COLOURS = {"first": "#fbc02d", "next": "#f9a825", "best": "#f57f17",
           "worst": "#e65100", "kmalloc": "#1976d2", "buddy": "#388e3c"}
# (measure, title, unit, which way is better)
PANELS = [("waste", "waste: peak used over peak requested", "%", "lower is better"),
          ("largest", "largest free block left at the end", "KiB", "higher is better"),
          ("ops", "cost per operation", "insn/op", "lower is better")]
PANEL_W, BAR_H, GAP, LABEL_W, TOP = 360, 18, 6, 100, 72


def parse(path):
    """{allocator: {measure: value}} and the peak requested, from BENCH lines."""
    figures, requested = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"BENCH frag_requested (\S+) ", line)
            if m:
                requested = float(m.group(1))
                continue
            m = re.match(r"BENCH frag_([a-z]+)_([a-z]+) (\S+) ", line)
            if m:
                figures.setdefault(m.group(1), {})[m.group(2)] = float(m.group(3))
    names = [n for n in ORDER if n in figures] + sorted(set(figures) - set(ORDER))
    return requested, [(n, figures[n]) for n in names]


def table(requested, rows):
    lines = ["fragmentation: one trace, peak requested %.1f KiB" % requested,
             "%-15s %10s %8s %12s %10s" % ("allocator", "used KiB", "waste %",
                                          "largest KiB", "insn/op"),
             "%-15s %10s %8s %12s %10s" % ("", "(lower", "(lower", "(higher", "(lower"),
             "%-15s %10s %8s %12s %10s" % ("", "better)", "better)", "better)", "better)")]
    for name, f in rows:
        lines.append("%-15s %10.1f %8.1f %12.1f %10.1f" % (
            TITLES.get(name, name), f.get("used", 0), f.get("waste", 0),
            f.get("largest", 0), f.get("ops", 0)))
        if f.get("failed"):
            lines.append("%-15s %d allocations FAILED" % ("", f["failed"]))
    return "\n".join(lines)


def text(x, y, s, size=11, anchor="start", weight="normal"):
    return ('<text x="%.1f" y="%.1f" font-size="%d" font-family="sans-serif" '
            'text-anchor="%s" font-weight="%s">%s</text>' % (x, y, size, anchor, weight, s))


def panel(x0, key, title, unit, better, rows):
    """One horizontal bar chart: a bar per allocator, scaled to the largest,
    each figure with one decimal, and the best one marked."""
    out = [text(x0 + LABEL_W, TOP - 32, title, 12, weight="bold"),
           text(x0 + LABEL_W, TOP - 16, better, 10)]
    values = [f.get(key, 0) for _, f in rows]
    best = (min if better.startswith("lower") else max)(values) if values else None
    top = max([f.get(key, 0) for _, f in rows] + [1e-9])
    span = PANEL_W - LABEL_W - 130
    for i, (name, f) in enumerate(rows):
        y = TOP + i * (BAR_H + GAP)
        value = f.get(key, 0)
        out.append(text(x0 + LABEL_W - 6, y + BAR_H - 5, TITLES.get(name, name), anchor="end"))
        out.append('<rect class="bar-%s-%s" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (key, name, x0 + LABEL_W, y, span * value / top, BAR_H, COLOURS.get(name, "#455a64")))
        mark = " (best)" if value == best else ""
        out.append(text(x0 + LABEL_W + span * value / top + 4, y + BAR_H - 5,
                        "%.1f %s%s" % (value, unit, mark), 10,
                        weight="bold" if mark else "normal"))
    axis_h = len(rows) * (BAR_H + GAP)
    out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-width="0.6"/>'
               % (x0 + LABEL_W, TOP - 4, x0 + LABEL_W, TOP + axis_h))
    return out


def render(requested, rows):
    width = PANEL_W * len(PANELS) + 20
    height = TOP + len(rows) * (BAR_H + GAP) + 48
    out = [text(10, 20, "Strata: one seeded allocation trace replayed against each allocator "
                "(peak requested %.1f KiB)" % requested, 13, weight="bold")]
    for i, (key, title, unit, better) in enumerate(PANELS):
        out += panel(10 + i * PANEL_W, key, title, unit, better, rows)
    out.append(text(10, height - 12, "waste = (peak used - peak requested) / peak requested; "
                    "instructions counted under QEMU -icount shift=0; definitions in tests/bench_frag.c", 10))
    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">\n'
            '<title>Strata: fragmentation comparison</title>\n'
            '<rect width="100%%" height="100%%" fill="#fff"/>\n' % (width, height, width, height))
    return head + "\n".join(out) + "\n</svg>\n"


def main():
    requested, rows = parse(sys.argv[1])
    if requested is None or not rows:
        return
    print(table(requested, rows))
    with open(sys.argv[2], "w") as f:
        f.write(render(requested, rows))
    print("frag: %d allocators -> %s" % (len(rows), sys.argv[2]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draw a picture of physical memory from the kernel's MEMMAP dump.

Usage: memmap_render.py SERIAL_LOG OUT.svg

The kernel (command line `memdump`, or the shell's `memdump`) prints one
line per run of frames in the same state (kernel/memdump.h).  Each row of
the picture is one MiB of physical memory (256 frames), low addresses at
the top; every frame is coloured by its state: free blocks by order (pale
for single frames, dark for 4 MiB blocks), allocated frames by owner,
reserved frames and the kernel image.

Most of a machine is long stretches of one state (free 4 MiB blocks,
above all), which would bury the interesting rows: a stretch of at least
COLLAPSE_ROWS rows that are all one state is drawn as one thin band that
says what it holds and how much.  The zone boundaries (DMA ends at 16 MiB,
HighMem starts where the direct map ends) are lines across the picture,
HighMem is hatched, every block has a tooltip (SVG title) with its range and
state, and the legend lists only the states the picture shows.  The output
is SVG: it opens in any browser.
"""
import re
import sys

WIDTH = 1024
LABEL_W = 110
ROW_H = 8
BAND_H = 16
ROW_FRAMES = 256  # one MiB a row
COLLAPSE_ROWS = 4
PAGE = 4096

COLOURS = {
    "reserved": "#9e9e9e", "kernel": "#d32f2f", "bootmem": "#f57c00",
    "slab": "#1976d2", "kmalloc": "#42a5f5", "pagetable": "#7b1fa2",
    "vmalloc": "#00897b", "user": "#c2185b", "stack": "#5d4037",
    "freelist": "#fbc02d", "allocated": "#455a64", "hot": "#aed581",
}
LABELS = {
    "reserved": "reserved (firmware, holes, first MiB)", "kernel": "kernel image",
    "bootmem": "bootmem (page array)", "slab": "slab caches", "kmalloc": "kmalloc (large)",
    "pagetable": "page tables", "vmalloc": "vmalloc", "user": "user pages",
    "stack": "kernel stacks", "freelist": "freelist heaps", "allocated": "other allocations",
    "hot": "free: on a CPU's list",
}


def free_colour(order):
    """Pale green for order 0 up to dark green for order 10."""
    t = order / 10.0
    r, g, b = (200 - int(170 * t), 240 - int(120 * t), 200 - int(170 * t))
    return "#%02x%02x%02x" % (r, g, b)


def free_order(state):
    m = re.match(r"free-o(\d+)$", state)
    return int(m.group(1)) if m else None


def colour(state):
    order = free_order(state)
    return free_colour(order) if order is not None else COLOURS.get(state, "#000000")


def describe(state):
    order = free_order(state)
    if order is not None:
        return "free block of order %d (%s)" % (order, human(PAGE << order))
    return LABELS.get(state, state)


def parse(path):
    header, runs = None, []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip().replace("\r", "")
            m = re.match(r"MEMMAP-BEGIN frames=(\d+) direct_end_pfn=([0-9a-f]+) dma_end_pfn=([0-9a-f]+)", line)
            if m:
                header = (int(m.group(1)), int(m.group(2), 16), int(m.group(3), 16))
                runs = []
                continue
            m = re.match(r"MEMMAP ([0-9a-f]+) ([0-9a-f]+) (\S+)$", line)
            if m and header:
                runs.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    if not header or not runs:
        sys.exit("memmap_render: no MEMMAP dump in %s" % path)
    return header, runs


def human(nbytes):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= size:
            return "%g %s" % (round(nbytes / size, 2), unit)
    return "%d B" % nbytes


def rows_of(frames, runs):
    """Per row, its pieces (start, end, state, run start, run count)."""
    rows = [[] for _ in range((frames + ROW_FRAMES - 1) // ROW_FRAMES)]
    for start, count, state in runs:
        pfn, end = start, min(start + count, frames)
        while pfn < end:
            row = pfn // ROW_FRAMES
            stop = min(end, (row + 1) * ROW_FRAMES)
            rows[row].append((pfn, stop, state, start, count))
            pfn = stop
    return rows


def uniform_state(row, row_index, frames):
    """The one state that fills the whole row, or None."""
    first, last = row_index * ROW_FRAMES, min((row_index + 1) * ROW_FRAMES, frames)
    states = {p[2] for p in row}
    if len(states) == 1 and sum(p[1] - p[0] for p in row) == last - first:
        return states.pop()
    return None


def layout(rows, frames, breaks):
    """A list of ("row", index) and ("band", first row, last row, state); no
    band runs across a row in `breaks` (a zone boundary)."""
    out, i = [], 0
    while i < len(rows):
        state = uniform_state(rows[i], i, frames)
        j = i
        while (state and j + 1 < len(rows) and j + 1 not in breaks
               and uniform_state(rows[j + 1], j + 1, frames) == state):
            j += 1
        if state and j - i + 1 >= COLLAPSE_ROWS:
            out.append(("band", i, j, state))
        else:
            out += [("row", k) for k in range(i, j + 1)]
        i = j + 1
    return out


def rect(out, x, y, w, h, fill, cls, tip, extra=""):
    out.append('<rect class="%s" x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"%s>'
               '<title>%s</title></rect>' % (cls, x, y, w, h, fill, extra, tip))


def tooltip(start, count, state):
    return "%#010x-%#010x (%s): %s" % (start * PAGE, (start + count) * PAGE, human(count * PAGE),
                                      describe(state))


def draw_row(out, y, index, pieces):
    px = (WIDTH - LABEL_W) / ROW_FRAMES
    for pfn, stop, state, start, count in pieces:
        edge = ' stroke="#fff" stroke-width="0.4"' if free_order(state) is not None else ""
        rect(out, LABEL_W + (pfn - index * ROW_FRAMES) * px, y, (stop - pfn) * px, ROW_H,
             colour(state), state, tooltip(start, count, state), edge)
    out.append('<text x="4" y="%d" font-size="8" font-family="monospace">%#010x</text>'
               % (y + ROW_H - 1, index * ROW_FRAMES * PAGE))


def draw_band(out, y, first, last, state):
    start, count = first * ROW_FRAMES, (last - first + 1) * ROW_FRAMES
    rect(out, LABEL_W, y + 2, WIDTH - LABEL_W, BAND_H - 4, colour(state), state + " collapsed",
         tooltip(start, count, state), ' fill-opacity="0.6"')
    order = free_order(state)
    what = ("%d free blocks of order %d (%s each)" % (count >> order, order, human(PAGE << order))
            if order is not None else describe(state))
    out.append('<text x="%d" y="%d" font-size="10" font-family="sans-serif">%s: %s, collapsed</text>'
               % (LABEL_W + 8, y + BAND_H - 5, human(count * PAGE), what))
    out.append('<text x="4" y="%d" font-size="8" font-family="monospace">%#010x</text>'
               % (y + BAND_H - 5, start * PAGE))


def boundaries(direct_end, dma_end, frames):
    """(pfn, label) of the zone boundaries inside the machine."""
    marks = []
    if dma_end < frames:
        marks.append((dma_end, "DMA | Normal (16 MiB)"))
    if direct_end < frames:
        marks.append((direct_end, "Normal | HighMem: the direct map ends at %s" % human(direct_end * PAGE)))
    return marks


def body(header, runs):
    """The picture's rows and bands; returns (svg lines, height, states shown)."""
    frames, direct_end, dma_end = header
    rows = rows_of(frames, runs)
    out, y, marks = [], 0, boundaries(direct_end, dma_end, frames)
    for item in layout(rows, frames, {pfn // ROW_FRAMES for pfn, _ in marks}):
        first = item[1]
        for pfn, label in marks:
            if pfn == first * ROW_FRAMES:
                out.append('<line class="zone-boundary" x1="0" y1="%d" x2="%d" y2="%d" stroke="#000" '
                           'stroke-width="1.5"/><text x="%d" y="%d" font-size="9" font-family="sans-serif" '
                           'font-weight="bold">%s</text>' % (y + 1, WIDTH, y + 1, WIDTH - 330, y + 10, label))
                y += 12
        height = ROW_H if item[0] == "row" else BAND_H
        if item[0] == "row":
            draw_row(out, y, first, rows[first])
        else:
            draw_band(out, y, first, item[2], item[3])
        if first * ROW_FRAMES >= direct_end:
            out.append('<rect class="highmem" x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)"/>'
                       % (LABEL_W, y, WIDTH - LABEL_W, height))
        y += height
    return out, y, {state for _, _, state in runs}


def legend(states, highmem):
    entries = [(free_colour(free_order(s)), describe(s), "legend-free-o%d" % free_order(s))
               for s in sorted((s for s in states if free_order(s) is not None), key=free_order)]
    entries += [(COLOURS[s], LABELS[s], "legend-" + s) for s in COLOURS if s in states]
    entries += [("#000000", LABELS.get(s, s), "legend-" + s) for s in sorted(states)
                if s not in COLOURS and free_order(s) is None]
    if highmem:
        entries.append(("url(#hatch)", "HighMem: above the direct map (kmap/vmalloc only)", "legend-highmem"))
    return entries


def render(header, runs):
    frames, direct_end, dma_end = header
    out, height, states = body(header, runs)
    entries = legend(states, direct_end < frames)
    y = height + 24
    out.append('<text x="4" y="%d" font-size="12" font-family="sans-serif">Physical memory: %s in %d frames '
               'of 4 KiB; each row is 1 MiB; stretches of %d rows or more in one state are collapsed '
               '(hover for details)</text>' % (y, human(frames * PAGE), frames, COLLAPSE_ROWS))
    for i, (fill, text, cls) in enumerate(entries):
        lx, ly = 4 + (i % 3) * 340, y + 14 + (i // 3) * 16
        out.append('<rect class="%s" x="%d" y="%d" width="12" height="12" fill="%s" stroke="#000" '
                   'stroke-width="0.5"/>' % (cls, lx, ly, fill))
        out.append('<text x="%d" y="%d" font-size="11" font-family="sans-serif">%s</text>'
                   % (lx + 16, ly + 10, text))
    total_h = y + 14 + ((len(entries) + 2) // 3) * 16 + 8
    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">\n'
            '<title>Strata: physical memory</title>\n'
            '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="2" height="6" fill="#000" fill-opacity="0.35"/>'
            '</pattern></defs>\n<rect width="100%%" height="100%%" fill="#fff"/>\n'
            % (WIDTH, total_h, WIDTH, total_h))
    return head + "\n".join(out) + "\n</svg>\n"


def main():
    header, runs = parse(sys.argv[1])
    svg = render(header, runs)
    with open(sys.argv[2], "w") as f:
        f.write(svg)
    states = sorted({s for _, _, s in runs})
    print("memmap: %d frames, %d runs, states: %s -> %s" % (header[0], len(runs), " ".join(states), sys.argv[2]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Draw a picture of physical memory from the kernel's MEMMAP dump.

Usage: memmap_render.py SERIAL_LOG OUT.svg

The kernel (command line `memdump`, or the shell's `memdump`) prints one
line per run of frames in the same state (kernel/memdump.h).  Each row of
the picture is a stretch of physical memory, low addresses at the top;
every frame is coloured by its state: free blocks by order (pale for single
frames, dark for 4 MiB blocks), allocated frames by owner, reserved frames
and the kernel image.  HIGHMEM (frames above the direct map) is marked by a
hatched band.  The output is SVG: it opens in any browser.
"""
import math
import re
import sys

WIDTH = 1024
LABEL_W = 110
ROW_H = 6
MAX_ROWS = 192

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
    "hot": "free: hot list",
}


def free_colour(order):
    """Pale green for order 0 up to dark green for order 10."""
    t = order / 10.0
    r, g, b = (200 - int(170 * t), 240 - int(120 * t), 200 - int(170 * t))
    return "#%02x%02x%02x" % (r, g, b)


def colour(state):
    m = re.match(r"free-o(\d+)$", state)
    if m:
        return free_colour(int(m.group(1)))
    return COLOURS.get(state, "#000000")


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


def render(header, runs):
    frames, direct_end, dma_end = header
    row_frames = 512
    while math.ceil(frames / row_frames) > MAX_ROWS:
        row_frames *= 2
    rows = math.ceil(frames / row_frames)
    px = (WIDTH - LABEL_W) / row_frames
    out = []
    def rect(x, y, w, h, fill, cls, extra=""):
        out.append('<rect class="%s" x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"%s/>'
                   % (cls, x, y, w, h, fill, extra))
    for start, count, state in runs:
        pfn, end = start, start + count
        while pfn < end:
            row = pfn // row_frames
            stop = min(end, (row + 1) * row_frames)
            edge = ' stroke="#fff" stroke-width="0.4"' if state.startswith("free-o") else ""
            rect(LABEL_W + (pfn - row * row_frames) * px, row * ROW_H,
                 (stop - pfn) * px, ROW_H, colour(state), state, edge)
            pfn = stop
    # HIGHMEM: hatch the rows above the direct map.
    if direct_end < frames:
        y0 = (direct_end // row_frames) * ROW_H
        out.append('<rect class="highmem" x="%d" y="%d" width="%d" height="%d" fill="url(#hatch)"/>'
                   % (LABEL_W, y0, WIDTH - LABEL_W, rows * ROW_H - y0))
    for row in range(0, rows, max(1, rows // 16)):
        out.append('<text x="4" y="%d" font-size="9" font-family="monospace">%#010x</text>'
                   % (row * ROW_H + ROW_H, row * row_frames * 4096))
    height = rows * ROW_H
    legend = [(free_colour(k), "free block, order %d (%s)" % (k, human(4096 << k)), "legend-free")
              for k in (0, 3, 6, 10)]
    legend += [(COLOURS[s], LABELS[s], "legend-" + s) for s in COLOURS]
    legend.append(("url(#hatch)", "HIGHMEM: above the direct map (kmap/vmalloc only)", "legend-highmem"))
    y = height + 24
    out.append('<text x="4" y="%d" font-size="12" font-family="sans-serif">Physical memory: %s in %d frames of 4 KiB; each row is %s; DMA zone ends at %#x</text>'
               % (y, human(frames * 4096), frames, human(row_frames * 4096), dma_end * 4096))
    for i, (fill, text, cls) in enumerate(legend):
        lx, ly = 4 + (i % 3) * 340, y + 14 + (i // 3) * 16
        out.append('<rect class="%s" x="%d" y="%d" width="12" height="12" fill="%s" stroke="#000" stroke-width="0.5"/>'
                   % (cls, lx, ly, fill))
        out.append('<text x="%d" y="%d" font-size="11" font-family="sans-serif">%s</text>'
                   % (lx + 16, ly + 10, text))
    total_h = y + 14 + ((len(legend) + 2) // 3) * 16 + 8
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

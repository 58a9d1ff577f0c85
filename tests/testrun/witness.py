"""The outside witness: the kernel's account of its mappings against
QEMU's own (info mem, info tlb over QMP), with the kernel paused at a
known point."""
import json
import os
import re
import select
import socket
import subprocess
import time

from testrun.common import Result, qemu_cmd, save_log


# The outside witness: the kernel's account of its mappings against QEMU's.
WITNESS_RUNS = [("128M", []), ("4G", []), ("128M", ["-cpu", "pentium2,-pse,-pge"])]
KERNEL_VBASE = 0xC0000000


def qmp_session(path):
    """Connects to QEMU's QMP socket; returns a function running one command."""
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(30)
    sock.connect(path)
    f = sock.makefile("rwb")
    f.readline()  # the greeting

    def command(name, **arguments):
        f.write((json.dumps({"execute": name, "arguments": arguments}) + "\n").encode())
        f.flush()
        while True:  # skip asynchronous events
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                return reply.get("return", reply.get("error"))
    command("qmp_capabilities")
    return command


def wait_for_line(proc, marker, timeout):
    """Reads the kernel's serial output until marker, the process ends or
    the timeout passes (a silent hang cannot block it); returns the text."""
    out, deadline = b"", time.time() + timeout
    fd = proc.stdout.fileno()
    while marker.encode() not in out:
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        out += chunk
    return out.decode("utf-8", "replace")


def merge_ranges(ranges):
    merged = []
    for start, end, prot in ranges:
        if merged and merged[-1][1] == start and merged[-1][2] == prot:
            merged[-1] = (merged[-1][0], end, prot)
        else:
            merged.append((start, end, prot))
    return merged


def covered(ranges, start, end, holes=()):
    """Whether [start, end) minus the hole pages is inside the ranges."""
    for a in range(start, end, 0x1000):
        if a not in holes and not any(s <= a < e for s, e, _ in ranges):
            return "%08x" % a
    return None


def witness_checks(out, mem_text, tlb_text):
    """(description, problem or None) for each property the witness proves."""
    info = dict(re.findall(r"(\w+)=([0-9a-f]+(?:-[0-9a-f]+)?)", re.search(r"WITNESS info (.*)", out).group(1)))
    text_start, text_end = (int(x, 16) for x in info["text"].split("-"))
    direct_end, guard = int(info["direct_end"], 16), int(info["guard"], 16)
    pse, pge = info["pse"] == "1", info["pge"] == "1"
    mine = merge_ranges([(int(a, 16), int(b, 16), u + w) for a, b, u, w in
                         re.findall(r"WITNESS range ([0-9a-f]+)-([0-9a-f]+) ([u-])([w-])", out)])
    qemu = merge_ranges([(int(a, 16), int(b, 16), u + w) for a, b, u, w in
                         re.findall(r"^([0-9a-f]+)-([0-9a-f]+) [0-9a-f]+ ([u-])r([w-])$", mem_text, re.M)])
    tlb = [(int(v, 16), int(p, 16), fl) for v, p, fl in
           re.findall(r"^([0-9a-f]+): ([0-9a-f]+) ([-A-Z]{9})$", tlb_text, re.M)]
    direct = [(v, p, fl) for v, p, fl in tlb if KERNEL_VBASE <= v < KERNEL_VBASE + direct_end]
    checks = [
        ("the kernel's account equals QEMU's info mem (%d runs)" % len(qemu),
         None if mine == qemu and qemu else "kernel %s / qemu %s" % (mine[:6], qemu[:6])),
        ("the NULL page is unmapped", None if not any(s < 0x1000 for s, e, _ in qemu) else "mapped"),
        ("kernel text is not writable",
         next(("writable run %08x-%08x" % (s, e) for s, e, p in qemu
               if s < text_end and e > text_start and "w" in p), None)
         or covered([(s, e, p) for s, e, p in qemu], text_start, text_end)),
        ("the direct map covers low memory except page 0 and the stack guard",
         covered(qemu, KERNEL_VBASE + 0x1000, KERNEL_VBASE + direct_end, {guard})),
        ("the stack guard page is unmapped", None if covered(qemu, guard, guard + 0x1000) else "mapped"),
        ("nothing in the kernel half is user-accessible",
         next(("user run %08x-%08x" % (s, e) for s, e, p in qemu if e > KERNEL_VBASE and "u" in p), None)),
        ("info tlb: direct-map pages point at virtual - 0xC0000000",
         next(("%08x -> %08x" % (v, p) for v, p, fl in direct if p != v - KERNEL_VBASE), None)
         if direct else "no direct-map entries"),
        ("info tlb: kernel pages are global exactly when PGE is used (pge=%d)" % pge,
         next(("%08x %s" % (v, fl) for v, p, fl in tlb if v >= KERNEL_VBASE and (fl[1] == "G") != pge), None)),
        ("info tlb: 4 MiB pages exactly when PSE is used (pse=%d)" % pse,
         None if any(fl[2] == "P" for v, p, fl in tlb) == pse else "mismatch"),
    ]
    return checks


def witness_job(args, mem, extra):
    name = "QEMU witness -m %s%s" % (mem, ", " + " ".join(extra) if extra else "")
    t0 = time.time()
    sock = os.path.join(args.build, "qmp-%d.sock" % os.getpid() + re.sub(r"\W", "", mem + "".join(extra)))
    if os.path.exists(sock):
        os.unlink(sock)
    qemu = subprocess.Popen(qemu_cmd(mem, ["-kernel", args.kernel, "-append", "witness",
                                           "-qmp", "unix:%s,server=on,wait=off" % sock] + extra),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    r = Result(name)
    try:
        out = wait_for_line(qemu, "WITNESS ready", args.timeout)
        if "WITNESS ready" not in out:
            r.check(False, "the kernel reaches 'WITNESS ready'")
        else:
            command = qmp_session(sock)
            command("stop")
            mem_text = command("human-monitor-command", **{"command-line": "info mem"}).replace("\r", "")
            tlb_text = command("human-monitor-command", **{"command-line": "info tlb"}).replace("\r", "")
            out += "\n--- info mem ---\n" + mem_text
            for desc, problem in witness_checks(out, mem_text, tlb_text):
                r.check(not problem, desc, problem or "")
    finally:
        qemu.kill()
        qemu.wait()
        if os.path.exists(sock):
            os.unlink(sock)
    r.log, r.secs = save_log(args, name, out), time.time() - t0
    return r

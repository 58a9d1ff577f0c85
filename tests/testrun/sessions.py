"""Interactive sessions: the scripted serial shell (with GDB comparing its
answers half way through) and the scripted GDB session against QEMU's
gdbstub.  The shell's steps are in shell_steps.py."""
import os
import re
import socket
import subprocess
import time

from testrun.common import EXIT_PASS, ROOT, Result, qemu_cmd, run, save_log, tally
from testrun.tap import parse_tap


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_env(port, **extra):
    return dict(os.environ, STRATA_GDB_PORT=str(port),
                PYTHONPATH=os.path.join(ROOT, "tools/gdb"), **extra)


def _shell_answers(transcript, command):
    """(argument, answer) of each time the shell was given `command ARG`."""
    out = []
    for typed, answer in transcript:
        words = typed.decode(errors="replace").split()
        if words and words[0] == command:
            out.append((words[1] if len(words) > 1 else "", answer))
    return out


def _answer_lines(answer):
    """An answer without the echo of its command line."""
    return [line for line in answer.split("\n")[1:] if line.strip()]


def gdb_agrees(args, port):
    """A shell step: GDB attaches to the idle shell and must say what the
    shell said (whatis, vmallocinfo), find the CPU halted, and the log and
    the allocators' invariants in order."""
    def step(captured, transcript):
        whatis = [(a, _answer_lines(ans)) for a, ans in _shell_answers(transcript, "whatis")
                  if "error:" not in ans]
        addrs = [a for a, _ in whatis]
        status, out = run(["gdb", "-nx", "-q", "-batch", "-x",
                           os.path.join(ROOT, "tests/gdb/shell_compare.py"), args.kernel],
                          60, env=gdb_env(port, STRATA_ADDRS=",".join(addrs)))
        save_log(args, "shell session, GDB's side", out)
        tagged = {}
        for line in out.splitlines():
            tag, _, rest = line.partition(" ")
            tagged.setdefault(tag, []).append(rest)
        idle = (tagged.get("IDLE") or ["? 0 00"])[0].split()
        results = [(idle[0] == "serial_wait_rx" and idle[2] == "f4",
                    "gdb: the idle shell has the CPU halted (stopped just after hlt in serial_wait_rx)",
                    "GDB found %s" % idle)]
        gdb_whatis = tagged.get("WHATIS", [])
        for i, (addr, lines) in enumerate(whatis):
            said = gdb_whatis[i] if i < len(gdb_whatis) else "(nothing)"
            results.append((lines[-1:] == [said],
                            "gdb: strata whatis %s says what the shell's whatis said" % addr,
                            "shell %r, GDB %r" % (lines[-1:], said)))
        shell_vm = [_answer_lines(a) for _, a in _shell_answers(transcript, "vmallocinfo")]
        results.append((bool(shell_vm) and shell_vm[-1] == tagged.get("VMALLOCINFO"),
                        "gdb: strata vmallocinfo says what the shell's vmallocinfo said",
                        "shell %r, GDB %r" % (shell_vm[-1:], tagged.get("VMALLOCINFO"))))
        check = " ".join(tagged.get("CHECK", []))
        results.append(("0 problem(s)" in check and "problem:" not in check,
                        "gdb: strata check finds the shell's allocations consistent", check))
        last = _answer_lines(transcript[-1][1]) if transcript else []
        dmesg = tagged.get("DMESG", [])
        results.append((bool(last) and dmesg[-len(last):] == last,
                        "gdb: strata dmesg ends with what the shell printed last",
                        "shell %r, GDB %r" % (last, dmesg[-3:])))
        return results
    return step


def shell_job(args):
    from testrun import shell_session
    from testrun.shell_steps import shell_steps
    name = "serial shell session"
    t0 = time.time()
    port = free_port()
    results, status, log = shell_session.run_session(
        qemu_cmd("1G", ["-kernel", args.kernel, "-append", "slab_debug failinject=nth:1,kind:task",
                        "-gdb", "tcp:127.0.0.1:%d" % port]), 30, shell_steps(gdb_agrees(args, port)))
    r = Result(name, secs=time.time() - t0)
    r.log = save_log(args, name, log)
    tally(r, [(ok, "shell: %s # %s" % (desc, detail)) for ok, desc, detail in results])
    r.check(status == EXIT_PASS, "shell: poweroff leaves QEMU with the pass status",
            "QEMU exit status %s, expected %d" % (status, EXIT_PASS))
    return r


GDB_CHECKS = 45  # tests/gdb/session.py's own checks; a lost one is a failure


def gdb_job(args):
    """On two CPUs, so that the per-CPU views (strata cpus, the gdbstub's
    thread per CPU) see an AP."""
    name = "GDB session"
    t0 = time.time()
    port = free_port()
    qemu = subprocess.Popen(qemu_cmd("128M", ["-kernel", args.kernel, "-append", "ktest=printk,task",
                                              "-smp", "2", "-S", "-gdb", "tcp:127.0.0.1:%d" % port]),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        status, out = run(["gdb", "-nx", "-q", "-batch", "-x",
                           os.path.join(ROOT, "tests/gdb/session.py"), args.kernel],
                          args.timeout, env=gdb_env(port))
    finally:
        qemu.kill()
        serial = qemu.communicate()[0].decode("utf-8", "replace").replace("\r", "")
    r = parse_tap(name, out, status, 0)
    r.check(r.passed + r.failed >= GDB_CHECKS, "gdb: the session made all its checks",
            "%d checks, expected %d" % (r.passed + r.failed, GDB_CHECKS))
    compare_with_serial(r, out, serial)
    r.log, r.secs = save_log(args, name, out + "\n--- serial ---\n" + serial), time.time() - t0
    return r


def compare_with_serial(r, out, serial):
    """GDB's tables against the kernel's own, printed at the same breakpoint,
    and its copy of the kernel log against the serial output."""
    row = r"^(DMA|Normal|HighMem)((?:\s+\d+){%d})$"
    kernel_rows = [" ".join(m.group(0).split()) for m in re.finditer(row % 11, serial, re.M)]
    gdb_rows = [l[len("GDB-BUDDYINFO "):] for l in out.splitlines() if l.startswith("GDB-BUDDYINFO ")]
    # The same for slabinfo: name and the six counts before the waste column
    # (then the CPUs' arrays, the depot and the array limit).
    slab_row = r"^(\S+)((?:\s+\d+){6})\s+\d+\.\d%(?:\s+\d+){3}$"
    kernel_slabs = [" ".join(m.group(0).split()[:7]) for m in re.finditer(slab_row, serial, re.M)]
    gdb_slabs = [l[len("GDB-SLABINFO "):] for l in out.splitlines() if l.startswith("GDB-SLABINFO ")]
    dmesg = "\n".join(l[len("GDB-DMESG "):] for l in out.splitlines() if l.startswith("GDB-DMESG "))
    tally(r, [(bool(kernel_rows) and kernel_rows == gdb_rows,
               "gdb: buddyinfo from GDB %s equals the kernel's %s" % (gdb_rows, kernel_rows)),
              (bool(kernel_slabs) and kernel_slabs == gdb_slabs,
               "gdb: slabinfo from GDB %s equals the kernel's %s" % (gdb_slabs, kernel_slabs)),
              (len(dmesg) > 1000 and serial.startswith(dmesg),
               "gdb: strata dmesg at a breakpoint is the serial output up to it # %d characters"
               % len(dmesg)),
              ("Usable memory (sanitised map): 1 range, " in serial,
               "boot: one usable range is '1 range', not '1 ranges'"),
              ('command line: "' in serial and not re.search(r'command line: "[^"]* "', serial),
               "boot: the command line is printed without QEMU's trailing space")])

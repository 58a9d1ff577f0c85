"""Interactive sessions: the scripted serial shell (its steps are in
shell_steps.py) and the scripted GDB session against QEMU's gdbstub."""
import os
import re
import socket
import subprocess
import time

from testrun.common import EXIT_PASS, ROOT, Result, qemu_cmd, run, save_log, tally
from testrun.tap import parse_tap


def shell_job(args):
    from testrun import shell_session
    from testrun.shell_steps import shell_steps
    name = "serial shell session"
    t0 = time.time()
    results, status, log = shell_session.run_session(
        qemu_cmd("1G", ["-kernel", args.kernel, "-append", "slab_debug"]), 30,
        shell_steps(lambda captured, transcript: []))
    r = Result(name, secs=time.time() - t0)
    r.log = save_log(args, name, log)
    tally(r, [(ok, "shell: %s # %s" % (desc, detail)) for ok, desc, detail in results])
    r.check(status == EXIT_PASS, "shell: poweroff leaves QEMU with the pass status",
            "QEMU exit status %s, expected %d" % (status, EXIT_PASS))
    return r


GDB_CHECKS = 18  # tests/gdb/session.py's own checks; a lost one is a failure


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_job(args):
    name = "GDB session"
    t0 = time.time()
    port = free_port()
    qemu = subprocess.Popen(qemu_cmd("128M", ["-kernel", args.kernel, "-append", "ktest=printk",
                                              "-S", "-gdb", "tcp:127.0.0.1:%d" % port]),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    env = dict(os.environ, STRATA_GDB_PORT=str(port),
               PYTHONPATH=os.path.join(ROOT, "tools/gdb"))
    try:
        status, out = run(["gdb", "-nx", "-q", "-batch", "-x",
                           os.path.join(ROOT, "tests/gdb/session.py"), args.kernel],
                          args.timeout, env=env)
    finally:
        qemu.kill()
        serial = qemu.communicate()[0].decode("utf-8", "replace").replace("\r", "")
    r = parse_tap(name, out, status, 0)
    r.check(r.passed + r.failed >= GDB_CHECKS, "gdb: the session made all its checks",
            "%d checks, expected %d" % (r.passed + r.failed, GDB_CHECKS))
    # The kernel's own buddyinfo table (printed at boot, before the
    # breakpoint) against the one GDB read from memory at that breakpoint.
    row = r"^(DMA|Normal|HighMem)((?:\s+\d+){%d})$"
    kernel_rows = [" ".join(m.group(0).split()) for m in re.finditer(row % 11, serial, re.M)]
    gdb_rows = [l[len("GDB-BUDDYINFO "):] for l in out.splitlines() if l.startswith("GDB-BUDDYINFO ")]
    # The same for slabinfo: name and the six counts before the waste column.
    slab_row = r"^(\S+)((?:\s+\d+){6})\s+\d+\.\d%$"
    kernel_slabs = [" ".join(m.group(0).split()[:7]) for m in re.finditer(slab_row, serial, re.M)]
    gdb_slabs = [l[len("GDB-SLABINFO "):] for l in out.splitlines() if l.startswith("GDB-SLABINFO ")]
    tally(r, [(bool(kernel_rows) and kernel_rows == gdb_rows,
               "gdb: buddyinfo from GDB %s equals the kernel's %s" % (gdb_rows, kernel_rows)),
              (bool(kernel_slabs) and kernel_slabs == gdb_slabs,
               "gdb: slabinfo from GDB %s equals the kernel's %s" % (gdb_slabs, kernel_slabs))])
    r.log, r.secs = save_log(args, name, out + "\n--- serial ---\n" + serial), time.time() - t0
    return r

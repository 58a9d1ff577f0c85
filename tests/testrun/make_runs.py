"""What a newcomer types, run as they would type it: the README's sample
outputs, each made as the README says (readme_samples.py: make run with
the self-tests, the shell's sessions, a crash, four CPUs, a failed boot),
make run with a failing self-test, make run and make run-iso with
`poweroff` typed into the shell, make test-list, make help, make DEBUG=1,
and GDB started from the generated .gdbinit with no QEMU to attach to."""
import json
import os
import re
import select
import signal
import subprocess
import time

from testrun.common import ROOT, Result, save_log
from testrun.readme_samples import check_samples
from testrun.sessions import free_port


def make(args, targets, typed=None, timeout=60, build=None):
    """Runs make in the tree (in `build`, by default the runner's build
    directory), as from a shell of its own: no jobserver or flags inherited
    from the make running us.  `typed` is typed at the shell's first prompt
    (the UART drops what arrives before the kernel sets it up); a list of
    (prompt, keys) types each keys once its prompt has appeared, in order
    (keys may be a function of the output so far, returning the bytes)."""
    if isinstance(typed, bytes):
        typed = [(b"strata> ", typed)]
    typed = list(typed or [])
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    # a session of its own, so that a timeout ends QEMU too, not only make
    p = subprocess.Popen(["make", "-s", "--no-print-directory", "-C", ROOT, "B=" + (build or args.build)] + targets,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True)
    out, seen, deadline = b"", 0, time.time() + timeout
    while time.time() < deadline:
        ready, _, _ = select.select([p.stdout], [], [], max(0.0, deadline - time.time()))
        chunk = os.read(p.stdout.fileno(), 4096) if ready else b""
        if not chunk:
            break
        out += chunk
        if typed and typed[0][0] in out[seen:]:
            seen = out.index(typed[0][0], seen) + len(typed[0][0])
            keys = typed.pop(0)[1]
            p.stdin.write(keys(out) if callable(keys) else keys)
            p.stdin.flush()
    if p.poll() is None:
        try:
            p.wait(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None, out.decode("utf-8", "replace")
    return p.returncode, out.decode("utf-8", "replace").replace("\r", "")


def gdb_without_qemu(args):
    """GDB from the .gdbinit template, on a port nobody listens on."""
    port = free_port()
    gdbinit = os.path.join(args.build, "test-gdbinit")
    with open(os.path.join(ROOT, "tools/gdb/gdbinit.in")) as f:
        text = f.read().replace("@GDBPORT@", str(port)).replace("@KERNEL@", args.kernel)
    with open(gdbinit, "w") as f:
        f.write(text)
    try:
        p = subprocess.run(["gdb", "-nx", "-q", "-batch", "-x", gdbinit], cwd=ROOT, timeout=60,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "(GDB still waiting after 60 s)"


def build_outputs(r, args):
    """compile_commands.json gives every C file of the tree its real flags
    (the host tests' too, so that clangd opens them cleanly); kernel.asm
    has the source between the instructions, kernel.sym the symbols."""
    try:
        with open(os.path.join(ROOT, "compile_commands.json")) as f:
            entries = {os.path.relpath(e["file"], ROOT): e["arguments"] for e in json.load(f)}
    except (OSError, ValueError):
        entries = {}
    host = [f for f in os.listdir(os.path.join(ROOT, "tests/host")) if f.endswith(".c")]
    missing = [f for f in host if "-DSTRATA_HOST" not in entries.get("tests/host/" + f, [])]
    r.check(host and not missing, "compile_commands.json covers the host test sources with host flags",
            "missing or without -DSTRATA_HOST: %s" % missing)
    asm = os.path.join(args.build, "kernel.asm")
    sym = os.path.join(args.build, "kernel.sym")
    asm_text = open(asm).read() if os.path.exists(asm) else ""
    sym_text = open(sym).read() if os.path.exists(sym) else ""
    r.check("<kmain>:" in asm_text and "bootopts_check(boot_info.cmdline);" in asm_text
            and re.search(r"^[0-9a-f]{8} T kmain$", sym_text, re.M),
            "kernel.asm interleaves the source, kernel.sym lists the symbols by address")


def debug_build(r, args, log):
    """make DEBUG=1 must build too: at -Og GCC follows other paths than at
    -O2 and warns (-Werror) where -O2 does not, a variable it now thinks may
    be used uninitialised, say.  The kernel only (no disassembly, and
    compile_commands.json keeps the -O2 flags), in a directory of its own so
    that the -O2 objects stay; a second run rebuilds only what changed."""
    debug = os.path.join(args.build, "debug")
    status, out = make(args, ["-j2", "DEBUG=1", debug + "/kernel.elf"], timeout=300, build=debug)
    log.append(out)
    errors = [l for l in out.split("\n") if "error" in l]
    r.check(status == 0, "make DEBUG=1 builds the kernel (-Og, -Werror)",
            "status %s: %s" % (status, "\n".join(errors[:5]) or out[-300:]))


def make_job(args):
    r = Result("make, as a newcomer runs it")
    t0 = time.time()
    log = []
    check_samples(r, args, log, make)
    status, out = make(args, ["run", "CMDLINE=ktest=printk,nothing"])
    log.append(out)
    r.check(status not in (0, None) and "Error 33" not in out,
            "make run with a failing self-test run ends in an error", "status %s" % status)
    status, out = make(args, ["run", "MEM=32M"], typed=b"alloc 3 high\rpoweroff\r")
    log.append(out)
    r.check(status == 0 and "powering off" in out and "Error" not in out,
            "make run, then poweroff in the shell: status 0", "status %s: %s" % (status, out[-200:]))
    r.check("(no HighMem frames on this machine: it fell back to Normal)" in out,
            "alloc 3 high on a machine without HighMem says it fell back to Normal", out[-300:])
    # GRUB's menu is on serial too: Enter boots its first entry (the shell)
    # at once instead of after its 5 s countdown.
    status, out = make(args, ["run-iso"], typed=[(b"Press enter to boot", b"\r"),
                                                 (b"strata> ", b"poweroff\r")])
    log.append(out)
    r.check(status == 0 and "Multiboot 2 from GRUB" in out and "powering off" in out and "Error" not in out,
            "make run-iso: GRUB boots the kernel, then poweroff in the shell: status 0",
            "status %s: %s" % (status, out[-200:]))
    status, out = make(args, ["test-list"])
    log.append(out)
    ids = [l for l in out.split("\n") if re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", l)]
    r.check(status == 0 and len(ids) > 100, "make test-list lists the test ids, status 0",
            "status %s, %d ids" % (status, len(ids)))
    status, out = make(args, ["help"])
    log.append(out)
    with open(os.path.join(ROOT, "kernel/bootopts.c")) as f:
        options = re.findall(r'OPT\("(\w+)"', f.read())
    targets = ["run", "iso", "run-iso", "test", "test-list", "bench", "bench-host", "memmap", "soak", "small-sweep", "debug",
               "gdb", "host-tests", "fuzz", "clean", "help", "DEBUG=1", "V=1"]
    missing = [t for t in targets if not re.search(r"make %s\b" % re.escape(t), out)]
    missing += [o for o in options if not re.search(r"^  %s\b" % o, out, re.M)]
    r.check(status == 0 and options and not missing, "make help lists every target and boot option",
            "missing %s" % missing)
    status, out = make(args, ["compile_commands.json", args.build + "/kernel.asm", args.build + "/kernel.sym"])
    log.append(out)
    r.check(status == 0, "make builds compile_commands.json, kernel.asm and kernel.sym", out[-300:])
    build_outputs(r, args)
    debug_build(r, args, log)
    out = gdb_without_qemu(args)
    log.append(out)
    r.check("start `make debug` first" in out,
            "GDB with nothing to attach to says to start make debug (it used to time out, silent)",
            out[-300:])
    r.log, r.secs = save_log(args, r.name, "\n-----\n".join(log)), time.time() - t0
    return r

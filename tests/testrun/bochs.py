"""The self-tests under Bochs, a second x86 model written independently of
QEMU.  Bochs checks what QEMU's TCG does not (data-segment limits), so the
segment tests that skip under TCG must run here: the job refuses that skip.

Bochs has no isa-debug-exit device.  The kernel leaves it through the
shutdown port (arch/x86/qemu_exit.h), which Bochs reports on its own output;
the verdict is the TAP on the serial port and its closing line.  A triple
fault makes Bochs reset and boot again, so a second boot banner on the
serial port ends the run as a failure at once.

The configuration is generated here, for the runner and for `make
run-bochs` (run as a script), so that no hand-kept file holds paths.
Debian's Bochs is built with its debugger, which would stop at the first
instruction; the -rc file it is given says `c` (continue).
"""
import argparse
import os
import re
import subprocess
import sys
import time

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from testrun.common import kernel_skips, mem_mib, save_log, tally  # noqa: E402
from testrun.kernel_runs import make_test_iso  # noqa: E402
from testrun.tap import parse_tap  # noqa: E402

BOCHS = os.environ.get("BOCHS", "bochs")
BANNER = "Strata: a kernel about memory"
SHUTDOWN = "Shutdown port: shutdown requested"


def bochs_config(iso, mem_mib, com1, log):
    """The bochsrc text: boot `iso` from CD with mem_mib MiB, COM1 as given
    (e.g. "mode=file, dev=PATH"), headless (the VNC display does not wait
    for a viewer), silent (no speaker, dummy sound drivers: Debian's build
    aborts in ALSA on a machine without a sound card)."""
    return "\n".join([
        "megs: %d" % mem_mib,
        "romimage: file=$BXSHARE/BIOS-bochs-latest",
        "vgaromimage: file=$BXSHARE/VGABIOS-lgpl-latest",
        "ata0-master: type=cdrom, path=\"%s\", status=inserted" % os.path.abspath(iso),
        "boot: cdrom",
        "display_library: rfb, options=\"timeout=0\"",
        "speaker: enabled=0",
        "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
        "com1: enabled=1, %s" % com1,
        "log: %s" % os.path.abspath(log),
        ""])


def write_files(d, iso, mem_mib, com1):
    """Writes d/bochsrc and d/continue.rc; returns their paths."""
    os.makedirs(d, exist_ok=True)
    cfg, rc = os.path.join(d, "bochsrc"), os.path.join(d, "continue.rc")
    with open(cfg, "w") as f:
        f.write(bochs_config(iso, mem_mib, com1, os.path.join(d, "bochs.log")))
    with open(rc, "w") as f:
        f.write("c\n")
    return cfg, rc


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "")
    except FileNotFoundError:
        return ""


def run_bochs(cfg, rc, serial, out_path, timeout):
    """Runs Bochs until it leaves by itself, reboots (a triple fault) or
    times out.  Returns (how it ended, serial text, Bochs's own output)."""
    with open(out_path, "wb") as out:
        p = subprocess.Popen([BOCHS, "-q", "-f", cfg, "-rc", rc], stdin=subprocess.DEVNULL,
                             stdout=out, stderr=subprocess.STDOUT)
        deadline, ended = time.time() + timeout, "exited"
        while p.poll() is None:
            if read(serial).count(BANNER) > 1:
                ended = "rebooted"
            elif time.time() > deadline:
                ended = "timed out"
            else:
                time.sleep(0.25)
                continue
            p.kill()
            p.wait()
    return ended, read(serial), read(out_path)


def bochs_job(args):
    """The GRUB test ISO (Multiboot 2, every suite) under Bochs."""
    name = "Bochs, GRUB ISO, multiboot2"
    t0 = time.time()
    d = os.path.join(args.build, "bochs")
    iso = make_test_iso(args, 2, "bochs")
    serial = os.path.join(d, "serial.txt")
    if os.path.exists(serial):
        os.remove(serial)
    cfg, rc = write_files(d, iso, 128, "mode=file, dev=%s" % os.path.abspath(serial))
    ended, out, own = run_bochs(cfg, rc, serial, os.path.join(d, "bochs-stdout.txt"),
                                args.bochs_timeout)
    refuse = ("tcg-data-limits",)  # Bochs checks data-segment limits
    r = parse_tap(name, out, None if ended == "timed out" else 0, None,
                  kernel_skips("128M", refuse), refuse)
    segment = re.findall(r"^ok \d+ - segment: .*$", out, re.M)
    tally(r, [(ended == "exited" and SHUTDOWN in own,
               "bochs: the kernel powers Bochs off by itself (it %s)" % ended),
              ("Boot information: Multiboot 2 from GRUB" in out,
               "bochs: the kernel reports Multiboot 2 from GRUB"),
              (segment and not any("# SKIP" in s for s in segment),
               "bochs: every segment test ran (%d), none skipped" % len(segment))])
    r.log = save_log(args, name, out + "\n--- Bochs ---\n" + own)
    r.secs = time.time() - t0
    return r


def main():
    """For `make run-bochs`: writes the configuration, COM1 on a terminal."""
    ap = argparse.ArgumentParser(description="write a Bochs configuration for Strata")
    ap.add_argument("--iso", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--mem", default="128M", help="as QEMU's -m: 128M, 1G")
    ap.add_argument("--tty", required=True, help="the terminal COM1 uses")
    a = ap.parse_args()
    write_files(a.dir, a.iso, mem_mib(a.mem), "mode=term, dev=%s" % a.tty)


if __name__ == "__main__":
    main()

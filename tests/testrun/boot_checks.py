"""Boots on machines the kernel must refuse, and boots with unusual boot
information: each must end with a message saying what is wrong, never a
triple fault, a hang or silence."""
import os
import re
import time

from testrun.common import EXIT_FAIL, Result, count_ending, count_run, qemu_cmd, run, save_log
from testrun.kernel_runs import kernel_job

BANNER = "Strata: a kernel about memory"
CPU_NEEDS = r"; Strata needs an i686 \(Pentium Pro or later: CPUID, TSC, CMOV\)\. Halting\."
NO_RAM = (r"Strata cannot boot: not enough memory: the kernel image needs RAM up to \d+ KiB; "
          r"the boot loader reports RAM up to \d+ KiB\. Halting\.")

# (label, -m, more QEMU arguments, the message, what must not be printed).
# boot/early.asm must stop most of these before any compiled C runs, so the
# C banner must not appear; past the image, RAM too small to run in ends in
# a panic that names what could not be allocated.
EARLY = [BANNER]
REFUSALS = [
    ("-cpu 486: no TSC, no CMOV", "128M", ["-cpu", "486"],
     r"Strata cannot boot: this CPU lacks TSC CMOV" + CPU_NEEDS, EARLY),
    ("-cpu pentium: no CMOV", "128M", ["-cpu", "pentium"],
     r"Strata cannot boot: this CPU lacks CMOV" + CPU_NEEDS, EARLY),
    ("-cpu qemu32,-cmov", "128M", ["-cpu", "qemu32,-cmov"],
     r"Strata cannot boot: this CPU lacks CMOV" + CPU_NEEDS, EARLY),
    ("-m 1100K: RAM ends in the kernel's text", "1100K", [], NO_RAM, EARLY),
    ("-m 1300K: RAM ends before .bss", "1300K", [], NO_RAM, EARLY),
    ("-m 1600K: RAM ends inside .bss", "1600K", [], NO_RAM, EARLY),
    # today RAM ends just past the image here; as the image grows it
    # will end inside it: a message either way
    ("-m 1850K: RAM ends near the image's end", "1850K", [],
     r"PANIC: [^\n]*no memory|" + NO_RAM, []),
    # past the image there is room for the page array and little else:
    # the first allocation the boot cannot do without names itself
    ("-m 2M: too little RAM past the image to boot", "2M", [],
     r"PANIC: [^\n]*no memory for|" + NO_RAM, ["TRAP ", "assertion failed"]),
]


def refusal_job(args):
    """Each refusal: the message on the serial port, before the C banner,
    and QEMU leaving with the failure verdict."""
    r = Result("machines the kernel refuses")
    t0 = time.time()
    for label, mem, extra, pattern, forbidden in REFUSALS:
        status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", "ktest"] + extra), 30)
        save_log(args, "refuse " + label, out)
        count_ending(r, label, out, status, [pattern], EXIT_FAIL, forbidden)
    r.secs = time.time() - t0
    return r


MODULES = 10  # more than the boot information's table holds (BOOT_MODULES_MAX)


def modules_job(args):
    """Every suite with 10 boot modules: the bootinfo suite checks that each
    module's memory is reserved, the two past the table's 8 included."""
    d = os.path.join(args.build, "test-modules")
    os.makedirs(d, exist_ok=True)
    paths = []
    for i in range(MODULES):
        paths.append(os.path.join(d, "module%d" % i))
        with open(paths[-1], "wb") as f:
            f.write(bytes([0x41 + i]) * (8192 * (i + 1)))
    r = kernel_job(args, "128M", "ktest", ["-initrd", ",".join(paths)],
                   "kernel -m 128M, %d boot modules" % MODULES)
    out = open(r.log).read() if r.log else ""
    count_run(r, "the boot says the modules past the table are reserved",
              [] if re.search(r"%d more module\(s\) in 0x[0-9a-f]+-0x[0-9a-f]+, reserved whole"
                              % (MODULES - 8), out) else ["no such line"])
    return r


# Command lines longer than the kernel keeps: what they lose is said, and
# the words kept still work (ktest=string comes first and runs).
LONG_WORDS = "ktest=string " + " ".join("w%d" % i for i in range(1, 40))
LONG_CHARS = "ktest=string " + "x" * 250 + " lost-word"
CMDLINES = [
    ("40 words", LONG_WORDS, r'cmdline: more than 32 words; ignored: "w\d+ .*w39"'),
    ("more than 255 characters", LONG_CHARS,
     r'multiboot: the command line is longer than 255 characters; ignored from "x*( lost-word)?'),
]


def cmdline_job(args):
    """Each long command line: the kept words run, the warning is printed."""
    r = Result("long command lines")
    t0 = time.time()
    for label, line, warning in CMDLINES:
        run_r = kernel_job(args, "32M", line, (), "command line of " + label)
        out = open(run_r.log).read()
        problems = ["the run: " + n for n in run_r.notes] or (
            ["%d tests failed" % run_r.failed] if run_r.failed else [])
        if not re.search(warning, out):
            problems.append("no warning matching %r" % warning)
        count_run(r, "a command line of %s is cut with a warning" % label, problems)
    r.secs = time.time() - t0
    return r

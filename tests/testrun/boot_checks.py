"""Boots on machines the kernel must refuse, and boots with unusual boot
information: each must end with a message saying what is wrong, never a
triple fault, a hang or silence."""
import os
import re
import struct
import time

from testrun.common import EXIT_FAIL, Result, count_ending, count_run, qemu_cmd, run, save_log
from testrun.kernel_runs import kernel_job

BANNER = "Strata: a kernel about memory"
CPU_NEEDS = r"; Strata needs an i686 \(Pentium Pro or later: CPUID, TSC, CMOV\)\. Halting\."
NO_RAM = (r"Strata cannot boot: not enough memory: the kernel image needs RAM up to \d+ KiB; "
          r"the boot loader reports RAM up to \d+ KiB\. Halting\.")

# (label, -m, more QEMU arguments, the message, what must not be printed).
# boot/early.asm must stop these before any compiled C runs, so the C
# banner must not appear.
EARLY = [BANNER]
REFUSALS = [
    ("-cpu 486: no TSC, no CMOV", "128M", ["-cpu", "486"],
     r"Strata cannot boot: this CPU lacks TSC CMOV" + CPU_NEEDS, EARLY),
    ("-cpu pentium: no CMOV", "128M", ["-cpu", "pentium"],
     r"Strata cannot boot: this CPU lacks CMOV" + CPU_NEEDS, EARLY),
    ("-cpu qemu32,-cmov", "128M", ["-cpu", "qemu32,-cmov"],
     r"Strata cannot boot: this CPU lacks CMOV" + CPU_NEEDS, EARLY),
    # the README's example: QEMU leaves RAM up to 1920 KiB, inside the
    # image (which ends past 2 MiB)
    ("-m 2M: RAM ends inside the kernel image", "2M", [], NO_RAM, EARLY),
]

# QEMU's firmware keeps the top 128 KiB of -m for itself.
FIRMWARE_KIB = 128
# Past the image, this much RAM holds the page array and not all of the
# page tables: the boot must stop at the first allocation it cannot do
# without, with a panic that names it.
PAST_IMAGE_KIB = 64


def load_segments(kernel):
    """The kernel ELF's PT_LOAD segments: (physical address, file size,
    memory size, flags), by address."""
    with open(kernel, "rb") as f:
        elf = f.read()
    phoff, = struct.unpack_from("<I", elf, 28)
    phentsize, phnum = struct.unpack_from("<HH", elf, 42)
    segs = []
    for i in range(phnum):
        p_type, _, _, paddr, filesz, memsz, flags, _ = struct.unpack_from("<8I", elf, phoff + i * phentsize)
        if p_type == 1:
            segs.append((paddr, filesz, memsz, flags))
    return sorted(segs)


def image_end_kib(kernel):
    """Where the kernel image ends (its last segment, the symbol table), in
    KiB, rounded up to a page."""
    last = load_segments(kernel)[-1]
    return (last[0] + last[2] + 4095) // 4096 * 4


def ram_refusals(kernel):
    """Machines whose RAM ends in each part of the image, and one whose RAM
    ends just past it, with -m worked out from the image's own layout so
    that each stays where its label says as the image grows.  Segments by
    address: text (executable), rodata, data and .bss (writable; .bss is
    what the file does not hold), the symbol table."""
    segs = load_segments(kernel)
    text = next(s for s in segs if s[3] & 1)
    data = next(s for s in segs if s[3] & 2)
    rodata, symtab = segs[segs.index(text) + 1], segs[-1]
    end_kib = image_end_kib(kernel)

    def mem(addr):
        return "%dK" % (addr // 1024 + FIRMWARE_KIB)

    def mid(lo, hi):
        return mem((lo + hi) // 2)

    past = ["TRAP ", "assertion failed", "Strata cannot boot"]
    return [
        ("RAM ends in the kernel's text", mid(text[0], text[0] + text[2]), [], NO_RAM, EARLY),
        ("RAM ends in the kernel's rodata", mid(rodata[0], rodata[0] + rodata[2]), [], NO_RAM, EARLY),
        ("RAM ends in the kernel's .bss", mid(data[0] + data[1], data[0] + data[2]), [], NO_RAM, EARLY),
        ("RAM ends in the kernel's symbol table", mid(symtab[0], symtab[0] + symtab[2]), [], NO_RAM, EARLY),
        ("RAM ends %d KiB past the image: a panic names what it could not allocate" % PAST_IMAGE_KIB,
         mem((end_kib + PAST_IMAGE_KIB) * 1024), [], r"PANIC: [^\n]*no memory for", past),
    ]


def refusal_job(args):
    """Each refusal: the message on the serial port (before the C banner,
    except the panic just past the image), and QEMU leaving with the
    failure verdict."""
    r = Result("machines the kernel refuses")
    t0 = time.time()
    for label, mem, extra, pattern, forbidden in REFUSALS + ram_refusals(args.kernel):
        status, out = run(qemu_cmd(mem, ["-kernel", args.kernel, "-append", "ktest"] + extra), 30)
        save_log(args, "refuse " + label, "QEMU -m %s %s\n%s" % (mem, " ".join(extra), out))
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

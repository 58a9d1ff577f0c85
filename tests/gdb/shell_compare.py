# GDB's side of the shell session (tests/testrun/sessions.py): run as
#   gdb -batch -x tests/gdb/shell_compare.py build/kernel.elf
# while the shell waits at its prompt, with QEMU's gdbstub at
# $STRATA_GDB_PORT and the addresses the shell was asked about in
# $STRATA_ADDRS.  Prints what the helpers say, one tagged line each, for
# the runner to compare with the shell's answers; then detaches, and the
# shell goes on.
import os

import gdb


def say(tag, text):
    for line in text.rstrip("\n").split("\n"):
        print("%s %s" % (tag, line))


def main():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set architecture i386")
    strata = __import__("strata")
    if not strata.attach(int(os.environ["STRATA_GDB_PORT"]), wait=20):
        print("Bail out! cannot attach")
        return
    frame = gdb.selected_frame()
    pc = int(frame.pc())
    before = bytes(gdb.selected_inferior().read_memory(pc - 1, 1))[0]
    print("IDLE %s %#x %02x" % (frame.name(), pc, before))
    for addr in os.environ["STRATA_ADDRS"].split(","):
        say("WHATIS", gdb.execute("strata whatis %s" % addr, to_string=True))
    say("VMALLOCINFO", gdb.execute("strata vmallocinfo", to_string=True))
    say("CHECK", gdb.execute("strata check", to_string=True))
    say("DMESG", gdb.execute("strata dmesg 40", to_string=True))
    gdb.execute("detach")


try:
    main()
except Exception as e:  # a broken comparison must fail, not pass quietly
    print("Bail out! %r" % (e,))

# Loaded by `make gdb`: attach to the QEMU started by `make debug` and load
# the Strata helpers (tools/gdb/strata.py; `help strata` lists them).
set pagination off
set architecture i386
python import sys; sys.path.insert(0, "tools/gdb")
source tools/gdb/strata.py
target remote localhost:1234
echo \nAttached to Strata in QEMU (paused before the first instruction).\n
echo Try:  break kmain   continue   bt   strata-buddyinfo   strata-pt 0xc0100000\n

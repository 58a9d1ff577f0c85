# Loaded by `make gdb`: attach to the QEMU started by `make debug`.
set pagination off
set architecture i386
target remote localhost:1234
echo \nAttached to Strata in QEMU (paused before the first instruction).\n
echo Try:  break kmain   continue   bt   info registers   print boot_info\n

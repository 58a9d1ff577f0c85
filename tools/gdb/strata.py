"""GDB helpers for Strata.  `make gdb` (or plain `gdb` in the tree, through
the generated .gdbinit) loads them; `help strata` lists them.

  strata pt VA            walk the two-level page tables of the current CR3
  strata buddyinfo        free blocks per order per zone (and the CPUs' lists)
  strata freelist Z K     the free blocks of order K in zone Z (DMA, Normal, HighMem)
  strata whatis ADDR      who owns an address: the shell's whatis, word for word
  strata page PFN         the struct page of a frame, decoded
  strata slabinfo         every slab cache
  strata dmesg [N]        the kernel log (printk's buffer)
  strata tasks            every task
  strata vmallocinfo      every vmalloc area and who made it
  strata check            the buddy and slab invariants, checked from GDB
  strata cpus             every CPU: APIC id, online, per-CPU area, space, where it is

Each is also `strata-NAME`.  Pretty-printers decode struct page, struct
zone, struct kmem_cache and struct task.  The modules: strata_mem (reading
memory), strata_whatis, strata_check, strata_printers, strata_cmds.
"""
import os
import sys

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import strata_cmds  # noqa: E402
import strata_printers  # noqa: E402
from strata_cmds import attach  # noqa: E402,F401  (for .gdbinit)
from strata_mem import caches, walk  # noqa: E402,F401  (for tests/gdb/session.py)

strata_cmds.register()
gdb.pretty_printers.append(strata_printers.lookup)

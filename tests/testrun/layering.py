"""The one-way rule of the source tree, checked from the includes.

Each tier may include its own headers and those of the tiers below it:

    lib/      the freestanding base: lib/ only
    arch/x86  the CPU and board: arch/, lib/
    mm/       memory management: mm/, arch/, lib/
    boot/     the Multiboot entry: boot/, arch/, lib/
    kernel/, tests/, tools/: anything

A quoted include of a tier above is an arrow running against the flow.
"""
import os
import re
import time

from testrun.common import ROOT, Result, save_log
from testrun.naming import lock_prefix_violations

ALLOWED = {
    "lib": {"lib"},
    "arch": {"arch", "lib"},
    "mm": {"mm", "arch", "lib"},
    "boot": {"boot", "arch", "lib"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"', re.M)


def violations(root=ROOT):
    """(file, included header) for every include that points up."""
    found = []
    for tier, allowed in sorted(ALLOWED.items()):
        for dirpath, _, files in os.walk(os.path.join(root, tier)):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path) as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    if m.group(1) not in allowed:
                        found.append((os.path.relpath(path, root), m.group(0).strip()))
    return found


def layering_job(args):
    r = Result("layering (includes point down)")
    t0 = time.time()
    bad = violations()
    log = ["%s: %s" % v for v in bad]
    for tier in sorted(ALLOWED):
        mine = [v for v in bad if v[0].startswith(tier + "/")]
        r.check(not mine, "%s/ includes only its own tier and those below" % tier,
                "; ".join("%s: %s" % v for v in mine[:5]))
    unasserted = lock_prefix_violations()
    r.check(not unasserted,
            "every __ function of mm/ asserts the lock it runs under (or keeps a Linux name)",
            "; ".join("%s: %s" % v for v in unasserted[:5]))
    r.log, r.secs = save_log(args, r.name, "\n".join(log) + "\n"), time.time() - t0
    return r

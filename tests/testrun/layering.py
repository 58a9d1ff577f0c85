"""The one-way rule of the source tree, checked from the includes.

Each tier may include its own headers and those of the tiers below it:

    lib/      the freestanding base: lib/ only
    arch/x86  the CPU and board: arch/, lib/
    mm/       memory management: mm/, arch/, lib/
    boot/     the Multiboot entry: boot/, arch/, lib/
    kernel/, tests/, tools/: anything

An include of a tier above is an arrow running against the flow, quoted
or in angle brackets (the build passes -I., so <kernel/task.h> finds the
tree's header as surely as "kernel/task.h" does).  The job first shows
that the check catches both forms in a scratch tree.
"""
import os
import re
import shutil
import time

from testrun.common import ROOT, Result, save_log
from testrun.naming import lock_prefix_violations

ALLOWED = {
    "lib": {"lib"},
    "arch": {"arch", "lib"},
    "mm": {"mm", "arch", "lib"},
    "boot": {"boot", "arch", "lib"},
}
# the first directory of an included path: "dir/..." or <dir/...>
INCLUDE = re.compile(r'^\s*#\s*include\s+(?:"([^"/]+)/[^"]*"|<([^>/]+)/[^>]*>)', re.M)


def project_dirs(root):
    """The tree's top-level directories: <dir/...> of one of them is ours,
    not the compiler's (<stdint.h>, say)."""
    return {d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and not d.startswith(".")}


def violations(root=ROOT):
    """(file, included header) for every include that points up."""
    found, ours = [], project_dirs(root)
    for tier, allowed in sorted(ALLOWED.items()):
        for dirpath, _, files in os.walk(os.path.join(root, tier)):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path) as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    quoted, angled = m.group(1), m.group(2)
                    if quoted not in (None, *allowed) or angled in ours - allowed:
                        found.append((os.path.relpath(path, root), m.group(0).strip()))
    return found


def self_check(r, args):
    """A scratch tree whose lib/ includes kernel/ both ways (and the
    compiler's headers, and its own): exactly the two upward includes must
    be found."""
    scratch = os.path.join(args.build, "layering-scratch")
    shutil.rmtree(scratch, ignore_errors=True)
    for d in ("lib", "kernel", "arch/x86"):
        os.makedirs(os.path.join(scratch, d))
    with open(os.path.join(scratch, "lib/up.c"), "w") as f:
        f.write('#include <stdint.h>\n#include <sys/types.h>\n#include "lib/string.h"\n'
                '#include <lib/printf.h>\n#include "kernel/task.h"\n# include <kernel/task.h>\n')
    with open(os.path.join(scratch, "arch/x86/down.c"), "w") as f:
        f.write('#include <lib/string.h>\n#include "arch/x86/cpu.h"\n')
    found = violations(scratch)
    want = [("lib/up.c", '#include "kernel/task.h"'), ("lib/up.c", "# include <kernel/task.h>")]
    r.check(found == want, "self-check: lib/ including kernel/ in quotes or in angle brackets is caught, "
            "<stdint.h> and downward includes are not", "found %s" % found)
    shutil.rmtree(scratch, ignore_errors=True)


def layering_job(args):
    r = Result("layering (includes point down)")
    t0 = time.time()
    self_check(r, args)
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

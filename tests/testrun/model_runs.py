"""The model of the kmalloc slabs (tools/slab_waste_model.py) against the
kernel: `bench slab_waste` at 128 MiB, whose per-class counts and figure the
model of today's design must reproduce exactly.  It fails when the slab
layer's policies change (how many objects an array, the depot or a slab
keeps; which slab an allocation takes) and the model was not told, which
would make the README's table of designs a guess."""
import os
import subprocess
import sys
import time

from testrun.common import EXIT_PASS, ROOT, Result, qemu_cmd, run, save_log


def slab_model_job(args, mem="128M"):
    r = Result("slab_waste model -m %s" % mem)
    t0 = time.time()
    status, out = run(qemu_cmd(mem, ["-icount", "shift=0", "-kernel", args.kernel,
                                     "-append", "bench=slab_waste"]), args.timeout)
    r.log = save_log(args, r.name, out.replace("\r", ""))
    r.check(status == EXIT_PASS, "bench=slab_waste at %s exits with status %d" % (mem, EXIT_PASS),
            "exit status %s" % status)
    model = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "slab_waste_model.py"),
                            "--check", r.log], capture_output=True, text=True)
    r.check(model.returncode == 0, "the model reproduces the kernel's slab_waste, class by class",
            (model.stdout + model.stderr).strip())
    r.secs = time.time() - t0
    return r

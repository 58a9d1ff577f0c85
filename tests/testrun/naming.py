"""The `__` prefix in mm/: a function named __x runs under a lock and
asserts it (MM_LOCK_HELD, LOCK_ASSERT_HELD, ZONE_LOCK_HELD).  The names Linux gives
another meaning, listed here, are the only others."""
import glob
import os
import re

from testrun.common import ROOT

LINUX_NAMES = {
    "__free_pages", "__free_page", "__get_free_pages",
    "__kmem_cache_alloc", "__kmem_cache_free", "__kmem_cache_resize", "__kmem_cache_req_size",
    "__kmalloc", "__kfree", "__vmalloc", "__kmem_cache_create", "__kmem_cache_shrink",
    "__kmem_cache_drain", "__vmm_check_as", "__vmm_bad_range", "__kmalloc_args_refused",
}
DEFINITION = re.compile(r"^(?:static\s+)?(?:__always_inline\s+|__noinline\s+|inline\s+)*"
                        r"[a-z_][\w\s\*]*?\b(__[a-z]\w*)\s*\([^;{]*\)\s*\{", re.M)
ASSERTS = re.compile(r"\b(?:MM_LOCK_HELD|MM_LOCK_HELD_IF|LOCK_ASSERT_HELD|ZONE_LOCK_HELD)\s*\(")


def body(text, start):
    """The body of the function whose opening brace ends at start."""
    depth, i = 1, start
    while depth and i < len(text):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start:i]


def lock_prefix_violations(root=ROOT):
    """(file, function) for each __ function of mm/ that does not assert
    its lock and is not one of Linux's names."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, "mm", "*.[ch]"))):
        with open(path) as f:
            text = f.read()
        for m in DEFINITION.finditer(text):
            name = m.group(1)
            if name in LINUX_NAMES or name == "__printf":
                continue
            if not ASSERTS.search(body(text, m.end())):
                found.append((os.path.relpath(path, root), name))
    return found

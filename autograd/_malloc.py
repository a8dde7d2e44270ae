"""Keep freed memory for reuse instead of handing it back to the OS after every step (glibc).

A training step allocates and frees the same large arrays (im2col columns, activations and
their gradients) every time. glibc's defaults return freed blocks to the OS (`mmap` above a
threshold, heap trimming above another), so each step page-faults its arrays in afresh: a
LeNet train step measured 8.3 ms with the defaults against 4.4 ms with these settings, most of
the difference spent zeroing new pages. Other C libraries, and `CHAINRULE_MALLOC=system`,
leave the allocator as it is. The cost: a process keeps up to about one step's peak memory
allocated between steps.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers
MMAP_THRESHOLD = 32 << 20  # below it, arrays come from the heap (glibc's own dynamic maximum)
TRIM_THRESHOLD = 64 << 20  # free memory kept at the heap's top before any is returned


def keep_freed_memory() -> bool:
    """Apply the settings above where the C library is glibc; True when they were applied.

    >>> isinstance(keep_freed_memory(), bool)
    True
    """
    if os.environ.get("CHAINRULE_MALLOC") == "system" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mapped = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    return bool(mapped and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


APPLIED = keep_freed_memory()

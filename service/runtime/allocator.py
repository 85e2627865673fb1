"""Keeps freed memory mapped for the next request instead of returning it to the kernel.

glibc serves each allocation above its mmap threshold (128 KiB at first, then adapting) with a
fresh mapping and gives memory at the top of its heaps back to the kernel once more than its
trim threshold is free. A request with a large body allocates and frees several such blocks
(the body, the numbers read from it, tensors, the rendered response), and every page of a fresh
mapping costs a page fault and zeroing when first touched. On a 100,000-instance request that
was about 770 minor faults and 2.5 ms of kernel time; with fixed thresholds, about 18 faults and
0.6 ms. The price is that up to `retain_mib` of freed memory stays in the process (it was in use
at the peak anyway). Elsewhere than glibc nothing changes.
"""

from __future__ import annotations

import ctypes
import logging
import platform

M_TRIM_THRESHOLD = -1  # mallopt parameters, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # the largest glibc accepts on 64-bit (HEAP_MAX_SIZE / 2)
logger = logging.getLogger("service.allocator")


def retain_freed_memory(retain_mib: int) -> bool:
    """Blocks up to 32 MiB come from the heap, and up to `retain_mib` of free heap is kept;
    False when not applied (0, not glibc, or refused)."""
    if retain_mib <= 0:
        return False
    mallopt = _mallopt()
    if mallopt is None:
        return False
    applied = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX)) and \
        bool(mallopt(M_TRIM_THRESHOLD, retain_mib * 1024 * 1024))
    if not applied:
        logger.warning("the allocator refused MEMORY_RETAIN_MIB=%d; using its defaults",
                       retain_mib)
    return applied


def _mallopt():  # noqa: ANN202 - a ctypes function
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt

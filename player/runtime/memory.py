"""Keeping a months-long process's memory honest.

The player allocates and frees page surfaces of several megabytes each (one per page
change, more when a thousand files arrive at once). glibc serves such blocks with
``mmap`` at first, but after the first one is freed it raises its mmap threshold to that
size, so later blocks come from the heap and freed memory is not given back to the
system: RSS ratchets up. Fixing the threshold at 1 MB (``mallopt(M_MMAP_THRESHOLD)``,
what ``MALLOC_MMAP_THRESHOLD_=1048576`` does) keeps large blocks mmapped, so freeing
them returns the memory at once. Measured in bench/dropfolder.py (docs/performance.md).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3
THRESHOLD = 1024 * 1024


def tune_malloc() -> bool:
    """Fix glibc's mmap threshold (no-op where glibc is not the allocator)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, THRESHOLD))
    except (OSError, AttributeError):
        log.debug("mallopt not available; memory tuning skipped")
        return False


def release_memory() -> None:
    """Collect garbage and hand free heap pages back to the system (``malloc_trim``).

    Called off the frame loop after large content removals; takes a few milliseconds.
    """
    import gc

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass

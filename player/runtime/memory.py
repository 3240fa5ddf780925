"""Keeping a months-long process's memory honest.

The player allocates and frees page surfaces of several megabytes each (one per page
change, more when a thousand files arrive at once). glibc serves such blocks with
``mmap`` at first, but after the first one is freed it raises its mmap threshold to that
size, so later blocks come from the heap and freed memory is not given back to the
system: RSS ratchets up. Fixing the threshold at 1 MB (``mallopt(M_MMAP_THRESHOLD)``,
what ``MALLOC_MMAP_THRESHOLD_=1048576`` does) keeps large blocks mmapped, so freeing
them returns the memory at once. Measured in bench/dropfolder.py (docs/performance.md).

:class:`HeapKeeper` does the same for CPython's garbage collector, whose full
collections would otherwise stall the frame loop (see there).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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

    found = gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    log.debug("memory released (%d unreachable objects collected)", found)



#: Automatic full collections only after this many middle-generation ones (CPython's
#: default is 10, which made a 5,000-notice drop trigger dozens of them).
FULL_AFTER = 1000
#: Seconds between two renewals of the frozen heap (:meth:`HeapKeeper.renew`).
RENEW_EVERY = 86400.0


class HeapKeeper:
    """Keeps CPython's garbage collector from stalling the frame loop.

    A full (generation 2) collection holds the GIL while it walks every tracked object,
    in whichever thread triggers it, so the frame loop cannot run meanwhile. Measured
    (bench/scale.py, docs/performance.md): the start-up heap alone (~55,000 objects) made
    each full collection cost ~18 ms, and while 5,000 notices were read they ran again and
    again at 30–70 ms, so the ticker stalled for up to 100 ms. The policy:

    - at start (:meth:`settle`): one collection, then everything alive is frozen
      (``gc.freeze``: out of every later collection) and automatic full collections are
      made rare (:data:`FULL_AFTER`);
    - whenever a source has read new content (:meth:`content_read`, in its thread): the
      young generations are collected and what is alive is frozen too — notices live
      until the content changes, and scanning thousands of them again and again finds
      nothing;
    - every :data:`RENEW_EVERY` seconds (:meth:`renew`, housekeeping thread): unfreeze,
      one full collection, freeze again. Frozen objects are still freed by reference
      counting when they are let go; only garbage *cycles* among them wait for this
      renewal, so they cannot accumulate. It costs one full collection (a few ms with
      the sample, ~50 ms with 5,000 notices) once a day.

    Process-wide (the collector is): ``signage play`` and the benchmarks turn it on; tests
    that build many players in one process do not.
    """

    def settle(self) -> None:
        """At start, before the services: collect once, freeze, rare full collections."""
        gc.collect()
        gc.freeze()
        young, middle, _old = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_AFTER)

    def content_read(self) -> None:
        """A source built a new library (its thread): freeze what is alive now."""
        gc.collect(1)  # young garbage cycles first, so that none of them is frozen
        gc.freeze()

    def renew(self) -> None:
        """Unfreeze, collect everything once, freeze again (housekeeping thread)."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

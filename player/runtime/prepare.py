"""Laying out and drawing pages ahead of time, in a background thread.

Layout of a long notice takes tens of milliseconds and drawing a page 10–50 ms: far
more than one 16.7 ms frame. The :class:`Preparer` thread does both with its *own*
fonts and renderer, producing plain software surfaces (never the display surface, never
``convert()``), and hands results to the loop through a queue. The loop adopts them
between frames, so a page change costs one blit.

Jobs are keyed by notice id and content hash; results for content that changed
meanwhile are simply not used.
"""

from __future__ import annotations

import collections
import logging
import queue
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from player.layout.display import Page
from player.model.notice import Notice
from player.render.frame import FrameRenderer
from player.render.pg import pygame

log = logging.getLogger(__name__)

#: Let the frame loop take the GIL back within about a millisecond of waking up.
SWITCH_INTERVAL = 0.001
PRUNE = ("prune",)


@dataclass(frozen=True)
class Prepared:
    """A finished job: the notice's pages, and one page drawn (``surface`` may be None)."""

    notice_id: str
    sha256: str
    pages: tuple[Page, ...]
    page: int | None = None
    surface: "pygame.Surface | None" = None


class Preparer:
    """Background layout and page drawing."""

    def __init__(self, make_renderer: Callable[[], FrameRenderer]) -> None:
        self._make = make_renderer
        self._jobs: queue.Queue = queue.Queue()
        self._done: collections.deque[Prepared] = collections.deque()  # thread-safe appends/pops
        self._pending: set[tuple[str, str, int | None]] = set()
        self._wanted: frozenset[tuple[str, str]] | None = None  # None: everything
        self._thread = threading.Thread(target=self._run, name="page-preparer", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (after its current job)."""
        self._jobs.put(None)
        self._thread.join(timeout=10)

    def request(self, notice: Notice, page: int | None = None) -> None:
        """Ask for a notice's layout and, if ``page`` is given, that page drawn."""
        key = (notice.id, notice.sha256, page)
        if key not in self._pending:
            self._pending.add(key)
            self._jobs.put((notice, page))

    def retain(self, keep: set[tuple[str, str]]) -> None:
        """Content changed: queued jobs for other (id, sha256) pairs are skipped."""
        self._wanted = frozenset(keep)  # one assignment: the worker sees the old or the new set
        self._pending = {key for key in self._pending if key[:2] in keep}
        self._jobs.put(PRUNE)  # the worker drops layouts of notices that are gone

    def results(self) -> list[Prepared]:
        """Finished jobs since the last call (never blocks)."""
        out: list[Prepared] = []
        while self._done:
            item = self._done.popleft()
            self._pending.discard((item.notice_id, item.sha256, item.page))
            out.append(item)
        return out

    def _run(self) -> None:
        renderer = self._make()
        pruned_for: frozenset | None = None
        while True:
            job = self._jobs.get()
            if job is None:
                return
            wanted = self._wanted
            if wanted is not None and wanted is not pruned_for:
                renderer.forget(set(wanted))  # this thread's own layout cache follows the content
                pruned_for = wanted
            if job is PRUNE:
                continue
            notice, page = job
            if wanted is not None and (notice.id, notice.sha256) not in wanted:
                continue  # the notice changed or left meanwhile
            try:
                pages = renderer.pages(notice)
                surface = None
                if page is not None and page < len(pages):
                    surface = renderer.page_surface(notice, page)
                    renderer.forget_surfaces()
                self._done.append(Prepared(notice.id, notice.sha256, pages, page, surface))
            except (pygame.error, ValueError, OSError) as exc:
                log.error("cannot prepare %s: %s", notice.id, exc)
                self._done.append(Prepared(notice.id, notice.sha256, (), page, None))

"""Laying out and drawing pages ahead of time, in background threads, and the frame
loop's side of it (:class:`Pages`).

Layout of a long notice takes tens of milliseconds and drawing a page 10–50 ms: far
more than one 16.7 ms frame. A :class:`Preparer` thread does both with its *own* fonts
and renderer, producing plain software surfaces (never the display surface, never
``convert()``), and hands results over through a deque. The frame loop adopts them
between frames (:meth:`Pages.poll`), so a page change costs one blit.

- Jobs are keyed by notice id and content hash; results for content that changed
  meanwhile are not used.
- Only page *times* come back to the frame loop (for the rotation and the footer);
  the display lists stay in the preparer's bounded layout cache.
- Drawn pages live in a :class:`~player.render.pagecache.PageCache` bounded in bytes.
- Laying out and drawing a notice is journalled with the quarantine: a notice whose
  layout crashes the process is refused at the next start. A layout that fails with an
  exception is reported as a problem of its file and the notice stays off the screen.
- Other drawings (an alert's pages) go through :meth:`Pages.drawing` the same way.

``background=False`` (deterministic tests) does everything inline, in the caller.
"""

from __future__ import annotations

import collections
import logging
import queue
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from player.model.notice import Notice
from player.model.problems import Problem
from player.render.frame import FrameRenderer
from player.render.pagecache import NORMAL, PageCache
from player.render.pg import pygame
from player.sources.quarantine import Quarantine
from player.worker import Worker

log = logging.getLogger(__name__)

#: Let the frame loop take the GIL back within about a millisecond of waking up.
SWITCH_INTERVAL = 0.001
#: Notices whose layout finished join the rotation together, at most this often
#: (seconds): rebuilding the rotation of 5,000 notices costs the frame loop ~10–20 ms,
#: which must not happen every other frame while a big drop is laid out.
JOIN_EVERY = 0.5
#: While more than :data:`BACKLOG` jobs wait (thousands of notices just arrived), they
#: join every :data:`JOIN_BUSY` seconds instead.
BACKLOG = 50
JOIN_BUSY = 20.0
PRUNE = ("prune",)

#: A drawing job: (renderer) -> surface, run in the preparer thread.
Drawing = Callable[[FrameRenderer], "pygame.Surface"]


@dataclass(frozen=True)
class Prepared:
    """A finished job: a notice's page times, and one page drawn (``surface`` may be None);
    or, for a drawing job, its key and surface. ``error`` says why a layout failed."""

    notice_id: str
    sha256: str
    variant: str
    times: tuple[float, ...] = ()
    page: int | None = None
    surface: "pygame.Surface | None" = None
    error: str | None = None
    drawing: Hashable | None = None
    path: str = ""


class Preparer(Worker):
    """Background layout and page drawing for one renderer (normal or large text)."""

    def __init__(self, make_renderer: Callable[[], FrameRenderer], variant: str = NORMAL,
                 quarantine: Quarantine | None = None) -> None:
        super().__init__(f"page-preparer-{variant}")
        self._make = make_renderer
        self.variant = variant
        self.quarantine = quarantine
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()  # put() in C: 5,000 requests in a frame
        self._done: collections.deque[Prepared] = collections.deque()  # thread-safe appends/pops
        self._wanted: frozenset[tuple[str, str]] | None = None  # None: everything
        self.renderer: FrameRenderer | None = None  # this thread's, once started

    def start(self) -> None:
        """Start the thread."""
        sys.setswitchinterval(SWITCH_INTERVAL)
        super().start()

    def wake(self) -> None:
        """End the wait for a job (stopping)."""
        self._jobs.put(None)

    def submit(self, job: tuple) -> None:
        """Queue a job: (notice, page | None) or ("draw", key, drawing)."""
        self._jobs.put(job)

    def retain(self, keep: set[tuple[str, str]]) -> None:
        """Content changed: queued jobs for other (id, sha256) pairs are skipped."""
        self._wanted = frozenset(keep)  # one assignment: the worker sees the old or the new set
        self._jobs.put(PRUNE)  # the worker drops layouts of notices that are gone

    def results(self) -> list[Prepared]:
        """Finished jobs since the last call (never blocks)."""
        out: list[Prepared] = []
        while self._done:
            out.append(self._done.popleft())
        return out

    def run(self) -> None:
        """Jobs as they come; drawing a page goes before laying out notices that only
        wait to join the rotation (5,000 of them must not hold up the next page)."""
        renderer = self.renderer = self.renderer or self._make()
        pruned_for: frozenset | None = None
        layouts: collections.deque[tuple] = collections.deque()
        while not self.stopping.is_set():
            try:
                job = self._jobs.get(block=not layouts)
            except queue.Empty:
                job = layouts.popleft()
            else:
                if job is None:
                    return
                if job is not PRUNE and job[0] != "draw" and job[1] is None:
                    layouts.append(job)
                    continue
            wanted = self._wanted
            if wanted is not None and wanted is not pruned_for:
                renderer.forget(set(wanted))  # this thread's own layout cache follows the content
                pruned_for = wanted
            if job is PRUNE:
                continue
            result = self.do(renderer, job, wanted)
            if result is not None:
                self._done.append(result)

    def do(self, renderer: FrameRenderer, job: tuple, wanted: frozenset | None = None) -> Prepared | None:
        """Carry out one job with ``renderer`` (the thread, or inline)."""
        if job[0] == "draw":
            _kind, key, drawing = job
            try:
                return Prepared("", "", self.variant, surface=drawing(renderer), drawing=key)
            except (pygame.error, ValueError, OSError) as exc:
                log.error("cannot draw %s: %s", key, exc)
                return None
        notice, page = job
        if wanted is not None and (notice.id, notice.sha256) not in wanted:
            return None  # the notice changed or left meanwhile
        try:
            if self.quarantine is None:
                return self._layout(renderer, notice, page)
            with self.quarantine.guard(f"layout-{self.variant}", notice.path, notice.sha256):
                return self._layout(renderer, notice, page)
        except Exception as exc:  # noqa: BLE001 - one notice that cannot be laid out stays off the screen
            log.error("cannot lay out %s: %s: %s", notice.path, type(exc).__name__, exc, exc_info=True)
            return Prepared(notice.id, notice.sha256, self.variant, page=page,
                            error=f"{type(exc).__name__}: {str(exc)[:120]}", path=notice.path)

    def _layout(self, renderer: FrameRenderer, notice: Notice, page: int | None) -> Prepared:
        times = tuple(renderer.page_times(notice))
        surface = None
        if page is not None and page < len(times):
            surface = renderer.page_surface(notice, page)
            renderer.forget_surfaces()
        return Prepared(notice.id, notice.sha256, self.variant, times, page, surface)


class Pages:
    """The frame loop's view of page preparation: page times, drawn pages, drawings.

    Implements :class:`~player.render.pagecache.PageSource`. Only the frame loop thread
    calls it.
    """

    def __init__(self, preparers: dict[str, Preparer], cache: PageCache, background: bool = True) -> None:
        self.preparers = preparers
        self.cache = cache
        self.background = background
        self._times: dict[tuple[str, str, str], tuple[float, ...]] = {}
        self._pending: set[tuple] = set()
        self._drawings: dict[Hashable, pygame.Surface] = {}
        #: notices whose layout failed: (id, sha256) -> the problem (for status and _状态.txt)
        self.failed: dict[tuple[str, str], Problem] = {}
        self._news = False          # a layout finished or failed since the last reported news
        self._news_at = -JOIN_EVERY  # when news were last reported (monotonic)

    # -- results ------------------------------------------------------------------------

    def poll(self) -> bool:
        """Adopt finished jobs; True when a notice's layout became known (the rotation may
        change) or failed — at most every :data:`JOIN_EVERY` seconds, or :data:`JOIN_BUSY`
        with a backlog (drawn pages are adopted at once)."""
        if not self.background:
            return False
        for preparer in self.preparers.values():
            for item in preparer.results():
                self._news |= self._adopt(item)
        if self._news:
            now = time.monotonic()
            if now - self._news_at >= (JOIN_BUSY if len(self._pending) > BACKLOG else JOIN_EVERY):
                self._news, self._news_at = False, now
                return True
        return False

    def _adopt(self, item: Prepared) -> bool:
        if item.drawing is not None:
            self._pending.discard(("draw", item.drawing))
            if item.surface is not None:
                self._drawings[item.drawing] = item.surface
            return False
        key = (item.notice_id, item.sha256, item.variant)
        self._pending.discard(key + (item.page,))
        if item.error is not None:
            self.failed[(item.notice_id, item.sha256)] = Problem(
                item.path, f"cannot lay out this notice ({item.error}); save it again or simplify it",
                "公告无法排版显示：请重新保存或简化内容后再放入")
            self._times.setdefault(key, ())
            return True
        known = key in self._times and bool(self._times[key])
        self._times[key] = item.times
        if item.surface is not None and item.page is not None:
            self.cache.put((item.notice_id, item.sha256, item.page, item.variant), item.surface)
        return not known

    # -- the PageSource protocol -----------------------------------------------------------

    def page(self, notice: Notice, index: int, variant: str = NORMAL) -> "pygame.Surface | None":
        """The drawn page if ready; otherwise it is requested and None is returned."""
        surface = self.cache.get((notice.id, notice.sha256, index, variant))
        if surface is None:
            self._request(notice, index, variant)
            surface = self.cache.get((notice.id, notice.sha256, index, variant)) if not self.background else None
        return surface

    def page_count(self, notice: Notice, variant: str = NORMAL) -> int | None:
        """Pages of the notice if laid out (else requested, None)."""
        times = self._times.get((notice.id, notice.sha256, variant))
        if times is None:
            self._request(notice, None, variant)
            times = self._times.get((notice.id, notice.sha256, variant))
        return len(times) if times else None

    def has_page(self, notice: Notice, index: int, variant: str = NORMAL) -> bool:
        """Whether the page is drawn and kept."""
        return (notice.id, notice.sha256, index, variant) in self.cache

    # -- for the rotation ------------------------------------------------------------------

    def page_times(self, notice: Notice) -> tuple[float, ...]:
        """Seconds each page stays (() while not laid out)."""
        return self._times.get((notice.id, notice.sha256, NORMAL), ())

    def times_copy(self) -> dict[tuple[str, str, str], tuple[float, ...]]:
        """Page times of every notice laid out, keyed (id, sha256, variant): a copy to hand
        to another thread."""
        return dict(self._times)

    def laid_out(self, notice: Notice) -> bool:
        """Whether the notice's pages are known (and it can join the rotation)."""
        return bool(self._times.get((notice.id, notice.sha256, NORMAL)))

    def request_layout(self, notice: Notice) -> None:
        """Lay the notice out (in the background)."""
        self._request(notice, None, NORMAL)

    def ready(self, notices: list[Notice]) -> list[Notice]:
        """The notices laid out already, in order (``notices`` itself when all are); the
        others are requested (inline, in tests, they are laid out right here). One pass:
        5,000 notices cost the frame a few milliseconds."""
        times = self._times
        known = [bool(times.get((n.id, n.sha256, NORMAL))) for n in notices]
        if all(known):
            return notices
        for notice, done in zip(notices, known):
            if not done:
                self._request(notice, None, NORMAL)
        if not self.background:  # laid out inline just now
            known = [bool(self._times.get((n.id, n.sha256, NORMAL))) for n in notices]
        return [n for n, done in zip(notices, known) if done]

    def retain(self, keep: set[tuple[str, str]]) -> None:
        """Content changed: forget what belongs to notices no longer present."""
        self._times = {k: v for k, v in self._times.items() if k[:2] in keep}
        self.failed = {k: v for k, v in self.failed.items() if k in keep}
        self._pending = {k for k in self._pending if k[0] == "draw" or k[:2] in keep}
        self.cache.retain(keep)
        for preparer in self.preparers.values():
            preparer.retain(keep)

    # -- other drawings (alerts) ---------------------------------------------------------------

    def drawing(self, key: Hashable, draw: Drawing, variant: str = NORMAL) -> "pygame.Surface | None":
        """A surface drawn by ``draw(renderer)`` in the preparer (None until it is ready)."""
        surface = self._drawings.get(key)
        if surface is None and ("draw", key) not in self._pending:
            self._pending.add(("draw", key))
            self._submit(variant, ("draw", key, draw))
            surface = self._drawings.get(key)
        return surface

    def forget_drawings(self, keep: set[Hashable]) -> None:
        """Drop drawings no longer needed."""
        self._drawings = {k: v for k, v in self._drawings.items() if k in keep}
        self._pending = {k for k in self._pending if k[0] != "draw" or k[1] in keep}

    # -- requests --------------------------------------------------------------------------

    def _request(self, notice: Notice, page: int | None, variant: str) -> None:
        key = (notice.id, notice.sha256, variant, page)
        if key in self._pending or (notice.id, notice.sha256) in self.failed:
            return
        self._pending.add(key)
        self._submit(variant, (notice, page))

    def _submit(self, variant: str, job: tuple) -> None:
        preparer = self.preparers[variant]
        if self.background:
            if not preparer.started:  # the large-text one starts on demand
                preparer.start()
            preparer.submit(job)
            return
        if preparer.renderer is None:
            preparer.renderer = preparer._make()  # noqa: SLF001 - inline (tests)
        result = preparer.do(preparer.renderer, job)
        if result is not None:
            self._adopt(result)

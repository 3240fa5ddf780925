"""The frame loop of ``signage play``.

One thread (this one) owns pygame. Each frame it:

1. takes a new :class:`Library` from the sources' queue, if one arrived;
2. moves to the next page when the current one has been up long enough (the rotation
   is rebuilt from the schedule at that moment, so starts and ends take effect at the
   next page change, within ``min_seconds``);
3. redraws what changed: the ticker band every frame, the header once a second, the
   page area only on a page change; and presents just those rectangles;
4. in spare time renders the next page ahead so a page change costs one blit;
5. every 5 s, and on every change, hands status to the writer thread.

Pacing sleeps until the next frame deadline (``fps`` from the config), so the loop
idles between frames instead of spinning.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass

from player.config import Config
from player.layout.pages import Pace
from player.model.library import STATUS_NAME
from player.model.notice import Library, Notice
from player.model.rotation import Slot, build_cycle, next_slot
from player.model.schedule import ACTIVE, evaluate, days_remaining
from player.render.fonts import Fonts
from player.render.frame import FrameRenderer, Showing
from player.render.pg import pygame
from player.runtime.clock import Clock, trusted_time
from player.runtime.display import Screen
from player.runtime.status import Showing as StatusShowing, StatusWriter, build_status, staff_report
from player.sources.watch import FolderWatcher

log = logging.getLogger(__name__)

STATUS_EVERY = 5.0
HEADLESS_FPS = 10


def pace_from(config: Config) -> Pace:
    """Page timing from the config."""
    pages = config.pages
    return Pace(pages.chars_per_minute, pages.min_seconds, pages.max_seconds)


def make_renderer(config: Config, size: tuple[int, int], fonts: Fonts) -> FrameRenderer:
    """The frame renderer for a screen size, as configured (theme, pace, ticker)."""
    return FrameRenderer(size, fonts, config.screen.name, config.ticker.speed, pace_from(config),
                         config.theme)


@dataclass
class _Current:
    slot: Slot | None
    since: float        # monotonic time the slot started


class App:
    """The player: sources in, frames out."""

    def __init__(self, config: Config, screen: Screen, fonts: Fonts, clock: Clock) -> None:
        self.config = config
        self.screen = screen
        self.clock = clock
        self.tz = config.tz
        self.renderer = make_renderer(config, screen.size, fonts)
        self.fps = min(config.display.fps, HEADLESS_FPS) if screen.headless else config.display.fps
        self._libraries: queue.Queue[Library] = queue.Queue()
        self.watcher = FolderWatcher(config.drop.dir, config.limits, self._libraries.put,
                                     config.drop.poll, config.drop.rescan)
        self.writer = StatusWriter(config.status_path, config.drop.dir / STATUS_NAME)
        self.library = Library()
        self.slots: list[Slot] = []
        self.current = _Current(None, 0.0)
        self._stop = threading.Event()
        self._frame_cpu: deque[float] = deque(maxlen=600)
        self._frame_times: deque[float] = deque(maxlen=600)
        self._next_status = 0.0
        self._status_dirty = True
        self._clock_text: tuple | None = None
        self._prefetch: Slot | None = None

    # -- control -------------------------------------------------------------------

    def request_stop(self, *_args: object) -> None:
        """Ask the loop to finish after the current frame (signal-safe)."""
        self._stop.set()

    def install_signals(self) -> None:
        """SIGTERM and SIGINT end the loop cleanly."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    def run(self, seconds: float | None = None) -> int:
        """Run until stopped (or for ``seconds``); returns the exit status."""
        self._set_library(self.watcher.scan_now())
        self.watcher.start()
        self.writer.start()
        try:
            return self._loop(seconds)
        finally:
            self.watcher.stop()
            self.writer.stop(self._status_documents())
            log.info("stopped")

    # -- the loop ------------------------------------------------------------------

    def _loop(self, seconds: float | None) -> int:
        surface = self.screen.surface
        start = self.clock.monotonic()
        end = start + seconds if seconds is not None else None
        period = 1.0 / self.fps
        deadline = time.perf_counter()
        first = True
        while not self._stop.is_set():
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            mono = self.clock.monotonic()
            if end is not None and mono >= end:
                break
            rects = self._handle_events()
            try:
                library = self._libraries.get_nowait()
            except queue.Empty:
                library = None
            if library is not None:
                self._set_library(library)
            wall, trusted = trusted_time(self.clock.now(), self.tz)
            if self._page_due(mono) or library is not None or first:
                self._advance(mono, wall, library is not None and not first)
                rects.append(self.renderer.draw_body(surface, self._showing(wall)))
            local = wall.astimezone(self.tz)
            clock_key = (local.replace(microsecond=0), trusted)
            if clock_key != self._clock_text:
                self._clock_text = clock_key
                rects.append(self.renderer.draw_header(surface, local if trusted else None))
            rects.append(self.renderer.draw_ticker(surface, mono))
            self.screen.present([] if first else rects)
            if first:
                log.info("first frame shown (%dx%d, %s)", *self.screen.size, self.screen.driver)
                first = False
            self._spare_time(mono)
            if self._status_dirty or mono >= self._next_status:
                self._submit_status(wall, trusted)
            self._frame_cpu.append((time.process_time() - cpu0) * 1000)
            self._frame_times.append(t0)
            deadline += period
            now = time.perf_counter()
            if deadline < now - period:  # far behind (stall): do not try to catch up
                deadline = now
            else:
                time.sleep(max(0.0, deadline - now))
        return 0

    def _handle_events(self) -> list["pygame.Rect"]:
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self._stop.set()
            elif event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q):
                if not self.config.display.fullscreen or self.screen.headless:
                    self._stop.set()
        return []

    # -- content and rotation -------------------------------------------------------

    def _set_library(self, library: Library) -> None:
        self.library = library
        for problem in library.problems:
            log.warning("refused %s", problem.format())
        self.renderer.ticker.set_messages(library.ticker)
        self.renderer.forget({(n.id, n.sha256) for n in library.notices})
        self._status_dirty = True
        log.info("content: %d notices, %d ticker messages, %d problems",
                 len(library.notices), len(library.ticker), len(library.problems))

    def _active(self, wall: dt.datetime) -> list[Notice]:
        decisions = evaluate(self.library, wall, self.tz, self.config.screen.tags)
        return [d.notice for d in decisions if d.state == ACTIVE]

    def _page_due(self, mono: float) -> bool:
        slot = self.current.slot
        return slot is None or mono - self.current.since >= slot.seconds

    def _advance(self, mono: float, wall: dt.datetime, content_changed: bool) -> None:
        self.slots = build_cycle(self._active(wall), self.renderer.page_times)
        previous = self.current.slot
        if content_changed and previous is not None:
            # Same page of the same notice stays up (re-laid out if it changed).
            same = [s for s in self.slots if s.notice_id == previous.notice_id]
            if same and not self._page_due(mono):
                self.current = _Current(same[min(previous.page, len(same) - 1)], self.current.since)
                self._prefetch = next_slot(self.slots, self.current.slot)
                return
        slot = next_slot(self.slots, previous)
        self.current = _Current(slot, mono)
        self._prefetch = next_slot(self.slots, slot)
        self._status_dirty = True
        if slot is not None:
            log.debug("showing %s page %d/%d for %.0f s", slot.notice_id, slot.page + 1,
                      slot.pages, slot.seconds)

    def _showing(self, wall: dt.datetime) -> Showing:
        slot = self.current.slot
        notice = self.library.get(slot.notice_id) if slot else None
        if notice is None:
            return Showing(None)
        return Showing(notice, slot.page, days_remaining(notice, wall, self.tz))

    def _spare_time(self, mono: float) -> None:
        """Render the next page ahead of time (at most one page per frame)."""
        slot = self._prefetch
        if slot is None:
            return
        self._prefetch = None
        notice = self.library.get(slot.notice_id)
        if notice is not None:
            self.renderer.page_surface(notice, slot.page)

    # -- status --------------------------------------------------------------------

    def _stats(self) -> tuple[float | None, float | None]:
        times = list(self._frame_times)
        fps = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 10 and times[-1] > times[0] else None
        cpu = sorted(self._frame_cpu)
        p99 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))] if len(cpu) > 10 else None
        return fps, p99

    def _status_documents(self) -> tuple[dict, str]:
        wall, trusted = trusted_time(self.clock.now(), self.tz)
        decisions = evaluate(self.library, wall, self.tz, self.config.screen.tags)
        slot = self.current.slot
        showing = StatusShowing(slot.notice_id if slot else None, slot.page + 1 if slot else 0,
                                slot.pages if slot else 0)
        fps, p99 = self._stats()
        status = build_status(self.clock.now().astimezone(self.tz), self.library, decisions, showing, fps, p99, trusted)
        report = staff_report(self.clock.now(), self.tz, self.library, decisions, self.config.screen.name)
        return status, report

    def _submit_status(self, wall: dt.datetime, trusted: bool) -> None:
        self.writer.submit(*self._status_documents())
        self._status_dirty = False
        self._next_status = self.clock.monotonic() + STATUS_EVERY


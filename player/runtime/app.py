"""The frame loop of ``signage play``.

One thread (this one) owns pygame's display. Each frame, at a time ``t`` on a fixed grid
of ``1/fps`` seconds:

1. takes a new :class:`Library` from the drop-folder thread, and finished layouts and
   pages from the :class:`~player.runtime.prepare.Preparer` thread, if any arrived;
2. moves to the next page when the current one has been up long enough (the rotation
   is rebuilt from the schedule at that moment, so starts and ends take effect at the
   next page change);
3. redraws only what changed: the ticker band every frame, the clock digits once a
   second, the page area only while a page change wipes the new page in (0.4 s, a
   strip of the new page per frame);
4. presents just those rectangles, records the frame's CPU time, asks the preparer for
   the page after next, and every 5 s (or on a change) hands status to the writer thread;
5. sleeps until the next grid time. A frame that comes more than half a period late
   skips to the next grid time: motion stays tied to time, not to frame count.

Nothing that can wait runs here: layout and page drawing happen in the preparer,
status files are written by the writer, folder scanning by the watcher.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import queue
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from player.config import Config
from player.layout.pages import Pace
from player.model.library import STATUS_NAME
from player.model.notice import Library, Notice, Priority
from player.model.rotation import Slot, next_slot
from player.model.schedule import ACTIVE, Decision, days_remaining
from player.model.scheduler import Scheduler
from player.render.fonts import Fonts
from player.render.frame import FrameRenderer, Showing
from player.render.pg import pygame
from player.model.power import PowerSchedule
from player.runtime.airtime import Airtime
from player.runtime.clock import Clock
from player.runtime.housekeeping import Housekeeper
from player.runtime.kiosk_view import KioskView, kiosk_theme, large_theme
from player.runtime.notify import Notifier
from player.runtime.playlog import PlayLog
from player.runtime.power import PowerSwitch
from player.runtime.report import Heartbeat
from player.runtime.screenshot import save_png
from player.runtime.trust import ClockTrust
from player.runtime.display import Screen
from player.runtime.memory import release_memory, tune_malloc
from player.runtime.prepare import Preparer
from player.runtime.stats import FrameStats
from player.runtime.status import Showing as StatusShowing, StatusWriter, build_status, staff_report
from player.model.library import merge_libraries
from player.runtime.syncing import bundle_section, make_sync, sync_section
from player.sources.ingest import Ingest
from player.sources.quarantine import Quarantine
from player.sources.store import Store
from player.sources.sync import SyncWorker
from player.sources.watch import FolderWatcher

log = logging.getLogger(__name__)

STATUS_EVERY = 5.0
STATUS_EVERY_OFF = 60.0  # while the screen is dark little changes
HEADLESS_FPS = 10
WIPE_SECONDS = 0.4
#: A change of (wall - monotonic) larger than this is a clock jump (NTP, an operator).
JUMP_SECONDS = 2.0
#: Input is polled every this many frames (lobby screens have no touch; 10 Hz at 60 fps
#: is plenty for a keyboard's Esc and for the window manager's close).
EVENT_EVERY = 6
#: Removing at least this many notices at once hands freed memory back to the system.
RELEASE_AFTER = 50
RELEASE_DELAY = 3.0
URGENT_MARK = "【紧急】"
#: While the power schedule has the screen off the loop wakes this often (status,
#: watchdog, content); nothing is drawn.
OFF_SLEEP = 0.5
POWER_CHECK_EVERY = 1.0
SCREENSHOT_NAME = "screen.png"


def pace_from(config: Config) -> Pace:
    """Page timing from the config."""
    pages = config.pages
    return Pace(pages.chars_per_minute, pages.min_seconds, pages.max_seconds)


def make_renderer(config: Config, size: tuple[int, int], fonts: Fonts, fps: float | None = None,
                  large: bool = False, pictures=None) -> FrameRenderer:
    """The frame renderer for a screen size, as configured (theme, pace, ticker); on a
    touch kiosk with room for the navigation bar, and ``large`` for 大字."""
    theme = kiosk_theme(config.theme) if config.interaction.touch else config.theme
    if large:
        theme = large_theme(theme)
    return FrameRenderer(size, fonts, config.screen.name, config.ticker.speed, pace_from(config),
                         theme, fps or config.display.fps, pictures)


def ticker_messages(library: Library, decisions: Sequence[Decision]) -> list[str]:
    """Urgent notices on screen first (marked 【紧急】), then the lines of ticker.txt."""
    urgent = [f"{URGENT_MARK}{d.notice.title}" for d in decisions
              if d.state == ACTIVE and d.notice.meta.priority == Priority.URGENT]
    return urgent + list(library.ticker)


@dataclass
class _Wipe:
    """A page change in progress: the new page is revealed left to right."""

    surface: "pygame.Surface"
    started: float
    shown: int = 0
    fade: bool = False  # fade in (back from browsing) instead of wiping left to right


class App:
    """The player: sources in, frames out."""

    def __init__(self, config: Config, screen: Screen, fonts: Fonts, clock: Clock, *,
                 background: bool = True, stats_keep: int | None = 600, report: bool = True) -> None:
        """Args:
            background: prepare pages in a background thread (off: everything inline,
                for deterministic tests).
            stats_keep: frames kept for statistics (None: all, for benchmarks).
            report: write ``_状态.txt`` into the drop folder (benchmarks do not).
        """
        self.config = config
        self.screen = screen
        self.clock = clock
        self.tz = config.tz
        self.fps = min(config.display.fps, HEADLESS_FPS) if screen.headless else config.display.fps
        self.store = Store(config.state_dir / "store")  # one store per state dir, shared by the sources
        self.quarantine = Quarantine(config.state_dir / "quarantine")
        pictures = self.store.get
        self.renderer = make_renderer(config, screen.size, fonts, self.fps, pictures=pictures)
        self.preparer = (Preparer(lambda: make_renderer(config, screen.size, Fonts(fonts.choice), self.fps,
                                                        pictures=pictures))
                         if background else None)
        #: (source, library) from the drop watcher and the bundle sync threads
        self._libraries: queue.Queue[tuple[str, Library]] = queue.Queue()
        drop_ingest = Ingest("drop", config.limits, store=self.store, quarantine=self.quarantine,
                             box=screen.size, keep_originals=True)
        self.watcher = FolderWatcher(config.drop.dir, config.limits, lambda lib: self._libraries.put(("drop", lib)),
                                     config.drop.poll, config.drop.rescan, config.drop.quiet,
                                     store=self.store, ingest=drop_ingest)
        self._sources: dict[str, Library] = {"bundle": Library(), "drop": Library()}
        self._wall_now = self.clock.now()  # the schedule time, read by the sync thread for expiry
        self.sync = (make_sync(config, lambda: self._wall_now, self.store,
                               Ingest("bundle", config.limits, store=self.store, quarantine=self.quarantine,
                                      box=screen.size))
                     if config.sync.url else None)
        self.sync_worker = (SyncWorker(self.sync, config.sync.interval,
                                       lambda lib: self._libraries.put(("bundle", lib)), self._on_sync)
                            if self.sync else None)
        if config.sync.url and config.sync.allow_unsigned and config.sync.public_key is None:
            log.warning("sync.allow_unsigned: bundles from %s are accepted without a signature", config.sync.url)
        self.writer = StatusWriter(config.status_path, config.drop.dir / STATUS_NAME if report else None)
        self.library = Library()
        self.scheduler = Scheduler(self.tz, config.screen.tags, self.renderer.page_times,
                                   config.schedule.urgent_every)
        self.trust = ClockTrust(config.state_dir, self.tz, config.clock.max_jump_days, config.clock.confirm_ntp,
                                confirm_http_date=config.clock.confirm_http_date)
        self._offset: float | None = None  # wall - monotonic, to notice clock jumps
        self.stats = FrameStats(stats_keep)
        self.first_frame_ms: float | None = None
        #: Called by the loop thread after the first frame and before the threads stop
        #: (benchmarks measure the steady state between the two).
        self.on_first_frame: Callable[[], None] | None = None
        self.on_stop: Callable[[], None] | None = None
        self._stop = threading.Event()
        self._next_status = 0.0
        self._status_dirty = True
        self._header_key: tuple | None = None
        self._second: int | None = None
        self._wipe: _Wipe | None = None
        self._refresh = False
        self._shown: tuple | None = None  # (id, sha256, page) on screen
        self._ahead_dirty = True  # the page after this one may need preparing
        self._frame_number = 0
        self.notifier = Notifier()
        self.housekeeper = Housekeeper()
        self.playlog = PlayLog(config.state_dir / "playlog", config.screen.name, self.tz)
        self.airtime = Airtime(self.playlog)
        self.power_schedule = PowerSchedule(config.power.on, config.power.off, config.power.days)
        self.power = None if self.power_schedule.always_on else PowerSwitch(config.power)
        self.screen_on = True
        self._next_power_check = 0.0
        self._screenshot = threading.Event()  # set by SIGUSR1
        shot_every = config.screenshot.every_minutes * 60
        self._shot_every = shot_every or None
        self._next_shot = math.inf  # set when the loop starts (clock times are relative)
        self._large_preparer: Preparer | None = None
        self.kiosk = (KioskView(self.renderer, lambda: make_renderer(config, screen.size, fonts, self.fps, large=True,
                                                                     pictures=pictures),
                                config.interaction.idle_return, self.tz,
                                self._kiosk_preparer if background else None)
                      if config.interaction.touch else None)
        self._fade_next = False
        #: The last status document handed to the writer: the heartbeat thread reads this
        #: (one reference, replaced whole), never the loop's live state.
        self._last_status: dict = {}
        self.heartbeat = Heartbeat(config.report, lambda: self._last_status, config.state_dir / SCREENSHOT_NAME,
                                   screen=config.screen.name, ca_bundle=config.sync.ca_bundle)

    # -- control -------------------------------------------------------------------

    def request_stop(self, *_args: object) -> None:
        """Ask the loop to finish after the current frame (signal-safe)."""
        self._stop.set()

    def install_signals(self) -> None:
        """SIGTERM and SIGINT end the loop cleanly."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGUSR1, self.request_screenshot)

    def request_screenshot(self, *_args: object) -> None:
        """Save the current frame to ``STATE_DIR/screen.png`` after this frame (signal-safe)."""
        self._screenshot.set()

    def run(self, seconds: float | None = None) -> int:
        """Run until stopped (or for ``seconds`` of the clock); returns the exit status."""
        tune_malloc()
        self.quarantine.recover()
        if self.sync is not None:
            self._sources["bundle"] = self.sync.library()
            self._note_bundle()
        self._set_library("drop", self.watcher.scan_now(), self.clock.monotonic())
        self.watcher.start()
        if self.sync_worker is not None:
            self.sync_worker.start()
        self.writer.start()
        if self.preparer is not None:
            self.preparer.start()
        retention = self.config.playlog.retention_days
        self.housekeeper.every("play log", self.config.playlog.flush_minutes * 60, self.playlog.flush)
        self.housekeeper.every("play log upkeep", 86400.0,
                               lambda: self.playlog.maintain(self._wall_now.astimezone(self.tz).date(), retention),
                               first_after=0.0)
        self.housekeeper.start()
        self.heartbeat.start()
        if self.power is not None:
            self.power.start()
        try:
            return self._loop(seconds)
        finally:
            self.notifier.stopping()
            self.airtime.close(self.trust.assess(self.clock.now(), self.clock.monotonic())[0])
            if self.on_stop is not None:
                self.on_stop()
            if self.preparer is not None:
                self.preparer.stop()
            if self._large_preparer is not None:
                self._large_preparer.stop()
            if self.sync_worker is not None:
                self.sync_worker.stop()
            self.watcher.stop()
            if self.power is not None:
                self.power.stop()
            self.heartbeat.stop()
            self.housekeeper.stop(final=self.playlog.flush)
            self.writer.stop(self._status_documents())
            self.notifier.close()
            log.info("stopped")

    # -- the loop ------------------------------------------------------------------

    def _loop(self, seconds: float | None) -> int:
        clock = self.clock
        period = 1.0 / self.fps
        deadline = clock.monotonic()
        end = deadline + seconds if seconds is not None else None
        if self._shot_every is not None:
            self._next_shot = deadline + self._shot_every
        first = True
        full = True  # draw everything (the first frame, and when the screen comes back on)
        while not self._stop.is_set():
            t = deadline
            if end is not None and t >= end:
                break
            self.notifier.ping(time.monotonic())  # real time: systemd's watchdog knows no simulated clock
            if (not self.screen_on or t >= self._next_power_check) and self._power_step(t):
                if first:  # started inside the off hours: systemd still needs to hear "ready"
                    log.info("started with the screen off (power schedule)")
                    self.notifier.ready(self._status_line())
                    first = False
                full = True
                clock.sleep(OFF_SLEEP)  # screen off: nothing is drawn
                deadline = clock.monotonic()
                continue
            cpu0 = time.thread_time()
            rects = self._frame(t, full)
            self.screen.present([] if full else rects)
            if first:  # start-up work (first layouts) is not a frame cost; it is logged
                self.first_frame_ms = (time.thread_time() - cpu0) * 1000
                log.info("first frame shown (%dx%d, %s)", *self.screen.size, self.screen.driver)
                self.notifier.ready(self._status_line())
                first = False
                if self.on_first_frame is not None:
                    self.on_first_frame()
            elif not full:
                self.stats.record((time.thread_time() - cpu0) * 1000, clock.monotonic())
            full = False
            if self._screenshot.is_set() or t >= self._next_shot:
                self._take_screenshot(t)
            deadline += period
            now = clock.monotonic()
            if now > deadline + period / 2:  # a stall: skip to the next time on the grid
                deadline += math.ceil((now - deadline) / period) * period
            # With vsync the present call waits for the display; sleep only most of the way
            # then, so a present that does not really wait cannot make the loop spin.
            margin = period / 4 if self.screen.presenter.paces else 0.0
            clock.sleep(deadline - now - margin)
        return 0

    @property
    def slot(self) -> Slot | None:
        """The page on screen."""
        return self.scheduler.current

    @property
    def slots(self) -> list[Slot]:
        """The current cycle."""
        return self.scheduler.rotator.slots

    def _wall(self, t: float) -> tuple[dt.datetime, bool]:
        """(time to schedule by, clock trusted?) — and notice clock jumps."""
        now = self.clock.now()
        offset = now.timestamp() - t
        if self._offset is not None and abs(offset - self._offset) > JUMP_SECONDS:
            log.info("system clock jumped by %+.0f s; recomputing the rotation", offset - self._offset)
            self._refresh = True
        self._offset = offset
        return self.trust.assess(now, t)

    def _frame(self, t: float, first: bool) -> list["pygame.Rect"]:
        surface = self.screen.surface
        rects: list[pygame.Rect] = []
        self._frame_number += 1
        if self._frame_number % EVENT_EVERY == 0 or first or self.kiosk is not None:
            self._handle_events(t)  # every frame on a kiosk: feedback within one frame of a tap
        self._adopt_prepared()
        if not self._libraries.empty():
            self._set_library(*self._libraries.get_nowait(), t)
        wall, trusted = self._wall(t)
        self._wall_now = wall
        kiosk = self.kiosk
        if kiosk is not None and kiosk.idle(t):
            self._leave_browsing(fade=True)
        if first:
            self._schedule(t, wall, sync=True)
            if kiosk is not None and kiosk.visible:
                rects.append(kiosk.draw_page(surface, self.library, self._decisions(wall), wall))
            else:
                rects.append(self.renderer.draw_body(surface, self._showing(wall)))
            self.renderer.ticker.draw_label(surface)
        else:
            todo = "reschedule" if self._refresh else self.scheduler.what_now(t, wall)
            self._refresh = False
            if todo is not None and self._schedule(t, wall, step=todo == "step") \
                    and not (kiosk is not None and kiosk.visible):
                rects.append(self._start_wipe(surface, t, wall))
        if kiosk is not None:
            rects.extend(self._kiosk_frame(surface, t, wall, first))
        if self._wipe is not None:
            rects.append(self._wipe_step(surface, t))
        second = int(wall.timestamp())
        if second != self._second:  # the header changes at most once a second
            self._second = second
            local = wall.astimezone(self.tz)
            header_key = (local.date(), trusted)
            if header_key != self._header_key:
                self._header_key = header_key
                rects.append(self.renderer.draw_header(surface, local if trusted else None))
            elif trusted:
                rects.append(self.renderer.draw_clock(surface, local))
        rects.append(self.renderer.draw_ticker(surface, t))
        if self._ahead_dirty:
            self._ahead_dirty = False
            self._request_ahead()
        if self._status_dirty or t >= self._next_status:
            self._submit_status(t)
        return rects

    def _handle_events(self, t: float) -> None:
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self._stop.set()
            elif event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q):
                if not self.config.display.fullscreen or self.screen.headless:
                    self._stop.set()
            elif self.kiosk is not None and self.screen_on:  # lobby screens ignore touch and mouse
                action = self.kiosk.handle(event, t)
                if action is not None:
                    was_browsing = self.kiosk.kiosk.browsing
                    self.kiosk.apply(action)
                    if was_browsing and not self.kiosk.kiosk.browsing:
                        self._leave_browsing(fade=False)
                    else:
                        self._wipe = None
                    self._status_dirty = True

    # -- the kiosk ---------------------------------------------------------------------

    def _kiosk_preparer(self, large: bool) -> Preparer | None:
        """The background thread preparing kiosk pages (a second one for large text)."""
        if not large:
            return self.preparer
        if self._large_preparer is None:
            size, choice = self.screen.size, self.renderer.fonts.choice
            # Like the rotation's preparer: its own fonts, made in its own thread.
            self._large_preparer = Preparer(lambda: make_renderer(self.config, size, Fonts(choice), self.fps,
                                                                  large=True, pictures=self.store.get))
            self._large_preparer.start()
        return self._large_preparer

    def _leave_browsing(self, fade: bool) -> None:
        """Back to the rotation: its page is drawn again (faded in after idle_return)."""
        self._shown = None  # force the page to be drawn
        self._refresh = True
        self._fade_next = fade
        self._status_dirty = True
        if self.kiosk is not None:
            self.kiosk.nav_dirty = True

    def _kiosk_frame(self, surface: "pygame.Surface", t: float, wall: dt.datetime, full: bool) -> list:
        """Browsing view, navigation bar and the play log's interactive views."""
        kiosk = self.kiosk
        rects = []
        slot = self.slot
        on_screen = self.library.get(slot.notice_id) if slot else None
        kiosk.note_rotation(on_screen, slot.page if slot else 0)
        change = kiosk.urgent(on_screen is not None and on_screen.meta.priority == Priority.URGENT)
        if change == "suspend":
            self._leave_browsing(fade=False)
        kiosk.poll_large()
        if kiosk.visible and (kiosk.page_dirty or full):
            kiosk.page_dirty = False
            drawn = kiosk.draw_page(surface, self.library, self._decisions(wall), wall)
            if drawn is not None:
                rects.append(drawn)
                self.airtime.showing(kiosk.browsed_notice(self.library), wall, browsed=True)
        if kiosk.nav_dirty or full:
            rects.append(kiosk.draw_nav(surface))
        return rects

    # -- content and rotation -------------------------------------------------------

    def _on_sync(self, outcome) -> None:
        """A sync cycle ended (sync thread): clock evidence for the trust logic."""
        if outcome.server_date is not None:
            self.trust.note_server_date(outcome.server_date, self.clock.now())
        self._status_dirty = True

    def _note_bundle(self) -> None:
        if self.sync is not None and self.sync.active is not None:
            self.trust.note_bundle_created(dt.datetime.fromisoformat(self.sync.active.created))

    def _set_library(self, source: str, library: Library, t: float) -> None:
        self._sources[source] = library
        if source == "bundle":
            self._note_bundle()
            for problem in library.problems:
                log.warning("bundle file refused: %s", problem.format())
        old = self.library
        library = merge_libraries(self._sources["bundle"], self._sources["drop"])
        self.library = library
        self.scheduler.set_library(library)
        if library.newest_mtime is not None:
            self.trust.note_content_time(dt.datetime.fromtimestamp(library.newest_mtime, dt.timezone.utc))
        for problem in library.problems:
            if problem not in old.problems:
                log.warning("refused %s", problem.format())
        if len(old.notices) - len(library.notices) >= RELEASE_AFTER:
            # A little later, once the loop and the preparer have let go of the old content.
            timer = threading.Timer(RELEASE_DELAY, release_memory)
            timer.daemon = True
            timer.start()
        keep = {(n.id, n.sha256) for n in library.notices}
        self.renderer.forget(keep)
        if self.preparer is not None:
            self.preparer.retain(keep)
        # Reschedule at once: new notices join (an urgent one interrupts within a frame), a
        # removed one leaves, a changed one on screen is shown in its new version.
        self._refresh = True
        self._update_ticker(t)
        self._status_dirty = True
        log.info("content: %d notices, %d ticker messages, %d problems",
                 len(library.notices), len(library.ticker), len(library.problems))

    def _decisions(self, wall: dt.datetime) -> list[Decision]:
        return self.scheduler.decisions(wall)

    def _update_ticker(self, t: float) -> None:
        wall, _trusted = self.trust.assess(self.clock.now(), t)
        self.renderer.ticker.set_messages(ticker_messages(self.library, self._decisions(wall)), t)

    def _ready(self, notices: list[Notice], sync: bool) -> list[Notice]:
        """Notices laid out already; the others are requested (or, if ``sync``, laid out now)."""
        ready = []
        on_screen = self._shown[0] if self._shown else None
        for notice in notices:
            # The notice on screen is laid out here even if new: its page must not vanish
            # just because its new version is still being prepared.
            if self.renderer.has_layout(notice) or self.preparer is None or sync or notice.id == on_screen:
                self.renderer.pages(notice)
                ready.append(notice)
            else:
                self.preparer.request(notice)  # layout only; pages are drawn when they come up
        return ready

    def _schedule(self, t: float, wall: dt.datetime, sync: bool = False, step: bool = False) -> bool:
        """Re-evaluate the schedule; ``step`` also moves on to the next page.

        Returns True when the page on screen is to change.
        """
        ready = functools.partial(self._ready, sync=sync)
        if step:
            self.scheduler.step(t, wall, ready)
        else:
            self.scheduler.reschedule(t, wall, ready)
        decisions = self.scheduler.decisions(wall)
        self.renderer.ticker.set_messages(ticker_messages(self.library, decisions), t)
        self._status_dirty = True
        self._ahead_dirty = True
        slot = self.scheduler.current
        notice = self.library.get(slot.notice_id) if slot else None
        shown = (notice.id, notice.sha256, slot.page) if notice else None
        changed = shown != self._shown or step
        self._shown = shown
        if self.kiosk is not None:
            self.kiosk.set_categories(decisions)
        if self.screen_on and not (self.kiosk is not None and self.kiosk.visible):
            self.airtime.showing(notice, wall)
        if slot is not None and changed:
            log.debug("showing %s page %d/%d for %.0f s", slot.notice_id, slot.page + 1, slot.pages, slot.seconds)
        return changed

    def _showing(self, wall: dt.datetime) -> Showing:
        notice = self.library.get(self.slot.notice_id) if self.slot else None
        if notice is None:
            return Showing(None)
        return Showing(notice, self.slot.page, days_remaining(notice, wall, self.tz))

    # -- screen power and screenshots ------------------------------------------------

    def _power_step(self, t: float) -> bool:
        """Follow the power schedule; returns True while the screen is off."""
        self._next_power_check = t + POWER_CHECK_EVERY
        if self.power is None:
            return False
        wall, _trusted = self._wall(t)
        self._wall_now = wall
        wanted = self.power_schedule.is_on(wall.astimezone(self.tz))
        if self._frame_number == 0 or wanted != self.screen_on:
            self.power.want(wanted)  # at start too: a restart must not leave a screen dark
        if wanted != self.screen_on:
            self.screen_on = wanted
            if wanted:
                log.info("power schedule: screen on")
                self._refresh = True
                self._header_key = None
                self._second = None
            else:
                change = self.power_schedule.next_change(wall.astimezone(self.tz))
                log.info("power schedule: screen off until %s", change.isoformat(timespec="minutes") if change else "?")
                self.airtime.screen_off(wall)
                self._wipe = None
                self.screen.surface.fill((0, 0, 0))
                self.screen.present([])
                self._status_dirty = True
        if not wanted:
            self._frame_number += 1
            if not self._libraries.empty():  # content stays current while dark
                self._set_library(*self._libraries.get_nowait(), t)
            if self._status_dirty or t >= self._next_status:
                self._submit_status(t)
                self._next_status = t + STATUS_EVERY_OFF
            if self._screenshot.is_set():
                self._take_screenshot(t)
        return not wanted

    def _take_screenshot(self, t: float) -> None:
        """A copy of the frame (cheap, here) is encoded and written by the housekeeping thread."""
        self._screenshot.clear()
        if self._shot_every is not None:
            self._next_shot = t + self._shot_every
        frame = self.screen.surface.copy()  # a plain surface: safe in another thread
        path = self.config.state_dir / SCREENSHOT_NAME
        self.housekeeper.submit("screenshot", lambda: save_png(frame, path))

    # -- drawing a page change --------------------------------------------------------

    def _start_wipe(self, surface: "pygame.Surface", t: float, wall: dt.datetime) -> "pygame.Rect":
        showing = self._showing(wall)
        if showing.notice is None:
            self._wipe = None
            return self.renderer.draw_body(surface, showing)
        if not self.renderer.has_surface(showing.notice, showing.page):
            log.debug("page %s/%d drawn late (not prepared in time)", showing.notice.id, showing.page + 1)
        page = self.renderer.page_surface(showing.notice, showing.page)
        self._wipe = _Wipe(page, t, fade=self._fade_next)
        self._fade_next = False
        return self.renderer.draw_footer(surface, showing)

    def _wipe_step(self, surface: "pygame.Surface", t: float) -> "pygame.Rect":
        wipe = self._wipe
        box = self.renderer.frame.page
        progress = min(1.0, (t - wipe.started) / WIPE_SECONDS)
        eased = progress * progress * (3 - 2 * progress)  # smoothstep
        if wipe.fade:  # the whole page, more opaque each frame
            wipe.surface.set_alpha(255 if progress >= 1.0 else round(255 * eased))
            surface.blit(wipe.surface, (box.x, box.y))
            wipe.surface.set_alpha(None)
            if progress >= 1.0:
                self._wipe = None
            return pygame.Rect(box.x, box.y, box.w, box.h)
        reach = box.w if progress >= 1.0 else round(box.w * eased)
        area = pygame.Rect(wipe.shown, 0, max(0, reach - wipe.shown), box.h)
        if area.w:
            surface.blit(wipe.surface, (box.x + area.x, box.y), area)
        wipe.shown = reach
        if progress >= 1.0:
            self._wipe = None
        return pygame.Rect(box.x + area.x, box.y, area.w, box.h)

    def _request_ahead(self) -> None:
        """Ask the preparer for the page after this one, if it is not drawn yet (not while
        a resident browses: that page would only push the kiosk's pages out of the cache)."""
        if self.preparer is None or self.slot is None or (self.kiosk is not None and self.kiosk.visible):
            return
        upcoming = next_slot(self.slots, self.slot)
        notice = self.library.get(upcoming.notice_id) if upcoming else None
        if notice is not None and not self.renderer.has_surface(notice, upcoming.page):
            self.preparer.request(notice, upcoming.page)

    def _adopt_prepared(self) -> None:
        if self.preparer is None:
            return
        for item in self.preparer.results():
            notice = self.library.get(item.notice_id)
            if notice is None or notice.sha256 != item.sha256:
                continue  # content changed meanwhile
            known = self.renderer.has_layout(notice)
            self.renderer.adopt(item.notice_id, item.sha256, item.pages, item.page, item.surface)
            if self.kiosk is not None:
                self.kiosk.adopted(item, large=False)
            self._ahead_dirty = True
            if not known:
                self._refresh = True  # a newly laid-out notice joins the rotation now
            if self._shown is not None and item.notice_id == self._shown[0] and item.sha256 != self._shown[1]:
                self._refresh = True  # the new version of the notice on screen is ready

    # -- status --------------------------------------------------------------------

    def _status_documents(self) -> tuple[dict, str]:
        wall, trusted = self.trust.assess(self.clock.now(), self.clock.monotonic())
        decisions = self._decisions(wall)
        slot = self.slot
        showing = StatusShowing(slot.notice_id if slot else None, slot.page + 1 if slot else 0,
                                slot.pages if slot else 0)
        summary = self.stats.summary()
        status = build_status(self.clock.now().astimezone(self.tz), self.library, decisions, showing,
                              summary.fps, summary.cpu_ms_p99, trusted)
        status["bundle"] = bundle_section(self.sync)
        status["bundle"]["errors"] = [{"file": p.path, "line": p.line, "error": p.message}
                                      for p in self._sources["bundle"].problems]
        status["sync"] = sync_section(self.sync)
        status["power"] = self._power_section(wall)
        status["interaction"] = self.kiosk.status() if self.kiosk is not None else {"touch": False}
        if self.kiosk is not None and self.kiosk.visible:
            k = self.kiosk.kiosk
            status["showing"] = {"notice": k.notice_id, "page": k.page + 1 if k.notice_id else 0,
                                 "pages": status["interaction"]["pages"] if k.notice_id else 0}
        report = staff_report(self.clock.now(), self.tz, self.library, decisions, self.config.screen.name)
        return status, report

    def _power_section(self, wall: dt.datetime) -> dict:
        change = self.power_schedule.next_change(wall.astimezone(self.tz))
        return {"screen": "on" if self.screen_on else "off",
                "next_change": change.isoformat(timespec="minutes") if change else None,
                "last_error": self.power.last_error if self.power else None}

    def _status_line(self) -> str:
        """For ``systemctl status``: what is on screen, in one line."""
        if not self.screen_on:
            change = self.power_schedule.next_change(self._wall_now.astimezone(self.tz))
            return "screen off (power schedule)" + (f" until {change:%H:%M}" if change else "")
        slot = self.slot
        showing = f"{slot.notice_id} {slot.page + 1}/{slot.pages}" if slot else "nothing to show"
        fps = self.stats.summary().fps
        return f"{showing}; {len(self.library.notices)} notices" + (f"; {fps:.1f} fps" if fps else "")

    def _submit_status(self, t: float) -> None:
        status, report = self._status_documents()
        self._last_status = status
        self.writer.submit(status, report)
        self.notifier.status(self._status_line())
        self._status_dirty = False
        self._next_status = t + STATUS_EVERY

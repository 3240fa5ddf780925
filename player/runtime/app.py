"""Wiring ``signage play``: every service in one list, the content state, the compositor
and the frame loop.

The data flow (docs/architecture.md):

    sources (drop folder, bundle sync, alert channel)  --libraries, alerts-->  ContentState
    ContentState --OnScreen snapshot per frame-->  Compositor --rectangles-->  present
    ContentState/Compositor --needs a page-->  Preparer threads --drawn pages-->  PageCache
    FrameLoop --StatusInputs-->  StatusWriter (builds and writes status.json, _状态.txt)
    status.json document  -->  heartbeat, metrics

:class:`App` only builds these parts and runs them: services are started in order and
stopped in reverse (:class:`~player.worker.Services`), the loop runs between. It holds
no state of its own that a frame changes.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from player.config import Config
from player.model.power import PowerSchedule
from player.model.scheduler import Scheduler
from player.render.compositor import Compositor
from player.render.factory import make_renderer, screen_frame, screen_theme
from player.render.templates import make_template
from player.render.fonts import Fonts
from player.render.pagecache import LARGE, NORMAL, PageCache
from player.render.pg import pygame
from player.runtime.airtime import Airtime
from player.runtime.alerting import make_alert_sync
from player.runtime.clock import Clock
from player.runtime.content import ContentState
from player.runtime.display import Screen
from player.runtime.host import HostProbe
from player.runtime.housekeeping import Housekeeper
from player.runtime.loop import FrameLoop
from player.runtime.memory import RENEW_EVERY, HeapKeeper, tune_malloc
from player.runtime.metrics import MetricsService
from player.runtime.notify import Notifier
from player.runtime.playlog import PlayLog
from player.runtime.power import PowerSwitch
from player.runtime.prepare import Pages, Preparer
from player.runtime.preview import PreviewWriter
from player.runtime.report import Heartbeat
from player.runtime.screenshot import save_png
from player.runtime.stats import FrameStats
from player.runtime.status import StatusWriter
from player.runtime.statusdoc import StatusBuilder
from player.runtime.syncing import make_sync
from player.runtime.trust import ClockTrust
from player.sources.convert import Converter
from player.sources.ingest import Ingest
from player.sources.quarantine import Quarantine
from player.sources.store import Store
from player.sources.sync import SyncWorker
from player.sources.watch import FolderWatcher
from player.model.library import STATUS_NAME
from player.worker import Services

log = logging.getLogger(__name__)

HEADLESS_FPS = 10
SCREENSHOT_NAME = "screen.png"


@dataclass
class Parts:
    """The sources, for tests and benchmarks that drive them."""

    store: Store
    quarantine: Quarantine
    watcher: FolderWatcher
    sync: object | None
    sync_worker: SyncWorker | None
    alert_sync: object | None


class App:
    """The player: sources in, frames out."""

    def __init__(self, config: Config, screen: Screen, fonts: Fonts, clock: Clock, *,
                 background: bool = True, stats_keep: int | None = 600, report: bool = True,
                 notifier: Notifier | None = None, starts: int | None = None,
                 heap: HeapKeeper | None = None) -> None:
        """Args:
            background: read the content and prepare pages in background threads (off:
                the first scan before the first frame and every page inline, for
                deterministic tests with simulated clocks).
            stats_keep: frames kept for statistics (None: all, for benchmarks).
            report: write ``_状态.txt`` into the drop folder (benchmarks do not).
            starts: this state dir's player starts so far (``signage play`` counts them),
                for the restart metrics.
            heap: the garbage-collector policy (``signage play`` and benchmarks; it is
                process-wide, so tests that build many players leave it out).
        """
        self.config = config
        self.screen = screen
        self.clock = clock
        tz = config.tz
        fps = min(config.display.fps, HEADLESS_FPS) if screen.headless else config.display.fps
        self.fps = fps
        self.services = Services()
        add = self.services.add
        self.heap = heap

        # -- state shared by the sources --
        store = Store(config.state_dir / "store")  # one store per state dir
        quarantine = Quarantine(config.state_dir / "quarantine")
        converter = Converter(config.state_dir / "convert")  # .doc/.wps/.rtf/.odt, if LibreOffice is installed
        self.trust = ClockTrust(config.state_dir, tz, config.clock.max_jump_days, config.clock.confirm_ntp,
                                confirm_http_date=config.clock.confirm_http_date,
                                writer=lambda job: self.housekeeper.submit("trusted time", job))

        # -- pages, prepared in the background --
        pictures = store.get
        size, choice = screen.size, fonts.choice
        preparers = {NORMAL: Preparer(lambda: make_renderer(config, size, Fonts(choice), fps, pictures=pictures),
                                      NORMAL, quarantine)}
        if config.interaction.touch:
            preparers[LARGE] = Preparer(lambda: make_renderer(config, size, Fonts(choice), fps, large=True,
                                                              pictures=pictures), LARGE, quarantine)
        self.pages = Pages(preparers, PageCache(config.memory.page_cache_bytes), background)

        # -- what is on screen --
        self.power_schedule = PowerSchedule(config.power.on, config.power.off, config.power.days)
        scheduler = Scheduler(tz, config.screen.tags, self.pages.page_times, config.schedule.urgent_every)
        self.sync = make_sync(config, self._schedule_time, store,
                              Ingest("bundle", config.limits, store=store, quarantine=quarantine, box=size,
                                     converter=converter)) \
            if config.sync.url else None
        self.content = ContentState(clock, self.trust, self.pages, scheduler, self.power_schedule, tz,
                                    config.screen.tags, ("drop", "bundle") if self.sync else ("drop",))
        theme = screen_theme(config)
        template = make_template(screen_frame(config, size), fonts, theme, config.screen.name, tz)
        self.compositor = Compositor(template, fonts, theme, self.pages, self.pages,
                                     screen_name=config.screen.name, ticker_speed=config.ticker.speed, fps=fps,
                                     tz=tz, touch=config.interaction.touch,
                                     idle_return=config.interaction.idle_return,
                                     touch_map=getattr(screen.presenter, "rotation", None))

        # -- services, started in this order and stopped in reverse --
        content = self.content
        self.preview = None
        if config.drop.preview and report:
            render_page, page_count, release = _preview_drawing(config, size, choice, fps, pictures)
            self.preview = PreviewWriter(config.drop.dir, render_page, page_count, release=release)
        preview = self.preview

        def arrived(kind: str, value) -> None:  # a source's thread: new content read
            content.put(kind, value)
            if heap is not None:
                heap.content_read()

        def on_drop(library) -> None:  # in the loader thread
            arrived("drop", library)
            if preview is not None:
                preview.submit(library)

        watcher = FolderWatcher(config.drop.dir, config.limits, on_drop,
                                config.drop.poll, config.drop.rescan, config.drop.quiet, store=store,
                                ingest=Ingest("drop", config.limits, store=store, quarantine=quarantine, box=size,
                                              keep_originals=True, converter=converter),
                                tz=tz, wall=self._schedule_time)
        add(watcher)
        sync_worker = None
        if self.sync is not None:
            if config.sync.allow_unsigned and config.sync.public_key is None:
                log.warning("sync.allow_unsigned: bundles from %s are accepted without a signature", config.sync.url)
            sync = self.sync
            sync_worker = add(SyncWorker(sync, config.sync.interval, lambda lib: arrived(
                "bundle", (lib, _created(sync))), self._on_sync))
        alert_sync = make_alert_sync(config, self._schedule_time, lambda snap: content.put("alerts", snap))
        if alert_sync is not None:
            add(alert_sync)
        for preparer in preparers.values():
            add(preparer)
        self.playlog = PlayLog(config.state_dir / "playlog", config.screen.name, tz)
        self.airtime = Airtime(self.playlog)
        self.power = PowerSwitch(config.power) if not self.power_schedule.always_on else None
        self.housekeeper = add(Housekeeper())
        retention = config.playlog.retention_days
        self.housekeeper.every("play log", config.playlog.flush_minutes * 60, self.playlog.flush)
        self.housekeeper.every("play log upkeep", 86400.0,
                               lambda: self.playlog.maintain(self._schedule_time().astimezone(tz).date(), retention),
                               first_after=0.0)
        self.housekeeper.final = self.playlog.flush
        if heap is not None:
            self.housekeeper.every("heap renewal", RENEW_EVERY, heap.renew)
        self.builder = StatusBuilder(config, sync=self.sync, alerts=alert_sync, power=self.power,
                                     power_schedule=self.power_schedule, store=store, quarantine=quarantine,
                                     playlog=self.playlog, health=self.services.health)
        self.writer = add(StatusWriter(config.status_path, config.drop.dir / STATUS_NAME if report else None,
                                       self.builder.build))
        self.builder.writer_error = lambda: self.writer.last_write_error
        if self.power is not None:
            add(self.power)
        if self.preview is not None:
            add(self.preview)
        self.host = HostProbe(config.state_dir, starts=starts)
        last_status: Callable[[], dict] = lambda: self.writer.last_status
        add(Heartbeat(config.report, last_status, config.state_dir / SCREENSHOT_NAME, screen=config.screen.name,
                      ca_bundle=config.sync.ca_bundle, host=self.host.facts))
        add(MetricsService(config.metrics, last_status, config.state_dir, self.host))
        self.parts = Parts(store, quarantine, watcher, self.sync, sync_worker, alert_sync)

        # -- the frame loop --
        self.notifier = notifier or Notifier()
        shot_every = config.screenshot.every_minutes * 60 or None
        self.loop = FrameLoop(screen, clock, fps, content, self.compositor, self.pages, self.writer, self.airtime,
                              notifier=self.notifier, stats=FrameStats(stats_keep),
                              on_screen_power=self.power.want if self.power is not None else None,
                              screenshot=self._save_screenshot, screenshot_every=shot_every,
                              quit_keys=not config.display.fullscreen or screen.headless)
        #: Called by the loop thread after the first frame and before the services stop
        #: (benchmarks measure the steady state between the two).
        self.on_stop: Callable[[], None] | None = None

    # -- what tests and benchmarks look at --------------------------------------------------

    @property
    def stats(self) -> FrameStats:
        """The frame loop's statistics."""
        return self.loop.stats

    @property
    def screen_on(self) -> bool:
        """Whether the last frame had the screen on."""
        snap = self.loop.snapshot
        return snap.screen_on if snap is not None else True

    # -- control -------------------------------------------------------------------------

    @property
    def on_first_frame(self) -> Callable[[], None] | None:
        """Called by the loop thread after the first frame."""
        return self.loop.on_first_frame

    @on_first_frame.setter
    def on_first_frame(self, callback: Callable[[], None] | None) -> None:
        self.loop.on_first_frame = callback

    def request_stop(self, *_args: object) -> None:
        """Ask the loop to finish after the current frame (signal-safe)."""
        self.loop.request_stop()

    def request_screenshot(self, *_args: object) -> None:
        """Save the current frame to ``STATE_DIR/screen.png`` after this frame (signal-safe)."""
        self.loop.request_screenshot()

    def install_signals(self) -> None:
        """SIGTERM and SIGINT end the loop cleanly; SIGUSR1 saves a screenshot."""
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGUSR1, self.request_screenshot)

    def run(self, seconds: float | None = None) -> int:
        """Run until stopped (or for ``seconds`` of the clock); returns the exit status."""
        tune_malloc()
        self.parts.quarantine.recover()
        if not self.pages.background:  # deterministic: the content is there from the first frame
            self.content.put("drop", self.parts.watcher.scan_now())
            if self.parts.sync_worker is not None:
                self.content.put("bundle", (self.sync.library(), _created(self.sync)))
                self.parts.sync_worker.handed = True
        if self.heap is not None:
            self.heap.settle()
        self.services.start()
        try:
            return self.loop.run(seconds)
        finally:
            self.notifier.stopping()
            snap = self.loop.snapshot
            if snap is not None:
                self.airtime.close(snap.wall)
                self.writer.final = self.loop.inputs(snap)
            if self.on_stop is not None:
                self.on_stop()
            self.services.stop()
            self.notifier.close()
            log.info("stopped")

    # -- small things the services need ---------------------------------------------------

    def _schedule_time(self):
        """The time to schedule by (the last frame's; the clock's before the first)."""
        snap = self.loop.snapshot if hasattr(self, "loop") else None
        return snap.wall if snap is not None else self.clock.now()

    def _on_sync(self, outcome) -> None:
        """A sync cycle ended (sync thread): clock evidence for the trust logic."""
        if outcome.server_date is not None:
            self.content.put("server-date", (outcome.server_date, self.clock.now()))

    def _save_screenshot(self, frame) -> None:
        path = self.config.state_dir / SCREENSHOT_NAME
        self.housekeeper.submit("screenshot", lambda: save_png(frame, path))


#: Staff previews are this wide (the screen's page area scaled down).
PREVIEW_WIDTH = 960


def _preview_drawing(config: Config, size, choice, fps, pictures):
    """(render_page, page_count, release) for the preview thread: its own renderer, made
    there, which keeps nothing between passes (``release``)."""
    made: list = []

    def renderer():
        if not made:  # first use, in the preview thread: fonts of its own
            made.append(make_renderer(config, size, Fonts(choice), fps, pictures=pictures))
        return made[0]

    def render_page(notice, index):
        page = renderer().page_surface(notice, index)
        renderer().forget_surfaces()
        width, height = page.get_size()
        scale = min(1.0, PREVIEW_WIDTH / width)
        return pygame.transform.smoothscale(page, (max(1, round(width * scale)), max(1, round(height * scale))))

    def page_count(notice):
        return renderer().page_count(notice)

    def release():
        if made:
            made[0].forget(set())

    return render_page, page_count, release


def _created(sync):
    """The active bundle's creation time (a floor for the clock), read in the sync thread."""
    import datetime as dt
    active = sync.active
    return dt.datetime.fromisoformat(active.created) if active is not None else None

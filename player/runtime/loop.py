"""The frame loop of ``signage play``: snapshot, compose, present, sleep.

One thread (this one) owns pygame's display. Each frame, at a time ``t`` on a fixed grid
of ``1/fps`` seconds:

1. input (every frame on a kiosk, 10 times a second elsewhere) goes to the compositor;
2. :meth:`ContentState.advance <player.runtime.content.ContentState.advance>` gives the
   snapshot of what is on screen;
3. the compositor draws what changed and returns the rectangles, which are presented;
4. the frame's CPU time is recorded; the play log learns what is on screen and, when the
   alerts on screen changed, their starts, level changes and ends; every 5 s (or on a
   change) the status writer gets the snapshot; systemd gets its watchdog ping;
5. the loop sleeps until the next grid time. A frame more than half a period late skips
   to the next grid time: motion stays tied to time, not to frame count. While the
   screen is dark the loop wakes twice a second and draws nothing.

Nothing that can wait runs here: no file I/O, hashing, scanning, decoding, layout or
page drawing (the services do those in their threads).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from player.model.screen import OnScreen
from player.render.compositor import ALERT, DARK, KIOSK, Compositor
from player.render.pg import pygame
from player.runtime.airtime import Airtime
from player.runtime.clock import Clock
from player.runtime.content import ContentState
from player.runtime.display import Screen
from player.runtime.notify import Notifier
from player.runtime.prepare import Pages
from player.runtime.stats import FrameStats
from player.runtime.status import Showing as StatusShowing, StatusWriter
from player.runtime.statusdoc import STATUS_EVERY, StatusInputs

log = logging.getLogger(__name__)

STATUS_EVERY_DARK = 60.0  # while the screen is dark little changes
#: After a switch of the screen's power, status.json is written every second for this
#: long, so ``power.actual`` (the display's read-back, in the power thread) shows soon.
POWER_SETTLE = 15.0
#: Input is polled every this many frames (lobby screens have no touch; 10 Hz at 60 fps
#: is plenty for a keyboard's Esc and for the window manager's close).
EVENT_EVERY = 6
#: While the screen is dark the loop wakes this often (status, watchdog, content).
DARK_SLEEP = 0.5


class FrameLoop:
    """Runs frames until stopped."""

    def __init__(self, screen: Screen, clock: Clock, fps: float, content: ContentState, compositor: Compositor,
                 pages: Pages, writer: StatusWriter, airtime: Airtime, *, notifier: Notifier | None = None,
                 stats: FrameStats | None = None, on_screen_power: Callable[[bool], None] | None = None,
                 screenshot: Callable[["pygame.Surface"], None] | None = None, quit_keys: bool = True,
                 screenshot_every: float | None = None) -> None:
        self.screen = screen
        self.clock = clock
        self.fps = fps
        self.content = content
        self.compositor = compositor
        self.pages = pages
        self.writer = writer
        self.airtime = airtime
        self.notifier = notifier or Notifier({})
        self.stats = stats or FrameStats()
        self.on_screen_power = on_screen_power
        self.screenshot = screenshot
        self.screenshot_every = screenshot_every
        self.quit_keys = quit_keys
        self.frames = 0
        self.first_frame_ms: float | None = None
        self.on_first_frame: Callable[[], None] | None = None
        self.snapshot: OnScreen | None = None
        self._stop = threading.Event()
        self._shot = threading.Event()
        self._next_shot = math.inf
        self._next_status = 0.0
        self._power_settle = -math.inf
        self._status_key: tuple | None = None
        self._screen_on: bool | None = None

    # -- control (signal-safe) -------------------------------------------------------------

    def request_stop(self, *_args: object) -> None:
        """Finish after the current frame."""
        self._stop.set()

    def request_screenshot(self, *_args: object) -> None:
        """Save the current frame after this frame."""
        self._shot.set()

    # -- the loop ----------------------------------------------------------------------------

    def run(self, seconds: float | None = None) -> int:
        """Frames until stopped (or for ``seconds`` of the clock); returns the exit status."""
        clock = self.clock
        period = 1.0 / self.fps
        deadline = clock.monotonic()
        end = deadline + seconds if seconds is not None else None
        if self.screenshot_every is not None:
            self._next_shot = deadline + self.screenshot_every
        full = True
        try:
            return self._run(clock, period, deadline, end, full)
        finally:
            self._alerts_stopped()

    def _run(self, clock: Clock, period: float, deadline: float, end: float | None, full: bool) -> int:
        """The frames themselves (see :meth:`run`)."""
        while not self._stop.is_set():
            t = deadline
            if end is not None and t >= end:
                break
            self.notifier.ping(time.monotonic())  # real time: systemd's watchdog knows no simulated clock
            cpu0 = time.thread_time()
            snap = self._frame(t, full)
            dark = not snap.screen_on
            if self.frames == 1:
                self.first_frame_ms = (time.thread_time() - cpu0) * 1000
                if dark:  # inside the off hours: systemd still needs to hear "ready"
                    log.info("started with the screen off (power schedule)")
                else:
                    log.info("first frame shown (%dx%d, %s)", *self.screen.size, self.screen.driver)
                self.notifier.ready(self.status_line(snap))
                if self.on_first_frame is not None:
                    self.on_first_frame()
            elif not full and not dark:
                self.stats.record((time.thread_time() - cpu0) * 1000, clock.monotonic())
            full = False
            if dark:
                clock.sleep(DARK_SLEEP)  # nothing is drawn; content and status stay current
                deadline = clock.monotonic()
                continue
            deadline += period
            now = clock.monotonic()
            if now > deadline + period / 2:  # a stall: skip to the next time on the grid
                deadline += math.ceil((now - deadline) / period) * period
            # With vsync the present call waits for the display; sleep only most of the way
            # then, so a present that does not really wait cannot make the loop spin.
            margin = period / 4 if self.screen.presenter.paces else 0.0
            clock.sleep(deadline - now - margin)
        return 0

    def _frame(self, t: float, full: bool) -> OnScreen:
        self.frames += 1
        compositor = self.compositor
        touched = False
        if self.frames % EVENT_EVERY == 0 or full or compositor.kiosk is not None:
            touched = self._events(t)  # every frame on a kiosk: feedback within one frame of a tap
        snap = self.content.advance(t)
        self.snapshot = snap
        if snap.screen_on != self._screen_on:
            self._power(snap)
            self._power_settle = t + POWER_SETTLE
        rects = compositor.compose(self.screen.surface, snap, full)
        if rects or full:
            self.screen.present([] if full else rects)
        self._airtime(snap)
        if self._shot.is_set() or t >= self._next_shot:
            self._take_screenshot(t)
        key = (snap.version, compositor.view, touched)
        if key != self._status_key or t >= self._next_status:
            self._status_key = key
            self.submit_status(snap)
            every = STATUS_EVERY_DARK if not snap.screen_on else STATUS_EVERY
            self._next_status = t + (min(1.0, every) if t < self._power_settle else every)
        return snap

    def _events(self, t: float) -> bool:
        touched = False
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self._stop.set()
            elif event.type == pygame.KEYDOWN and event.key in (pygame.K_ESCAPE, pygame.K_q):
                if self.quit_keys:
                    self._stop.set()
            elif self._screen_on is not False:  # lobby screens ignore touch and mouse (no kiosk view)
                touched |= self.compositor.handle(event, t)
        return touched

    def _power(self, snap: OnScreen) -> None:
        first = self._screen_on is None
        self._screen_on = snap.screen_on
        if not first or not snap.screen_on:
            log.info("screen %s", "on" if snap.screen_on else "off (power schedule)")
        if self.on_screen_power is not None:
            self.on_screen_power(snap.screen_on)  # at start too: a restart must not leave a screen dark

    def _airtime(self, snap: OnScreen) -> None:
        for event in self.content.take_alert_events():
            self.airtime.alert(event, snap.wall)
        showing = self.compositor.showing(snap)
        if showing.view == DARK:
            self.airtime.screen_off(snap.wall)
        elif showing.view == ALERT:
            self.airtime.gap_event("alert", snap.wall)
        else:
            self.airtime.showing(showing.notice, snap.wall, browsed=showing.view == KIOSK)

    def _alerts_stopped(self) -> None:
        """The player stops: the alerts on screen end (``player stopped``) in the play log."""
        snap = self.snapshot
        if snap is not None:
            for event in self.content.stop_alert_events():
                self.airtime.alert(event, snap.wall)

    def _take_screenshot(self, t: float) -> None:
        """A copy of the frame (cheap, here); encoding and writing happen elsewhere."""
        self._shot.clear()
        if self.screenshot_every is not None:
            self._next_shot = t + self.screenshot_every
        if self.screenshot is not None:
            self.screenshot(self.screen.surface.copy())  # a plain surface: safe in another thread

    # -- status --------------------------------------------------------------------------------

    def inputs(self, snap: OnScreen) -> StatusInputs:
        """What the status writer builds status.json and _状态.txt from (immutable values)."""
        compositor = self.compositor
        showing = compositor.showing(snap)
        interaction = compositor.interaction()
        if showing.view == KIOSK:
            page = interaction.get("page") if showing.notice is not None else 0
            shown = StatusShowing(showing.notice.id if showing.notice else None, page or 0,
                                  interaction.get("pages") or 0 if showing.notice else 0, kiosk=True)
        elif snap.page is not None:
            shown = StatusShowing(snap.page.notice.id, snap.page.index + 1, snap.page.pages)
        else:
            shown = StatusShowing(None, 0, 0)
        return StatusInputs(snap, self.clock.now(), shown, self.stats.summary(), interaction,
                            self.pages.times_copy(), tuple(self.pages.failed.values()))

    def submit_status(self, snap: OnScreen) -> None:
        """Hand the writer a new status (and systemd a status line)."""
        self.writer.submit(self.inputs(snap))
        self.notifier.status(self.status_line(snap))

    def status_line(self, snap: OnScreen) -> str:
        """For ``systemctl status``: what is on screen, in one line."""
        if not snap.screen_on:
            change = self.content.power.next_change(snap.wall.astimezone(self.content.tz))
            return "screen off (power schedule)" + (f" until {change:%H:%M}" if change else "")
        if not snap.ready:
            return "reading the content"
        page = snap.page
        showing = f"{page.notice.id} {page.index + 1}/{page.pages}" if page else "nothing to show"
        fps = self.stats.summary().fps
        return f"{showing}; {len(snap.library.notices)} notices" + (f"; {fps:.1f} fps" if fps else "")

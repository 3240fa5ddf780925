"""The content state: libraries and alerts in, one :class:`OnScreen` snapshot per frame out.

Sources hand their results over from their own threads through :meth:`ContentState.put`
(a queue: ``drop`` and ``bundle`` libraries, ``alerts`` snapshots, a server's ``Date``);
everything else happens in the frame loop's thread, in :meth:`ContentState.advance`,
cheaply:

- merging the bundle's and the drop folder's libraries (a dropped file never replaces a
  bundle notice), the staff alert files of the drop folder as a local alert snapshot;
- the clock: the wall time to schedule by and whether it is believed
  (:class:`~player.runtime.trust.ClockTrust`), clock jumps;
- the schedule and the rotation (:class:`~player.model.scheduler.Scheduler`): notices
  join it once the preparer has laid them out;
- alerts (:func:`~player.model.alertstate.active_alerts`) and whether the screen is on
  (the power schedule, woken by a red or orange alert); on a change of the alerts the
  screen shows (none while it is dark), the play log's transitions
  (:func:`~player.model.alertstate.alert_events`), which the loop takes with
  :meth:`ContentState.take_alert_events`;
- the ticker's messages.

The snapshot is immutable; ``version`` changes with every change of what it says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import queue
import threading
from collections.abc import Sequence
from typing import Any

from player.model.alertstate import (ActiveAlert, AlertClock, AlertEvent, AlertSnapshot, active_alerts,
                                     alert_events, local_snapshot, next_change as alerts_change, stop_events,
                                     wakes_screen)
from player.model.library import merge_libraries
from player.model.notice import Library, Notice, Priority
from player.model.power import PowerSchedule
from player.model.schedule import ACTIVE, Decision, days_remaining
from player.model.rotation import next_slot
from player.model.scheduler import Due, Scheduler
from player.model.screen import OnScreen, Page
from player.runtime.clock import Clock
from player.runtime.memory import release_memory
from player.runtime.prepare import Pages
from player.runtime.trust import ClockTrust

log = logging.getLogger(__name__)

#: A change of (wall - monotonic) larger than this is a clock jump (NTP, an operator).
JUMP_SECONDS = 2.0
URGENT_MARK = "【紧急】"
#: Removing at least this many notices, or notices of this many pages (a 5,000-row
#: table is 556 pages at 1920x1080, ~20 MB of display lists), hands freed memory back to
#: the system.
RELEASE_AFTER = 50
RELEASE_PAGES = 100
RELEASE_DELAY = 3.0


def ticker_messages(library: Library, decisions: Sequence[Decision]) -> tuple[str, ...]:
    """Urgent notices on screen first, each once with one 【紧急】, then ticker.txt."""
    urgent = []
    for d in decisions:
        if d.state == ACTIVE and d.notice.meta.priority == Priority.URGENT:
            title = d.notice.title.removeprefix("【紧急】").removeprefix("紧急").lstrip("：:　 ") or d.notice.title
            urgent.append(f"{URGENT_MARK}{title}")
    return tuple(urgent) + tuple(library.ticker)


class ContentState:
    """What the screen shows, decided in the frame loop from what the sources delivered."""

    def __init__(self, clock: Clock, trust: ClockTrust, pages: Pages, scheduler: Scheduler,
                 power: PowerSchedule, tz, tags: Sequence[str], sources: Sequence[str] = ("drop",)) -> None:
        """Args:
            sources: the libraries that must arrive before the screen is "ready" (the drop
                folder, and the bundle when a sync is configured).
        """
        self.clock = clock
        self.trust = trust
        self.pages = pages
        self.scheduler = scheduler
        self.power = power
        self.tz = tz
        self.tags = tuple(tags)
        self._inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._sources: dict[str, Library] = {"bundle": Library(), "drop": Library()}
        self._waiting = set(sources)
        self.library = Library()
        self.decisions: tuple[Decision, ...] = ()
        self.ticker: tuple[str, ...] = ()
        self._district: AlertSnapshot | None = None
        self._local: AlertSnapshot | None = None
        self._local_key: tuple | None = None
        self.alerts: tuple[ActiveAlert, ...] = ()
        self._alerts_key: tuple = ()
        self._alerts_due = 0.0
        self._shown: tuple[ActiveAlert, ...] = ()      # the alerts the play log last heard of
        self._shown_key: tuple | None = None
        self._events: list[AlertEvent] = []
        self._offset: float | None = None
        self._refresh = True
        self._second: int | None = None
        self._schedule_on = True
        self._version = 0
        self._page: Page | None = None
        self._last: OnScreen | None = None

    # -- from other threads ----------------------------------------------------------------

    def put(self, kind: str, value: Any) -> None:
        """Hand over a ``drop``/``bundle`` library, an ``alerts`` snapshot or a
        ``server-date`` (thread-safe; taken at the next frame)."""
        self._inbox.put((kind, value))

    def waiting(self) -> int:
        """How many hand-overs wait for the next frame."""
        return self._inbox.qsize()

    @property
    def ready(self) -> bool:
        """Every source has delivered its first library."""
        return not self._waiting

    # -- the frame loop --------------------------------------------------------------------------

    def advance(self, t: float) -> OnScreen:
        """The snapshot for loop time ``t``."""
        changed = self._take_inbox(t)
        if self.pages.poll():
            self._refresh = True  # a newly laid-out notice joins the rotation now
        wall, trusted = self._wall(t)
        second = int(t)
        if second != self._second:  # once a second: alerts, power, the day
            self._second = second
            changed |= self._each_second(t, wall, trusted)
        if self._refresh or self._alerts_due <= t:
            changed |= self._update_alerts(t, wall, trusted)
        todo = Due.RESCHEDULE if self._refresh else self.scheduler.what_now(t, wall)
        if todo is not None:
            self._refresh = False
            changed |= self._schedule(t, wall, step=todo is Due.STEP)
        last = self._last
        if changed or last is None:
            self._version += 1
        local = wall.astimezone(self.tz) if trusted else None
        screen_on = self._schedule_on or wakes_screen(self.alerts)
        self._note_shown(screen_on)
        snap = OnScreen(t, wall, local, trusted, self.library, self.decisions, self._page, self.ticker,
                        self.alerts, screen_on, self.ready, self._version)
        self._last = snap
        return snap

    def take_alert_events(self) -> tuple[AlertEvent, ...]:
        """The alert transitions since the last call, for the play log (frame loop only;
        empty almost always)."""
        if not self._events:
            return ()
        events, self._events = tuple(self._events), []
        return events

    def stop_alert_events(self) -> tuple[AlertEvent, ...]:
        """At the player's stop: what is pending, then an end for every alert on screen."""
        events = self.take_alert_events() + stop_events(self._shown)
        self._shown, self._shown_key = (), None
        return events

    def _note_shown(self, screen_on: bool) -> None:
        """Queue the play log's transitions when what the screen shows of the alerts
        changed (a dark screen shows none of them)."""
        key = (self._alerts_key, screen_on)
        if key == self._shown_key:
            return
        self._shown_key = key
        shown = self.alerts if screen_on else ()
        hidden = () if screen_on else self.alerts
        self._events += alert_events(self._shown, shown, (self._district, self._local), hidden)
        self._shown = shown

    def _take_inbox(self, t: float) -> bool:
        changed = False
        while True:
            try:
                kind, value = self._inbox.get_nowait()
            except queue.Empty:
                return changed
            if kind in ("drop", "bundle"):
                library, created = value if isinstance(value, tuple) else (value, None)
                self._set_library(kind, library, created)
                changed = True
            elif kind == "alerts":
                # Arrival on this loop's clock (the sync thread stamps time.monotonic(); a
                # simulated clock has its own), so untrusted-clock expiry counts from it.
                self._district = dataclasses.replace(value, arrival=self.clock.monotonic())
                self._refresh = True
            elif kind == "server-date":
                self.trust.note_server_date(*value)

    def _set_library(self, source: str, library: Library, created: dt.datetime | None) -> None:
        self._sources[source] = library
        self._waiting.discard(source)
        if created is not None:
            self.trust.note_bundle_created(created)
        if source == "bundle":
            for problem in library.problems:
                log.warning("bundle file refused: %s", problem.format())
        old = self.library
        merged = merge_libraries(self._sources["bundle"], self._sources["drop"])
        self.library = merged
        self.scheduler.set_library(merged)
        if merged.newest_mtime is not None:
            self.trust.note_content_time(dt.datetime.fromtimestamp(merged.newest_mtime, dt.timezone.utc))
        for problem in merged.problems:
            if problem not in old.problems:
                log.warning("refused %s", problem.format())
        kept = {(n.id, n.sha256) for n in merged.notices}
        if len(old.notices) - len(merged.notices) >= RELEASE_AFTER or self._pages_gone(old, kept) >= RELEASE_PAGES:
            # A little later, once the loop and the preparer have let go of the old content.
            log.info("content shrank (%d -> %d notices); memory is handed back in %.0f s",
                     len(old.notices), len(merged.notices), RELEASE_DELAY)
            timer = threading.Timer(RELEASE_DELAY, release_memory)
            timer.daemon = True
            timer.start()
        self.pages.retain(kept)
        self._local_alerts(merged)
        # Reschedule at once: new notices join (an urgent one interrupts within a frame), a
        # removed one leaves, a changed one on screen is shown in its new version.
        self._refresh = True
        log.info("content: %d notices, %d ticker messages, %d problems",
                 len(merged.notices), len(merged.ticker), len(merged.problems))

    def _pages_gone(self, old: Library, kept: set[tuple[str, str]]) -> int:
        """Pages of the notices (versions) in ``old`` that are not ``kept``."""
        return sum(len(self.pages.page_times(n)) for n in old.notices if (n.id, n.sha256) not in kept)

    def _local_alerts(self, library: Library) -> None:
        alerts = tuple(getattr(library, "alerts", ()))
        key = tuple((a.id, a.level, a.type, a.expires, a.title, a.text) for a in alerts)
        if key == self._local_key:
            return
        self._local_key = key
        if not alerts:
            self._local = None
            return
        wall = self.clock.now()
        self._local = local_snapshot(alerts, issued=wall, arrival=self.clock.monotonic())

    def _wall(self, t: float) -> tuple[dt.datetime, bool]:
        """(time to schedule by, clock trusted?) — and notice clock jumps."""
        now = self.clock.now()
        offset = now.timestamp() - t
        if self._offset is not None and abs(offset - self._offset) > JUMP_SECONDS:
            log.info("system clock jumped by %+.0f s; recomputing the rotation", offset - self._offset)
            self._refresh = True
        self._offset = offset
        return self.trust.assess(now, t)

    def _each_second(self, t: float, wall: dt.datetime, trusted: bool) -> bool:
        on = self.power.is_on(wall.astimezone(self.tz))
        changed = on != self._schedule_on
        self._schedule_on = on
        if self._page is not None:  # the 公示 countdown changes at midnight
            days = days_remaining(self._page.notice, wall, self.tz)
            if days != self._page.days_left:
                self._page = dataclasses.replace(self._page, days_left=days)
                changed = True
        return changed

    def _update_alerts(self, t: float, wall: dt.datetime, trusted: bool) -> bool:
        alerts = active_alerts((self._district, self._local), self.tags,
                               AlertClock(wall, trusted, self.clock.monotonic()))
        left = alerts_change(alerts)
        self._alerts_due = t + min(1.0, left) if left is not None else t + 1.0
        self.alerts = alerts  # ``remaining`` counts down: a new value every time, not a change
        key = tuple((a.source, a.alert) for a in alerts)
        if key == self._alerts_key:
            return False
        self._alerts_key = key
        return True

    # -- the rotation --------------------------------------------------------------------------

    def _ready(self, notices: list[Notice]) -> list[Notice]:
        """Notices laid out already join; the others are requested (the one on screen
        stays while its new version is prepared)."""
        return self.pages.ready(notices)

    def _schedule(self, t: float, wall: dt.datetime, step: bool = False) -> bool:
        slot = self.scheduler.current
        if not step and slot is not None and self._page is not None:
            notice = self.library.get(slot.notice_id)
            if notice is not None and notice.sha256 != self._page.notice.sha256 and not self.pages.laid_out(notice):
                # The notice on screen changed: its page stays until the new version is
                # laid out (the preparer's result triggers the reschedule).
                self.pages.request_layout(notice)
                if not self.pages.laid_out(notice):
                    return False
        if step:
            self.scheduler.step(t, wall, self._ready)
        else:
            self.scheduler.reschedule(t, wall, self._ready)
        decisions = tuple(self.scheduler.decisions(wall))
        self.decisions = decisions
        self.ticker = ticker_messages(self.library, decisions)
        slot = self.scheduler.current
        notice = self.library.get(slot.notice_id) if slot else None
        page = Page(notice, slot.page, slot.pages, days_remaining(notice, wall, self.tz)) if notice else None
        changed = page != self._page or step
        self._page = page
        if changed and slot is not None:  # the page after this one is drawn while this one shows
            upcoming = next_slot(self.scheduler.rotator.slots, slot)
            ahead = self.library.get(upcoming.notice_id) if upcoming else None
            if ahead is not None:
                self.pages.page(ahead, upcoming.page)
        if slot is not None and changed:
            log.debug("showing %s page %d/%d for %.0f s", slot.notice_id, slot.page + 1, slot.pages, slot.seconds)
            self._prepare_next(slot)
        return True

    def _prepare_next(self, slot) -> None:
        """Have the page after ``slot`` drawn now, so that the change costs one blit."""
        following = next_slot(self.scheduler.rotator.slots, slot)
        notice = self.library.get(following.notice_id) if following is not None and following != slot else None
        if notice is not None:
            self.pages.page(notice, following.page)

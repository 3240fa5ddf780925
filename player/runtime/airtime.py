"""What was on screen, and from when to when: turns the frame loop's page changes into the
play log's display intervals (one per stretch a notice was on screen, whatever its
pages) and gaps (nothing to show, screen switched off, a full-screen alert), and passes
on the emergency alerts' transitions (start, level change, end) as they happen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from player.model.alerts import Alert
from player.model.alertstate import AlertEvent
from player.model.notice import Notice

IDLE = "idle"
SCREEN_OFF = "screen-off"
INTERACTIVE = "interactive"


class Sink(Protocol):
    """Where intervals go (:class:`player.runtime.playlog.PlayLog`)."""

    def shown(self, notice: Notice, start: dt.datetime, end: dt.datetime) -> None: ...

    def viewed(self, notice: Notice, start: dt.datetime, end: dt.datetime) -> None: ...

    def gap(self, event: str, start: dt.datetime, end: dt.datetime) -> None: ...

    def alert_event(self, kind: str, alert: Alert, wall: dt.datetime, source: str = "district",
                    reason: str | None = None) -> None: ...


@dataclass
class _Open:
    notice: Notice | None
    event: str | None
    start: dt.datetime


class Airtime:
    """Tracks the current interval; called from the frame loop only (cheap)."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._open: _Open | None = None

    def showing(self, notice: Notice | None, wall: dt.datetime, browsed: bool = False) -> None:
        """The screen shows ``notice`` (None: nothing to show) from ``wall`` on;
        ``browsed``: a resident opened it on a kiosk (logged apart from the rotation)."""
        event = INTERACTIVE if browsed else (None if notice is not None else IDLE)
        current = self._open
        if current is not None and current.event == event and (
                notice is None or (current.notice is not None
                                   and (current.notice.id, current.notice.sha256) == (notice.id, notice.sha256))):
            return  # another page of the same notice, or still nothing
        self.close(wall)
        self._open = _Open(notice, event, wall)

    def screen_off(self, wall: dt.datetime) -> None:
        """The power schedule switched the screen off."""
        self.gap_event(SCREEN_OFF, wall)

    def gap_event(self, event: str, wall: dt.datetime) -> None:
        """No notice is on screen from ``wall`` on, for ``event`` (screen-off, alert)."""
        if self._open is not None and self._open.event == event:
            return
        self.close(wall)
        self._open = _Open(None, event, wall)

    def alert(self, event: AlertEvent, wall: dt.datetime) -> None:
        """An alert started, changed level or ended on this screen at ``wall``."""
        self.sink.alert_event(event.kind.value, event.alert, wall, event.source, event.reason)

    def close(self, wall: dt.datetime) -> None:
        """End the current interval at ``wall`` (at a change, and when the player stops)."""
        current, self._open = self._open, None
        if current is None or wall <= current.start:
            return
        if current.notice is not None and current.event == INTERACTIVE:
            self.sink.viewed(current.notice, current.start, wall)
        elif current.notice is not None:
            self.sink.shown(current.notice, current.start, wall)
        else:
            self.sink.gap(current.event or IDLE, current.start, wall)

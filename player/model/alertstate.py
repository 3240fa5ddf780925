"""What alerts are on a screen at a moment: expiry, cancel, all-clear, drills, waking.

Pure: the caller passes the moment as an :class:`AlertClock` reading (the runtime's
schedule time, whether the clock is trusted, and the monotonic clock).

Rules (docs/alerts.md):

- A message of type ``cancel`` shows nothing: the alert with its id leaves at once.
- With a **trusted** clock an alert shows until its ``expires``; an all-clear until
  ``min(expires, sent + 10 min)``.
- With an **untrusted** clock the wall time cannot say when an alert ends, so each
  snapshot's alerts count from its *arrival* on the monotonic clock: an alert shows for
  ``end - issued`` seconds after the document carrying it arrived (``end`` as above,
  ``issued`` the document's own time: its age when published). The schedule time (never
  below the player's floor of real time) past ``expires`` also ends it.
- Drills (status exercise/test) only on screens tagged ``drill``; ``screens`` tags as
  notices (:meth:`~player.model.alerts.Alert.shown_on`).
- Order: most severe level first, then real before drill, then newest ``sent``.

Snapshots are immutable: the sync thread builds one per verified document, the staff
drop folder another (``source`` local); the frame loop asks :func:`active_alerts` with
both.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from player.model.alerts import ALL_CLEAR_SECONDS, Alert, AlertDocument, MsgType


@dataclass(frozen=True)
class AlertSnapshot:
    """A verified document and when it arrived (``time.monotonic()`` of this run)."""

    document: AlertDocument
    arrival: float
    source: str = "district"    # district | local
    restored: bool = False      # loaded from the state dir at start, not fetched in this run


@dataclass(frozen=True)
class AlertClock:
    """One reading of the clocks.

    Attributes:
        wall: the runtime's schedule time (the trusted wall time, or its estimate from
            the floor and the monotonic clock while untrusted).
        trusted: whether the wall clock is believed.
        monotonic: ``time.monotonic()`` at the same moment.
    """

    wall: dt.datetime
    trusted: bool
    monotonic: float


@dataclass(frozen=True)
class ActiveAlert:
    """An alert on the screen now, and until when."""

    alert: Alert
    until: dt.datetime     # the wall (schedule) time it leaves, as far as known now
    remaining: float       # seconds until then
    source: str = "district"

    @property
    def key(self) -> tuple[str, str]:
        """(source, id): one alert across updates, levels and its all-clear."""
        return self.source, self.alert.id

    @property
    def full_screen(self) -> bool:
        """Red and orange alerts and updates take the whole screen (an all-clear never does)."""
        return self.alert.level.full_screen and self.alert.type in (MsgType.ALERT, MsgType.UPDATE)

    @property
    def all_clear(self) -> bool:
        """An all-clear (解除) message."""
        return self.alert.type is MsgType.ALL_CLEAR


def _end(alert: Alert) -> dt.datetime:
    if alert.type is MsgType.ALL_CLEAR:
        return min(alert.expires, alert.sent + dt.timedelta(seconds=ALL_CLEAR_SECONDS))
    return alert.expires


def _remaining(alert: Alert, snapshot: AlertSnapshot, now: AlertClock) -> float:
    end = _end(alert)
    if now.trusted:
        return (end - now.wall).total_seconds()
    if now.wall >= alert.expires:  # even the floor of real time is past it
        return 0.0
    budget = (end - snapshot.document.issued).total_seconds()
    return budget - (now.monotonic - snapshot.arrival)


def active_alerts(snapshots: Iterable[AlertSnapshot | None], tags: Iterable[str],
                  now: AlertClock) -> tuple[ActiveAlert, ...]:
    """The alerts a screen with ``tags`` shows at ``now``, most important first.

    Args:
        snapshots: the district snapshot and the local (staff) one; None is skipped.
        tags: ``screen.tags``.
    """
    tags = tuple(tags)
    out = []
    for snapshot in snapshots:
        if snapshot is None:
            continue
        for alert in snapshot.document.alerts:
            if alert.type is MsgType.CANCEL or not alert.shown_on(tags):
                continue
            remaining = _remaining(alert, snapshot, now)
            if remaining > 0:
                out.append(ActiveAlert(alert, now.wall + dt.timedelta(seconds=remaining), remaining,
                                       snapshot.source))
    return tuple(sorted(out, key=lambda a: (a.alert.level.rank, a.alert.drill, -a.alert.sent.timestamp(),
                                            a.alert.id)))


def next_change(active: Sequence[ActiveAlert]) -> float | None:
    """Seconds until the first of ``active`` leaves (None: nothing active). The loop asks
    :func:`active_alerts` again then, and whenever a new snapshot arrives."""
    return min((a.remaining for a in active), default=None)


def full_screen(active: Sequence[ActiveAlert]) -> tuple[ActiveAlert, ...]:
    """The alerts that take the whole screen (red and orange), most severe first."""
    return tuple(a for a in active if a.full_screen)


def bands(active: Sequence[ActiveAlert]) -> tuple[ActiveAlert, ...]:
    """The alerts shown as a band above the ticker (yellow, blue, and every all-clear)."""
    return tuple(a for a in active if not a.full_screen)


def wakes_screen(active: Sequence[ActiveAlert]) -> bool:
    """Whether the alerts switch on a screen the power schedule has off: any red or
    orange alert (drills on drill screens too: a drill exercises the wake) and the
    all-clear of one, for its 10 minutes. Yellow and blue wait for the schedule."""
    return any(a.alert.level.full_screen for a in active)


def screen_wanted(schedule_on: bool, active: Sequence[ActiveAlert]) -> bool:
    """The power state to ask for: on by the schedule, or woken by an alert."""
    return schedule_on or wakes_screen(active)


# --- transitions, for the play log -----------------------------------------------------------

class EventKind(enum.Enum):
    """What happened to an alert on this screen."""

    START = "start"
    LEVEL = "level"
    END = "end"


#: Why an alert left the screen.
EXPIRED, CANCELLED, CLEARED, WITHDRAWN, STOPPED = "expired", "cancelled", "cleared", "withdrawn", "player stopped"
#: A yellow or blue alert (they do not wake a screen) still active when the power
#: schedule switches the screen off: it is no longer seen, so its showing ends.
SCREEN_OFF = "screen off"


@dataclass(frozen=True)
class AlertEvent:
    """One line for the play log (``PlayLog.alert_event``)."""

    kind: EventKind
    alert: Alert
    source: str = "district"
    reason: str | None = None   # END: expired | cancelled | cleared | withdrawn | player stopped | screen off


def alert_events(before: Sequence[ActiveAlert], after: Sequence[ActiveAlert],
                 snapshots: Iterable[AlertSnapshot | None],
                 hidden: Sequence[ActiveAlert] = ()) -> tuple[AlertEvent, ...]:
    """What changed between two :func:`active_alerts` results: starts, level changes, ends.

    An alert followed by its all-clear ends (``cleared``) and the all-clear starts (an
    all-clear followed by a new alert of the same id ends ``withdrawn``). An
    alert that is gone ends ``screen off`` when it is in ``hidden`` (still active, but the
    screen is dark), ``cancelled`` when the snapshot holds a cancel for its id,
    ``expired`` when its message is still published, else ``withdrawn`` (no longer
    published, or no longer for this screen).

    Args:
        before, after: what the screen showed before and shows now (``()`` while dark).
        hidden: alerts active now that the dark screen does not show.
    """
    published: dict[tuple[str, str], Alert] = {}
    for snapshot in snapshots:
        if snapshot is not None:
            for alert in snapshot.document.alerts:
                published[(snapshot.source, alert.id)] = alert
    old = {a.key: a for a in before}
    new = {a.key: a for a in after}
    dark = {a.key for a in hidden}
    events = []
    for key, was in old.items():
        now = new.get(key)
        if now is None:
            message = published.get(key)
            if key in dark:
                reason = SCREEN_OFF
            elif message is not None and message.type is MsgType.CANCEL:
                reason = CANCELLED
            elif message == was.alert:
                reason = EXPIRED
            else:
                reason = WITHDRAWN
            events.append(AlertEvent(EventKind.END, was.alert, was.source, reason))
        elif now.all_clear != was.all_clear:  # cleared; or an all-clear replaced by a new alert
            events.append(AlertEvent(EventKind.END, was.alert, was.source, CLEARED if now.all_clear else WITHDRAWN))
            events.append(AlertEvent(EventKind.START, now.alert, now.source))
        elif now.alert.level is not was.alert.level:
            events.append(AlertEvent(EventKind.LEVEL, now.alert, now.source))
    for key, now in new.items():
        if key not in old:
            events.append(AlertEvent(EventKind.START, now.alert, now.source))
    return tuple(events)


def stop_events(active: Sequence[ActiveAlert]) -> tuple[AlertEvent, ...]:
    """END events (``player stopped``) for what is on screen when the player stops."""
    return tuple(AlertEvent(EventKind.END, a.alert, a.source, STOPPED) for a in active)


def local_snapshot(alerts: Sequence[Alert], issued: dt.datetime, arrival: float) -> AlertSnapshot:
    """A snapshot of the staff alert files (sequence 0, never signed: this screen only)."""
    return AlertSnapshot(AlertDocument(0, issued, tuple(alerts)), arrival, source="local")

"""Which notices are on the screen at a given moment, and in what order.

Pure: the caller passes the time (an aware datetime) and the time zone; nothing here
reads a clock. Rules:

- ``start``/``end``: a date means the whole day in local time, so ``end: 2026-12-05``
  shows through 23:59:59 and leaves at midnight; a date-time is exact. ``end`` is
  exclusive, ``start`` inclusive.
- ``hours`` / ``days``: daily windows and weekdays (dayparting).
- ``screens``: a notice with tags shows only on screens that have one of them.
- Order: priority (urgent, high, normal), then ``order``, then category, then title.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from player.model.notice import Library, Meta, Moment, Notice

ACTIVE, SCHEDULED, EXPIRED, OTHER_SCREEN = "active", "scheduled", "expired", "other-screen"


@dataclass(frozen=True)
class Decision:
    """Why a notice is or is not in the rotation now."""

    notice: Notice
    state: str
    reason: str
    start: dt.datetime | None
    end: dt.datetime | None


def to_aware(moment: Moment | None, tz: ZoneInfo, *, end: bool) -> dt.datetime | None:
    """A front-matter moment as an aware datetime; a date ``end`` means the next midnight."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    day = moment + dt.timedelta(days=1) if end else moment
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def decide(notice: Notice, now: dt.datetime, tz: ZoneInfo, tags: Iterable[str] = ()) -> Decision:
    """Decide whether ``notice`` is shown at ``now`` on a screen with ``tags``."""
    meta = notice.meta
    start = to_aware(meta.start, tz, end=False)
    end = to_aware(meta.end, tz, end=True)
    if meta.screens and not set(meta.screens) & set(tags):
        state, reason = OTHER_SCREEN, f"for screens tagged {', '.join(meta.screens)}"
    elif end is not None and now >= end:
        state, reason = EXPIRED, "ended"
    elif start is not None and now < start:
        state, reason = SCHEDULED, "not started"
    elif not in_daily_window(meta, now.astimezone(tz)):
        state, reason = SCHEDULED, "outside its days or hours"
    else:
        state, reason = ACTIVE, "showing"
    return Decision(notice, state, reason, start, end)


def in_daily_window(meta: Meta, local: dt.datetime) -> bool:
    """Whether a local time falls on the notice's days and within its hours."""
    if meta.days and local.weekday() not in meta.days:
        return False
    if not meta.hours:
        return True
    clock = local.time().replace(tzinfo=None)
    return any(start <= clock < end or (end == dt.time.max and clock >= start)
               for start, end in meta.hours)


def sort_key(notice: Notice) -> tuple:
    """Rotation order: priority, ``order``, category, title, id."""
    return (notice.meta.priority, notice.meta.order, notice.category, notice.title, notice.id)


def evaluate(library: Library, now: dt.datetime, tz: ZoneInfo,
             tags: Iterable[str] = ()) -> list[Decision]:
    """Decisions for every notice, active ones first in rotation order."""
    tags = tuple(tags)
    decisions = [decide(n, now, tz, tags) for n in library.notices]
    return sorted(decisions, key=lambda d: (d.state != ACTIVE, sort_key(d.notice)))


def active_notices(library: Library, now: dt.datetime, tz: ZoneInfo,
                   tags: Iterable[str] = ()) -> tuple[Notice, ...]:
    """The notices in the rotation at ``now``, in order."""
    return tuple(d.notice for d in evaluate(library, now, tz, tags) if d.state == ACTIVE)


def _next_window_edge(meta: Meta, after: dt.datetime, tz: ZoneInfo, days: int = 8) -> dt.datetime | None:
    """The first moment after ``after`` at which the daily window opens or closes."""
    if not meta.hours and not meta.days:
        return None
    local = after.astimezone(tz)
    for offset in range(days):
        day = local.date() + dt.timedelta(days=offset)
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        edges = [midnight]  # day filters change at midnight
        for start, end in meta.hours:
            for clock in (start, end):
                edges.append(midnight if clock == dt.time.max else dt.datetime.combine(day, clock, tzinfo=tz))
        later = [e for e in edges if e > after]
        if later:
            return min(later)
    return None


def next_change(library: Library, now: dt.datetime, tz: ZoneInfo,
                tags: Iterable[str] = ()) -> dt.datetime | None:
    """The earliest moment after ``now`` at which any notice enters or leaves the rotation.

    Start and end times, and the edges of daily windows (``hours``, ``days``) within the
    coming week; None when nothing is ever going to change. The loop re-evaluates the
    schedule at this moment instead of every frame.
    """
    tags = tuple(tags)
    best: dt.datetime | None = None
    for notice in library.notices:
        meta = notice.meta
        if meta.screens and not set(meta.screens) & set(tags):
            continue
        candidates = [to_aware(meta.start, tz, end=False), to_aware(meta.end, tz, end=True)]
        end = candidates[1]
        if end is None or end > now:
            candidates.append(_next_window_edge(meta, now, tz))
        for moment in candidates:
            if moment is not None and moment > now and (best is None or moment < best):
                best = moment
    return best


def days_remaining(notice: Notice, now: dt.datetime, tz: ZoneInfo) -> int | None:
    """Whole days left in a notice's period, counting today (1 = today is the last day)."""
    end = to_aware(notice.meta.end, tz, end=True)
    if end is None:
        return None
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return (last_day - now.astimezone(tz).date()).days + 1


def countdown_text(days_left: int | None) -> str | None:
    """The one way a 公示's remaining time is said (footer, kiosk, staff report, side
    panel): ``剩余3天``, or ``今天是最后一天`` on its last day; None when over or unknown."""
    if days_left is None or days_left < 1:
        return None
    return "今天是最后一天" if days_left == 1 else f"剩余{days_left}天"

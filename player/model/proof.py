"""Proof of play: the coverage report (the chain itself: model/playchain.py, the report's
text and JSON: model/proofformat.py).

Pure: no I/O, no clock reads, no pygame. The writer (``runtime/playlog.py``) seals lines
with :func:`seal`; ``signage playlog --verify`` feeds every line to :func:`verify`;
``signage playlog`` turns parsed lines into a :class:`Report`. The format and what the
chain proves are described in docs/playlog.md.

Invariants of a line: ``hash`` is the sha256 of the canonical JSON of all the line's
other fields (``prev`` included); ``prev`` is the previous line's ``hash`` (64 zeros for
the first line ever). Times are ISO-8601 with an offset, whole seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from player.model.notice import is_publicity_kind



#: Gap causes, in the order of precedence when log lines overlap.
PLAYER_OFF = "player off"
SCREEN_OFF = "screen off"
OTHER = "other notices only"
IDLE = "idle"
BROWSING = "interactive browsing"
ALERT = "emergency alert"

#: The ``event`` values of gap lines, and the cause each one stands for. ``interactive``
#: lines name a notice a resident browsed on a kiosk: not public display, so for every
#: notice (the browsed one included) they count as a gap.
GAP_EVENTS = {"screen-off": SCREEN_OFF, "idle": IDLE, "interactive": BROWSING, "alert": ALERT}
#: ``event`` prefix of the alert lines (start, level, end of an emergency alert on this
#: screen: ``model/alertproof.py``); they are not display intervals of notices.
ALERT_EVENT_PREFIX = "alert-"
#: ``event`` of a kiosk view line (see :data:`GAP_EVENTS`).
INTERACTIVE = "interactive"


# --- the report -----------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What coverage means for this office (``playlog:`` in the config)."""

    office_hours: tuple[tuple[dt.time, dt.time], ...]
    office_days: frozenset[int]
    max_gap_minutes: float


@dataclass(frozen=True)
class Interval:
    """One display interval or gap line, as times in the configured zone."""

    start: dt.datetime
    end: dt.datetime
    notice: str | None
    event: str | None = None


@dataclass(frozen=True)
class GapPart:
    """A part of a gap with one cause (``player off``, ``screen off``, ``other notices only``, ``idle``)."""

    cause: str
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Gap:
    """A stretch of office hours longer than ``max_gap_minutes`` without the notice."""

    start: dt.datetime
    end: dt.datetime
    parts: tuple[GapPart, ...]


@dataclass(frozen=True)
class CoverageDay:
    """One office day of a 公示期: ``covered``, ``uncovered`` or ``pending`` (after now)."""

    day: dt.date
    state: str
    windows: tuple[tuple[dt.datetime, dt.datetime], ...]
    shown_minutes: float
    gaps: tuple[Gap, ...] = ()


@dataclass(frozen=True)
class DayPlay:
    """How a notice was shown on one day."""

    day: dt.date
    minutes: float
    showings: int
    first: dt.datetime
    last: dt.datetime


@dataclass(frozen=True)
class NoticeReport:
    """One notice: its description, daily play and, for a 公示, the coverage of its period."""

    notice: str
    title: str | None
    kind: str | None
    period: tuple[dt.datetime | None, dt.datetime | None] | None
    versions: tuple[str, ...]
    days: tuple[DayPlay, ...]
    coverage: tuple[CoverageDay, ...] | None = None

    @property
    def uncovered(self) -> int:
        """Office days of the 公示期 that were not covered."""
        return sum(1 for d in self.coverage or () if d.state == "uncovered")


@dataclass(frozen=True)
class Report:
    """The whole report for a date range."""

    screen: str | None
    since: dt.date
    until: dt.date
    now: dt.datetime
    settings: Settings
    notices: tuple[NoticeReport, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """No 公示 has an uncovered office day."""
        return all(n.uncovered == 0 for n in self.notices)


def parse_time(text: str, tz: ZoneInfo) -> dt.datetime:
    """An ISO time from the log, in ``tz`` (naive text is taken as ``tz`` local time)."""
    value = dt.datetime.fromisoformat(text)
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def build_report(records: Mapping[dt.date, Sequence[Mapping[str, object]]], *, since: dt.date,
                 until: dt.date, now: dt.datetime, tz: ZoneInfo, settings: Settings,
                 notice: str | None = None, max_days: int = 400) -> Report:
    """The report from parsed log lines.

    Args:
        records: parsed lines of each day file read; must hold every day of
            ``since``..``until`` that has a file, and, for coverage, the days of each
            公示期 (see :func:`period_days`). Missing days count as ``player off``.
        since, until: the days whose play is listed (inclusive).
        now: the moment of the report; period days after it are ``pending``.
        notice: only this notice id.
        max_days: most days of one 公示期 evaluated (protects against absurd periods).
    """
    now = now.astimezone(tz)
    by_day: dict[dt.date, list[Interval]] = {}
    described: dict[str, dict[str, object]] = {}
    versions: dict[str, dict[str, None]] = {}
    for day in sorted(records):
        for record in records[day]:
            interval = _interval(record, tz)
            if interval is None:
                continue
            if str(record.get("event") or "").startswith(ALERT_EVENT_PREFIX):
                continue
            if record.get("event") == "notice":
                if interval.notice:
                    described[interval.notice] = dict(record)  # the newest description wins
                continue
            by_day.setdefault(interval.start.date(), []).append(interval)
            if interval.notice and record.get("sha256"):
                versions.setdefault(interval.notice, {})[str(record["sha256"])] = None
    in_range = sorted({i.notice for d, items in by_day.items() if since <= d <= until
                       for i in items if i.notice and (notice is None or i.notice == notice)})
    reports = []
    for nid in in_range:
        desc = described.get(nid, {})
        period = _period(desc.get("period"), tz)
        days = tuple(_day_play(d, [i for i in by_day[d] if i.notice == nid])
                     for d in sorted(by_day) if since <= d <= until and any(i.notice == nid for i in by_day[d]))
        coverage = None
        if is_publicity_kind(desc.get("kind")):
            coverage = _coverage(nid, period, by_day, days, until, now, tz, settings, max_days)
        reports.append(NoticeReport(nid, desc.get("title"), desc.get("kind"), period,  # type: ignore[arg-type]
                                    tuple(versions.get(nid, {})), days, coverage))
    screen = next((str(r.get("screen")) for d in sorted(records, reverse=True) for r in records[d]
                   if r.get("screen")), None)
    return Report(screen, since, until, now, settings, tuple(reports))


def period_days(period: object, tz: ZoneInfo, first_shown: dt.date, last_day: dt.date,
                max_days: int = 400) -> list[dt.date]:
    """The calendar days a 公示期 spans (an open start: from the first day shown; an open end:
    up to ``last_day``), at most ``max_days``: the day files the coverage needs."""
    start, end = _period(period, tz) or (None, None)
    first = start.date() if start else first_shown
    last = end.date() if end else last_day
    count = min(max((last - first).days + 1, 0), max_days)
    return [first + dt.timedelta(days=k) for k in range(count)]


def _interval(record: Mapping[str, object], tz: ZoneInfo) -> Interval | None:
    try:
        start = parse_time(str(record["start"]), tz)
        end = parse_time(str(record["end"]), tz)
    except (KeyError, ValueError):
        return None
    notice = record.get("notice")
    event = record.get("event")
    if event == INTERACTIVE:  # browsing on a kiosk is not public display of that notice
        notice = None
    return Interval(start, end, notice if isinstance(notice, str) else None,
                    event if isinstance(event, str) else None)


def _period(value: object, tz: ZoneInfo) -> tuple[dt.datetime | None, dt.datetime | None] | None:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    try:
        start, end = (parse_time(v, tz) if isinstance(v, str) else None for v in value)
    except ValueError:
        return None
    return None if start is None and end is None else (start, end)


def _day_play(day: dt.date, items: list[Interval]) -> DayPlay:
    seconds = sum((i.end - i.start).total_seconds() for i in items)
    return DayPlay(day, round(seconds / 60, 1), len(items), min(i.start for i in items),
                   max(i.end for i in items))


def _coverage(nid: str, period: tuple[dt.datetime | None, dt.datetime | None] | None,
              by_day: Mapping[dt.date, list[Interval]], days: Sequence[DayPlay], until: dt.date,
              now: dt.datetime, tz: ZoneInfo, settings: Settings, max_days: int) -> tuple[CoverageDay, ...]:
    start, end = period or (None, None)
    shown_days = [d for d in sorted(by_day) if any(i.notice == nid for i in by_day[d])]
    first_shown = shown_days[0] if shown_days else (days[0].day if days else until)
    p_start = start or dt.datetime.combine(first_shown, dt.time(), tzinfo=tz)
    # a date end is written as 23:59:59 and means the whole second too
    p_end = end + dt.timedelta(seconds=1) if end else None
    out = []
    last_day = end.date() if end else max(until, first_shown)
    for day in period_days([p_start.isoformat(), None], tz, first_shown, last_day, max_days):
        if settings.office_days and day.weekday() not in settings.office_days:
            continue
        windows = []
        for w_start, w_end in settings.office_hours or ((dt.time(), dt.time.max),):
            a = _at(day, w_start, tz)
            b = _at(day, w_end, tz)
            a, b = max(a, p_start), min(b, p_end) if p_end else b
            if a < b:
                windows.append((a, b))
        if not windows:
            continue
        if windows[0][0] >= now:
            out.append(CoverageDay(day, "pending", tuple(windows), 0.0))
            continue
        out.append(_cover_day(nid, day, windows, by_day.get(day, []), now, settings))
    return tuple(out)


def _at(day: dt.date, when: dt.time, tz: ZoneInfo) -> dt.datetime:
    if when == dt.time.max:  # 24:00
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return dt.datetime.combine(day, when, tzinfo=tz)


def _cover_day(nid: str, day: dt.date, windows: list[tuple[dt.datetime, dt.datetime]],
               items: list[Interval], now: dt.datetime, settings: Settings) -> CoverageDay:
    shown = _merge([(i.start, i.end) for i in items if i.notice == nid])
    limit = dt.timedelta(minutes=settings.max_gap_minutes)
    gaps = []
    seconds = 0.0
    for a, b in windows:
        b = min(b, now)
        if a >= b:
            continue
        cursor = a
        for s, e in shown:
            s, e = max(s, a), min(e, b)
            if e <= s:
                continue
            if s - cursor > limit:
                gaps.append(Gap(cursor, s, _causes(nid, cursor, s, items)))
            seconds += (e - s).total_seconds()
            cursor = e
        if b - cursor > limit:
            gaps.append(Gap(cursor, b, _causes(nid, cursor, b, items)))
    state = "uncovered" if gaps else "covered"
    return CoverageDay(day, state, tuple(windows), round(seconds / 60, 1), tuple(gaps))


def _merge(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _causes(nid: str, start: dt.datetime, end: dt.datetime, items: list[Interval]) -> tuple[GapPart, ...]:
    """Why the notice was not shown from ``start`` to ``end``: one part per cause, in time
    order; parts under a minute are left out unless nothing else is left."""
    rank = {SCREEN_OFF: 0, ALERT: 1, OTHER: 2, BROWSING: 3, IDLE: 4}
    marks = {start, end}
    covering = []
    for i in items:
        cause = GAP_EVENTS.get(i.event or "") if i.notice is None else (OTHER if i.notice != nid else None)
        if cause and i.end > start and i.start < end:
            covering.append((max(i.start, start), min(i.end, end), cause))
            marks.update((max(i.start, start), min(i.end, end)))
    points = sorted(marks)
    parts: list[GapPart] = []
    for a, b in zip(points, points[1:]):
        causes = [c for s, e, c in covering if s <= a and e >= b]
        cause = min(causes, key=rank.__getitem__) if causes else PLAYER_OFF
        if parts and parts[-1].cause == cause:
            parts[-1] = GapPart(cause, parts[-1].start, b)
        else:
            parts.append(GapPart(cause, a, b))
    long = [p for p in parts if p.end - p.start >= dt.timedelta(minutes=1)]
    if not long:
        long = [max(parts, key=lambda p: p.end - p.start)]
    merged: list[GapPart] = []
    for p in long:  # dropping a short part may leave two equal neighbours
        if merged and merged[-1].cause == p.cause:
            merged[-1] = GapPart(p.cause, merged[-1].start, p.end)
        else:
            merged.append(p)
    return tuple(merged)


# --- output ---------------------------------------------------------------------------

def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None

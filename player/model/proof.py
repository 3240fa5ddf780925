"""Proof of play: the hash chain of the play log, its verification and the coverage report.

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
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from player.model.notice import is_publicity_kind

#: ``prev`` of the very first line of a play log.
ZERO = "0" * 64

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


# --- the chain ------------------------------------------------------------------------

def canonical(fields: Mapping[str, object]) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def line_hash(fields: Mapping[str, object]) -> str:
    """sha256 hex of every field except ``hash`` itself (``prev`` included)."""
    return hashlib.sha256(canonical({k: v for k, v in fields.items() if k != "hash"})).hexdigest()


def seal(fields: Mapping[str, object], prev: str) -> dict[str, object]:
    """A new line: ``fields`` plus ``prev`` and the ``hash`` that chains it after ``prev``."""
    line = {k: v for k, v in fields.items() if k not in ("prev", "hash")}
    line["prev"] = prev
    line["hash"] = line_hash(line)
    return line


def chain(records: Iterable[Mapping[str, object]], prev: str = ZERO) -> list[dict[str, object]]:
    """Seal ``records`` one after the other, starting after ``prev``."""
    out = []
    for record in records:
        line = seal(record, prev)
        prev = str(line["hash"])
        out.append(line)
    return out


def encode(line: Mapping[str, object]) -> str:
    """One line of a day file (keys in the writer's order, compact, with the newline)."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"


def day_name(name: str) -> str:
    """``2026-11-27.jsonl.gz`` -> ``2026-11-27.jsonl``: compression does not change a day's name."""
    return name[:-3] if name.endswith(".gz") else name


# --- verification ---------------------------------------------------------------------

def verify(lines: Iterable[tuple[str, int, str]], head: Mapping[str, object] | None,
           anchor: Mapping[str, object] | None) -> list[str]:
    """Check the chain; one message per problem, each naming ``file:line``.

    Args:
        lines: (file name, 1-based line number, raw text) of every line of every day
            file, files in date order.
        head: ``head.json`` (the last flushed line), or None.
        anchor: ``anchor.json`` (where the kept part starts after retention), or None.

    Returns:
        Messages, empty when the log is intact. After a break the check goes on from the
        broken line's own hash, so one deleted line gives one message, not hundreds.
    """
    problems: list[str] = []
    expected: str | None = None          # prev the next line must carry; None: unknown
    last: tuple[str, int] | None = None  # (file, line) of the previous line
    counts: dict[str, int] = {}
    hashes: dict[tuple[str, int], str] = {}
    first_file: str | None = None
    for name, number, text in lines:
        key = day_name(name)
        counts[key] = max(counts.get(key, 0), number)
        where = f"{name}:{number}"
        if first_file is None:
            first_file = key
            expected = _first_prev(name, anchor, problems)
        record = _parse(text)
        if record is None:
            problems.append(f"{where}: not a play-log line (not complete JSON with prev and hash); "
                            "edited, or torn by a power cut")
            expected, last = None, (name, number)
            continue
        own = str(record["hash"])
        hashes[(key, number)] = own
        if line_hash(record) != own:
            problems.append(f"{where}: line was changed: its hash does not match its content")
        if expected is not None and record["prev"] != expected:
            problems.append(_prev_message(where, last, name, first_file == key and number == 1 and last is None))
        expected, last = own, (name, number)
    if head:  # also when every day file is gone or emptied
        problems.extend(_check_head(head, counts, hashes))
    return problems


def _parse(text: str) -> dict | None:
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if (not isinstance(record, dict) or not isinstance(record.get("prev"), str)
            or not isinstance(record.get("hash"), str)):
        return None
    return record


def _first_prev(name: str, anchor: Mapping[str, object] | None, problems: list[str]) -> str | None:
    """What the first line's prev must be: the anchor's prev, or 64 zeros without one."""
    if not anchor:
        return ZERO
    first = day_name(name)
    file = anchor.get("file")
    if file is None or day_name(str(file)) == first:
        return str(anchor.get("prev"))
    if day_name(str(file)) > first:
        return None  # older files left over from an interrupted pruning: nothing to hold them to
    problems.append(f"{name}:1: the first part of the play log is missing: anchor.json says it starts "
                    f"with {file}, which is not there")
    return None


def _prev_message(where: str, last: tuple[str, int] | None, name: str, very_first: bool) -> str:
    if very_first or last is None:
        return (f"{where}: the beginning of the play log is missing: the first line's prev is neither "
                "64 zeros nor the one anchor.json records")
    if day_name(last[0]) != day_name(name):
        return (f"{where}: a day file or lines before this one are missing: prev does not match the "
                f"last line of {last[0]} (line {last[1]})")
    return (f"{where}: a line before this one is missing or out of order: prev does not match the hash "
            f"of line {last[1]}")


def _check_head(head: Mapping[str, object], counts: Mapping[str, int],
                hashes: Mapping[tuple[str, int], str]) -> list[str]:
    file = day_name(str(head.get("file")))
    try:
        lines = int(head.get("lines"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return [f"head.json is not valid: {dict(head)!r}"]
    want = str(head.get("hash"))
    if file not in counts:
        return [f"{file}: missing or empty: head.json says the log ends there at line {lines}"]
    if any(h == want for (f, _), h in hashes.items() if f == file):
        return []  # the last line written is there (lines missing before it break the chain)
    if counts[file] < lines:
        return [f"{file}: lines were cut off the end: head.json says {lines} lines ending with hash "
                f"{want[:12]}…, the file ends at line {counts[file]}"]
    return [f"{file}:{lines}: not the line head.json recorded as the last one written "
            f"(hash {want[:12]}…): lines at the end were replaced"]


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


def report_json(report: Report) -> dict[str, object]:
    """The report as JSON-ready data (``signage playlog --json``)."""
    s = report.settings
    return {
        "screen": report.screen, "since": report.since.isoformat(), "until": report.until.isoformat(),
        "now": _iso(report.now), "ok": report.ok,
        "settings": {"office_hours": [[a.strftime("%H:%M"), "24:00" if b == dt.time.max else b.strftime("%H:%M")]
                                      for a, b in s.office_hours],
                     "office_days": sorted(s.office_days), "max_gap_minutes": s.max_gap_minutes},
        "notices": [{
            "notice": n.notice, "title": n.title, "kind": n.kind,
            "period": [_iso(n.period[0]), _iso(n.period[1])] if n.period else None,
            "versions": list(n.versions),
            "days": [{"day": d.day.isoformat(), "minutes": d.minutes, "showings": d.showings,
                      "first": _iso(d.first), "last": _iso(d.last)} for d in n.days],
            "coverage": None if n.coverage is None else [{
                "day": c.day.isoformat(), "state": c.state, "shown_minutes": c.shown_minutes,
                "windows": [[_iso(a), _iso(b)] for a, b in c.windows],
                "gaps": [{"start": _iso(g.start), "end": _iso(g.end),
                          "parts": [{"cause": p.cause, "start": _iso(p.start), "end": _iso(p.end)}
                                    for p in g.parts]} for g in c.gaps],
            } for c in n.coverage],
            "uncovered_days": n.uncovered if n.coverage is not None else None,
        } for n in report.notices],
    }


CAUSE_ZH = {PLAYER_OFF: "未开机", SCREEN_OFF: "屏幕关闭", OTHER: "仅显示其他公告", IDLE: "无公告可显示",
            BROWSING: "居民自助浏览", ALERT: "全屏显示紧急预警"}
_WEEKDAY_ZH = "一二三四五六日"


def _hm(value: dt.datetime, day: dt.date) -> str:
    return "24:00" if value.date() > day and value.time() == dt.time() else value.strftime("%H:%M")


def _days_zh(days: frozenset[int]) -> str:
    if not days or days == frozenset(range(7)):
        return "每天"
    if days == frozenset(range(5)):
        return "周一至周五"
    return "、".join(f"周{_WEEKDAY_ZH[d]}" for d in sorted(days))


def _date_zh(day: dt.date) -> str:
    return f"{day.isoformat()} 周{_WEEKDAY_ZH[day.weekday()]}"


def _moment_zh(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "（未定）"


def report_text(report: Report) -> str:
    """The report in Chinese, for inspectors (``signage playlog``)."""
    s = report.settings
    out = ["公告播放记录",
           f"屏幕：{report.screen or '（未知）'}",
           f"范围：{report.since.isoformat()} 至 {report.until.isoformat()}"
           f"（生成于 {report.now.strftime('%Y-%m-%d %H:%M')}）", ""]
    if not report.notices:
        out.append("此范围内没有播放记录。")
        return "\n".join(out) + "\n"
    out.append("一、每日播放")
    for n in report.notices:
        label = n.notice + (f"《{n.title}》" if n.title else "") + (f"（{n.kind}）" if n.kind else "")
        out.append(label)
        for d in n.days:
            out.append(f"  {_date_zh(d.day)}  播放 {d.minutes:g} 分钟，{d.showings} 次，"
                       f"首次 {d.first.strftime('%H:%M:%S')}，末次 {d.last.strftime('%H:%M:%S')}")
    publicity = [n for n in report.notices if n.coverage is not None]
    if publicity:
        hours = "、".join(f"{a.strftime('%H:%M')}–{'24:00' if b == dt.time.max else b.strftime('%H:%M')}"
                         for a, b in s.office_hours)
        out += ["", f"二、公示期覆盖情况（办公时间 {hours}，{_days_zh(s.office_days)}；"
                    f"连续 {s.max_gap_minutes:g} 分钟以上未显示即为缺口）"]
        for n in publicity:
            period = (f"公示期 {_moment_zh(n.period[0])} 至 {_moment_zh(n.period[1])}" if n.period
                      else "公示期未写明，自首次播放日起计")
            out.append(f"{n.notice}《{n.title or n.notice}》 {period}")
            for c in n.coverage or ():
                if c.state == "pending":
                    out.append(f"  … {_date_zh(c.day)}  未到")
                elif c.state == "covered":
                    out.append(f"  ✓ {_date_zh(c.day)}  已覆盖（显示 {c.shown_minutes:g} 分钟）")
                else:
                    gaps = "；".join(_gap_zh(g, c.day) for g in c.gaps)
                    out.append(f"  ✗ {_date_zh(c.day)}  未覆盖：{gaps}")
            counted = [c for c in n.coverage or () if c.state != "pending"]
            if n.uncovered:
                out.append(f"  结论：{len(counted)} 个办公日中 {n.uncovered} 个未覆盖")
            else:
                out.append(f"  结论：已评估的 {len(counted)} 个办公日全部覆盖")
    return "\n".join(out) + "\n"


def _gap_zh(gap: Gap, day: dt.date) -> str:
    span = f"{_hm(gap.start, day)}–{_hm(gap.end, day)}"
    if len(gap.parts) == 1:
        return f"缺口 {span}（{CAUSE_ZH.get(gap.parts[0].cause, gap.parts[0].cause)}）"
    parts = "，".join(f"{CAUSE_ZH.get(p.cause, p.cause)} {_hm(p.start, day)}–{_hm(p.end, day)}" for p in gap.parts)
    return f"缺口 {span}（{parts}）"

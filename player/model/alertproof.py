"""Proof of alerts: when each emergency alert was on each screen (``signage playlog --alerts``).

Pure: parsed play-log lines in, a report out. The lines are the ``alert-start``,
``alert-level`` and ``alert-end`` events the player chains into its play log
(``PlayLog.alert_event``); the hash chain that makes them evidence is checked by
``signage playlog --verify`` like every other line.

Pairing: per (screen, source, alert id, all-clear or not), a start opens a showing,
level lines record changes, an end closes it with its reason. A start while one is
still open (the player was restarted or lost power) closes the open one as
``interrupted`` at the last line the log holds before it (its end is not known).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from player.model.proof import ALERT_EVENT_PREFIX, parse_time

INTERRUPTED = "interrupted"
REASON_ZH = {"expired": "到期", "cancelled": "撤销", "cleared": "解除", "withdrawn": "不再发布或不针对本屏",
             "player stopped": "播放器停止",
             "screen off": "屏幕按计划关闭", INTERRUPTED: "记录中断（播放器重启或断电）"}
LEVEL_ZH = {"红": "红色预警", "橙": "橙色预警", "黄": "黄色预警", "蓝": "蓝色预警"}


@dataclass(frozen=True)
class AlertShowing:
    """One continuous showing of one alert on one screen."""

    screen: str
    source: str
    alert: str
    title: str
    type: str
    status: str
    issuer: str
    start: dt.datetime
    levels: tuple[tuple[dt.datetime, str], ...]  # (since, level), the first at start
    end: dt.datetime | None = None
    reason: str | None = None   # None: still open at the end of the log

    @property
    def minutes(self) -> float | None:
        """Minutes on screen (None while it has no end)."""
        return None if self.end is None else round((self.end - self.start).total_seconds() / 60, 1)

    @property
    def drill(self) -> bool:
        """An exercise or test."""
        return self.status != "actual"


@dataclass(frozen=True)
class AlertReport:
    """Every showing that touched the days ``since``..``until``."""

    since: dt.date
    until: dt.date
    showings: tuple[AlertShowing, ...] = field(default_factory=tuple)


def build_alert_report(records: Mapping[dt.date, Sequence[Mapping[str, object]]], *, since: dt.date,
                       until: dt.date, tz: ZoneInfo) -> AlertReport:
    """The report from parsed log lines (days in order, lines in file order)."""
    open_: dict[tuple, AlertShowing] = {}
    done: list[AlertShowing] = []
    last_seen: dict[str, dt.datetime] = {}  # screen -> time of its latest line of any kind
    for day in sorted(records):
        for record in records[day]:
            event = str(record.get("event") or "")
            screen = str(record.get("screen") or "")
            try:
                at = parse_time(str(record["start"]), tz)
                end_time = parse_time(str(record.get("end") or record["start"]), tz)
            except (KeyError, ValueError):
                continue
            if not event.startswith(ALERT_EVENT_PREFIX):
                last_seen[screen] = max(last_seen.get(screen, end_time), end_time)
                continue
            kind = event[len(ALERT_EVENT_PREFIX):]
            key = (screen, record.get("source"), record.get("alert"), record.get("type") == "all-clear")
            level = str(record.get("level") or "")
            if kind == "start":
                if key in open_:
                    stale = open_.pop(key)
                    seen = min(last_seen.get(screen, stale.start), at)  # lines are sealed in time order
                    done.append(replace(stale, end=max(stale.start, seen), reason=INTERRUPTED))
                open_[key] = AlertShowing(screen, str(record.get("source") or ""), str(record.get("alert") or ""),
                                          str(record.get("title") or ""), str(record.get("type") or ""),
                                          str(record.get("status") or ""), str(record.get("issuer") or ""),
                                          at, ((at, level),))
            elif kind == "level" and key in open_:
                showing = open_[key]
                open_[key] = replace(showing, levels=showing.levels + ((at, level),),
                                     title=str(record.get("title") or showing.title))
            elif kind == "end" and key in open_:
                done.append(replace(open_.pop(key), end=at, reason=str(record.get("reason") or "")))
            last_seen[screen] = max(last_seen.get(screen, at), at)
    done.extend(open_.values())
    first = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    last = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    kept = [s for s in done if s.start < last and (s.end is None or s.end >= first)]
    return AlertReport(since, until, tuple(sorted(kept, key=lambda s: (s.screen, s.start, s.alert))))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def alert_report_json(report: AlertReport) -> dict[str, object]:
    """``signage playlog --alerts --json``."""
    return {"since": report.since.isoformat(), "until": report.until.isoformat(), "alerts": [
        {"screen": s.screen, "source": s.source, "alert": s.alert, "title": s.title, "type": s.type,
         "status": s.status, "drill": s.drill, "issuer": s.issuer, "start": _iso(s.start), "end": _iso(s.end),
         "minutes": s.minutes, "reason": s.reason,
         "levels": [{"since": _iso(t), "level": level} for t, level in s.levels]} for s in report.showings]}


def alert_report_text(report: AlertReport) -> str:
    """The report in Chinese, for inspectors."""
    out = ["紧急预警显示记录", f"范围：{report.since.isoformat()} 至 {report.until.isoformat()}", ""]
    if not report.showings:
        out.append("此范围内没有紧急预警显示记录。")
        return "\n".join(out) + "\n"
    screen = None
    for s in report.showings:
        if s.screen != screen:
            screen = s.screen
            out.append(f"屏幕：{screen or '（未知）'}")
        first_level = s.levels[0][1]
        kind = "解除通知" if s.type == "all-clear" else LEVEL_ZH.get(first_level, first_level)
        mark = "【演练】" if s.drill else ""
        source = "（本屏工作人员发布）" if s.source == "local" else ""
        out.append(f"  {mark}[{kind}] {s.title}（{s.alert}{'，' + s.issuer if s.issuer else ''}）{source}")
        if s.end is None:
            out.append(f"    自 {s.start:%Y-%m-%d %H:%M:%S} 起显示，记录结束时仍在显示")
        else:
            out.append(f"    显示 {s.start:%Y-%m-%d %H:%M:%S} 至 {s.end:%Y-%m-%d %H:%M:%S}，共 {s.minutes:g} 分钟；"
                       f"结束原因：{REASON_ZH.get(s.reason or '', s.reason or '未知')}")
        for since, level in s.levels[1:]:
            out.append(f"    {since:%Y-%m-%d %H:%M:%S} 级别变为{LEVEL_ZH.get(level, level)}")
    return "\n".join(out) + "\n"

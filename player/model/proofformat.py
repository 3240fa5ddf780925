"""The proof-of-play report as text (Chinese, for inspectors) and as JSON."""

from __future__ import annotations

import datetime as dt

from player.model.proof import ALERT, BROWSING, Gap, IDLE, OTHER, PLAYER_OFF, Report, SCREEN_OFF, _iso



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

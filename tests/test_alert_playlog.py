"""Alert events in the hash-chained play log, and ``signage playlog --alerts``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import write_config
from player.cli import Environment, program
from player.model import proof, proofformat
from player.model.alertproof import build_alert_report
from player.model.alerts import Alert, Level, MsgType, Status
from player.model.notice import Meta, Notice, TextBody
from player.runtime.clock import FixedClock
from player.runtime.playlog import PlayLog
from player.runtime.playlogread import read_records, verify_folder

TZ = ZoneInfo("Asia/Shanghai")
SCREEN = "马宫街道便民服务中心"


def at(hm: str, day: str = "2026-07-01") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}:00+08:00")


TYPHOON = Alert(id="typhoon", level=Level.ORANGE, title="台风橙色预警", sent=at("09:58"), expires=at("18:00"),
                issuer="海珠区应急管理局")
DRILL = Alert(id="fire-drill", level=Level.RED, title="消防演练", sent=at("14:00"), expires=at("15:00"),
              status=Status.EXERCISE)
NOTICE = Notice(id="公示公告/停水", path="公示公告/停水.txt", category="公示公告", title="停水通知",
                meta=Meta(kind="公示", start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 1)),
                body=TextBody(()), sha256="a" * 64)


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """A day with notices, a typhoon alert raised to red and cleared, and a drill whose end
    the log never saw (the player restarted)."""
    folder = tmp_path / "state" / "playlog"
    log = PlayLog(folder, SCREEN, TZ)
    log.shown(NOTICE, at("08:30"), at("10:00"))
    log.alert_event("start", TYPHOON, at("10:00"))
    log.gap("alert", at("10:00"), at("11:00"))
    log.alert_event("level", dataclasses.replace(TYPHOON, level=Level.RED, type=MsgType.UPDATE), at("10:30"))
    log.alert_event("end", TYPHOON, at("11:00"), reason="cleared")
    clear = dataclasses.replace(TYPHOON, type=MsgType.ALL_CLEAR, title="台风预警解除", sent=at("11:00"))
    log.alert_event("start", clear, at("11:00"))
    log.alert_event("end", clear, at("11:10"), reason="expired")
    log.shown(NOTICE, at("11:00"), at("14:00"))
    log.alert_event("start", DRILL, at("14:00"))
    log.shown(NOTICE, at("14:00"), at("14:05"))   # the player lost power at 14:05 …
    log.alert_event("start", DRILL, at("14:20"))  # … and showed the drill again after its restart
    log.alert_event("end", DRILL, at("15:00"), reason="expired")
    log.shown(NOTICE, at("14:20"), at("17:30"))
    log.flush()
    return tmp_path


def test_alert_events_are_chained_lines_and_verify(logged: Path) -> None:
    folder = logged / "state" / "playlog"
    problems, count = verify_folder(folder)
    assert problems == [] and count > 8
    lines = read_records(folder / "2026-07-01.jsonl")
    starts = [r for r in lines if r.get("event") == "alert-start"]
    assert starts[0] == {**starts[0], "alert": "typhoon", "level": "橙", "type": "alert", "status": "actual",
                         "title": "台风橙色预警", "issuer": "海珠区应急管理局", "screen": SCREEN,
                         "start": "2026-07-01T10:00:00+08:00", "source": "district"}
    ends = [r for r in lines if r.get("event") == "alert-end"]
    assert [r["reason"] for r in ends] == ["cleared", "expired", "expired"]
    with pytest.raises(ValueError, match="start, level or end"):
        PlayLog(folder, SCREEN, TZ).alert_event("begin", TYPHOON, at("12:00"))


def test_notice_coverage_names_the_alert_as_the_cause_of_a_gap(logged: Path) -> None:
    records = {dt.date(2026, 7, 1): read_records(logged / "state" / "playlog" / "2026-07-01.jsonl")}
    settings = proof.Settings(((dt.time(8, 30), dt.time(17, 30)),), frozenset(range(7)), 15)
    report = proof.build_report(records, since=dt.date(2026, 7, 1), until=dt.date(2026, 7, 1), now=at("23:00"),
                                tz=TZ, settings=settings)
    (notice,) = report.notices  # the alert lines are not notices
    (day,) = notice.coverage
    assert day.state == "uncovered"
    assert [(p.cause, p.start, p.end) for g in day.gaps for p in g.parts] == [
        (proof.ALERT, at("10:00"), at("11:00"))]
    assert "全屏显示紧急预警" in proofformat.report_text(report)


def test_the_alert_report_pairs_starts_and_ends_per_screen(logged: Path) -> None:
    records = {dt.date(2026, 7, 1): read_records(logged / "state" / "playlog" / "2026-07-01.jsonl")}
    report = build_alert_report(records, since=dt.date(2026, 7, 1), until=dt.date(2026, 7, 1), tz=TZ)
    rows = [(s.alert, s.type, s.start.strftime("%H:%M"), s.end and s.end.strftime("%H:%M"), s.minutes, s.reason,
             [lv for _, lv in s.levels]) for s in report.showings]
    assert rows == [
        ("typhoon", "alert", "10:00", "11:00", 60.0, "cleared", ["橙", "红"]),
        ("typhoon", "all-clear", "11:00", "11:10", 10.0, "expired", ["橙"]),
        ("fire-drill", "alert", "14:00", "14:05", 5.0, "interrupted", ["红"]),
        ("fire-drill", "alert", "14:20", "15:00", 40.0, "expired", ["红"]),
    ]
    assert all(s.screen == SCREEN for s in report.showings)
    assert [s.drill for s in report.showings] == [False, False, True, True]
    outside = build_alert_report(records, since=dt.date(2026, 7, 2), until=dt.date(2026, 7, 3), tz=TZ)
    assert outside.showings == ()


def _playlog(root: Path, *args: str) -> tuple[int, str]:
    (root / "drop").mkdir(exist_ok=True)
    config = write_config(root / "cfg", root / "drop", state=root / "state")
    out = io.StringIO()
    env = Environment(stdout=out, stderr=out, env={}, cwd=root, clock=FixedClock(at("23:00")))
    return int(program(["playlog", "-c", str(config), "--alerts", *args], env)), out.getvalue()


def test_signage_playlog_alerts(logged: Path) -> None:
    status, text = _playlog(logged)
    assert status == 0
    assert "紧急预警显示记录" in text and f"屏幕：{SCREEN}" in text
    assert "[橙色预警] 台风橙色预警（typhoon，海珠区应急管理局）" in text
    assert "显示 2026-07-01 10:00:00 至 2026-07-01 11:00:00，共 60 分钟；结束原因：解除" in text
    assert "2026-07-01 10:30:00 级别变为红色预警" in text
    assert "[解除通知] 台风预警解除" in text and "【演练】[红色预警] 消防演练" in text
    assert "记录中断（播放器重启或断电）" in text
    status, raw = _playlog(logged, "--json", "--since", "2026-07-01")
    data = json.loads(raw)
    assert status == 0 and [a["minutes"] for a in data["alerts"]] == [60.0, 10.0, 5.0, 40.0]
    assert data["alerts"][0]["levels"] == [{"since": "2026-07-01T10:00:00+08:00", "level": "橙"},
                                           {"since": "2026-07-01T10:30:00+08:00", "level": "红"}]
    status, none = _playlog(logged, "--since", "2026-07-05", "--until", "2026-07-06")
    assert status == 0 and "没有紧急预警显示记录" in none

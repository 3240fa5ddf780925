"""The pure alert model: alerts.json validation, what is active at a moment, drills,
staff alert files, --until, and the transitions that go into the play log."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from player.model.alerts import (ALL_CLEAR_SECONDS, Alert, AlertDocument, AlertError, Level, MsgType, Status,
                                 parse_document, parse_until)
from player.model.staffalerts import is_staff_alert, parse_staff_alert
from player.model.alertstate import (CANCELLED, CLEARED, EXPIRED, WITHDRAWN, AlertClock, AlertSnapshot, EventKind,
                                     active_alerts, alert_events, bands, full_screen, local_snapshot, next_change,
                                     screen_wanted, wakes_screen)
from player.model.problems import ContentError

TZ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 7, 1, 10, 0, tzinfo=TZ)
LOBBY = ("lobby", "public")


def alert(alert_id="typhoon", level=Level.RED, hours=2.0, **kw) -> Alert:
    fields = dict(id=alert_id, level=level, title="台风红色预警", sent=T0, expires=T0 + dt.timedelta(hours=hours),
                  text="台风将于今晚登陆。", instruction="关好门窗。", issuer="马宫街道办事处")
    fields.update(kw)
    return Alert(**fields)


def doc(*alerts: Alert, sequence=1, issued=T0) -> AlertDocument:
    return AlertDocument(sequence, issued, alerts)


def snap(*alerts: Alert, arrival=100.0, **kw) -> AlertSnapshot:
    return AlertSnapshot(doc(*alerts, **kw), arrival)


def at(minutes: float, trusted=True, mono=None, wall=None) -> AlertClock:
    return AlertClock(wall or T0 + dt.timedelta(minutes=minutes), trusted,
                      100.0 + minutes * 60 if mono is None else mono)


def ids(active) -> list[str]:
    return [a.alert.id for a in active]


# --- the document ----------------------------------------------------------------------------

def test_a_document_round_trips_through_its_canonical_bytes() -> None:
    original = doc(alert(), alert("rain", Level.YELLOW, screens=("lobby",), status=Status.EXERCISE, area="全域"),
                   sequence=7)
    data = original.to_bytes()
    assert parse_document(data) == original
    assert data == parse_document(data).to_bytes()  # canonical: one byte form
    assert json.loads(data)["sequence"] == 7 and b" " not in data.replace("台风红色预警".encode(), b"")


def _raw(**changes) -> bytes:
    entry = alert().to_json()
    entry.update(changes)
    entry = {k: v for k, v in entry.items() if v is not ...}
    return json.dumps({"format": 1, "sequence": 3, "issued": T0.isoformat(), "alerts": [entry]}).encode()


@pytest.mark.parametrize("changes, words", [
    ({"expires": ...}, "has no expires"),
    ({"expires": None}, "has no expires"),
    ({"level": "紫"}, "unknown level '紫'"),
    ({"level": ...}, "unknown level None"),
    ({"type": "panic"}, "type is 'panic'"),
    ({"status": "draft"}, "status is 'draft'"),
    ({"title": "  "}, "has no title"),
    ({"expires": "2026-07-01T18:00:00"}, "has no UTC offset"),
    ({"expires": T0.isoformat()}, "is not after sent"),
    ({"expires": (T0 + dt.timedelta(days=40)).isoformat()}, "more than 30 days"),
    ({"text": "长" * 2001}, "over the limit of 2000"),
    ({"screens": "lobby"}, "screens is not a list"),
    ({"id": ""}, "no usable id"),
])
def test_every_malformed_alert_is_refused_with_one_line_naming_it(changes, words) -> None:
    with pytest.raises(AlertError) as info:
        parse_document(_raw(**changes))
    assert words in str(info.value) and "\n" not in str(info.value)


def test_document_level_problems() -> None:
    for data, words in [(b"<html>", "not JSON"), (b'{"format": 2}', "format is not 1"),
                        (json.dumps({"format": 1, "sequence": 0, "issued": T0.isoformat(), "alerts": []}).encode(),
                         "sequence is not a whole number"),
                        (b"x" * (256 * 1024 + 1), "over the 262144 byte limit")]:
        with pytest.raises(AlertError, match=words):
            parse_document(data)
    twice = json.loads(_raw())
    twice["alerts"] *= 2
    with pytest.raises(AlertError, match="twice"):
        parse_document(json.dumps(twice).encode())


def test_levels_parse_from_every_usual_spelling() -> None:
    for text, level in [("红", Level.RED), ("红色", Level.RED), ("红色预警", Level.RED), ("Red", Level.RED),
                        ("Ⅰ", Level.RED), ("I级", Level.RED), ("一级", Level.RED), ("橙色", Level.ORANGE),
                        ("II", Level.ORANGE), ("3", Level.YELLOW), ("Ⅳ级", Level.BLUE), ("blue", Level.BLUE)]:
        assert Level.parse(text) is level, text
    assert Level.parse("紫") is None and Level.parse(None) is None and Level.parse("V") is None
    assert [lv.full_screen for lv in Level] == [True, True, False, False]
    assert Level.ORANGE.label == "橙色预警" and Level.ORANGE.roman == "Ⅱ"


# --- what is active ----------------------------------------------------------------------------

def test_with_a_trusted_clock_an_alert_shows_until_it_expires() -> None:
    s = snap(alert(hours=2))
    assert ids(active_alerts([s], LOBBY, at(0))) == ["typhoon"]
    shown = active_alerts([s], LOBBY, at(119))[0]
    assert shown.until == T0 + dt.timedelta(hours=2) and round(shown.remaining) == 60
    assert active_alerts([s], LOBBY, at(120)) == ()


def test_cancel_removes_at_once_and_all_clear_shows_ten_minutes() -> None:
    cancelled = snap(dataclasses.replace(alert(), type=MsgType.CANCEL))
    assert active_alerts([cancelled], LOBBY, at(1)) == ()
    clear = dataclasses.replace(alert(), type=MsgType.ALL_CLEAR, sent=T0 + dt.timedelta(minutes=30),
                                expires=T0 + dt.timedelta(hours=2))  # a long expiry: still 10 minutes
    s = snap(clear)
    assert ids(active_alerts([s], LOBBY, at(39.9))) == ["typhoon"]
    assert active_alerts([s], LOBBY, at(40)) == ()
    shown = active_alerts([s], LOBBY, at(30))[0]
    assert shown.all_clear and not shown.full_screen and shown.remaining == ALL_CLEAR_SECONDS


def test_with_an_untrusted_clock_alerts_count_from_their_arrival_on_the_monotonic_clock() -> None:
    # The wall clock is hours behind (a Pi after a power cut without network time); the
    # document was issued when the alert was sent and arrived at monotonic 5000.
    s = snap(alert(hours=2), arrival=5000.0)
    stale_wall = T0 - dt.timedelta(hours=5)
    assert ids(active_alerts([s], LOBBY, AlertClock(stale_wall, False, 5000.0 + 7199))) == ["typhoon"]
    assert active_alerts([s], LOBBY, AlertClock(stale_wall, False, 5000.0 + 7200)) == ()
    # A document issued 90 minutes after the alert was sent leaves 30 minutes of it.
    later = snap(alert(hours=2), arrival=5000.0, issued=T0 + dt.timedelta(minutes=90))
    assert round(active_alerts([later], LOBBY, AlertClock(stale_wall, False, 5000.0))[0].remaining) == 1800
    # Even untrusted, a schedule time (never below the floor of real time) past expires ends it.
    assert active_alerts([s], LOBBY, AlertClock(T0 + dt.timedelta(hours=3), False, 5000.0)) == ()


def test_drills_only_on_drill_screens_and_targets_by_tags() -> None:
    drill = alert("exercise", status=Status.EXERCISE)
    test = alert("test", status=Status.TEST, level=Level.BLUE)
    lobby_only = alert("lobby", screens=("lobby",))
    office = alert("office", screens=("office",))
    s = snap(drill, test, lobby_only, office)
    assert ids(active_alerts([s], LOBBY, at(1))) == ["lobby"]
    assert set(ids(active_alerts([s], ("lobby", "drill"), at(1)))) == {"exercise", "test", "lobby"}
    assert ids(active_alerts([s], ("office",), at(1))) == ["office"]
    assert all(a.alert.drill for a in active_alerts([s], ("drill",), at(1)))


def test_order_full_screen_bands_and_waking() -> None:
    s = snap(alert("blue", Level.BLUE), alert("orange", Level.ORANGE), alert("red-drill", status=Status.EXERCISE),
             alert("red", sent=T0 - dt.timedelta(minutes=1)))
    active = active_alerts([s], ("drill",), at(1))
    assert ids(active) == ["red", "red-drill", "orange", "blue"]
    assert ids(full_screen(active)) == ["red", "red-drill", "orange"] and ids(bands(active)) == ["blue"]
    assert next_change(active) == pytest.approx(119 * 60)
    yellow = active_alerts([snap(alert("y", Level.YELLOW))], LOBBY, at(1))
    assert wakes_screen(active) and not wakes_screen(yellow) and not wakes_screen(())
    assert screen_wanted(False, active) and screen_wanted(True, ()) and not screen_wanted(False, yellow)


def test_local_staff_alerts_join_the_district_ones() -> None:
    local = local_snapshot([dataclasses.replace(alert("local:停水"), source="local")], T0, 100.0)
    active = active_alerts([snap(alert("blue", Level.BLUE)), local, None], LOBBY, at(1))
    assert [(a.source, a.alert.id) for a in active] == [("local", "local:停水"), ("district", "blue")]


# --- transitions ---------------------------------------------------------------------------------

def test_events_start_level_end_with_reasons() -> None:
    first = snap(alert("a", Level.YELLOW), alert("b"), alert("c"), alert("d"))
    before = active_alerts([first], LOBBY, at(1))
    assert [(e.kind, e.alert.id) for e in alert_events((), before, [first])] == \
        [(EventKind.START, i) for i in ("b", "c", "d", "a")]
    raised = dataclasses.replace(alert("a", Level.ORANGE), type=MsgType.UPDATE)
    second = snap(raised, dataclasses.replace(alert("b"), type=MsgType.CANCEL),
                  dataclasses.replace(alert("c"), type=MsgType.ALL_CLEAR, sent=T0 + dt.timedelta(minutes=1)),
                  sequence=2)
    after = active_alerts([second], LOBBY, at(2))
    events = {(e.kind, e.alert.id, e.reason) for e in alert_events(before, after, [second])}
    assert events == {(EventKind.LEVEL, "a", None), (EventKind.END, "b", CANCELLED), (EventKind.END, "c", CLEARED),
                      (EventKind.START, "c", None), (EventKind.END, "d", WITHDRAWN)}
    again = snap(alert("c", Level.ORANGE, sent=T0 + dt.timedelta(minutes=3)), sequence=3)
    assert {(e.kind, e.alert.id, e.reason) for e in alert_events(after, active_alerts([again], LOBBY, at(4)), [again])
            if e.alert.id == "c"} == {(EventKind.END, "c", WITHDRAWN), (EventKind.START, "c", None)}
    later = active_alerts([second], LOBBY, at(200))
    assert {(e.kind, e.alert.id, e.reason) for e in alert_events(after, later, [second])} == {
        (EventKind.END, "a", EXPIRED), (EventKind.END, "c", EXPIRED)}


# --- --until and staff files -----------------------------------------------------------------------

def test_until_accepts_times_and_durations() -> None:
    assert parse_until("+2h", T0, TZ) == T0 + dt.timedelta(hours=2)
    assert parse_until("1h30m", T0, TZ) == T0 + dt.timedelta(minutes=90)
    assert parse_until("1d", T0, TZ) == T0 + dt.timedelta(days=1)
    assert parse_until("18:00", T0, TZ) == T0.replace(hour=18)
    assert parse_until("2026-07-01 18:30", T0, TZ) == T0.replace(hour=18, minute=30)
    assert parse_until("2026-07-01T18:00+00:00", T0, TZ) == dt.datetime(2026, 7, 1, 18, tzinfo=dt.timezone.utc)
    for bad, words in [("08:00", "not in the future"), ("tomorrow", "expected a time"), ("+40d", "30 days")]:
        with pytest.raises(AlertError, match=words):
            parse_until(bad, T0, TZ)


def test_staff_alert_files() -> None:
    name = "红色预警（至2026-07-01 18时）.txt"
    assert is_staff_alert(name) and is_staff_alert("预警解除.txt") and is_staff_alert("演练黄色预警（至18时）.txt")
    assert not is_staff_alert("公示公告/红色预警（至18时）.txt") and not is_staff_alert("红色的通知.txt")
    body = "燃气泄漏，请立即撤离\n本楼三层发现燃气泄漏。\n防御指南：请勿使用明火，\n沿楼梯有序撤离。\n发布单位：社区服务中心\n"
    a = parse_staff_alert(name, body.encode("gb18030"), T0, TZ)
    assert (a.level, a.type, a.status, a.source) == (Level.RED, MsgType.ALERT, Status.ACTUAL, "local")
    assert a.title == "燃气泄漏，请立即撤离" and a.text == "本楼三层发现燃气泄漏。"
    assert a.instruction == "请勿使用明火，\n沿楼梯有序撤离。" and a.issuer == "社区服务中心"
    assert a.expires == T0.replace(hour=18) and a.id == "local:红色预警"
    drill = parse_staff_alert("演练蓝色预警（至2026-07-02）.txt", b"", T0, TZ)
    assert drill.drill and drill.title == "蓝色预警" and drill.expires == dt.datetime(2026, 7, 3, tzinfo=TZ)
    assert parse_staff_alert("黄色预警（至18时30分）.txt", b"x", T0, TZ).expires == T0.replace(hour=18, minute=30)
    clear = parse_staff_alert("预警解除.txt", "红色预警已解除\n".encode(), T0, TZ)
    assert clear.type is MsgType.ALL_CLEAR and clear.level is Level.RED
    assert clear.expires == T0 + dt.timedelta(seconds=ALL_CLEAR_SECONDS)


@pytest.mark.parametrize("name, words", [
    ("红色预警.txt", "结束时间"),
    ("红色预警（至09时）.txt", "已过"),
    ("红色预警（至2026-02-30）.txt", "无效"),
    ("红色预警（至2026-12-30）.txt", "最长"),
])
def test_a_staff_alert_without_a_usable_end_is_refused_in_chinese(name, words) -> None:
    with pytest.raises(ContentError) as info:
        parse_staff_alert(name, "停水\n".encode(), T0, TZ)
    assert words in info.value.hint_zh

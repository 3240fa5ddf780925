"""OASIS CAP 1.2 import: the mapping to our alerts, and every message that is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from player.model.alerts import AlertError, Level, MsgType, Status
from player.model.cap import MAX_CAP, parse_cap

SENT = "2026-07-01T10:00:00+08:00"


def cap(msg_type="Alert", status="Actual", scope="Public", info=None, references="", extra_head="") -> bytes:
    """A CAP 1.2 message as a district's warning system writes it."""
    if info is None:
        info = INFO
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{extra_head}<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>44010400000000_20260701100000_0</identifier>
  <sender>yjj@district.gov.cn</sender>
  <sent>{SENT}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>{scope}</scope>
  {refs}
  {info}
</alert>""".encode("utf-8")


INFO = """<info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>台风</event>
    <responseType>Shelter</responseType>
    <urgency>Immediate</urgency>
    <severity>Extreme</severity>
    <certainty>Observed</certainty>
    <expires>2026-07-01T22:00:00+08:00</expires>
    <senderName>海珠区应急管理局</senderName>
    <headline>台风红色预警</headline>
    <description>台风“海葵”将于今晚在我区沿海登陆。</description>
    <instruction>关好门窗，非必要不外出。</instruction>
    <area><areaDesc>海珠区</areaDesc></area>
    <area><areaDesc>马宫街道</areaDesc></area>
  </info>"""


def with_info(**replace: str) -> str:
    info = INFO
    for old, new in replace.items():
        info = info.replace(old, new)
    return info


def test_a_cap_alert_maps_to_our_alert() -> None:
    message = parse_cap(cap(), screens=("lobby",))
    a = message.alert
    assert message.identifier == "44010400000000_20260701100000_0" and message.cancels == ()
    assert (a.id, a.level, a.type, a.status) == (message.identifier, Level.RED, MsgType.ALERT, Status.ACTUAL)
    assert (a.title, a.text, a.instruction) == ("台风红色预警", "台风“海葵”将于今晚在我区沿海登陆。", "关好门窗，非必要不外出。")
    assert a.issuer == "海珠区应急管理局" and a.area == "海珠区、马宫街道" and a.screens == ("lobby",)
    assert a.sent == dt.datetime.fromisoformat(SENT) and a.expires.hour == 22


@pytest.mark.parametrize("severity, level", [("Extreme", Level.RED), ("Severe", Level.ORANGE),
                                             ("Moderate", Level.YELLOW), ("Minor", Level.BLUE),
                                             ("Orange", Level.ORANGE), ("Blue", Level.BLUE)])
def test_severity_gives_the_level(severity, level) -> None:
    info = with_info(**{"<severity>Extreme</severity>": f"<severity>{severity}</severity>"})
    assert parse_cap(cap(info=info)).alert.level is level


def test_a_chinese_level_parameter_wins_over_severity() -> None:
    info = with_info(**{"<area>": "<parameter><valueName>预警级别</valueName><value>黄色</value></parameter><area>"})
    assert parse_cap(cap(info=info)).alert.level is Level.YELLOW
    unknown = with_info(**{"<severity>Extreme</severity>": "<severity>Unknown</severity>",
                           "<area>": "<parameter><valueName>level</valueName><value>IV</value></parameter><area>"})
    assert parse_cap(cap(info=unknown)).alert.level is Level.BLUE


def test_update_and_all_clear_keep_the_original_id_and_cancel_names_it() -> None:
    original = "yjj@district.gov.cn,44010400000000_20260701080000_0,2026-07-01T08:00:00+08:00"
    update = parse_cap(cap("Update", references=original)).alert
    assert update.id == "44010400000000_20260701080000_0" and update.type is MsgType.UPDATE
    clear = parse_cap(cap("Update", references=original,
                          info=with_info(Shelter="AllClear"))).alert
    assert clear.type is MsgType.ALL_CLEAR and clear.id == update.id
    cancel = parse_cap(cap("Cancel", references=original, info=""))
    assert cancel.alert is None and cancel.cancels == ("44010400000000_20260701080000_0",)


def test_exercise_and_test_are_drills() -> None:
    assert parse_cap(cap(status="Exercise")).alert.status is Status.EXERCISE
    assert parse_cap(cap(status="Test")).alert.drill


@pytest.mark.parametrize("data, words", [
    (cap(info=with_info(**{"<area><areaDesc>海珠区</areaDesc></area>": "",
                           "<area><areaDesc>马宫街道</areaDesc></area>": ""})), "no <area>"),
    (cap("Ack"), "msgType 'Ack' is not one we show"),
    (cap("Shout"), "msgType 'Shout'"),
    (cap(info=with_info(**{"<expires>2026-07-01T22:00:00+08:00</expires>": ""})), "no <expires>"),
    (cap(info=with_info(Extreme="Unknown")), "severity 'Unknown' gives no warning level"),
    (cap(info=with_info(**{"<area>": "<parameter><valueName>预警级别</valueName><value>紫色</value></parameter>"
                                     "<area>"})), "unknown level '紫色'"),
    (cap(status="Draft"), "status 'Draft'"),
    (cap(scope="Restricted"), "only Public"),
    (cap("Cancel", info=""), "names no earlier message"),
    (cap(info=""), "has no <info>"),
    (cap(info=with_info(**{"+08:00</expires>": "</expires>"})), "no UTC offset"),
    (cap(info=with_info(**{"2026-07-01T22:00:00": "2026-07-01T09:00:00"})), "is not after sent"),
    (cap().replace(b"cap:1.2", b"cap:1.1"), "not a CAP 1.2 message"),
    (cap()[:-10], "not well-formed"),
    (b"<x/>" + b" " * MAX_CAP, "over the 262144 byte limit"),
])
def test_refused_messages(data: bytes, words: str) -> None:
    with pytest.raises(AlertError) as info:
        parse_cap(data)
    assert words in str(info.value) and "\n" not in str(info.value)


BOMB = """<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>"""
EXTERNAL = '<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("head", [BOMB, EXTERNAL, '<!DOCTYPE alert SYSTEM "http://127.0.0.1:9/cap.dtd">'])
def test_any_doctype_is_refused_before_entities_are_touched(head: str) -> None:
    data = cap(extra_head=head, info=with_info(**{"<headline>台风红色预警</headline>": "<headline>&lol3;&xxe;</headline>"}))
    with pytest.raises(AlertError, match="DOCTYPE or entity declaration"):
        parse_cap(data)

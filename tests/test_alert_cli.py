"""``signage alert send|cancel|clear|import|list`` end to end: the command writes the signed
document into the site folder, and the player's AlertSync, polling a real HTTP server on
127.0.0.1 that serves that folder, sees the change at its next poll."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import run_signage
from player.cli import Environment, ExitStatus, program
from player.model.alerts import Level, MsgType, Status
from player.model.alertstate import AlertClock, active_alerts, bands, full_screen
from player.runtime.clock import FixedClock
from player.sources.alerts import AlertSync, Result
from player.sources.bundle import load_public_key
from player.sources.fetch import Fetcher

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 7, 1, 10, 0, tzinfo=TZ)
LOBBY = ("lobby", "public")


class Cli:
    """Runs ``signage`` in-process at a fixed moment (HTTPie style: program(argv, env))."""

    def __init__(self, root: Path, keys: dict) -> None:
        self.root = root
        self.key = str(keys["pub"]).replace(".pub", ".key")
        self.now = NOW

    def __call__(self, *argv: str) -> tuple[ExitStatus, str, str]:
        out, err = io.StringIO(), io.StringIO()
        env = Environment(stdout=out, stderr=err, env={}, cwd=self.root, clock=FixedClock(self.now))
        status = program(list(argv), env)
        return status, out.getvalue(), err.getvalue()

    def alert(self, action: str, *args: str, site: Path) -> tuple[ExitStatus, str, str]:
        return self(*("alert", action, *args, "--key", self.key, str(site)))


@pytest.fixture
def cli(tmp_path, keys) -> Cli:
    return Cli(tmp_path, keys)


@pytest.fixture
def channel(tmp_path, server, keys) -> AlertSync:
    return AlertSync(server.url, Fetcher(timeout=2, deadline=5), load_public_key(keys["pub"]),
                     tmp_path / "state" / "alerts", lambda: NOW, pause=lambda _s: None)


def shown(sync: AlertSync, tags=LOBBY, minutes: float = 1):
    return active_alerts([sync.snapshot], tags, AlertClock(NOW + dt.timedelta(minutes=minutes), True, 0.0))


def test_send_cancel_and_all_clear_reach_the_player_at_its_next_poll(cli, channel, server) -> None:
    status, out, err = cli.alert("send", "--level", "红", "--title", "台风红色预警", "--text", "台风将于今晚登陆。",
                                 "--instruction", "关好门窗。", "--issuer", "马宫街道办事处", "--screens", "lobby",
                                 "--until", "+6h", "--id", "typhoon", site=server.root)
    assert status == ExitStatus.OK, err
    assert "sent 红色预警 'typhoon' to lobby until 2026-07-01T16:00:00+08:00" in out and "sequence 1" in out
    assert channel.run_once().result is Result.UPDATED
    (active,) = full_screen(shown(channel))
    assert (active.alert.title, active.alert.issuer, active.alert.instruction) == ("台风红色预警", "马宫街道办事处", "关好门窗。")
    assert shown(channel, tags=("office",)) == ()

    status, out, _ = cli.alert("send", "--level", "黄", "--title", "暴雨黄色预警", "--all-screens", "--until", "18:00",
                               "--id", "rain", site=server.root)
    assert status == ExitStatus.OK and "to all screens" in out
    assert channel.run_once().result is Result.UPDATED
    assert [a.alert.id for a in bands(shown(channel, tags=("office",)))] == ["rain"]

    status, out, _ = cli.alert("cancel", "typhoon", site=server.root)
    assert status == ExitStatus.OK and "sequence 3" in out
    assert channel.run_once().result is Result.UPDATED
    assert [a.alert.id for a in shown(channel)] == ["rain"]
    assert channel.snapshot.document.get("typhoon").type is MsgType.CANCEL

    cli.now = NOW + dt.timedelta(minutes=30)
    status, out, _ = cli.alert("clear", "rain", site=server.root)
    assert status == ExitStatus.OK and "shown for 10 minutes" in out
    assert channel.run_once().result is Result.UPDATED
    (clear,) = shown(channel, minutes=31)
    assert clear.all_clear and clear.alert.title == "暴雨黄色预警解除" and "已于7月1日10时30分解除" in clear.alert.text
    assert shown(channel, minutes=40) == ()

    status, out, _ = cli("alert", "list", str(server.root))
    assert status == ExitStatus.OK and "sequence 4" in out and "rain: all-clear" in out and "typhoon: cancel" in out


def test_sending_the_id_of_a_live_alert_updates_it_and_expired_ones_are_dropped(cli, channel, server) -> None:
    cli.alert("send", "--level", "蓝", "--title", "大风蓝色预警", "--all-screens", "--until", "+1h", "--id", "wind",
              site=server.root)
    cli.alert("send", "--level", "黄", "--title", "高温黄色预警", "--all-screens", "--until", "+3h", "--id", "heat",
              site=server.root)
    status, out, _ = cli.alert("send", "--level", "橙", "--title", "高温橙色预警", "--all-screens", "--until", "+3h",
                               "--id", "heat", site=server.root)
    assert status == ExitStatus.OK and out.startswith("updated 橙色预警 'heat'")
    cli.now = NOW + dt.timedelta(hours=2)
    status, out, _ = cli.alert("send", "--level", "蓝", "--title", "寒潮蓝色预警", "--all-screens", "--until", "+1h",
                               site=server.root)
    assert status == ExitStatus.OK and "1 expired dropped" in out and "sequence 4" in out
    channel.run_once()
    assert [a.id for a in channel.snapshot.document.alerts] == ["heat", "20260701-120000"]
    assert channel.snapshot.document.get("heat").type is MsgType.UPDATE


def test_drills_show_only_on_drill_tagged_screens(cli, channel, server) -> None:
    status, out, _ = cli.alert("send", "--level", "红", "--title", "消防演练", "--all-screens", "--until", "+1h",
                               "--drill", site=server.root)
    assert status == ExitStatus.OK and "DRILL: drill-tagged screens only" in out
    channel.run_once()
    assert shown(channel) == ()
    (drill,) = shown(channel, tags=("lobby", "drill"))
    assert drill.alert.status is Status.EXERCISE and drill.alert.drill


CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>44010500000000_20260701095500_0</identifier>
  <sender>qxt@district.gov.cn</sender>
  <sent>2026-07-01T09:55:00+08:00</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>{references}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>2026-07-01T20:00:00+08:00</expires>
    <senderName>海珠区气象台</senderName>
    <headline>海珠区暴雨橙色预警</headline>
    <description>预计未来3小时我区将出现50毫米以上降雨。</description>
    <instruction>停止户外作业，注意防范城市内涝。</instruction>
    {area}
  </info>
</alert>
"""


def write_cap(tmp_path: Path, name: str, status="Actual", msg_type="Alert", references="",
              area="<area><areaDesc>海珠区</areaDesc></area>") -> Path:
    path = tmp_path / name
    refs = f"\n  <references>{references}</references>" if references else ""
    path.write_text(CAP.format(status=status, msg_type=msg_type, references=refs, area=area), encoding="utf-8")
    return path


def test_import_of_a_cap_message_publishes_it_and_a_cap_cancel_cancels_it(tmp_path, cli, channel, server) -> None:
    status, out, err = cli.alert("import", str(write_cap(tmp_path, "rain.xml")), "--screens", "lobby,public",
                                 site=server.root)
    assert status == ExitStatus.OK, err
    assert "imported CAP '44010500000000_20260701095500_0' as alert 橙色预警" in out
    channel.run_once()
    (rain,) = shown(channel)
    assert (rain.alert.level, rain.alert.issuer, rain.alert.area) == (Level.ORANGE, "海珠区气象台", "海珠区")
    assert rain.full_screen and rain.alert.title == "海珠区暴雨橙色预警"
    ref = "qxt@district.gov.cn,44010500000000_20260701095500_0,2026-07-01T09:55:00+08:00"
    status, out, _ = cli.alert("import", str(write_cap(tmp_path, "cancel.xml", msg_type="Cancel", references=ref)),
                               "--all-screens", site=server.root)
    assert status == ExitStatus.OK and "cancelled 44010500000000_20260701095500_0" in out
    channel.run_once()
    assert shown(channel) == ()


def test_refused_cap_messages_exit_1_and_publish_nothing(tmp_path, cli, server) -> None:
    for name, kwargs, words in [("no-area.xml", {"area": ""}, "no <area>"),
                                ("ack.xml", {"msg_type": "Ack"}, "msgType 'Ack'")]:
        status, _, err = cli.alert("import", str(write_cap(tmp_path, name, **kwargs)), "--all-screens",
                                   site=server.root)
        assert status == ExitStatus.PROBLEMS and words in err and err.count("\n") == 1, err
    assert not (server.root / "alerts.json").exists()


def test_usage_mistakes_exit_2_content_problems_exit_1(tmp_path, cli, server) -> None:
    site = server.root
    cases = [
        (("send", "--level", "紫", "--title", "x", "--all-screens", "--until", "+1h"), ExitStatus.ERROR, "--level"),
        (("send", "--level", "红", "--title", "x", "--all-screens", "--until", "yesterday"), ExitStatus.ERROR,
         "--until"),
        (("send", "--level", "红", "--title", "x", "--screens", " , ", "--until", "+1h"), ExitStatus.ERROR,
         "--screens"),
        (("send", "--level", "红", "--title", "长" * 81, "--all-screens", "--until", "+1h"), ExitStatus.ERROR,
         "over the limit of 80"),
        (("cancel", "nosuch"), ExitStatus.PROBLEMS, "no live alert 'nosuch'"),
    ]
    for args, expected, words in cases:
        status, _, err = cli.alert(*args, site=site)
        assert status == expected and words in err, (args, status, err)
    status, _, err = cli("alert", "cancel", "x", "--key", str(tmp_path / "missing.key"), str(site))
    assert status == ExitStatus.ERROR and "--key" in err
    status, _, err = cli.alert("cancel", "x", site=tmp_path / "no-such-site")
    assert status == ExitStatus.ERROR and "no such folder" in err


def test_the_real_command_and_its_help(tmp_path, keys, server) -> None:
    key = str(keys["pub"]).replace(".pub", ".key")
    result = run_signage("alert", "send", "--level", "red", "--title", "测试", "--all-screens", "--until", "+1h",
                         "--key", key, str(server.root))
    assert result.returncode == 0, result.stderr
    assert (server.root / "alerts.json").exists() and (server.root / "alerts.json.sig").exists()
    helped = run_signage("alert", "--help")
    assert helped.returncode == 0 and all(a in helped.stdout for a in ("send", "cancel", "clear", "import", "list"))
    missing = run_signage("alert", "send", "--title", "x", str(server.root))
    assert missing.returncode == 2

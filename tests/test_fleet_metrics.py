"""Fleet metrics on the player's side: status -> Prometheus text (player/fleet), the
status additions they read, host facts (player/runtime/host.py) and the MetricsService."""

from __future__ import annotations

import datetime as dt
import os
import stat
import urllib.error
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import wait_until
from player.config import ConfigError, MetricsConfig, parse_config, parse_listen
from player.fleet.metrics import NAMES, exposition, families, render
from player.fleet.observation import HostFacts, decode_throttled, from_status
from player.fleet.payload import parse_report
from player.model.power import PowerSchedule
from player.runtime.host import HostProbe, count_start, parse_throttled
from player.runtime.metrics import MetricsService
from player.runtime.power import power_section
from player.runtime.report import payload

TZ = ZoneInfo("Asia/Shanghai")
SECRET_TITLE = "关于张三同志任前公示的通告"
SECRET_ID = "公示公告/任前公示-张三"
STATUS = {
    "updated_at": "2026-11-27T10:00:05+08:00",
    "showing": {"notice": SECRET_ID, "page": 1, "pages": 2},
    "notices": [
        {"id": SECRET_ID, "title": SECRET_TITLE, "path": "公示公告/任前公示-张三.txt", "state": "active",
         "kind": "公示", "reason": "shown"},
        {"id": "办事指南/居住证", "title": "居住证办理指南", "state": "active", "kind": None},
        {"id": "公示公告/旧公示", "title": "旧公示", "state": "expired", "kind": "公示"},
    ],
    "ticker": ["滚动消息：明日停水"],
    "bundle": {"version": 7, "verified": True, "stale": False, "refused": None, "source_version": 8,
               "behind_since": "2026-11-27T09:58:00+08:00"},
    "sync": {"url": "https://x/", "last_attempt": "2026-11-27T09:59:00+08:00",
             "last_ok": "2026-11-27T09:59:00+08:00", "last_error": None, "interval": 60},
    "drop": {"errors": [{"file": "公示公告/坏.txt", "error": "…"}, {"file": "bundle:财务公开/x.csv", "error": "…"}]},
    "render": {"fps": 59.9, "frame_ms_p99": 3.1},
    "clock": {"trusted": True},
    "power": {"screen": "on", "scheduled": "on", "next_change": "2026-11-27T19:30+08:00",
              "next_on": "2026-11-30T07:30+08:00", "last_error": None},
    "interaction": {"touch": False},
}
HOST = HostFacts(start_time=1795700000.0, restarts=3, state_free_bytes=5 * 2 ** 30, state_size_bytes=30 * 2 ** 30,
                 cpu_temperature_celsius=51.5, throttled=frozenset({"under_voltage"}),
                 throttled_since_boot=frozenset({"under_voltage", "throttled"}))


def samples(text: bytes) -> dict[tuple[str, tuple], float]:
    """Parse the exposition back (fails on invalid text) into {(name, labels): value}."""
    out = {}
    for family in text_string_to_metric_families(text.decode("utf-8")):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def ts(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp()


def test_every_fact_of_a_full_status_as_valid_prometheus_text() -> None:
    got = samples(render(STATUS, HOST, 60.0))
    value = {name: v for (name, labels), v in got.items() if not labels}
    assert value["signage_last_report_timestamp_seconds"] == ts(STATUS["updated_at"])
    assert value["signage_report_interval_seconds"] == 60
    assert (value["signage_bundle_version"], value["signage_bundle_source_version"]) == (7, 8)
    assert value["signage_bundle_behind_since_timestamp_seconds"] == ts("2026-11-27T09:58:00+08:00")
    assert value["signage_sync_last_success_timestamp_seconds"] == ts("2026-11-27T09:59:00+08:00")
    assert (value["signage_sync_interval_seconds"], value["signage_sync_error"]) == (60, 0)
    assert value["signage_drop_problems"] == 1  # the bundle's own problem is not the staff's
    assert (value["signage_clock_trusted"], value["signage_fps"]) == (1, 59.9)
    assert value["signage_frame_cpu_p99_seconds"] == pytest.approx(0.0031)
    assert (value["signage_screen_on"], value["signage_power_scheduled_on"]) == (1, 1)
    assert value["signage_power_next_change_timestamp_seconds"] == ts("2026-11-27T19:30+08:00")
    assert value["signage_power_next_on_timestamp_seconds"] == ts("2026-11-30T07:30+08:00")
    assert (value["signage_notices_showing"], value["signage_gongshi_showing"]) == (2, 1)
    assert (value["signage_start_time_seconds"], value["signage_restarts_total"]) == (1795700000.0, 3)
    assert value["signage_state_free_bytes"] / value["signage_state_size_bytes"] == pytest.approx(1 / 6)
    assert value["signage_cpu_temperature_celsius"] == 51.5
    assert got[("signage_info", (("version", "0.1.0"),))] == 1
    assert got[("signage_throttled", (("flag", "under_voltage"),))] == 1
    assert got[("signage_throttled", (("flag", "throttled"),))] == 0
    assert got[("signage_throttled_since_boot", (("flag", "throttled"),))] == 1
    assert {name for name, _labels in got} == set(NAMES)


def test_no_notice_text_in_any_metric() -> None:
    text = render(STATUS, HOST, 60.0).decode("utf-8")
    for secret in (SECRET_TITLE, SECRET_ID, "张三", "任前公示", "居住证", "明日停水", "坏.txt", "财务公开"):
        assert secret not in text
    # the receiver's view of the same screen, from its heartbeat, neither
    doc = payload(STATUS, "马宫街道便民服务中心", interval=300, host=HOST)
    report = parse_report(doc, 1795744900.0)
    text = exposition(families(report.observation, {"screen": report.screen})).decode("utf-8")
    assert "signage_bundle_version" in text
    assert all(secret not in text for secret in (SECRET_TITLE, SECRET_ID, "张三", "任前公示"))


def test_unknown_facts_are_absent_not_zero() -> None:
    got = samples(render({}))
    assert set(got) == {("signage_info", (("version", "0.1.0"),))}
    off = samples(render({"render": {"fps": None}, "power": {"screen": "off", "next_change": "2026-11-28T07:30+08:00"},
                          "notices": [{"id": "a", "state": "active"}]}))
    names = {name for name, _ in off}
    assert "signage_fps" not in names and "signage_gongshi_showing" not in names  # no entry says its kind
    assert off[("signage_notices_showing", ())] == 1
    # an older player's power section: the screen follows its schedule; while off the next change is the next "on"
    assert off[("signage_power_scheduled_on", ())] == 0
    assert off[("signage_power_next_on_timestamp_seconds", ())] == ts("2026-11-28T07:30+08:00")
    assert "signage_sync_error" not in names  # no sync configured


def test_the_receiver_label_goes_on_every_series_and_survives_odd_names() -> None:
    name = '马宫"街道\\中心'
    got = samples(render(STATUS, HOST, 60.0, labels={"screen": name}))
    assert got and all(dict(labels)["screen"] == name for _n, labels in got)


def test_the_heartbeat_carries_what_the_player_would_expose() -> None:
    doc = payload(STATUS, "屏", interval=300, host=HOST)
    assert "张三" not in str(doc["health"])
    received = parse_report(doc, 1795744900.0).observation
    local = from_status(STATUS, HOST, 300)
    assert received.host == local.host
    assert {k: v for k, v in vars(received).items() if k != "updated_at"} == \
        {k: v for k, v in vars(local).items() if k != "updated_at"}
    assert received.updated_at == 1795744900.0  # the receiver's clock, not the screen's


def test_status_additions_power_schedule() -> None:
    schedule = PowerSchedule(dt.time(7, 30), dt.time(19, 30), frozenset(range(5)))
    friday_noon = dt.datetime(2026, 11, 27, 12, 0, tzinfo=TZ)
    on = power_section(schedule, True, friday_noon, None)
    assert on == {"screen": "on", "scheduled": "on", "next_change": "2026-11-27T19:30+08:00",
                  "next_on": "2026-11-30T07:30+08:00", "last_error": None}
    night = power_section(schedule, False, dt.datetime(2026, 11, 27, 21, 0, tzinfo=TZ), None)
    assert night["scheduled"] == "off" and night["next_on"] == night["next_change"] == "2026-11-30T07:30+08:00"
    always = power_section(PowerSchedule(), True, friday_noon, None)
    assert always["scheduled"] == "on" and always["next_on"] is None and always["next_change"] is None
    overnight = PowerSchedule(dt.time(20, 0), dt.time(6, 0))
    assert overnight.next_on(dt.datetime(2026, 11, 27, 23, 0)) == dt.datetime(2026, 11, 28, 20, 0)


def test_status_notices_say_their_kind(sample_library) -> None:
    from player.model.schedule import evaluate
    from player.runtime.status import Showing, build_status
    now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
    decisions = evaluate(sample_library, now, TZ, ("lobby",))
    status = build_status(now, sample_library, decisions, Showing(None, 0, 0), None, None, True)
    kinds = {n["id"]: n["kind"] for n in status["notices"]}
    assert "公示" in kinds.values() and None in kinds.values()
    assert samples(render(status))[("signage_gongshi_showing", ())] == sum(
        1 for n in status["notices"] if n["kind"] == "公示" and n["state"] == "active")


# -- host facts ---------------------------------------------------------------------------

def test_the_start_counter_persists_in_the_state_dir(tmp_path: Path) -> None:
    state = tmp_path / "state"
    assert [count_start(state) for _ in range(3)] == [1, 2, 3]
    (state / "starts").write_text("garbage", encoding="ascii")
    assert count_start(state) == 1
    assert HostProbe(state, starts=5).facts().restarts == 4


def test_host_facts_from_the_pi_firmware_files(tmp_path: Path) -> None:
    (tmp_path / "temp").write_text("51234\n", encoding="ascii")
    (tmp_path / "get_throttled").write_text("50005\n", encoding="ascii")
    facts = HostProbe(tmp_path, starts=1, started=1795700000.0, thermal=tmp_path / "temp",
                      throttled_sysfs=tmp_path / "get_throttled", vcgencmd=None).facts()
    assert facts.cpu_temperature_celsius == 51.234 and facts.restarts == 0 and facts.start_time == 1795700000.0
    assert facts.throttled == {"under_voltage", "throttled"}
    assert facts.throttled_since_boot == {"under_voltage", "throttled"}
    vfs = os.statvfs(tmp_path)
    assert facts.state_size_bytes == vfs.f_blocks * vfs.f_frsize and 0 < facts.state_free_bytes <= facts.state_size_bytes


def test_throttling_from_a_real_vcgencmd_program(tmp_path: Path) -> None:
    program = tmp_path / "vcgencmd"
    program.write_text("#!/bin/sh\n[ \"$1\" = get_throttled ] && echo throttled=0x40002\n", encoding="ascii")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    facts = HostProbe(tmp_path, thermal=tmp_path / "none", throttled_sysfs=tmp_path / "none",
                      vcgencmd=str(program)).facts()
    assert facts.throttled == {"arm_frequency_capped"} and facts.throttled_since_boot == {"throttled"}
    assert facts.cpu_temperature_celsius is None


def test_elsewhere_the_pi_facts_are_absent(tmp_path: Path) -> None:
    facts = HostProbe(tmp_path, thermal=tmp_path / "none", throttled_sysfs=tmp_path / "none",
                      vcgencmd="no-such-vcgencmd").facts()
    assert facts.throttled is None and facts.throttled_since_boot is None and facts.restarts is None
    names = {n for n, _ in samples(render({}, facts))}
    assert "signage_throttled" not in names and "signage_cpu_temperature_celsius" not in names
    assert "signage_state_free_bytes" in names


def test_throttled_text_forms() -> None:
    assert parse_throttled("throttled=0x50005\n") == 0x50005 and parse_throttled("0") == 0
    assert parse_throttled("error") is None
    assert decode_throttled(0x80008) == (frozenset({"soft_temperature_limit"}), frozenset({"soft_temperature_limit"}))


# -- the service and its config ----------------------------------------------------------

def _probe(tmp_path: Path) -> HostProbe:
    return HostProbe(tmp_path, starts=2, thermal=tmp_path / "none", throttled_sysfs=tmp_path / "none", vcgencmd=None)


def test_the_service_writes_the_textfile_and_serves_metrics(tmp_path: Path) -> None:
    current = {"status": {}}
    textfile = tmp_path / "textfile" / "signage.prom"
    textfile.parent.mkdir()
    service = MetricsService(MetricsConfig(textfile, ("127.0.0.1", 0)), lambda: current["status"], tmp_path,
                             _probe(tmp_path), every=0.05)
    service.start()
    try:
        assert service.address is not None
        url = f"http://127.0.0.1:{service.address[1]}/metrics"
        current["status"] = STATUS  # the loop hands over a new document
        assert wait_until(lambda: b"signage_bundle_version 7.0" in textfile.read_bytes())
        with urllib.request.urlopen(url, timeout=5) as reply:
            assert reply.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            body = reply.read()
        got = samples(body)
        assert got[("signage_bundle_version", ())] == 7 and got[("signage_restarts_total", ())] == 1
        assert SECRET_TITLE.encode() not in body and SECRET_ID.encode() not in body
        assert samples(textfile.read_bytes())[("signage_report_interval_seconds", ())] == 60
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url.replace("/metrics", "/status"), timeout=5)
        assert missing.value.code == 404
    finally:
        service.stop()
    assert [p.name for p in textfile.parent.iterdir()] == ["signage.prom"]  # no temp files left
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)


def test_off_by_default_nothing_starts(tmp_path: Path) -> None:
    calls = []
    service = MetricsService(MetricsConfig(), lambda: calls.append(1) or {}, tmp_path, _probe(tmp_path))
    service.start()
    service.stop()
    assert not service.enabled and calls == [] and service.address is None


def test_a_taken_port_is_one_error_line_and_the_textfile_goes_on(tmp_path: Path, caplog) -> None:
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        service = MetricsService(MetricsConfig(tmp_path / "signage.prom", taken.getsockname()), lambda: STATUS,
                                 tmp_path, _probe(tmp_path))
        service.start()
        service.stop()
    assert service.address is None and (tmp_path / "signage.prom").is_file()
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"][0].startswith("metrics: cannot listen")


def _config(tmp_path: Path, metrics: str):
    drop = tmp_path / "drop"
    drop.mkdir(exist_ok=True)
    text = f"screen: {{name: 测试}}\ndrop: {{dir: '{drop}'}}\nstate_dir: '{tmp_path}/state'\n{metrics}"
    return parse_config(text, tmp_path / "player.yaml")


def test_the_metrics_config(tmp_path: Path) -> None:
    assert _config(tmp_path, "").metrics == MetricsConfig(None, None)
    (tmp_path / "node").mkdir()
    config = _config(tmp_path, "metrics:\n  textfile: node\n  listen: 9105\n")
    assert config.metrics == MetricsConfig(tmp_path / "node" / "signage.prom", ("127.0.0.1", 9105))
    config = _config(tmp_path, "metrics: {textfile: node/screen.prom, listen: '0.0.0.0:9105'}\n")
    assert config.metrics == MetricsConfig(tmp_path / "node" / "screen.prom", ("0.0.0.0", 9105))
    assert parse_listen("[::1]:9105") == ("::1", 9105)
    with pytest.raises(ConfigError, match=r"player.yaml:5: metrics.listen: expected HOST:PORT"):
        _config(tmp_path, "metrics:\n  listen: 99999\n")
    with pytest.raises(ConfigError, match=r"metrics.textfile: folder .*missing does not exist"):
        _config(tmp_path, "metrics: {textfile: missing/signage.prom}\n")
    with pytest.raises(ConfigError, match=r"metrics.textfile: expected node_exporter's textfile folder"):
        _config(tmp_path, "metrics: {textfile: node/signage.txt}\n")
    with pytest.raises(ConfigError, match=r"metrics.port: unknown key"):
        _config(tmp_path, "metrics: {port: 1}\n")


def test_the_sync_status_knows_the_newest_version_at_the_source(tmp_path: Path, server, keys) -> None:
    from player.runtime.syncing import bundle_section, sync_section
    from test_sync import V1, V2, publish, sync_for
    publish(tmp_path, server, keys["key"], V1)
    sync = sync_for(tmp_path, server, keys["pub"])
    assert sync.run_once().result == "updated"
    assert (sync.status.source_version, sync.status.behind_since) == (1, None)
    assert sync.run_once().result == "unchanged" and sync.status.source_version == 1  # a 304 too
    publish(tmp_path, server, keys["other"], V2)  # version 2, signed with the wrong key
    assert sync.run_once().result == "refused"
    assert sync.status.source_version == 2 and sync.status.behind_since == sync.status.last_attempt
    section = bundle_section(sync)
    assert (section["version"], section["source_version"], section["behind_since"]) == (1, 2, sync.status.last_attempt)
    assert sync_section(sync, 60.0)["interval"] == 60.0 and "interval" not in sync_section(sync)
    got = samples(render({"bundle": section, "sync": sync_section(sync, 60.0)}))
    assert got[("signage_bundle_source_version", ())] - got[("signage_bundle_version", ())] == 1
    assert got[("signage_bundle_refused", ())] == 1 and got[("signage_sync_error", ())] == 1
    publish(tmp_path, server, keys["key"], V2, version=3)
    assert sync.run_once().result == "updated"
    assert (sync.status.source_version, sync.status.behind_since) == (3, None)

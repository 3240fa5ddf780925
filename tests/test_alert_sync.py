"""The alert channel against a real HTTP server on 127.0.0.1 (tests/bundle_server.py).

Every refused or failed poll must keep the previous snapshot and sequence, and say in
one line what was wrong."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bundle_server import BundleServer, Fault
from conftest import wait_until
from player.model.alerts import MAX_DOCUMENT, Alert, AlertDocument, Level
from player.model.alertstate import AlertClock, active_alerts
from player.sources.alertpublish import send
from player.sources.alerts import AlertSync, Result
from player.sources.bundle import load_public_key, sign
from player.sources.fetch import Fetcher

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 7, 1, 10, 0, tzinfo=TZ)


def red(alert_id="typhoon", **kw) -> Alert:
    fields = dict(id=alert_id, level=Level.RED, title="台风红色预警", sent=NOW, expires=NOW + dt.timedelta(hours=2),
                  text="台风将于今晚登陆。")
    fields.update(kw)
    return Alert(**fields)


def sync_for(tmp_path: Path, server: BundleServer, keys, deadline=5.0, **kw) -> AlertSync:
    fetcher = Fetcher(timeout=min(2.0, deadline), deadline=deadline)
    return AlertSync(server.url, fetcher, load_public_key(keys["pub"]), tmp_path / "state" / "alerts",
                     lambda: NOW, pause=lambda _s: None, **kw)


def write_doc(site: Path, data: bytes, key) -> None:
    (site / "alerts.json").write_bytes(data)
    if key is not None:
        (site / "alerts.json.sig").write_bytes(sign(data, key))


def raw_doc(sequence: int, **changes) -> bytes:
    entry = red().to_json()
    entry.update(changes)
    entry = {k: v for k, v in entry.items() if v is not ...}
    return json.dumps({"format": 1, "sequence": sequence, "issued": NOW.isoformat(), "alerts": [entry]},
                      ensure_ascii=False).encode()


def shown(sync: AlertSync, tags=("lobby",)) -> list[str]:
    return [a.alert.id for a in active_alerts([sync.snapshot], tags, AlertClock(NOW, True, 0.0))]


@pytest.fixture
def live(tmp_path, server, keys) -> AlertSync:
    """A channel that has accepted sequence 1 with the red alert 'typhoon'."""
    send(server.root, keys["key"], red(), NOW)
    sync = sync_for(tmp_path, server, keys)
    assert sync.run_once().result is Result.UPDATED
    assert shown(sync) == ["typhoon"] and sync.status.sequence == 1
    return sync


def test_a_published_alert_is_accepted_and_then_costs_one_304(tmp_path, server, keys) -> None:
    got = []
    send(server.root, keys["key"], red(), NOW)
    sync = sync_for(tmp_path, server, keys, on_alerts=got.append)
    outcome = sync.run_once()
    assert (outcome.result, outcome.sequence) == (Result.UPDATED, 1)
    assert got == [sync.snapshot] and got[0].document.alerts[0].title == "台风红色预警"
    server.log.clear()
    assert sync.run_once().result is Result.UNCHANGED
    assert [(e.path, e.status, e.sent) for e in server.settle()] == [("/alerts.json", 304, 0)]
    assert sync.status.last_error is None and sync.status.last_ok


def test_nothing_published_yet_is_not_an_error(tmp_path, server, keys) -> None:
    sync = sync_for(tmp_path, server, keys)
    outcome = sync.run_once()
    assert outcome.result is Result.UNCHANGED and "nothing published" in outcome.message
    assert sync.snapshot is None and sync.status.last_error is None


def _refused_keeps_the_alert(sync: AlertSync, expect: Result, words: str) -> None:
    before = sync.snapshot
    outcome = sync.run_once()
    assert outcome.result is expect, outcome
    assert words in outcome.message, outcome.message
    assert "\n" not in outcome.message
    assert sync.snapshot is before and sync.status.sequence == 1 and shown(sync) == ["typhoon"]
    assert sync.status.last_error == outcome.message


def test_unsigned_is_refused(live, server) -> None:
    write_doc(server.root, raw_doc(2, title="伪造预警"), None)
    (server.root / "alerts.json.sig").unlink()
    _refused_keeps_the_alert(live, Result.REFUSED, "not signed")


def test_wrong_key_is_refused(live, server, keys) -> None:
    write_doc(server.root, raw_doc(2, title="伪造预警"), keys["other"])
    _refused_keeps_the_alert(live, Result.REFUSED, "signature does not verify")


def test_tampered_is_refused(live, server, keys) -> None:
    send(server.root, keys["key"], red("second", level=Level.BLUE), NOW)
    data = (server.root / "alerts.json").read_bytes().replace("台风红色预警".encode(), "台风已经过去".encode())
    (server.root / "alerts.json").write_bytes(data)
    _refused_keeps_the_alert(live, Result.REFUSED, "signature does not verify")


def test_a_replayed_older_sequence_is_refused_also_after_a_restart(tmp_path, live, server, keys) -> None:
    old = (server.root / "alerts.json").read_bytes(), (server.root / "alerts.json.sig").read_bytes()
    send(server.root, keys["key"], red("second", level=Level.BLUE), NOW)
    assert live.run_once().result is Result.UPDATED and live.status.sequence == 2
    (server.root / "alerts.json").write_bytes(old[0])
    (server.root / "alerts.json.sig").write_bytes(old[1])
    before = live.snapshot
    outcome = live.run_once()
    assert outcome.result is Result.REFUSED and "sequence 1 is older than the accepted sequence 2" in outcome.message
    assert live.snapshot is before
    restarted = sync_for(tmp_path, server, keys)  # same state dir: a player that rebooted
    assert restarted.status.sequence == 2 and restarted.snapshot.restored
    assert sorted(shown(restarted)) == ["second", "typhoon"]
    outcome = restarted.run_once()
    assert outcome.result is Result.REFUSED and "replay or rollback refused" in outcome.message
    assert sorted(shown(restarted)) == ["second", "typhoon"]


def test_same_sequence_with_other_bytes_is_refused(live, server, keys) -> None:
    write_doc(server.root, raw_doc(1, title="同号不同内容"), keys["key"])
    _refused_keeps_the_alert(live, Result.REFUSED, "kept sequence 1")


@pytest.mark.parametrize("changes, words", [
    ({"expires": ...}, "has no expires"),
    ({"level": "紫"}, "unknown level '紫'"),
    ({"type": "panic"}, "type is 'panic'"),
])
def test_signed_but_invalid_documents_are_refused(live, server, keys, changes, words) -> None:
    write_doc(server.root, raw_doc(2, **changes), keys["key"])
    _refused_keeps_the_alert(live, Result.REFUSED, words)


def test_an_expired_alert_is_not_shown_and_says_so(live, server, keys) -> None:
    past = AlertDocument(2, NOW, (red("old", sent=NOW - dt.timedelta(hours=3), expires=NOW - dt.timedelta(hours=1)),))
    write_doc(server.root, past.to_bytes(), keys["key"])
    assert live.run_once().result is Result.UPDATED  # the publisher's newest state: 'typhoon' is no longer in it
    assert shown(live) == [] and "alert 'old' expired at 2026-07-01T09:00:00+08:00, not shown" in live.status.refused


@pytest.mark.parametrize("fault, words", [
    (Fault("huge", size=MAX_DOCUMENT + 1), f"over the {MAX_DOCUMENT} byte limit"),
    (Fault("endless"), f"more than {MAX_DOCUMENT} bytes, cut off"),
    (Fault("replace", data=b"<!DOCTYPE html><html><body>Wi-Fi login</body></html>"), "HTML page"),
    (Fault("status", status=503, retry_after="30"), "HTTP 503"),
])
def test_server_faults_fail_and_keep_the_alert(live, server, fault, words) -> None:
    server.faults["/alerts.json"] = fault
    live._etag = live._modified = None  # ask unconditionally, as a fresh player would
    _refused_keeps_the_alert(live, Result.FAILED, words)


def test_a_trickling_response_is_cut_at_the_deadline(tmp_path, server, keys) -> None:
    send(server.root, keys["key"], red(), NOW)
    server.faults["/alerts.json"] = Fault("slow", interval=0.2)
    sync = sync_for(tmp_path, server, keys, deadline=1.0)
    outcome = sync.run_once()
    assert outcome.result is Result.FAILED and "not complete after 1 s, cut off" in outcome.message
    assert sync.snapshot is None and sync.status.sequence is None


def test_backoff_after_failures_and_retry_after(live) -> None:
    from player.sources.alerts import AlertOutcome
    live.interval = 10.0
    waits = [live.next_wait(AlertOutcome(Result.UNCHANGED)) for _ in range(200)]
    assert 9.0 <= min(waits) and max(waits) <= 11.0
    failed = [live.next_wait(AlertOutcome(Result.FAILED)) for _ in range(10)]
    assert all(5.0 <= w <= 60.0 for w in failed)
    assert live.next_wait(AlertOutcome(Result.FAILED, retry_after=120)) == 120
    assert live.next_wait(AlertOutcome(Result.FAILED, retry_after=99_999)) == 600


def test_the_worker_delivers_a_new_alert_within_one_poll_and_stops(tmp_path, server, keys) -> None:
    got: list = []
    arrived = threading.Event()

    def on_alerts(snapshot) -> None:
        got.append(snapshot)
        arrived.set()
    sync = sync_for(tmp_path, server, keys, interval=0.5, on_alerts=on_alerts)
    sync.start()
    try:
        assert wait_until(lambda: sync.status.last_ok, timeout=5)  # polling, nothing published yet
        send(server.root, keys["key"], red(), NOW)
        assert arrived.wait(timeout=5)
        assert got[-1].document.sequence == 1
        send(server.root, keys["key"], dataclasses.replace(red(), level=Level.ORANGE), NOW)
        assert wait_until(lambda: got[-1].document.sequence == 2, timeout=5)
    finally:
        sync.stop()
    assert got[-1].document.alerts[0].level is Level.ORANGE


def test_the_config_turns_the_channel_on_and_status_reports_it(tmp_path, server, keys) -> None:
    from conftest import write_config
    from player.config import ConfigError, load_config
    from player.runtime.alerting import alerts_section, make_alert_sync
    drop = tmp_path / "drop"
    drop.mkdir()
    assert make_alert_sync(load_config(write_config(tmp_path / "none", drop)), lambda: NOW) is None
    assert alerts_section(None, ())["active"] == [] and alerts_section(None, ())["sequence"] is None
    extra = f"sync: {{url: '{server.url}', public_key: '{keys['pub']}'}}\nalerts: {{interval: 4}}\n"
    config = load_config(write_config(tmp_path / "on", drop, extra=extra))
    assert (config.alerts_url, config.alerts_key, config.alerts.interval) == (server.url, keys["pub"], 4.0)
    sync = make_alert_sync(config, lambda: NOW)
    assert sync.url == server.url and sync.interval == 4 and sync.fetcher.deadline == 4
    assert sync.state_dir == config.state_dir / "alerts"
    send(server.root, keys["key"], red(screens=("lobby",)), NOW)
    assert sync.run_once().result is Result.UPDATED
    active = active_alerts([sync.snapshot], config.screen.tags, AlertClock(NOW, True, 0.0))
    section = alerts_section(sync, active)
    assert section["active"] == [{"id": "typhoon", "level": "红", "type": "alert", "status": "actual", "drill": False,
                                  "title": "台风红色预警", "source": "district", "full_screen": True,
                                  "until": "2026-07-01T12:00:00+08:00"}]
    assert section["sequence"] == 1 and section["last_error"] is None and section["url"] == server.url
    sync.fetcher.close()
    bad = f"alerts: {{url: '{server.url}'}}\n"
    with pytest.raises(ConfigError, match="alerts.public_key: missing"):
        load_config(write_config(tmp_path / "bad", drop, extra=bad))
    with pytest.raises(ConfigError, match="alerts.interval: expected a number from 2"):
        load_config(write_config(tmp_path / "fast", drop, extra="alerts: {interval: 1}\n"))

"""``signage fleet receive``: a real server on 127.0.0.1, real heartbeats, real attacks."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, run_signage, wait_until
from player.config import ReportConfig
from player.fleet.observation import HostFacts
from player.fleet.receive import Receiver
from player.fleet.screens import ScreenStore, safe_name
from player.runtime.report import Heartbeat, payload
from test_fleet_metrics import STATUS

TOKEN = "f3a9c2d4e5b6a7980112233445566778"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


class Clock:
    """The receiver's clock, set by the test."""

    def __init__(self, now: float = 1_795_744_800.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fleet(tmp_path: Path):
    clock = Clock()
    receiver = Receiver(("127.0.0.1", 0), ScreenStore(tmp_path / "fleet"), TOKEN, max_body=64 * 1024,
                        clock=clock).start()
    (tmp_path / "fleet").mkdir()
    receiver.url = f"http://127.0.0.1:{receiver.address[1]}"
    receiver.fake_clock = clock
    yield receiver
    receiver.stop()


def post(fleet, doc, token: str | None = TOKEN, path: str = "/heartbeat") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(fleet.url + path, json=doc, headers=headers, timeout=10)


def metrics(fleet) -> dict[tuple[str, tuple], float]:
    text = requests.get(fleet.url + "/metrics", timeout=10).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def screen_doc(name: str, **extra) -> dict:
    return {**payload(STATUS, name, interval=60, host=HostFacts(restarts=1)), **extra}


def test_reports_become_metrics_with_a_screen_label(fleet) -> None:
    for name in ("马宫街道便民服务中心", "长安社区服务站"):
        assert post(fleet, screen_doc(name)).status_code == 204
    got = metrics(fleet)
    assert got[("signage_fleet_screens", ())] == 2
    for name in ("马宫街道便民服务中心", "长安社区服务站"):
        label = (("screen", name),)
        assert got[("signage_bundle_version", label)] == 7 and got[("signage_up", label)] == 1
        assert got[("signage_last_report_timestamp_seconds", label)] == fleet.fake_clock.now
        assert got[("signage_restarts_total", label)] == 1
    assert all("screen" in dict(labels) for name, labels in got
               if name not in ("signage_fleet_screens", "signage_fleet_reports_total"))
    assert got[("signage_fleet_reports_total", (("result", "accepted"),))] == 2
    fleet.fake_clock.now += 3 * 60 + 1  # three report intervals later, without news
    assert metrics(fleet)[("signage_up", (("screen", "长安社区服务站"),))] == 0


def test_without_the_token_nothing_is_accepted(fleet, tmp_path: Path) -> None:
    assert post(fleet, screen_doc("a"), token=None).status_code == 401
    wrong = post(fleet, screen_doc("a"), token=TOKEN[:-1] + "0")
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    basic = requests.post(fleet.url + "/", json=screen_doc("a"), auth=("u", TOKEN), timeout=10)
    assert basic.status_code == 401
    assert list((tmp_path / "fleet").iterdir()) == []
    assert metrics(fleet)[("signage_fleet_reports_total", (("result", "unauthorized"),))] == 3


def test_an_oversize_body_is_refused_before_it_is_read(fleet) -> None:
    big = screen_doc("a", showing="x" * 70_000)
    assert post(fleet, big).status_code == 413
    with socket.create_connection(("127.0.0.1", fleet.address[1]), timeout=10) as conn:
        conn.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                     "Content-Length: 999999999999\r\n\r\n".encode())
        assert conn.recv(100).startswith(b"HTTP/1.0 413")
    with socket.create_connection(("127.0.0.1", fleet.address[1]), timeout=10) as conn:
        conn.sendall(f"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n".encode())
        assert conn.recv(100).startswith(b"HTTP/1.0 411")


@pytest.mark.parametrize("change, field", [
    ({"screen": 5}, "screen"),
    ({"screen": ""}, "screen"),
    ({"screen": "x" * 201}, "screen"),
    ({"screen": "a\nb"}, "screen"),
    ({"player_version": None}, "player_version"),
    ({"sent_at": "yesterday"}, "sent_at"),
    ({"bundle": {"version": -1}}, "bundle.version"),
    ({"bundle": {"version": True}}, "bundle.version"),
    ({"bundle": "7"}, "bundle"),
    ({"drop_errors": 1.5}, "drop_errors"),
    ({"render": {"fps": float("inf")}}, "render.fps"),
    ({"power": {"screen": "dim"}}, "power.screen"),
    ({"showing": "x" * 1001}, "showing"),
    ({"health": {"fps": 1e9}}, "health.fps"),
    ({"health": {"throttled": ["melting"]}}, "health.throttled"),
    ({"health": {"power_next_on": 1e12}}, "health.power_next_on"),
    ({"health": {"restarts": "3"}}, "health.restarts"),
    ({"health": []}, "health"),
    ({"screenshot_png_base64": "not base64!"}, "screenshot_png_base64"),
    ({"screenshot_png_base64": base64.b64encode(b"GIF89a....").decode()}, "screenshot_png_base64"),
])
def test_every_field_is_validated(fleet, change: dict, field: str) -> None:
    doc = screen_doc("a")
    doc.update(change)
    if "health" in change and isinstance(change["health"], dict):
        doc["health"] = {**screen_doc("a")["health"], **change["health"]}
    reply = requests.post(fleet.url + "/", data=json.dumps(doc, allow_nan=True),
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert reply.status_code == 400 and reply.text.startswith(field + ":"), reply.text
    assert metrics(fleet)[("signage_fleet_screens", ())] == 0


def test_not_json_and_not_an_object(fleet) -> None:
    for body in (b"{", b"[1, 2]", "缺".encode("gbk")):
        reply = requests.post(fleet.url + "/", data=body, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert reply.status_code == 400


def test_a_screen_name_is_data_never_a_path(fleet, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    names = ["../../x", "/etc/passwd", "..", ".hidden", "a/b", "公示/../../../tmp/evil", "C:\\x", "%2e%2e"]
    for name in names:
        assert post(fleet, screen_doc(name, screenshot_png_base64=base64.b64encode(PNG).decode())).status_code == 204
    assert fleet.store.flush() == len(names)  # written now (else by the flusher within 2 s)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing beside the folder
    files = sorted(p.name for p in (tmp_path / "fleet").iterdir())
    assert len(files) == 2 * len(names) and all(not f.startswith(".") for f in files)
    assert all("/" not in f and ".." not in f for f in files)
    assert safe_name("../../x").startswith("x-") and safe_name("..") != safe_name(".")
    assert {dict(labels)["screen"] for name, labels in metrics(fleet) if name == "signage_info"} == set(names)
    for name in names:  # each one's screenshot, by its URL-encoded name (dots too: clients fold "..")
        url = f"{fleet.url}/screens/{urllib.parse.quote(name, safe='').replace('.', '%2E')}/screen.png"
        assert requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).content == PNG


def test_the_screenshot_only_with_the_token(fleet) -> None:
    assert post(fleet, screen_doc("大厅", screenshot_png_base64=base64.b64encode(PNG).decode())).status_code == 204
    assert post(fleet, screen_doc("大厅")).status_code == 204  # a later report without one keeps it
    url = f"{fleet.url}/screens/{urllib.parse.quote('大厅')}/screen.png"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=10).status_code == 401
    reply = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "image/png" and reply.content == PNG
    other = f"{fleet.url}/screens/{urllib.parse.quote('其他')}/screen.png"
    assert requests.get(other, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).status_code == 404
    traversal = f"{fleet.url}/screens/../../etc/passwd/screen.png"
    assert requests.get(traversal, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).status_code == 404


def test_the_latest_report_per_screen_survives_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "fleet"
    folder.mkdir()
    first = Receiver(("127.0.0.1", 0), ScreenStore(folder), TOKEN, clock=Clock(1_795_744_800.0)).start()
    url = f"http://127.0.0.1:{first.address[1]}/"
    try:
        for version in (6, 7):
            doc = screen_doc("甲")
            doc["health"]["bundle_version"] = version
            assert requests.post(url, json=doc, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).ok
    finally:
        first.stop()
    (folder / "garbage.json").write_text("{", encoding="utf-8")
    moved = json.loads(next(folder.glob("*.json")).read_text(encoding="utf-8"))  # a file under another name
    (folder / (safe_name("乙") + ".json")).write_text(json.dumps(moved), encoding="utf-8")
    store = ScreenStore(folder)
    assert store.load() == 1
    entry = store.get("甲")
    assert entry.report.observation.bundle_version == 7 and entry.report.received_at == 1_795_744_800.0


def test_real_heartbeats_from_many_threads(fleet) -> None:
    config = ReportConfig(url=fleet.url + "/heartbeat", interval=60, headers=(("Authorization", f"Bearer {TOKEN}"),))
    beats = [Heartbeat(config, lambda: STATUS, None, screen=f"屏{i:03d}", host=lambda: HostFacts(restarts=0))
             for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda beat: [beat.send_once() for _ in range(5)], beats))
    for beat in beats:
        beat.stop()
    assert all(all(r) for r in results)
    got = metrics(fleet)
    assert got[("signage_fleet_screens", ())] == 40
    assert got[("signage_fleet_reports_total", (("result", "accepted"),))] == 200


# -- the command ------------------------------------------------------------------------

def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    short = tmp_path / "short"
    short.write_text("abc\n", encoding="utf-8")
    cases = [
        (["--token-file", str(tmp_path / "missing")], "--token-file: cannot read"),
        (["--token-file", str(empty)], "is empty"),
        (["--token-file", str(short)], "shorter than 16"),
        (["--token-file", str(empty), "--listen", "nowhere:port"], "--listen: expected HOST:PORT"),
    ]
    for args, message in cases:
        result = run_signage("fleet", "receive", "--dir", str(tmp_path / "d"), *args)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr
    assert run_signage("fleet", "receive", "--dir", str(tmp_path)).returncode == 2  # --token-file required


def test_the_command_receives_and_stops_on_sigterm(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SIGNAGE_CONFIG"}
    proc = subprocess.Popen([sys.executable, "-m", "player", "fleet", "receive", "--listen", f"127.0.0.1:{port}",
                             "--dir", str(tmp_path / "fleet"), "--token-file", str(token)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return requests.get(url + "/metrics", timeout=2).ok
            except requests.RequestException:
                return False
        assert wait_until(up, timeout=20)
        reply = requests.post(url + "/", json=screen_doc("命令行"), headers={"Authorization": f"Bearer {TOKEN}"},
                              timeout=10)
        assert reply.status_code == 204
        assert 'signage_fleet_screens 1.0' in requests.get(url + "/metrics", timeout=10).text
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "receiving heartbeats on http://127.0.0.1:" in err and TOKEN not in err
    assert len(list((tmp_path / "fleet").glob("*.json"))) == 1


def test_help_names_the_routes() -> None:
    result = run_signage("fleet", "receive", "--help")
    assert result.returncode == 0 and "/metrics" in result.stdout and "--token-file" in result.stdout


def test_the_receivers_systemd_unit_verifies(tmp_path: Path) -> None:
    from test_install import _analyze
    signage = ROOT / ".venv" / "bin" / "signage"
    unit = ROOT / "deploy" / "systemd" / "signage-fleet.service"
    text = unit.read_text(encoding="utf-8")
    assert "--token-file %d/token" in text and "LoadCredential=token:" in text
    (tmp_path / unit.name).write_text(text.replace("/opt/signage/venv/bin/signage", str(signage)), encoding="utf-8")
    result = _analyze(tmp_path, [unit.name])
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == "", result.stdout + result.stderr


def test_a_folder_that_cannot_be_written_keeps_the_reports_in_memory(fleet, tmp_path: Path, caplog) -> None:
    import shutil
    shutil.rmtree(tmp_path / "fleet")
    (tmp_path / "fleet").write_text("not a folder", encoding="utf-8")
    for _ in range(2):
        assert post(fleet, screen_doc("无盘")).status_code == 204
        assert metrics(fleet)[("signage_fleet_screens", ())] == 1
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and errors[0].startswith("cannot write to") and fleet.store.write_errors == 2

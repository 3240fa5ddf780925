"""The heartbeat (player/runtime/report.py) against a real receiver on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import logging
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from player.config import ConfigError, ReportConfig, parse_config
from player.runtime.report import Heartbeat, payload

STATUS = {
    "updated_at": "2026-11-27T10:00:00+08:00",
    "showing": {"notice": "公示公告/任前公示", "page": 1, "pages": 2},
    "notices": [{"id": "公示公告/任前公示", "title": "任前公示"}],
    "bundle": {"version": 7, "verified": True, "activated_at": "2026-11-27T09:00:00+08:00", "stale": False,
               "refused": None},
    "sync": {"url": "https://x/", "last_attempt": "2026-11-27T09:59:00+08:00",
             "last_ok": "2026-11-27T09:59:00+08:00", "last_error": None},
    "drop": {"errors": [{"file": "公示公告/坏.txt", "error": "…"}]},
    "render": {"fps": 59.9, "frame_ms_p99": 3.1},
    "clock": {"trusted": True},
    "power": {"screen": "on", "next_change": None, "last_error": None},
}


class Receiver:
    """http.server on 127.0.0.1 that keeps what it was sent."""

    def __init__(self, status: int = 204) -> None:
        self.received: list[tuple[dict, dict]] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((json.loads(body), dict(self.headers)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/heartbeat"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class LowRng(random.Random):
    """uniform() at its lower end: the first report at once, then 0.8 x interval."""

    def uniform(self, a: float, b: float) -> float:
        return a


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


def test_the_receiver_gets_the_json(receiver) -> None:
    config = ReportConfig(url=receiver.url, interval=10, headers=(("Authorization", "Bearer s3cret-token"),))
    beat = Heartbeat(config, lambda: STATUS, None, screen="马宫街道便民服务中心", rng=LowRng())
    beat.start()
    try:
        deadline = time.monotonic() + 5
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        beat.stop()
    assert len(receiver.received) == 1  # the next one is 8 s away
    doc, headers = receiver.received[0]
    assert headers["Authorization"] == "Bearer s3cret-token"
    assert headers["Content-Type"] == "application/json"
    assert doc["screen"] == "马宫街道便民服务中心" and doc["player_version"]
    assert doc["bundle"]["version"] == 7 and doc["sync"]["last_ok"] == "2026-11-27T09:59:00+08:00"
    assert doc["drop_errors"] == 1 and doc["render"] == {"fps": 59.9}
    assert doc["clock"] == {"trusted": True} and doc["power"] == {"screen": "on"}
    assert "screenshot_png_base64" not in doc and "notices" not in doc
    assert beat.sent == 1 and beat.last_error is None


def test_the_screenshot_only_when_asked(tmp_path: Path, receiver) -> None:
    shot = tmp_path / "screen.png"
    shot.write_bytes(b"\x89PNG fake")
    for wanted in (True, False):
        beat = Heartbeat(ReportConfig(url=receiver.url, screenshot=wanted), lambda: STATUS, shot, screen="s")
        assert beat.send_once()
    assert base64.b64decode(receiver.received[0][0]["screenshot_png_base64"]) == b"\x89PNG fake"
    assert "screenshot_png_base64" not in receiver.received[1][0]
    missing = Heartbeat(ReportConfig(url=receiver.url, screenshot=True), lambda: STATUS, tmp_path / "none.png")
    assert missing.send_once() and "screenshot_png_base64" not in receiver.received[2][0]


def test_nothing_is_sent_without_a_url(receiver) -> None:
    calls = []
    beat = Heartbeat(ReportConfig(), lambda: calls.append(1) or STATUS, None, screen="s")
    beat.start()
    assert not beat.enabled and beat._thread is None and not beat.send_once()
    beat.stop()
    assert receiver.received == [] and calls == []  # no thread was started that could send later


def test_a_dead_receiver_is_logged_once(caplog) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: connection refused
    beat = Heartbeat(ReportConfig(url=f"http://127.0.0.1:{port}/hb"), lambda: STATUS, None, screen="s")
    with caplog.at_level(logging.WARNING, logger="player.runtime.report"):
        assert not any(beat.send_once() for _ in range(3))
    failures = [r for r in caplog.records if "heartbeat" in r.getMessage()]
    assert len(failures) == 1 and "failed" in failures[0].getMessage()
    assert beat.last_error and beat.sent == 0


def test_an_error_status_is_a_failure_and_recovery_is_logged(caplog) -> None:
    receiver = Receiver(status=500)
    try:
        beat = Heartbeat(ReportConfig(url=receiver.url), lambda: STATUS, None, screen="s")
        with caplog.at_level(logging.INFO, logger="player.runtime.report"):
            assert not beat.send_once() and not beat.send_once()
            receiver.status = 200
            assert beat.send_once()
    finally:
        receiver.close()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("HTTP 500" in m for m in messages) == 1 and any("reached again" in m for m in messages)


def test_payload_of_an_empty_status() -> None:
    doc = payload({}, "屏")
    assert doc["screen"] == "屏" and doc["bundle"]["version"] is None and doc["drop_errors"] == 0


def _config(tmp_path: Path, report: str):
    drop = tmp_path / "drop"
    drop.mkdir(exist_ok=True)
    text = f"screen: {{name: 测试}}\ndrop: {{dir: '{drop}'}}\nstate_dir: '{tmp_path}/state'\n{report}"
    return parse_config(text, tmp_path / "player.yaml")


def test_report_config(tmp_path: Path) -> None:
    assert _config(tmp_path, "").report == ReportConfig()
    assert ReportConfig().url is None and ReportConfig().interval == 300
    config = _config(tmp_path, "report:\n  url: https://ops.district.internal/heartbeat\n  interval: 600\n"
                                "  headers: {Authorization: Bearer abc}\n  screenshot: true\n")
    assert config.report == ReportConfig("https://ops.district.internal/heartbeat", 600.0,
                                         (("Authorization", "Bearer abc"),), True)
    with pytest.raises(ConfigError, match="report.url: expected an http"):
        _config(tmp_path, "report: {url: ftp://x}\n")
    with pytest.raises(ConfigError, match="report.interval"):
        _config(tmp_path, "report: {interval: 1}\n")

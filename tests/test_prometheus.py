"""deploy/prometheus/ with the real programs from Debian's prometheus package.

promtool checks and unit-tests the rules; then a real ``prometheus`` scrapes a real
``signage fleet receive`` fed by real heartbeat senders (runtime/report.py's Heartbeat),
evaluates the real rules every second and sends its alerts to an Alertmanager stand-in
on 127.0.0.1 (``POST /api/v2/alerts``, the API Prometheus uses). A screen that stops
reporting while its schedule says on is alerted; one whose schedule says off is not.
scripts/setup.sh --test installs the package.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from conftest import ROOT, wait_until
from player.config import ReportConfig
from player.fleet.observation import HostFacts
from player.runtime.report import Heartbeat
from test_fleet_metrics import STATUS

DEPLOY = ROOT / "deploy" / "prometheus"
TOKEN = "9b1d7e0c4a5f6e3d2c1b0a9f8e7d6c5b"
INTERVAL = 2.0  # seconds between heartbeats: "silent" after 3 of them



@pytest.fixture(autouse=True)
def _programs() -> None:
    """Not a skip: CI must run these (scripts/setup.sh --test installs the package)."""
    assert shutil.which("prometheus") and shutil.which("promtool"), \
        "prometheus and promtool missing: bash scripts/setup.sh --test installs Debian's prometheus package"


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=60, cwd=DEPLOY, check=False)


def test_promtool_checks_the_rules() -> None:
    files = sorted(glob.glob(str(DEPLOY / "*.rules.yml")))
    assert files
    result = promtool("check", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_promtool_unit_tests_of_the_rules() -> None:
    result = promtool("test", "rules", "rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_rule_has_a_chinese_summary_and_a_runbook_into_the_docs() -> None:
    import yaml
    rules = yaml.safe_load((DEPLOY / "signage.rules.yml").read_text(encoding="utf-8"))["groups"][0]["rules"]
    alerts = [r for r in rules if "alert" in r]
    assert len(alerts) >= 8
    fleet_doc = (ROOT / "docs" / "fleet.md").read_text(encoding="utf-8")
    for rule in alerts:
        summary, runbook = rule["annotations"]["summary"], rule["annotations"]["runbook"]
        assert any("\u4e00" <= c <= "\u9fff" for c in summary), rule["alert"]
        page, anchor = runbook.split("#")
        assert page == "docs/fleet.md" and f"### {anchor}" in fleet_doc.lower(), runbook


def test_the_example_configuration_is_valid(tmp_path: Path) -> None:
    rules = tmp_path / "signage.rules.yml"
    shutil.copy(DEPLOY / "signage.rules.yml", rules)
    config = tmp_path / "prometheus.yml"
    config.write_text((DEPLOY / "prometheus.yml").read_text(encoding="utf-8")
                      .replace("/etc/prometheus/signage.rules.yml", str(rules)), encoding="utf-8")
    result = promtool("check", "config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr


# -- the live fleet ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AlertmanagerStandIn:
    """Alertmanager's POST /api/v2/alerts on 127.0.0.1: keeps every alert it is sent."""

    def __init__(self) -> None:
        self.alerts: list[dict] = []
        keep = self.alerts

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/api/v2/alerts":
                    keep.extend(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def firing(self, alertname: str) -> set[str]:
        return {a["labels"].get("screen") for a in list(self.alerts)
                if a["labels"].get("alertname") == alertname and a.get("endsAt", "") > _iso_now()}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _iso_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def _status(now: dt.datetime, scheduled_off: bool) -> dict:
    status = json.loads(json.dumps(STATUS))
    status["updated_at"] = now.isoformat(timespec="seconds")
    later = lambda hours: (now + dt.timedelta(hours=hours)).isoformat(timespec="minutes")  # noqa: E731
    if scheduled_off:  # dark by the schedule, on again in an hour
        status["power"] = {"screen": "off", "scheduled": "off", "next_change": later(1), "next_on": later(1),
                           "last_error": None}
        status["render"] = {"fps": None, "frame_ms_p99": None}
    else:  # on until the evening, on again tomorrow morning
        status["power"] = {"screen": "on", "scheduled": "on", "next_change": later(8), "next_on": later(20),
                           "last_error": None}
    return status


class Sender:
    """A real Heartbeat for one screen, sending every INTERVAL seconds until stopped."""

    def __init__(self, url: str, screen: str, scheduled_off: bool = False) -> None:
        config = ReportConfig(url=url, interval=INTERVAL, headers=(("Authorization", f"Bearer {TOKEN}"),))
        self.beat = Heartbeat(config, lambda: _status(dt.datetime.now().astimezone(), scheduled_off), None,
                              screen=screen, host=lambda: HostFacts(restarts=0, state_free_bytes=10 ** 9,
                                                                    state_size_bytes=4 * 10 ** 9))
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            if self.beat.send_once():
                self.sent += 1
            if self._stop.wait(INTERVAL / 2):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)
        self.beat.stop()


def evaluations(base: str) -> str:
    """When Prometheus last evaluated the alert rules (changes at every round)."""
    groups = requests.get(f"{base}/api/v1/rules", timeout=10).json()["data"]["groups"]
    return "|".join(sorted(str(g.get("lastEvaluation")) for g in groups))


def query(base: str, promql: str) -> list[dict]:
    reply = requests.get(f"{base}/api/v1/query", params={"query": promql}, timeout=10).json()
    assert reply["status"] == "success", (promql, reply)
    return reply["data"]["result"]


def test_prometheus_scrapes_the_receiver_and_alerts_a_silent_screen_but_not_one_off_by_schedule(
        tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text(TOKEN, encoding="utf-8")
    receiver_port, prometheus_port = free_port(), free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "player", "fleet", "receive", "--listen", f"127.0.0.1:{receiver_port}",
         "--dir", str(tmp_path / "fleet"), "--token-file", str(token)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True)
    alertmanager = AlertmanagerStandIn()
    rules = tmp_path / "signage.rules.yml"
    shutil.copy(DEPLOY / "signage.rules.yml", rules)
    config = tmp_path / "prometheus.yml"
    config.write_text(f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: ['{rules}']
alerting:
  alertmanagers:
    - api_version: v2
      static_configs: [{{targets: ['127.0.0.1:{alertmanager.port}']}}]
scrape_configs:
  - job_name: signage-fleet
    honor_labels: true
    static_configs: [{{targets: ['127.0.0.1:{receiver_port}']}}]
""", encoding="utf-8")
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}", "--rules.alert.resend-delay=1s",
         "--log.level=warn"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{prometheus_port}"
    senders: list[Sender] = []
    try:
        def ready(url: str) -> bool:
            try:
                return requests.get(url, timeout=2).ok
            except requests.RequestException:
                return False
        assert wait_until(lambda: ready(f"http://127.0.0.1:{receiver_port}/metrics"), timeout=20)
        assert wait_until(lambda: ready(f"{base}/-/ready"), timeout=30)
        url = f"http://127.0.0.1:{receiver_port}/heartbeat"
        senders = [Sender(url, "在线屏"), Sender(url, "失联屏"), Sender(url, "关屏时段屏", scheduled_off=True)]
        screens = {"在线屏", "失联屏", "关屏时段屏"}
        # a PromQL query through the HTTP API returns every screen
        assert wait_until(lambda: {r["metric"]["screen"] for r in query(base, "signage_info")} == screens, timeout=20)
        assert {r["metric"]["screen"] for r in query(base, "signage_bundle_version == 7")} == screens
        # two screens stop reporting: one should be on, the other is off by its schedule
        for sender in senders[1:]:
            sender.stop()
        stopped = time.time()
        assert wait_until(lambda: "失联屏" in alertmanager.firing("SignageScreenSilent"), timeout=30), \
            query(base, "ALERTS")
        assert time.time() - stopped >= 3 * INTERVAL - 1  # not before three intervals
        # the one off by schedule has been silent as long: give the rules two more rounds
        rounds = [evaluations(base)]
        for _ in range(2):
            assert wait_until(lambda: evaluations(base) != rounds[-1], timeout=15)
            rounds.append(evaluations(base))
        firing = {r["metric"]["screen"] for r in query(base, 'ALERTS{alertname="SignageScreenSilent"}')}
        assert firing == {"失联屏"}
        assert alertmanager.firing("SignageScreenSilent") == {"失联屏"}
        assert {r["metric"]["screen"] for r in query(base, "signage:off_by_schedule_until_timestamp_seconds")} \
            == {"关屏时段屏"}
        alert = next(a for a in alertmanager.alerts
                     if a["labels"]["alertname"] == "SignageScreenSilent" and a["labels"].get("screen") == "失联屏")
        assert alert["annotations"]["summary"].startswith("告示屏 失联屏 已超过 3 个上报周期没有消息")
        assert alert["annotations"]["runbook"] == "docs/fleet.md#signagescreensilent"
        assert senders[0].sent >= 5
        # every query of the Grafana dashboard runs, and the fleet table has every screen
        dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text(encoding="utf-8"))
        exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        assert len(exprs) > 15
        for expr in exprs:
            result = query(base, expr.replace("$screen", "在线屏"))
            if "signage_bundle_version" == expr:
                assert len(result) == 3
    finally:
        for sender in senders:
            sender.stop()
        prometheus.send_signal(signal.SIGTERM)
        receiver.send_signal(signal.SIGTERM)
        prometheus_err = prometheus.communicate(timeout=30)[1]
        receiver.communicate(timeout=30)
        alertmanager.close()
    assert prometheus.returncode == 0, prometheus_err[-2000:]
    assert receiver.returncode == 0

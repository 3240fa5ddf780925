"""docs/prometheus-alerts.png: Prometheus' alerts page with a silent screen firing and a
screen that is off by its power schedule not.

    .venv/bin/python scripts/fleet-screenshot.py [OUT.png]

Runs, all on 127.0.0.1 for about 20 s: a real ``signage fleet receive``, a real
``prometheus`` (Debian's package) with deploy/prometheus/signage.rules.yml evaluated
every second, and three real heartbeat senders (runtime/report.py) of which two stop.
Then headless Chromium (apt-get install chromium) photographs the alerts page.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import ReportConfig  # noqa: E402
from player.fleet.observation import HostFacts  # noqa: E402
from player.runtime.report import Heartbeat  # noqa: E402

TOKEN = "screenshot-" + "0123456789abcdef" * 2
INTERVAL = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status(off: bool) -> dict:
    now = dt.datetime.now().astimezone()
    later = lambda hours: (now + dt.timedelta(hours=hours)).isoformat(timespec="minutes")  # noqa: E731
    power = ({"screen": "off", "scheduled": "off", "next_change": later(1), "next_on": later(1)} if off else
             {"screen": "on", "scheduled": "on", "next_change": later(8), "next_on": later(20)})
    return {"updated_at": now.isoformat(timespec="seconds"),
            "notices": [{"id": "a", "state": "active", "kind": "公示"}],
            "bundle": {"version": 42, "source_version": 42, "stale": False, "refused": None},
            "sync": {"url": "https://x/", "last_ok": now.isoformat(timespec="seconds"), "last_error": None,
                     "interval": 60},
            "drop": {"errors": []}, "render": {"fps": None if off else 59.9, "frame_ms_p99": 3.1},
            "clock": {"trusted": True}, "power": power}


def stack(pictures: list[Path], out: Path) -> None:
    """The pictures one below the other, as one PNG (pygame, which the player has anyway)."""
    import os
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    images = [pygame.image.load(str(p)) for p in pictures]
    sheet = pygame.Surface((max(i.get_width() for i in images), sum(i.get_height() for i in images)))
    sheet.fill((255, 255, 255))
    y = 0
    for image in images:
        sheet.blit(image, (0, y))
        y += image.get_height()
    pygame.image.save(sheet, str(out))


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "prometheus-alerts.png"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium not found: apt-get install -y chromium")
    work = Path(tempfile.mkdtemp(prefix="fleet-shot-"))
    (work / "token").write_text(TOKEN)
    shutil.copy(ROOT / "deploy" / "prometheus" / "signage.rules.yml", work / "signage.rules.yml")
    rport, pport = free_port(), free_port()
    (work / "prometheus.yml").write_text(f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: ['{work}/signage.rules.yml']
scrape_configs:
  - job_name: signage-fleet
    honor_labels: true
    static_configs: [{{targets: ['127.0.0.1:{rport}']}}]
""")
    procs = [subprocess.Popen([sys.executable, "-m", "player", "fleet", "receive", "--listen", f"127.0.0.1:{rport}",
                               "--dir", str(work / "fleet"), "--token-file", str(work / "token")], cwd=ROOT),
             subprocess.Popen(["prometheus", f"--config.file={work}/prometheus.yml",
                               f"--storage.tsdb.path={work}/data", f"--web.listen-address=127.0.0.1:{pport}",
                               "--log.level=warn"], cwd=work)]
    try:
        time.sleep(3)
        config = ReportConfig(url=f"http://127.0.0.1:{rport}/heartbeat", interval=INTERVAL,
                              headers=(("Authorization", f"Bearer {TOKEN}"),))
        screens = {"马宫街道便民服务中心": False, "长安社区服务站（失联）": False, "城东社区（按计划关屏）": True}
        stop = {name: threading.Event() for name in screens}

        def send(name: str, off: bool) -> None:
            beat = Heartbeat(config, lambda: status(off), None, screen=name, host=lambda: HostFacts(restarts=0))
            while not stop[name].wait(INTERVAL / 2):
                beat.send_once()
            beat.stop()
        threads = [threading.Thread(target=send, args=item, daemon=True) for item in screens.items()]
        for thread in threads:
            thread.start()
        time.sleep(6)
        for name in list(screens)[1:]:
            stop[name].set()
        base = f"http://127.0.0.1:{pport}"
        for _ in range(60):
            alerts = requests.get(f"{base}/api/v1/alerts", timeout=5).json()["data"]["alerts"]
            if any(a["labels"].get("alertname") == "SignageScreenSilent" for a in alerts):
                break
            time.sleep(1)
        time.sleep(3)
        print(json.dumps([(a["labels"]["alertname"], a["labels"].get("screen"), a["state"]) for a in alerts],
                         ensure_ascii=False))
        query = urllib.parse.quote('ALERTS{alertname="SignageScreenSilent"} or '
                                   "signage:off_by_schedule_until_timestamp_seconds")
        shots = []
        for name, url, height in (("alerts", f"{base}/classic/alerts", 700),
                                  ("query", f"{base}/classic/graph?g0.expr={query}&g0.tab=1", 470)):
            shot = work / f"{name}.png"
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--window-size=1280,{height}", "--virtual-time-budget=8000", f"--screenshot={shot}",
                            url], check=True, timeout=120, stderr=subprocess.DEVNULL)
            shots.append(shot)
        stack(shots, out)
        stop[list(screens)[0]].set()
        print(f"wrote {out}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()

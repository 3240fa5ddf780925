"""Benchmark: ``signage fleet receive`` under a fleet's heartbeats, and the player's
MetricsService.

    .venv/bin/python bench/receiver.py [--screens 2000] [--interval 60] [--seconds 120]
                                       [--burst 10000] [--json OUT.json]

The receiver is the real command, a subprocess on 127.0.0.1 with its folder in a temp
dir. The screens are real heartbeat documents (runtime/report.py's ``payload`` with a
``health`` section; each screen its own name, bundle version and figures) POSTed with
the bearer token over one connection per request, as the receiver closes each (the
player's requests.Session reconnects the same way). Phases:

1. fill: every screen reports once, as fast as 8 client threads can send (until the
   first scrape has written and rendered them all);
2. steady: each screen reports every ``--interval`` seconds, first reports spread over
   one interval, for ``--seconds``; meanwhile Prometheus' part is played by a scrape of
   ``/metrics`` every 15 s;
3. burst: ``--burst`` reports spread evenly over 60 s (10,000 a minute: the issue's
   "survives"), every one must be accepted.

Between 2 and 3, the floor: requests that do nothing (404) at the steady rate, what any
HTTP server in Python costs on this machine per connection.

Figures: the receiver's CPU (utime + stime from /proc/PID/stat) as % of one core per
phase, scrape times (median, max) and sizes with 2,000 screens, reports accepted /
refused. Targets (issue 19): <= 5 % of one core at 2,000 screens every 60 s; a scrape
<= 200 ms.

Then the player's side: MetricsService.refresh() (status -> host facts -> text ->
textfile write) timed in its own thread; the frame loop's share is nil by construction
(it only keeps the status dict it already builds, player/runtime/metrics.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import MetricsConfig  # noqa: E402
from player.fleet.observation import HostFacts  # noqa: E402
from player.runtime.host import HostProbe  # noqa: E402
from player.runtime.metrics import MetricsService  # noqa: E402
from player.runtime.report import payload  # noqa: E402

TOKEN = "bench-" + "0123456789abcdef" * 2
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its finished threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def status_for(i: int) -> dict:
    """A plausible status document of screen ``i``."""
    rng = random.Random(i)
    return {
        "updated_at": "2026-11-27T10:00:05+08:00",
        "notices": [{"id": f"n{k}", "title": "x", "state": "active", "kind": "公示" if k % 4 == 0 else None}
                    for k in range(rng.randint(5, 30))],
        "bundle": {"version": 40 + rng.randint(0, 2), "verified": True, "stale": False, "refused": None,
                   "source_version": 42, "behind_since": None},
        "sync": {"url": "https://x/", "last_attempt": "2026-11-27T09:59:00+08:00",
                 "last_ok": "2026-11-27T09:59:00+08:00", "last_error": None, "interval": 60},
        "drop": {"errors": [{"file": "x.txt"}] * rng.randint(0, 2)},
        "render": {"fps": round(rng.uniform(58, 60), 1), "frame_ms_p99": round(rng.uniform(2, 6), 2)},
        "clock": {"trusted": True},
        "power": {"screen": "on", "scheduled": "on", "next_change": "2026-11-27T19:30+08:00",
                  "next_on": "2026-11-28T07:30+08:00", "last_error": None},
    }


def bodies(screens: int) -> list[bytes]:
    host = HostFacts(start_time=1795700000.0, restarts=1, state_free_bytes=12 * 2 ** 30,
                     state_size_bytes=29 * 2 ** 30, cpu_temperature_celsius=52.1,
                     throttled=frozenset(), throttled_since_boot=frozenset())
    return [json.dumps(payload(status_for(i), f"街道便民服务中心-{i:04d}", interval=60, host=host),
                       ensure_ascii=False).encode("utf-8") for i in range(screens)]


def post(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/heartbeat", body, {"Authorization": f"Bearer {TOKEN}",
                                                  "Content-Type": "application/json"})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


def scrape(port: int) -> tuple[float, int]:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/metrics")
        data = conn.getresponse().read()
    finally:
        conn.close()
    return time.perf_counter() - start, len(data)


def paced(port: int, schedule: list[tuple[float, bytes]], threads: int = 8) -> dict[int, int]:
    """POST each body at its time (seconds from now); returns status -> count."""
    start = time.monotonic()
    counts: dict[int, int] = {}
    lock = threading.Lock()

    def send(item: tuple[float, bytes]) -> None:
        delay = start + item[0] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        status = post(port, item[1])
        with lock:
            counts[status] = counts.get(status, 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, sorted(schedule, key=lambda x: x[0])))
    return counts


def scraper(port: int, every: float, stop: threading.Event, out: list) -> None:
    while not stop.wait(every):
        out.append(scrape(port))


def run_receiver(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-receiver-"))
    (work / "token").write_text(TOKEN)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "player", "fleet", "receive", "--listen", f"127.0.0.1:{port}",
                             "--dir", str(work / "fleet"), "--token-file", str(work / "token")],
                            cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                scrape(port)
                break
            except OSError:
                time.sleep(0.1)
        docs = bodies(args.screens)
        print(f"{args.screens} screens, {statistics.mean(map(len, docs)):.0f} bytes a report", flush=True)
        result: dict = {"screens": args.screens, "report_bytes": round(statistics.mean(map(len, docs)))}

        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        counts = paced(port, [(0.0, d) for d in docs])
        scrape(port)  # a scrape writes and renders what is pending: the fill's whole cost
        wall = time.monotonic() - t0
        result["fill"] = {"seconds": round(wall, 2), "reports_per_s": round(len(docs) / wall),
                          "cpu_ms_per_report": round((cpu_seconds(proc.pid) - cpu0) / len(docs) * 1000, 3),
                          "statuses": counts}
        print(f"fill: {len(docs)} reports in {wall:.1f} s ({len(docs) / wall:.0f}/s), "
              f"{result['fill']['cpu_ms_per_report']} ms receiver CPU each, {counts}", flush=True)

        times = [scrape(port) for _ in range(5)]
        result["scrape_idle"] = {"median_ms": round(statistics.median(t for t, _ in times) * 1000, 1),
                                 "bytes": times[0][1]}

        rng = random.Random(1)
        schedule = []
        for i, body in enumerate(docs):
            t = rng.uniform(0, args.interval)
            while t < args.seconds:
                schedule.append((t, body))
                t += args.interval * rng.uniform(0.8, 1.2)
        stop, scrapes = threading.Event(), []
        thread = threading.Thread(target=scraper, args=(port, 15.0, stop, scrapes))
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        thread.start()
        counts = paced(port, schedule)
        stop.set()
        thread.join()
        wall = time.monotonic() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        result["steady"] = {"seconds": round(wall, 1), "reports": len(schedule), "statuses": counts,
                            "cpu_percent": round(cpu / wall * 100, 2),
                            "scrapes": len(scrapes),
                            "scrape_median_ms": round(statistics.median(t for t, _ in scrapes) * 1000, 1),
                            "scrape_max_ms": round(max(t for t, _ in scrapes) * 1000, 1),
                            "scrape_bytes": scrapes[-1][1]}
        print(f"steady: {len(schedule)} reports in {wall:.0f} s, receiver CPU {cpu / wall * 100:.2f} % of one core "
              f"(scrapes included); {len(scrapes)} scrapes of {scrapes[-1][1] / 1e6:.2f} MB: median "
              f"{result['steady']['scrape_median_ms']} ms, max {result['steady']['scrape_max_ms']} ms; {counts}",
              flush=True)

        # The floor: the same rate of requests that do nothing (GET of an unknown path, 404).
        rate = args.screens / args.interval
        floor_n = int(rate * 30)
        start, cpu0 = time.monotonic(), cpu_seconds(proc.pid)
        for k in range(floor_n):
            delay = start + k / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/nothing")
            conn.getresponse().read()
            conn.close()
        wall = time.monotonic() - start
        result["floor"] = {"requests": floor_n, "cpu_percent": round((cpu_seconds(proc.pid) - cpu0) / wall * 100, 2)}
        print(f"floor: {floor_n} requests that do nothing (404) at the same rate: receiver CPU "
              f"{result['floor']['cpu_percent']} % of one core", flush=True)

        if args.burst:
            schedule = [(k * 60.0 / args.burst, docs[k % len(docs)]) for k in range(args.burst)]
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            counts = paced(port, schedule)
            wall = time.monotonic() - t0
            cpu = cpu_seconds(proc.pid) - cpu0
            result["burst"] = {"reports": args.burst, "seconds": round(wall, 1), "statuses": counts,
                               "cpu_percent": round(cpu / wall * 100, 1)}
            print(f"burst: {args.burst} reports in {wall:.0f} s, receiver CPU {cpu / wall * 100:.1f} % of one core, "
                  f"{counts}", flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return result


def run_service(rounds: int = 200) -> dict:
    """MetricsService.refresh() on a typical status, with the textfile written each time."""
    work = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    status = status_for(7)
    service = MetricsService(MetricsConfig(work / "signage.prom", None), lambda: status, work,
                             HostProbe(work, starts=3))
    cpu, wall = [], []
    for k in range(rounds):
        status = dict(status, updated_at=f"2026-11-27T10:{k // 60 % 60:02d}:{k % 60:02d}+08:00")
        c0, w0 = time.thread_time(), time.perf_counter()
        service.refresh()
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    result = {"refresh_cpu_ms_median": round(statistics.median(cpu) * 1000, 3),
              "refresh_wall_ms_median": round(statistics.median(wall) * 1000, 3),
              "textfile_bytes": len(service.body),
              "cpu_percent_at_15s": round(statistics.median(cpu) / 15.0 * 100, 4)}
    print(f"MetricsService.refresh: {result['refresh_cpu_ms_median']} ms CPU, {result['refresh_wall_ms_median']} ms "
          f"wall (textfile of {len(service.body)} bytes written) -> {result['cpu_percent_at_15s']} % of "
          "one core at one refresh per 15 s; frame loop: 0 (not called from it)", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screens", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--burst", type=int, default=10000, help="reports in one minute (0: skip)")
    parser.add_argument("--json", metavar="OUT.json")
    args = parser.parse_args()
    result = {"receiver": run_receiver(args), "metrics_service": run_service()}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

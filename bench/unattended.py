"""Benchmark: the costs of running unattended and of a touch kiosk.

    .venv/bin/python bench/unattended.py [--json OUT]

1. A dark hour: CPU of the player while the power schedule has the screen off, one
   simulated hour on the sample content (the loop wakes twice a second, draws nothing).
2. The play log of an office day: a rotation of 8 notices, 40 s each, 07:30-19:00,
   written through the real PlayLog — lines and bytes per day (raw and gzipped), the cost
   of a `shown()` call in the frame loop, and of one day's flush.
3. A kiosk tap, in real time at 60 fps on SDL's dummy driver with the background
   preparers: from tapping 大字 (the notice on screen re-laid out in large text) and then
   下一页 to the frame that shows the page, and the slowest frames meanwhile (the loop
   must not stall while a page is laid out and drawn).

Prints the figures; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ["SDL_VIDEODRIVER"] = "dummy"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import load_config  # noqa: E402
from player.layout.kiosk import LARGE, NEXT  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.render.pg import pygame  # noqa: E402
from player.runtime.app import App  # noqa: E402
from player.runtime.clock import SimulatedClock, SystemClock, date_files  # noqa: E402
from player.runtime.display import Screen  # noqa: E402
from player.runtime.playlog import PlayLog  # noqa: E402
from player.sources.folder import FolderScanner  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
COPIED = dt.datetime(2026, 11, 27, 7, 0, tzinfo=TZ)  # the content's time: before every simulated moment


def _config(tmp: Path, extra: str = ""):
    drop = tmp / "drop"
    if not drop.exists():
        shutil.copytree(ROOT / "content", drop, ignore=shutil.ignore_patterns("_状态.txt"))
        date_files(drop, COPIED)
    path = tmp / "player.yaml"
    path.write_text(f"screen: {{name: 马宫街道便民服务中心}}\ndrop: {{dir: '{drop}'}}\nstate_dir: '{tmp}/state'\n"
                    + extra, encoding="utf-8")
    return load_config(path)


def dark_hour(tmp: Path) -> dict:
    config = _config(tmp, "power: {on: '07:30', off: '19:30', method: command, on_command: 'true', "
                          "off_command: 'true'}\n")
    pygame.display.init()
    clock = SimulatedClock(dt.datetime(2026, 11, 27, 21, 0, tzinfo=TZ))
    app = App(config, Screen.of(pygame.display.set_mode((1920, 1080)), "dummy", False), load_fonts(), clock,
              background=False, report=False)
    cpu0 = time.process_time()
    app.run(seconds=3600)
    cpu = time.process_time() - cpu0
    pygame.display.quit()
    return {"simulated_s": 3600, "cpu_s": round(cpu, 3), "share_of_one_core_percent": round(cpu / 3600 * 100, 4),
            "frames_drawn": len(app.stats.cpu_ms)}


def playlog_day(tmp: Path) -> dict:
    config = _config(tmp)
    notices = FolderScanner.once(config.drop.dir, config.limits).scan().notices[:8]
    log = PlayLog(tmp / "playlog", config.screen.name, TZ)
    t = dt.datetime(2026, 11, 27, 7, 30, tzinfo=TZ)
    end = dt.datetime(2026, 11, 27, 19, 0, tzinfo=TZ)
    costs = []
    i = 0
    while t < end:
        nxt = t + dt.timedelta(seconds=40)
        c0 = time.perf_counter()
        log.shown(notices[i % len(notices)], t, nxt)
        costs.append(time.perf_counter() - c0)
        t, i = nxt, i + 1
    c0 = time.perf_counter()
    log.flush()
    flush_ms = (time.perf_counter() - c0) * 1000
    day = tmp / "playlog" / "2026-11-27.jsonl"
    raw = day.read_bytes()
    return {"intervals": i, "lines": raw.count(b"\n"), "bytes_raw": len(raw), "bytes_gzip": len(gzip.compress(raw)),
            "shown_us_median": round(statistics.median(costs) * 1e6, 1),
            "shown_us_p99": round(sorted(costs)[int(0.99 * len(costs))] * 1e6, 1),
            "flush_ms": round(flush_ms, 1), "bytes_per_400_days_gzip_mb": round(len(gzip.compress(raw)) * 400 / 1e6, 1)}


class TapClock(SystemClock):
    """The real clock; taps at given real seconds, and a note of when each frame is due."""

    def __init__(self, steps: list) -> None:
        self.started = time.monotonic()
        self.steps = steps

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        elapsed = time.monotonic() - self.started
        while self.steps and self.steps[0][0] <= elapsed:
            self.steps.pop(0)[1]()


def kiosk_tap(tmp: Path) -> dict:
    config = _config(tmp, "interaction: {touch: true}\n")
    pygame.display.init()
    size = (1920, 1080)
    app: App | None = None
    marks: dict[str, float] = {}

    def tap(kind: str) -> None:
        target = next(t for t in app.kiosk.targets if t.kind == kind)
        x, y = target.box.x + target.box.w / 2, target.box.y + target.box.h / 2
        for event in (pygame.FINGERDOWN, pygame.FINGERUP):
            pygame.event.post(pygame.event.Event(event, touch_id=1, finger_id=1, x=x / size[0], y=y / size[1],
                                                 dx=0.0, dy=0.0, pressure=1.0))
        marks[f"tap {kind}"] = time.monotonic()

    def watch(name: str) -> None:
        def check() -> None:
            if name not in marks and f"tap {name}" in marks and app.kiosk.visible and app.kiosk._waiting is None \
                    and not app.kiosk.page_dirty:  # noqa: SLF001
                marks[name] = time.monotonic()
        return check

    steps = [(4.0, lambda: tap(LARGE))]
    steps += [(4.0 + k / 120, watch(LARGE)) for k in range(1, 480)]
    steps += [(9.0, lambda: tap(NEXT))]
    steps += [(9.0 + k / 120, watch(NEXT)) for k in range(1, 480)]
    clock = TapClock(steps)
    app = App(config, Screen.of(pygame.display.set_mode(size), "dummy", False), load_fonts(), clock,
              stats_keep=None, report=False)
    app.run(seconds=14)
    pygame.display.quit()
    presented = list(app.stats.presented)
    cpu = list(app.stats.cpu_ms)

    def window(start: float, end: float) -> list[float]:
        return [c for c, p in zip(cpu, presented) if start <= p <= end + 0.05]

    out = {}
    for name in (LARGE, NEXT):
        tapped, shown = marks.get(f"tap {name}"), marks.get(name)
        if tapped is None or shown is None:
            out[name] = None
            continue
        during = window(tapped, shown)
        out[name] = {"tap_to_page_ms": round((shown - tapped) * 1000, 1),
                     "frames_meanwhile": len(during),
                     "slowest_frame_cpu_ms": round(max(during), 2) if during else None}
    intervals = [(b - a) * 1000 for a, b in zip(presented, presented[1:])]
    out["frame_interval_ms_max"] = round(max(intervals), 1)
    out["frame_interval_ms_p99"] = round(sorted(intervals)[int(0.99 * len(intervals))], 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {}
    for name, run in (("dark hour", dark_hour), ("play log day", playlog_day), ("kiosk tap", kiosk_tap)):
        with tempfile.TemporaryDirectory() as tmp:
            results[name] = run(Path(tmp))
        print(f"{name}: {json.dumps(results[name], ensure_ascii=False)}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark: how fast dropped files reach the screen, and a 1,000-file drop.

    .venv/bin/python bench/dropfolder.py [--files 20] [--bulk 1000]

Part 1 — latency: a real `signage play --headless` process watches a temp drop folder;
the script writes and closes one notice at a time and measures the time from close()
to the notice appearing in status.json, with inotify (drop.poll: false) and with the
polling observer (drop.poll: true), default quiet period (1 s). Targets: p95 <= 2 s
(inotify), <= 5 s (polling).

Part 2 — bulk: the player's loop runs in this process at 60 fps on SDL's dummy driver
on the sample content (pages of 2 s, steady state taken after a full cycle); 1,000 files
are dropped at once, then deleted; memory is read again after another full cycle. Prints the frame rate while they are
ingested, how long ingestion took, and RSS before, at the peak, after ingestion and after
the files are deleted again. Targets: all ingested, >= 55 fps meanwhile, memory back
within 10 MB of the steady state.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_config(folder: Path, drop: Path, poll: str, extra: str = "") -> Path:
    path = folder / "player.yaml"
    path.write_text(f"screen: {{name: 测试}}\ndrop: {{dir: '{drop}', poll: {poll}}}\n"
                    f"state_dir: '{folder / 'state'}'\n" + extra, encoding="utf-8")
    return path


def latency(poll: str, count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        drop = tmp / "drop"
        drop.mkdir()
        config = write_config(tmp, drop, poll)
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
        proc = subprocess.Popen([sys.executable, "-m", "player", "play", "-c", str(config), "--headless"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status = tmp / "state" / "status.json"
        try:
            while not status.exists():
                time.sleep(0.05)
            times = []
            for i in range(count):
                time.sleep(0.5)
                with open(drop / f"通知{i:03d}.txt", "w", encoding="utf-8") as handle:
                    handle.write(f"第{i}号通知\n今天下午三点召开居民议事会。\n")
                closed = time.monotonic()
                while True:
                    try:
                        ids = {n["id"] for n in json.loads(status.read_text(encoding="utf-8"))["notices"]}
                    except (ValueError, OSError):
                        ids = set()
                    if f"通知{i:03d}" in ids:
                        times.append(time.monotonic() - closed)
                        break
                    if time.monotonic() - closed > 30:
                        times.append(float("inf"))
                        break
                    time.sleep(0.02)
            return times
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bulk(count: int) -> dict:
    from player.config import load_config
    from player.render.fonts import load_fonts
    from player.runtime.app import App
    from player.runtime.clock import SystemClock
    from player.runtime.display import open_screen
    from player.runtime.memory import HeapKeeper

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        drop = tmp / "drop"
        shutil.copytree(ROOT / "content", drop, ignore=shutil.ignore_patterns("_状态.txt"))  # a realistic start
        base = len(list(drop.rglob("*.txt"))) + len(list(drop.rglob("*.md"))) + len(list(drop.rglob("*.csv"))) \
            + len(list(drop.rglob("*.png"))) - 1  # minus ticker.txt
        config = load_config(write_config(tmp, drop, "false", "pages: {min_seconds: 2, max_seconds: 2}\n"))
        screen = open_screen((1920, 1080), False, headless=True)
        screen.headless = False  # offscreen at the configured 60 fps
        app = App(config, screen, load_fonts(), SystemClock(), stats_keep=None, report=False, heap=HeapKeeper())
        marks: dict[str, float] = {}
        samples: list[tuple[float, float]] = []

        def driver() -> None:
            time.sleep(48)  # one full cycle of the sample (21 pages of 2 s): caches at their working size
            marks["steady_rss"] = rss_mb()
            marks["drop"] = time.monotonic()
            folder = drop / "批量"
            folder.mkdir()
            for i in range(count):
                (folder / f"通知{i:04d}.txt").write_text(f"批量通知{i}\n第{i}条内容：请居民注意。\n", encoding="utf-8")
            while len(app.content.library.notices) < count + base and time.monotonic() - marks["drop"] < 120:
                time.sleep(0.05)
            marks["ingested"] = time.monotonic()
            time.sleep(3)
            marks["ingested_rss"] = rss_mb()  # the 1,000 notices are in the rotation now
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
            while len(app.content.library.notices) > base and time.monotonic() - marks["ingested"] < 120:
                time.sleep(0.05)
            time.sleep(48)  # another full cycle (and the player hands freed memory back after a big removal)
            marks["after_rss"] = rss_mb()
            app.request_stop()

        def sampler() -> None:
            while "after_rss" not in marks:
                samples.append((time.monotonic(), rss_mb()))
                time.sleep(0.25)

        threading.Thread(target=driver, daemon=True).start()
        threading.Thread(target=sampler, daemon=True).start()
        app.run(300)
        presented = list(app.stats.presented)
        window = [t for t in presented if marks["drop"] <= t <= marks["ingested"]]
        fps = (len(window) - 1) / (window[-1] - window[0]) if len(window) > 1 else None
        intervals = [(b - a) * 1000 for a, b in zip(window, window[1:])]
        return {
            "files": count, "ingest_s": round(marks["ingested"] - marks["drop"], 2),
            "fps_while_ingesting": round(fps, 1) if fps else None,
            "worst_frame_interval_ms": round(max(intervals), 1) if intervals else None,
            "rss_steady_mb": round(marks["steady_rss"], 1),
            "rss_peak_mb": round(max(r for t, r in samples if t >= marks["drop"]), 1),
            "rss_3s_after_ingest_mb": round(marks["ingested_rss"], 1),
            "rss_a_cycle_after_deleting_them_mb": round(marks["after_rss"], 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20, help="files for the latency runs")
    parser.add_argument("--bulk", type=int, default=1000, help="files dropped at once")
    parser.add_argument("--bulk-only", action="store_true", help="skip the latency runs")
    args = parser.parse_args()
    for poll in () if args.bulk_only else ("false", "true"):
        times = sorted(latency(poll, args.files))
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(f"close -> status.json ({'polling' if poll == 'true' else 'inotify'}, {len(times)} files): "
              f"p50 {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s")
    print("bulk:", json.dumps(bulk(args.bulk), ensure_ascii=False))


if __name__ == "__main__":
    main()

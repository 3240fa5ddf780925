"""Benchmark: memory stays flat over a long run (simulated, accelerated).

    .venv/bin/python bench/memory.py [--hours 1] [--cycles 100]

Runs the real frame loop on the sample content with a simulated clock (no sleeping), at
the headless frame rate, with pages short enough that every sample notice is shown
``--cycles`` times within ``--hours`` of simulated time. Prints RSS every tenth of the
run and the growth from the end of the first cycle (warm caches) to the end. Target:
growth < 5 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import PagesConfig, load_config  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.runtime.app import App  # noqa: E402
from player.runtime.clock import SimulatedClock, date_files  # noqa: E402
from player.runtime.display import open_screen  # noqa: E402
from player.runtime.memory import HeapKeeper  # noqa: E402
from player.render.factory import make_renderer  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--cycles", type=int, default=100)
    args = parser.parse_args()
    seconds = args.hours * 3600
    start = dt.datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    fonts = load_fonts()
    screen = open_screen((1920, 1080), False, headless=True)
    with tempfile.TemporaryDirectory() as state:
        drop = Path(state) / "drop"  # a copy dated at the simulated start (the clock-trust floor)
        shutil.copytree(ROOT / "content", drop, ignore=shutil.ignore_patterns("_状态.txt"))
        date_files(drop, start)
        base = load_config(ROOT / "config/player.yaml")
        base = dataclasses.replace(base, drop=dataclasses.replace(base.drop, dir=drop))
        probe = App(base, screen, fonts, SimulatedClock(dt.datetime.now(ZoneInfo("Asia/Shanghai"))),
                    background=False, report=False)
        library = probe.parts.watcher.scan_now()
        renderer = make_renderer(base, screen.size, fonts, pictures=probe.parts.store.get)
        pages = sum(len(renderer.pages(n)) for n in library.notices)
        probe.parts.watcher.scanner.ingest.close()
        per_page = seconds / (pages * args.cycles)
        config = dataclasses.replace(base, state_dir=Path(state), status_file=None,
                                     pages=PagesConfig(200, per_page, per_page))
        samples: list[tuple[float, float]] = []

        class Sampling(SimulatedClock):
            next_sample = 0.0

            def sleep(self, secs: float) -> None:
                super().sleep(secs)
                elapsed = self.monotonic() - 1000.0
                if elapsed >= self.next_sample:
                    samples.append((elapsed, rss_mb()))
                    self.next_sample += seconds / 10

        clock = Sampling(start)
        app = App(config, screen, fonts, clock, report=False, heap=HeapKeeper())  # as signage play
        started = time.monotonic()
        app.run(seconds)
        wall = time.monotonic() - started
    cycle = seconds / args.cycles
    warm = next(r for t, r in samples if t >= cycle)
    end = samples[-1][1]
    print(f"{pages} pages per cycle, {per_page:.2f} s per page, {args.cycles} cycles in "
          f"{seconds:.0f} simulated s ({app.loop.frames} frames, {wall:.0f} s of real time)")
    for t, r in samples:
        print(f"  t={t / 60:6.1f} min  RSS {r:6.1f} MB")
    after = [r for t, r in samples if t >= cycle]
    print(f"RSS after the first cycle {warm:.1f} MB, at the end {end:.1f} MB: growth {end - warm:+.1f} MB "
          f"(range after warm-up {min(after):.1f}-{max(after):.1f} MB)")


if __name__ == "__main__":
    main()

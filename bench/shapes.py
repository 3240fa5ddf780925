"""Benchmark: the frame loop in every layout template, on a strip, and rotated.

    .venv/bin/python bench/shapes.py [--seconds 20] [--json OUT]

Runs ``signage bench --json`` (the real App, offscreen, dummy driver) in a fresh process
for each case:

- every template (standard, portrait, split, page-only, ticker-only) at 1920x1080 and
  1080x1920 (targets: frame CPU p99 <= 2 ms, 60 fps);
- ticker-only at 512x64 (target: under 1 % of one core), with the ``--minimal`` floor
  (a loop that only blits a pre-rendered band) for comparison;
- display.rotate 90 against 0 for the same logical 1080x1920 portrait frame (output
  1920x1080 turned, against a 1080x1920 output; target: CPU at 90 <= 1.5 x CPU at 0).

Prints a table; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNAGE = [sys.executable, "-m", "player"]
LAYOUTS = ("standard", "portrait", "split", "page-only", "ticker-only")


def bench(seconds: float, size: str, *extra: str) -> dict:
    args = SIGNAGE + ["bench", "-c", str(ROOT / "config/player.yaml"), "--json", "--seconds", str(seconds),
                      "--size", size, *extra]
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=seconds * 4 + 60)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    out = json.loads(result.stdout)
    out["case"] = " ".join([size, *extra])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args()
    runs = []
    for size in ("1920x1080", "1080x1920"):
        for layout in LAYOUTS:
            runs.append(bench(args.seconds, size, "--layout", layout))
    runs.append(bench(args.seconds, "512x64"))
    runs.append(bench(args.seconds, "512x64", "--minimal"))
    runs.append(bench(args.seconds, "1080x1920", "--rotate", "0"))
    runs.append(bench(args.seconds, "1920x1080", "--rotate", "90"))
    print(f"{'case':34} {'layout':12} {'p50 ms':>7} {'p99 ms':>7} {'mean ms':>7} {'fps':>6} {'% core':>7} "
          f"{'main %':>7}")
    for r in runs:
        main_thread = r.get("thread_cpu_percent", {}).get("MainThread")
        print(f"{r['case']:34} {r['layout']:12} {r['cpu_ms_p50']:7} {r['cpu_ms_p99']:7} {r['cpu_ms_mean']:7} "
              f"{r['fps']:6} {r['cpu_percent_of_one_core']:7} {str(main_thread):>7}")
    r0, r90 = runs[-2], runs[-1]
    print(f"rotate 90 / 0: whole process {r90['cpu_percent_of_one_core'] / r0['cpu_percent_of_one_core']:.2f}x, "
          f"frame CPU mean {r90['cpu_ms_mean'] / r0['cpu_ms_mean']:.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

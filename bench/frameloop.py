"""Benchmark: the player's frame loop against a naive loop and a minimal floor loop,
on SDL's dummy driver and under Xvfb, plus start-up time.

    .venv/bin/python bench/frameloop.py [--seconds 30] [--size 1920x1080] [--json OUT]

Each variant runs `signage bench --json` in a fresh process (so memory figures are its
own). Xvfb is started on a free display number when the `Xvfb` binary exists
(`apt install xvfb`); it is skipped otherwise. Start-up is the time from spawning
`signage play --headless` to its "first frame shown" log line, three runs.

Prints a table; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIGNAGE = [sys.executable, "-m", "player"]
COLUMNS = ("cpu_ms_mean", "cpu_ms_p50", "cpu_ms_p99", "fps", "interval_ms_p99", "cpu_percent_of_one_core",
           "peak_rss_mb", "pss_mb")


def run_variant(mode: str, env: dict, seconds: float, size: str, page_seconds: float, display: bool) -> dict:
    args = SIGNAGE + ["bench", "-c", str(ROOT / "config/player.yaml"), "--json", "--seconds", str(seconds),
                      "--size", size, "--page-seconds", str(page_seconds)]
    if mode != "player":
        args.append(f"--{mode}")
    if display:
        args.append("--display")
    result = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, timeout=seconds * 4 + 60)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def start_xvfb(size: str) -> tuple[subprocess.Popen, str] | None:
    if shutil.which("Xvfb") is None:
        print("Xvfb not installed (apt install xvfb): skipping the X11 runs", file=sys.stderr)
        return None
    for number in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{number}").exists():
            display = f":{number}"
            proc = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(50):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    return proc, display
                time.sleep(0.1)
            proc.kill()
    return None


def startup_seconds(env: dict, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        proc = subprocess.Popen(SIGNAGE + ["play", "-c", str(ROOT / "config/player.yaml"), "--headless", "--for", "2"],
                                stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        for line in proc.stderr:
            if "first frame shown" in line:
                times.append(round(time.monotonic() - started, 2))
                break
        proc.stderr.read()
        proc.wait()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--page-seconds", type=float, default=4.0)
    parser.add_argument("--json", metavar="OUT", help="also write the results as JSON")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    results = []
    for mode in ("player", "minimal", "naive"):
        results.append(run_variant(mode, dict(base), args.seconds, args.size, args.page_seconds, False))
    xvfb = start_xvfb(args.size)
    if xvfb is not None:
        proc, display = xvfb
        try:
            for mode in ("player", "minimal", "naive"):
                results.append(run_variant(mode, dict(base, DISPLAY=display), args.seconds, args.size,
                                           args.page_seconds, True))
            gl = run_variant("player", dict(base, DISPLAY=display, SDL_FRAMEBUFFER_ACCELERATION="1"),
                             min(args.seconds, 15), args.size, args.page_seconds, True)
            gl["mode"] = "player, SDL OpenGL presentation"
            results.append(gl)
        finally:
            proc.terminate()
    startup = startup_seconds(dict(base))
    print(f"{'mode':34} {'driver':7} " + " ".join(f"{c:>12}" for c in COLUMNS))
    for r in results:
        print(f"{r['mode']:34} {r['driver']:7} " + " ".join(f"{str(r.get(c)):>12}" for c in COLUMNS))
    for driver in ("dummy", "x11"):
        player = next((r for r in results if r["driver"] == driver and r["mode"] == "player"), None)
        naive = next((r for r in results if r["driver"] == driver and r["mode"] == "naive"), None)
        if player and naive:
            print(f"{driver}: naive / player CPU = {naive['cpu_percent_of_one_core'] / player['cpu_percent_of_one_core']:.1f}x")
    print(f"start to first frame (s): {startup}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "startup_s": startup}, indent=1))


if __name__ == "__main__":
    main()

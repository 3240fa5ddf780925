"""The measured process of bench/scale.py: the real player on one scenario, with figures.

    .venv/bin/python bench/scaleplay.py --config CFG --scenario NAME --work DIR --out OUT.json

The player's log goes to the run's player.log at WARNING; ``SCALE_LOG=INFO`` (or DEBUG)
in the environment of bench/scale.py shows more (content changes, memory releases).

Builds the player exactly as ``signage play`` does (:class:`~player.runtime.app.App` with
the system clock, the status writer, ``_状态.txt``, every service) on the display that
``SDL_VIDEODRIVER``/``DISPLAY`` name (bench/scale.py runs it under Xvfb), and drives one
scenario from a thread that only sleeps, polls cheap counters and renames folders (one
system call each, so "at once" means at once). Phases are marked on the monotonic clock;
after the run every phase gets the frames presented inside it (fps, frame CPU, the
longest interval between two frames), the process's CPU and each thread's, the CPU of
child processes (the sandbox worker), and PSS/RSS at its end.

Scenarios (content made by bench/scale.py in ``--work``):

- ``sample``, ``bundle``, ``drop-pictures``, ``notices``: ``ingest`` (start until every
  notice is laid out and in the rotation), then ``steady`` for ``--seconds``; ``notices``
  also reports what each periodic rescan of the unchanged folder cost;
- ``bulk``: the sample, then ``WORK/bulk`` (5,000 notices) renamed into the drop folder,
  and out again;
- ``documents``: the sample, then each document of ``WORK/documents`` moved in, laid
  out, shown, and moved out again, RSS against its value just before (the workbook last).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.config import load_config  # noqa: E402
from player.render.fonts import load_fonts  # noqa: E402
from player.runtime.app import App  # noqa: E402
from player.runtime.bench import thread_cpu  # noqa: E402
from player.runtime.clock import SystemClock  # noqa: E402
from player.runtime.display import open_screen  # noqa: E402
from player.runtime.memory import HeapKeeper  # noqa: E402
from player.runtime.stats import FrameStats, percentile  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
LONG_FRAME_MS = 50.0


# -- the process from /proc -------------------------------------------------------------------

def memory(pid: int | str = "self") -> dict[str, float]:
    """PSS and RSS of a process in MB (smaps_rollup)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key = line.split(":")[0]
            if key in ("Pss", "Rss"):
                out[key.lower()] = round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return out


def children() -> list[int]:
    """Child processes of this one (the sandbox workers)."""
    pids = []
    for task in Path("/proc/self/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, ValueError):
            pass
    return pids


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


class Recording(FrameStats):
    """The player's own frame statistics (the last 600 frames, as status.json uses them),
    and every frame of the run kept aside for the phases."""

    def __init__(self) -> None:
        super().__init__()
        self.every: list[tuple[float, float]] = []  # (presented at, CPU ms)

    def record(self, cpu_ms: float, presented_at: float) -> None:
        super().record(cpu_ms, presented_at)
        self.every.append((presented_at, cpu_ms))


class Mark:
    """A moment: clocks, CPU by thread, children's CPU, memory."""

    def __init__(self) -> None:
        self.mono = time.monotonic()
        self.cpu = time.process_time()
        self.threads = thread_cpu()
        kids = children()
        self.children = {pid: cpu_seconds(pid) for pid in kids}
        self.memory = memory()
        self.children_pss = round(sum(memory(pid).get("pss", 0.0) for pid in kids), 1)


# -- the run ----------------------------------------------------------------------------------

class Run:
    """The app, the scenario thread's helpers and the phases it marked."""

    def __init__(self, app: App, work: Path, seconds: float) -> None:
        self.app = app
        self.work = work
        self.seconds = seconds
        self.phases: list[tuple[str, Mark, Mark, dict]] = []
        self.extra: dict = {}
        self.started = threading.Event()
        self.error: str | None = None

    # conditions (cheap: attribute reads and dict lookups, once a second at most)

    def notices(self) -> int:
        return len(self.app.content.library.notices)

    def laid_out(self) -> bool:
        content = self.app.content
        pages = self.app.pages
        return content.ready and all(pages.laid_out(n) or (n.id, n.sha256) in pages.failed
                                     for n in content.library.notices)

    def previewed(self) -> bool:
        """The staff previews of the newest drop library are written (or are off)."""
        preview = self.app.preview
        return preview is None or preview.wait_idle(0)

    def wait(self, condition: Callable[[], bool], timeout: float, every: float = 0.5) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if condition():
                return True
            time.sleep(every)
        return condition()

    def phase(self, name: str, start: Mark, **extra) -> Mark:
        end = Mark()
        self.phases.append((name, start, end, extra))
        return end

    def steady(self, start: Mark | None = None) -> Mark:
        start = start or Mark()
        time.sleep(self.seconds)
        return self.phase("steady", start)


def ingest_then_steady(run: Run) -> Mark:
    """Ingest (until every notice is laid out and its staff previews are written), then
    the steady state."""
    start = Mark()
    ok = run.wait(lambda: run.notices() > 0 and run.laid_out(), 900, every=1.0)
    laid_out = time.monotonic()
    previewed = run.wait(run.previewed, 900, every=1.0)
    run.phase("ingest", start, complete=ok and previewed, notices=run.notices(),
              laid_out_s=round(laid_out - start.mono, 1))
    time.sleep(2)  # the page drawn at the end of ingestion leaves the window
    return run.steady()


def scenario_notices(run: Run) -> None:
    """As plain, and what each rescan of the unchanged folder costs (drop-loader thread)."""
    watcher = run.app.parts.watcher
    ingest = watcher.scanner.ingest
    start = Mark()
    ok = run.wait(lambda: run.notices() > 0 and run.laid_out(), 900, every=1.0)
    run.phase("ingest", start, complete=ok, notices=run.notices())
    time.sleep(2)
    scans0, parsed0, decoded0 = watcher.scans, ingest.parsed, ingest.decoded
    begin = Mark()
    per_scan = []
    last_scans, last_cpu = watcher.scans, thread_cpu().get("drop-loader", 0.0)
    deadline = time.monotonic() + run.seconds
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if watcher.scans != last_scans:
            time.sleep(0.3)  # the scan has ended (the loader waits for the next one)
            cpu = thread_cpu().get("drop-loader", 0.0)
            per_scan.append(round((cpu - last_cpu) * 1000 / (watcher.scans - last_scans), 1))
            last_scans, last_cpu = watcher.scans, cpu
    end = run.phase("steady", begin)
    scans = watcher.scans - scans0
    loader = end.threads.get("drop-loader", 0.0) - begin.threads.get("drop-loader", 0.0)
    run.extra["rescan"] = {"scans": scans, "parsed": ingest.parsed - parsed0, "decoded": ingest.decoded - decoded0,
                           "loader_cpu_ms_per_scan": round(loader * 1000 / scans, 1) if scans else None,
                           "per_scan_ms": per_scan}


def scenario_bulk(run: Run) -> None:
    """5,000 notices renamed into the drop folder at once, then out again."""
    ingest_then_steady(run)
    drop = run.app.config.drop.dir
    outside, inside = run.work / "bulk", drop / "批量"
    base = run.notices()
    count = sum(1 for _ in outside.iterdir())
    start = Mark()
    os.rename(outside, inside)
    arrived = run.wait(lambda: run.notices() >= base + count, 300, every=1.0)
    listed = time.monotonic()
    done = run.wait(run.laid_out, 600, every=1.0)
    time.sleep(5)
    run.phase("add", start, files=count, listed_s=round(listed - start.mono, 1), complete=arrived and done)
    time.sleep(3)
    start = Mark()
    os.rename(inside, outside)
    gone = run.wait(lambda: run.notices() <= base, 300, every=1.0)
    listed = time.monotonic()
    time.sleep(10)  # and the memory release a few seconds after a large removal
    run.phase("remove", start, listed_s=round(listed - start.mono, 1), complete=gone)


def scenario_documents(run: Run) -> None:
    """Each document moved in (one rename), laid out and shown, then moved out; RSS is
    compared with its value just before the document came."""
    ingest_then_steady(run)
    drop = run.app.config.drop.dir
    (drop / "文件").mkdir(exist_ok=True)
    time.sleep(3)
    for path in sorted((run.work / "documents").iterdir(), key=lambda p: (p.suffix == ".xlsx", p.name)):
        base = run.notices()
        inside = drop / "文件" / path.name
        start = Mark()
        baseline = start.memory.get("rss", 0.0)
        os.rename(path, inside)
        listed = run.wait(lambda: run.notices() > base, 120, every=0.25)
        listed_at = time.monotonic()
        ready = run.wait(run.laid_out, 120, every=0.25)
        ready_at = time.monotonic()
        ready = run.wait(run.previewed, 300, every=0.25) and ready
        time.sleep(3)
        after = run.phase(f"ingest {path.name}", start, listed_s=round(listed_at - start.mono, 2),
                          laid_out_s=round(ready_at - start.mono, 2), complete=listed and ready,
                          rss_baseline=baseline)
        problems = [p.message for p in run.app.content.library.problems if path.name in p.path]
        if problems:
            run.extra.setdefault("problems", []).extend(problems)
        os.rename(inside, path)
        run.wait(lambda: run.notices() <= base, 60, every=0.25)
        time.sleep(5)
        removed = run.phase(f"removed {path.name}", after, rss_baseline=baseline)
        if path.suffix == ".xlsx":  # the largest layout: memory once the objects made meanwhile have aged out
            time.sleep(60)
            run.phase(f"removed {path.name} +60 s", removed, rss_baseline=baseline)


SCENARIOS = {"sample": ingest_then_steady, "bundle": ingest_then_steady, "drop-pictures": ingest_then_steady,
             "notices": scenario_notices, "bulk": scenario_bulk, "documents": scenario_documents}


# -- figures ----------------------------------------------------------------------------------

def figures(app: App, name: str, start: Mark, end: Mark, extra: dict) -> dict:
    frames = [(t, c) for t, c in app.stats.every if start.mono <= t <= end.mono]
    times = [t for t, _ in frames]
    cpu = [c for _, c in frames]
    intervals = [(b - a) * 1000 for a, b in zip(times, times[1:])]
    wall = end.mono - start.mono
    threads = {k: round(100 * (v - start.threads.get(k, 0.0)) / wall, 2) for k, v in end.threads.items()
               if v - start.threads.get(k, 0.0) > 0}
    kids = sum(cpu_seconds_delta(start.children, end.children).values())
    return {
        "phase": name, "seconds": round(wall, 1), "frames": len(frames),
        "fps": round((len(times) - 1) / (times[-1] - times[0]), 2) if len(times) > 1 else None,
        "frame_cpu_ms_p50": _r(percentile(cpu, 0.5)), "frame_cpu_ms_p99": _r(percentile(cpu, 0.99)),
        "frame_cpu_ms_max": _r(max(cpu) if cpu else None),
        "interval_ms_p99": _r(percentile(intervals, 0.99), 1), "interval_ms_max": _r(max(intervals, default=None), 1),
        "intervals_over_50ms": sum(1 for i in intervals if i > LONG_FRAME_MS),
        "frames_over_2ms": sum(1 for c in cpu if c > 2.0), "frame_cpu_ms_top5": [round(c, 1) for c in sorted(cpu)[-5:]],
        "cpu_percent": round(100 * (end.cpu - start.cpu) / wall, 2),
        "children_cpu_percent": round(100 * kids / wall, 2),
        "threads_cpu_percent": threads, **{f"{k}_mb": v for k, v in end.memory.items()},
        "children_pss_mb": end.children_pss, **extra,
    }


def cpu_seconds_delta(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    """CPU used by each child between two marks (a child that exited in between counts
    what it had at the first mark as spent before)."""
    return {pid: cpu - before.get(pid, 0.0) for pid, cpu in after.items()}


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    import logging
    logging.basicConfig(level=getattr(logging, os.environ.get("SCALE_LOG", "WARNING")), format="%(asctime)s %(threadName)s %(levelname)s %(message)s")
    config = load_config(args.config)
    fonts = load_fonts()
    headless = os.environ.get("SDL_VIDEODRIVER") == "dummy"
    screen = open_screen(config.display.size, False, headless, renderer=config.display.renderer)
    screen.headless = False  # offscreen under dummy, but at the configured frame rate
    app = App(config, screen, fonts, SystemClock(), heap=HeapKeeper())  # as signage play builds it
    app.loop.stats = Recording()
    run = Run(app, args.work, args.seconds)

    def drive() -> None:
        run.started.wait()
        try:
            SCENARIOS[args.scenario](run)
        except Exception:  # noqa: BLE001 - reported in the output
            run.error = traceback.format_exc()
        app.request_stop()

    app.on_first_frame = run.started.set
    threading.Thread(target=drive, name="bench-driver", daemon=True).start()
    app.run()
    result = {"scenario": args.scenario, "driver": screen.driver, "size": "x".join(map(str, screen.size)),
              "phases": [figures(app, *p) for p in run.phases], **run.extra, "error": run.error}
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""``signage bench``: how much a device pays for the player, in figures.

Runs the real frame loop (or, with ``naive``, a loop that redraws and re-renders all
text every frame, as simple players do) on the configured content for a number of
seconds and reports:

- per-frame CPU of the loop thread (mean, p50, p99, max) in milliseconds;
- achieved frames per second and the p99 interval between frames;
- CPU of the whole process (all threads) as a percentage of one core;
- peak RSS and, on Linux, PSS at the end, in MB.

Pages change every ``page_seconds`` (default 4 s) so that page changes are part of the
figures. Nothing is written into the drop folder; status.json goes to a temp folder.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from player.config import Config, PagesConfig
from player.layout.ticker import SEPARATOR
from player.render.draw import draw_ops
from player.render.fonts import Fonts
from player.render.frame import Showing
from player.render.pg import pygame
from player.render.factory import make_renderer, screen_frame
from player.runtime.app import App
from player.runtime.clock import SystemClock, trusted_time
from player.runtime.display import Screen
from player.runtime.memory import HeapKeeper
from player.runtime.stats import FrameStats
from player.sources.folder import FolderScanner
from player.model.schedule import ACTIVE, evaluate


def memory_mb() -> dict[str, float | None]:
    """Peak RSS of this process and its current PSS (Linux), in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pss = None
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return {"peak_rss_mb": round(peak, 1), "pss_mb": None if pss is None else round(pss, 1)}


def thread_cpu() -> dict[str, float]:
    """CPU seconds used so far by each live thread, by thread name (Linux)."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    ticks = os.sysconf("SC_CLK_TCK")
    out: dict[str, float] = {}
    for task in Path("/proc/self/task").glob("*"):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        name = names.get(int(task.name), "other")
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return out


def bench_config(config: Config, state: Path, page_seconds: float) -> Config:
    """The config with a temp state folder and short pages."""
    pages = PagesConfig(config.pages.chars_per_minute, page_seconds, page_seconds)
    return dataclasses.replace(config, state_dir=state, status_file=None, pages=pages)


MODES = ("player", "naive", "minimal")


def run_bench(config: Config, screen: Screen, fonts: Fonts, seconds: float, mode: str = "player",
              page_seconds: float = 4.0) -> dict:
    """Run one benchmark and return its figures.

    Args:
        mode: "player" (the real loop), "naive" (redraw and re-render all text every
            frame) or "minimal" (a reference loop that only blits a pre-rendered ticker
            band: the floor any pygame player pays on this machine).
    """
    with tempfile.TemporaryDirectory(prefix="signage-bench-") as state:
        config = bench_config(config, Path(state), page_seconds)
        marks: dict[str, tuple[float, float, dict[str, float]]] = {}

        def mark(name: str) -> None:
            marks[name] = (time.process_time(), time.monotonic(), thread_cpu())
        if mode != "player":
            mark("start")
            stats = (_naive if mode == "naive" else _minimal)(config, screen, fonts, seconds)
            mark("stop")
        else:
            app = App(config, screen, fonts, SystemClock(), report=False, heap=HeapKeeper())
            app.loop.stats = _EveryFrame()
            app.on_first_frame = lambda: mark("start")
            app.on_stop = lambda: mark("stop")
            app.run(seconds)
            stats = app.loop.stats.every
    (cpu0, wall0, threads0), (cpu1, wall1, threads1) = marks["start"], marks["stop"]
    cpu, wall = cpu1 - cpu0, wall1 - wall0
    threads = {k: v - threads0.get(k, 0.0) for k, v in threads1.items()}
    summary = stats.summary()
    return {
        "mode": mode, "driver": screen.driver,
        "size": f"{screen.size[0]}x{screen.size[1]}", "layout": screen_frame(config, screen.size).layout,
        "rotate": config.display.rotate, "seconds": round(wall, 1), "frames": summary.frames,
        "cpu_ms_mean": _r(summary.cpu_ms_mean), "cpu_ms_p50": _r(summary.cpu_ms_p50),
        "cpu_ms_p99": _r(summary.cpu_ms_p99), "cpu_ms_max": _r(summary.cpu_ms_max),
        "fps": _r(summary.fps, 2), "interval_ms_p99": _r(summary.interval_ms_p99),
        "cpu_percent_of_one_core": round(100 * cpu / wall, 2), **memory_mb(),
        "first_frame_cpu_ms": _r(app.loop.first_frame_ms, 1) if mode == "player" else None,
        "thread_cpu_percent": {k: round(100 * v / wall, 2) for k, v in sorted(threads.items())},
    }


class _EveryFrame(FrameStats):
    """The loop's own statistics (the last 600 frames, as status.json uses them: a
    benchmark must not make each status update sort the whole run) and every frame."""

    def __init__(self) -> None:
        super().__init__()
        self.every = FrameStats(None)

    def record(self, cpu_ms: float, presented_at: float) -> None:
        super().record(cpu_ms, presented_at)
        self.every.record(cpu_ms, presented_at)


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _paced(fps: float, seconds: float, frame: Callable[[float], None]) -> FrameStats:
    """Call ``frame(elapsed)`` at ``fps`` for ``seconds``, sleeping in between."""
    clock = SystemClock()
    stats = FrameStats(None)
    period = 1.0 / fps
    start = deadline = clock.monotonic()
    while deadline - start < seconds:
        cpu0 = time.thread_time()
        frame(deadline - start)
        stats.record((time.thread_time() - cpu0) * 1000, clock.monotonic())
        deadline += period
        now = clock.monotonic()
        if now > deadline + period / 2:
            deadline = now
        clock.sleep(deadline - now)
    return stats


def _naive(config: Config, screen: Screen, fonts: Fonts, seconds: float) -> FrameStats:
    """A loop that redraws everything and re-renders all text every frame."""
    renderer = make_renderer(config, screen.size, fonts)
    library = FolderScanner.once(config.drop.dir, config.limits).scan()
    frame = renderer.frame
    ticker_text = SEPARATOR.join(library.ticker)

    def draw(elapsed: float) -> None:
        pygame.event.pump()
        wall, _trusted = trusted_time(SystemClock().now(), config.tz)
        active = [d.notice for d in evaluate(library, wall, config.tz, config.screen.tags) if d.state == ACTIVE]
        surface = screen.surface
        surface.fill(renderer.theme.background)
        renderer.header.draw(surface, wall.astimezone(config.tz))
        if active:
            notice = active[int(elapsed // config.pages.min_seconds) % len(active)]
            draw_ops(surface, renderer.pages(notice)[0].ops, fonts, None, (frame.page.x, frame.page.y))
            renderer.draw_footer(surface, Showing(notice, 0))
        surface.fill(renderer.theme.ticker_bg, (frame.ticker.x, frame.ticker.y, frame.ticker.w, frame.ticker.h))
        x = frame.ticker.right - (config.ticker.speed * elapsed) % (
            fonts.width(ticker_text, renderer.ticker.style) + frame.ticker.w)
        fonts.draw(surface, x, frame.ticker.y, ticker_text, renderer.ticker.style)
        screen.present([])
    return _paced(config.display.fps, seconds, draw)


def _minimal(config: Config, screen: Screen, fonts: Fonts, seconds: float) -> FrameStats:
    """The floor: everything pre-rendered once, each frame blits the ticker band only."""
    renderer = make_renderer(config, screen.size, fonts)
    library = FolderScanner.once(config.drop.dir, config.limits).scan()
    renderer.draw_frame(screen.surface, None, Showing(library.notices[0] if library.notices else None), 0.0)
    screen.present([])
    area = renderer.ticker.area
    strip = pygame.Surface((area.w * 3, area.h))
    strip.fill(renderer.theme.ticker_bg)
    fonts.draw(strip, 0, 0, SEPARATOR.join(library.ticker) or "—", renderer.ticker.style)
    step = max(1, round(config.ticker.speed / config.display.fps))
    count = [0]

    def draw(_elapsed: float) -> None:
        pygame.event.get()
        count[0] += 1
        screen.surface.blit(strip, area.topleft, (count[0] * step % (area.w * 2), 0, area.w, area.h))
        screen.present([area])
    return _paced(config.display.fps, seconds, draw)


def format_report(result: dict) -> str:
    """Human-readable lines."""
    return "\n".join([
        f"{result['mode']} loop, {result['driver']} driver, {result['size']} {result['layout']}"
        + (f" rotated {result['rotate']}°" if result.get("rotate") else "") + f", {result['seconds']} s, "
        f"{result['frames']} frames",
        f"  per-frame CPU ms: mean {result['cpu_ms_mean']}, p50 {result['cpu_ms_p50']}, "
        f"p99 {result['cpu_ms_p99']}, max {result['cpu_ms_max']}",
        f"  achieved fps: {result['fps']}, frame interval p99: {result['interval_ms_p99']} ms",
        f"  CPU: {result['cpu_percent_of_one_core']}% of one core (whole process)",
        f"  memory: peak RSS {result['peak_rss_mb']} MB, PSS {result['pss_mb']} MB",
    ] + (["  CPU by thread (% of one core): " + ", ".join(
        f"{k} {v}" for k, v in result["thread_cpu_percent"].items())] if result.get("thread_cpu_percent") else []))


def env_note() -> str:
    """Which SDL video driver variables are set (for the record)."""
    keys = ("SDL_VIDEODRIVER", "SDL_FRAMEBUFFER_ACCELERATION", "DISPLAY")
    return ", ".join(f"{k}={os.environ[k]}" for k in keys if k in os.environ) or "none"

"""Memory stays bounded in the amount of content: 200 pictures rotate through a real player.

Drawn pages and decoded pictures are kept up to byte budgets (``memory.page_cache_mib``,
``memory.picture_cache_mib``), so showing 200 photos one after the other must not keep
200 decoded photos or 200 page surfaces: the process's resident memory (VmRSS) after all
200 were shown is compared with its value after the first 20. Kept unbounded, the 180
pictures in between would add over 500 MB here. The run is deterministic (pages prepared
inline, simulated clock), so it takes seconds; the figures of a real-time run are in
docs/performance.md (bench/scale.py).

Also here: what makes a restart cheap — the picture index survives it (no picture is
decoded again), and a rescan of an unchanged folder parses nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path

from conftest import write_config
from player.config import load_config
from player.model.limits import MIB
from player.render.fonts import load_fonts
from player.render.pagecache import NORMAL
from player.render.pg import pygame
from player.runtime.app import App
from player.runtime.clock import SimulatedClock
from player.runtime.display import Screen

PICTURES = 200
SIZE = (800, 600)  # decoded: 1.4 MB each; a 960x540 page surface: ~1.5 MB


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def gallery(folder: Path, count: int) -> None:
    """``count`` different real PNGs (flat colours: small files, full-size when decoded)."""
    folder.mkdir(parents=True)
    surface = pygame.Surface(SIZE)
    for i in range(count):
        surface.fill((i % 256, (i * 7) % 256, 200))
        surface.fill((255, 255, 255), pygame.Rect(i % SIZE[0], 10, 40, 40))
        out = io.BytesIO()
        pygame.image.save(surface, out, "x.png")
        (folder / f"照片{i:03d}.png").write_bytes(out.getvalue())
    for path in folder.iterdir():  # copied a minute ago: taken at the first scan
        os.utime(path, (time.time() - 60, time.time() - 60))


def player(tmp_path: Path, drop: Path, extra: str = "") -> App:
    config = load_config(write_config(tmp_path / "cfg", drop, state=tmp_path / "state",
                                      extra="pages: {min_seconds: 1, max_seconds: 1}\n" + extra))
    pygame.display.init()
    surface = pygame.display.set_mode((960, 540))
    clock = SimulatedClock(dt.datetime.now(dt.timezone.utc))
    return App(config, Screen.of(surface, "dummy", True), load_fonts(), clock, background=False, report=False)


def test_two_hundred_pictures_rotate_in_bounded_memory(tmp_path: Path) -> None:
    pygame.display.init()
    drop = tmp_path / "drop"
    gallery(drop / "社区风采", PICTURES)
    app = player(tmp_path, drop, "memory: {page_cache_mib: 8, picture_cache_mib: 8}\n")
    pages = app.pages
    shown: list[str] = []
    rss: dict[str, float] = {}
    peaks = {"pages": 0, "pictures": 0}
    advance = app.content.advance

    def watch(t):
        snap = advance(t)
        if snap.page is not None and (not shown or shown[-1] != snap.page.notice.id):
            shown.append(snap.page.notice.id)
            if len(set(shown)) == 20 and "first" not in rss:
                rss["first"] = rss_mb()
        pictures = pages.preparers[NORMAL].renderer.pictures if pages.preparers[NORMAL].renderer else None
        peaks["pages"] = max(peaks["pages"], pages.cache.used)
        peaks["pictures"] = max(peaks["pictures"], pictures.used if pictures else 0)
        return snap
    app.content.advance = watch
    app.run(seconds=2 * PICTURES + 20)  # a page change costs a frame or so beyond its second
    rss["last"] = rss_mb()
    assert len(set(shown)) == PICTURES
    assert peaks["pages"] <= 8 * MIB and peaks["pictures"] <= 8 * MIB + 2 * MIB  # one picture may exceed
    assert len(pages.cache) <= 8
    assert rss["last"] - rss["first"] < 60, rss  # unbounded: > 500 MB


def test_a_restart_decodes_no_picture_and_a_rescan_parses_nothing(tmp_path: Path) -> None:
    pygame.display.init()
    drop = tmp_path / "drop"
    gallery(drop / "社区风采", 3)
    (drop / "公示公告").mkdir()
    (drop / "公示公告" / "通知.txt").write_text("通知\n内容。\n", encoding="utf-8")
    os.utime(drop / "公示公告" / "通知.txt", (time.time() - 60, time.time() - 60))
    first = player(tmp_path, drop)
    assert len(first.parts.watcher.scan_now().notices) == 4
    ingest = first.parts.watcher.scanner.ingest
    assert (ingest.parsed, ingest.decoded) == (4, 3)
    again = first.parts.watcher.scan_now()
    assert (ingest.parsed, ingest.decoded) == (4, 3) and len(again.notices) == 4
    ingest.close()
    restarted = player(tmp_path, drop)  # the same state dir: the store and the picture index
    library = restarted.parts.watcher.scan_now()
    ingest = restarted.parts.watcher.scanner.ingest
    ingest.close()
    assert (len(library.notices), library.problems) == (4, ())
    assert ingest.decoded == 0

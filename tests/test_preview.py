"""Staff previews written by the PreviewWriter thread, and the _状态.txt lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from conftest import wait_until
from player.model.library import SourceFile, build_library, is_ignored
from player.model.schedule import decide
from player.render.pg import pygame
from player.runtime.preview import PreviewWriter
from player.runtime.status import staff_report

TZ = ZoneInfo("Asia/Shanghai")


def library(files: dict[str, str]):
    return build_library([SourceFile(p, t.encode()) for p, t in files.items()])


@pytest.fixture
def writer(tmp_path):
    drawn = []

    def render_page(notice, index):
        drawn.append((notice.path, index))
        surface = pygame.Surface((192, 108))
        surface.fill((250, 248, 243))
        return surface

    service = PreviewWriter(tmp_path, render_page, lambda n: 2 if "长" in n.path else 1, interval=0.2)
    service.drawn = drawn
    service.start()
    yield service
    service.stop()


def test_previews_are_written_for_drop_notices_and_removed_when_the_source_goes(tmp_path, writer):
    lib = library({"公示公告/任前公示.txt": "任前公示\n正文。", "办事指南/长指南.txt": "指南\n正文。",
                   "ticker.txt": "欢迎"})
    bundle = replace(lib.notices[0], id="bundle/x", path="bundle/x.txt", source="bundle")
    writer.submit(replace(lib, notices=lib.notices + (bundle,)))
    assert writer.wait_idle(10)
    root = tmp_path / "_预览"
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png"))
    assert files == ["公示公告/任前公示-第1页.png", "办事指南/长指南-第1页.png", "办事指南/长指南-第2页.png"]
    assert pygame.image.load(str(root / files[0])).get_size() == (192, 108)
    # The same library again draws nothing; a restart remembers what was drawn.
    drawn = len(writer.drawn)
    writer.submit(lib)
    assert writer.wait_idle(10)
    assert len(writer.drawn) == drawn
    again = PreviewWriter(tmp_path, writer.render_page, writer.page_count)
    again.write(lib)
    assert again.written == 0
    # The guide leaves: its previews and its folder go; nothing else is touched.
    (tmp_path / "公示公告").mkdir()
    (tmp_path / "公示公告" / "keep.txt").write_text("x")
    writer.submit(library({"公示公告/任前公示.txt": "任前公示\n正文。"}))
    assert wait_until(lambda: not (root / "办事指南").exists())
    assert (root / "公示公告/任前公示-第1页.png").exists()
    assert (tmp_path / "公示公告" / "keep.txt").exists()


def test_previews_are_not_content():
    assert is_ignored("_预览/公示公告/任前公示-第1页.png")
    assert is_ignored("_预览/.previews.json")
    assert not library({"_预览/a.txt": "x\ny"}).notices


def test_status_report_lists_pages_seconds_and_period():
    lib = library({"公示公告/任前公示（至2026-12-05）.txt": "---\nstart: 2026-11-26\n---\n任前公示\n正文。",
                   "通知公告/长期.txt": "长期通知\n正文。"})
    now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
    decisions = [decide(n, now, TZ) for n in lib.notices]
    report = staff_report(now, TZ, lib, decisions, "马宫街道", page_times=lambda n: [15.0, 30.0])
    assert "共 2 页，每轮显示 45 秒，显示时间：2026年11月26日起至2026年12月5日" in report
    assert "显示时间：长期显示" in report
    assert "每轮显示" not in staff_report(now, TZ, lib, decisions, "马宫街道")


def _rss_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmRSS:"))


def test_encoding_previews_and_screenshots_does_not_grow_the_process() -> None:
    """pygame's PNG writer into a file object leaks native memory at every call (2,000
    staff previews grew the player by 44 MB; this page: ~7 KB a call, 4 MB over the 600
    calls below); ``png_bytes`` must not: 600 encodes stay within 1.5 MB."""
    import io
    import random

    from PIL import Image

    from player.render.png import png_bytes
    surface = pygame.Surface((640, 360))
    surface.fill((250, 250, 250))
    rnd = random.Random(1)
    for _ in range(300):  # something like text: many small marks
        pygame.draw.rect(surface, (rnd.randrange(256), 0, 0),
                         (rnd.randrange(640), rnd.randrange(360), rnd.randrange(2, 30), rnd.randrange(2, 12)))
    pygame.draw.rect(surface, (255, 255, 255), (0, 0, 20, 20))
    data = png_bytes(surface)
    with Image.open(io.BytesIO(data)) as image:  # a real PNG of the surface
        assert image.format == "PNG" and image.size == (640, 360)
        assert image.getpixel((5, 5)) == (255, 255, 255)
        assert image.getpixel((600, 350)) == tuple(surface.get_at((600, 350)))[:3]
    for _ in range(50):
        png_bytes(surface)  # allocator warm-up
    before = _rss_kib()
    for _ in range(600):
        png_bytes(surface)
    assert _rss_kib() - before < 1536

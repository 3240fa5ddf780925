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

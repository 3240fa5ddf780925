"""Ticker motion and content changes, with fake clocks (DESIGN: position = speed x time)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import CONTENT, write_config
from player.config import load_config
from player.layout.display import Style
from player.layout.ticker import MAX_SEGMENT, Cycle, Track
from player.render.fonts import load_fonts
from player.render.pg import pygame
from player.runtime.app import App
from player.runtime.clock import SimulatedClock, date_files
from player.runtime.display import Screen

STYLE = Style(40)


class Metrics:
    def width(self, text: str, style: Style) -> float:
        return sum(style.size if ord(ch) > 0x2000 else style.size / 2 for ch in text)

    def line_height(self, style: Style) -> float:
        return style.size * 1.45


def test_position_follows_time_in_whole_steps_and_survives_a_stall() -> None:
    track = Track(speed=120, fps=60)
    times = [n / 60 for n in range(0, 60)] + [n / 60 for n in range(72, 180)]  # 200 ms stall at 1 s
    positions = [track.position(t) for t in times]
    for t, p in zip(times, positions):
        assert abs(p - 120 * t) <= 1
    steps = [b - a for a, b in zip(positions, positions[1:])]
    assert set(steps) == {2, 2 * 13}  # 2 px every frame; the stall moves 13 frames' worth at once


@pytest.mark.parametrize("speed, step", [(120, 2), (100, 2), (60, 1), (20, 1), (200, 3)])
def test_steps_are_constant_whole_pixels(speed: float, step: int) -> None:
    track = Track(speed=speed, fps=60)
    positions = [track.position(1234.5 + n / 60) for n in range(600)]
    assert {b - a for a, b in zip(positions, positions[1:])} == {step}


def test_a_thousand_messages_are_cut_into_bounded_segments() -> None:
    cycle = Cycle.build([f"第{i}条：居民医保缴费提醒，请按时缴费。" for i in range(1000)], Metrics(), STYLE)
    assert len(cycle.segments) > 100
    assert all(w <= MAX_SEGMENT for _x, _text, w in cycle.segments)
    assert [x for x, _t, _w in cycle.segments] == sorted(x for x, _t, _w in cycle.segments)
    assert cycle.width == sum(w for _x, _t, w in cycle.segments)


def test_new_text_joins_after_the_current_cycle_without_a_jump() -> None:
    track = Track(speed=120, fps=60)
    old = Cycle.build(["旧消息一", "旧消息二"], Metrics(), STYLE)
    new = Cycle.build(["新消息"], Metrics(), STYLE)
    track.change(old, 0.0)
    window = 1500
    t = 37.3
    before = track.visible(track.position(t), window)
    start = track.change(new, t)
    here = track.position(t)
    assert start >= here and (start - track.starts[0]) % old.width == 0  # a cycle boundary, off screen
    assert track.visible(track.position(t), window) == before  # nothing on screen changed
    # Once the boundary has scrolled in, the new text follows; the position never jumped.
    later = t + (start - here + window) / 120 + 1
    assert abs((track.position(later) - here) - 120 * (later - t)) <= 1
    runs = {run for _x, run, _i in track.visible(track.position(later), window)}
    assert track.cycles[max(runs)] is new
    track.forget_before(track.position(later) - window)
    assert track.cycles == [new]


def test_the_player_loop_moves_the_ticker_with_time_across_a_stall_and_a_change(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT, drop, ignore=shutil.ignore_patterns("_状态.txt"))
    config = load_config(write_config(tmp_path / "cfg", drop, extra="display: {fullscreen: false}\n"))
    pygame.display.init()
    try:
        surface = pygame.display.set_mode((1280, 720))

        class StallingClock(SimulatedClock):
            frames = 0

            def sleep(self, seconds: float) -> None:
                super().sleep(seconds)
                self.frames += 1
                if self.frames == 90:
                    self.advance(0.2)  # a frame that took 200 ms

        clock = StallingClock(dt.datetime(2026, 11, 27, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
        date_files(drop, clock.now())
        app = App(config, Screen.of(surface, "dummy", False), load_fonts(), clock, background=False)
        seen: list[tuple[float, int]] = []
        ticker = app.compositor.ticker
        draw = ticker.draw

        def spy(surf, t):
            seen.append((t, ticker.position(t)))
            if len(seen) == 150:  # staff edit ticker.txt mid-run
                library = app.content.library
                app.content.put("drop", library.__class__(library.notices, ("新的滚动消息",), ()))
            return draw(surf, t)
        ticker.draw = spy
        assert app.run(seconds=5) == 0
    finally:
        pygame.display.quit()
    t0, p0 = seen[0]
    for t, p in seen:
        assert abs((p - p0) - 120 * (t - t0)) <= 1
    gaps = [round((b[0] - a[0]) * 60) for a, b in zip(seen, seen[1:])]
    assert max(gaps) >= 12 and set(gaps) <= {1, max(gaps)}  # one skip for the stall, else every frame
    assert app.compositor.ticker.messages == ("新的滚动消息",)


def test_scrolling_in_place_gives_the_same_pixels_as_a_full_redraw() -> None:
    from player.layout.templates import frame_for
    from player.layout.theme import Theme
    from player.render.ticker import Ticker
    fonts = load_fonts()
    frame = frame_for(1280, 720)
    ticker = Ticker(frame.ticker, fonts, Theme(), 120, 720, 60)
    ticker.set_messages(["第一条消息：居民医保缴费提醒。", "第二条：反诈提醒 96110"], 0.0)
    moving = pygame.Surface((1280, 720))
    ticker.draw_label(moving)
    times = [10 + n / 60 for n in range(40)] + [10 + n / 60 for n in range(52, 70)]  # with a stall
    for number, t in enumerate(times):
        if number == 20:
            ticker.set_messages(["新消息"], t)
        ticker.draw(moving, t)
        fresh = pygame.Surface((1280, 720))
        reference = Ticker(frame.ticker, fonts, Theme(), 120, 720, 60)
        reference.track = ticker.track  # the same strip content
        reference.draw_label(fresh)
        reference.draw(fresh, t)
        band = ticker.area
        assert pygame.image.tobytes(moving.subsurface(band), "RGB") == \
            pygame.image.tobytes(fresh.subsurface(band), "RGB"), (number, t)

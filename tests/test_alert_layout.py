"""Alert layout (player.layout.alert) with fake metrics: no pygame.

The fake metrics make every non-ASCII character 1 em wide and ASCII 0.55 em; a line box
is 1.45 em (as tests/test_layout_pages.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from player.layout.alert import (ALL_CLEAR_COLORS, LEVEL_COLORS, PANEL, alert_band, alert_colors, alert_pages,
                                 band_pages)
from player.layout.templates import frame_for
from player.layout.display import RectOp, TextOp, op_bounds
from player.model.alerts import Alert, Level, MsgType, Status

TZ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 7, 1, 10, 0, tzinfo=TZ)
SIZES = [(1920, 1080), (1080, 1920), (1366, 768)]


class FakeMetrics:
    def width(self, text, style) -> float:
        return style.size * sum(0.55 if ord(ch) < 0x80 else 1.0 for ch in text)

    def line_height(self, style) -> float:
        return style.size * 1.45


METRICS = FakeMetrics()


def make(level=Level.RED, paragraphs=1, **kw) -> Alert:
    fields = dict(id="a", level=level, title="台风“海葵”红色预警：今晚将在我区沿海登陆", sent=T0,
                  expires=T0 + dt.timedelta(hours=6), issuer="马宫街道办事处", area="马宫街道全域",
                  text="\n".join(["受台风影响，预计今晚到明天我区将出现12级以上大风和特大暴雨，请广大居民做好防范。"] * paragraphs),
                  instruction="请关好门窗，非必要不外出；\n远离危房、广告牌和大树；低洼地区居民请听从社区安排转移。")
    fields.update(kw)
    return Alert(**fields)


def texts(ops) -> list[str]:
    return [op.text for op in ops if isinstance(op, TextOp)]


def outside(ops, width, height) -> list:
    bad = []
    for op in ops:
        x, y, w, h = op_bounds(op, METRICS)
        if x < -0.5 or y < -0.5 or x + w > width + 0.5 or y + h > height + 0.5:
            bad.append(op)
    return bad


def luminance(rgb) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colours_are_the_warning_colours_with_readable_text() -> None:
    for level, (bg, fg) in LEVEL_COLORS.items():
        assert contrast(bg, fg) >= 5.0, (level, contrast(bg, fg))
    assert contrast(*ALL_CLEAR_COLORS) >= 5.0 and contrast(*PANEL) >= 12
    red, orange, yellow, blue = (LEVEL_COLORS[lv][0] for lv in Level)
    assert red[0] > 180 and red[1] < 40 and orange[0] == 255 and 100 < orange[1] < 170
    assert yellow[0] > 230 and yellow[1] > 190 and blue[2] > 150 and blue[0] < 40
    assert alert_colors(make(type=MsgType.ALL_CLEAR)) == ALL_CLEAR_COLORS


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("paragraphs", [1, 12])
def test_full_screen_pages_fit_and_carry_everything(size, paragraphs) -> None:
    width, height = size
    alert = make(paragraphs=paragraphs)
    pages = alert_pages(alert, width, height, METRICS, TZ)
    for page in pages:
        assert outside(page.ops, width, height) == []
        first = page.ops[0]
        assert isinstance(first, RectOp) and (first.w, first.h, first.color) == (width, height, LEVEL_COLORS[Level.RED][0])
        assert "红色预警（Ⅰ级）" in texts(page.ops)
        assert 15 <= page.seconds <= 60
    all_text = "".join("".join(texts(p.ops)) for p in pages)
    for part in ("台风", "今晚将在我区沿海登陆", "马宫街道全域", "防御指南：", "低洼地区居民请听从社区安排转移",
                 "马宫街道办事处", "2026年7月1日 10:00 发布"):
        assert part in all_text, part
    assert all_text.count("受台风影响") == paragraphs
    if paragraphs > 1:
        assert len(pages) > 1
        assert [t for t in texts(pages[-1].ops) if t.startswith("第 ")] == [f"第 {len(pages)}/{len(pages)} 页"]
        assert any(t.endswith("（续）") for t in texts(pages[1].ops))
    else:
        assert len(pages) == 1 and not any(t.startswith("第 ") for t in texts(pages[0].ops))


def test_body_text_is_large_and_lines_do_not_overlap() -> None:
    page = alert_pages(make(paragraphs=3), 1920, 1080, METRICS, TZ)[0]
    body = [op for op in page.ops if isinstance(op, TextOp) and "受" in op.text]
    assert body and all(op.style.size >= 54 for op in body)
    rows = sorted({round(op.y, 3) for op in page.ops if isinstance(op, TextOp)})
    assert all(b - a >= 0.99 * min(op.style.size for op in page.ops if isinstance(op, TextOp))
               for a, b in zip(rows, rows[1:]))


@pytest.mark.parametrize("size", SIZES)
def test_a_drill_is_always_marked(size) -> None:
    width, height = size
    drill = make(status=Status.EXERCISE, paragraphs=10)
    for page in alert_pages(drill, width, height, METRICS, TZ):
        assert "演练" in texts(page.ops)
        assert any("【演练】非真实预警" in t for t in texts(page.ops))
    real = alert_pages(make(), width, height, METRICS, TZ)[0]
    assert not any("演练" in t for t in texts(real.ops))


def band_height(width: int, height: int) -> int:
    return frame_for(width, height).band.h


@pytest.mark.parametrize("level", [Level.YELLOW, Level.BLUE])
def test_a_band_is_one_line_in_the_level_colour(level) -> None:
    height = band_height(1920, 1080)
    pages = band_pages(make(level), 1920, height, METRICS, more=2)
    for ops in pages:
        assert outside(ops, 1920, height) == []
        assert ops[0] == RectOp(0, 0, 1920, height, LEVEL_COLORS[level][0])
        words = texts(ops)
        assert words[0] == level.label and words[-1].endswith("另有2条")
        assert len({round(op.y, 3) for op in ops if isinstance(op, TextOp)}) == 1
    assert "台风“海葵”红色预警：今晚将在我区沿海登陆" in texts(pages[0])


@pytest.mark.parametrize("size", SIZES)
def test_a_long_band_text_is_shown_in_parts_never_cut_off(size) -> None:
    width, height = size
    alert = make(Level.YELLOW, paragraphs=3)
    pages = band_pages(alert, width, band_height(width, height), METRICS)
    assert len(pages) > 1
    detail = "".join(alert.text.split("\n"))
    shown = ""
    for number, ops in enumerate(pages, 1):
        assert outside(ops, width, band_height(width, height)) == []
        words = texts(ops)
        assert words[-1] == f"{number}/{len(pages)}"  # which part
        assert not any(w.endswith("…") for w in words)
        body = [w for w in words[1:-1] if w != alert.title]
        shown += "".join(body).lstrip("：")
        if number > 1:  # a part never starts with closing punctuation
            assert body and body[0][0] not in "，。、；：！？”）"
    assert shown.replace(" ", "") == detail.replace(" ", "")  # every character, in order


def test_band_for_a_drill_and_an_all_clear_and_a_narrow_screen() -> None:
    drill = texts(alert_band(make(Level.BLUE, status=Status.TEST), 1920, 80, METRICS))
    assert drill[:2] == ["演练", "蓝色预警"]
    clear = alert_band(dataclasses.replace(make(Level.RED), type=MsgType.ALL_CLEAR), 1920, 80, METRICS)
    assert clear[0].color == ALL_CLEAR_COLORS[0] and texts(clear)[0] == "预警解除"
    narrow = alert_band(make(Level.YELLOW), 1080, band_height(1080, 1920), METRICS)
    assert outside(narrow, 1080, band_height(1080, 1920)) == []

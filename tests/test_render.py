"""Rendering: whole frames from `signage render`, checked on their pixels."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import CONTENT, ROOT, run_signage, write_config
from player.layout.theme import Theme
from player.layout.templates import frame_for
from player.render.fonts import load_fonts
from player.render.frame import FrameRenderer, Showing
from player.render.header import Header, date_text
from player.render.pg import pygame

THEME = Theme()
AT = "2026-11-27T10:30:00"


def _load(path: Path) -> "pygame.Surface":
    return pygame.image.load(str(path))


def _close(a, b, tol: int = 12) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a[:3], b[:3]))


def _dark_pixels(surface, rect: "pygame.Rect", step: int = 3) -> int:
    count = 0
    for x in range(rect.left, rect.right, step):
        for y in range(rect.top, rect.bottom, step):
            r, g, b, *_ = surface.get_at((x, y))
            if r + g + b < 200:
                count += 1
    return count


@pytest.fixture(scope="module")
def sample_shot(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shot") / "shot.png"
    result = run_signage("render", "-c", str(ROOT / "config/player.yaml"), "-o", str(out), "--at", AT,
                         "--notice", "政务公开/马宫街道2022年政务公开工作情况报告")
    assert result.returncode == 0, result.stderr
    return out


def test_render_shows_header_page_text_and_ticker(sample_shot: Path) -> None:
    shot = _load(sample_shot)
    assert shot.get_size() == (1920, 1080)
    frame = frame_for(1920, 1080)
    # Header band in red, with light (white) text of the screen name on its left.
    assert _close(shot.get_at((frame.width // 2, 5)), THEME.header_bg)
    name_area = pygame.Rect(10, 10, 500, frame.header.h - 20)
    light = sum(1 for x in range(name_area.left, name_area.right, 2)
                for y in range(name_area.top, name_area.bottom, 2) if sum(shot.get_at((x, y))[:3]) > 600)
    assert light > 200
    # Ticker band at the bottom: dark background, red label on the left, yellow text.
    assert _close(shot.get_at((5, frame.height - 5)), THEME.accent)
    ticker = pygame.Rect(400, frame.ticker.y, 1500, frame.ticker.h)
    yellow = sum(1 for x in range(ticker.left, ticker.right, 2) for y in range(ticker.top, ticker.bottom, 2)
                 if _close(shot.get_at((x, y)), THEME.ticker_fg, 40))
    assert yellow > 100
    # Page area: light paper background and a lot of dark body text.
    assert _close(shot.get_at((frame.page.x + 3, frame.page.bottom - 3)), THEME.background)
    body = pygame.Rect(frame.page.x, frame.page.y + 200, frame.page.w, frame.page.h - 250)
    assert _dark_pixels(shot, body) > 3000
    # The title is drawn in the accent red, centred near the top of the page area.
    title = pygame.Rect(frame.page.x + 300, frame.page.y, frame.page.w - 600, 150)
    reds = sum(1 for x in range(title.left, title.right, 2) for y in range(title.top, title.bottom, 2)
               if _close(shot.get_at((x, y)), THEME.accent, 30))
    assert reds > 300


def test_render_is_deterministic_for_a_given_moment(sample_shot: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.png"
    result = run_signage("render", "-c", str(ROOT / "config/player.yaml"), "-o", str(again), "--at", AT,
                         "--notice", "政务公开/马宫街道2022年政务公开工作情况报告")
    assert result.returncode == 0, result.stderr
    assert pygame.image.tobytes(_load(again), "RGB") == pygame.image.tobytes(_load(sample_shot), "RGB")


def _ticker_strip(path: Path) -> list[bytes]:
    shot = _load(path)
    frame = frame_for(*shot.get_size())
    y0, y1 = frame.ticker.y, frame.ticker.bottom
    return [bytes(shot.get_at((x, y))[0] for y in range(y0, y1)) for x in range(shot.get_width())]


def test_ticker_moves_by_speed_times_time(tmp_path: Path) -> None:
    config = ROOT / "config/player.yaml"
    shots = []
    for second in ("10:30:00", "10:30:01.5"):
        out = tmp_path / f"{second}.png"
        result = run_signage("render", "-c", str(config), "-o", str(out), "--at", f"2026-11-27T{second}",
                             "--notice", "公示公告/任前公示")
        assert result.returncode == 0, result.stderr
        shots.append(_ticker_strip(out))
    first, second = shots
    expected = round(120 * 1.5)  # ticker.speed 120 px/s in config/player.yaml
    start = 600  # right of the label
    assert first[start: start + 800] != second[start: start + 800]  # it did move
    matches = [dx for dx in range(0, 400) if first[start + dx: start + dx + 800] == second[start: start + 800]]
    assert matches and abs(matches[0] - expected) <= 1, matches[:3]


def test_render_other_size_and_every_sample_page(tmp_path: Path, sample_library) -> None:
    fonts = load_fonts()
    tz = ZoneInfo("Asia/Shanghai")
    now = dt.datetime(2026, 11, 27, 10, 30, tzinfo=tz)
    for size in ((1366, 768), (1920, 1080)):
        renderer = FrameRenderer(size, fonts, "马宫街道便民服务中心", 120)
        renderer.ticker.set_messages(sample_library.ticker)
        frame = renderer.frame
        area = pygame.Rect(frame.page.x, frame.page.y, frame.page.w, frame.page.h)
        for notice in sample_library.notices:
            for page in range(len(renderer.pages(notice))):
                surface = pygame.Surface(size)
                renderer.draw_frame(surface, now, Showing(notice, page), 0.0)
                ink = _dark_pixels(surface, area, step=4)
                assert ink > 50, (size, notice.id, page)


def test_idle_page_when_nothing_to_show(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    config = write_config(tmp_path / "cfg", drop)
    out = tmp_path / "idle.png"
    result = run_signage("render", "-c", str(config), "-o", str(out), "--at", AT, "--size", "1280x720")
    assert result.returncode == 0, result.stderr
    assert "idle page" in result.stdout
    shot = _load(out)
    assert shot.get_size() == (1280, 720)
    frame = frame_for(1280, 720)
    middle = pygame.Rect(frame.page.x, frame.page.y + frame.page.h // 3, frame.page.w, frame.page.h // 3)
    reds = sum(1 for x in range(middle.left, middle.right, 2) for y in range(middle.top, middle.bottom, 2)
               if _close(shot.get_at((x, y)), THEME.accent, 30))
    assert reds > 100  # the office name, in red, in the middle of an otherwise empty page


def test_expired_notice_is_not_rendered_and_rotation_follows_time(tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    shutil.copytree(CONTENT / "公示公告", drop / "公示公告")
    config = write_config(tmp_path / "cfg", drop)
    before = run_signage("render", "-c", str(config), "-o", str(tmp_path / "a.png"), "--at", "2026-12-02T23:59:59")
    after = run_signage("render", "-c", str(config), "-o", str(tmp_path / "b.png"), "--at", "2026-12-03T00:00:00")
    assert "公示公告/任前公示" in before.stdout
    assert "idle page" in after.stdout


def test_header_texts_and_untrusted_clock() -> None:
    local = dt.datetime(2026, 11, 27, 14, 5, 9)
    assert date_text(local) == "2026年11月27日 星期五"
    fonts = load_fonts()
    header = Header(frame_for(1920, 1080).header, fonts, THEME, "测试", 1080)
    assert header.texts(local) == ("2026年11月27日 星期五", "14:05:09")
    assert header.texts(None) == ("时间同步中", "")


@pytest.mark.parametrize("args, needle", [
    (["--notice", "不存在/公告"], "known ids"),
    (["--notice", "公示公告/任前公示", "--page", "9"], "has 3 page(s)"),   # 2 before issue 17 (larger type)
    (["--size", "1920*1080"], "WIDTHxHEIGHT"),
    (["--at", "tomorrow"], "--at"),
])
def test_render_usage_errors(tmp_path: Path, args: list[str], needle: str) -> None:
    result = run_signage("render", "-c", str(ROOT / "config/player.yaml"), "-o", str(tmp_path / "x.png"),
                         "--at", AT, *args) if "--at" not in args else run_signage(
        "render", "-c", str(ROOT / "config/player.yaml"), "-o", str(tmp_path / "x.png"), *args)
    assert result.returncode == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_clock_digits_from_cached_glyphs_match_drawing_the_text() -> None:
    fonts = load_fonts()
    frame = frame_for(1920, 1080)
    header = Header(frame.header, fonts, THEME, "测试", 1080)
    rect = header.clock_rect
    for moment in (dt.datetime(2026, 11, 27, 10, 31, 47), dt.datetime(2026, 11, 27, 0, 0, 0),
                   dt.datetime(2026, 11, 27, 23, 59, 59), dt.datetime(2026, 11, 27, 11, 11, 11)):
        cached = pygame.Surface((1920, 1080))
        header.draw_clock(cached, moment)
        direct = pygame.Surface((1920, 1080))
        direct.fill(THEME.header_bg, rect)
        header._text(direct, rect.x, moment.strftime("%H:%M:%S"), header.clock_style)
        # Where the ink is, not pixel equality: a font with kerning or fractional advances
        # (WenQuanYi) places the cached glyphs up to a pixel or two from the shaped text.
        ink = [_ink(surface.subsurface(rect)) for surface in (cached, direct)]
        (box_a, runs_a), (box_b, runs_b) = ink
        assert runs_a == runs_b == len(moment.strftime("%H:%M:%S")), (moment, runs_a, runs_b)
        assert abs(box_a.x - box_b.x) <= 2 and abs(box_a.w - box_b.w) <= 4, (moment, box_a, box_b)
        assert abs(box_a.y - box_b.y) <= 1 and abs(box_a.h - box_b.h) <= 1, (moment, box_a, box_b)


def _ink(area: "pygame.Surface") -> tuple["pygame.Rect", int]:
    """The bounding box of what is drawn over the header colour, and how many separate
    runs of inked columns (glyphs) it has."""
    copy = area.copy()
    copy.set_colorkey(THEME.header_bg)
    mask = pygame.mask.from_surface(copy)
    columns = [any(mask.get_at((x, y)) for y in range(mask.get_size()[1])) for x in range(mask.get_size()[0])]
    runs = sum(1 for x, on in enumerate(columns) if on and (x == 0 or not columns[x - 1]))
    return copy.get_bounding_rect(), runs


# -- signage render: the template, and what a running player shows (issue 17) --------------

def test_render_shows_what_a_running_player_shows_else_the_rotation(tmp_path: Path) -> None:
    import json
    config = write_config(tmp_path / "config", CONTENT, state=tmp_path / "state")
    (tmp_path / "state").mkdir()
    status = tmp_path / "state" / "status.json"
    now = dt.datetime.now(dt.timezone.utc)
    status.write_text(json.dumps({"updated_at": now.isoformat(), "showing": {
        "notice": "公示公告/任前公示", "page": 2, "pages": 3}}), encoding="utf-8")
    live = run_signage("render", "-c", str(config), "-o", str(tmp_path / "live.png"), "--size", "1080x1920")
    assert live.returncode == 0, live.stderr
    assert "1080x1920 portrait, 公示公告/任前公示 page 2; what the running player shows now" in live.stdout
    # a status.json older than 3 x 5 s: no player runs; the rotation at the moment instead
    old = now - dt.timedelta(seconds=16)
    status.write_text(json.dumps({"updated_at": old.isoformat(), "showing": {
        "notice": "公示公告/任前公示", "page": 2, "pages": 3}}), encoding="utf-8")
    idle = run_signage("render", "-c", str(config), "-o", str(tmp_path / "strip.png"), "--size", "512x64")
    assert idle.returncode == 0, idle.stderr
    assert "512x64 ticker-only" in idle.stdout and "the rotation at" in idle.stdout
    import pygame
    assert pygame.image.load(str(tmp_path / "strip.png")).get_size() == (512, 64)

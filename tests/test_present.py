"""Presentation paths: the accelerated (texture) path shows what was drawn; config picks it."""

from __future__ import annotations

import pytest

from player.render.pg import pygame
from player.runtime.display import open_screen, wants_accelerated


@pytest.fixture
def display():
    yield
    pygame.display.quit()


def test_texture_presenter_shows_the_changed_rectangles(display) -> None:
    screen = open_screen((320, 180), False, headless=True, renderer="accelerated")
    assert screen.presenter.name == "accelerated" and screen.size == (320, 180)
    screen.surface.fill((10, 20, 30))
    screen.present([])
    screen.surface.fill((200, 16, 46), pygame.Rect(100, 50, 40, 30))
    screen.present([pygame.Rect(100, 50, 40, 30)])
    shown = screen.presenter._renderer.to_surface()
    assert shown.get_at((110, 60))[:3] == (200, 16, 46)
    assert shown.get_at((10, 10))[:3] == (10, 20, 30)


def test_software_presenter_draws_on_the_window_surface(display) -> None:
    screen = open_screen((320, 180), False, headless=True, renderer="software")
    assert screen.presenter.name == "software"
    assert screen.surface is pygame.display.get_surface()


@pytest.mark.parametrize("renderer, driver, expected", [
    ("auto", "kmsdrm", True), ("auto", "x11", False), ("auto", "wayland", False), ("auto", "dummy", False),
    ("software", "kmsdrm", False), ("accelerated", "x11", True),
])
def test_auto_choice(renderer: str, driver: str, expected: bool) -> None:
    assert wants_accelerated(renderer, driver) is expected


def test_renderer_key_is_validated(make_config) -> None:
    from player.config import ConfigError, load_config
    assert load_config(make_config(extra="display: {renderer: accelerated}\n")).display.renderer == "accelerated"
    with pytest.raises(ConfigError, match="display.renderer: expected one of auto, software, accelerated"):
        load_config(make_config(extra="display: {renderer: gpu}\n"))


# -- display.rotate -------------------------------------------------------------------------

def _picture(size: tuple[int, int]) -> "pygame.Surface":
    """A logical picture no rotation maps onto itself: a gradient and a marked corner."""
    surface = pygame.Surface(size)
    for x in range(0, size[0], 8):
        surface.fill((x * 255 // size[0], 80, 160), pygame.Rect(x, 0, 8, size[1]))
    surface.fill((255, 255, 0), pygame.Rect(0, 0, 24, 12))
    return surface


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotated_presenter_turns_only_the_changed_rectangles(display, degrees: int) -> None:
    screen = open_screen((320, 180), False, headless=True, renderer="software", rotate=degrees)
    logical = (180, 320) if degrees in (90, 270) else (320, 180)
    assert screen.size == logical and screen.presenter.rotation.physical == (320, 180)
    picture = _picture(logical)
    screen.surface.blit(picture, (0, 0))
    screen.present([])
    output = pygame.display.get_surface()
    expected = pygame.transform.rotate(picture, -degrees)
    assert pygame.image.tobytes(output, "RGB") == pygame.image.tobytes(expected, "RGB")
    # a small change: only its turned rectangle is touched on the output
    before = output.copy()
    change = pygame.Rect(30, 40, 20, 10)
    screen.surface.fill((1, 2, 3), change)
    screen.present([change])
    physical = screen.presenter.rotation.to_physical(change)
    for x in range(320):
        for y in range(0, 180, 3):
            want = (1, 2, 3) if physical.collidepoint(x, y) else before.get_at((x, y))[:3]
            assert output.get_at((x, y))[:3] == want, (x, y)


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_touches_map_back_to_the_logical_picture(degrees: int) -> None:
    from player.runtime.present import Rotation
    rotation = Rotation(degrees, (1920, 1080))
    for x, y, w, h in ((0, 0, 1, 1), (100, 700, 1, 1), (1079, 1919, 1, 1) if degrees in (90, 270) else
                       (1919, 1079, 1, 1)):
        spot = rotation.to_physical(pygame.Rect(x, y, w, h))
        lx, ly = rotation.to_logical(spot.x + 0.5, spot.y + 0.5)
        assert (int(lx), int(ly)) == (x, y)


def test_a_tap_on_a_rotated_kiosk_hits_the_logical_button(display) -> None:
    from zoneinfo import ZoneInfo

    from player.layout.kiosk import LARGE
    from player.layout.templates import frame_for
    from player.layout.theme import Theme, kiosk_theme
    from player.render.compositor import Compositor
    from player.render.fonts import load_fonts
    from player.render.pagecache import PageCache
    from player.runtime.prepare import Pages
    screen = open_screen((1920, 1080), False, headless=True, renderer="software", rotate=90)
    theme = kiosk_theme(Theme())
    frame = frame_for(*screen.size, theme)
    assert frame.layout == "portrait"
    pages = Pages({}, PageCache(1 << 20), background=False)
    compositor = Compositor(frame, load_fonts(), theme, pages, pages, screen_name="测试", ticker_speed=120, fps=60,
                            tz=ZoneInfo("Asia/Shanghai"), touch=True, touch_map=screen.presenter.rotation)
    target = next(t for t in compositor.kiosk.targets if t.kind == LARGE)
    centre = pygame.Rect(target.box.x + target.box.w // 2, target.box.y + target.box.h // 2, 1, 1)
    spot = screen.presenter.rotation.to_physical(centre)
    for kind in (pygame.FINGERDOWN, pygame.FINGERUP):   # normalised coordinates of the output
        compositor.handle(pygame.event.Event(kind, x=(spot.x + 0.5) / 1920, y=(spot.y + 0.5) / 1080,
                                             finger_id=0, touch_id=0), 1.0)
    assert compositor.kiosk.kiosk.large

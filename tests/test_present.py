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

"""Renderers as the config asks for them: theme (a kiosk's navigation bar, 大字), page
timing, ticker, and where stored pictures come from.

Used by the runtime's wiring, the page preparers, ``signage render`` and ``signage
schedule``, so that every one of them lays out exactly what the screen does.
"""

from __future__ import annotations

from collections.abc import Callable

from player.config import Config
from player.layout.pages import Pace
from player.layout.templates import frame_for
from player.layout.theme import Frame, Theme, kiosk_theme, large_theme
from player.render.fonts import Fonts
from player.render.frame import FrameRenderer


def pace_from(config: Config) -> Pace:
    """Page timing from the config."""
    pages = config.pages
    return Pace(pages.chars_per_minute, pages.min_seconds, pages.max_seconds)


def screen_theme(config: Config, large: bool = False) -> Theme:
    """The configured theme; on a touch kiosk with room for the navigation bar, and
    ``large`` for 大字."""
    theme = kiosk_theme(config.theme) if config.interaction.touch else config.theme
    return large_theme(theme) if large else theme


def screen_frame(config: Config, size: tuple[int, int]) -> Frame:
    """The regions of the configured layout template (``layout``, ``auto`` by the shape)
    on a logical screen of ``size``, sized for the configured panel. 大字 pages use the
    same frame (only their type is larger)."""
    return frame_for(size[0], size[1], screen_theme(config), config.layout, config.display.panel)


def make_renderer(config: Config, size: tuple[int, int], fonts: Fonts, fps: float | None = None,
                  large: bool = False, pictures: Callable[[str], "bytes | None"] | None = None) -> FrameRenderer:
    """The renderer for a (logical) screen size, as configured."""
    return FrameRenderer(size, fonts, config.screen.name, config.ticker.speed, pace_from(config),
                         screen_theme(config, large), fps or config.display.fps, pictures,
                         config.memory.picture_cache_bytes, frame=screen_frame(config, size))

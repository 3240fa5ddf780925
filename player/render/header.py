"""The header band: screen name on the left, date with weekday and clock on the right.

Drawn once per second (when the clock text changes), never per frame.
"""

from __future__ import annotations

import datetime as dt

from player.layout.display import Box, Style
from player.layout.theme import Theme
from player.render.fonts import Fonts
from player.render.pg import pygame

WEEKDAYS = "一二三四五六日"
GOLD = (255, 214, 102)


def date_text(local: dt.datetime) -> str:
    """``2026年11月27日 星期五``."""
    return f"{local.year}年{local.month}月{local.day}日 星期{WEEKDAYS[local.weekday()]}"


def clock_text(local: dt.datetime) -> str:
    """``14:05:09``."""
    return local.strftime("%H:%M:%S")


class Header:
    """Draws the header into its box of the frame."""

    def __init__(self, box: Box, fonts: Fonts, theme: Theme, screen_name: str, height: int) -> None:
        self.box = box
        self.fonts = fonts
        self.theme = theme
        self.name = screen_name
        size = theme.px(theme.header_text, height)
        self.name_style = Style(size, True, theme.accent_text)
        self.date_style = Style(round(size * 0.8), False, theme.accent_text)
        self.clock_style = Style(round(size * 1.05), True, GOLD)
        self._glyphs: dict[str, pygame.Surface] = {}  # clock digits, drawn once

    def texts(self, local: dt.datetime | None) -> tuple[str, str]:
        """(date, clock) as shown; ``local`` None means the clock is not trusted."""
        if local is None:
            return "时间同步中", ""
        return date_text(local), clock_text(local)

    @property
    def clock_rect(self) -> "pygame.Rect":
        """Where the clock digits go (sized for the widest time, so nothing shifts)."""
        box = self.box
        pad = max(box.h // 3, 12)
        width = round(self.fonts.width("88:88:88", self.clock_style)) + 2
        return pygame.Rect(box.right - pad - width, box.y, width, box.h - max(2, box.h // 30))

    def draw(self, surface: "pygame.Surface", local: dt.datetime | None) -> "pygame.Rect":
        """Draw the whole header band for a local time (None: clock not trusted)."""
        box, fonts = self.box, self.fonts
        band = pygame.Rect(box.x, box.y, box.w, box.h)
        pygame.draw.rect(surface, self.theme.header_bg, band)
        pygame.draw.rect(surface, GOLD, pygame.Rect(box.x, box.bottom - max(2, box.h // 30),
                                                    box.w, max(2, box.h // 30)))
        pad = max(box.h // 3, 12)
        self._text(surface, pad, self.name, self.name_style)
        date, clock = self.texts(local)
        x = box.right - pad
        if clock:
            x = self.clock_rect.x
            self.draw_clock(surface, local)
            x -= self.clock_style.size
        width = fonts.width(date, self.date_style)
        self._text(surface, x - width, date, self.date_style)
        return band

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> "pygame.Rect":
        """Redraw only the clock digits (once a second), from glyphs drawn once."""
        rect = self.clock_rect
        surface.fill(self.theme.header_bg, rect)
        x = float(rect.x)
        for ch in clock_text(local):
            glyph = self._glyph(ch)
            surface.blit(glyph, (round(x), rect.y))
            x += self.fonts.width(ch, self.clock_style)
        return rect

    def _glyph(self, ch: str) -> "pygame.Surface":
        glyph = self._glyphs.get(ch)
        if glyph is None:
            rect = self.clock_rect
            glyph = pygame.Surface((max(1, round(self.fonts.width(ch, self.clock_style)) + 2), rect.h))
            glyph.fill(self.theme.header_bg)
            self.fonts.draw(glyph, 0, (self.box.h - self.fonts.line_height(self.clock_style)) / 2 - (rect.y - self.box.y),
                            ch, self.clock_style)
            self._glyphs[ch] = glyph
        return glyph

    def _text(self, surface, x: float, text: str, style: Style) -> None:
        y = self.box.y + (self.box.h - self.fonts.line_height(style)) / 2
        self.fonts.draw(surface, x, y, text, style)

"""The header band: the office name, the date with its weekday, and the clock.

Three arrangements, one class each (the layout template picks one):

- :class:`Header` (standard, page-only): the name on the left, date and clock on the right;
- :class:`StackedHeader` (portrait): the name on one row, date and clock centred on the next;
- :class:`NameHeader` (split): the name only (date and clock are in the side panel).

Where each text goes is computed once (:meth:`Header.boxes`), for the widest date and
time, so nothing shifts from second to second and nothing ever overlaps: a long office
name (30 characters) is set smaller, down to 2/3 of its size, then cut with …. Drawn once
per second (the clock digits, from glyphs drawn once), never per frame.
"""

from __future__ import annotations

import datetime as dt

from player.layout.display import Box, Style
from player.layout.templates import TextBox
from player.layout.theme import Theme
from player.render.fonts import Fonts
from player.render.pg import pygame

WEEKDAYS = "一二三四五六日"
GOLD = (255, 214, 102)
#: The widest date and time, for the fixed places of the texts.
WIDEST_DATE = "2026年12月28日 星期三"
WIDEST_CLOCK = "88:88:88"
UNSYNCED = "时间同步中"


def date_text(local: dt.datetime) -> str:
    """``2026年11月27日 星期五``."""
    return f"{local.year}年{local.month}月{local.day}日 星期{WEEKDAYS[local.weekday()]}"


def clock_text(local: dt.datetime) -> str:
    """``14:05:09``."""
    return local.strftime("%H:%M:%S")


def fit_text(fonts: Fonts, text: str, style: Style, width: float, smallest: int) -> tuple[str, Style]:
    """``text`` in ``style``, set smaller (down to 2/3 of its size, not below ``smallest``)
    and then cut with … until it fits ``width``."""
    natural = fonts.width(text, style)
    if natural > width:
        size = max(round(style.size * 2 / 3), smallest, min(style.size, int(style.size * width / natural)))
        style = Style(size, style.bold, style.color)
        if fonts.width(text, style) > width:
            while len(text) > 1 and fonts.width(text + "…", style) > width:
                text = text[:-1]
            text += "…"
    return text, style


class ClockDigits:
    """``HH:MM:SS`` drawn from digit glyphs rendered once, at a fixed rectangle."""

    def __init__(self, fonts: Fonts, style: Style, rect: "pygame.Rect", background: tuple[int, int, int],
                 baseline_box: Box) -> None:
        self.fonts = fonts
        self.style = style
        self.rect = rect
        self.background = background
        self._top = baseline_box.y + (baseline_box.h - fonts.line_height(style)) / 2 - rect.y
        self._glyphs: dict[str, pygame.Surface] = {}

    def draw(self, surface: "pygame.Surface", local: dt.datetime) -> "pygame.Rect":
        """The digits of ``local``."""
        surface.fill(self.background, self.rect)
        x = float(self.rect.x)
        for ch in clock_text(local):
            glyph = self._glyphs.get(ch)
            if glyph is None:
                glyph = pygame.Surface((max(1, round(self.fonts.width(ch, self.style)) + 2), self.rect.h))
                glyph.fill(self.background)
                self.fonts.draw(glyph, 0, self._top, ch, self.style)
                self._glyphs[ch] = glyph
            surface.blit(glyph, (round(x), self.rect.y))
            x += self.fonts.width(ch, self.style)
        return self.rect


class Header:
    """The standard header: name left, date and clock right."""

    def __init__(self, box: Box, fonts: Fonts, theme: Theme, screen_name: str, height: float,
                 smallest: int = 12) -> None:
        """Args:
            height: the unit the theme's sizes are fractions of.
            smallest: no text is set smaller (px).
        """
        self.box = box
        self.fonts = fonts
        self.theme = theme
        self.name = screen_name
        self.smallest = smallest
        size = theme.px(theme.header_text, height)
        self.name_style = Style(size, True, theme.accent_text)
        self.date_style = Style(max(smallest, round(size * 0.8)), False, theme.accent_text)
        self.clock_style = Style(round(size * 1.05), True, GOLD)
        self.pad = max(box.h // 3, 12)
        self.rule = max(2, box.h // 30)
        self._place()
        self.clock = ClockDigits(fonts, self.clock_style, self.clock_rect, theme.header_bg, self._clock_row())

    # -- geometry --------------------------------------------------------------------------

    def _clock_row(self) -> Box:
        return Box(self.box.x, self.box.y, self.box.w, self.box.h - self.rule)

    def _place(self) -> None:
        """Where the clock, the date's right edge and the name go."""
        box, fonts, pad = self._clock_row(), self.fonts, self.pad
        width = round(fonts.width(WIDEST_CLOCK, self.clock_style)) + 2
        self.clock_rect = pygame.Rect(box.right - pad - width, box.y, width, box.h)
        self.date_right = self.clock_rect.x - self.clock_style.size
        room = self.date_right - fonts.width(WIDEST_DATE, self.date_style) - self.clock_style.size - pad - box.x
        self.name_text, self.name_style = fit_text(fonts, self.name, self.name_style, room, self.smallest)
        self.name_x = box.x + pad

    def texts(self, local: dt.datetime | None) -> tuple[str, str]:
        """(date, clock) as shown; ``local`` None means the clock is not trusted."""
        if local is None:
            return UNSYNCED, ""
        return date_text(local), clock_text(local)

    def _row_y(self, style: Style, row: Box | None = None) -> float:
        row = row or self._clock_row()
        return row.y + (row.h - self.fonts.line_height(style)) / 2

    def boxes(self, local: dt.datetime | None) -> list[TextBox]:
        """Every text of the header and where it is drawn."""
        fonts = self.fonts
        date, clock = self.texts(local)
        out = [TextBox(self.name_text, self.name_x, self._row_y(self.name_style, self._name_row()),
                       fonts.width(self.name_text, self.name_style), fonts.line_height(self.name_style),
                       self.name_style)]
        date_w = fonts.width(date, self.date_style)
        out.append(TextBox(date, self._date_x(date_w, bool(clock)), self._row_y(self.date_style), date_w,
                           fonts.line_height(self.date_style), self.date_style))
        if clock:
            r = self.clock_rect
            out.append(TextBox(clock, r.x, self._row_y(self.clock_style), fonts.width(clock, self.clock_style),
                               fonts.line_height(self.clock_style), self.clock_style))
        return out

    def _name_row(self) -> Box:
        return self._clock_row()

    def _date_x(self, date_w: float, with_clock: bool) -> float:
        return (self.date_right if with_clock else self.clock_rect.right) - date_w

    # -- drawing ---------------------------------------------------------------------------

    def draw(self, surface: "pygame.Surface", local: dt.datetime | None) -> "pygame.Rect":
        """Draw the whole header band for a local time (None: clock not trusted)."""
        box = self.box
        band = pygame.Rect(box.x, box.y, box.w, box.h)
        pygame.draw.rect(surface, self.theme.header_bg, band)
        pygame.draw.rect(surface, GOLD, pygame.Rect(box.x, box.bottom - self.rule, box.w, self.rule))
        for item in self.boxes(local):
            if local is not None and item.style == self.clock_style:
                self.draw_clock(surface, local)
            elif item.text:
                self.fonts.draw(surface, item.x, item.y, item.text, item.style)
        return band

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> "pygame.Rect":
        """Redraw only the clock digits (once a second), from glyphs drawn once."""
        return self.clock.draw(surface, local)

    def _text(self, surface: "pygame.Surface", x: float, text: str, style: Style) -> None:
        """``text`` on the clock's row, vertically centred (as the clock's glyphs are)."""
        self.fonts.draw(surface, x, self._row_y(style), text, style)


class StackedHeader(Header):
    """Portrait: the name on the first row, date and clock centred on the second."""

    def _name_row(self) -> Box:
        box = self.box
        return Box(box.x, box.y, box.w, (box.h - self.rule) // 2)

    def _clock_row(self) -> Box:
        box = self.box
        top = self._name_row().h
        return Box(box.x, box.y + top, box.w, box.h - self.rule - top)

    def _place(self) -> None:
        row, fonts, pad = self._clock_row(), self.fonts, self.pad
        gap = self.clock_style.size
        width = round(fonts.width(WIDEST_CLOCK, self.clock_style)) + 2
        total = fonts.width(WIDEST_DATE, self.date_style) + gap + width
        if total > row.w - 2 * pad:   # a very narrow screen: a smaller date
            scale = (row.w - 2 * pad - gap - width) / fonts.width(WIDEST_DATE, self.date_style)
            self.date_style = Style(max(self.smallest, int(self.date_style.size * scale)), False,
                                    self.date_style.color)
            total = fonts.width(WIDEST_DATE, self.date_style) + gap + width
        left = row.x + (row.w - total) / 2
        self.date_right = round(left + fonts.width(WIDEST_DATE, self.date_style))
        self.clock_rect = pygame.Rect(self.date_right + gap, row.y, width, row.h)
        self.name_text, self.name_style = fit_text(fonts, self.name, self.name_style, row.w - 2 * pad,
                                                   self.smallest)
        self.name_x = row.x + (row.w - fonts.width(self.name_text, self.name_style)) / 2

    def _date_x(self, date_w: float, with_clock: bool) -> float:
        if with_clock:
            return self.date_right - date_w
        row = self._clock_row()
        return row.x + (row.w - date_w) / 2


class NameHeader(Header):
    """Split: the office name alone (the side panel has the date and clock)."""

    def _place(self) -> None:
        row, fonts, pad = self._clock_row(), self.fonts, self.pad
        self.clock_rect = pygame.Rect(row.right, row.y, 0, row.h)
        self.date_right = row.right
        self.name_text, self.name_style = fit_text(fonts, self.name, self.name_style, row.w - 2 * pad,
                                                   self.smallest)
        self.name_x = row.x + pad

    def texts(self, local: dt.datetime | None) -> tuple[str, str]:
        """Nothing but the name."""
        return "", ""

    def boxes(self, local: dt.datetime | None) -> list[TextBox]:
        """The name."""
        return super().boxes(local)[:1]

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> "pygame.Rect":
        """No clock here."""
        return pygame.Rect(self.box.x, self.box.y, 0, 0)

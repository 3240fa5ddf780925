"""The scrolling ticker (滚动字幕) along the bottom of the screen.

Geometry and motion are in :mod:`player.layout.ticker` (pure, tested with a fake
clock). This module draws: a fixed label on the left ("通知公告") and, every frame, the
visible segments of the strip. Segment surfaces are rendered on first use and kept in a
small LRU (:data:`KEEP_SEGMENTS`), so memory stays bounded whatever the text length, and
a frame blits two or three pre-rendered surfaces — never renders text.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from player.layout.display import Box, Style
from player.layout.templates import TextBox
from player.layout.theme import Theme
from player.layout.ticker import Cycle, Track
from player.render.fonts import Fonts
from player.render.pg import pygame

LABEL = "通知公告"
KEEP_SEGMENTS = 4
#: The label is left out when it would take more of the band's width than this (strips).
LABEL_SHARE = 0.2


class Ticker:
    """Draws the ticker band for a moment in time."""

    def __init__(self, box: Box, fonts: Fonts, theme: Theme, speed: float, height: float,
                 fps: float = 60.0) -> None:
        """Args:
            height: the unit the theme's sizes are fractions of.
        """
        self.box = box
        self.fonts = fonts
        self.theme = theme
        self.style = Style(theme.px(theme.ticker_text, height), False, theme.ticker_fg)
        label_style = Style(round(self.style.size * 0.8), True, theme.accent_text)
        pad = self.style.size * 0.6
        label_w = round(fonts.width(LABEL, label_style) + 2 * pad)
        if label_w > box.w * LABEL_SHARE:  # a strip: every pixel for the text
            label_w = 0
        self.label = pygame.Surface((max(1, label_w), box.h))
        self.label.fill(theme.accent)
        self._label_box = None
        if label_w:
            y = (box.h - fonts.line_height(label_style)) / 2
            fonts.draw(self.label, pad, y, LABEL, label_style)
            self._label_box = (pad, y, fonts.width(LABEL, label_style), fonts.line_height(label_style), label_style)
        # Only the rows the text occupies change from frame to frame.
        line_h = min(box.h, round(fonts.line_height(self.style)))
        self.area = pygame.Rect(box.x + label_w, box.y + (box.h - line_h) // 2, box.w - label_w, line_h)
        self.rect = pygame.Rect(box.x, box.y, box.w, box.h)
        self.track = Track(speed, fps)
        self._drawn: tuple | None = None  # (surface, strip position) of the last draw
        self._band: pygame.Surface | None = None
        self._surfaces: OrderedDict[tuple[int, int], pygame.Surface] = OrderedDict()

    def boxes(self) -> list[TextBox]:
        """The label's text box, and the strip the moving text runs in (its line box)."""
        out = []
        if self._label_box is not None:
            x, y, w, h, style = self._label_box
            out.append(TextBox(LABEL, self.box.x + x, self.box.y + y, w, h, style))
        a = self.area
        out.append(TextBox("", a.x, a.y, a.w, a.h, self.style))
        return out

    @property
    def messages(self) -> tuple[str, ...]:
        """The newest messages."""
        return self.track.messages

    def set_messages(self, messages: Sequence[str], t: float = 0.0) -> None:
        """New text; it joins after the cycle currently entering the screen."""
        messages = tuple(m for m in messages if m.strip())
        if self.track.cycles and messages == self.track.messages:
            return
        self.track.change(Cycle.build(messages, self.fonts, self.style), t)

    def position(self, t: float) -> int:
        """Strip position at the right edge at time ``t``."""
        return self.track.position(t)

    def _segment(self, run: int, index: int) -> "pygame.Surface":
        key = (self.track.starts[run], index)
        surface = self._surfaces.get(key)
        if surface is None:
            _x, text, width = self.track.cycles[run].segments[index]
            surface = pygame.Surface((max(1, width), self.area.h))
            surface.fill(self.theme.ticker_bg)
            self.fonts.draw(surface, 0, (self.area.h - self.fonts.line_height(self.style)) / 2, text, self.style)
            self._surfaces[key] = surface
            while len(self._surfaces) > KEEP_SEGMENTS:
                self._surfaces.popitem(last=False)
        else:
            self._surfaces.move_to_end(key)
        return surface

    def draw_label(self, surface: "pygame.Surface") -> "pygame.Rect":
        """The band's background and the fixed label (drawn once, not every frame)."""
        surface.fill(self.theme.ticker_bg, self.rect)
        if self._label_box is not None:
            surface.blit(self.label, (self.box.x, self.box.y))
        self._drawn = None
        return self.rect

    def draw(self, surface: "pygame.Surface", t: float) -> "pygame.Rect":
        """Draw the moving text for time ``t``; returns the rectangle that changed.

        When the previous frame drew this same band a little further back, the band is
        scrolled in place and only the newly exposed strip on the right is painted; the
        result is the same pixels as a full redraw, with half the memory traffic.
        """
        area = self.area
        right = self.track.position(t)
        self.track.forget_before(right - area.w)
        previous = self._drawn
        delta = right - previous[1] if previous is not None and previous[0] is surface else 0
        if 0 < delta < area.w // 2:
            if self._band is None or self._band.get_parent() is not surface:
                self._band = surface.subsurface(area)
            self._band.scroll(-delta, 0)
            self._paint(surface, right, pygame.Rect(area.right - delta, area.y, delta, area.h))
        elif delta != 0 or previous is None or previous[0] is not surface:
            self._paint(surface, right, area)
        self._drawn = (surface, right)
        return area

    def _paint(self, surface: "pygame.Surface", right: int, clip_rect: "pygame.Rect") -> None:
        """Paint the strip ending at ``right`` into ``clip_rect`` of the area.

        Segments are opaque, so only the stretches they leave uncovered are filled.
        """
        area = self.area
        clip = surface.get_clip()
        surface.set_clip(clip_rect)
        covered = clip_rect.left
        for seg_left, run, index in self.track.visible(right, area.right - clip_rect.left):
            x = area.right + seg_left - right
            segment = self._segment(run, index)
            if x > covered:
                surface.fill(self.theme.ticker_bg, (covered, area.y, x - covered, area.h))
            surface.blit(segment, (x, area.y))
            covered = max(covered, x + segment.get_width())
        if covered < clip_rect.right:
            surface.fill(self.theme.ticker_bg, (covered, area.y, clip_rect.right - covered, area.h))
        surface.set_clip(clip)

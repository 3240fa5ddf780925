"""The scrolling ticker (滚动字幕) along the bottom of the screen.

The messages are joined with a separator into one cycle that repeats endlessly. The
cycle is rendered once into segments no wider than :data:`MAX_SEGMENT` pixels (texture
limits of the Pi's GPU), so even 1,000 messages cost bounded work per frame: a frame
blits only the two or three segments that are visible.

Position is a function of time, not of frames: ``offset = speed * t mod cycle_width``,
so a late frame does not slow the text down.
"""

from __future__ import annotations

from collections.abc import Sequence

from player.layout.display import Box, Style
from player.layout.theme import Theme
from player.render.fonts import Fonts
from player.render.pg import pygame

MAX_SEGMENT = 2048
SEPARATOR = "　　◆　　"
LABEL = "通知公告"


class Ticker:
    """Pre-rendered ticker text and the code that places it for a moment in time."""

    def __init__(self, box: Box, fonts: Fonts, theme: Theme, speed: float, height: int) -> None:
        self.box = box
        self.fonts = fonts
        self.theme = theme
        self.speed = speed
        self.style = Style(theme.px(theme.ticker_text, height), False, theme.ticker_fg)
        label_style = Style(round(self.style.size * 0.8), True, theme.accent_text)
        pad = self.style.size * 0.6
        label_w = round(fonts.width(LABEL, label_style) + 2 * pad)
        self.label = pygame.Surface((label_w, box.h))
        self.label.fill(theme.accent)
        fonts.draw(self.label, pad, (box.h - fonts.line_height(label_style)) / 2, LABEL, label_style)
        self.area = pygame.Rect(box.x + label_w, box.y, box.w - label_w, box.h)
        self.messages: tuple[str, ...] = ()
        self.segments: list[tuple[int, "pygame.Surface"]] = []
        self.cycle = 0

    def set_messages(self, messages: Sequence[str]) -> None:
        """Replace the text (rendered here, once)."""
        messages = tuple(messages)
        if messages == self.messages:
            return
        self.messages = messages
        self.segments = []
        self.cycle = 0
        if not messages:
            return
        text = SEPARATOR.join(messages) + SEPARATOR
        start = 0
        x = 0
        width = 0.0
        for index, ch in enumerate(text):
            w = self.fonts.width(ch, self.style)
            if width + w > MAX_SEGMENT and index > start:
                x = self._segment(text[start:index], x)
                start, width = index, 0.0
            width += w
        x = self._segment(text[start:], x)
        self.cycle = x

    def _segment(self, chunk: str, x: int) -> int:
        width = max(1, round(self.fonts.width(chunk, self.style)))
        surface = pygame.Surface((width, self.box.h))
        surface.fill(self.theme.ticker_bg)
        self.fonts.draw(surface, 0, (self.box.h - self.fonts.line_height(self.style)) / 2,
                        chunk, self.style)
        self.segments.append((x, surface))
        return x + width

    def offset(self, t: float) -> float:
        """How far the text has moved at time ``t`` (seconds), within one cycle."""
        return (self.speed * t) % self.cycle if self.cycle else 0.0

    def draw(self, surface: "pygame.Surface", t: float) -> "pygame.Rect":
        """Draw the band for time ``t``; returns the rectangle that changed."""
        band = pygame.Rect(self.box.x, self.box.y, self.box.w, self.box.h)
        surface.fill(self.theme.ticker_bg, self.area)
        if self.cycle:
            clip = surface.get_clip()
            surface.set_clip(self.area)
            # The strip starts at the right edge at t = 0 and moves left.
            base = self.area.right - round(self.offset(t)) - self.cycle
            while base < self.area.right:
                for x, seg in self.segments:
                    left = base + x
                    if left < self.area.right and left + seg.get_width() > self.area.left:
                        surface.blit(seg, (left, self.area.y))
                base += self.cycle
            surface.set_clip(clip)
        surface.blit(self.label, (self.box.x, self.box.y))
        return band

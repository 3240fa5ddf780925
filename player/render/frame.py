"""Whole frames: header, current page with its footer, ticker.

:class:`FrameRenderer` owns everything drawn on the screen and its caches: laid-out
pages per notice (keyed by id and content hash), and rendered page surfaces (a small
LRU). ``signage render`` draws one frame with :meth:`draw_frame`; the app loop draws
regions separately (header once a second, page on a page change, ticker every frame).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from player.layout.display import Page, Style
from player.layout.pages import Layouter, Pace, footer_texts
from player.layout.theme import Frame, Theme
from player.model.notice import ImageBody, Notice
from player.render.draw import draw_ops
from player.render.fonts import Fonts
from player.render.header import Header
from player.render.pg import pygame
from player.render.ticker import Ticker

PAGE_CACHE = 8
IDLE_TEXT = "暂无公告"


@dataclass(frozen=True)
class Showing:
    """What the page area shows: a notice page, or nothing (the idle page)."""

    notice: Notice | None
    page: int = 0
    days_left: int | None = None


class FrameRenderer:
    """Draws frames of one size with one set of fonts."""

    def __init__(self, size: tuple[int, int], fonts: Fonts, screen_name: str,
                 ticker_speed: float, pace: Pace = Pace(), theme: Theme = Theme()) -> None:
        width, height = size
        self.size = size
        self.theme = theme
        self.fonts = fonts
        self.frame = Frame.for_size(width, height, theme)
        self.layouter = Layouter(self.frame, fonts, theme, pace)
        self.screen_name = screen_name
        self.header = Header(self.frame.header, fonts, theme, screen_name, height)
        self.ticker = Ticker(self.frame.ticker, fonts, theme, ticker_speed, height)
        self._layouts: dict[tuple[str, str], tuple[Page, ...]] = {}
        self._surfaces: OrderedDict[tuple, pygame.Surface] = OrderedDict()

    # -- layout ------------------------------------------------------------------------

    def pages(self, notice: Notice) -> tuple[Page, ...]:
        """The notice's pages for this screen (laid out once per content version)."""
        key = (notice.id, notice.sha256)
        pages = self._layouts.get(key)
        if pages is None:
            pages = self.layouter.layout(notice)
            self._layouts[key] = pages
        return pages

    def page_times(self, notice: Notice) -> list[float]:
        """Seconds each page stays."""
        return [p.seconds for p in self.pages(notice)]

    def forget(self, keep: set[tuple[str, str]]) -> None:
        """Drop cached layouts and surfaces of notices no longer present."""
        self._layouts = {k: v for k, v in self._layouts.items() if k in keep}
        for key in [k for k in self._surfaces if k[:2] not in keep]:
            del self._surfaces[key]

    # -- drawing -----------------------------------------------------------------------

    def page_surface(self, notice: Notice, index: int) -> "pygame.Surface":
        """The rendered page area of one page (cached)."""
        key = (notice.id, notice.sha256, index)
        surface = self._surfaces.get(key)
        if surface is not None:
            self._surfaces.move_to_end(key)
            return surface
        pages = self.pages(notice)
        page = pages[min(index, len(pages) - 1)]
        box = self.frame.page
        surface = pygame.Surface((box.w, box.h))
        surface.fill(self.theme.background)
        image = notice.body if isinstance(notice.body, ImageBody) else None
        draw_ops(surface, page.ops, self.fonts, image)
        self._surfaces[key] = surface
        while len(self._surfaces) > PAGE_CACHE:
            self._surfaces.popitem(last=False)
        return surface

    def draw_header(self, surface: "pygame.Surface", local: dt.datetime | None) -> "pygame.Rect":
        """Header band; ``local`` None hides the date (clock not trusted)."""
        self.header.draw(surface, local)
        box = self.frame.header
        return pygame.Rect(box.x, box.y, box.w, box.h)

    def draw_body(self, surface: "pygame.Surface", showing: Showing) -> "pygame.Rect":
        """Everything between header and ticker: page area and footer."""
        frame = self.frame
        body = pygame.Rect(0, frame.header.bottom, frame.width, frame.ticker.y - frame.header.bottom)
        surface.fill(self.theme.background, body)
        if showing.notice is None:
            self._idle(surface)
            return body
        pages = self.pages(showing.notice)
        index = min(showing.page, len(pages) - 1)
        surface.blit(self.page_surface(showing.notice, index), (frame.page.x, frame.page.y))
        left, right = footer_texts(showing.notice, index + 1, len(pages), showing.days_left)
        styles = self.layouter.styles
        foot = frame.footer
        y = foot.y + (foot.h - self.fonts.line_height(styles.small)) / 2
        if left:
            self.fonts.draw(surface, foot.x, y, left, styles.period)
        if right:
            w = self.fonts.width(right, styles.muted)
            self.fonts.draw(surface, foot.right - w, y, right, styles.muted)
        return body

    def _idle(self, surface: "pygame.Surface") -> None:
        box = self.frame.page
        styles = self.layouter.styles
        title = Style(styles.title.size, True, self.theme.accent)
        for text, style, dy in ((self.screen_name, title, -0.6), (IDLE_TEXT, styles.muted, 0.8)):
            w = self.fonts.width(text, style)
            y = box.y + box.h / 2 + dy * title.size * 1.2
            self.fonts.draw(surface, box.x + (box.w - w) / 2, y, text, style)

    def draw_ticker(self, surface: "pygame.Surface", t: float) -> "pygame.Rect":
        """Ticker band at time ``t``."""
        return self.ticker.draw(surface, t)

    def draw_frame(self, surface: "pygame.Surface", local: dt.datetime | None, showing: Showing,
                   ticker_t: float) -> None:
        """A complete frame."""
        self.draw_header(surface, local)
        self.draw_body(surface, showing)
        self.draw_ticker(surface, ticker_t)

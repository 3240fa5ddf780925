"""Whole frames: header, current page with its footer, ticker.

:class:`FrameRenderer` owns everything drawn on the screen and its caches: laid-out
pages per notice (keyed by id and content hash), and rendered page surfaces (a small
LRU). ``signage render`` draws one frame with :meth:`draw_frame`; the app loop draws
regions separately (header once a second, page on a page change, ticker every frame).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from player.layout.display import Page, Style
from player.layout.pages import Layouter, Pace, footer_texts
from player.layout.theme import Frame, Theme
from player.layout.templates import frame_for
from player.model.notice import Notice
from player.render.draw import draw_ops
from player.render.picture import PICTURE_CACHE_BYTES, PictureSource
from player.render.fonts import Fonts
from player.render.header import Header
from player.render.pg import pygame
from player.render.ticker import Ticker

#: Drawn pages kept (one is ~6 MB at 1080p): the one shown, the next, one spare.
PAGE_CACHE = 3
#: Full layouts kept (page times are kept for every notice): a library of 10,000 notices
#: must not keep 10,000 display lists in memory.
LAYOUT_CACHE = 48
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
                 ticker_speed: float, pace: Pace = Pace(), theme: Theme = Theme(),
                 fps: float = 60.0, pictures: "Callable[[str], bytes | None] | None" = None,
                 picture_budget: int = PICTURE_CACHE_BYTES, frame: Frame | None = None) -> None:
        """Args:
            picture_budget: bytes of decoded pictures this renderer keeps.
            frame: the regions of the screen's layout template (default: the one
                ``layout: auto`` picks for ``size`` with ``theme``).
        """
        width, height = size
        self.size = size
        self.theme = theme
        self.fonts = fonts
        self.frame = frame or frame_for(width, height, theme)
        self.layouter = Layouter(self.frame, fonts, theme, pace)
        self.screen_name = screen_name
        #: decoded pictures by sha256, loaded from the store by the drawing thread
        self.pictures = PictureSource(pictures, picture_budget) if pictures is not None else None
        self.header = Header(self.frame.header, fonts, theme, screen_name, self.frame.unit, self.frame.min_text)
        self.ticker = Ticker(self.frame.ticker, fonts, theme, ticker_speed, self.frame.unit, fps)
        #: Full layouts (display lists) of recently used notices; page times of all.
        self._layouts: OrderedDict[tuple[str, str], tuple[Page, ...]] = OrderedDict()
        self._times: dict[tuple[str, str], tuple[float, ...]] = {}
        self._surfaces: OrderedDict[tuple, pygame.Surface] = OrderedDict()

    # -- layout ------------------------------------------------------------------------

    def pages(self, notice: Notice) -> tuple[Page, ...]:
        """The notice's pages for this screen (laid out again only if evicted)."""
        key = (notice.id, notice.sha256)
        pages = self._layouts.get(key)
        if pages is None:
            pages = self.layouter.layout(notice)
            self._keep(key, pages)
        else:
            self._layouts.move_to_end(key)
        return pages

    def _keep(self, key: tuple[str, str], pages: tuple[Page, ...]) -> None:
        self._layouts[key] = pages
        self._layouts.move_to_end(key)
        self._times[key] = tuple(p.seconds for p in pages)
        while len(self._layouts) > LAYOUT_CACHE:
            self._layouts.popitem(last=False)

    def page_times(self, notice: Notice) -> list[float]:
        """Seconds each page stays."""
        times = self._times.get((notice.id, notice.sha256))
        return list(times) if times is not None else [p.seconds for p in self.pages(notice)]

    def page_count(self, notice: Notice) -> int:
        """How many pages the notice has."""
        return len(self.page_times(notice))

    def adopt(self, notice_id: str, sha256: str, pages: tuple[Page, ...],
              page: int | None = None, surface: "pygame.Surface | None" = None) -> None:
        """Take a layout (and a drawn page) prepared elsewhere."""
        if pages:
            self._keep((notice_id, sha256), pages)
        if surface is not None and page is not None:
            key = (notice_id, sha256, page)
            self._surfaces[key] = surface
            self._surfaces.move_to_end(key)
            while len(self._surfaces) > PAGE_CACHE:
                self._surfaces.popitem(last=False)

    def has_layout(self, notice: Notice) -> bool:
        """Whether the notice's pages are known (its page times at least)."""
        return (notice.id, notice.sha256) in self._times

    def has_surface(self, notice: Notice, page: int) -> bool:
        """Whether that page is drawn already."""
        return (notice.id, notice.sha256, page) in self._surfaces

    def forget_surfaces(self) -> None:
        """Drop every drawn page (the preparer hands them over and keeps none)."""
        self._surfaces.clear()

    def forget(self, keep: set[tuple[str, str]]) -> None:
        """Drop cached layouts and surfaces of notices no longer present, and the decoded
        pictures when any notice went (a removed scan's pages must not stay in memory;
        pictures still needed are decoded again when next drawn)."""
        if self.pictures is not None and any(k not in keep for k in self._times):
            self.pictures.clear()
        for key in [k for k in self._layouts if k not in keep]:
            del self._layouts[key]
        self._times = {k: v for k, v in self._times.items() if k in keep}
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
        surface = pygame.Surface((max(1, box.w), max(1, box.h)))
        surface.fill(self.theme.background)
        draw_ops(surface, page.ops, self.fonts, self.pictures)
        self._surfaces[key] = surface
        while len(self._surfaces) > PAGE_CACHE:
            self._surfaces.popitem(last=False)
        return surface

    def draw_header(self, surface: "pygame.Surface", local: dt.datetime | None) -> "pygame.Rect":
        """Header band; ``local`` None hides the date (clock not trusted)."""
        return self.header.draw(surface, local)

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> "pygame.Rect":
        """Only the clock digits of the header."""
        return self.header.draw_clock(surface, local)

    def draw_body(self, surface: "pygame.Surface", showing: Showing) -> "pygame.Rect":
        """Everything between header and ticker: page area and footer."""
        frame = self.frame
        bottom = frame.nav.y if frame.nav is not None else frame.ticker.y
        body = pygame.Rect(0, frame.header.bottom, frame.width, bottom - frame.header.bottom)
        surface.fill(self.theme.background, body)
        if showing.notice is None:
            self._idle(surface)
            return body
        index = min(showing.page, self.page_count(showing.notice) - 1)
        surface.blit(self.page_surface(showing.notice, index), (frame.page.x, frame.page.y))
        self.draw_footer(surface, showing)
        return body

    def draw_footer(self, surface: "pygame.Surface", showing: Showing) -> "pygame.Rect":
        """The line under the page: 公示 days remaining and 第 n/m 页."""
        foot = self.frame.footer
        rect = pygame.Rect(foot.x, foot.y, foot.w, foot.h)
        surface.fill(self.theme.background, rect)
        if showing.notice is None:
            return rect
        count = self.page_count(showing.notice)
        index = min(showing.page, count - 1)
        left, right = footer_texts(showing.notice, index + 1, count, showing.days_left)
        styles = self.layouter.styles
        y = foot.y + (foot.h - self.fonts.line_height(styles.small)) / 2
        if left:
            self.fonts.draw(surface, foot.x, y, left, styles.period)
        if right:
            w = self.fonts.width(right, styles.muted)
            self.fonts.draw(surface, foot.right - w, y, right, styles.muted)
        return rect

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
        self.ticker.draw_label(surface)
        self.draw_ticker(surface, ticker_t)

"""The layout templates as pure geometry: which regions a screen has and where.

``layout:`` in the config names one of :data:`LAYOUTS`, or ``auto`` to choose by the
screen's shape (:func:`choose_layout`):

- ``ticker-only`` for strips: lower than :data:`STRIP_HEIGHT` px (1920x160, 512x64 LED
  controllers) or at least :data:`STRIP_RATIO` times as wide as high. The ticker fills
  the strip; nothing else.
- ``portrait`` when the screen is taller than wide: a stacked header (the office name on
  one row, date and clock on the next), QR codes in a band under the text, a kiosk's
  navigation in two rows.
- ``split`` from :data:`SPLIT_RATIO` (2:1, e.g. 2560x1080, 3840x1080): the page beside a
  side panel (date, clock, the current 公示 with their countdowns), a header with the name.
- ``standard`` otherwise (16:9, 16:10, 5:4): header, page, ticker.
- ``page-only`` (never chosen by auto): the standard template without the ticker.

Every template sizes everything from one unit (:func:`~player.layout.theme.shape_unit`,
from the shorter side, the width of the page column and the physical panel); the text's
measure inside the page is capped by the layouter (:data:`~player.layout.theme.MEASURE`
body characters, centred; tables and pictures take the whole page width). Invariants (tests/test_shapes.py): every region lies inside the screen and
no two regions overlap, except the alert band, which covers the footer row (page number,
countdown) while a yellow or blue alert is shown, never the page's text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from player.layout.display import Box, Style
from player.layout.theme import Frame, Panel, Theme, shape_unit

AUTO = "auto"
STANDARD, PORTRAIT, SPLIT, PAGE_ONLY, TICKER_ONLY = "standard", "portrait", "split", "page-only", "ticker-only"
LAYOUTS = (STANDARD, PORTRAIT, SPLIT, PAGE_ONLY, TICKER_ONLY)

#: Screens lower than this (px) are strips (ticker-only) …
STRIP_HEIGHT = 300
#: … and so are screens at least this many times as wide as high.
STRIP_RATIO = 6.0
#: From this aspect ratio on, a landscape screen is split (page + side panel).
SPLIT_RATIO = 2.0
#: The split template's side panel: this share of the width.
SIDE_SHARE = 0.28
#: Ticker-only text is at most 1/8 of the width (a tall screen set to ticker-only).
TICKER_TEXT_SHARE = 8.0
#: The portrait template's stacked header (two rows), as a share of the unit.
STACKED_HEADER = 0.15


@dataclass(frozen=True)
class TextBox:
    """A text of the frame's chrome (header, footer, side panel, ticker label) and the box
    it is drawn in, in screen pixels: what the geometric checks look at."""

    text: str
    x: float
    y: float
    w: float
    h: float
    style: Style

    @property
    def right(self) -> float:
        """x + w."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """y + h."""
        return self.y + self.h


def choose_layout(width: int, height: int) -> str:
    """The template ``layout: auto`` picks for a screen of ``width`` x ``height`` (logical,
    i.e. after ``display.rotate``)."""
    if height < STRIP_HEIGHT or width >= STRIP_RATIO * height:
        return TICKER_ONLY
    if height > width:
        return PORTRAIT
    if width >= SPLIT_RATIO * height:
        return SPLIT
    return STANDARD


def resolve(layout: str, width: int, height: int) -> str:
    """``layout`` with ``auto`` resolved."""
    return choose_layout(width, height) if layout == AUTO else layout


def frame_for(width: int, height: int, theme: Theme | None = None, layout: str = AUTO,
              panel: Panel = Panel()) -> Frame:
    """The regions of template ``layout`` (default: chosen by the aspect ratio) on a
    ``width`` x ``height`` screen.

    Raises:
        ValueError: an unknown template name.
    """
    name = resolve(layout, width, height)
    try:
        build = _BUILDERS[name]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}; expected auto or one of {', '.join(LAYOUTS)}") from None
    return build(width, height, theme or Theme(), panel)


def _column(name: str, width: int, height: int, theme: Theme, panel: Panel, *, header_share: float,
            ticker: bool, column: int, side: bool = False, nav_rows: int = 1) -> Frame:
    """A page column ``column`` px wide at the left, a header band across the top, the
    ticker (if any) across the bottom, a kiosk's bar above it, a side panel beside."""
    unit = shape_unit(width, height, column, theme, panel)
    px = lambda share: theme.px(share, unit)  # noqa: E731
    header_h = px(header_share)
    ticker_h = px(theme.ticker) if ticker else 0
    nav_h = px(theme.nav) * nav_rows if theme.nav > 0 else 0
    gap = px(theme.gap)
    footer_h = px(theme.footer)
    margin = max(px(theme.margin), column // 40)
    page_w = column - 2 * margin
    page_x = margin
    top = header_h + gap
    bottom = height - ticker_h - nav_h - gap // 2
    page = Box(page_x, top, page_w, bottom - footer_h - top)
    footer = Box(page_x, bottom - footer_h, page_w, footer_h)
    nav = Box(0, height - ticker_h - nav_h, width, nav_h) if nav_h else None
    # The alert band takes the footer row (and the gap under it), never the page's text:
    # while a yellow or blue alert shows, the page number and countdown give way to it.
    band_bottom = height - ticker_h - nav_h
    band_h = max(24, band_bottom - footer.y)
    band = Box(0, band_bottom - band_h, column, band_h)
    side_box = Box(column, header_h, width - column, height - header_h - ticker_h - nav_h) if side else None
    return Frame(width, height, Box(0, 0, width, header_h), page, footer, Box(0, height - ticker_h, width, ticker_h),
                 nav, unit, band, side_box, name, nav_rows if nav_h else 1, panel.min_target_px(width, height))


def standard(width: int, height: int, theme: Theme, panel: Panel) -> Frame:
    """Header, page, ticker."""
    return _column(STANDARD, width, height, theme, panel, header_share=theme.header, ticker=True, column=width)


def page_only(width: int, height: int, theme: Theme, panel: Panel) -> Frame:
    """Header and page; no ticker."""
    return _column(PAGE_ONLY, width, height, theme, panel, header_share=theme.header, ticker=False, column=width)


def portrait(width: int, height: int, theme: Theme, panel: Panel) -> Frame:
    """A stacked header (two rows), page, ticker; a kiosk's bar in two rows."""
    return _column(PORTRAIT, width, height, theme, panel, header_share=STACKED_HEADER, ticker=True,
                   column=width, nav_rows=2)


def split(width: int, height: int, theme: Theme, panel: Panel) -> Frame:
    """The page on the left, a side panel on the right, header and ticker across."""
    column = round(width * (1 - SIDE_SHARE))
    return _column(SPLIT, width, height, theme, panel, header_share=theme.header, ticker=True, column=column,
                   side=True)


def ticker_only(width: int, height: int, theme: Theme, panel: Panel) -> Frame:
    """The ticker fills the strip; the unit is chosen so that it does (the ticker's text
    is ``ticker_text / ticker`` of the strip's height, at most 1/:data:`TICKER_TEXT_SHARE`
    of its width on a screen that is not really a strip). There is no page: notices are
    laid out as empty pages (for their times in the rotation)."""
    unit = min(height / theme.ticker, width / (TICKER_TEXT_SHARE * theme.ticker_text))
    empty = Box(0, 0, 0, 0)
    return Frame(width, height, empty, empty, empty, Box(0, 0, width, height), None, unit, None, None,
                 TICKER_ONLY, 1, panel.min_target_px(width, height))


_BUILDERS: dict[str, Callable[[int, int, Theme, Panel], Frame]] = {
    STANDARD: standard, PORTRAIT: portrait, SPLIT: split, PAGE_ONLY: page_only, TICKER_ONLY: ticker_only,
}

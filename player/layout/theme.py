"""Sizes and colours of the screen, relative to a *unit* derived from its shape.

Every size of the :class:`Theme` is a fraction of ``Frame.unit``. The unit comes from the
shorter side of the screen, the width the page column may take (so a body line holds
20-40 Chinese characters, about :data:`LINE_TARGET`) and the physical panel
(:class:`Panel`: body characters at least 1/300 of the viewing distance tall), see
:func:`shape_unit` and docs/configuration.md. At 1920x1080 the unit is 1242 px and body
text 43 px: 21 mm on a 43-inch panel, comfortable from three metres. The regions of
each layout template (header, page, ticker, side panel …) are in
:mod:`player.layout.templates`. Colours follow the red-and-white style of Chinese
government notice boards; contrast of body text on the page is above 12:1.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from player.layout.display import RGB, Box, Style


@dataclass(frozen=True)
class Theme:
    """Proportions (of the unit, :attr:`Frame.unit`) and colours."""

    header: float = 0.085
    ticker: float = 0.072
    margin: float = 0.05        # side margin of the page area
    gap: float = 0.022          # space above and below the page area
    footer: float = 0.05        # page indicator / 公示 line at the bottom of the page area
    nav: float = 0.0            # kiosk navigation bar above the ticker (0: none; kiosks 0.095)
    title: float = 0.048
    body: float = 0.035
    heading1: float = 0.04
    small: float = 0.026
    table: float = 0.03
    table_min: float = 0.022
    header_text: float = 0.038
    ticker_text: float = 0.042
    #: QR code box with its quiet zone: 265 px at 1080 (symbol 185-225 px, >= 45 mm on
    #: a 21.5" 1080p screen, for addresses up to 120 bytes), 188 px at 768.
    qr: float = 0.245
    background: RGB = (250, 248, 243)
    text: RGB = (30, 30, 30)
    muted: RGB = (105, 105, 105)
    accent: RGB = (200, 16, 46)          # 中国红 #C8102E
    accent_text: RGB = (255, 255, 255)
    header_bg: RGB = (178, 14, 40)
    ticker_bg: RGB = (40, 40, 48)
    ticker_fg: RGB = (255, 226, 140)
    rule: RGB = (200, 16, 46)
    zebra: RGB = (240, 236, 228)
    table_head_bg: RGB = (178, 14, 40)
    table_head_fg: RGB = (255, 255, 255)
    table_line: RGB = (215, 208, 196)

    def px(self, fraction: float, height: float) -> int:
        """A proportion of the unit (``height``) in whole pixels."""
        return max(1, round(fraction * height))


#: Body lines should hold about this many Chinese characters (the unit is raised toward it
#: on wide screens) and never more than :data:`LINE_MAX` nor fewer than :data:`LINE_MIN`.
LINE_TARGET = 36
LINE_MIN = 20
LINE_MAX = 40
#: The page's measure is capped at this many body characters (a little under LINE_MAX:
#: justified lines with compressed punctuation may hold one more).
MEASURE = 38
#: The unit is at most this multiple of the shorter side (else the header and ticker
#: would eat a landscape screen's height).
UNIT_CAP = 1.15
#: Body characters at least 1/300 of the viewing distance tall; touch targets >= 12 mm.
LEGIBILITY = 300.0
MIN_TARGET_MM = 12.0
#: No text of the frame is smaller than this share of the unit (nor 12 px).
MIN_TEXT = 0.018


@dataclass(frozen=True)
class Panel:
    """The physical screen: its diagonal and how far away it is read from
    (``display.diagonal_inches``, ``display.viewing_distance_m``)."""

    diagonal_inches: float = 43.0
    viewing_distance_m: float = 3.0

    def mm_per_px(self, width: int, height: int) -> float:
        """Pixel pitch in millimetres of a ``width`` x ``height`` panel of this diagonal."""
        return self.diagonal_inches * 25.4 / math.hypot(width, height)

    def min_body_px(self, width: int, height: int) -> int:
        """The smallest body size (em, px) that is 1/300 of the viewing distance tall."""
        return math.ceil(self.viewing_distance_m * 1000.0 / LEGIBILITY / self.mm_per_px(width, height))

    def min_target_px(self, width: int, height: int) -> int:
        """:data:`MIN_TARGET_MM` in pixels on this panel."""
        return math.ceil(MIN_TARGET_MM / self.mm_per_px(width, height))


def shape_unit(width: int, height: int, column: float, theme: "Theme", panel: Panel = Panel()) -> float:
    """The length every size of the theme is a fraction of, for a screen and the width
    ``column`` its page column may take (the screen width, or less beside a side panel).

    1. ``u = max(short, column / (LINE_TARGET * body + 2 * margin))``: the shorter side,
       raised on wide screens so that a full-width line holds about LINE_TARGET characters;
    2. ``u = min(u, UNIT_CAP * short)``: the header and ticker stay a small share;
    3. ``u = min(u, column / (LINE_MIN * body + 2 * margin))``: at least LINE_MIN a line;
    4. ``u = max(u, panel.min_body_px / body)``: body characters are 1/300 of the viewing
       distance tall, whatever that costs (the physical rule wins).
    """
    short = min(width, height)
    per_line = theme.body + 2 * theme.margin / LINE_TARGET
    unit = max(float(short), column / (LINE_TARGET * per_line))
    unit = min(unit, UNIT_CAP * short)
    unit = min(unit, column / (LINE_MIN * theme.body + 2 * theme.margin))
    return max(unit, panel.min_body_px(width, height) / theme.body)


@dataclass(frozen=True)
class Frame:
    """Where the regions of one layout template sit on a screen (logical pixels).

    ``unit`` is the length every size of the theme is a fraction of (:func:`shape_unit`).
    A region a template does not have is an empty box (``h == 0``) for header, page,
    footer and ticker, ``None`` for the others: ``nav`` (a kiosk's navigation bar, in
    ``nav_rows`` rows), ``band`` (a yellow or blue alert, above the ticker over the
    bottom of the page area) and ``side`` (the split template's panel). Made by
    :func:`player.layout.templates.frame_for`.
    """

    width: int
    height: int
    header: Box
    page: Box
    footer: Box
    ticker: Box
    nav: Box | None = None
    unit: float = 0.0
    band: Box | None = None
    side: Box | None = None
    layout: str = "standard"
    nav_rows: int = 1
    min_target: int = 0   # touch targets at least this many px (12 mm on the panel)

    def __post_init__(self) -> None:
        if not self.unit:
            object.__setattr__(self, "unit", float(self.height))

    @property
    def min_text(self) -> int:
        """No text of this frame is smaller (px)."""
        return max(12, round(MIN_TEXT * self.unit))


@dataclass(frozen=True)
class Styles:
    """Concrete text styles for one unit (:attr:`Frame.unit`)."""

    title: Style
    heading1: Style
    heading2: Style
    heading: Style
    body: Style
    bold: Style
    small: Style
    muted: Style
    closing: Style
    table: Style
    table_head: Style
    period: Style

    @classmethod
    def for_height(cls, height: float, theme: Theme = Theme()) -> "Styles":
        """Styles scaled to a unit (historically the screen height)."""
        body = theme.px(theme.body, height)
        return cls(
            title=Style(theme.px(theme.title, height), True, theme.accent),
            heading1=Style(theme.px(theme.heading1, height), True, theme.text),
            heading2=Style(body, True, theme.text),
            heading=Style(body, True, theme.text),
            body=Style(body, False, theme.text),
            bold=Style(body, True, theme.text),
            small=Style(theme.px(theme.small, height), False, theme.text),
            muted=Style(theme.px(theme.small, height), False, theme.muted),
            closing=Style(body, False, theme.text),
            table=Style(theme.px(theme.table, height), False, theme.text),
            table_head=Style(theme.px(theme.table, height), True, theme.table_head_fg),
            period=Style(theme.px(theme.small, height), True, theme.accent),
        )


#: The kiosk navigation bar's height as a share of the unit (118 px at 1920x1080).
NAV_SHARE = 0.095
#: 大字: text sizes multiplied by this (body 43 px -> 61 px at 1920x1080).
LARGE_SCALE = 1.4


def kiosk_theme(theme: Theme) -> Theme:
    """The theme with room for a touch kiosk's navigation bar."""
    return dataclasses.replace(theme, nav=NAV_SHARE)


def large_theme(theme: Theme) -> Theme:
    """The same screen regions with larger text (大字)."""
    s = LARGE_SCALE
    return dataclasses.replace(theme, title=theme.title * 1.2, body=theme.body * s, heading1=theme.heading1 * 1.3,
                               small=theme.small * 1.2, table=theme.table * s, table_min=theme.table_min * s)

"""Sizes and colours of the screen, relative to its height.

Sizes are fractions of the screen height so 1366x768, 1920x1080 and 3840x2160 screens
all look alike. At 1080 px the body text is 38 px: about 18 mm on a 43-inch screen,
comfortable from two metres. Colours follow the red-and-white style of Chinese
government notice boards; contrast of body text on the page is above 12:1.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from player.layout.display import RGB, Box, Style


@dataclass(frozen=True)
class Theme:
    """Proportions (of screen height) and colours."""

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

    def px(self, fraction: float, height: int) -> int:
        """A proportion of the screen height in whole pixels."""
        return max(1, round(fraction * height))


#: The alert band (yellow and blue alerts) above the ticker, as a share of the unit.
BAND = 0.074


@dataclass(frozen=True)
class Frame:
    """Where the header, the page area and the ticker sit on a screen.

    ``unit`` is the length every size of the theme is a fraction of (the screen height
    for the standard landscape template). ``band`` is where a yellow or blue alert is
    shown, above the ticker, over the bottom of the page area.
    """

    width: int
    height: int
    header: Box
    page: Box
    footer: Box
    ticker: Box
    nav: Box | None = None  # kiosks: category tabs and page buttons, above the ticker
    unit: float = 0.0
    band: Box | None = None

    def __post_init__(self) -> None:
        if not self.unit:
            object.__setattr__(self, "unit", float(self.height))

    @classmethod
    def for_size(cls, width: int, height: int, theme: Theme = Theme()) -> "Frame":
        """Split a screen of ``width`` x ``height`` pixels into its regions."""
        header_h = theme.px(theme.header, height)
        ticker_h = theme.px(theme.ticker, height)
        margin = max(theme.px(theme.margin, height), width // 40)
        gap = theme.px(theme.gap, height)
        footer_h = theme.px(theme.footer, height)
        nav_h = theme.px(theme.nav, height) if theme.nav > 0 else 0
        top = header_h + gap
        bottom = height - ticker_h - nav_h - gap // 2
        page = Box(margin, top, width - 2 * margin, bottom - footer_h - top)
        footer = Box(margin, bottom - footer_h, width - 2 * margin, footer_h)
        nav = Box(0, height - ticker_h - nav_h, width, nav_h) if nav_h else None
        band_h = max(24, round(BAND * height))
        band = Box(0, height - ticker_h - nav_h - band_h, width, band_h)
        return cls(width, height, Box(0, 0, width, header_h), page, footer,
                   Box(0, height - ticker_h, width, ticker_h), nav, float(height), band)


@dataclass(frozen=True)
class Styles:
    """Concrete text styles for one screen height."""

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
    def for_height(cls, height: int, theme: Theme = Theme()) -> "Styles":
        """Styles scaled to a screen height."""
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


#: The kiosk navigation bar's height as a share of the unit (≈ 103 px, 25 mm at 1080p).
NAV_SHARE = 0.095
#: 大字: text sizes multiplied by this (body 38 px -> 53 px at 1080p).
LARGE_SCALE = 1.4


def kiosk_theme(theme: Theme) -> Theme:
    """The theme with room for a touch kiosk's navigation bar."""
    return dataclasses.replace(theme, nav=NAV_SHARE)


def large_theme(theme: Theme) -> Theme:
    """The same screen regions with larger text (大字)."""
    s = LARGE_SCALE
    return dataclasses.replace(theme, title=theme.title * 1.2, body=theme.body * s, heading1=theme.heading1 * 1.3,
                               small=theme.small * 1.2, table=theme.table * s, table_min=theme.table_min * s)

"""The layout templates as the compositor uses them: one class each.

A template owns its regions (a :class:`~player.layout.theme.Frame` from
:func:`player.layout.templates.frame_for`) and the chrome around the page area — the
header, a side panel — and says how alerts and the ticker behave on it. The compositor
(render/compositor.py) draws the page area (rotation, kiosk, full-screen alert views),
the alert band and the ticker into the regions the template gives it.

- :class:`StandardTemplate`: header (name left, date and clock right), page, ticker;
- :class:`PageOnlyTemplate`: the same without the ticker;
- :class:`PortraitTemplate`: a stacked header (name, then date and clock);
- :class:`SplitTemplate`: a header with the name, the page beside a side panel (date,
  clock, the 公示 on screen with their countdowns);
- :class:`TickerOnlyTemplate`: the ticker fills the strip; alerts go into its text, first.

A new template is a new class here (and its geometry in layout/templates.py), never a flag.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from player.layout.templates import PAGE_ONLY, PORTRAIT, SPLIT, STANDARD, TICKER_ONLY, TextBox
from player.layout.theme import Frame, Theme
from player.model.alerts import MsgType
from player.model.alertstate import ActiveAlert
from player.model.screen import OnScreen
from player.render.fonts import Fonts
from player.render.header import Header, NameHeader, StackedHeader
from player.render.pg import pygame
from player.render.side import SidePanel, publicity

DRILL = "【演练】"


class StandardTemplate:
    """Header, page, ticker."""

    name = STANDARD
    #: A red or orange alert takes the page area (AlertView); False: it goes into the ticker.
    full_alerts = True
    #: The page area shows the rotation (False: a strip has none).
    shows_pages = True

    def __init__(self, frame: Frame, fonts: Fonts, theme: Theme, screen_name: str, tz: ZoneInfo) -> None:
        self.frame = frame
        self.fonts = fonts
        self.theme = theme
        self.screen_name = screen_name
        self.tz = tz
        self.header = self.make_header() if frame.header.h else None
        self._second: int | None = None
        self._key: tuple | None = None

    def make_header(self) -> Header:
        """The header drawn in ``frame.header``."""
        f = self.frame
        return Header(f.header, self.fonts, self.theme, self.screen_name, f.unit, f.min_text)

    def reset(self) -> None:
        """Draw everything again at the next frame."""
        self._second = self._key = None

    def chrome(self, surface: "pygame.Surface", snap: OnScreen) -> list["pygame.Rect"]:
        """The header (whole when the date changes, else the clock digits once a second)."""
        if self.header is None:
            return []
        second = int(snap.wall.timestamp())
        if second == self._second:
            return []
        self._second = second
        local = snap.local
        key = self.chrome_key(snap)
        if key != self._key:
            self._key = key
            return self.draw_chrome(surface, local, snap)
        return self.draw_clock(surface, local) if local is not None else []

    def chrome_key(self, snap: OnScreen) -> tuple:
        """What the chrome depends on besides the time of day."""
        local = snap.local
        return (local.date() if local else None, snap.trusted)

    def draw_chrome(self, surface: "pygame.Surface", local: dt.datetime | None, snap: OnScreen) -> list["pygame.Rect"]:
        """All of the chrome."""
        return [self.header.draw(surface, local)]

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> list["pygame.Rect"]:
        """Only the clock digits."""
        return [self.header.draw_clock(surface, local)]

    def ticker_messages(self, snap: OnScreen) -> tuple[str, ...]:
        """The ticker's text."""
        return snap.ticker

    def text_boxes(self, snap: OnScreen) -> list[tuple[str, TextBox]]:
        """Every chrome text and the region it belongs to (for the geometric checks)."""
        return [("header", box) for box in self.header.boxes(snap.local)] if self.header is not None else []


class PageOnlyTemplate(StandardTemplate):
    """Header and page, no ticker (its frame has none)."""

    name = PAGE_ONLY


class PortraitTemplate(StandardTemplate):
    """Tall screens: the header in two rows."""

    name = PORTRAIT

    def make_header(self) -> Header:
        """Name on one row, date and clock on the next."""
        f = self.frame
        return StackedHeader(f.header, self.fonts, self.theme, self.screen_name, f.unit, f.min_text)


class SplitTemplate(StandardTemplate):
    """Very wide screens: the page beside a side panel."""

    name = SPLIT

    def __init__(self, frame: Frame, fonts: Fonts, theme: Theme, screen_name: str, tz: ZoneInfo) -> None:
        super().__init__(frame, fonts, theme, screen_name, tz)
        assert frame.side is not None, "the split template has a side panel"
        self.side = SidePanel(frame.side, fonts, theme, frame.unit, tz, frame.min_text)

    def make_header(self) -> Header:
        """The name only."""
        f = self.frame
        return NameHeader(f.header, self.fonts, self.theme, self.screen_name, f.unit, f.min_text)

    def _items(self, snap: OnScreen):
        return publicity(snap.decisions, snap.wall, self.tz)

    def chrome_key(self, snap: OnScreen) -> tuple:
        """The date, and the 公示 listed with their countdowns."""
        return super().chrome_key(snap) + tuple((n.id, text) for n, text in self._items(snap))

    def draw_chrome(self, surface: "pygame.Surface", local: dt.datetime | None, snap: OnScreen) -> list["pygame.Rect"]:
        """Header and side panel."""
        return [self.header.draw(surface, local), self.side.draw(surface, local, self._items(snap))]

    def draw_clock(self, surface: "pygame.Surface", local: dt.datetime) -> list["pygame.Rect"]:
        """The side panel's clock."""
        return [self.side.draw_clock(surface, local)]

    def text_boxes(self, snap: OnScreen) -> list[tuple[str, TextBox]]:
        """Header and side panel texts."""
        return super().text_boxes(snap) + [("side", b) for b in self.side.boxes(snap.local, self._items(snap))]


def alert_line(active: ActiveAlert) -> str:
    """An alert as one ticker message: ``【红色预警】title：text``."""
    a = active.alert
    label = "预警解除" if a.type is MsgType.ALL_CLEAR else a.level.label
    detail = " ".join(p.strip() for p in a.text.split("\n") if p.strip())
    return (DRILL if a.drill else "") + f"【{label}】{a.title}" + (f"：{detail}" if detail else "")


class TickerOnlyTemplate(StandardTemplate):
    """Strips: the ticker fills the screen, urgent notices and alerts first, no header."""

    name = TICKER_ONLY
    full_alerts = False
    shows_pages = False

    _made: tuple = ((), (), ())

    def ticker_messages(self, snap: OnScreen) -> tuple[str, ...]:
        """Alerts (most severe first), then urgent notices, then ticker.txt; the office
        name when there is nothing at all. (Built again only when they change.)"""
        alerts, ticker, made = self._made
        if snap.alerts is alerts and snap.ticker is ticker:
            return made
        ordered = sorted(snap.alerts, key=lambda a: a.alert.level.rank)
        messages = tuple(alert_line(a) for a in ordered) + tuple(snap.ticker) or (self.screen_name,)
        self._made = (snap.alerts, snap.ticker, messages)
        return messages


TEMPLATES: dict[str, type[StandardTemplate]] = {
    t.name: t for t in (StandardTemplate, PageOnlyTemplate, PortraitTemplate, SplitTemplate, TickerOnlyTemplate)
}


def make_template(frame: Frame, fonts: Fonts, theme: Theme, screen_name: str, tz: ZoneInfo) -> StandardTemplate:
    """The template class for ``frame.layout``, built."""
    return TEMPLATES[frame.layout](frame, fonts, theme, screen_name, tz)

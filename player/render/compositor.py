"""The compositor: one frame from one snapshot, and only the rectangles that changed.

Like Textual's compositor: the regions of the screen (a :class:`~player.layout.theme.Frame`
made by the layout template, render/templates.py) are drawn by their owners — the
template's chrome (header, side panel; the clock digits once a second), the ticker
(every frame, scrolled in place), the alert band, and the page area, which belongs to
one *view* at a time:

- :class:`~player.render.views.RotationView`: the rotation's pages with their wipe;
- :class:`~player.render.kiosk_view.KioskView`: a resident browsing (touch kiosks);
- :class:`~player.render.views.AlertView`: a red or orange alert over the whole body;
- dark: the power schedule switched the screen off — nothing is drawn;
- ticker: a strip (ticker-only template) has no page area; alerts go into the ticker.

:meth:`Compositor.compose` takes an :class:`~player.model.screen.OnScreen` snapshot and
returns the rectangles to present; when the view changes everything is drawn once.
It never lays out or draws a page (the preparer threads do, through a
:class:`~player.render.pagecache.PageSource`), reads no file and knows no loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from player.layout.alert import BAND_SECONDS, band_pages
from player.layout.display import op_bounds
from player.layout.templates import TextBox
from player.layout.theme import Frame, Styles, Theme
from player.model.screen import OnScreen
from player.render.draw import draw_ops
from player.render.fonts import Fonts
from player.render.kiosk_view import KioskView
from player.render.pagecache import PageSource
from player.render.pg import pygame
from player.render.ticker import Ticker
from player.render.templates import StandardTemplate, make_template
from player.render.views import AlertPages, AlertView, Painter, RotationView

DARK = "dark"
TICKER = "ticker"
ALERT = "alert"
KIOSK = "kiosk"
ROTATION = "rotation"


@dataclass(frozen=True)
class Showing:
    """What the screen shows, for the play log: the view, and the notice if any
    (the rotation's page, or the one a resident reads)."""

    view: str
    notice: object | None = None
    browsed: bool = False


class Compositor:
    """Draws frames of one screen shape into a surface."""

    def __init__(self, template: "StandardTemplate | Frame", fonts: Fonts, theme: Theme, pages: PageSource,
                 drawings, *, screen_name: str, ticker_speed: float, fps: float, tz: ZoneInfo,
                 touch: bool = False, idle_return: float = 60.0, touch_map=None) -> None:
        """Args:
            template: the layout template (render/templates.py); a bare Frame gets the
                template class its ``layout`` names.
            pages: drawn pages (the runtime's preparation service).
            drawings: the same service's ``drawing(key, draw)`` for alert pages.
            touch: a kiosk (browsing view and navigation bar).
            touch_map: (x, y) on the physical screen -> (x, y) on the logical one
                (``display.rotate``); None: the same.
        """
        if isinstance(template, Frame):
            template = make_template(template, fonts, theme, screen_name, tz)
        self.template = template
        frame = self.frame = template.frame
        self.fonts = fonts
        self.theme = theme
        self.tz = tz
        self.styles = Styles.for_height(frame.unit, theme)
        self.painter = Painter(frame, fonts, theme, self.styles, screen_name)
        self.header = template.header
        self.ticker = Ticker(frame.ticker, fonts, theme, ticker_speed, frame.unit, fps) if frame.ticker.h else None
        self.rotation = RotationView(self.painter, pages)
        self.alert = AlertView(self.painter, AlertPages(self.painter, drawings, tz))
        self.kiosk = KioskView(self.painter, pages, idle_return, tz, touch_map) \
            if touch and frame.nav is not None and template.shows_pages else None
        self.view: str | None = None
        self._band: tuple | None = None
        self._band_pages: tuple[tuple, tuple] = ((), ())
        self._ticker: tuple[str, ...] | None = None
        self._decisions: tuple | None = None

    # -- one frame -------------------------------------------------------------------------

    def compose(self, surface: "pygame.Surface", snap: OnScreen, full: bool = False) -> list["pygame.Rect"]:
        """Draw what changed for ``snap``; returns the rectangles to present."""
        t = snap.t
        view = self._view_for(snap)
        if view != self.view:
            # Between browsing and the rotation only the page area changes (a wipe, or a
            # fade after idle_return); any other change of view draws everything.
            soft = {self.view, view} == {KIOSK, ROTATION}
            full = full or not soft
            if soft and view == ROTATION:
                self.rotation.reset(keep_fade=True)
            self.view = view
        if view == DARK:
            if full:
                surface.fill((0, 0, 0))
                return [surface.get_rect()]
            return []
        if full:
            self._band = None
            self.template.reset()
            self.rotation.reset()
            self.alert.reset()
        rects: list[pygame.Rect] = []
        if self.kiosk is not None:
            rects += self._kiosk(surface, snap, full)
        if view == ALERT:
            rects += self.alert.draw(surface, snap, t, full)
        elif view == ROTATION:
            rects += self.rotation.draw(surface, snap, t, full)
        rects += self.template.chrome(surface, snap)
        rects += self._alert_band(surface, snap, full)
        rects += self._ticker_band(surface, snap, full)
        return rects

    def _view_for(self, snap: OnScreen) -> str:
        if not snap.screen_on:
            return DARK
        if not self.template.shows_pages:
            return TICKER
        if snap.full_alert is not None:
            return ALERT
        if self.kiosk is not None and self.kiosk.visible:
            return KIOSK
        return ROTATION

    def _band_page(self, snap: OnScreen) -> tuple[tuple, tuple]:
        """(key, ops) of the alert band's page at ``snap.t``: its pages are laid out once per
        set of band alerts and shown in turn, :data:`BAND_SECONDS` each."""
        band = self.frame.band
        alerts = snap.band_alerts
        key = tuple((a.alert.id, a.alert.level, a.alert.type, a.alert.title, a.alert.text) for a in alerts)
        if not alerts:
            return (), ()
        if self._band_pages[0] != key:
            self._band_pages = (key, band_pages(alerts[0].alert, band.w, band.h, self.fonts, more=len(alerts) - 1))
        pages = self._band_pages[1]
        index = int(snap.t // BAND_SECONDS) % len(pages)
        return key + (index,), pages[index]

    def _alert_band(self, surface: "pygame.Surface", snap: OnScreen, full: bool) -> list["pygame.Rect"]:
        band = self.frame.band
        if band is None or self.view == ALERT:
            return []
        key, ops = self._band_page(snap)
        if key == self._band and not full:
            return []
        previous, self._band = self._band, key
        rect = pygame.Rect(band.x, band.y, band.w, band.h)
        if not ops:
            if previous:  # the band leaves: what was under it is drawn again
                self.rotation.reset()
                if self.kiosk is not None:
                    self.kiosk.page_dirty = True
            return [rect] if previous else []
        draw_ops(surface, ops, self.fonts, offset=(band.x, band.y))
        return [rect]

    def _ticker_band(self, surface: "pygame.Surface", snap: OnScreen, full: bool) -> list["pygame.Rect"]:
        if self.ticker is None:
            return []
        messages = self.template.ticker_messages(snap)
        if messages != self._ticker:
            self._ticker = messages
            self.ticker.set_messages(messages, snap.t)
        rects = [self.ticker.draw_label(surface)] if full else []
        rects.append(self.ticker.draw(surface, snap.t))
        return rects

    # -- the kiosk ---------------------------------------------------------------------------

    def _kiosk(self, surface: "pygame.Surface", snap: OnScreen, full: bool) -> list["pygame.Rect"]:
        kiosk = self.kiosk
        rects = []
        kiosk.note_rotation(snap.page)
        if snap.decisions is not self._decisions:
            self._decisions = snap.decisions
            kiosk.set_categories(snap.decisions)
        if kiosk.suspend(snap.urgent or snap.full_alert is not None) == "suspend":
            self.rotation.reset()
        if kiosk.idle(snap.t):
            self.rotation.reset()
            self.rotation.fade_next = True
        if kiosk.visible and (kiosk.page_dirty or full or self.view != KIOSK):
            drawn = kiosk.draw_page(surface, snap.library, snap.decisions, snap.wall)
            if drawn is not None:
                rects.append(drawn)
        if kiosk.nav_dirty or full:
            rects.append(kiosk.draw_nav(surface))
        return rects

    def handle(self, event: "pygame.event.Event", t: float) -> bool:
        """An input event (kiosks only); True when it changed what a resident sees."""
        kiosk = self.kiosk
        if kiosk is None:
            return False
        action = kiosk.handle(event, t)
        if action is None:
            return kiosk.nav_dirty or kiosk.page_dirty
        was_browsing = kiosk.kiosk.browsing
        kiosk.apply(action)
        if was_browsing and not kiosk.kiosk.browsing:
            self.rotation.reset()  # back to the rotation: its page is drawn again
        else:
            self.rotation.wipe = None
        return True

    # -- what is on screen --------------------------------------------------------------------

    def showing(self, snap: OnScreen) -> Showing:
        """The view and notice on screen now (for the play log and status)."""
        view = self.view or ROTATION
        if view == KIOSK:
            return Showing(KIOSK, self.kiosk.browsed_notice(snap.library), browsed=True)
        if view == ROTATION:
            return Showing(ROTATION, snap.page.notice if snap.page else None)
        return Showing(view)

    def text_boxes(self, snap: OnScreen) -> list[tuple[str, TextBox]]:
        """Every text of the frame's chrome for ``snap`` with its region (header, side,
        footer, idle, band, ticker): what the geometric checks (tests/test_shapes.py) look
        at; the page's own texts come from its layout."""
        out = self.template.text_boxes(snap)
        view = self._view_for(snap)
        if view == ROTATION:
            if snap.page is not None:
                out += [("footer", b) for b in self.painter.footer_boxes(snap.page)]
            else:
                out += [("page", b) for b in self.painter.idle_boxes(not snap.ready)]
        band = self.frame.band
        if band is not None and view != ALERT and snap.band_alerts:
            for op in self._band_page(snap)[1]:
                if hasattr(op, "text"):
                    x, y, w, h = op_bounds(op, self.fonts)
                    out.append(("band", TextBox(op.text, band.x + x, band.y + y, w, h, op.style)))
        if self.ticker is not None:
            out += [("ticker", b) for b in self.ticker.boxes()]
        return out

    def interaction(self) -> dict:
        """``status.json`` → ``interaction``."""
        return self.kiosk.status() if self.kiosk is not None else {"touch": False}


def header_local(wall: dt.datetime, tz: ZoneInfo, trusted: bool) -> dt.datetime | None:
    """The header's time: local, or None while the clock is not trusted."""
    return wall.astimezone(tz) if trusted else None
